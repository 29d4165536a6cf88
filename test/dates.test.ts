import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makePage } from './helpers/page.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import {
  addDays, ageInDays, datesFromUrl, datesInComments, daysBetween, findDatesInText, findMonthDays, findPublicationDate,
  isIsoDateDisplay, normalizeYmd, parseShownDate, primaryPublicationLabel, resolveMonthDay, toHalfWidth, urlDate, visibleText,
} from '../src/analyze/dates.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(repoRoot, 'fixtures/pages/content');
const realDir = path.resolve(repoRoot, '../shared/real-pages');
const haveReal = fs.existsSync(realDir);
if (!haveReal) console.warn(`[dates.test] ${realDir} is absent: real-page tests are skipped`);

const H = 'http://www.qingshan.gov.cn';
const fixture = (name: string, url: string) => makePage(url, fs.readFileSync(path.join(fixtures, name), 'utf8'));
const article = (info: string, body = '<p>正文内容。</p>', extraHead = '') =>
  `<html><head><title>测试文章标题_青山市人民政府</title>${extraHead}</head><body><div class="nav"><a href="/">首页</a></div>` +
  `<h1>测试文章标题</h1><div class="info">${info}</div><div id="zoom">${body}</div>` +
  `<div class="footer">主办单位：青山市人民政府办公室 网站标识码：4399000001</div></body></html>`;

describe('normalisation and arithmetic', () => {
  it('normalises valid dates and rejects impossible ones', () => {
    expect(normalizeYmd(2021, 6, 3)).toBe('2021-06-03');
    expect(normalizeYmd('21', '6', '3')).toBe('2021-06-03');
    expect(normalizeYmd(2021, 2, 29)).toBeNull();
    expect(normalizeYmd(2020, 2, 29)).toBe('2020-02-29');
    expect(normalizeYmd(2021, 13, 1)).toBeNull();
    expect(normalizeYmd(1800, 1, 1)).toBeNull();
  });

  it('counts days across months, leap years and years', () => {
    expect(daysBetween('2021-06-01', '2021-06-15')).toBe(14);
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2);
    expect(daysBetween('2020-12-31', '2021-01-01')).toBe(1);
    expect(ageInDays('2021-06-15', '2021-06-15')).toBe(0);
    expect(ageInDays('2021-06-20', '2021-06-15')).toBe(-5);
    expect(daysBetween('garbage', '2021-06-15')).toBeNaN();
    expect(addDays('2021-06-30', 1)).toBe('2021-07-01');
  });

  it('reads a year-less date as its freshest reading not after as-of', () => {
    expect(resolveMonthDay(3, 18, '2021-06-15')).toBe('2021-03-18');
    expect(resolveMonthDay(6, 16, '2021-06-15')).toBe('2021-06-16'); // one day of slack for time zones
    expect(resolveMonthDay(12, 30, '2021-06-15')).toBe('2020-12-30');
    expect(resolveMonthDay(2, 29, '2021-06-15')).toBe('2020-02-29');
    expect(resolveMonthDay(13, 1, '2021-06-15')).toBeNull();
  });

  it('converts full-width digits', () => {
    expect(toHalfWidth('２０２１－０６－０３')).toBe('2021-06-03');
  });
});

