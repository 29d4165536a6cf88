import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sitePages } from './helpers/site-pages.ts';
import { makePage } from './helpers/page.ts';
import { analysePolicyPages, placeNamesOf } from '../src/analyze/policy/analyse.ts';
import { extractPolicyPage } from '../src/analyze/policy/extract.ts';
import { findTopics, topicFacts } from '../src/analyze/topics.ts';
import { dueReportYear, scanAnnualReports } from '../src/analyze/annual-report.ts';
import { findLinkageItems, parseLinkageXlsx, parseLinkageYaml, readLinkageFile } from '../src/analyze/linkage.ts';
import { previousMonth, scanServiceStats, statsMonth } from '../src/analyze/service-stats.ts';

const root = path.resolve(import.meta.dirname, '..');
const siteDir = path.join(root, 'fixtures/sites/policy');
const H = 'http://www.lvshui.gov.cn';
const pages = sitePages(siteDir, H);
const rel = (u: string) => u.slice(H.length);

/** The fixture pairs of fixtures/sites/policy: [document, interpretation, reason, interp→doc link, doc→interp link]. */
const PAIRS: [string, string, string, boolean, boolean][] = (
  JSON.parse(fs.readFileSync(path.join(root, 'fixtures/policy/site-pairs.json'), 'utf8')).pairs as { doc: string; interp: string; reason: string; interpLinksDoc: boolean; docLinksInterp: boolean }[]
).map((p) => [p.doc, p.interp, p.reason, p.interpLinksDoc, p.docLinksInterp]);

describe('policy documents and interpretations on the fixture site (TRS and Hanweb shapes)', () => {
  const a = analysePolicyPages(pages, { placeNames: placeNamesOf('绿水市人民政府') });

  it('reads every document and interpretation with its 文号, issuer, date and kind', () => {
    expect(a.documents).toHaveLength(15);
    expect(a.interpretations).toHaveLength(9);
    const doc = (p: string) => a.documents.find((d) => rel(d.url) === p)!;
    expect(doc('/zwgk/zcwj/202105/t20210510_8101.html')).toMatchObject({ docNo: '绿政发〔2021〕3号', regNo: 'LSPR-2021-00003', issuer: '绿水市人民政府', date: '2021-05-08', dateSource: 'written', innerTitles: ['绿水市促进民营经济高质量发展若干措施'] });
    expect(doc('/art/2021/1/18/art_3101_303.html').docNo).toBe('绿政发〔2021〕6号'); // written 绿政发〔２０２１〕６号
    expect(doc('/zwgk/zcwj/202103/t20210301_8102.html').docNo).toBe('绿政发〔2021〕2号'); // written 绿政发（2021）2号
    expect(doc('/art/2021/4/20/art_3101_301.html').docNo).toBe('绿政办发〔2021〕8号'); // written 绿政办发[2021]8号
    expect(doc('/zwgk/zcwj/202103/t20210325_8106.html').category).toBe('reply');
    expect(doc('/zwgk/zcwj/202106/t20210610_8110.html').category).toBe('personnel');
    expect(doc('/art/2021/5/6/art_3101_304.html').category).toBe('forward');
    const jd = (p: string) => a.interpretations.find((d) => rel(d.url) === p)!;
    expect(jd('/art/2021/4/22/art_3102_401.html')).toMatchObject({ form: 'graphic', imageOnly: true });
    expect(jd('/art/2021/3/15/art_3102_402.html')).toMatchObject({ form: 'qa', docNos: ['绿政发〔2021〕4号'] });
    // Navigation links are not relation links.
    for (const d of a.documents) for (const l of d.links) expect(rel(l.url), d.url).toMatch(/\/(?:art|zwgk\/zcjd)\/.*\.html$/);
  });

  it('matches exactly the fixture pairs, with their reasons and link directions', () => {
    const got = a.matches.map((m) => [rel(m.doc), rel(m.interp), m.reason, m.interpLinksDoc, m.docLinksInterp]).sort();
    expect(got).toEqual([...PAIRS].sort());
    // Look-alikes stay unmatched: the 数字经济 document and the province's 民营经济 interpretation.
    expect(a.matches.some((m) => m.doc.includes('8107') || m.interp.includes('8205'))).toBe(false);
    const sim = a.matches.find((m) => m.reason === 'similarity')!;
    expect(sim.score).toBeGreaterThanOrEqual(0.75);
    expect(sim.detail).toMatch(/标题相似度/);
  });

  it('an interpretation page that is not a content page, or a news page, is neither', () => {
    expect(extractPolicyPage(pages.find((p) => rel(p.url) === '/zwgk/zcjd/index.html')!)).toBeNull();
    expect(extractPolicyPage(pages.find((p) => rel(p.url) === '/xwzx/202106/t20210610_8703.html')!)).toBeNull();
  });
});

