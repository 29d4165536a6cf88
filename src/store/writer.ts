import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LinkResult, PageObservation } from '../model.ts';
import type { FetchResult } from '../collect/http.ts';
import { inThreadProcessor, type PageJob, type PageProcessor, type PageVerdict } from '../collect/page-process.ts';
import { makeScope } from '../collect/scope.ts';
import type { Store } from './store.ts';
import { workerEntry } from '../runtime/worker-entry.ts';

/**
 * Writes the crawl's observations (pages, links, link results) while the crawl goes on. With a database file, the
 * writing (compression, SQL) runs on worker threads (defaultWriterThreads: one per core the crawler leaves), each with
 * its own connection; they are also the crawl's page processors (`processor()`): the crawler hands the least busy one
 * each fetched body (the bytes are transferred, not copied), and the thread decodes, parses, extracts links, computes
 * the page's facts (src/facts/), judges soft 404s and stores the page, returning only what the crawler needs.
 * With an in-memory database it writes through the given store and `processor()` is null (the crawler processes pages
 * itself and hands them to `page()`). Either way `flush()` resolves once everything sent so far is committed, in whole
 * batches (a kill loses at most the last uncommitted batch, never half of one).
 *
 * Memory: the crawler waits for each processed page, so at most `concurrency` bodies are ever queued to the threads
 * (no unbounded message queue); link results are sent in small batches, all to the first thread.
 */
export interface ObservationWriter {
  page(runId: number, page: PageObservation, soft404: string | null): void;
  result(runId: number, r: LinkResult): void;
  /** A page processor that stores the pages of `runId` (crawl scope: `startUrl`'s site), or null to process in-thread. */
  processor(runId: number, startUrl: string): PageProcessor | null;
  flush(): Promise<void>;
  close(): Promise<void>;
}

type FromWorker =
  | { t: 'ready' }
  | { t: 'flushed'; id: number }
  | { t: 'error'; message: string }
  | { t: 'processed'; id: number; v?: PageVerdict; message?: string };

const RESULT_BATCH = 128;
/**
 * Pages a thread may have waiting before the crawler processes further pages itself. The threads take every page:
 * the crawler's own thread then only does HTTP, and the analysis code runs hot in one place instead of being compiled,
 * collected and copied across two (a page processed by the crawler is sent whole to be stored). Measured on 2 cores,
 * 3,000 pages at 32 in flight, without the browser, 4 runs each: 12 → all pages on the thread cut CPU from 13.6 to 11.7 s
 * and wall time from 8.1 to 7.5 s. What waits here is bounded by the crawl's concurrency anyway (each of its workers
 * waits for its page's verdict); this bound only guards against a caller that does not wait.
 */
const AHEAD = 256;
/** Pages processed by the crawler and sent for storing, not yet stored, beyond which the crawler waits. */
const MAX_QUEUED_PAGES = 48;

/** Builds the writer thread's bundle now (npm run build), so that the first audit does not have to. */
export function warmWorkers(): void {
  workerEntry(new URL('./writer-worker.ts', import.meta.url), new URL('./writer-worker.mjs', import.meta.url));
}

/**
 * Writer threads by default: GOVSITE_WRITER_THREADS when set (1–8), else one per core the crawler's own thread leaves
 * (at least one, at most four). Each has its own connection; SQLite takes their batches one at a time.
 */
