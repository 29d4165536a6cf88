import { describe, expect, it } from 'vitest';
import { load } from 'cheerio/slim';
import { extractLinks, parseMetaRefresh, parseSrcset, resolveRef } from '../src/collect/links.ts';
import { metaRefreshOf } from '../src/collect/refresh.ts';
import { pageEmptiness, nothingToAnalyse } from '../src/analyze/emptiness.ts';
import { markTruncatedFindings } from '../src/analyze/truncated.ts';
import { allElements, outermost, selectAll } from '../src/analyze/walk.ts';
import { parseHtml } from '../src/analyze/dom.ts';
import type { FetchResult } from '../src/collect/http.ts';
import type { Finding } from '../src/model.ts';
import { makeContext, makePage } from './helpers/page.ts';

describe('srcset, meta refresh and malformed hrefs (issue 19)', () => {
  it('parses srcset candidates as the HTML standard does', () => {
    expect(parseSrcset('a.jpg, b.jpg 2x,c.jpg 3x , d,e.jpg 100w, f.jpg (x, y) 2x')).toEqual([
      { url: 'a.jpg', descriptor: '' },
      { url: 'b.jpg', descriptor: '2x' },
      { url: 'c.jpg', descriptor: '3x' },
      { url: 'd,e.jpg', descriptor: '100w' },
      { url: 'f.jpg', descriptor: '(x, y) 2x' },
    ]);
    expect(parseSrcset('  ,, ')).toEqual([]);
  });

  it('parses meta refresh content; a refresh without URL is a reload', () => {
    expect(parseMetaRefresh('0; url=/a')).toEqual({ delay: 0, url: '/a' });
    expect(parseMetaRefresh('5;URL="b.html"')).toEqual({ delay: 5, url: 'b.html' });
    expect(parseMetaRefresh('0, c.html')).toEqual({ delay: 0, url: 'c.html' });
    expect(parseMetaRefresh('300')).toBeNull();
    expect(parseMetaRefresh('0;url=')).toBeNull();
    expect(parseMetaRefresh('soon')).toBeNull();
  });

  it('extracts srcset candidates, picture sources and the refresh target; keeps malformed hrefs; drops pseudo-links', () => {
    const html = `<html><head><meta http-equiv="Refresh" content="30; URL='/new.html'"><meta http-equiv="refresh" content="300">
      <meta property="og:image" content="/og.png"><link rel="canonical" href="/canon.html">
      <script type="application/ld+json">{"logo": "/ld.png"}</script></head><body>
      <img src="/a.jpg" srcset="/a.jpg 1x, /a@2x.jpg 2x" alt="横幅">
      <picture><source type="image/webp" srcset="/p.webp 800w"><img src="/p.jpg" alt="图"></picture>
      <a href="//////">a</a><a href="http://">b</a><a href="http://exa mple">c</a><a href="http://[::1/">d</a><a href="http://a.gov.cn]/">e</a>
      <a href="javascript:void(0)">j</a><a href="mailto:a@b.cn">m</a><a href="tel:1">t</a><a href="">e</a><a href="#">h</a>
      </body></html>`;
    const links = extractLinks(load(html), 'http://www.qs.gov.cn/x/index.html');
    const t = (x: string) => links.find((l) => l.target === x);
    expect(t('http://www.qs.gov.cn/new.html')).toMatchObject({ kind: 'a', via: 'meta refresh (30s)' });
    expect(t('http://www.qs.gov.cn/a@2x.jpg')).toMatchObject({ kind: 'img', text: '横幅', via: 'srcset 2x' });
    expect(t('http://www.qs.gov.cn/a.jpg')?.via).toBeUndefined();
    expect(t('http://www.qs.gov.cn/p.webp')).toMatchObject({ kind: 'img', text: '图', via: 'picture source (image/webp) srcset 800w' });
    expect(links.filter((l) => !/^https?:\/\/www\.qs\.gov\.cn\//.test(l.target)).map((l) => l.target).sort()).toEqual(
      ['//////', 'http://', 'http://[::1/', 'http://a.gov.cn]/', 'http://exa mple'].sort(),
    );
    for (const skipped of ['/og.png', '/canon.html', '/ld.png']) expect(t(`http://www.qs.gov.cn${skipped}`)).toBeUndefined();
    expect(resolveRef('http://exa mple', 'http://a.gov.cn/')).toEqual({ invalid: 'http://exa mple' });
    expect(resolveRef('javascript:void(0)', 'http://a.gov.cn/')).toEqual({ skip: true });
  });

  it('finds the meta refresh of a fetched page (quick redirects are followed as hops)', () => {
    const res = (body: string, ct = 'text/html; charset=utf-8'): FetchResult => ({
      url: 'http://a.gov.cn/x.html', finalUrl: 'http://a.gov.cn/x.html', redirects: [], status: 200, headers: { 'content-type': ct },
      body: Buffer.from(body), bytes: body.length, truncated: false, headersMs: 0, totalMs: 0, startedAt: '',
    });
    expect(metaRefreshOf(res('<meta http-equiv="refresh" content="0; url=/y.html?a=1&amp;b=2">'))).toEqual({ url: 'http://a.gov.cn/y.html?a=1&b=2', delay: 0 });
    expect(metaRefreshOf(res('<meta content="2;url=x.html" http-equiv=REFRESH>'))).toBeNull(); // itself: a reload
    expect(metaRefreshOf(res('<meta http-equiv="refresh" content="60">'))).toBeNull();
    expect(metaRefreshOf(res('<meta http-equiv="refresh" content="0;url=/y">', 'image/png'))).toBeNull();
  });
});

describe('pages with nothing to analyse (11.6)', () => {
  const url = 'http://www.qs.gov.cn/';
  it('an empty body, a non-HTML type, an HTML document without content; a script-only page is not empty', () => {
    expect(pageEmptiness(makePage(url, '', { bytes: 0 }))).toMatchObject({ empty: true, reason: 'empty-body' });
    expect(pageEmptiness(makePage(url, '', { contentType: 'image/png', headers: { 'content-type': 'image/png' }, bytes: 900 }))).toMatchObject({ empty: true, reason: 'not-html' });
    expect(pageEmptiness(makePage(url, '<html><head><title></title></head><body>  </body></html>'))).toMatchObject({ empty: true, reason: 'no-content' });
    expect(pageEmptiness(makePage(url, '<script>location.href="/index.shtml"</script>')).empty).toBe(false);
    expect(pageEmptiness(makePage(url, '<p>青山市</p>')).empty).toBe(false);
    expect(pageEmptiness(makePage(url, '', { status: 404 })).empty).toBe(false);
  });
  it('a run whose only page is empty has nothing to analyse; a unit context without pages is not judged', () => {
    const home = makePage(url, '', { bytes: 0, isHomepage: true });
    expect(nothingToAnalyse(makeContext([home]))).toMatch(/^未读取到可分析的网页：首页返回 HTTP 200，但内容为空/);
    expect(nothingToAnalyse(makeContext([home, makePage(url + 'a.html', '<p>正文</p>')]))).toBeNull();
    expect(nothingToAnalyse({ pages: [] })).toBeNull();
  });
});

describe('truncated pages (11.5)', () => {
  it('absence findings on a truncated, unrendered page become 未核实; found evidence and complete heads stand', () => {
    const cut = makePage('http://www.qs.gov.cn/', '<html><head><title>x</title></head><body><p>…', { truncated: true, bytes: 5 * 1024 * 1024, isHomepage: true });
    const whole = makePage('http://www.qs.gov.cn/a.html', '<p>x</p>');
    const f = (check: string, url: string, detail = 'missing'): Finding => ({ check, url, detail, message: 'm', evidence: {} });
    const out = markTruncatedFindings(
      [f('error-report-entry', cut.url), f('error-report-entry', cut.url, 'code-mismatch'), f('broken-link', cut.url), f('page-tags', cut.url), f('stale-column', cut.url), f('stale-column', whole.url)],
      makeContext([cut, whole]),
    );
    expect(out.map((x) => !!x.evidence.unverified)).toEqual([true, false, false, false, true, false]);
    expect(out[0].message).toContain('截断');
    const rendered = makeContext([cut, whole], { browser: { available: true, pages: new Map([[cut.url, { url: cut.url, html: '<p>whole</p>', at: '' }]]) } });
    expect(markTruncatedFindings([f('stale-column', cut.url)], rendered)[0].evidence.unverified).toBeUndefined();
  });
});

describe('linear selector helpers (11.1)', () => {
  it('selectAll and outermost give what cheerio gives, on a page with content after </html>', () => {
    const html = '<html><head><title>t</title></head><body><div class="tit">a<span class="tit">b</span></div></body></html>' +
      '<li><span>c</span></li><td><span>d</span></td><h3>e</h3>'.repeat(50);
    const $ = parseHtml(html);
    const sel = 'h1, h2, h3, .title, [class*="tit" i], li span, td span';
    expect(selectAll($, sel)).toEqual($(sel).toArray());
    const divs = allElements($).filter((e) => e.attribs.class === 'tit');
    expect(outermost(divs)).toEqual([divs[0]]);
  });
});
