import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditContext, Finding } from '../src/model.ts';
import { findingsOf, normalizeCheckOutput, runChecks } from '../src/checks.ts';
import { loadRubric } from '../src/score/rubric.ts';
import { scoreAudit } from '../src/score/engine.ts';
import { validateManual } from '../src/score/manual.ts';
import homepageStale, { homepageDates } from '../checks/homepage-stale.ts';
import { makeContext, makePage } from './helpers/page.ts';

/**
 * 首页超过2周不更新 (issue 10.4): a homepage whose dates cannot be read is 未核实 with what was seen, never stale; a
 * homepage that truly shows no date anywhere is a finding a reviewer must confirm; the date reader is run on every
 * real page of ../shared/real-pages and every fixture page, each as a homepage.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REAL = path.resolve(repoRoot, '../shared/real-pages');
const haveReal = fs.existsSync(REAL);
if (!haveReal) console.warn(`[homepage-dates] ${REAL} is absent: real-page tests are skipped`);
const FIXTURES = path.join(repoRoot, 'fixtures');
const H = 'http://www.qingshan.gov.cn';

const home = (body: string, head = '') =>
  makePage(`${H}/`, `<html><head><title>青山市人民政府</title>${head}</head><body>${body}<div class="footer">主办单位：青山市人民政府办公室 网站标识码：4399000001</div></body></html>`, {
    isHomepage: true,
  });
const run = (body: string, head = '', asOf = '2021-06-15') => findingsOf(homepageStale, makeContext([home(body, head)], { asOf }));
const scopeOf = (ctx: AuditContext) => normalizeCheckOutput(homepageStale.run(ctx)).scope;
const rows = (cells: string[]) => `<ul class="news">${cells.map((c) => `<li>${c}</li>`).join('')}</ul>`;
const TITLES = ['青山市召开全市经济工作会议部署全年任务', '市政府与省农业科学院签署战略合作协议', '青山市开展安全生产大检查专项行动部署', '全市农村人居环境整治现场推进会召开', '市领导看望慰问困难群众和老党员代表', '青山市召开优化营商环境工作推进大会'];
const undated = rows(TITLES.map((t, i) => `<a href="/news/show.asp?id=${100 + i}">${t}</a>`));

/** Would the finding cost points as it stands (not 未核实, not unconfirmed, not awaiting a reviewer)? */
const deducting = (f: Finding) => f.evidence.unverified !== true && f.evidence.confirmation !== 'unconfirmed' && f.evidence.confirm !== 'required';

describe('homepage-stale: dates on real homepage shapes', () => {
  it('03-21 in a span before the title, year in /201803/: stale since 2018, a plain finding', () => {
    const f = run(rows(TITLES.slice(0, 3).map((t, i) => `<span>03-2${i}</span><a href="/xxgk/201803/5a8f${i}.shtml">${t}</a>`)));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2018-03-22', newestSource: 'text', yearFrom: 'url', precision: 'day' });
    expect(deducting(f[0])).toBe(true);
    expect(f[0].detail).toContain('年份取自链接地址');
  });

  it('the same rows with a /202106/ directory are fresh', () => {
    expect(run(rows(TITLES.slice(0, 3).map((t, i) => `<span>06-1${i}</span><a href="/xxgk/202106/5a8f${i}.shtml">${t}</a>`)))).toEqual([]);
  });

  it('[06-10] after the title without any year: fresh at its freshest reading', () => {
    expect(run(rows(TITLES.map((t, i) => `<a href="/news/show.asp?id=${i}">${t}</a>[06-1${i % 4}]`)))).toEqual([]);
  });

  it('the date in a time meta of the rows', () => {
    expect(run(rows(TITLES.map((t, i) => `<a href="/news/${i}.html">${t}</a><time datetime="2021-06-1${i % 4}"></time>`)))).toEqual([]);
    const f = run(rows(TITLES.map((t, i) => `<a href="/news/${i}.html">${t}</a><time datetime="2021-05-0${i + 1}"></time>`)));
    expect(f[0].evidence).toMatchObject({ newestDate: '2021-05-06', newestSource: 'meta' });
  });

  it('a date after as-of + 1 day is ignored and counted', () => {
    const f = run(rows([`<a href="/news/1.html">${TITLES[0]}</a><span>2021-07-01</span>`, `<a href="/news/2.html">${TITLES[1]}</a><span>2021-05-01</span>`]));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2021-05-01', datesAfterAsOf: 1 });
  });
});

