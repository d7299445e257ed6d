// The words of a ping, in the languages the contact points read. Each says it is a test and asks
// for a reply keeping the token; {unit}, {network}, {token} and {address} are filled in.

export interface PingText {
  /** Language name in that language, shown above a second version. */
  name: string;
  paragraphs: string[];
  reference: string;
  sentTo: string;
  thanks: string;
}

export const PING_TEXTS: Record<string, PingText> = {
  en: {
    name: 'English',
    paragraphs: [
      'Dear colleagues ({unit}),',
      'This is a TEST of the responsiveness of the contact points of the {network}. It is not a real request for assistance.',
      'Please reply to this message as soon as you read it, as you would to an urgent request. A short answer is enough. Please keep the reference {token} in your reply.',
    ],
    reference: 'Reference',
    sentTo: 'Sent to',
    thanks: 'Thank you.',
  },
  fr: {
    name: 'Français',
    paragraphs: [
      'Chers collègues ({unit}),',
      "Ceci est un TEST de la réactivité des points de contact ({network}). Il ne s'agit pas d'une véritable demande d'assistance.",
      'Merci de répondre à ce message dès que vous le lisez, comme vous le feriez pour une demande urgente. Une courte réponse suffit. Merci de conserver la référence {token} dans votre réponse.',
    ],
    reference: 'Référence',
    sentTo: 'Envoyé à',
    thanks: 'Merci.',
  },
  es: {
    name: 'Español',
    paragraphs: [
      'Estimados colegas ({unit}):',
      'Esto es una PRUEBA de la capacidad de respuesta de los puntos de contacto ({network}). No se trata de una solicitud real de asistencia.',
      'Por favor, respondan a este mensaje en cuanto lo lean, como lo harían con una solicitud urgente. Basta con una respuesta breve. Conserven la referencia {token} en su respuesta.',
    ],
    reference: 'Referencia',
    sentTo: 'Enviado a',
    thanks: 'Gracias.',
  },
  de: {
    name: 'Deutsch',
    paragraphs: [
      'Sehr geehrte Kolleginnen und Kollegen ({unit}),',
      'dies ist ein TEST der Erreichbarkeit der Kontaktstellen ({network}). Es handelt sich nicht um ein echtes Ersuchen.',
      'Bitte antworten Sie auf diese Nachricht, sobald Sie sie lesen, wie Sie es bei einem dringenden Ersuchen tun würden. Eine kurze Antwort genügt. Bitte behalten Sie die Referenz {token} in Ihrer Antwort bei.',
    ],
    reference: 'Referenz',
    sentTo: 'Gesendet an',
    thanks: 'Vielen Dank.',
  },
  it: {
    name: 'Italiano',
    paragraphs: [
      'Gentili colleghi ({unit}),',
      'questo è un TEST della reperibilità dei punti di contatto ({network}). Non si tratta di una vera richiesta di assistenza.',
      'Vi preghiamo di rispondere a questo messaggio non appena lo leggete, come fareste per una richiesta urgente. È sufficiente una breve risposta. Vi preghiamo di conservare il riferimento {token} nella risposta.',
    ],
    reference: 'Riferimento',
    sentTo: 'Inviato a',
    thanks: 'Grazie.',
  },
  pt: {
    name: 'Português',
    paragraphs: [
      'Caros colegas ({unit}),',
      'Este é um TESTE da capacidade de resposta dos pontos de contacto ({network}). Não se trata de um pedido real de assistência.',
      'Por favor, respondam a esta mensagem logo que a leiam, como fariam com um pedido urgente. Basta uma resposta curta. Por favor, mantenham a referência {token} na resposta.',
    ],
    reference: 'Referência',
    sentTo: 'Enviado para',
    thanks: 'Obrigado.',
  },
};

/** The first of the contact point's languages that we have a text for, else English. */
export function pickLanguage(languages: readonly string[]): string {
  for (const l of languages) {
    const base = l.trim().toLowerCase().split(/[-_]/)[0] ?? '';
    if (base in PING_TEXTS) return base;
  }
  return 'en';
}