describe('dates in text, comments and URLs', () => {
  it('finds full dates in the common formats', () => {
    const hits = findDatesInText('发布于2021-06-03，更新 2021/5/4，旧稿 2020.12.01，另见2019年3月8日');
    expect(hits.map((h) => h.date)).toEqual(['2021-06-03', '2021-05-04', '2020-12-01', '2019-03-08']);
  });

  it('does not read phone numbers, versions or invalid dates as dates', () => {
    expect(findDatesInText('电话：0731-8866-5207 版本 1.2.3 编号 2021-13-45')).toEqual([]);
  });

  it('finds month-day dates without a year', () => {
    const hits = findMonthDays('[03-18]', '2021-06-15');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ date: '2021-03-18', precision: 'month-day' });
    expect(findMonthDays('6月10日', '2021-06-15')[0].date).toBe('2021-06-10');
    expect(findMonthDays('09:30', '2021-06-15')).toEqual([]);
  });

  it('reads TRS, Hanweb, WebPlus and attachment URL dates', () => {
    expect(urlDate('http://www.qingshan.gov.cn/qsyw/202106/t20210610_7001.html')).toBe('2021-06-10');
    expect(urlDate('http://fgw.example.gov.cn/art/2016/11/22/art_1621004_30332664.html')).toBe('2016-11-22');
    expect(urlDate('http://www.example.edu.cn/2021/0610/c1234a56789/page.htm')).toBe('2021-06-10');
    expect(urlDate('http://www.qingshan.gov.cn/qsyw/201803/W020180319415180667056.jpg')).toBe('2018-03-19');
    expect(urlDate('http://www.example.gov.cn/gzdt/2021-06/10/content_1234.htm')).toBe('2021-06-10');
    expect(urlDate('http://www.example.gov.cn/109/171/174/content_1335045.html')).toBeUndefined();
    expect(urlDate('not a url')).toBeUndefined();
    const month = datesFromUrl('http://www.example.gov.cn/zwgk/202106/abc.html');
    expect(month[0]).toMatchObject({ date: '2021-06-01', precision: 'month' });
  });

  it('reads dates hidden in comments', () => {
    expect(datesInComments('<li><a>标题</a><!--2021-03-18--><span>03-18</span></li>').map((h) => h.date)).toEqual(['2021-03-18']);
  });

  it('leaves scripts, styles and hidden elements out of the visible text', () => {
    const $ = loadHtml('<body><p>可见</p><script>var x="隐藏脚本"</script><style>.a{}</style><span style="display: none">隐藏</span><!--注释--><table><tr><td>甲</td><td>乙</td></tr></table></body>');
    const t = visibleText($('body').toArray());
    expect(t).toContain('可见');
    expect(t).not.toContain('隐藏');
    expect(t).not.toContain('注释');
    expect(t).toMatch(/甲\t乙/);
  });

  it('survives deeply nested and huge input', () => {
    const deep = '<div>'.repeat(5_000) + '发布时间：2021年6月3日' + '</div>'.repeat(5_000);
    expect(() => findPublicationDate(makePage(`${H}/a/t20210603_1.html`, deep))).not.toThrow();
    const huge = '<html><body>' + '<p>文字</p>'.repeat(50_000) + '</body></html>';
    expect(() => findPublicationDate(makePage(`${H}/a/t20210603_2.html`, huge))).not.toThrow();
  });
});