describe('homepage-stale: scopes', () => {
  it('checked with what was read when dated; unverified with what was seen when not; unverified without a homepage', () => {
    const fresh = scopeOf(makeContext([home(rows([`<a href="/news/1.html">${TITLES[0]}</a><span>2021-06-10</span>`]))]));
    expect(fresh).toMatchObject({ status: 'checked', stats: { items: 1 } });
    expect(fresh.summary).toContain('最新信息日期 2021-06-10（列表显示日期），距监测时间点 2021-06-15 5 天');
    const unread = scopeOf(makeContext([home(rows(TITLES.map((t, i) => `<a href="/news/${i}.html">${t}</a><span>2021-6</span>`)))]));
    expect(unread.status).toBe('unverified');
    expect(unread.reason).toContain('无法识别的日期样式：“2021-6”');
    expect(scopeOf(makeContext([home(undated)]))).toMatchObject({ status: 'checked' });
    expect(scopeOf(makeContext([]))).toMatchObject({ status: 'unverified', reason: '未抓取到首页，无法判断首页更新情况' });
    const down = makePage(`${H}/`, '', { isHomepage: true, status: 503 });
    expect(scopeOf(makeContext([down]))).toMatchObject({ status: 'unverified', reason: '首页无法打开（HTTP 503），无法判断首页更新情况' });
  });
});

describe('homepage-stale: the 单否 clause (首页超过2周不更新) as the engine sees it', () => {
  const city = loadRubric('hunan-2021-city');
  const clause = (body: string, head = '') => {
    const out = runChecks([homepageStale], makeContext([home(body, head)]));
    const r = scoreAudit({ rubric: city, findings: out.findings, profile: { unitType: 'city', hasPublicServices: true }, scopes: { 'homepage-stale': out.scopes['homepage-stale'] } });
    return { r, v: r.veto.items!.find((i) => i.id === 'veto.website-health.3')!, findings: out.findings };
  };

  it('undated homepage whose dates cannot be read: 未核实, never failed', () => {
    const { v, r } = clause(rows(TITLES.map((t, i) => `<a href="/news/${i}.html">${t}</a><span>2021-6</span>`)));
    expect(v).toMatchObject({ failed: false, pending: true, pendingKind: 'unverified' });
    expect(r.veto.failed).toBe(false);
  });

  it('items with no date anywhere: 待确认 until a reviewer decides, then failed', () => {
    const { v, r, findings } = clause(undated);
    expect(v.failed).toBe(false);
    expect(v.pending).toBe(true);
    expect(r.veto.failed).toBe(false);
    const confirmed = scoreAudit({
      rubric: city, findings, profile: { unitType: 'city', hasPublicServices: true },
      manual: validateManual({ site: findings[0].url, rubric: city.id, decisions: [{ check: 'homepage-stale', url: findings[0].url, action: 'confirm' }] }),
      scopes: { 'homepage-stale': { status: 'checked' } },
    });
    expect(confirmed.veto.items!.find((i) => i.id === 'veto.website-health.3')!.failed).toBe(true);
  });

  it('a dated stale homepage fails the clause; a fresh one passes it', () => {
    expect(clause(rows(TITLES.slice(0, 3).map((t, i) => `<span>03-2${i}</span><a href="/xxgk/201803/5a8f${i}.shtml">${t}</a>`))).v.failed).toBe(true);
    expect(clause(rows(TITLES.slice(0, 3).map((t, i) => `<span>06-1${i}</span><a href="/xxgk/202106/5a8f${i}.shtml">${t}</a>`))).v).toMatchObject({ failed: false, pending: false });
  });
});

