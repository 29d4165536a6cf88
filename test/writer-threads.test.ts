import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../src/demo/server.ts';
import { crawlSite } from '../src/collect/crawl.ts';
import { openWriter } from '../src/store/writer.ts';
import { Store } from '../src/store/store.ts';

/**
 * More than one writer thread (src/store/writer.ts, GOVSITE_WRITER_THREADS / one per spare core): pages processed on
 * any thread, or on the crawler's own, are all stored once with their facts, and every link result lands.
 */
describe('writer threads', () => {
  let server: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFixtureServer(demoSiteDir('demo'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-writers-'));
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const threads of [1, 2]) {
    it(`${threads} thread(s): every crawled page and link result is stored`, async () => {
      const file = path.join(dir, `w${threads}.db`);
      const store = Store.open(file);
      try {
        const runId = store.createRun({ siteUrl: server.url + '/', siteKey: 'demo', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
        const writer = openWriter(store, file, { threads });
        const start = server.url + '/';
        const summary = await crawlSite({
          startUrl: start, concurrency: 8, recheckDelayMs: 0, timeoutMs: 3000,
          skipHost: (h) => DEMO_SKIP_HOSTS.some((s) => h === s || h.endsWith('.' + s)),
          processor: writer.processor(runId, start)!,
          onLinkResult: (r) => writer.result(runId, r),
        });
        await writer.close();
        const pages = [...store.iteratePages(runId, { withHtml: 'lazy', includeSoft404: true })];
        expect(pages.length).toBe(summary.pagesCrawled);
        expect(new Set(pages.map((p) => p.url)).size).toBe(pages.length);
        expect(pages.every((p) => p.facts && typeof p.facts === 'object' && 'page' in p.facts)).toBe(true);
        const results = store.linkResults(runId);
        expect(results.size).toBe(summary.linksChecked);
      } finally {
        store.close();
      }
    }, 60_000);
  }
});
