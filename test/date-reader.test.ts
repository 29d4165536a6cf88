import { describe, expect, it } from 'vitest';
import { makePage } from './helpers/page.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import {
  dateLikeStrings, datesFromUrl, findDatesInText, findMonthDays, pageGenerationTime, pageTimes, readingNear, readItemDate,
  unreadDateLike, urlDate, type DateHit,
} from '../src/analyze/dates.ts';
import { extractListItems } from '../src/analyze/columns.ts';

/**
 * The date reader on the shapes real homepages show (issue 10.4): dates in list rows in every common form, years
 * from URL directories, the page's own generation time, and the as-of date last. Precision first: numbers that are
 * not dates stay numbers.
 */

const ASOF = '2021-06-15';
const H = 'http://www.example.gov.cn';
const dates = (s: string, shortYear = false) => findDatesInText(s, 'text', { shortYear }).map((h) => h.date);
const md = (s: string) => findMonthDays(s, ASOF).map((h) => h.date);
const hit = (date: string, source: DateHit['source'], precision: DateHit['precision'] = 'day'): DateHit => ({ date, raw: date, source, precision });

describe('dates shown in text', () => {
  it('reads full dates: 2021年6月10日, 2021.06.10, 2021/6/10, (2021-06-10), full-width digits', () => {
    expect(dates('2021年6月10日')).toEqual(['2021-06-10']);
    expect(dates('2021年06月10号')).toEqual(['2021-06-10']);
    expect(dates('2021.06.10')).toEqual(['2021-06-10']);
    expect(dates('2021/6/10')).toEqual(['2021-06-10']);
    expect(dates('(2021-06-10)')).toEqual(['2021-06-10']);
    expect(dates('（2021-06-10）')).toEqual(['2021-06-10']);
    expect(dates('２０２１－０６－１０')).toEqual(['2021-06-10']);
    expect(dates('２０２１年６月１０日')).toEqual(['2021-06-10']);
  });

  it('reads two-digit years (21-06-10) only where asked (list rows), with every part two digits', () => {
    expect(dates('21-06-10')).toEqual([]);
    expect(dates('21-06-10', true)).toEqual(['2021-06-10']);
    expect(dates('21/06/10', true)).toEqual(['2021-06-10']);
    expect(dates('21.06.10', true)).toEqual(['2021-06-10']);
    expect(dates('[21-06-10]', true)).toEqual(['2021-06-10']);
    expect(dates('2021-06-10', true)).toEqual(['2021-06-10']); // not read twice
    expect(dates('21-6-10', true)).toEqual([]);
    expect(dates('192.168.01.10', true)).toEqual([]);
    expect(dates('v1.21.06.10', true)).toEqual([]);
    expect(dates('21-13-10', true)).toEqual([]);
  });

  it('reads year-less dates: 06-10, 06/10, [06-10], [6-10], (06-10), 06月10日, 6月10日, full-width', () => {
    expect(md('06-10')).toEqual(['2021-06-10']);
    expect(md('06/10')).toEqual(['2021-06-10']);
    expect(md('[06-10]')).toEqual(['2021-06-10']);
    expect(md('[6-10]')).toEqual(['2021-06-10']);
    expect(md('【6-10】')).toEqual(['2021-06-10']);
    expect(md('(06-10)')).toEqual(['2021-06-10']);
    expect(md('06月10日')).toEqual(['2021-06-10']);
    expect(md('6月10日')).toEqual(['2021-06-10']);
    expect(md('０６－１０')).toEqual(['2021-06-10']);
    expect(md('［０６－１０］')).toEqual(['2021-06-10']);
    expect(md('　０６-１０　')).toEqual(['2021-06-10']);
    // A date cell holding only the month-day, unpadded.
    expect(md(' 6-10 ')).toEqual(['2021-06-10']);
    // Freshest reading not after as-of (+1 day): 12-30 is last year's.
    expect(md('12-30')).toEqual(['2020-12-30']);
  });

  it('is not fooled by numbers that are not dates', () => {
    expect(dates('404 12345 20210610 共12345条', true)).toEqual([]);
    expect(md('浏览 404 次')).toEqual([]);
    expect(md('12345')).toEqual([]);
    expect(md('1-5月全市经济运行情况')).toEqual([]);
    expect(md('第1/2页 共1/5页')).toEqual([]);
    expect(md('首页 1/2 下一页')).toEqual([]);
    expect(md('09:30')).toEqual([]);
    expect(md('0731-8866-5207')).toEqual([]);
    expect(md('13-45')).toEqual([]);
    expect(md('82.3%')).toEqual([]);
    expect(md('3-2 获胜')).toEqual([]);
    expect(dates('电话：0731-8866-5207 版本 1.2.3 编号 2021-13-45')).toEqual([]);
  });

  it('collects date-like strings that are not read (for the evidence), not ordinary numbers', () => {
    expect(unreadDateLike('2021-6 公布；6.10 召开；10/06/2021；Jun 10, 2021；2021-06-10 已读', ASOF)).toEqual(['2021-6', '6.10', '10/06/2021', 'Jun 10, 2021']);
    expect(unreadDateLike('浏览 404 次，共 12345 条，增长 82.3%，1-10月', ASOF)).toEqual([]);
    expect(dateLikeStrings('2021年6月 出生')).toEqual(['2021年6月']);
    expect(dateLikeStrings('无日期的标题文字')).toEqual([]);
  });
});