describe('专题专栏 on the fixture site', () => {
  const topics = findTopics(pages).map((t) => topicFacts(t, pages, '2021-06-15'));
  const by = (name: string) => topics.find((t) => t.name.startsWith(name))!;

  it('finds the topics of the homepage block and the section page, with their dates', () => {
    expect(topics.map((t) => t.name).sort()).toEqual(['乡村振兴（省政府门户网站专题）', '党史学习教育', '创建全国文明城市', '疫情防控专题'].sort());
    expect(by('党史学习教育')).toMatchObject({ source: 'homepage', external: false, finished: false, firstDate: '2021-03-05', newestDate: '2021-06-10', onSiteShare: 1 });
    expect(by('创建全国文明城市')).toMatchObject({ finished: false, firstDate: '2019-05-10', newestDate: '2021-01-20' });
    expect(by('疫情防控专题')).toMatchObject({ finished: true, newestDate: '2020-08-20' });
    expect(by('乡村振兴')).toMatchObject({ external: true, items: 0 });
  });
});

describe('年度报表', () => {
  it('the fixture site links its report column from the footer: the 2020 report, published 2021-01-25', () => {
    const scan = scanAnnualReports(pages);
    expect(scan.homepageLinks).toEqual([{ url: `${H}/ndbb/index.html`, text: '政府网站工作年度报表', inFooter: true }]);
    const r2020 = scan.reports.find((r) => r.year === 2020)!;
    expect(r2020).toMatchObject({ reach: 'homepage-column', date: '2021-01-25', pageRead: true, imageOnly: false });
  });

  it('judges the previous year from February 1, the year before that until January 31', () => {
    expect(dueReportYear('2021-06-15')).toBe(2020);
    expect(dueReportYear('2021-02-01')).toBe(2020);
    expect(dueReportYear('2021-01-31')).toBe(2019);
    expect(dueReportYear('2021-01-10')).toBe(2019);
  });

  it('reads an image-only report and keeps the 信息公开 annual report out', () => {
    const home = makePage(`${H}/`, '<html><body><div class="footer"><a href="/ndbb/2021/t20210208_1.html">青山市人民政府网站工作年度报表（2020年度）</a> <a href="/xxgk/ndbg/t20210120_2.html">2020年政府信息公开工作年度报告</a></div></body></html>', { isHomepage: true });
    const report = makePage(`${H}/ndbb/2021/t20210208_1.html`, '<html><head><meta name="ArticleTitle" content="青山市人民政府网站工作年度报表（2020年度）"><meta name="PubDate" content="2021-02-08 10:00"></head><body><h1>青山市人民政府网站工作年度报表（2020年度）</h1><div class="article-info">发布时间：2021-02-08 10:00</div><div class="TRS_Editor"><p><img src="/ndbb/2021/W1.png"></p></div></body></html>');
    const scan = scanAnnualReports([home, report]);
    expect(scan.reports).toHaveLength(1);
    expect(scan.reports[0]).toMatchObject({ year: 2020, date: '2021-02-08', imageOnly: true, reach: 'homepage-link' });
  });
});