describe('shown publication date', () => {
  it('accepts YYYY-MM-DD with or without time', () => {
    expect(isIsoDateDisplay('2021-06-03')).toBe(true);
    expect(isIsoDateDisplay('2021-06-03 09:30')).toBe(true);
    expect(isIsoDateDisplay('2021-06-03 09:30:15')).toBe(true);
    expect(isIsoDateDisplay('２０２１－０６－０３')).toBe(true);
  });

  it('rejects the other formats inspectors deduct for', () => {
    for (const s of ['2021年06月03日', '2021/05/14', '2021-5-3', '21-06-03', '2021.06.03', '2021年6月3日 10:00']) {
      expect(isIsoDateDisplay(s), s).toBe(false);
    }
    expect(parseShownDate('21-06-03')).toBe('2021-06-03');
    expect(parseShownDate('2021.06.03')).toBe('2021-06-03');
  });

  it('reads 发布时间：2021-06-03 09:30 as well-formed and ignores dates in the body', () => {
    const p = fixture('content-good.html', `${H}/qsyw/202106/t20210603_6990.html`);
    expect(findPublicationDate(p)).toMatchObject({ date: '2021-06-03', shown: '2021-06-03 09:30', label: '发布时间', source: 'label', wellFormed: true });
  });

  it('reports 2021年06月03日 as shown, not well-formed', () => {
    const p = fixture('content-cn-date.html', `${H}/zwgk/bmdt/202106/t20210603_7102.html`);
    expect(findPublicationDate(p)).toMatchObject({ date: '2021-06-03', shown: '2021年06月03日', source: 'label', wellFormed: false });
  });

  it('takes 发布日期 and not 成文日期 from an information-disclosure table', () => {
    const p = fixture('content-xxgk.html', `${H}/zwgk/zcwj/202106/t20210603_7103.html`);
    expect(findPublicationDate(p)).toMatchObject({ date: '2021-06-03', shown: '2021-06-03', label: '发布日期', wellFormed: true });
  });

  it('reads a bare 日期： after the title in an old table layout', () => {
    const p = fixture('content-slash.html', `${H}/zwgk/tjxx/202105/t20210514_6800.html`);
    expect(findPublicationDate(p)).toMatchObject({ date: '2021-05-14', shown: '2021/05/14', label: '日期', wellFormed: false });
  });

  it('ignores a "today is" widget, event times and body dates', () => {
    const html = article('', '<p>时间：2021年6月20日</p><p>活动时间：2021年6月20日上午</p>').replace(
      '<div class="nav">',
      '<div class="top">日期：2021年06月15日 星期二</div><div class="nav">',
    );
    const $ = loadHtml(html);
    expect(primaryPublicationLabel($)).toBeUndefined();
    // Without a label the meta tag or the URL gives the date (not "shown").
    const p = makePage(`${H}/gzdt/202106/t20210603_1.html`, html);
    expect(findPublicationDate(p)).toMatchObject({ date: '2021-06-03', source: 'url' });
  });

  it('does not take 成文日期 alone as a publication time', () => {
    const $ = loadHtml(article('<table><tr><th>成文日期</th><td>2021年06月01日</td></tr></table>'));
    expect(primaryPublicationLabel($)).toBeUndefined();
  });

  it('reads labels split over table cells and spans', () => {
    const $ = loadHtml(article('<table><tr><td>发布时间：</td><td>2021-6-3</td></tr></table>'));
    expect(primaryPublicationLabel($)).toMatchObject({ label: '发布时间', shown: '2021-6-3', date: '2021-06-03' });
    const $2 = loadHtml(article('<span><i>时间：</i>21-06-03</span>'));
    expect(primaryPublicationLabel($2)).toMatchObject({ label: '时间', shown: '21-06-03', date: '2021-06-03' });
    const $3 = loadHtml(article('<span>发布日期：2021.06.03</span>'));
    expect(primaryPublicationLabel($3)).toMatchObject({ shown: '2021.06.03' });
  });

  it('falls back to the PubDate tag when nothing is shown', () => {
    const p = makePage(`${H}/x/content_1.html`, article('', '<p>正文</p>', '<meta name="pubdate" content="2021-06-03 09:30">'));
    expect(findPublicationDate(p)).toMatchObject({ date: '2021-06-03', source: 'meta', wellFormed: true });
  });
});

describe.skipIf(!haveReal)('real pages: publication dates', () => {
  const read = (f: string) => fs.readFileSync(path.join(realDir, f), 'utf8');

  it('shanxi: 时间：2019-09-18 06:23 (not the alt attribute)', () => {
    const p = makePage('http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml', read('shanxi.gov.cn-article.html'));
    expect(findPublicationDate(p)).toMatchObject({ date: '2019-09-18', shown: '2019-09-18 06:23', source: 'label', wellFormed: true });
  });

  it('fgw.zj: 发布日期：2016-11-22', () => {
    const p = makePage('http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html', read('fgw.zj.gov.cn-article.html'));
    expect(findPublicationDate(p)).toMatchObject({ date: '2016-11-22', label: '发布日期', wellFormed: true });
  });

  it('cmse: the shown date, not 2012年6月24日 in the body', () => {
    const p = makePage('http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html', read('cmse.gov.cn-page.html'));
    expect(findPublicationDate(p)).toMatchObject({ date: '2012-06-24', shown: '2012-06-24', wellFormed: true });
  });

  it('xiangtan (UTF-16 bytes): 发布时间：2024-09-30 09:24', () => {
    const html = new TextDecoder('utf-16le').decode(fs.readFileSync(path.join(realDir, 'xiangtan/article-utf16-declared-gb2312.html')));
    const p = makePage('http://www.xiangtan.gov.cn/109/171/174/content_1335045.html', html);
    expect(findPublicationDate(p)).toMatchObject({ date: '2024-09-30', label: '发布时间', wellFormed: true });
  });

  it('gov.cn gazette: no shown label, falls back to its meta', () => {
    const p = makePage('https://www.gov.cn/gongbao/content/2007/content_711039.htm', read('www.gov.cn-gazette.html'));
    expect(findPublicationDate(p)?.source).not.toBe('label');
  });
});
