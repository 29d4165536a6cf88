/**
 * What each fact family costs per page (ms), on pages of a running site:
 *   node --import tsx bench/facts-cost.ts <url-of-a-page> [...] | --site <start url> [--pages 300]
 * It fetches the pages, parses each once (as the crawl does) and times every family on it. It reports; it asserts nothing.
 */
import { extractLinks } from '../src/analyze/links.ts';
import { forgetHtml, loadHtml } from '../src/analyze/dom.ts';
import { FACT_FAMILIES } from '../src/facts/index.ts';
import type { PageObservation } from '../src/model.ts';

const args = process.argv.slice(2);
const site = args[0] === '--site' ? args[1] : undefined;
const max = Number(args[args.indexOf('--pages') + 1] || 300);
const urls: string[] = site ? [site] : args.filter((a) => /^https?:/.test(a));
const pages: PageObservation[] = [];
const seen = new Set(urls);
for (let i = 0; i < urls.length && pages.length < max; i++) {
  const res = await fetch(urls[i]);
  const html = await res.text();
  if (!res.ok) continue;
  const links = extractLinks(loadHtml(html), res.url);
  forgetHtml(html);
  pages.push({ url: urls[i], finalUrl: res.url, redirects: [], status: res.status, depth: i ? 1 : 0, fetchedAt: new Date().toISOString(), timings: { headersMs: 0, totalMs: 0 }, headers: { 'content-type': res.headers.get('content-type') ?? '' }, bytes: html.length, contentType: res.headers.get('content-type') ?? '', charset: 'utf-8', charsetSource: 'header', html, links, isHomepage: i === 0 });
  if (site) for (const l of links) if (l.kind === 'a' && l.target.startsWith(new URL(site).origin) && /\.html$|\/$/.test(l.target) && !seen.has(l.target)) (seen.add(l.target), urls.push(l.target));
}
const cost: Record<string, number> = { parse: 0, links: 0 };
if (process.argv.includes('--tight')) (await import('../src/runtime/heap.ts')).tightHeap();
for (let round = 0; round < 3; round++) {
  for (const k of Object.keys(cost)) cost[k] = 0;
  for (const page of pages) {
    const p = { ...page }; // a fresh object: the analysis memoises per page object
    let t = performance.now();
    const $ = loadHtml(p.html);
    cost.parse += performance.now() - t;
    t = performance.now();
    extractLinks($, p.finalUrl);
    cost.links += performance.now() - t;
    for (const f of FACT_FAMILIES) {
      t = performance.now();
      f.extract(p);
      cost[f.id] = (cost[f.id] ?? 0) + performance.now() - t;
    }
    forgetHtml(p.html);
  }
  console.log(`round ${round + 1}: ` + Object.entries(cost).map(([k, v]) => `${k} ${(v / pages.length).toFixed(3)}`).join(', '));
}
console.log(`${pages.length} pages, ms per page: ` + Object.entries(cost).map(([k, v]) => `${k} ${(v / pages.length).toFixed(3)}`).join(', '));
