// The run engine at full speed: a simulated run of 2,000 contact points (virtual clock, sim
// channel), its overhead per ping and per answer, and peak memory. Run after a build
// (`npm run bench -- run`). Every event is flushed to disk (fdatasync), as in a real run: the
// figures are measured on the temporary folder's disk, and on /dev/shm when there is one.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const [{ runEngine }, { createRun }, { VirtualClock }, { SimChannel }, { SimWorld }, { mulberry32 }] = await Promise.all([
  load('run/engine.js'),
  load('run/plan.js'),
  load('core/virtual-clock.js'),
  load('channels/sim.js'),
  load('channels/sim-world.js'),
  load('core/random.js'),
]);

const CONTACTS = 2000;
const FROM = 'Secretariat <secretariat@rollcall.example>';

/** 2,000 contact points: 1,500 countries, every third with a second contact point. */
function directory() {
  const parties = [];
  let n = 0;
  for (let i = 0; n < CONTACTS; i++) {
    const contacts = [];
    const add = (kind) => contacts.push({ id: `C${n++}`, unit: `Unit ${i}`, kind, emails: [`poc${n}@cp${i}.example`], phones: [], sms: [], timezone: 'Europe/Paris', languages: ['en'] });
    add('police');
    if (i % 3 === 0 && n < CONTACTS) add('prosecution');
    parties.push({ country: `Country ${i}`, iso: `X${i}`, status: 'party', contacts });
  }
  return { network: 'Bench Network', parties };
}

/** A world where nobody answers: what is left is the cost of sending. */
const silentWorld = { behaviour: () => ({ answers: [] }), countAttempt: () => 1, deliveries: [] };

async function once(base, world, rawMessages) {
  const dir = directory();
  const start = new Date('2024-06-05T07:30:00Z');
  const { runDir, plan } = createRun({
    runsDir: base,
    directory: dir,
    directoryFile: 'bench',
    schedule: { startAt: start, plan: { kind: 'now', tz: 'UTC' } },
    windowSeconds: 86_400,
    bucketSeconds: [900, 1800, 3600, 43_200, 86_400],
    channels: ['sim'],
    includeObservers: false,
    folders: [],
    tz: 'UTC',
    simulated: true,
    now: start,
    random: mulberry32(1),
  });
  const clock = new VirtualClock({ start });
  const sim = new SimChannel({ world: world ?? new SimWorld(dir, 2023), clock, from: FROM, network: dir.network, rawMessages });
  let pings = 0;
  let answers = 0;
  const t0 = process.hrtime.bigint();
  const r = await runEngine({
    runDir,
    plan,
    directory: dir,
    channels: [sim],
    clock,
    random: mulberry32(2),
    from: FROM,
    onEvent: (e) => {
      if (e.type === 'ping-started') pings++;
      if (e.type === 'message-received') answers++;
    },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.outcome !== 'ended') throw new Error(`run did not end: ${r.outcome}`);
  return { ms, pings, answers };
}

async function medianRun(run) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await run());
  return runs.sort((a, b) => a.ms - b.ms)[1];
}

async function measure(where) {
  const base = mkdtempSync(join(where, 'rollcall-bench-'));
  try {
    await once(base, silentWorld, false); // warm-up
    // Median of three runs each: a single run on a disk with fdatasync per event is too noisy
    // for the difference between two of them to mean anything.
    const silent = await medianRun(() => once(base, silentWorld, false));
    const answered = await medianRun(() => once(base, undefined, false));
    const classified = await medianRun(() => once(base, undefined, true));
    const perPing = (silent.ms * 1000) / silent.pings;
    const perAnswer = ((answered.ms - silent.ms) * 1000) / answered.answers;
    const perClassified = ((classified.ms - silent.ms) * 1000) / classified.answers;
    console.log(`run engine, ${where}: ${silent.pings} pings in ${silent.ms.toFixed(0)} ms: ${perPing.toFixed(0)} µs per ping (2 events flushed each)`);
    console.log(`run engine, ${where}: ${answered.answers} answers: ${perAnswer.toFixed(0)} µs per answer (event flushed, matched)`);
    console.log(`run engine, ${where}: ${classified.answers} answers as raw messages: ${perClassified.toFixed(0)} µs per answer (built, parsed, classified, saved)`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

await measure(tmpdir());
if (existsSync('/dev/shm')) await measure('/dev/shm');
const peak = process.resourceUsage().maxRSS / 1024;
console.log(`run engine: peak memory (RSS) ${peak.toFixed(0)} MB for ${CONTACTS} contact points`);