describe('dates in URLs', () => {
  it('reads /YYYYMM/, /YYYY-MM/ and /YYYY/MM/ directories as months', () => {
    expect(datesFromUrl(`${H}/xxgk/201803/5a8f.shtml`)).toEqual([{ date: '2018-03-01', raw: '/201803/', source: 'url', precision: 'month' }]);
    expect(datesFromUrl(`${H}/news/2018-03/a.html`)[0]).toMatchObject({ date: '2018-03-01', precision: 'month' });
    expect(datesFromUrl(`${H}/news/2018/03/a.html`)[0]).toMatchObject({ date: '2018-03-01', precision: 'month' });
    expect(datesFromUrl(`${H}/news/2018/3/a.html`)[0]).toMatchObject({ date: '2018-03-01', precision: 'month' });
    expect(urlDate(`${H}/xxgk/201803/5a8f.shtml`)).toBeUndefined(); // a month is not a day
  });

  it('reads /YYYYMMDD/, /YYYY-MM-DD/, TRS t-dates, Hanweb art paths and W attachments as days', () => {
    expect(urlDate(`${H}/news/20210610/123.html`)).toBe('2021-06-10');
    expect(urlDate(`${H}/news/2021-06-10/123.html`)).toBe('2021-06-10');
    expect(urlDate(`${H}/zwgk/202106/t20210610_7001.html`)).toBe('2021-06-10');
    expect(urlDate(`${H}/art/2021/6/10/art_1234_5678.html`)).toBe('2021-06-10');
    expect(urlDate(`${H}/zwgk/202106/W020210610123456789.pdf`)).toBe('2021-06-10');
    expect(urlDate(`${H}/zwgk/202106/W2021061012345.jpg`)).toBe('2021-06-10');
  });

  it('does not read column ids and counters as dates', () => {
    expect(datesFromUrl(`${H}/col/col1620982/index.html`)).toEqual([]);
    expect(datesFromUrl(`${H}/news/12345.html`)).toEqual([]);
    expect(datesFromUrl(`${H}/404.html`)).toEqual([]);
    expect(datesFromUrl(`${H}/news/201813/a.html`)).toEqual([]);
  });
});

