// What a test call says, as TwiML: the message twice (the contact point's language, then
// English), the key press gathered when there is a public URL, the thanks, the hang-up. The words
// come from PingWording (the office's voice.txt, else mail/ping-texts.ts); the call's state
// machine is voice.ts's.
import type { Ping } from '../core/ping.js';
import { builtInWording, type PingFields, type PingWording, type VoiceWords } from '../mail/templates.js';
import { webhookUrl } from './webhooks.js';

/** The answer to a webhook that asks nothing more of the call. */
export const HANG_UP_TWIML = '<Response><Hangup/></Response>';

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The call's TwiML: the message twice (in the contact point's language, then English), with a
 * key press gathered when we have a public URL to receive it. The words come from PingWording
 * (the office's voice.txt, else the built-in script). */
export function voiceTwiml(ping: Pick<Ping, 'pingId'> & PingFields, opts: { network?: string; publicUrl?: string; wording?: PingWording }): string {
  const wording = opts.wording ?? builtInWording(opts.network ?? '24/7 Network');
  const first = wording.voice(ping);
  const rounds = first.language === 'en' ? [first, first] : [first, wording.voice({ ...ping, languages: ['en'] })];
  const say = (voice: string, text: string) => `<Say language="${voice}">${xml(text)}</Say>`;
  // The script and the prompt in one <Say> when one voice reads both.
  const withPrompt = (w: VoiceWords) => (w.say === w.promptSay ? say(w.say, `${w.message} ${w.press}`) : say(w.say, w.message) + say(w.promptSay, w.press));
  if (!opts.publicUrl) {
    return `<Response>${rounds.map((w) => say(w.say, w.message)).join('<Pause length="1"/>')}</Response>`;
  }
  const action = xml(webhookUrl(opts.publicUrl, '/voice/gather', ping.pingId));
  const gathers = rounds.map((w) => `<Gather numDigits="1" timeout="8" method="POST" action="${action}">${withPrompt(w)}</Gather>`).join('');
  return `<Response>${gathers}${say(first.promptSay, first.noKey)}</Response>`;
}

/** The TwiML answered to a key press. */
export function thanksTwiml(languages: string[], wording: PingWording = builtInWording('')): string {
  const w = wording.voice({ token: '', languages });
  return `<Response><Say language="${w.promptSay}">${xml(w.thanks)}</Say><Hangup/></Response>`;
}
