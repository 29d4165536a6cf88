import v8 from 'node:v8';

/**
 * Tight-heap mode for the two long, allocation-heavy jobs: audits (crawl + checks) and the probe scheduler.
 *
 * V8 normally lets the old generation grow to up to 4× what survived the last full GC before it collects again.
 * Both jobs allocate at a high rate and keep little: a crawl parses pages whose DOM pieces survive two young
 * collections, get promoted and then die; the scheduler runs thousands of short-lived HTTP requests per second.
 * The old generation then fills with hundreds of MB of garbage between two full collections (measured: 60 MB live,
 * 300–750 MB heap on a 30,000-page crawl; 37 MB live, 160 MB heap for 15,000 monitored sites). While the mode is
 * on, the heap may grow to 1.5× the live size instead: full collections come more often and each is short.
 * Not a cap — the heap still grows as far as live data needs.
 *
 * `--heap-growing-percent` is one of the few V8 flags that takes effect when set at run time (the young
 * generation's size, for instance, does not).
 */
let users = 0;
const HEAP_GROWING_PERCENT = 50;

/** Enters tight-heap mode (nested and concurrent uses are counted); returns the function that leaves it. */
export function tightHeap(): () => void {
  if (users++ === 0) setV8Flag(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--users === 0) setV8Flag('--heap-growing-percent=0'); // 0: V8's own heuristics again
  };
}

/** Whether tight-heap mode is on (tests). */
export function tightHeapActive(): boolean {
  return users > 0;
}

function setV8Flag(flag: string): void {
  try {
    v8.setFlagsFromString(flag);
  } catch {
    /* an engine without the flag: nothing to tune */
  }
}
