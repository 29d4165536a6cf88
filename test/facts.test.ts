import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { PageObservation } from '../src/model.ts';
import { decodeBody } from '../src/collect/decode.ts';
import { analyzePage } from '../src/collect/page-process.ts';
import { factOf, type FactFamily } from '../src/facts/_facts.ts';
import { crawlFacts, FACT_FAMILIES, ON_DEMAND_FAMILIES } from '../src/facts/index.ts';
import { Store } from '../src/store/store.ts';

/**
 * Per-page facts (src/facts/) are what the analysis helpers give when called on the page: a fact stored at crawl
 * time (JSON, through the store) and one computed on use must be the same value, on real government pages and on
 * the fixture sites' pages, or the findings would depend on whether a page was stored.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const REAL = path.resolve(ROOT, '..', 'shared', 'real-pages');

function pageOf(file: string, url: string, isHomepage = false): PageObservation {
  const body = fs.readFileSync(file);
  const d = decodeBody(body, 'text/html');
  return {
    url, finalUrl: url, redirects: [], status: 200, depth: isHomepage ? 0 : 1, fetchedAt: '2021-06-15T02:00:00.000Z',
    timings: { headersMs: 1, totalMs: 2 }, headers: { 'content-type': 'text/html' }, bytes: body.length, contentType: 'text/html',
    charset: d.charset, charsetSource: d.source, html: d.text, links: [], isHomepage,
  };
}

const samples: { name: string; page: () => PageObservation }[] = [];
if (fs.existsSync(REAL)) {
  for (const f of ['shanxi.gov.cn-article.html', 'fgw.zj.gov.cn-article.html', 'www.gov.cn-gazette.html', 'cmse.gov.cn-page.html', 'hunan-hospital-not-gov.html', 'xiangtan/article-utf16-declared-gb2312.html']) {
    samples.push({ name: `real ${f}`, page: () => pageOf(path.join(REAL, f), `http://127.0.0.1:8080/art/2021/6/10/art_1_${samples.length}.html`) });
  }
}
for (const [site, rel, home] of [
  ['demo', 'index.html', true],
  ['demo', 'xwzx/index.html', false],
  ['demo', 'xwzx/bmdt/202106/t20210604_7013.html', false],
  ['demo', 'hdjl/index.html', false],
  ['demo-dept', 'index.html', true],
  ['policy', 'zwgk/zcjd/index.html', false],
  ['policy', 'ztzl/index.html', false],
] as const) {
  const file = path.join(ROOT, 'fixtures', 'sites', site, rel);
  if (fs.existsSync(file)) samples.push({ name: `${site}/${rel}`, page: () => pageOf(file, `http://127.0.0.1:8080/${rel === 'index.html' ? '' : rel}`, home) });
}

describe('per-page facts', () => {
  it('has pages to compare', () => expect(samples.length).toBeGreaterThan(5));

  for (const s of samples) {
    it(`${s.name}: a stored fact equals the fact computed on use`, () => {
      const stored = JSON.parse(JSON.stringify(crawlFacts(s.page()))) as Record<string, unknown>;
      for (const f of [...FACT_FAMILIES, ...ON_DEMAND_FAMILIES] as FactFamily[]) {
        const fromStore = factOf({ ...s.page(), facts: stored }, f);
        const computed = factOf(s.page(), f);
        expect(fromStore, `${s.name}: ${f.id}`).toEqual(computed);
      }
    });
  }

  it('are computed where the crawl parses a page, stored with it, and the page HTML is read only when asked for', () => {
    const s = samples.find((x) => x.name === 'demo/index.html')!;
    const p = s.page();
    const body = Buffer.from(p.html, 'utf8');
    const { page } = analyzePage({ url: p.url, depth: 0, res: { url: p.url, finalUrl: p.url, status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body, bytes: body.length, redirects: [], startedAt: p.fetchedAt, headersMs: 1, totalMs: 2 } as never }, () => true);
    expect(page?.facts && Object.keys(page.facts).sort()).toEqual(FACT_FAMILIES.map((f) => f.id).sort());
    const store = Store.open(':memory:');
    try {
      const runId = store.createRun({ siteUrl: p.url, siteKey: 'x', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
      store.addPage(runId, page!, null);
      store.flush();
      const [back] = [...store.iteratePages(runId, { withHtml: 'lazy' })];
      expect(back.facts).toEqual(JSON.parse(JSON.stringify(page!.facts)));
      expect(Object.getOwnPropertyDescriptor(back, 'html')?.get).toBeTypeOf('function');
      expect(back.html).toBe(page!.html);
      expect({ ...back }.html).toBe(page!.html);
    } finally {
      store.close();
    }
  });
});