export function defaultWriterThreads(): number {
  const env = Number(process.env.GOVSITE_WRITER_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 8);
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

/** One writer thread and what is in flight on it. */
interface Thread {
  worker: Worker;
  ready: boolean;
  /** Pages sent to be processed, by message id. */
  processing: Map<number, { resolve: (v: PageVerdict) => void; reject: (e: Error) => void }>;
  /** Flushes waiting for their answer, by message id. */
  waiting: Map<number, () => void>;
  /**
   * Sequence numbers of pages sent whole (processed elsewhere) and not yet known to be stored: the thread handles
   * messages in order, so every answer to a later message means they are.
   */
  queuedPages: number[];
  queuedHead: number;
}

export function openWriter(store: Store, file: string | undefined, opts: { threads?: number } = {}): ObservationWriter {
  if (!file || file === ':memory:' || process.env.GOVSITE_WRITER_THREAD === '0') return directWriter(store);
  let seq = 0;
  let failure: Error | null = null;
  const threads: Thread[] = [];
  const fail = (e: Error) => {
    failure ??= e;
    for (const t of threads) {
      for (const w of t.waiting.values()) w();
      t.waiting.clear();
      for (const p of t.processing.values()) p.reject(failure);
      t.processing.clear();
    }
  };
  const settled = (t: Thread, id: number) => {
    while (t.queuedHead < t.queuedPages.length && t.queuedPages[t.queuedHead] < id) t.queuedHead++;
    if (t.queuedHead > 1024) {
      t.queuedPages.splice(0, t.queuedHead);
      t.queuedHead = 0;
    }
  };
  const wanted = Math.max(1, opts.threads ?? defaultWriterThreads());
  for (let i = 0; i < wanted; i++) {
    let worker: Worker;
    try {
      // The thread runs writer-worker.ts, bundled (see runtime/worker-entry.ts) or through tsx (writer-worker.mjs).
      const fallback = new URL('./writer-worker.mjs', import.meta.url);
      const entry = workerEntry(new URL('./writer-worker.ts', import.meta.url), fallback);
      // The bundle is plain JavaScript: no loader flags (`node --import tsx …` would register tsx in the thread again).
      worker = new Worker(entry, { workerData: { file }, ...(entry === fallback ? {} : { execArgv: [] }) });
    } catch {
      break;
    }
    const t: Thread = { worker, ready: false, processing: new Map(), waiting: new Map(), queuedPages: [], queuedHead: 0 };
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'ready') t.ready = true;
      else if (m.t === 'processed') {
        settled(t, m.id);
        const p = t.processing.get(m.id);
        t.processing.delete(m.id);
        if (m.v) p?.resolve(m.v);
        else p?.reject(new Error(`page processor: ${m.message}`));
      } else if (m.t === 'flushed') {
        settled(t, m.id);
        t.waiting.get(m.id)?.();
        t.waiting.delete(m.id);
      } else if (m.t === 'error') fail(new Error(`store writer: ${m.message}`));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`store writer exited (${code})`)));
    threads.push(t);
  }
  if (threads.length === 0) return directWriter(store);
  const backlog = (t: Thread) => t.queuedPages.length - t.queuedHead;
  /** The thread with the fewest pages waiting to be stored. */
  const leastQueued = () => threads.reduce((a, b) => (backlog(b) < backlog(a) ? b : a));
  let results: { runId: number; r: LinkResult }[] = [];
  const postPage = (runId: number, page: PageObservation, soft404: string | null) => {
    const t = leastQueued();
    t.queuedPages.push(++seq);
    t.worker.postMessage({ t: 'page', runId, page, soft404 });
  };
  // Link results go to the first thread (one writer of link_results: a result replaced by its second look stays replaced).
  const sendResults = () => {
    if (results.length === 0) return;
    threads[0].worker.postMessage({ t: 'results', items: results });
    results = [];
  };
  const flushThread = (t: Thread) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = ++seq;
      t.waiting.set(id, () => (failure ? reject(failure) : resolve()));
      t.worker.postMessage({ t: 'flush', id });
    });
  const flush = async () => {
    if (failure) throw failure;
    sendResults();
    await Promise.all(threads.map(flushThread));
  };
  return {
    page: postPage,
    result: (runId, r) => {
      results.push({ runId, r });
      if (results.length >= RESULT_BATCH) sendResults();
    },
    processor: (runId, startUrl) => {
      const local = inThreadProcessor(makeScope(startUrl), (page, x) => postPage(runId, page, x.soft404));
      const remote = (t: Thread, job: PageJob) =>
        new Promise<PageVerdict>((resolve, reject) => {
          if (failure) return reject(failure);
          const id = ++seq;
          t.processing.set(id, { resolve, reject });
          const { body, ...meta } = job.res;
          const bytes = transferable(body);
          t.worker.postMessage({ t: 'process', id, runId, startUrl, url: job.url, depth: job.depth, ...(job.aliasOf ? { aliasOf: job.aliasOf } : {}), ...(job.detectEntry ? { detectEntry: true } : {}), meta, body: bytes }, bytes.byteLength > 0 ? [bytes.buffer] : []);
        });
      return {
        process(job: PageJob): Promise<PageVerdict> | PageVerdict {
          if (failure) return Promise.reject(failure);
          // The least busy ready thread takes the page (see AHEAD); this thread processes it only while no thread is
          // ready yet (start-up) or all are full. With many pages sent for storing, the page goes to a thread anyway
          // and its answer, which comes after them, holds the crawler back: what waits for the store stays bounded.
          let best: Thread | undefined;
          for (const t of threads) if (t.ready && t.processing.size < AHEAD && (!best || t.processing.size < best.processing.size)) best = t;
          if (best) return remote(best, job);
          const q = leastQueued();
          if (backlog(q) >= MAX_QUEUED_PAGES) return remote(q, job);
          return local.process(job);
        },
      };
    },
    flush,
    async close() {
      try {
        await flush();
      } finally {
        for (const t of threads) t.worker.removeAllListeners('exit');
        await Promise.all(threads.map((t) => t.worker.terminate()));
      }
    },
  };
}

/**
 * The body as a Uint8Array over an ArrayBuffer of its own, so it can be transferred: a buffer that covers its whole
 * ArrayBuffer is moved as it is (the crawler does not read it again); a view into a larger or shared buffer (a pooled
 * slice, part of a socket read) is copied first — transferring it would detach memory others still use.
 */
function transferable(body: FetchResult['body']): Uint8Array<ArrayBuffer> {
  if (body.byteLength === 0) return new Uint8Array(0);
  if (body.byteOffset === 0 && body.buffer instanceof ArrayBuffer && body.byteLength === body.buffer.byteLength) {
    return new Uint8Array(body.buffer as ArrayBuffer, 0, body.byteLength);
  }
  return new Uint8Array(body);
}

function directWriter(store: Store): ObservationWriter {
  return {
    page: (runId, page, soft404) => store.addPage(runId, page, soft404),
    result: (runId, r) => store.addLinkResult(runId, r),
    processor: () => null,
    flush: async () => store.flush(),
    close: async () => store.flush(),
  };
}
