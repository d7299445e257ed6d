// What became of each `rollcall mark` (docs/events.md, "How the statistics derive from the events",
// 3): a mark a later mark for the same target replaced, an answer entered by hand a later
// `not-an-answer` withdrew, and one with nothing to reclassify are told apart in stats.overrides
// (`replacedBy`, `withdrawnBy`), `applied` staying false for all three.
import { describe, expect, it } from 'vitest';
import type { Stats } from '../../src/stats/types.js';
import { at, statsWithMarks, type Mark } from './marks-run.js';

/** The marks, each entered a minute after the one before (from 1000 s on). */
const withMarks = (...marks: Mark[]) => statsWithMarks(marks, markAt);
const markAt = (i: number) => at(1000 + 60 * i);
const fates = (s: Stats) => s.overrides.map((o) => ({ note: o.note, applied: o.applied, replacedBy: o.replacedBy, withdrawnBy: o.withdrawnBy }));
const outcome = (s: Stats, iso: string) => s.countries.find((c) => c.iso === iso)?.outcome;

describe('what became of each mark', () => {
  it('a mark on a message that a later mark on the same message replaced: replaced, with when, not "nothing to reclassify"', () => {
    const s = withMarks(
      { messageKey: 'al-1', as: 'automatic', note: 'first' },
      { messageKey: 'al-1', as: 'automatic', note: 'second' },
    );
    expect(outcome(s, 'AL')).toBe('automatic-only');
    expect(fates(s)).toEqual([
      { note: 'first', applied: false, replacedBy: markAt(1), withdrawnBy: undefined },
      { note: 'second', applied: true, replacedBy: undefined, withdrawnBy: undefined },
    ]);
  });

  it('a mark of a contact point that a later mark of the same contact point replaced', () => {
    const s = withMarks(
      { contactId: 'AL-POL', as: 'not-an-answer', note: 'first' },
      { messageKey: 'al-1', as: 'reply', note: 'the message itself' },
      { contactId: 'AL-POL', as: 'automatic', note: 'second' },
    );
    // A mark on the message and one on the contact point are different targets.
    expect(fates(s)).toEqual([
      { note: 'first', applied: false, replacedBy: markAt(2), withdrawnBy: undefined },
      { note: 'the message itself', applied: true, replacedBy: undefined, withdrawnBy: undefined },
      { note: 'second', applied: false, replacedBy: undefined, withdrawnBy: undefined },
    ]);
    expect(outcome(s, 'AL')).toBe('answered');
  });

  it('an answer entered by hand that a later one replaced, and one that a later not-an-answer withdrew', () => {
    const hand = (s: number, note: string) => ({ contactId: 'LV-POL', as: 'reply' as const, note, answeredAt: at(s), channel: 'phone' as const });
    const replaced = withMarks(hand(600, 'wrong time'), hand(900, 'right time'));
    expect(fates(replaced)).toEqual([
      { note: 'wrong time', applied: false, replacedBy: markAt(1), withdrawnBy: undefined },
      { note: 'right time', applied: true, replacedBy: undefined, withdrawnBy: undefined },
    ]);

    const withdrawn = withMarks(hand(600, 'phoned'), { contactId: 'LV-POL', as: 'not-an-answer', note: 'withdraw' });
    expect(outcome(withdrawn, 'LV')).toBe('silent');
    expect(fates(withdrawn)).toEqual([
      { note: 'phoned', applied: false, replacedBy: undefined, withdrawnBy: markAt(1) },
      { note: 'withdraw', applied: true, replacedBy: undefined, withdrawnBy: undefined },
    ]);

    // Entered again after the withdrawal: the new answer counts; the first stays withdrawn.
    const again = withMarks(hand(600, 'phoned'), { contactId: 'LV-POL', as: 'not-an-answer', note: 'withdraw' }, hand(700, 'phoned again'));
    expect(outcome(again, 'LV')).toBe('answered');
    expect(fates(again).map((f) => [f.note, f.applied, f.replacedBy, f.withdrawnBy])).toEqual([
      ['phoned', false, undefined, markAt(1)],
      ['withdraw', true, undefined, undefined],
      ['phoned again', true, undefined, undefined],
    ]);
  });

  it('a withdrawal replaced by a later mark of the contact point still withdraws: applied, and replacedBy says when', () => {
    const s = withMarks(
      { contactId: 'LV-POL', as: 'reply', note: 'phoned', answeredAt: at(600), channel: 'phone' },
      { contactId: 'LV-POL', as: 'not-an-answer', note: 'withdraw' },
      { contactId: 'LV-POL', as: 'automatic', note: 'another word' },
    );
    expect(outcome(s, 'LV')).toBe('silent');
    expect(fates(s)).toEqual([
      { note: 'phoned', applied: false, replacedBy: undefined, withdrawnBy: markAt(1) },
      { note: 'withdraw', applied: true, replacedBy: markAt(2), withdrawnBy: undefined },
      { note: 'another word', applied: false, replacedBy: undefined, withdrawnBy: undefined },
    ]);
  });

  it('"nothing to reclassify" only when there was nothing: no replacedBy, no withdrawnBy', () => {
    const s = withMarks(
      { contactId: 'GH-POL', as: 'reply', note: 'nothing came' },
      { messageKey: 'no-such-message', as: 'reply', note: 'no such message' },
      { contactId: 'GH-POL', as: 'reply', note: 'before the ping', answeredAt: at(-60), channel: 'phone' },
    );
    expect(fates(s)).toEqual([
      { note: 'nothing came', applied: false, replacedBy: undefined, withdrawnBy: undefined },
      { note: 'no such message', applied: false, replacedBy: undefined, withdrawnBy: undefined },
      { note: 'before the ping', applied: false, replacedBy: undefined, withdrawnBy: undefined },
    ]);
    // The JSON has no such keys at all (stats --json is unchanged for them).
    expect(Object.keys(s.overrides[0]!)).not.toContain('replacedBy');
    expect(Object.keys(s.overrides[0]!)).not.toContain('withdrawnBy');
  });
});
