import { parentPort, workerData } from 'node:worker_threads';
import { Store } from './store.ts';
import { makeScope } from '../collect/scope.ts';
import { analyzePage } from '../collect/page-process.ts';
import type { FetchResult } from '../collect/http.ts';
import type { LinkResult, PageObservation } from '../model.ts';

/**
 * The store writer thread (see writer.ts): commits crawl observations in batches, and is the crawl's page processor —
 * it receives fetched bodies, decodes, parses and extracts links, stores the page and answers with the verdict.
 */
type Msg =
  | { t: 'page'; runId: number; page: PageObservation; soft404: string | null }
  | { t: 'result'; runId: number; r: LinkResult }
  | { t: 'results'; items: { runId: number; r: LinkResult }[] }
  | { t: 'process'; id: number; runId: number; startUrl: string; url: string; depth: number; aliasOf?: string; detectEntry?: boolean; meta: Omit<FetchResult, 'body'>; body: Uint8Array }
  | { t: 'flush'; id: number };

const store = Store.open(workerData.file as string);
const scopes = new Map<string, (url: string) => boolean>();
const scopeOf = (startUrl: string) => {
  let s = scopes.get(startUrl);
  if (!s) {
    s = makeScope(startUrl);
    scopes.set(startUrl, s);
  }
  return s;
};

parentPort!.on('message', (m: Msg) => {
  try {
    if (m.t === 'process') {
      let out;
      try {
        const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
        out = analyzePage({ url: m.url, depth: m.depth, res: { ...m.meta, body }, ...(m.aliasOf ? { aliasOf: m.aliasOf } : {}), ...(m.detectEntry ? { detectEntry: true } : {}) }, scopeOf(m.startUrl));
      } catch (e) {
        parentPort!.postMessage({ t: 'processed', id: m.id, message: (e as Error).message });
        return;
      }
      // Answer first: the crawler goes on while this thread stores the page.
      parentPort!.postMessage({ t: 'processed', id: m.id, v: out.verdict });
      if (out.page) store.addPage(m.runId, out.page, out.verdict.soft404);
    } else if (m.t === 'results') {
      for (const it of m.items) store.addLinkResult(it.runId, it.r);
    } else if (m.t === 'page') store.addPage(m.runId, m.page, m.soft404);
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
parentPort!.postMessage({ t: 'ready' });
