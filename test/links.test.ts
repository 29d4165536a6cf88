import { describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import { extractLinks, resolveUrl } from '../src/collect/links.ts';
import { softErrorReason } from '../src/collect/soft404.ts';
import { linkResultFromFetch, retryAfterMs } from '../src/collect/linkcheck.ts';
import type { FetchResult } from '../src/collect/http.ts';

const PAGE = `<!DOCTYPE html><html><head><base href="http://www.qs.gov.cn/xwzx/">
<link rel="stylesheet" href="/css/main.css"><link rel="dns-prefetch" href="//cdn.example.com">
<script src="js/app.js"></script></head><body>
<div class="nav"><a href="qsyw/index.html">青山要闻</a><a href="qsyw/index.html">要闻 again</a>
<a href="javascript:void(0)">js</a><a href="mailto:a@b.cn">mail</a><a href="tel:12345">tel</a><a href="#top">top</a>
<a href=" /zwgk/t20210610_1.html#p2 ">文件</a><a href="/files/通知.docx">通知附件</a>
<a href="http://[bad">bad</a></div>
<img src="/images/banner.jpg" alt="横幅">
<iframe src="/embed/map.html" title="地图"></iframe>
<form action="/search/s.jsp" method="get"></form><form action="/login.do" method="post"></form>
<div id="footer">主办单位：青山市人民政府办公室 <a href="http://bszs.conac.cn/sitename?method=show&id=ABC"><img src="/images/red.png" alt="党政机关"></a>
<a href="/qsyw/index.html">footer copy</a></div>
</body></html>`;

describe('extractLinks', () => {
  const links = extractLinks(cheerio.load(PAGE), 'http://www.qs.gov.cn/xwzx/index.html');
  const by = (t: string) => links.filter((l) => l.target === t);

  it('resolves against <base>, drops fragments and unfetchable schemes, dedupes per kind', () => {
    expect(by('http://www.qs.gov.cn/xwzx/qsyw/index.html')).toHaveLength(1);
    expect(by('http://www.qs.gov.cn/xwzx/qsyw/index.html')[0].text).toBe('青山要闻');
    expect(by('http://www.qs.gov.cn/zwgk/t20210610_1.html')).toHaveLength(1);
    expect(links.some((l) => /^(javascript|mailto|tel):/.test(l.target))).toBe(false);
    expect(links.some((l) => l.target.includes('#'))).toBe(false);
  });

  it('classifies kinds: attachment, img, script, link, iframe, form (GET only)', () => {
    expect(by('http://www.qs.gov.cn/files/%E9%80%9A%E7%9F%A5.docx')[0].kind).toBe('attachment');
    expect(by('http://www.qs.gov.cn/images/banner.jpg')[0]).toMatchObject({ kind: 'img', text: '横幅' });
    expect(by('http://www.qs.gov.cn/xwzx/js/app.js')[0].kind).toBe('script');
    expect(by('http://www.qs.gov.cn/css/main.css')[0].kind).toBe('link');
    expect(links.some((l) => l.target.includes('cdn.example.com'))).toBe(false);
    expect(by('http://www.qs.gov.cn/embed/map.html')[0].kind).toBe('iframe');
    expect(by('http://www.qs.gov.cn/search/s.jsp')[0].kind).toBe('form');
    expect(links.some((l) => l.target.includes('login.do'))).toBe(false);
  });

  it('marks references in the footer area', () => {
    const conac = links.find((l) => l.target.startsWith('http://bszs.conac.cn/'));
    expect(conac?.inFooter).toBe(true);
    expect(by('http://www.qs.gov.cn/images/red.png')[0].inFooter).toBe(true);
    expect(by('http://www.qs.gov.cn/images/banner.jpg')[0].inFooter).toBe(false);
  });

  it('resolveUrl rejects malformed and non-http references', () => {
    expect(resolveUrl('http://[bad', 'http://a.gov.cn/')).toBeNull();
    expect(resolveUrl('ftp://a.gov.cn/x', 'http://a.gov.cn/')).toBeNull();
    expect(resolveUrl('  /a\n/b.html ', 'http://a.gov.cn/x/')).toBe('http://a.gov.cn/a/b.html');
  });
});

describe('softErrorReason', () => {
  it('recognises error pages by title, heading or short text', () => {
    expect(softErrorReason('<title>404</title><body>x</body>')).not.toBeNull();
    expect(softErrorReason('<title>提示</title><body><h1>您访问的页面不存在</h1></body>')).not.toBeNull();
    expect(softErrorReason('<body><p>对不起，您访问的页面不存在或已被删除。</p></body>')).not.toBeNull();
  });
  it('does not flag articles that merely mention the words', () => {
    const article = `<title>关于规范网站 404 页面的通知</title><body><h1>关于规范网站错误页面的通知</h1>${'<p>各单位网站出现页面不存在时应提供友好提示。</p>'.repeat(40)}</body>`;
    expect(softErrorReason(article)).toBeNull();
    expect(softErrorReason('')).toBeNull();
  });
});

function fr(over: Partial<FetchResult>): FetchResult {
  return { url: 'http://a/', finalUrl: 'http://a/', redirects: [], status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.alloc(0), bytes: 0, truncated: false, headersMs: 1, totalMs: 1, startedAt: 't', ...over };
}

describe('linkResultFromFetch', () => {
  it('judges statuses: 404 broken; WAF 403 / 429 / 412 unverified; 200 ok', () => {
    expect(linkResultFromFetch('x', fr({ status: 404 }), 'GET').outcome).toBe('broken');
    expect(linkResultFromFetch('x', fr({ status: 500 }), 'GET').outcome).toBe('broken');
    expect(linkResultFromFetch('x', fr({ status: 403 }), 'GET').outcome).toBe('unverified');
    expect(linkResultFromFetch('x', fr({ status: 429 }), 'GET').outcome).toBe('unverified');
    expect(linkResultFromFetch('x', fr({ status: 412 }), 'GET').outcome).toBe('unverified');
    expect(linkResultFromFetch('x', fr({ status: 503, headers: { 'retry-after': '5' } }), 'GET').outcome).toBe('unverified');
    expect(linkResultFromFetch('x', fr({ status: 200 }), 'HEAD').outcome).toBe('ok');
  });
  it('network errors are broken with their class', () => {
    for (const e of ['timeout', 'dns', 'refused', 'tls', 'redirect-loop'] as const) {
      const r = linkResultFromFetch('x', fr({ status: null, error: e, errorDetail: e }), 'GET');
      expect(r).toMatchObject({ outcome: 'broken', error: e });
    }
  });
  it('soft 404: error body with status 200, or a redirect to an error path', () => {
    const body = Buffer.from('<html><head><title>页面不存在</title></head><body>页面不存在</body></html>');
    expect(linkResultFromFetch('x', fr({ body }), 'GET')).toMatchObject({ outcome: 'broken', error: 'soft-404' });
    expect(linkResultFromFetch('x', fr({ redirects: ['http://a/x'], finalUrl: 'http://a/404.html' }), 'HEAD')).toMatchObject({ outcome: 'broken', error: 'soft-404' });
    expect(linkResultFromFetch('x', fr({ redirects: ['http://a/x'], finalUrl: 'http://a/new/x.html' }), 'HEAD').outcome).toBe('ok');
  });
  it('parses Retry-After seconds and dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(undefined)).toBeNull();
    expect(retryAfterMs('garbage')).toBeNull();
    expect(retryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
  });
});

describe('query encoding on pages in legacy charsets (as browsers send it)', () => {
  const base = 'http://www.qs.gov.cn/xxgk/index.html';

  it('a GBK/GB18030 page: non-ASCII query characters are percent-encoded in GB18030; the path stays UTF-8', () => {
    expect(resolveUrl('/dl.jsp?file=通知.doc&t=1', base, 'gb18030')).toBe('http://www.qs.gov.cn/dl.jsp?file=%CD%A8%D6%AA.doc&t=1');
    expect(resolveUrl('/附件/通知.doc?n=通知#p', base, 'gb18030')).toBe(
      'http://www.qs.gov.cn/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.doc?n=%CD%A8%D6%AA',
    );
  });

  it('UTF-8 and UTF-16 pages, ASCII queries and already-encoded queries are unchanged', () => {
    expect(resolveUrl('/dl.jsp?file=通知.doc', base, 'utf-8')).toBe('http://www.qs.gov.cn/dl.jsp?file=%E9%80%9A%E7%9F%A5.doc');
    expect(resolveUrl('/dl.jsp?file=通知.doc', base, 'utf-16le')).toBe('http://www.qs.gov.cn/dl.jsp?file=%E9%80%9A%E7%9F%A5.doc');
    expect(resolveUrl('/dl.jsp?file=%CD%A8.doc&a=b', base, 'gb18030')).toBe('http://www.qs.gov.cn/dl.jsp?file=%CD%A8.doc&a=b');
    expect(resolveUrl('/dl.jsp?file=通知.doc', base)).toBe('http://www.qs.gov.cn/dl.jsp?file=%E9%80%9A%E7%9F%A5.doc');
  });

  it('a character the encoding lacks is sent as &#N; (Big5 has no emoji)', () => {
    expect(resolveUrl('/s?q=😀', base, 'big5')).toBe('http://www.qs.gov.cn/s?q=%26%23128512%3B');
  });

  it('extractLinks passes the page charset on', () => {
    const $ = cheerio.load('<html><body><a href="/dl.jsp?file=通知.doc">附件</a></body></html>');
    expect(extractLinks($, base, 'gb18030')[0].target).toBe('http://www.qs.gov.cn/dl.jsp?file=%CD%A8%D6%AA.doc');
    expect(extractLinks($, base)[0].target).toBe('http://www.qs.gov.cn/dl.jsp?file=%E9%80%9A%E7%9F%A5.doc');
  });
});

describe('page processing: a GBK page links with a Chinese query', () => {
  it('the crawler gets the target encoded as the page is (GB18030), from the decoded charset', async () => {
    const { analyzePage } = await import('../src/collect/page-process.ts');
    const iconv = (await import('iconv-lite')).default;
    const html = '<html><head><meta charset="gb2312"><title>青山市人民政府</title></head><body><a href="/dl.jsp?file=通知.doc">通知</a></body></html>';
    const body = iconv.encode(html, 'gbk');
    const { page, verdict } = analyzePage(
      { url: 'http://a.gov.cn/', depth: 0, res: fr({ url: 'http://a.gov.cn/', finalUrl: 'http://a.gov.cn/', headers: { 'content-type': 'text/html' }, body, bytes: body.length }) },
      () => true,
    );
    expect(page?.charset).toBe('gb18030');
    expect(verdict.targets).toContain('http://a.gov.cn/dl.jsp?file=%CD%A8%D6%AA.doc');
  });
});

describe('softErrorReason: an article about something that "does not exist" is not an error page', () => {
  it('error titles and headings, with the site name around them, are recognised', () => {
    expect(softErrorReason('<title>信息不存在 - 青山市人民政府</title><body>x</body>')).toMatch(/^title/);
    expect(softErrorReason('<title>青山市人民政府_页面不存在</title><body>x</body>')).toMatch(/^title/);
    expect(softErrorReason('<title>404 Not Found</title><body>x</body>')).toMatch(/^title/);
    expect(softErrorReason('<title>提示信息</title><body><h2>对不起，您访问的页面不存在或已被删除！</h2></body>')).toMatch(/^heading/);
  });

  it('a long title or heading that merely contains such a phrase is an article', () => {
    const article = `<title>关于青山市2021年度企业信息不存在虚假情况的公示 - 青山市人民政府</title><body>
      <h1>关于青山市2021年度企业信息不存在虚假情况的公示</h1><h3>来源：市市场监管局</h3>${'<p>经核查，相关企业年报信息真实有效，特此公示。</p>'.repeat(20)}</body>`;
    expect(softErrorReason(article)).toBeNull();
    expect(softErrorReason('<title>市档案馆：查无此档、内容不存在的情形如何出具证明？ - 政务问答</title><body>' + '<p>答复内容。</p>'.repeat(80) + '</body>')).toBeNull();
  });
});
