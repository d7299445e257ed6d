// A finding's detail in the report's language: the statistics word their own part in English
// (`bounce: `, `call busy`) around the server's words, which stay as the server wrote them.
import type { Messages } from './i18n.js';

export function detailText(fmt: Pick<Messages, 't' | 'language'>, detail: string): string {
  if (fmt.language === 'en') return detail;
  if (detail === 'bounce recorded in the reply log') return fmt.t('detail.replyLogBounce');
  if (detail.startsWith('sending started but never confirmed')) return fmt.t('detail.uncertain');
  const forwarded = / \(for ([^()\s]+)\)$/.exec(detail);
  const core = forwarded ? detail.slice(0, forwarded.index) : detail;
  const tail = forwarded ? ` ${fmt.t('detail.forwarded', { address: forwarded[1]! })}` : '';
  let m: RegExpExecArray | null;
  if ((m = /^bounce: ([\s\S]*)$/.exec(core))) return fmt.t('detail.bounce', { words: m[1]! }) + tail;
  if ((m = /^delay notice: ([\s\S]*)$/.exec(core))) return fmt.t('detail.delay', { words: m[1]! }) + tail;
  if ((m = /^not sent yet: ([\s\S]*)$/.exec(core))) return fmt.t('detail.notSent', { words: m[1]! }) + tail;
  if ((m = /^(call|SMS) ([a-z-]+)(?: \(error ([^)]+)\))?(.*)$/.exec(core))) {
    const word = ['busy', 'no-answer', 'failed', 'undelivered', 'canceled'].includes(m[2]!) ? fmt.t(`detail.status.${m[2] as 'busy'}`) : m[2]!;
    const status = m[1] === 'call' ? fmt.t('detail.call', { status: word }) : fmt.t('detail.sms', { status: word });
    return [status, m[3] ? fmt.t('detail.error', { code: m[3] }) : '', m[4]!.trim()].filter(Boolean).join(' ') + tail;
  }
  return detail;
}
