// Keeps a long command's heap near what it holds. V8 lets its old generation grow to three or
// four times what was live at its last full collection before it collects again: a demo of
// 100,000 contact points held 125-190 MB and reached 530 MB of memory, most of it garbage that
// nothing had asked to collect. Commands that run for long (a run, the demo) call heapTick() on
// their busy paths; when the heap has grown by more than HEADROOM since the last collection, a
// full collection is made then. A little time (a few collections of a tenth of a second in a
// run of 100,000 contact points) for a heap that never grows far past what it holds; nothing is
// ever refused, unlike a heap limit, which ends the process when it is reached. The young
// generation is kept to YOUNG as well (steerYoung): V8's default, 32 MB committed for good, was
// a tenth of the demo's peak.
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How far the heap may grow past what it held after the last collection. */
const HEADROOM = 32 << 20;
/** The headroom in force (HEADROOM, or less for a phase that should stay lean: endPhase()). */
let headroom = HEADROOM;
/** heapTick() looks at the heap once in this many calls. */
const EVERY = 256;

/** How large the young generation (V8's new space, both halves) may grow. V8 grows it to 32 MB
 * by default and never gives that back; a demo of 100,000 contact points is as fast with 8 MB. */
const YOUNG = 8 << 20;

let collect: (() => void) | undefined;
let live = 0;
let calls = 0;
/** Whether V8 may grow the young generation further (its growth factor is 2, else 1). */
let growing = false;

function youngSize(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** Lets the young generation grow until it reaches YOUNG, and no further. bin/rollcall.js starts
 * the long commands with a growth factor of 1 (the modules' loading would grow it to 16 MB). */
function steerYoung(): void {
  const grow = youngSize() < YOUNG;
  if (grow === growing) return;
  growing = grow;
  setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
}

/** Turns the governor on for this process (off by default: short commands gain nothing). */
export function governHeap(): void {
  if (collect) return;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = undefined;
    return;
  }
  live = getHeapStatistics().used_heap_size;
  steerYoung();
}

/** Called on busy paths: a full collection when the heap grew by HEADROOM since the last one. */
export function heapTick(): void {
  if (collect === undefined || ++calls < EVERY) return;
  calls = 0;
  steerYoung();
  if (getHeapStatistics().used_heap_size > live + headroom) collectNow();
}

/** From now on the heap grows by half the headroom only: the end of a run, when the checkpoint
 * and the statistics are made beside the whole state, is where its peak was. A few more
 * collections there (a second or so at 100,000 contact points) cost less than throughout. */
export function endPhase(): void {
  headroom = HEADROOM / 2;
}

/** A full collection now (a phase ended: what it made is garbage). */
export function collectNow(): void {
  if (collect === undefined) return;
  // A full collection may resize the young generation too: never with the factor that lets it
  // grow (it would double past YOUNG before the next look at it).
  if (growing) {
    growing = false;
    setFlagsFromString('--semi-space-growth-factor=1');
  }
  collect();
  live = getHeapStatistics().used_heap_size;
  steerYoung();
}
