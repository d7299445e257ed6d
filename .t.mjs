import('libphonenumber-js/max').then(()=>0)
