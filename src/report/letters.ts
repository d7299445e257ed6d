// --letters: after the meeting, one short document per party whose contact point did not answer
// within the first threshold or whose address or number failed (or every party, with `all`): its
// result, its contact points' times, the addresses that failed with the server's words, and what
// to update in the directory — in the party's language (the first of its contact points'
// languages that has a catalogue) unless --locale says which. Markdown and HTML; index.md lists them.
import type { Directory, Party } from '../core/directory.js';
import { groupBy } from '../core/group.js';
import type { SourceMeta } from '../stats/source.js';
import type { CountryResult, Finding, Stats } from '../stats/types.js';
import { countryKey } from './compare.js';
import { detailText } from './detail.js';
import { isAutomaticAnswer } from './outcomes.js';
import { esc, md } from './escape.js';
import { createFormatter, type Formatter } from './format.js';
import { htmlDocument, htmlTable } from './html-page.js';
import { catalogueFor } from './i18n.js';
import { mdTable } from './markdown.js';
import { channelLabel, firstSent, generator } from './model.js';
import { receivedText, sourceText } from './facts.js';

export interface LettersInput {
  stats: Stats;
  meta: SourceMeta;
  /** The directory as tested: units, addresses and languages of each party's contact points. */
  directory?: Directory;
  /** Each contact point's own result (loadContactDetails). */
  contacts?: Map<string, CountryResult>;
}

export interface LettersOptions {
  /** Every letter in this locale; default: each party's own language. */
  locale?: string;
  /** A letter to every country tested, not only those with something to say. */
  all?: boolean;
}

type Block =
  | { kind: 'h1'; text: string }
  | { kind: 'h2'; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'network'; text: string }
  | { kind: 'lead'; label: string; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; caption: string; head: string[]; rows: string[][]; words?: number };

export interface Letter {
  /** The country's name in the letter's language, and as the statistics name it. */
  country: string;
  name: string;
  iso?: string;
  /** The threshold it answered within (answered countries). */
  withinSeconds?: number;
  outcome: CountryResult['outcome'];
  /** The party's result as the index shows it, in the index's language. */
  language: string;
  /** File name without extension: `CZ-czech-republic`, `FR-france-fr`. */
  file: string;
  title: string;
  blocks: Block[];
  fmt: Formatter;
  footer: string;
  /** Whether an address or number of the party failed. */
  failed: boolean;
}

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The party's language: the first of its contact points' languages with a catalogue, else English. */
export function partyLanguage(party: Party | undefined): string {
  for (const c of party?.contacts ?? []) for (const l of c.languages ?? []) if (catalogueFor(l)) return catalogueFor(l)!;
  return 'en';
}

interface ContactLine {
  id: string;
  unit: string;
  addresses: Array<{ channel: string; address: string }>;
  result?: CountryResult;
}

/** Each country's contact points with a result of their own (`LettersInput.contacts`), by countryKey. */
type ContactsByCountry = Map<string, CountryResult[]>;

function contactLines(input: LettersInput, byCountry: ContactsByCountry, country: CountryResult, party: Party | undefined, findings: Finding[]): ContactLine[] {
  const lines = new Map<string, ContactLine>();
  for (const c of party?.contacts ?? []) {
    lines.set(c.id, {
      id: c.id,
      unit: c.unit,
      addresses: [...c.emails.map((a) => ({ channel: 'email', address: a })), ...c.sms.map((a) => ({ channel: 'sms', address: a })), ...c.phones.map((a) => ({ channel: 'voice', address: a }))],
    });
  }
  const key = countryKey(country);
  const extra = [
    ...(country.contactId ? [country.contactId] : []),
    ...findings.flatMap((f) => (f.contactId ? [f.contactId] : [])),
    ...(byCountry.get(key) ?? []).map((r) => r.contactId!),
  ];
  for (const id of extra) if (!lines.has(id)) lines.set(id, { id, unit: '', addresses: [] });
  for (const f of findings) {
    const line = f.contactId ? lines.get(f.contactId) : undefined;
    if (line && f.address && !line.addresses.some((a) => a.address === f.address)) line.addresses.push({ channel: f.channel, address: f.address });
  }
  for (const line of lines.values()) {
    const r = input.contacts?.get(line.id);
    if (r) line.result = r;
  }
  return [...lines.values()];
}

