import fs from 'node:fs';
import { findingsOf } from '../src/checks.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeContext, makePage } from './helpers/page.ts';
import type { AuditContext, Check, Finding, PageObservation } from '../src/model.ts';
import { DEFAULT_CHECK_OPTIONS } from '../src/model.ts';
import homepageStale from '../checks/homepage-stale.ts';
import emptyColumn from '../checks/empty-column.ts';
import staleColumn from '../checks/stale-column.ts';
import dateFormat from '../checks/date-format.ts';
import sourceLabel from '../checks/source-label.ts';
import requiredColumn from '../checks/required-column.ts';
import pageTags from '../checks/page-tags.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(repoRoot, 'fixtures/pages/content');
const realDir = path.resolve(repoRoot, '../shared/real-pages');
const haveReal = fs.existsSync(realDir);
if (!haveReal) console.warn(`[content-checks.test] ${realDir} is absent: real-page tests are skipped`);

const H = 'http://www.qingshan.gov.cn';
const ALL: Check[] = [homepageStale, emptyColumn, staleColumn, dateFormat, sourceLabel, requiredColumn, pageTags];

const URLS: Record<string, string> = {
  'home.html': `${H}/`,
  'column-news.html': `${H}/qsyw/index.html`,
  'column-news-stale.html': `${H}/zwgk/gzdt/index.html`,
  'column-news-stale-page2.html': `${H}/zwgk/gzdt/index_1.html`,
  'column-notice-table.html': `${H}/tzgg/index.html`,
  'column-policy-stale.html': `${H}/zwgk/zcwj/index.html`,
  'column-hanweb.html': `${H}/col/col4501/index.html`,
  'column-empty.html': `${H}/ztzl/xczx/index.html`,
  'column-empty-js.html': `${H}/col/col4520/index.html`,
  'column-leader.html': `${H}/ldzc/index.html`,
  'content-good.html': `${H}/qsyw/202106/t20210603_6990.html`,
  'content-cn-date.html': `${H}/zwgk/bmdt/202106/t20210603_7102.html`,
  'content-xxgk.html': `${H}/zwgk/zcwj/202106/t20210603_7103.html`,
  'content-slash.html': `${H}/zwgk/tjxx/202105/t20210514_6800.html`,
};

function page(file: string, url = URLS[file] ?? `${H}/`, extra: Partial<PageObservation> = {}): PageObservation {
  const html = fs.readFileSync(path.join(fixtures, file), 'utf8');
  return makePage(url, html, { isHomepage: file.startsWith('home'), depth: file.startsWith('home') ? 0 : 1, ...extra });
}

function sitePages(exclude: string[] = []): PageObservation[] {
  return Object.keys(URLS)
    .filter((f) => !exclude.includes(f))
    .map((f) => page(f));
}

const byCheck = (findings: Finding[], id: string) => findings.filter((f) => f.check === id);
const deducting = (findings: Finding[]) => findings.filter((f) => !f.evidence.unverified);

function runAll(ctx: AuditContext): Finding[] {
  return ALL.flatMap((c) => findingsOf(c, ctx));
}

describe('check metadata', () => {
  it('has the fixed ids, Chinese titles and flags', () => {
    expect(ALL.map((c) => c.id)).toEqual(['homepage-stale', 'empty-column', 'stale-column', 'date-format', 'source-label', 'required-column', 'page-tags']);
    for (const c of ALL) {
      expect(c.title).toMatch(/[\u4e00-\u9fa5]/);
      expect(c.needsHtml).toBe(true);
    }
    expect(sourceLabel.machineAssisted).toBe(true);
  });
});

