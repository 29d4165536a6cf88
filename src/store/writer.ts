import { Worker } from 'node:worker_threads';
import type { LinkResult, PageObservation } from '../model.ts';
import type { Store } from './store.ts';

/**
 * Writes the crawl's observations (pages, links, link results) while the crawl goes on. With a database file, the
 * writing (compression, SQL) runs on a worker thread with its own connection, so the crawler's thread only parses;
 * with an in-memory database it writes through the given store. Either way `flush()` resolves once everything sent
 * so far is committed, in whole batches (a kill loses at most the last uncommitted batch, never half of one).
 */
export interface ObservationWriter {
  page(runId: number, page: PageObservation, soft404: string | null): void;
  result(runId: number, r: LinkResult): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function openWriter(store: Store, file: string | undefined): ObservationWriter {
  if (!file || file === ':memory:' || process.env.GOVSITE_WRITER_THREAD === '0') return directWriter(store);
  let worker: Worker;
  try {
    worker = new Worker(new URL('./writer-worker.mjs', import.meta.url), { workerData: { file } });
  } catch {
    return directWriter(store);
  }
  let seq = 0;
  let failure: Error | null = null;
  const waiting = new Map<number, () => void>();
  worker.on('message', (m: { t: string; id?: number; message?: string }) => {
    if (m.t === 'flushed') {
      waiting.get(m.id!)?.();
      waiting.delete(m.id!);
    } else if (m.t === 'error') failure = new Error(`store writer: ${m.message}`);
  });
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.values()) w();
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`store writer exited (${code})`)));
  const flush = () =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = ++seq;
      waiting.set(id, () => (failure ? reject(failure) : resolve()));
      worker.postMessage({ t: 'flush', id });
    });
  return {
    page: (runId, page, soft404) => worker.postMessage({ t: 'page', runId, page, soft404 }),
    result: (runId, r) => worker.postMessage({ t: 'result', runId, r }),
    flush,
    async close() {
      try {
        await flush();
      } finally {
        worker.removeAllListeners('exit');
        await worker.terminate();
      }
    },
  };
}

function directWriter(store: Store): ObservationWriter {
  return {
    page: (runId, page, soft404) => store.addPage(runId, page, soft404),
    result: (runId, r) => store.addLinkResult(runId, r),
    flush: async () => store.flush(),
    close: async () => store.flush(),
  };
}