function buildLetter(input: LettersInput, byCountry: ContactsByCountry, country: CountryResult, fmt: Formatter, locale: string): Letter {
  const { stats, meta } = input;
  const party = input.directory?.parties.find((p) => countryKey(p) === countryKey(country));
  const name = fmt.country(country.country, country.iso);
  const findings = [...stats.findings, ...(stats.observers?.findings ?? [])].filter((f) => countryKey(f) === countryKey(country) || f.country === country.country);
  const started = meta.startedAt ?? firstSent(stats) ?? '';
  const date = started ? fmt.date(started, 'UTC') : '';
  const first = stats.buckets[0];
  const lastBucket = stats.buckets.at(-1);
  const window = fmt.threshold(lastBucket?.thresholdSeconds ?? meta.windowSeconds);
  const time = fmt.duration(country.responseSeconds);
  const blocks: Block[] = [];
  const title = fmt.t('letters.title', { country: name, date });
  blocks.push({ kind: 'h1', text: title });
  if (meta.network) blocks.push({ kind: 'network', text: fmt.network(meta.network) });
  blocks.push({ kind: 'p', text: fmt.t('letters.to', { country: name }) });
  if (started) blocks.push({ kind: 'p', text: fmt.n('letters.intro', Math.max(0, stats.population - 1), { date, time: fmt.time(started, 'UTC'), country: name }) });

  // The result.
  blocks.push({ kind: 'h2', text: fmt.t('letters.resultHeading') });
  const bucket = country.outcome === 'answered' && country.responseSeconds !== null ? stats.buckets.find((b) => country.responseSeconds! <= b.thresholdSeconds) : undefined;
  let sentence: string;
  switch (country.outcome) {
    case 'answered':
      sentence =
        bucket && first && bucket.thresholdSeconds === first.thresholdSeconds
          ? fmt.t('letters.answeredFirst', { time, threshold: fmt.threshold(bucket.thresholdSeconds) })
          : fmt.t('letters.answeredLater', { time, threshold: fmt.threshold(bucket?.thresholdSeconds ?? 0), first: fmt.threshold(first?.thresholdSeconds ?? 0) });
      break;
    case 'late':
      sentence = fmt.t('letters.late', { time, window });
      break;
    case 'automatic-only':
      sentence = fmt.t('letters.automatic', { received: receivedText(fmt, country.received) || fmt.t('received.auto-reply'), window });
      break;
    case 'unreachable':
      sentence = fmt.t('letters.unreachable');
      break;
    default:
      sentence = fmt.t('letters.silent', { window });
  }
  blocks.push({ kind: 'lead', label: fmt.t(`outcome.${country.outcome}`), text: sentence });
  // The answer that counted was entered by hand: when it reached the secretariat, and how.
  if (country.handEntered) {
    const at = country.answeredAt ? fmt.dateTime(country.answeredAt, 'UTC') : '';
    const channel = channelLabel(fmt, country.handEntered.channel);
    const answer = at ? fmt.t('overrides.answerAtBy', { time: at, channel }) : channel;
    blocks.push({ kind: 'p', text: fmt.t('letters.byHand', { answer }) });
  }
  if (first && lastBucket) {
    blocks.push({
      kind: 'p',
      text: fmt.n('letters.networkFigures', stats.population, {
        first: fmt.int(first.responded),
        firstThreshold: fmt.threshold(first.thresholdSeconds),
        last: fmt.int(lastBucket.responded),
        lastThreshold: fmt.threshold(lastBucket.thresholdSeconds),
      }),
    });
  }

  // Its contact points, each with its own result.
  const lines = contactLines(input, byCountry, country, party, findings);
  const failedAddress = new Set(findings.filter((f) => f.status === 'failed').map((f) => f.address));
  const unreachableContact = (l: ContactLine) => l.addresses.length > 0 && l.addresses.every((a) => failedAddress.has(a.address));
  const contactResult = (l: ContactLine): [string, string] => {
    const r = l.result;
    if (!r) return [unreachableContact(l) ? fmt.t('letters.contactUnreachable') : '—', ''];
    if (r.outcome === 'answered' && r.answeredAt) return [fmt.t('letters.contactAnswered', { time: fmt.time(r.answeredAt, 'UTC') }), fmt.duration(r.responseSeconds)];
    if (r.outcome === 'late' && r.answeredAt) return [fmt.t('letters.contactLate', { time: fmt.dateTime(r.answeredAt, 'UTC') }), fmt.duration(r.responseSeconds)];
    if (r.outcome === 'unreachable' || unreachableContact(l)) return [fmt.t('letters.contactUnreachable'), ''];
    if (isAutomaticAnswer(r)) return [fmt.t('letters.contactAutomatic'), ''];
    return [fmt.t('letters.contactSilent'), ''];
  };
  if (lines.length) {
    blocks.push({ kind: 'h2', text: fmt.t('letters.contactsHeading') });
    blocks.push({
      kind: 'table',
      caption: fmt.t('letters.contactsCaption', { country: name }),
      head: [fmt.t('letters.contact'), fmt.t('letters.unit'), fmt.t('letters.addresses'), fmt.t('letters.result'), fmt.t('letters.responseTime')],
      rows: lines.map((l) => [
        l.id,
        l.unit,
        l.addresses.map((a) => (failedAddress.has(a.address) ? fmt.t('letters.failedMark', { address: a.address }) : a.address)).join(', '),
        ...contactResult(l),
      ]),
    });
  }

  // What did not work, in the servers' words.
  blocks.push({ kind: 'h2', text: fmt.t('letters.failedHeading') });
  if (findings.length === 0) blocks.push({ kind: 'p', text: fmt.t('letters.failedNone') });
  else {
    blocks.push({
      kind: 'table',
      caption: fmt.n('findings.caption', findings.length),
      head: [fmt.t('findings.contact'), fmt.t('findings.channel'), fmt.t('findings.address'), fmt.t('findings.finding'), fmt.t('findings.words')],
      rows: findings.map((f) => [f.contactId ?? '', channelLabel(fmt, f.channel), f.address || fmt.t('findings.notRecorded'), fmt.t(`finding.${f.status}`), detailText(fmt, f.detail)]),
      words: 4,
    });
  }

  // What to update.
  const updates: string[] = [];
  const updateKey = {
    failed: 'letters.updateFailed',
    'opted-out': 'letters.updateOptedOut',
    delayed: 'letters.updateDelayed',
    busy: 'letters.updateBusy',
    'no-answer': 'letters.updateNoAnswer',
    uncertain: 'letters.updateUncertain',
  } as const;
  for (const f of findings) {
    const vars = { address: f.address, contact: f.contactId ?? name, channel: channelLabel(fmt, f.channel) };
    updates.push(f.address ? fmt.t(updateKey[f.status], vars) : fmt.t('letters.updateFailedUnknown', vars));
  }
  for (const l of lines) {
    const r = l.result;
    if (unreachableContact(l) || r?.outcome === 'unreachable') continue; // said above, address by address
    if (!r) continue;
    if (r.outcome === 'silent') updates.push(fmt.t('letters.updateSilent', { contact: l.id }));
    else if (r.outcome === 'automatic-only') updates.push(fmt.t(isAutomaticAnswer(r) ? 'letters.updateAutomatic' : 'letters.updateSilent', { contact: l.id }));
    else if (r.outcome === 'late' && l.id === country.contactId) updates.push(fmt.t('letters.updateLate', { contact: l.id }));
    else if (r.outcome === 'answered' && l.id === country.contactId && first && r.responseSeconds !== null && r.responseSeconds > first.thresholdSeconds) {
      updates.push(fmt.t('letters.updateSlow', { contact: l.id, first: fmt.threshold(first.thresholdSeconds) }));
    }
  }
  blocks.push({ kind: 'h2', text: fmt.t('letters.updateHeading') });
  if (updates.length) blocks.push({ kind: 'list', items: updates });
  else blocks.push({ kind: 'p', text: fmt.t('letters.updateNothing') });
  blocks.push({ kind: 'p', text: fmt.t('letters.confirm') }, { kind: 'p', text: fmt.t('letters.closing') }, { kind: 'p', text: fmt.t('letters.signature') });

  const english = country.country;
  const suffix = fmt.language === 'en' ? '' : `-${locale}`;
  const letter: Letter = {
    country: name,
    name: english,
    outcome: country.outcome,
    language: fmt.language,
    file: `${[country.iso, slug(english)].filter(Boolean).join('-') || 'country'}${suffix}`.replace(/[^A-Za-z0-9._-]+/g, '_'),
    title,
    blocks,
    fmt,
    footer: fmt.t('letters.footer', { generator: generator(), source: sourceText({ fmt, current: { meta } }) }),
    failed: findings.some((f) => f.status === 'failed' || f.status === 'no-answer'),
  };
  if (country.iso) letter.iso = country.iso;
  if (bucket) letter.withinSeconds = bucket.thresholdSeconds;
  return letter;
}