describe('homepage-stale: no date read is never a plain 单否', () => {
  it('items and truly no date anywhere: a finding that needs a reviewer (confirm required)', () => {
    const f = run(undated);
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ confirm: 'required', onHomepage: true });
    expect(f[0].evidence.unverified).toBeUndefined();
    expect((f[0].evidence.undatedItems as unknown[]).length).toBe(6);
    expect(f[0].message).toContain('需人工确认');
    expect(deducting(f[0])).toBe(false);
  });

  it('dates it cannot read (2021-6 in every row): 未核实 with the items and the strings seen', () => {
    const f = run(rows(TITLES.map((t, i) => `<a href="/news/show.asp?id=${i}">${t}</a><span>2021-6</span>`)));
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ unverified: true, unreadDates: ['2021-6'] });
    expect(f[0].evidence.confirm).toBeUndefined();
    expect(f[0].detail).toContain('无法识别的日期样式：“2021-6”');
    expect(f[0].detail).toContain('识别出 6 条信息');
  });

  it('undated items but a date in a <meta>, a comment, a URL directory or the page text: 未核实, not confirm-required', () => {
    const variants: [string, string, string][] = [
      ['meta', '', '<meta name="time" content="2021-06-14 10:00">'],
      ['comment', '<!-- 2021-06-10 -->', ''],
      ['url', rows(TITLES.map((t, i) => `<a href="/news/202106/${i}.html">${t}</a>`)), ''],
      ['text', '<div class="today">2021年6月14日</div>', ''],
    ];
    for (const [name, extra, head] of variants) {
      const body = name === 'url' ? extra : undated + extra;
      const f = run(body, head);
      expect(f, name).toHaveLength(1);
      expect(f[0].evidence.unverified, name).toBe(true);
      expect(f[0].evidence.confirm, name).toBeUndefined();
    }
    const withMeta = run(undated, '<meta name="time" content="2021-06-14 10:00">');
    expect(withMeta[0].evidence).toMatchObject({ pageTime: '2021-06-14', pageTimeSource: 'meta', pageTimeWhere: 'time' });
    expect(withMeta[0].detail).toContain('页面自带时间：页面元数据（time）2021-06-14');
  });

  it('stale only because the year was inferred from the page time: confirm required', () => {
    // 06-10 read before the page generation time 2021-03-01 is 2020-06-10; before as-of it would be 2021-06-10.
    const f = run(rows(TITLES.map((t, i) => `<a href="/news/show.asp?id=${i}">${t}</a><span>06-1${i % 3}</span>`)), '<meta name="Maketime" content="2021-03-01 08:00:00">');
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2020-06-12', yearFrom: 'page-time', confirm: 'required' });
    expect(f[0].detail).toContain('按页面生成时间推算');
  });

  it('old lists but a recent page generation time: confirm required', () => {
    const f = run(rows(TITLES.map((t, i) => `<a href="/news/${i}.html">${t}</a><span>2021-05-0${i + 1}</span>`)), '<meta name="PubDate" content="2021-06-14 08:00">');
    expect(f[0].evidence).toMatchObject({ newestDate: '2021-05-06', confirm: 'required', pageTime: '2021-06-14' });
    expect(f[0].message).toContain('疑似');
  });

  it('old dates only in link URLs (no list item dated): confirm required', () => {
    const f = run('<div class="banner"><a href="/ztzl/201905/t20190510_1.html"><img src="/b.jpg"></a></div>' + undated);
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ newestDate: '2019-05-10', newestSource: 'url', confirm: 'required' });
    expect(f[0].detail).toContain('最新日期仅来自链接地址');
  });

  it('an old dated list beside a list whose dates cannot be read: confirm required', () => {
    const old = rows(TITLES.slice(0, 3).map((t, i) => `<a href="/a/${i}.html">${t}</a><span>2021-05-0${i + 1}</span>`));
    const unreadable = `<ol>${TITLES.slice(3).map((t, i) => `<li><a href="/b/${i}.html">${t}</a><span>2021-6</span></li>`).join('')}</ol>`;
    const f = run(old + unreadable);
    expect(f[0].evidence).toMatchObject({ newestDate: '2021-05-03', confirm: 'required' });
    expect(f[0].detail).toContain('部分信息的日期无法识别（“2021-6”）');
    // Undated rows that show no date at all do not make a dated stale list doubtful.
    const g = run(old + `<ol>${TITLES.slice(3).map((t, i) => `<li><a href="/b/${i}.html">${t}</a></li>`).join('')}</ol>`);
    expect(g[0].evidence.confirm).toBeUndefined();
  });

  it('old lists and a recent full date the reader could not tie to an item: confirm required; a "today is" widget is not such a date', () => {
    const list = rows(TITLES.map((t, i) => `<a href="/news/${i}.html">${t}</a><span>2021-05-0${i + 1}</span>`));
    const f = run(list + '<div class="headline"><h2><a href="/news/99.html">头条</a></h2><p>2021-06-13</p></div>');
    expect(f[0].evidence.confirm).toBe('required');
    expect(f[0].detail).toContain('2021-06-13');
    const g = run('<div class="top">今天是 2021年6月15日 星期二</div>' + list);
    expect(g[0].evidence.confirm).toBeUndefined();
    expect(deducting(g[0])).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Every real page and every fixture page as a homepage

interface PageCase {
  name: string;
  html: string;
  url: string;
  asOf: string;
}

const REAL_PAGES: { file: string; url: string; asOf: string }[] = [
  { file: 'shanxi.gov.cn-article.html', url: 'http://www.shanxi.gov.cn/', asOf: '2021-06-15' },
  { file: 'fgw.zj.gov.cn-article.html', url: 'http://fzggw.zj.gov.cn/', asOf: '2021-06-15' },
  { file: 'www.gov.cn-gazette.html', url: 'https://www.gov.cn/', asOf: '2021-06-15' },
  { file: 'cmse.gov.cn-page.html', url: 'http://www.cmse.gov.cn/', asOf: '2021-06-15' },
  { file: 'hunan-hospital-not-gov.html', url: 'http://www.zyyfy.com/', asOf: '2021-06-15' },
  // Saved in 2024: audited as of its own time.
  { file: 'xiangtan/article-utf16-declared-gb2312.html', url: 'http://www.xiangtan.gov.cn/', asOf: '2024-10-01' },
];

function readReal(file: string): string {
  const buf = fs.readFileSync(path.join(REAL, file));
  return file.includes('utf16') ? new TextDecoder('utf-16le').decode(buf) : buf.toString('utf8');
}

function fixturePages(): PageCase[] {
  const out: PageCase[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push({ name: path.relative(FIXTURES, p), html: fs.readFileSync(p, 'utf8'), url: `${H}/`, asOf: '2021-06-15' });
    }
  };
  walk(FIXTURES);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** One line of the per-page table: the homepage date found and its source, the page's own time, the verdict. */
function summarise(c: PageCase) {
  const ctx = makeContext([makePage(c.url, c.html, { isHomepage: true })], { asOf: c.asOf });
  const found = homepageDates(ctx)!;
  const findings = findingsOf(homepageStale, ctx);
  const n = found.newest;
  const verdict = findings.length === 0
    ? '未超期'
    : findings[0].evidence.unverified ? '未核实' : findings[0].evidence.confirm === 'required' ? '待确认' : '超期（扣分）';
  return {
    found,
    findings,
    row: {
      page: c.name,
      asOf: c.asOf,
      date: n ? n.date : '—',
      source: n ? `${n.where}${n.yearFrom && n.yearFrom !== 'shown' && n.yearFrom !== n.where ? ` (year: ${n.yearFrom})` : ''}` : '—',
      pageTime: found.pageTime ? `${found.pageTime.date} ${found.pageTime.source}:${found.pageTime.where}` : '—',
      items: `${found.items.length}/${found.cands.length}`,
      future: found.future,
      verdict,
    },
  };
}

/** The per-page date table, for people tuning the date reader: printed with GOVSITE_TEST_VERBOSE=1 only. */
function printTable(title: string, rowsOut: ReturnType<typeof summarise>['row'][]) {
  if (process.env.GOVSITE_TEST_VERBOSE !== '1') return;
  const lines = rowsOut.map((r) => `| ${r.page} | ${r.asOf} | ${r.date} | ${r.source} | ${r.pageTime} | ${r.items} | ${r.future} | ${r.verdict} |`);
  console.log(`[homepage-dates] ${title}\n| page | as-of | homepage date | source | page time | items/dated | future | verdict |\n|---|---|---|---|---|---|---|---|\n${lines.join('\n')}`);
}

describe.skipIf(!haveReal)('real pages as homepages', () => {
  const results = new Map(REAL_PAGES.map((p) => [p.file, summarise({ name: p.file, html: readReal(p.file), url: p.url, asOf: p.asOf })]));

  it('prints the per-page table and never deducts without a date read', () => {
    printTable('real pages', [...results.values()].map((r) => r.row));
    for (const [file, r] of results) {
      for (const f of r.findings) if (!r.found.newest) expect(deducting(f), file).toBe(false);
    }
  });

  it('finds each page\'s dates where they are', () => {
    const row = (f: string) => results.get(f)!.row;
    // Articles used as homepages: only link URLs carry dates, so the stale reading needs a reviewer.
    expect(row('shanxi.gov.cn-article.html')).toMatchObject({ date: '2018-05-03', source: 'url', pageTime: '2019-09-18 meta:pubdate', verdict: '待确认' });
    expect(row('www.gov.cn-gazette.html')).toMatchObject({ date: '2016-05-11', source: 'url', verdict: '待确认' });
    expect(row('www.gov.cn-gazette.html').future).toBeGreaterThan(0); // links dated after 2021-06-16: ignored
    expect(row('fgw.zj.gov.cn-article.html')).toMatchObject({ date: '—', pageTime: '2019-03-22 meta:maketime', verdict: '未核实' });
    expect(row('cmse.gov.cn-page.html')).toMatchObject({ date: '—', verdict: '未核实' });
    expect(row('hunan-hospital-not-gov.html')).toMatchObject({ date: '—', verdict: '未核实' });
    expect(row('xiangtan/article-utf16-declared-gb2312.html')).toMatchObject({ date: '—', pageTime: '2024-09-30 meta:published', verdict: '未核实' });
  });

  it('the 未核实 findings say what was seen', () => {
    const fgw = results.get('fgw.zj.gov.cn-article.html')!.findings[0];
    expect(fgw.evidence.pageTimes).toEqual(expect.arrayContaining([expect.objectContaining({ date: '2019-03-22', source: 'meta', where: 'maketime' })]));
    expect(fgw.evidence.shownDates).toEqual(expect.arrayContaining(['2016-11-22']));
    const cmse = results.get('cmse.gov.cn-page.html')!.findings[0];
    expect(cmse.evidence.unreadDates).toEqual(['6月24']);
    expect((cmse.evidence.urlDates as string[]).length).toBeGreaterThan(0);
  });
});

describe('fixture pages as homepages', () => {
  it('no page throws; a page with no date read never gets a deducting finding; the demo homepages are fresh', () => {
    const all = fixturePages().map(summarise);
    printTable('fixture pages', all.map((r) => r.row));
    expect(all.length).toBeGreaterThan(50);
    for (const r of all) for (const f of r.findings) if (!r.found.newest) expect(deducting(f), r.row.page).toBe(false);
    const byName = new Map(all.map((r) => [r.row.page, r.row]));
    expect(byName.get('sites/demo/index.html')).toMatchObject({ verdict: '未超期', date: '2021-06-10' });
    expect(byName.get('sites/demo-dept/index.html')).toMatchObject({ verdict: '未超期', date: '2021-06-11' });
    expect(byName.get('pages/content/home-stale.html')).toMatchObject({ verdict: '超期（扣分）', date: '2021-05-20' });
    expect(byName.get('pages/content/home-old-years.html')).toMatchObject({ verdict: '超期（扣分）', date: '2019-06-10', source: 'url' });
    expect(byName.get('pages/content/home-undated.html')).toMatchObject({ verdict: '待确认', date: '—' });
  });
});
