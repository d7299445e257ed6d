// Ping tokens (`RC-7QK3MZ`) and our own Message-IDs: unique, short, and easy to read aloud.

/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, U). */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Random source returning a float in [0, 1); injected so that demos and tests are repeatable. */
export type Random = () => number;

function pick(random: Random, length: number): string {
  // Character codes joined once: a string grown a character at a time is a chain of pieces, and
  // a run keeps two of these per ping (five times the memory of the flat string).
  const codes: number[] = [];
  for (let i = 0; i < length; i++) codes.push(ALPHABET.charCodeAt(Math.floor(random() * ALPHABET.length) % ALPHABET.length));
  return String.fromCharCode(...codes);
}

/** A new ping token, `RC-` and six characters (30^6 ≈ 7·10^8 values). */
export function newToken(random: Random = Math.random): string {
  return `RC-${pick(random, 6)}`;
}

/** Anything shaped like a token (a prefix, a dash, 4 to 12 letters or digits): candidates to look up. */
export const TOKEN_CANDIDATE = /\b[A-Z]{2,8}-[A-Z0-9]{4,12}\b/gi;

/** Distinct token candidates found in a text, upper-cased, in order of appearance. */
export function tokenCandidates(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(TOKEN_CANDIDATE)) out.add(m[0].toUpperCase());
  return [...out];
}

/** The domain of an address given as `Name <user@domain>` or `user@domain`. */
export function addressDomain(address: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(address.trim());
  return m?.[1]?.toLowerCase() ?? 'rollcall.invalid';
}

/** Our Message-ID for a ping: `<token.random@from-domain>`. */
export function newMessageId(token: string, from: string, random: Random = Math.random): string {
  return `<${token}.${pick(random, 10).toLowerCase()}@${addressDomain(from)}>`;
}

/** A token of ours by its form alone (`RC-` and six letters of the alphabet above), whichever
 * test made it. */
const OUR_TOKEN = new RegExp(`\\bRC-[${ALPHABET}]{6}\\b`, 'gi');
/** A Message-ID of ours by its form: `<RC-XXXXXX.` then ten letters, `@domain>`. */
const OUR_MESSAGE_ID = new RegExp(`^<?(RC-[${ALPHABET}]{6})\\.[${ALPHABET.toLowerCase()}]{10}@[^<>\\s]+>?$`, 'i');

/** The tokens of rollcall pings (any test's) written in a text, upper-cased, in order. */
export function rollcallTokens(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(OUR_TOKEN)) out.add(m[0].toUpperCase());
  return [...out];
}

/** The token inside a Message-ID that rollcall made (any test's), or undefined for any other. */
export function tokenOfMessageId(id: string): string | undefined {
  return OUR_MESSAGE_ID.exec(id.trim())?.[1]?.toUpperCase();
}
