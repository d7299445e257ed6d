// The built-in words of a ping, in one place per language: the e-mail text, the SMS and the voice
// script, written as templates with the same placeholders as the office's own (templates.ts);
// a template folder named in rollcall.config.yaml overrides them file by file. Each says it is a
// test and keeps the token, by which answers are matched.

/** What a phone call says besides the script: the prompts of the call itself. */
export interface VoicePrompts {
  /** Twilio's <Say language>: the voice that reads it. */
  say: string;
  press: string;
  noKey: string;
  thanks: string;
}

export interface BuiltInTexts {
  /** Language name in that language, shown above a second version. */
  name: string;
  /** The e-mail's plain text; paragraphs are separated by an empty line. */
  email?: string;
  sms?: string;
  /** The message read out by the call ({token} is spelled character by character). */
  voice?: string;
  prompts?: VoicePrompts;
}

export const BUILT_IN_TEXTS: Record<string, BuiltInTexts> = {
  en: {
    name: 'English',
    email: `Dear colleagues ({unit}),

This is a TEST of the responsiveness of the contact points of the {network}. It is not a real request for assistance.

Please reply to this message as soon as you read it, as you would to an urgent request. A short answer is enough. Please keep the reference {token} in your reply.

Reference: {token}
Sent to: {address}

Thank you.`,
    sms: '{network}: responsiveness test {token}. Reply OK {token} to confirm you received it.',
    voice: 'This is a responsiveness test of the {network}. Test code: {token}.',
    prompts: {
      say: 'en-GB',
      press: 'If you hear this message, please press 1 to confirm.',
      noKey: 'No key was pressed. Goodbye.',
      thanks: 'Thank you. Your answer has been recorded. Goodbye.',
    },
  },
  fr: {
    name: 'Français',
    email: `Chers collègues ({unit}),

Ceci est un TEST de la réactivité des points de contact ({network}). Il ne s'agit pas d'une véritable demande d'assistance.

Merci de répondre à ce message dès que vous le lisez, comme vous le feriez pour une demande urgente. Une courte réponse suffit. Merci de conserver la référence {token} dans votre réponse.

Référence: {token}
Envoyé à: {address}

Merci.`,
    sms: '{network} : test de réactivité {token}. Répondez OK {token} pour confirmer la réception.',
    voice: 'Ceci est un test de réactivité, {network}. Code du test : {token}.',
    prompts: {
      say: 'fr-FR',
      press: 'Si vous entendez ce message, appuyez sur 1 pour confirmer.',
      noKey: 'Aucune touche n’a été pressée. Au revoir.',
      thanks: 'Merci. Votre réponse a été enregistrée. Au revoir.',
    },
  },
  es: {
    name: 'Español',
    email: `Estimados colegas ({unit}):

Esto es una PRUEBA de la capacidad de respuesta de los puntos de contacto ({network}). No se trata de una solicitud real de asistencia.

Por favor, respondan a este mensaje en cuanto lo lean, como lo harían con una solicitud urgente. Basta con una respuesta breve. Conserven la referencia {token} en su respuesta.

Referencia: {token}
Enviado a: {address}

Gracias.`,
    sms: '{network}: prueba de respuesta {token}. Responda OK {token} para confirmar que lo ha recibido.',
    voice: 'Esta es una prueba de respuesta, {network}. Código de la prueba: {token}.',
    prompts: {
      say: 'es-ES',
      press: 'Si escucha este mensaje, pulse 1 para confirmar.',
      noKey: 'No se ha pulsado ninguna tecla. Adiós.',
      thanks: 'Gracias. Su respuesta ha quedado registrada. Adiós.',
    },
  },
  de: {
    name: 'Deutsch',
    email: `Sehr geehrte Kolleginnen und Kollegen ({unit}),

dies ist ein TEST der Erreichbarkeit der Kontaktstellen ({network}). Es handelt sich nicht um ein echtes Ersuchen.

Bitte antworten Sie auf diese Nachricht, sobald Sie sie lesen, wie Sie es bei einem dringenden Ersuchen tun würden. Eine kurze Antwort genügt. Bitte behalten Sie die Referenz {token} in Ihrer Antwort bei.

Referenz: {token}
Gesendet an: {address}

Vielen Dank.`,
    sms: '{network}: Erreichbarkeitstest {token}. Antworten Sie OK {token}, um den Empfang zu bestätigen.',
    voice: 'Dies ist ein Erreichbarkeitstest, {network}. Testcode: {token}.',
    prompts: {
      say: 'de-DE',
      press: 'Wenn Sie diese Nachricht hören, drücken Sie bitte die 1 zur Bestätigung.',
      noKey: 'Es wurde keine Taste gedrückt. Auf Wiederhören.',
      thanks: 'Vielen Dank. Ihre Antwort wurde gespeichert. Auf Wiederhören.',
    },
  },
  it: {
    name: 'Italiano',
    email: `Gentili colleghi ({unit}),

questo è un TEST della reperibilità dei punti di contatto ({network}). Non si tratta di una vera richiesta di assistenza.

Vi preghiamo di rispondere a questo messaggio non appena lo leggete, come fareste per una richiesta urgente. È sufficiente una breve risposta. Vi preghiamo di conservare il riferimento {token} nella risposta.

Riferimento: {token}
Inviato a: {address}

Grazie.`,
    voice: 'Questo è un test di reattività, {network}. Codice del test: {token}.',
    prompts: {
      say: 'it-IT',
      press: 'Se sente questo messaggio, prema 1 per confermare.',
      noKey: 'Nessun tasto premuto. Arrivederci.',
      thanks: 'Grazie. La sua risposta è stata registrata. Arrivederci.',
    },
  },
  pt: {
    name: 'Português',
    email: `Caros colegas ({unit}),

Este é um TESTE da capacidade de resposta dos pontos de contacto ({network}). Não se trata de um pedido real de assistência.

Por favor, respondam a esta mensagem logo que a leiam, como fariam com um pedido urgente. Basta uma resposta curta. Por favor, mantenham a referência {token} na resposta.

Referência: {token}
Enviado para: {address}

Obrigado.`,
    voice: 'Este é um teste de capacidade de resposta, {network}. Código do teste: {token}.',
    prompts: {
      say: 'pt-PT',
      press: 'Se ouvir esta mensagem, prima 1 para confirmar.',
      noKey: 'Nenhuma tecla foi premida. Adeus.',
      thanks: 'Obrigado. A sua resposta foi registada. Adeus.',
    },
  },
  nl: {
    // E-mail in Dutch is left to the office's templates; the call has its Dutch voice.
    name: 'Nederlands',
    voice: 'Dit is een bereikbaarheidstest, {network}. Testcode: {token}.',
    prompts: {
      say: 'nl-NL',
      press: 'Als u dit bericht hoort, druk dan op 1 om te bevestigen.',
      noKey: 'Er is geen toets ingedrukt. Tot ziens.',
      thanks: 'Dank u. Uw antwoord is geregistreerd. Tot ziens.',
    },
  },
};

/** The base language of a BCP 47 tag: `fr-BE` → `fr`. */
export function baseLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

/** The first of the contact point's languages that has a built-in e-mail text, else English. */
export function pickLanguage(languages: readonly string[]): string {
  for (const l of languages) {
    const base = baseLanguage(l);
    if (BUILT_IN_TEXTS[base]?.email) return base;
  }
  return 'en';
}
