import fs from 'node:fs';
import { findingsOf } from '../src/checks.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditContext, Check, Finding, PageObservation, RenderedPage } from '../src/model.ts';
import conac from '../checks/footer-conac-badge.ts';
import siteCode from '../checks/footer-site-code.ts';
import icp from '../checks/footer-icp.ts';
import police from '../checks/footer-police-filing.ts';
import sponsor from '../checks/footer-sponsor.ts';
import contact from '../checks/footer-contact.ts';
import errorEntry from '../checks/error-report-entry.ts';
import siteName from '../checks/site-name.ts';
import { makeContext, makePage } from './helpers/page.ts';

const ALL: Check[] = [conac, siteCode, icp, police, sponsor, contact, errorEntry, siteName];
const FOOTER_SIX: Check[] = [conac, siteCode, icp, police, sponsor, contact];

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pages/footer');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

const HOME = 'http://www.shili.gov.cn/';
const ARTICLE = (n: number) => `http://www.shili.gov.cn/zwdt/202106/t20210610_${7000 + n}.html`;

function home(name: string): PageObservation {
  return makePage(HOME, fixture(name), { isHomepage: true });
}

function runAll(ctx: AuditContext, checks: Check[] = ALL): Finding[] {
  return checks.flatMap((c) => findingsOf(c, ctx));
}

function withUnit(ctx: AuditContext, name: string): AuditContext {
  return { ...ctx, site: { ...ctx.site, name } };
}

function withBrowser(rendered: Record<string, string>): Partial<AuditContext> {
  const pages = new Map<string, RenderedPage>();
  for (const [url, html] of Object.entries(rendered)) pages.set(url, { url, html, at: '2021-06-10T02:00:00.000Z' });
  return { browser: { available: true, pages } };
}

describe('check metadata', () => {
  it('has the fixed ids, Chinese titles and needsHtml', () => {
    expect(ALL.map((c) => c.id)).toEqual([
      'footer-conac-badge', 'footer-site-code', 'footer-icp', 'footer-police-filing', 'footer-sponsor', 'footer-contact',
      'error-report-entry', 'site-name',
    ]);
    for (const c of ALL) {
      expect(c.title).toMatch(/[\u4e00-\u9fa5]/);
      expect(c.needsHtml).toBe(true);
    }
  });
});

describe('clean pages stay silent', () => {
  for (const name of ['complete.html', 'variants-a.html', 'variants-b.html', 'inline-footer.html']) {
    it(name, () => {
      expect(runAll(makeContext([home(name)]))).toEqual([]);
    });
  }

  it('a complete site of several pages (homepage + articles) is silent', () => {
    const pages = [home('complete.html'), ...[1, 2, 3].map((n) => makePage(ARTICLE(n), fixture('complete.html'), { depth: 2 }))];
    expect(runAll(makeContext(pages))).toEqual([]);
  });
});

describe('planted defects', () => {
  it('missing ICP: one site finding on the homepage URL with pagesChecked', () => {
    const ctx = makeContext([home('missing-icp.html')]);
    const f = runAll(ctx);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'footer-icp', url: HOME, detail: 'missing' });
    expect(f[0].evidence).toMatchObject({ confirmation: 'static', onHomepage: true, pagesChecked: [HOME] });
    expect(f[0].message).toContain('ICP备案编号');
  });

  it('an article page lacking an item gives one finding for the site, naming that page', () => {
    const pages = [
      home('complete.html'),
      makePage(ARTICLE(1), fixture('complete.html'), { depth: 2 }),
      makePage(ARTICLE(2), fixture('missing-icp.html'), { depth: 2 }),
    ];
    const f = runAll(makeContext(pages), FOOTER_SIX);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'footer-icp', url: HOME });
    expect(f[0].evidence.onHomepage).toBe(false);
    expect(f[0].evidence.pagesMissing).toEqual([{ url: ARTICLE(2), confirmation: 'static', source: 'static' }]);
    expect(f[0].evidence.pagesChecked).toEqual([HOME, ARTICLE(1), ARTICLE(2)]);
  });

  it('malformed site code is a finding with detail', () => {
    const f = runAll(makeContext([home('malformed-code.html')]));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'footer-site-code', detail: 'malformed: 439900001' });
    expect(f[0].evidence.unverified).toBeUndefined();
  });

  it('footer code disagreeing with SiteIDCode meta: unverified site-code finding and an entry code mismatch', () => {
    const html = fixture('complete.html').replace('<meta name="SiteIDCode" content="4399000001">', '<meta name="SiteIDCode" content="4399000002">');
    const f = runAll(makeContext([makePage(HOME, html, { isHomepage: true })]));
    const sc = f.find((x) => x.check === 'footer-site-code')!;
    expect(sc.evidence.unverified).toBe(true);
    expect(sc.detail).toContain('mismatch');
    const ee = f.find((x) => x.check === 'error-report-entry')!;
    expect(ee.detail).toBe('code-mismatch');
    expect(f).toHaveLength(2);
  });

  it('phone shown only as an image: unverified, not missing', () => {
    const f = runAll(makeContext([home('phone-image.html')]));
    expect(f).toHaveLength(1);
    expect(f[0].check).toBe('footer-contact');
    expect(f[0].evidence.unverified).toBe(true);
    expect(f[0].detail).toContain('unverified');
  });

  it('hidden 找错 entry: distinct detail 入口被隐藏', () => {
    const f = runAll(makeContext([home('hidden-entry.html')]));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'error-report-entry', url: HOME, detail: '入口被隐藏' });
    expect(f[0].evidence).toMatchObject({ onHomepage: true, confirmation: 'static' });
  });

  it('找错 entry code different from the footer code', () => {
    const f = runAll(makeContext([home('code-mismatch.html')]));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'error-report-entry', detail: 'code-mismatch' });
    expect(f[0].evidence).toMatchObject({ entryCode: '4399000009', footerCode: '4399000001', metaCode: '4399000001' });
  });

  it('找错 entry: one finding per page lacking it, url = that page', () => {
    const noEntry = fixture('complete.html').replace(/<script id="_jiucuo_"[^>]*><\/script>/, '');
    const pages = [
      home('complete.html'),
      makePage(ARTICLE(1), noEntry, { depth: 2 }),
      makePage(ARTICLE(2), noEntry, { depth: 2 }),
      makePage(ARTICLE(3), fixture('complete.html'), { depth: 2 }),
    ];
    const f = findingsOf(errorEntry, makeContext(pages));
    expect(f.map((x) => x.url)).toEqual([ARTICLE(1), ARTICLE(2)]);
    expect(f.every((x) => x.detail === 'missing' && x.evidence.onHomepage === false && x.evidence.confirmation === 'static')).toBe(true);
  });

  it('header without the site name: site-name header finding', () => {
    const f = runAll(makeContext([home('header-missing.html')]));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'site-name', url: HOME });
    expect(f[0].evidence).toMatchObject({ rule: 'header', confirmation: 'static', onHomepage: true });
  });
});