describe('the year of a year-less date', () => {
  it('takes the reading near a URL month or day, within what CMS dates allow', () => {
    const m = (d: string) => hit(d, 'url', 'month');
    expect(readingNear(3, 21, m('2018-03-01'))).toBe('2018-03-21');
    expect(readingNear(12, 30, m('2019-01-01'))).toBe('2018-12-30'); // backdated a few days
    expect(readingNear(1, 5, m('2018-12-01'))).toBe('2019-01-05'); // published after the directory's month
    expect(readingNear(3, 18, m('2019-06-01'))).toBeNull(); // neither 2019-03-18 nor 2020-03-18 is near June 2019
    expect(readingNear(6, 12, hit('2021-06-10', 'url'))).toBe('2021-06-12');
  });

  it('orders the sources: shown year, same day elsewhere, URL year, page time, as-of', () => {
    const limit = '2021-06-16';
    const row = (o: Partial<Parameters<typeof readItemDate>[0]>) => ({ text: [], monthDay: [], comment: [], attr: [], url: [], ...o });
    const mdHit = (d: string) => hit(d, 'text', 'month-day');
    expect(readItemDate(row({ text: [hit('2021-06-10', 'text')] }), limit)).toMatchObject({ date: '2021-06-10', source: 'text', yearFrom: 'shown' });
    expect(readItemDate(row({ monthDay: [mdHit('2021-03-21')], url: [hit('2018-03-01', 'url', 'month')] }), limit)).toMatchObject({
      date: '2018-03-21', source: 'text', precision: 'day', yearFrom: 'url',
    });
    expect(readItemDate(row({ monthDay: [mdHit('2021-03-21')], url: [hit('2018-03-21', 'url')] }), limit)).toMatchObject({ date: '2018-03-21', source: 'url', yearFrom: 'url' });
    expect(readItemDate(row({ monthDay: [mdHit('2021-06-10')], meta: [hit('2021-06-10', 'meta')] }), limit)).toMatchObject({ date: '2021-06-10', source: 'meta', yearFrom: 'meta' });
    expect(readItemDate(row({ monthDay: [mdHit('2020-12-30')] }), limit, '2020-01-05')).toMatchObject({ date: '2019-12-30', precision: 'month-day', yearFrom: 'page-time' });
    expect(readItemDate(row({ monthDay: [mdHit('2020-12-30')] }), limit)).toMatchObject({ date: '2020-12-30', precision: 'month-day', yearFrom: 'as-of' });
    expect(readItemDate(row({ comment: [hit('2021-06-01', 'comment')] }), limit)).toMatchObject({ date: '2021-06-01', source: 'comment' });
    expect(readItemDate(row({ url: [hit('2018-03-01', 'url', 'month')] }), limit)).toEqual({ source: 'none' });
  });
});

describe("the page's own generation time", () => {
  const times = (head: string, body = '') => pageTimes(loadHtml(`<html><head>${head}</head><body>${body}</body></html>`)).map((t) => `${t.source}:${t.date}`);

  it('reads PubDate, Maketime, generator-time-like and time metas, and metas that say 页面生成时间', () => {
    expect(times('<meta name="PubDate" content="2021-06-10 09:30">')).toEqual(['meta:2021-06-10']);
    expect(times('<meta name="Maketime" content="2019-03-22 12:28:37">')).toEqual(['meta:2019-03-22']);
    expect(times('<meta name="generator-time" content="2021-06-10T01:02:03Z">')).toEqual(['meta:2021-06-10']);
    expect(times('<meta name="generated-time" content="20210610120000">')).toEqual(['meta:2021-06-10']);
    expect(times('<meta name="time" content="2018-03-21">')).toEqual(['meta:2018-03-21']);
    expect(times('<meta name="others" content="页面生成时间 2023-10-11 11:36:07">')).toEqual(['meta:2023-10-11']);
    expect(times('<meta http-equiv="Last-Modified" content="Thu, 10 Jun 2021 20:00:00 GMT">')).toEqual(['meta:2021-06-11']);
    expect(times('<meta name="effectiveTime" content="0"><meta name="keywords" content="2021-06-10 会议">')).toEqual([]);
  });

  it('reads update lines and generation comments, not the dates of list rows', () => {
    expect(times('', '<div class="foot">网站更新时间：2021年6月10日</div>')).toEqual(['label:2021-06-10']);
    expect(times('', '<div>最后更新 2021-06-09</div>')).toEqual(['label:2021-06-09']);
    expect(times('', '<!-- 2021-06-10 --><div>正文</div>')).toEqual(['comment:2021-06-10']);
    expect(times('<!-- 页面生成时间：2021-06-10 10:00 -->')).toEqual(['comment:2021-06-10']);
    expect(times('', '<ul><li><!--2021-06-08--><a href="/a.html">标题</a></li></ul>')).toEqual([]);
    expect(times('', '<div>2021-06-10 召开会议</div>')).toEqual([]);
  });

  it('ignores (and counts) page times after as-of + 1 day', () => {
    const $ = loadHtml('<html><head><meta name="PubDate" content="2021-07-01"><meta name="Maketime" content="2021-06-01"></head><body></body></html>');
    const g = pageGenerationTime($, ASOF);
    expect(g.time?.date).toBe('2021-06-01');
    expect(g.future).toBe(1);
  });
});

