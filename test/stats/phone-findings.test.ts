// The words of the phone findings, from the events of one ping, and the problems of the test itself.
import { describe, expect, it } from 'vitest';
import type { DeliveryStatusEvent, PingFailedEvent, RunEvent, TestProblemEvent } from '../../src/core/events.js';
import { phoneFinding, testProblems } from '../../src/stats/phone-findings.js';

let minute = 0;
const at = () => new Date(Date.UTC(2024, 5, 5, 8, minute++)).toISOString();

function call(status: string, attempt: number, final: boolean, detail?: string, providerId = `CA${attempt}`): DeliveryStatusEvent {
  return { v: 1, at: at(), type: 'delivery-status', pingId: 'AT-POL/voice/1', channel: 'voice', status, final, attempt, providerId, ...(detail ? { detail } : {}) };
}
const redial = (attempt: number) => call('queued', attempt, false, `calling again (call ${attempt} of 3)`, `CA${attempt}`);
function sms(status: string, errorCode?: number, detail?: string): DeliveryStatusEvent {
  return { v: 1, at: at(), type: 'delivery-status', pingId: 'DE-POL/sms/1', channel: 'sms', status, final: true, providerId: 'SM1', ...(errorCode ? { errorCode } : {}), ...(detail ? { detail } : {}) };
}
function refused(code: number | undefined, response: string, permanent = true): PingFailedEvent {
  return { v: 1, at: at(), type: 'ping-failed', pingId: 'DE-POL/sms/1', attempt: 1, permanent, response, ...(code !== undefined ? { code } : {}) };
}

describe('phone findings', () => {
  it('a number busy on every call: "busy, 3 calls"', () => {
    const events = [call('busy', 1, false), redial(2), call('busy', 2, false), redial(3), call('busy', 3, true, 'call 3 of 3')];
    expect(phoneFinding(events)).toEqual({ status: 'busy', detail: 'busy, 3 calls', at: events[4]!.at });
  });

  it('one call, or only the final event: counted from the attempt', () => {
    expect(phoneFinding([call('busy', 1, true, 'call 1 of 1')])).toMatchObject({ status: 'busy', detail: 'busy, 1 call' });
    expect(phoneFinding([call('no-answer', 2, true, 'call 2 of 2')])).toMatchObject({ status: 'no-answer', detail: 'no answer, 2 calls' });
    expect(phoneFinding([call('machine', 1, true)])).toMatchObject({ status: 'no-answer', detail: 'voicemail, 1 call' });
  });

  it('mixed outcomes are "not answered", with the count of each', () => {
    const events = [call('busy', 1, false), redial(2), call('no-answer', 2, false), redial(3), call('busy', 3, true)];
    expect(phoneFinding(events)).toMatchObject({ status: 'no-answer', detail: 'not answered, 3 calls (busy 2, no answer 1)' });
  });

  it('the window closing before the next call is said, and the call is not counted twice', () => {
    const events = [call('busy', 1, false, 'call 1 of 3; calling again at 2024-06-05T09:30:00.000Z'), call('busy', 1, true, 'call 1 of 3; the window closed before the next call')];
    expect(phoneFinding(events)).toMatchObject({ status: 'busy', detail: 'busy, 1 call; the test ended before the next call' });
  });

  it('an answered call, a delivered SMS, or nothing final yet: no finding', () => {
    expect(phoneFinding([call('busy', 1, false), redial(2), call('completed', 2, true, 'answered; key pressed')])).toBeUndefined();
    expect(phoneFinding([call('completed', 1, true, 'answered; no key pressed')])).toBeUndefined();
    expect(phoneFinding([sms('delivered')])).toBeUndefined();
    expect(phoneFinding([call('busy', 1, false)])).toBeUndefined();
    expect(phoneFinding([refused(20429, 'Too Many Requests', false)])).toBeUndefined();
    expect(phoneFinding([])).toBeUndefined();
  });

  it('a call still ringing when the test ended', () => {
    const f = phoneFinding([call('ringing', 1, true, 'no final status: the call was still ringing 2 min after the window closed; call 1 of 2')]);
    expect(f).toMatchObject({ status: 'no-answer', detail: 'no final status: the call was still ringing when the test ended, 1 call' });
  });

  it('opted out (21610) is its own finding, refused at sending or reported afterwards', () => {
    const words = 'the contact point replied STOP to an earlier text from our number; texts cannot reach it until it sends START (Twilio error 21610)';
    expect(phoneFinding([refused(21610, 'Attempt to send to unsubscribed recipient (Twilio error 21610)')])).toMatchObject({ status: 'opted-out', detail: words });
    expect(phoneFinding([refused('21610' as unknown as number, 'refused')])).toMatchObject({ status: 'opted-out' });
    expect(phoneFinding([sms('failed', 21610)])).toMatchObject({ status: 'opted-out', detail: words });
  });

  it('a number Twilio refuses, an SMS not delivered, a call that failed: failed, in the provider’s words', () => {
    expect(phoneFinding([refused(21211, "The 'To' number +00 12 is not a valid phone number. (Twilio error 21211): invalid 'To' phone number")])).toMatchObject({
      status: 'failed',
      detail: "refused: The 'To' number +00 12 is not a valid phone number. (Twilio error 21211): invalid 'To' phone number",
    });
    expect(phoneFinding([refused(21614, "'To' number is not a mobile number")])).toMatchObject({ detail: "refused: 21614 'To' number is not a mobile number" });
    expect(phoneFinding([sms('undelivered', 30003, 'unreachable destination handset')])).toMatchObject({ status: 'failed', detail: 'SMS undelivered (error 30003): unreachable destination handset' });
    expect(phoneFinding([call('failed', 1, true, 'the call could not be placed')])).toMatchObject({ status: 'failed', detail: 'call failed: the call could not be placed' });
  });
});

describe('problems of the test itself', () => {
  const problem = (pingIds: string[], resolved = false): TestProblemEvent => ({
    v: 1,
    at: at(),
    type: 'test-problem',
    problem: 'webhooks-missing',
    channel: 'voice',
    detail: resolved ? 'webhooks from Twilio arrive again' : 'no webhook from Twilio has reached rollcall',
    pingIds,
    since: at(),
    ...(resolved ? { resolved: true } : {}),
  });

  it('one episode per outage: the pings named along the way, and when it ended', () => {
    const a = problem(['AT-POL/voice/1']);
    const b = problem(['ES-POL/voice/1', 'DE-POL/voice/1', 'AT-POL/voice/1']);
    const end = problem([], true);
    const again = problem(['FR-POL/voice/1']);
    const other: RunEvent = { v: 1, at: at(), type: 'run-ended', reason: 'window-closed' };
    expect(testProblems([a, b, end, again, other])).toEqual([
      { problem: 'webhooks-missing', channel: 'voice', since: a.since, until: end.since, pingIds: ['AT-POL/voice/1', 'DE-POL/voice/1', 'ES-POL/voice/1'], detail: a.detail },
      { problem: 'webhooks-missing', channel: 'voice', since: again.since, pingIds: ['FR-POL/voice/1'], detail: again.detail },
    ]);
    expect(testProblems([other])).toEqual([]);
  });
});
