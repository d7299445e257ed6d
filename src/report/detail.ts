// A finding's detail in the report's language: the statistics word their own part in English
// (`bounce: `, `call busy`) around the server's words, which stay as the server wrote them.
import type { Messages } from './i18n.js';

type CallOutcome = 'busy' | 'no answer' | 'voicemail';
const CALL_OUTCOME = /^(busy|no answer|voicemail)$/;

/** `busy, 3 calls` and its kin, as src/stats/phone-findings.ts words them. */
function callsText(fmt: Pick<Messages, 't' | 'n' | 'language'>, core: string): string | undefined {
  const calls = (n: string) => fmt.n('detail.calls', Number(n));
  const outcome = (o: string) => (CALL_OUTCOME.test(o) ? fmt.t(`detail.callOutcome.${o as CallOutcome}`) : o);
  let m: RegExpExecArray | null;
  const ended = core.endsWith('; the test ended before the next call');
  const text = ended ? core.slice(0, -'; the test ended before the next call'.length) : core;
  const suffix = ended ? fmt.t('detail.callsEnded') : '';
  if ((m = /^(busy|no answer|voicemail), (\d+) calls?$/.exec(text))) return fmt.t('detail.callsOutcome', { outcome: outcome(m[1]!), calls: calls(m[2]!) }) + suffix;
  if ((m = /^not answered, (\d+) calls? \((.*)\)$/.exec(text))) {
    const mix = m[2]!.split(', ').map((part) => part.replace(/^(busy|no answer|voicemail)/, (o) => outcome(o))).join(', ');
    return fmt.t('detail.callsMixed', { calls: calls(m[1]!), mix }) + suffix;
  }
  if ((m = /^no final status: the call was still (\S+) when the test ended, (\d+) calls?$/.exec(text))) return fmt.t('detail.stillRinging', { status: m[1]!, calls: calls(m[2]!) });
  return undefined;
}

export function detailText(fmt: Pick<Messages, 't' | 'n' | 'language'>, detail: string): string {
  if (fmt.language === 'en') return detail;
  if (detail.startsWith('the contact point replied STOP to an earlier text')) return fmt.t('detail.optedOut');
  const calls = callsText(fmt, detail);
  if (calls !== undefined) return calls;
  if (detail === 'bounce recorded in the reply log') return fmt.t('detail.replyLogBounce');
  if (detail.startsWith('sending started but never confirmed')) return fmt.t('detail.uncertain');
  // A bounce or delay notice whose origin failed authentication (src/stats/compute.ts) says so last.
  const unauthenticated = / \(unauthenticated (bounce|delay notice): its origin could not be confirmed\)$/.exec(detail);
  const bare = unauthenticated ? detail.slice(0, unauthenticated.index) : detail;
  const forwarded = / \(for ([^()\s]+)\)$/.exec(bare);
  const core = forwarded ? bare.slice(0, forwarded.index) : bare;
  const tail =
    (forwarded ? ` ${fmt.t('detail.forwarded', { address: forwarded[1]! })}` : '') +
    (unauthenticated ? ` ${fmt.t(unauthenticated[1] === 'bounce' ? 'detail.unauthenticatedBounce' : 'detail.unauthenticatedDelay')}` : '');
  let m: RegExpExecArray | null;
  if ((m = /^bounce: ([\s\S]*)$/.exec(core))) return fmt.t('detail.bounce', { words: m[1]! }) + tail;
  if ((m = /^delay notice: ([\s\S]*)$/.exec(core))) return fmt.t('detail.delay', { words: m[1]! }) + tail;
  if ((m = /^not sent yet: ([\s\S]*)$/.exec(core))) return fmt.t('detail.notSent', { words: m[1]! }) + tail;
  if ((m = /^refused: ([\s\S]*)$/.exec(core))) return fmt.t('detail.refused', { words: m[1]! }) + tail;
  if ((m = /^(call|SMS) ([a-z-]+)(?: \(error ([^)]+)\))?(.*)$/.exec(core))) {
    const word = ['busy', 'no-answer', 'failed', 'undelivered', 'canceled'].includes(m[2]!) ? fmt.t(`detail.status.${m[2] as 'busy'}`) : m[2]!;
    const status = m[1] === 'call' ? fmt.t('detail.call', { status: word }) : fmt.t('detail.sms', { status: word });
    return [status, m[3] ? fmt.t('detail.error', { code: m[3] }) : '', m[4]!.trim()].filter(Boolean).join(' ') + tail;
  }
  return detail;
}