describe('联动传播 lists', () => {
  const yamlFile = path.join(root, 'fixtures/policy/linkage-2021Q2.yaml');
  const xlsxFile = path.join(root, 'fixtures/policy/linkage-2021Q2.xlsx');

  it('YAML and XLSX give the same items', async () => {
    const y = parseLinkageYaml(fs.readFileSync(yamlFile, 'utf8'));
    const x = await parseLinkageXlsx(fs.readFileSync(xlsxFile));
    expect(y.errors).toEqual([]);
    expect(x.errors).toEqual([]);
    expect(y.items).toHaveLength(4);
    expect(x.items).toEqual(y.items);
    expect(y).toMatchObject({ quarter: '2021Q2', withinDays: 7 });
  });

  it('bad files give errors, not throws', async () => {
    expect(parseLinkageYaml('items: [ {title: x').errors[0]).toMatch(/YAML/);
    expect(parseLinkageYaml('items:\n  - title: 无日期的标题\n').errors[0]).toMatch(/no valid date/);
    expect((await parseLinkageXlsx(Buffer.from('not a zip'))).errors[0]).toMatch(/XLSX/);
    expect((await readLinkageFile('/nonexistent/x.yaml')).errors[0]).toMatch(/cannot read/);
  });

  it('finds relayed items on time, late, missing and not yet due', () => {
    const list = parseLinkageYaml(fs.readFileSync(yamlFile, 'utf8'));
    const cands = pages.flatMap((p) => {
      const r = extractTitle(p.html);
      return r ? [{ title: r, url: p.url, date: /t(\d{4})(\d{2})(\d{2})_/.exec(p.url)?.slice(1).join('-'), from: 'page' as const }] : [];
    });
    const res = findLinkageItems(list, cands, '2021-06-15');
    expect(res.map((r) => [r.item.title.slice(0, 12), r.status, r.hit ? rel(r.hit.url) : undefined])).toEqual([
      ['国务院办公厅关于加快发展', 'found', '/xwzx/202106/t20210603_8701.html'],
      ['湖南省人民政府办公厅关于', 'late', '/xwzx/202105/t20210525_8702.html'],
      ['国务院关于印发“十四五”', 'missing', undefined],
      ['湖南省人民政府关于实施“', 'not-due', undefined],
    ]);
  });
});

function extractTitle(html: string): string | undefined {
  return /<meta name="ArticleTitle" content="([^"]+)"/.exec(html)?.[1];
}

describe('办事统计', () => {
  it('reads the monthly statistics: 受理 and 办结 figures, latest month 2021-05', () => {
    const s = scanServiceStats(pages);
    expect(s).toMatchObject({ latestMonth: '2021-05', accepted: true, completed: true });
    expect(s.columns.map((c) => [rel(c.url), c.months])).toEqual([['/bsfw/bjtj/index.html', ['2021-05', '2021-04', '2021-03']]]);
  });

  it('months and the month before as-of', () => {
    expect(statsMonth('2021年1-5月全市办件情况')).toBe('2021-05');
    expect(statsMonth('2021年1月至4月')).toBe('2021-04');
    expect(statsMonth('5月份办件统计', 2021)).toBe('2021-05');
    expect(previousMonth('2021-06-15')).toBe('2021-05');
    expect(previousMonth('2021-01-05')).toBe('2020-12');
  });

  it('a statistics page without 办结 figures', () => {
    const p = makePage(`${H}/bsfw/bjtj/202106/t20210605_1.html`, '<html><head><meta name="ArticleTitle" content="2021年5月办件统计"></head><body><h1>2021年5月办件统计</h1><div class="TRS_Editor"><p>本月共受理办件 1200 件。</p></div></body></html>');
    expect(scanServiceStats([p])).toMatchObject({ latestMonth: '2021-05', accepted: true, completed: false });
  });
});