describe('the fixture city site as a whole (as of 2021-06-15)', () => {
  const ctx = makeContext(sitePages());
  const findings = runAll(ctx);

  it('every finding names its check, a URL of the site and a Chinese message', () => {
    for (const f of findings) {
      expect(f.url.startsWith(H)).toBe(true);
      expect(f.message).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  it('homepage-stale: a homepage with year-less 06-10 dates and dated URLs is fresh', () => {
    expect(byCheck(findings, 'homepage-stale')).toEqual([]);
  });

  it('required-column: 走进青山 / 领导之窗 / 青山要闻 / 机构设置 / 政策文件 / 图解 cover all six', () => {
    expect(byCheck(findings, 'required-column')).toEqual([]);
  });

  it('stale-column: only the stale news column, once (its page 2 is not another column)', () => {
    const f = byCheck(findings, 'stale-column');
    expect(f.map((x) => x.url)).toEqual([URLS['column-news-stale.html']]);
    expect(f[0].evidence).toMatchObject({ columnType: 'news', columnName: '工作动态', newestDate: '2021-05-20', periodDays: 14, ageDays: 26 });
    expect(f[0].evidence.newestItemUrl).toBe(`${H}/zwgk/gzdt/202105/t20210520_6001.html`);
    expect(f[0].detail).toContain('2021-05-20');
    expect(f[0].detail).toContain('14');
  });

  it('stale-column: a newer crawled content page of the policy column keeps it fresh', () => {
    // column-policy-stale lists 2020-11-30 at most, but content-xxgk (2021-06-03) links to it in its breadcrumb.
    expect(byCheck(findings, 'stale-column').some((f) => f.url === URLS['column-policy-stale.html'])).toBe(false);
  });

  it('empty-column: the placeholder column; the script-filled one only unverified; not the leaders page', () => {
    const f = byCheck(findings, 'empty-column');
    const sure = deducting(f);
    expect(sure.map((x) => x.url)).toEqual([URLS['column-empty.html']]);
    expect(sure[0].evidence).toMatchObject({ columnName: '乡村振兴', columnType: 'unknown', placeholder: '该栏目暂无内容', confirmation: 'static' });
    const unsure = f.filter((x) => x.evidence.unverified);
    expect(unsure.map((x) => x.url)).toEqual([URLS['column-empty-js.html']]);
    expect(unsure[0].evidence).toMatchObject({ confirmation: 'unconfirmed', columnType: 'personnel' });
    expect(f.some((x) => x.url === URLS['column-leader.html'])).toBe(false);
  });

  it('date-format: 2021年06月03日 and 2021/05/14, not 2021-06-03 09:30 nor a 成文日期', () => {
    const f = byCheck(findings, 'date-format');
    expect(f.map((x) => x.url).sort()).toEqual([URLS['content-cn-date.html'], URLS['content-slash.html']].sort());
    expect(f.find((x) => x.url === URLS['content-cn-date.html'])?.detail).toBe('发布时间：2021年06月03日');
    expect(f.find((x) => x.url === URLS['content-slash.html'])?.detail).toBe('日期：2021/05/14');
  });

  it('source-label: only the page without a source; 来源：本网, 信息来源 and 发布机构 count', () => {
    const f = byCheck(findings, 'source-label');
    expect(f.map((x) => x.url)).toEqual([URLS['content-cn-date.html']]);
  });

  it('page-tags: the content page with a blank SiteIDCode and missing ColumnType/ContentSource', () => {
    const f = byCheck(findings, 'page-tags');
    expect(f.map((x) => x.url)).toEqual([URLS['content-cn-date.html']]);
    expect(f[0].evidence).toMatchObject({ blank: ['SiteIDCode'], absent: ['ColumnType', 'ContentSource'] });
    expect(f[0].detail).toContain('SiteIDCode');
    expect(f[0].detail).toContain('ColumnType');
    expect(f[0].detail).toContain('ContentSource');
  });
});

describe('stale-column variants', () => {
  it('reports the policy column (197 days > 183) when no newer page of it was crawled', () => {
    const ctx = makeContext(sitePages(['content-xxgk.html']));
    const f = findingsOf(staleColumn, ctx).filter((x) => x.url === URLS['column-policy-stale.html']);
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ columnType: 'policy', periodDays: 183, newestDate: '2020-11-30', ageDays: 197 });
  });

  it('keeps the notice column (106 days < 183) and honours a stricter configured period', () => {
    const notice = page('column-notice-table.html');
    expect(findingsOf(staleColumn, makeContext([page('home.html'), notice]))).toEqual([]);
    const strict = makeContext([page('home.html'), notice], { options: { ...DEFAULT_CHECK_OPTIONS, stalePeriods: { ...DEFAULT_CHECK_OPTIONS.stalePeriods, notice: 90 } } });
    expect(findingsOf(staleColumn, strict).map((x) => x.url)).toEqual([URLS['column-notice-table.html']]);
  });

  it('does not judge columns of unknown type, nor single-page columns without dates', () => {
    const special = page('column-news-stale.html', `${H}/ztzl/abc/index.html`);
    special.html = special.html.replace(/工作动态/g, '专题活动');
    expect(findingsOf(staleColumn, makeContext([page('home.html'), special, page('column-leader.html')]))).toEqual([]);
  });

  it('a sidebar list of another column while the real list loads by script: unverified only', () => {
    const html =
      '<html><head><title>工作动态_青山市人民政府</title><meta name="ColumnName" content="工作动态"></head><body>' +
      '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col4600/index.html">工作动态</a></div>' +
      '<div class="side"><h4>通知公告</h4><ul>' +
      '<li><a href="/art/2021/4/1/art_4700_1.html">关于开展春季爱国卫生运动的通知</a><span>2021-04-01</span></li>' +
      '<li><a href="/art/2021/3/1/art_4700_2.html">关于做好清明节期间森林防火工作的通知</a><span>2021-03-01</span></li>' +
      '</ul></div><div id="4600"></div>' +
      '<script src="/module/web/jpage/jpage.js"></script><script>$.ajax({url:"/module/web/jpage/dataproxy.jsp?columnid=4600"})</script>' +
      '</body></html>';
    const f = findingsOf(staleColumn, makeContext([page('home.html'), makePage(`${H}/col/col4600/index.html`, html, { depth: 1 })]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ unverified: true, confirmation: 'unconfirmed', ownItemsShare: 0 });
  });

  it('reads the rendered DOM when the browser captured it', () => {
    const col = page('column-empty-js.html');
    const rendered = col.html.replace(
      '<p class="nodata">暂无信息</p>',
      '<ul><li><a href="/art/2019/3/1/art_4520_1.html">关于张三同志任职的通知</a><span>2019-03-01</span></li></ul>',
    );
    const ctx = makeContext([page('home.html'), col], {
      browser: { available: true, pages: new Map([[col.url, { url: col.url, html: rendered, at: '2021-06-15T00:00:00Z' }]]) },
    });
    const f = findingsOf(staleColumn, ctx);
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ columnType: 'personnel', periodDays: 365, confirmation: 'rendered' });
    expect(findingsOf(emptyColumn, ctx)).toEqual([]);
  });
});

