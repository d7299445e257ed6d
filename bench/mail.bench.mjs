// Benchmarks of the e-mail channel against local servers (run after a build: it imports dist/).
//   node bench/mail.bench.mjs
// 1. reply landing in the inbox (IMAP APPEND) → its message-received event in the log, with IDLE
// 2. 200 pings through the SMTP pool, first to last accepted
// 3. first complete scan of a 20,000-message inbox holding 50 new answers, against a 100-message one
// The servers are the test harnesses (test/servers/*.ts), transpiled on the fly with TypeScript.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

/* global AbortController */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

/** Loads a TypeScript harness from test/servers/ (self-contained modules) as plain JavaScript. */
async function loadHarness(name) {
  const ts = (await import('typescript')).default;
  const out = join(root, 'node_modules', '.cache', 'rollcall-bench');
  await mkdir(out, { recursive: true });
  const source = await readFile(join(root, 'test', 'servers', `${name}.ts`), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(out, `${name}.mjs`);
  await writeFile(file, js);
  return import(pathToFileURL(file).href);
}

const { EmailChannel } = await dist('channels/email.js');
const { EventLog } = await dist('log/event-log.js');
const { Recorder } = await dist('run/recorder.js');
const { MemoryPingIndex } = await dist('run/ping-index.js');
const { systemClock } = await dist('run/clock.js');
const { newToken, newMessageId } = await dist('mail/token.js');
const { DEFAULT_SUBJECT } = await dist('settings.js');
const { startDovecot } = await loadHarness('dovecot');
const { startSmtp } = await loadHarness('smtp');

const FROM_DOMAIN = 'rollcall.test';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

function makePing(i, address) {
  const token = newToken();
  return {
    pingId: `B${i}-${token}`,
    contactId: `C${i}`,
    iso: 'FR',
    country: 'France',
    unit: 'Cybercrime unit',
    channel: 'email',
    address,
    token,
    messageId: newMessageId(token, `secretariat@${FROM_DOMAIN}`),
    languages: ['en'],
    timezone: 'UTC',
  };
}

function reply(ping, i) {
  return [
    `From: ${ping.address}`,
    `To: secretariat@${FROM_DOMAIN}`,
    `Subject: Re: test ${ping.token}`,
    `Message-ID: <bench-${i}-${Date.now()}@police.test>`,
    `In-Reply-To: ${ping.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Received, thank you.',
    '',
  ].join('\r\n');
}

function oldMessage(i) {
  return [
    `From: colleague${i % 97}@elsewhere.test`,
    `To: secretariat@${FROM_DOMAIN}`,
    `Subject: Older correspondence #${i}`,
    `Message-ID: <old-${i}@elsewhere.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `An older message, number ${i}, kept in the shared inbox.`,
    '',
  ].join('\r\n');
}

/** A run folder with a recorder and a watch on one mailbox; resolves helpers to wait for events. */
async function startWatch(dovecot, user, pings, opts = {}) {
  const runDir = await mkdtemp(join(tmpdir(), 'rollcall-bench-run-'));
  const log = EventLog.open(join(runDir, 'events.jsonl'));
  const recorder = new Recorder(log);
  if (opts.replay) recorder.replay(opts.replay);
  const index = new MemoryPingIndex();
  for (const p of pings) {
    index.add(p);
    index.markSent(p.pingId, new Date(Date.now() - 5_000));
  }
  const listeners = new Set();
  recorder.onEvent((e) => {
    for (const l of listeners) l(e, performance.now());
  });
  const channel = new EmailChannel({
    settings: { imapUrl: dovecot.imapUrl(user), from: `Secretariat <secretariat@${FROM_DOMAIN}>`, subject: DEFAULT_SUBJECT, folders: [] },
    ...(opts.since ? { since: opts.since } : {}),
  });
  const ac = new AbortController();
  const startedAt = performance.now();
  const running = channel.watch(recorder.context({ clock: systemClock, pings: index, runDir, signal: ac.signal }));
  return {
    startedAt,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      ac.abort();
      await running;
      await channel.close();
      log.close();
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

/** 1. Latency from the APPEND's OK to the event, one reply at a time. */
async function latency(dovecot, user, n = 20) {
  const pings = Array.from({ length: n }, (_, i) => makePing(i, `poc${i}@police.test`));
  const w = await startWatch(dovecot, user, pings);
  const waits = new Map();
  w.on((e, t) => {
    if (e.type === 'message-received' && waits.has(e.pingId)) waits.get(e.pingId)(t);
  });
  await sleep(1_000); // connected and idling
  const samples = [];
  for (let i = 0; i < n; i++) {
    const seen = new Promise((r) => waits.set(pings[i].pingId, r));
    await dovecot.append(user, reply(pings[i], i));
    const landed = performance.now();
    samples.push((await seen) - landed);
    await sleep(150 + Math.random() * 200);
  }
  await w.stop();
  return samples;
}

/** 2. 200 pings through the pool: first and last 250 after DATA. */
async function poolThroughput(smtp, n = 200) {
  const channel = new EmailChannel({
    settings: { smtpUrl: smtp.url(), from: `Secretariat <secretariat@${FROM_DOMAIN}>`, subject: DEFAULT_SUBJECT, folders: [] },
    network: 'Bench Network',
  });
  const pings = Array.from({ length: n }, (_, i) => makePing(i, `poc${i}@police.test`));
  const t0 = performance.now();
  const accepted = [];
  const outcomes = await Promise.all(
    pings.map(async (p) => {
      const out = await channel.send(p);
      if (out.ok) accepted.push(performance.now());
      return out;
    }),
  );
  await channel.close();
  const failed = outcomes.filter((o) => !o.ok).length;
  accepted.sort((a, b) => a - b);
  return { firstToLast: accepted.at(-1) - accepted[0], startToLast: accepted.at(-1) - t0, failed };
}

/** 3. An inbox of `old` old messages and 50 new answers: time from watch() to its first complete
 * scan, (a) for a run's first watch (no cursor: date search), (b) after a restart (cursor). */
async function firstScan(dovecot, user, old) {
  const longAgo = new Date(Date.now() - 30 * 86400_000);
  const pings = Array.from({ length: 50 }, (_, i) => makePing(i, `poc${i}@police.test`));
  await dovecot.appendMany(
    user,
    (function* () {
      for (let i = 0; i < old; i++) yield { raw: oldMessage(i), date: new Date(longAgo.getTime() + i * 1000) };
    })(),
  );
  const status = await dovecot.doveadm('mailbox', 'status', '-u', user, 'uidvalidity uidnext', 'INBOX');
  const uidValidity = /uidvalidity=(\d+)/.exec(status)[1];
  const lastUid = Number(/uidnext=(\d+)/.exec(status)[1]) - 1;
  const since = new Date(Date.now() - 2_000);
  for (let i = 0; i < 50; i++) await dovecot.append(user, reply(pings[i], i));
  const measure = async (opts) => {
    const w = await startWatch(dovecot, user, pings, opts);
    let answers = 0;
    const doneAt = await new Promise((resolve) =>
      w.on((e, t) => {
        if (e.type === 'message-received' && e.pingId) answers++;
        if (e.type === 'watch-cursor' && e.folder === 'INBOX' && answers >= 50) resolve(t);
      }),
    );
    await w.stop();
    return { ms: doneAt - w.startedAt, answers };
  };
  const cursor = { v: 1, at: new Date().toISOString(), type: 'watch-cursor', channel: 'email', folder: 'INBOX', uidValidity, lastUid };
  const repeat = async (n, opts) => {
    const runs = [];
    for (let i = 0; i < n; i++) runs.push(await measure(opts));
    return { ms: median(runs.map((r) => r.ms)), answers: Math.min(...runs.map((r) => r.answers)) };
  };
  // Cold: Dovecot has not searched these arrival dates yet; only once.
  const cold = await measure({ since });
  // Warm: the dates are in Dovecot's cache, as a mail client listing the inbox leaves them.
  const first = await repeat(3, { since });
  const resumed = await repeat(5, { since, replay: [cursor] });
  return { cold, first, resumed };
}

// sdbox, Dovecot's own format: a maildir re-reads its 20,000-line uidlist on every open (~60 ms
// here), which would be measuring the server's storage rather than our scan.
const dovecot = await startDovecot({ users: ['latency@rollcall.test', 'big@rollcall.test', 'small@rollcall.test'], mailFormat: 'sdbox' });
const smtp = await startSmtp();
try {
  const lat = await latency(dovecot, 'latency@rollcall.test');
  console.log(
    `mail: reply landed → event in the log (IDLE, n=${lat.length}): median ${sec(median(lat))}, p90 ${sec(pct(lat, 90))}, max ${sec(Math.max(...lat))} (target: median < 1 s; Dovecot announces new mail after a fixed 0.5 s)`,
  );
  await poolThroughput(smtp, 10); // warm-up: module loading, first connections
  const pool = await poolThroughput(smtp, 200);
  console.log(
    `mail: 200 pings through the SMTP pool: first → last accepted ${sec(pool.firstToLast)} (from the first send() call: ${sec(pool.startToLast)}), ${pool.failed} refused (target < 5 s)`,
  );
  const small = await firstScan(dovecot, 'small@rollcall.test', 50);
  const big = await firstScan(dovecot, 'big@rollcall.test', 19_950);
  const ratio = (a, b) => (a.ms / b.ms).toFixed(2);
  console.log(
    `mail: first complete scan after a restart (cursor; median of 5), 20,000-message inbox with 50 new answers: ${sec(big.resumed.ms)} vs 100-message inbox: ${sec(small.resumed.ms)} → ${ratio(big.resumed, small.resumed)}× (target ≤ 2×; ${big.resumed.answers}/50 answers)`,
  );
  console.log(
    `mail: first complete scan of a run's first watch (no cursor: date search; median of 3), same inboxes: ${sec(big.first.ms)} vs ${sec(small.first.ms)} → ${ratio(big.first, small.first)}× (${big.first.answers}/50 answers)`,
  );
  console.log(
    `mail: the same with Dovecot's cache cold (it reads 20,000 arrival dates once): ${sec(big.cold.ms)} vs ${sec(small.cold.ms)} → ${ratio(big.cold, small.cold)}×`,
  );
} finally {
  await smtp.stop();
  await dovecot.stop();
}
