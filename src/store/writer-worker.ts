import { parentPort, workerData } from 'node:worker_threads';
import { Store } from './store.ts';
import type { LinkResult, PageObservation } from '../model.ts';

/** The store writer thread: receives crawl observations and commits them in batches (see writer.ts). */
type Msg =
  | { t: 'page'; runId: number; page: PageObservation; soft404: string | null }
  | { t: 'result'; runId: number; r: LinkResult }
  | { t: 'flush'; id: number };

const store = Store.open(workerData.file as string);
parentPort!.on('message', (m: Msg) => {
  try {
    if (m.t === 'page') store.addPage(m.runId, m.page, m.soft404);
    else if (m.t === 'result') store.addLinkResult(m.runId, m.r);
    else {
      store.flush();
      parentPort!.postMessage({ t: 'flushed', id: m.id });
    }
  } catch (e) {
    parentPort!.postMessage({ t: 'error', message: (e as Error).message });
  }
});
parentPort!.once('close', () => store.close());