describe('homepage-stale variants', () => {
  it('reports a homepage whose newest item is 2021-05-20 (26 days)', () => {
    const f = findingsOf(homepageStale, makeContext([page('home-stale.html')]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2021-05-20', ageDays: 26, thresholdDays: 14, onHomepage: true });
    expect(f[0].evidence.unverified).toBeUndefined();
    expect(f[0].detail).toContain('2021-05-20');
  });

  it('a stale static homepage whose lists may load by script: unverified until rendered', () => {
    const home = page('home-stale.html');
    home.html = home.html.replace('</body>', '<script>$.ajax({ url: "/api/news/latest", success: function (d) { $("#news").html(d); } });</script></body>');
    const f = findingsOf(homepageStale, makeContext([home]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ unverified: true, confirmation: 'unconfirmed', newestDate: '2021-05-20' });
    const ctx = makeContext([home], { browser: { available: true, pages: new Map([[home.url, { url: home.url, html: home.html, at: '2021-06-15T00:00:00Z' }]]) } });
    const g = findingsOf(homepageStale, ctx);
    expect(g[0].evidence.unverified).toBeUndefined();
    expect(g[0].evidence.confirmation).toBe('rendered');
  });

  it('takes the year from the URL: 06-10 shown, t20190610 in the link → stale since 2019', () => {
    const f = findingsOf(homepageStale, makeContext([page('home-old-years.html')]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2019-06-10', precision: 'day' });
  });

  it('reads only-03-18 homepages at the freshest year and says so', () => {
    const html = fs
      .readFileSync(path.join(fixtures, 'home-old-years.html'), 'utf8')
      .replace(/\/2019\d{2}\/t2019\d{4}_(\d+)/g, '/show_$1')
      .replace('06-10', '03-18')
      .replace('06-05', '03-11')
      .replace('05-28', '02-28');
    const f = findingsOf(homepageStale, makeContext([makePage(`${H}/`, html, { isHomepage: true })]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2021-03-18', precision: 'month-day' });
    expect(f[0].detail).toContain('未显示年份');
    // The same with 06-10 is fresh.
    const fresh = html.replace('03-18', '06-10');
    expect(findingsOf(homepageStale, makeContext([makePage(`${H}/`, fresh, { isHomepage: true })]))).toEqual([]);
  });

  it('counts the dates of crawled content pages the homepage links to', () => {
    const home = page('home-undated.html');
    const linked = makePage(
      `${H}/news/show.asp?id=101`,
      '<html><head><title>青山市召开全市经济工作会议部署全年任务</title><meta name="ArticleTitle" content="青山市召开全市经济工作会议部署全年任务"></head><body>' +
        '<h1>青山市召开全市经济工作会议部署全年任务</h1><div>发布时间：2021-06-10 10:00　来源：本网</div><div id="zoom"><p>会议内容。</p></div></body></html>',
      { depth: 1 },
    );
    expect(findingsOf(homepageStale, makeContext([home, linked]))).toEqual([]);
  });

  it('no dates anywhere but a clear list of items: a finding a reviewer must confirm', () => {
    const f = findingsOf(homepageStale, makeContext([page('home-undated.html')]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence.unverified).toBeUndefined();
    expect(f[0].evidence.confirm).toBe('required');
    expect(f[0].detail).toContain('均未显示日期');
  });

  it('no dates and no list (script-built homepage): unverified only', () => {
    const f = findingsOf(homepageStale, makeContext([page('home-js.html')]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ unverified: true, confirmation: 'unconfirmed' });
  });

  it('no homepage or a failed one: nothing', () => {
    expect(findingsOf(homepageStale, makeContext([]))).toEqual([]);
    expect(findingsOf(homepageStale, makeContext([page('home.html', `${H}/`, { status: 503 })]))).toEqual([]);
  });
});

describe('empty-column look-alikes', () => {
  it('a list page with a 暂无信息 sidebar widget is not blank', () => {
    const col = page('column-news.html');
    col.html = col.html.replace('<h4>热点推荐</h4>', '<h4>相关下载</h4><p>暂无信息</p><h4>热点推荐</h4>');
    expect(findingsOf(emptyColumn, makeContext([page('home.html'), col]))).toEqual([]);
  });

  it('a landing page of image links to articles with one empty block is not blank', () => {
    const html =
      '<html><head><title>乡村振兴专题</title><meta name="ColumnName" content="乡村振兴"></head><body>' +
      '<div class="banner"><a href="/ztzl/xczx/202106/t20210601_1.html"><img src="/a.jpg"></a>' +
      '<a href="/ztzl/xczx/202105/t20210520_2.html"><img src="/b.jpg"></a><a href="/ztzl/xczx/202105/t20210510_3.html"><img src="/c.jpg"></a></div>' +
      '<div class="block"><h3>典型案例</h3><p>暂无信息</p></div></body></html>';
    expect(findingsOf(emptyColumn, makeContext([page('home.html'), makePage(`${H}/ztzl/xczx/`, html, { depth: 1 })]))).toEqual([]);
  });
});

describe('required-column variants', () => {
  it('city site missing 概况信息 and 政策解读 (政策法规 counts for 政策文件)', () => {
    const f = findingsOf(requiredColumn, makeContext([page('home-stale.html')]));
    expect(f.map((x) => x.detail)).toEqual(['概况信息', '政策解读']);
    for (const x of f) {
      expect(x.url).toBe(`${H}/`);
      expect(x.evidence.unverified).toBeUndefined();
    }
  });

  it('provincial department: only its four columns are required', () => {
    const f = findingsOf(requiredColumn, makeContext([page('home-stale.html')], { site: { url: `${H}/`, host: 'www.qingshan.gov.cn', unitType: 'provincial' } }));
    expect(f).toEqual([]);
    const html = fs.readFileSync(path.join(fixtures, 'home-stale.html'), 'utf8').replace('<a href="/zwgk/zcfg/index.html">政策法规</a> |', '');
    const g = findingsOf(requiredColumn, makeContext([makePage(`${H}/`, html, { isHomepage: true })], { site: { url: `${H}/`, host: 'www.qingshan.gov.cn', unitType: 'provincial' } }));
    expect(g.map((x) => x.detail)).toEqual(['政策文件']);
  });

  it('finds columns named only on crawled pages (ColumnName tag, breadcrumb)', () => {
    const home = page('home-stale.html');
    const col = makePage(`${H}/zjqs/index.html`, '<html><head><meta name="ColumnName" content="走进青山"></head><body><ul></ul></body></html>');
    const art = makePage(
      `${H}/zcjd/202106/t20210601_1.html`,
      '<html><head><title>x</title></head><body><div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zcjd/">政策解读</a></div></body></html>',
    );
    expect(findingsOf(requiredColumn, makeContext([home, col, art]))).toEqual([]);
  });

  it('a script-written navigation without a rendered DOM: unverified, unconfirmed', () => {
    const f = findingsOf(requiredColumn, makeContext([page('home-js.html')]));
    expect(f).toHaveLength(6);
    for (const x of f) expect(x.evidence).toMatchObject({ unverified: true, confirmation: 'unconfirmed' });
  });

  it('uses the rendered homepage links when the browser ran', () => {
    const home = page('home-js.html');
    const rendered = home.html.replace(
      '<div id="app"></div>',
      '<div id="app"><a href="/a/">市情概况</a><a href="/b/">机构职能</a><a href="/c/">领导简介</a><a href="/d/">政务动态</a><a href="/e/">规范性文件</a><a href="/f/">政策解读</a></div>',
    );
    const ctx = makeContext([home], { browser: { available: true, pages: new Map([[home.url, { url: home.url, html: rendered, at: '2021-06-15T00:00:00Z' }]]) } });
    expect(findingsOf(requiredColumn, ctx)).toEqual([]);
  });
});

describe('content-page checks: look-alikes', () => {
  const art = (meta: string, body: string) =>
    makePage(
      `${H}/gzdt/202106/t20210603_9001.html`,
      `<html><head><title>青山市召开防汛工作会议</title>${meta}</head><body><h1>青山市召开防汛工作会议</h1>${body}` +
        '<div id="zoom"><p>会议要求各地做好防汛准备工作，确保安全度汛。时间：2021年6月20日。</p></div><div class="footer">主办单位：青山市人民政府办公室</div></body></html>',
      { depth: 2 },
    );
  const TAGS =
    '<meta name="SiteName" content="青山市人民政府"><meta name="SiteDomain" content="www.qingshan.gov.cn"><meta name="SiteIDCode" content="4399000001">' +
    '<meta name="ColumnName" content="工作动态"><meta name="ColumnDescription" content="工作动态"><meta name="ColumnKeywords" content="动态"><meta name="ColumnType" content="工作动态">' +
    '<meta name="ArticleTitle" content="青山市召开防汛工作会议"><meta name="PubDate" content="2021-06-03 09:30"><meta name="ContentSource" content="本网">';

  it('date-format fires for each non-standard format', () => {
    for (const shown of ['2021-5-3', '21-06-03', '2021.06.03', '2021/05/14', '2021年6月3日']) {
      const f = findingsOf(dateFormat, makeContext([page('home.html'), art(TAGS, `<div>发布时间：${shown}　来源：本网</div>`)]));
      expect(f.map((x) => x.detail), shown).toEqual([`发布时间：${shown}`]);
    }
  });

  it('date-format is quiet for YYYY-MM-DD HH:MM:SS, and for a page showing no label at all', () => {
    expect(findingsOf(dateFormat, makeContext([page('home.html'), art(TAGS, '<div>发布时间：2021-06-03 09:30:15　来源：本网</div>')]))).toEqual([]);
    expect(findingsOf(dateFormat, makeContext([page('home.html'), art(TAGS, '<div>来源：本网</div>')]))).toEqual([]);
  });

  it('date-format does not run on column pages', () => {
    expect(findingsOf(dateFormat, makeContext([page('home.html'), page('column-notice-table.html')]))).toEqual([]);
  });

  it('source-label: a blank 来源： is reported, a source at the end of the body is enough', () => {
    const blank = findingsOf(sourceLabel, makeContext([page('home.html'), art(TAGS, '<div>发布时间：2021-06-03　来源：</div>')]));
    expect(blank).toHaveLength(1);
    expect(blank[0].detail).toContain('来源');
    expect(blank[0].evidence.metaContentSource).toBe('本网');
    const inBody = art(TAGS, '<div>发布时间：2021-06-03</div>');
    inBody.html = inBody.html.replace('确保安全度汛。', '确保安全度汛。（来源：青山日报）');
    expect(findingsOf(sourceLabel, makeContext([page('home.html'), inBody]))).toEqual([]);
  });

  it('page-tags: names match case-insensitively; blank content counts as missing; unknown ColumnType is fine', () => {
    const odd = TAGS.replace('name="ContentSource"', 'name="contentsource"').replace('content="工作动态">', 'content="要闻动态首页">');
    expect(findingsOf(pageTags, makeContext([page('home.html'), art(odd, '<div>发布时间：2021-06-03　来源：本网</div>')]))).toEqual([]);
    const blank = TAGS.replace('content="4399000001"', 'content=" "');
    const f = findingsOf(pageTags, makeContext([page('home.html'), art(blank, '<div>发布时间：2021-06-03　来源：本网</div>')]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ missing: ['SiteIDCode'], blank: ['SiteIDCode'] });
  });

  it('page-tags: the homepage needs site tags only; column pages no content tags', () => {
    expect(findingsOf(pageTags, makeContext([page('home.html'), page('column-news.html')]))).toEqual([]);
    const f = findingsOf(pageTags, makeContext([page('home-undated.html')]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ pageKind: 'home', missing: ['SiteName', 'SiteDomain', 'SiteIDCode'] });
  });

  it('checks never throw on hostile pages', () => {
    const hostile = [
      makePage(`${H}/`, '<html><body>' + '<div>'.repeat(3_000) + '暂无信息' + '</div>'.repeat(3_000), { isHomepage: true }),
      makePage(`${H}/a/index.html`, '<table><tr><td><a href="javascript:">发布时间：2021年13月45日</a>'),
      makePage(`${H}/b/t20210603_1.html`, '\u0000<meta name="SiteName"><<<<发布时间：9999-99-99 来源：'),
      makePage(`${H}/c/index.html`, '', { status: null, error: 'timeout' }),
    ];
    const ctx = makeContext(hostile);
    for (const c of ALL) expect(() => findingsOf(c, ctx), c.id).not.toThrow();
  });
});

describe.skipIf(!haveReal)('real pages: nothing absurd fires', () => {
  const read = (f: string) => fs.readFileSync(path.join(realDir, f), 'utf8');
  const real: Record<string, PageObservation> = {
    shanxi: makePage('http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml', read('shanxi.gov.cn-article.html'), { depth: 2 }),
    fgw: makePage('http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html', read('fgw.zj.gov.cn-article.html'), { depth: 2 }),
    govcn: makePage('https://www.gov.cn/gongbao/content/2007/content_711039.htm', read('www.gov.cn-gazette.html'), { depth: 2 }),
    cmse: makePage('http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html', read('cmse.gov.cn-page.html'), { depth: 2 }),
    hospital: makePage('http://www.example-hospital.com/nets/zyyy/page/pc/article/detail.shtml?id=1', read('hunan-hospital-not-gov.html'), { depth: 2 }),
    xiangtan: makePage(
      'http://www.xiangtan.gov.cn/109/171/174/content_1335045.html',
      new TextDecoder('utf-16le').decode(fs.readFileSync(path.join(realDir, 'xiangtan/article-utf16-declared-gb2312.html'))),
      { depth: 2 },
    ),
  };
  const run = (check: Check, p: PageObservation) => {
    const home = makePage(new URL('/', p.url).href, '<html><head><title>home</title></head><body></body></html>', { isHomepage: true });
    return findingsOf(check, makeContext([home, p])).filter((f) => f.url === p.url);
  };

  it('page-tags: fgw.zj reports blank SiteIDCode and ColumnType, accepts contentSource in odd case', () => {
    const f = run(pageTags, real.fgw);
    expect(f).toHaveLength(1);
    expect(f[0].evidence.blank).toEqual(['SiteIDCode', 'ColumnType']);
    expect(f[0].evidence.missing).not.toContain('ContentSource');
    expect(f[0].evidence.missing).not.toContain('ArticleTitle');
  });

  it('page-tags: shanxi has its site and content tags (SiteIDCode twice) but lacks ColumnType etc.', () => {
    const f = run(pageTags, real.shanxi);
    expect(f).toHaveLength(1);
    expect(f[0].evidence.missing).toEqual(['ColumnDescription', 'ColumnKeywords', 'ColumnType']);
  });

  it('page-tags: the xiangtan article has every tag', () => {
    expect(run(pageTags, real.xiangtan)).toEqual([]);
  });

  it('date-format: quiet on pages that show YYYY-MM-DD; fires on 2019年10月31日', () => {
    for (const k of ['shanxi', 'fgw', 'govcn', 'cmse', 'xiangtan']) expect(run(dateFormat, real[k]), k).toEqual([]);
    const f = run(dateFormat, real.hospital);
    expect(f).toHaveLength(1);
    expect(f[0].detail).toContain('2019年10月31日');
  });

  it('source-label: quiet where a source is shown (incl. 本站原创 and a comment-wrapped value)', () => {
    for (const k of ['shanxi', 'fgw', 'hospital']) expect(run(sourceLabel, real[k]), k).toEqual([]);
    // The xiangtan article shows no source label (only its ContentSource tag): a machine-assisted candidate.
    const f = run(sourceLabel, real.xiangtan);
    expect(f).toHaveLength(1);
    expect(f[0].evidence.metaContentSource).toBe('湘潭日报·新湘潭客户端');
  });

  it('column checks stay quiet on article pages', () => {
    for (const [k, p] of Object.entries(real)) {
      expect(run(emptyColumn, p), k).toEqual([]);
      expect(run(staleColumn, p), k).toEqual([]);
    }
  });

  it('no check throws on any real page used as a homepage', () => {
    for (const p of Object.values(real)) {
      const home = { ...p, isHomepage: true, depth: 0 };
      const ctx = makeContext([home]);
      for (const c of ALL) expect(() => findingsOf(c, ctx), `${c.id} on ${p.url}`).not.toThrow();
    }
  });
});