describe('list items on homepages (each shape as real Hunan homepages show it)', () => {
  const items = (body: string, head = '', pageTime?: string) =>
    extractListItems(makePage(`${H}/`, `<html><head>${head}</head><body>${body}</body></html>`, { isHomepage: true }), {
      asOf: ASOF, skipBody: false, ...(pageTime ? { pageTime } : {}),
    });
  const list = (rows: string[]) => `<ul class="news">${rows.join('')}</ul>`;

  it('03-21 in a <span> before the title, the year only in the /201803/ directory', () => {
    const it = items(list([
      '<li><span>03-21</span><a href="/xxgk/201803/5a8f1.shtml">市政府召开全市经济工作会议</a></li>',
      '<li><span>03-19</span><a href="/xxgk/201803/5a8f0.shtml">市政府常务会议研究部署重点工作</a></li>',
    ]));
    expect(it.map((i) => [i.date, i.dateSource, i.yearFrom, i.precision])).toEqual([
      ['2018-03-21', 'text', 'url', 'day'],
      ['2018-03-19', 'text', 'url', 'day'],
    ]);
  });

  it('[03-19] after the title, no year anywhere: the freshest reading, marked as such', () => {
    const it = items(list(['<li><a href="/news/show.asp?id=9">市政府常务会议研究部署重点工作</a>[03-19]</li>', '<li><a href="/news/show.asp?id=8">全市重点项目集中开工仪式举行</a>[03-11]</li>']));
    expect(it[0]).toMatchObject({ date: '2021-03-19', precision: 'month-day', yearFrom: 'as-of' });
  });

  it('year-less dates read against the page generation time when given', () => {
    const it = items(list(['<li><a href="/news/9.html">市政府常务会议研究部署重点工作</a><span>12-30</span></li>']), '', '2020-01-05');
    expect(it[0]).toMatchObject({ date: '2019-12-30', yearFrom: 'page-time' });
  });

  it('<time datetime> and <meta itemprop="datePublished"> in the row', () => {
    const it = items(list([
      '<li><a href="/news/9.html">市政府常务会议研究部署重点工作</a><time datetime="2021-06-10T08:00:00+08:00">06-10</time></li>',
      '<li><a href="/news/8.html">全市重点项目集中开工仪式举行会议</a><meta itemprop="datePublished" content="2021-06-08"></li>',
    ]));
    expect(it.map((i) => [i.date, i.dateSource])).toEqual([['2021-06-10', 'meta'], ['2021-06-08', 'meta']]);
  });

  it('every text shape in a row: 2021年6月10日, 2021.06.10, 2021/6/10, 21-06-10, 06/10, 06月10日, full-width, (2021-06-10)', () => {
    const shapes = ['2021年6月10日', '2021.06.10', '2021/6/10', '21-06-10', '06/10', '06月10日', '２０２１－０６－１０', '(2021-06-10)', '[06-10]'];
    const it = items(list(shapes.map((d, i) => `<li><a href="/news/${i}.html">第${i}条测试信息标题文字内容</a><span>${d}</span></li>`)));
    expect(it.map((i) => i.date)).toEqual(shapes.map(() => '2021-06-10'));
  });

  it('keeps the unreadable date-like text of undated rows', () => {
    const it = items(list([1, 2, 3].map((i) => `<li><a href="/news/${i}.html">第${i}条测试信息标题文字内容</a><span>2021-6</span></li>`)));
    expect(it).toHaveLength(3);
    expect(it[0].date).toBeUndefined();
    expect(it[0].unread).toEqual(['2021-6']);
  });

  it('a view counter or a page counter is not a date', () => {
    const it = items(list([1, 2, 3].map((i) => `<li><a href="/news/${i}.html">第${i}条测试信息标题文字内容</a><span>浏览 404 次</span></li>`)) + '<div class="page">1/2</div>');
    expect(it.every((i) => !i.date)).toBe(true);
  });
});