/** Whether a country gets a letter: not answered within the first threshold, or an address or
 * number of it failed (or every country, with `all`). */
export function needsLetter(stats: Stats, c: CountryResult, all = false): boolean {
  if (all) return true;
  const first = stats.buckets[0];
  const quick = c.outcome === 'answered' && c.responseSeconds !== null && first !== undefined && c.responseSeconds <= first.thresholdSeconds;
  const failed = [...stats.findings, ...(stats.observers?.findings ?? [])].some(
    (f) => (f.status === 'failed' || f.status === 'no-answer') && (countryKey(f) === countryKey(c) || f.country === c.country),
  );
  return !quick || failed;
}

export function buildLetters(computed: LettersInput, opts: LettersOptions = {}): Letter[] {
  const input = computed;
  const formatters = new Map<string, Formatter>();
  const fmtFor = (locale: string) => {
    let f = formatters.get(locale);
    if (!f) formatters.set(locale, (f = createFormatter(locale, 'UTC')));
    return f;
  };
  const countries = [...input.stats.countries, ...(input.stats.observers?.countries ?? [])];
  // Sorted out once for all letters (a filter of every contact point for each letter grew with
  // parties × contact points).
  const byCountry: ContactsByCountry = groupBy(input.contacts?.values() ?? [], countryKey);
  return countries
    .filter((c) => needsLetter(input.stats, c, opts.all))
    .map((c) => {
      const party = input.directory?.parties.find((p) => countryKey(p) === countryKey(c));
      const locale = opts.locale ?? partyLanguage(party);
      return buildLetter(input, byCountry, c, fmtFor(locale), locale);
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

export function renderLetterMarkdown(letter: Letter): string {
  const out: string[] = [];
  for (const b of letter.blocks) {
    if (b.kind === 'h1') out.push(`# ${md(b.text)}`, '');
    else if (b.kind === 'h2') out.push(`## ${md(b.text)}`, '');
    else if (b.kind === 'network') out.push(`*${md(b.text)}*`, '');
    else if (b.kind === 'p') out.push(md(b.text), '');
    else if (b.kind === 'lead') out.push(`**${md(b.label)}.** ${md(b.text)}`, '');
    else if (b.kind === 'list') out.push(...b.items.map((i) => `- ${md(i)}`), '');
    else out.push(mdTable(b.head.map((h) => [h, 'l']), b.rows.map((r) => r.map(md))), '');
  }
  out.push('---', '', md(letter.footer), '');
  return out.join('\n');
}

const LETTER_STYLE = 'body{max-width:760px}.lead strong{font-weight:650}';

export function renderLetterHtml(letter: Letter): string {
  const body: string[] = [];
  for (const b of letter.blocks) {
    if (b.kind === 'h1') body.push(`<header><h1>${esc(b.text)}</h1>`);
    else if (b.kind === 'network') body.push(`<p class="network">${esc(b.text)}</p>`);
    else if (b.kind === 'h2') body.push(`<h2>${esc(b.text)}</h2>`);
    else if (b.kind === 'p') body.push(`<p>${esc(b.text)}</p>`);
    else if (b.kind === 'lead') body.push(`<p class="lead"><strong>${esc(b.label)}.</strong> ${esc(b.text)}</p>`);
    else if (b.kind === 'list') body.push(`<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);
    else body.push(htmlTable(b.caption, b.head.map((h) => ({ label: h })), b.rows.map((r) => r.map((c, i) => (i === b.words ? `<span class="words">${esc(c)}</span>` : esc(c))))));
  }
  // The header holds the title and the network's name; the rest is the letter.
  const headerEnd = body.findIndex((x) => !x.startsWith('<header>') && !x.startsWith('<p class="network">'));
  const head = body.slice(0, headerEnd).join('') + '</header>';
  return htmlDocument({
    lang: letter.fmt.language === 'en' ? 'en' : letter.fmt.locale,
    title: letter.title,
    generator: generator(),
    extraStyle: LETTER_STYLE,
    body: [head, '<main>', ...body.slice(headerEnd), '</main>', `<footer>${esc(letter.footer)}</footer>`],
  });
}

/** index.md: every letter with the party's result, its language and its files. */
export function renderLettersIndex(letters: Letter[], input: LettersInput, opts: LettersOptions & { formats: string[] }): string {
  const fmt = createFormatter(opts.locale ?? 'en', 'UTC');
  const started = input.meta.startedAt ?? firstSent(input.stats) ?? '';
  const first = input.stats.buckets[0];
  const languages = (() => {
    try {
      return new Intl.DisplayNames([fmt.locale], { type: 'language' });
    } catch {
      return undefined;
    }
  })();
  const out: string[] = [`# ${md(fmt.t('letters.indexTitle', { date: started ? fmt.date(started, 'UTC') : '' }))}`, ''];
  out.push(md(opts.all ? fmt.n('letters.indexIntroAll', letters.length) : fmt.n('letters.indexIntro', letters.length, { first: fmt.threshold(first?.thresholdSeconds ?? 0) })), '');
  const sorted = [...letters].sort((a, b) => fmt.country(a.name, a.iso).localeCompare(fmt.country(b.name, b.iso), fmt.locale));
  const rows = sorted.map((l) => {
    const outcome = l.withinSeconds !== undefined ? fmt.t('letters.indexAnsweredWithin', { threshold: fmt.threshold(l.withinSeconds) }) : fmt.t(`outcome.${l.outcome}`);
    const files = opts.formats.map((f) => `[${f}](${encodeURI(`${l.file}.${f}`)})`).join(' · ');
    return [md(fmt.country(l.name, l.iso)), md(l.failed ? fmt.t('letters.indexFailed', { result: outcome }) : outcome), md(languages?.of(l.language) ?? l.language), files];
  });
  out.push(
    mdTable(
      [
        [fmt.t('letters.indexCountry'), 'l'],
        [fmt.t('letters.indexResult'), 'l'],
        [fmt.t('letters.indexLanguage'), 'l'],
        [fmt.t('letters.indexFiles'), 'l'],
      ],
      rows,
    ),
    '',
  );
  return out.join('\n');
}