describe('JS-written footer', () => {
  it('static HTML only, browser unavailable: findings are unconfirmed', () => {
    const f = runAll(makeContext([home('js-footer.html')]));
    const ids = f.map((x) => x.check).sort();
    expect(ids).toEqual(['error-report-entry', 'footer-conac-badge', 'footer-contact', 'footer-icp', 'footer-police-filing', 'footer-site-code', 'footer-sponsor']);
    expect(f.every((x) => x.evidence.confirmation === 'unconfirmed')).toBe(true);
  });

  it('rendered DOM supplied: decided on it, silent', () => {
    const ctx = makeContext([home('js-footer.html')], withBrowser({ [HOME]: fixture('js-footer.rendered.html') }));
    expect(runAll(ctx)).toEqual([]);
  });

  it('rendered DOM that still lacks the items: findings confirmed as rendered', () => {
    const ctx = makeContext([home('js-footer.html')], withBrowser({ [HOME]: fixture('js-footer.html') }));
    const f = runAll(ctx);
    expect(f.length).toBe(7);
    expect(f.every((x) => x.evidence.confirmation === 'rendered')).toBe(true);
  });

  it('browser available but this page not rendered: still unconfirmed', () => {
    const ctx = makeContext([home('js-footer.html')], withBrowser({}));
    expect(runAll(ctx, FOOTER_SIX).every((x) => x.evidence.confirmation === 'unconfirmed')).toBe(true);
  });
});

describe('site-name naming rule', () => {
  it('is silent when SiteName/title carry the configured unit name', () => {
    const ctx = withUnit(makeContext([home('complete.html')]), '示例市人民政府');
    expect(findingsOf(siteName, ctx)).toEqual([]);
  });

  it('reports a site not named after the unit', () => {
    const ctx = withUnit(makeContext([home('complete.html')]), '另一县农业农村局');
    const f = findingsOf(siteName, ctx);
    const naming = f.filter((x) => x.evidence.rule === 'naming');
    expect(naming).toHaveLength(1);
    expect(naming[0].evidence.unverified).toBeUndefined();
    expect(naming[0].url).toBe(HOME);
  });

  it('a partial resemblance is only unverified', () => {
    const ctx = withUnit(makeContext([home('complete.html')]), '示例市财政局');
    const naming = findingsOf(siteName, ctx).filter((x) => x.evidence.rule === 'naming');
    expect(naming).toHaveLength(1);
    expect(naming[0].evidence.unverified).toBe(true);
  });

  it('a logo image without alt is not a deduction', () => {
    const html = fixture('complete.html').replace('alt="示例市人民政府门户网站"', '');
    const f = findingsOf(siteName, makeContext([makePage(HOME, html, { isHomepage: true })]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ rule: 'header', unverified: true });
  });
});

describe('hostile input never crashes', () => {
  const nasty = [
    '',
    '<html><body><div><p>主办单位：<b>',
    '<<<>>>&&&\u0000\uFFFD 网站标识码：',
    '<html><head></head><body>' + '<div>'.repeat(5000) + '湘ICP备12345678号' + '</div>'.repeat(5000) + '</body></html>',
    '<html><body>' + '<p>正文 0731-1234567 联系我们</p>'.repeat(20000) + '<div class="footer">网站标识码：4399000001</div></body></html>',
    `<html><body><script>document.write('${'<p>'.repeat(1000)}' + unescape(unescape(unescape('%253C')))</script><script>document.write(</script></body></html>`,
    '<html><body><footer><script src="javascript:void(0)"></script><a href="http://[::1">x</a></footer></body></html>',
  ];
  for (const [i, html] of nasty.entries()) {
    it(`input #${i}`, () => {
      const ctx = makeContext([makePage(HOME, html, { isHomepage: true }), makePage(ARTICLE(1), html, { depth: 1 })]);
      expect(() => runAll(ctx)).not.toThrow();
    });
  }

  it('pages that failed or are not HTML are skipped; no pages → no findings', () => {
    const bad = makePage(HOME, '', { isHomepage: true, status: null, error: 'timeout' });
    expect(runAll(makeContext([bad]))).toEqual([]);
    const ctx = makeContext([]);
    expect(runAll({ ...ctx, homepage: undefined })).toEqual([]);
  });
});
