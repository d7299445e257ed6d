// The methods section: DESIGN.md section 1 (the measurement rules) in plain words, for readers
// of the report who will not read the tool's documentation.
import { thresholdLabel } from '../core/duration.js';
import type { ReportModel } from './model.js';

export interface MethodsParagraph {
  heading: string;
  text: string;
}

export function methodsText(model: ReportModel): MethodsParagraph[] {
  const { stats, meta } = model.current;
  const window = thresholdLabel(stats.buckets.at(-1)?.thresholdSeconds ?? meta.windowSeconds);
  const thresholds = stats.buckets.map((b) => thresholdLabel(b.thresholdSeconds));
  const first = thresholds[0] ?? window;
  const list = thresholds.length > 1 ? `${thresholds.slice(0, -1).join(', ')} and ${thresholds.at(-1)}` : thresholds.join('');
  const paragraphs: MethodsParagraph[] = [
    {
      heading: 'Who was tested',
      text:
        `The population is the ${stats.population} ${meta.kind === 'replies' ? 'countries of the reply log' : 'Parties in the directory of contact points as it stood when the test started'}. ` +
        'Every contact point of each country received a test message on each of its listed addresses (e-mail, and SMS or a phone call where configured), each carrying its own reference. ' +
        'The test message did not announce itself as automatic, so that it met the same handling as a real urgent request.',
    },
    {
      heading: 'What counts as an answer',
      text:
        'An answer is a reply written by a person. Automatic replies (out-of-office messages, auto-responders), delivery failure and delay notices, and read receipts do not count: they are recorded and shown in this report, but a country whose only answers were automatic is listed as such, not as having answered. ' +
        'A reply is linked to the test message it answers by the e-mail reference headers, else by the reference quoted in its subject or text, else by coming from the address that was tested, after the test message was sent. By SMS: a message from the number tested. By phone: pressing the key the call asked for.',
    },
    {
      heading: 'How response time is measured',
      text:
        'From the moment our mail server (or the SMS and voice provider) accepted the test message, to the moment the answer reached us, as recorded by our mailbox or by the provider — never the time written by the sender. ' +
        "A country's response time is that of its fastest contact point.",
    },
    {
      heading: 'How the figures are counted',
      text:
        `The thresholds are ${list}. The counts are cumulative: a country counted under ${first} is also counted under every longer threshold. ` +
        `A country is counted under a threshold when it answered in that time or less (an answer after exactly ${first}, to the second, is within ${first}). ` +
        `Shares are of all ${stats.population} countries tested, rounded half up to two decimals; average and median response times are of the countries counted under that threshold, rounded to the whole minute. ` +
        `Answers that arrived after ${window} are listed as late and are counted under no threshold.`,
    },
    {
      heading: 'Directory findings',
      text:
        'An e-mail address is marked as failed when its mail server refused the test message permanently or sent back a permanent failure notice, and as delayed when a server reported a temporary delay. ' +
        'A phone number that the provider rejected, or that never answered a call, is marked likewise. The server’s own words are quoted.',
    },
  ];
  if (stats.overrides.length > 0) {
    paragraphs.push({
      heading: 'Manual corrections',
      text: 'Where the secretariat corrected how a message was classified (for example a reply confirmed by telephone), the correction is listed with its reason and is applied to the figures.',
    });
  }
  if (meta.kind === 'replies') {
    paragraphs.push({
      heading: 'Source',
      text: 'These figures were computed from a reply log kept outside rollcall: the send and answer times are those recorded in the log.',
    });
  }
  if (model.anonymized) {
    paragraphs.push({
      heading: 'Anonymization',
      text:
        'Country names are replaced by labels (Country 01, Country 02, ...) numbered in an order that does not follow the alphabet; the same population gives the same labels. ' +
        'Contact points, addresses and time zones are removed, local times are given only as a period of the day, and addresses and names are removed from the servers’ words.',
    });
  }
  return paragraphs;
}
