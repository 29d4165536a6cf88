import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makePage } from './helpers/page.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import {
  classifyPage, columnKey, findSourceLabels, isColumnUrl, isContentUrl, isLaterListPage,
} from '../src/analyze/classify.ts';
import {
  breadcrumb, columnInfo, columnTypeOf, extractListItems, findPlaceholder, mainListItems, matchRequiredColumn,
  substantiveTextLength,
} from '../src/analyze/columns.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(repoRoot, 'fixtures/pages/content');
const realDir = path.resolve(repoRoot, '../shared/real-pages');
const haveReal = fs.existsSync(realDir);
if (!haveReal) console.warn(`[classify.test] ${realDir} is absent: real-page tests are skipped`);

const H = 'http://www.qingshan.gov.cn';
const ASOF = '2021-06-15';
const fixture = (name: string, url: string, extra = {}) => makePage(url, fs.readFileSync(path.join(fixtures, name), 'utf8'), extra);
const wrap = (body: string, head = '') => `<html><head><title>测试</title>${head}</head><body>${body}<div class="footer">主办单位：青山市人民政府办公室</div></body></html>`;

describe('CMS URL patterns', () => {
  it('knows content URLs', () => {
    expect(isContentUrl(`${H}/qsyw/202106/t20210610_7001.html`)).toBe(true);
    expect(isContentUrl(`${H}/art/2016/11/22/art_1621004_30332664.html`)).toBe(true);
    expect(isContentUrl(`${H}/109/171/174/content_1335045.html`)).toBe(true);
    expect(isContentUrl(`${H}/qsyw/index.html`)).toBe(false);
  });

  it('knows column URLs, later list pages and column keys', () => {
    expect(isColumnUrl(`${H}/col/col4501/index.html`)).toBe(true);
    expect(isColumnUrl(`${H}/zwgk/gzdt/index_2.html`)).toBe(true);
    expect(isLaterListPage(`${H}/zwgk/gzdt/index_1.html`)).toBe(true);
    expect(isLaterListPage(`${H}/zwgk/gzdt/index.html`)).toBe(false);
    expect(isLaterListPage(`${H}/list.jsp?columnid=5&page=1`)).toBe(false);
    expect(isLaterListPage(`${H}/list.jsp?columnid=5&page=3`)).toBe(true);
    expect(columnKey(`${H}/zwgk/gzdt/index_1.html`)).toBe(columnKey(`${H}/zwgk/gzdt/index.html`));
    expect(columnKey(`${H}/list.jsp?columnid=5&page=3`)).toBe(columnKey(`${H}/list.jsp?columnid=5`));
  });
});

describe('classifyPage on the fixture city site', () => {
  const cases: [string, string, string][] = [
    ['home.html', `${H}/`, 'home'],
    ['column-news.html', `${H}/qsyw/index.html`, 'column'],
    ['column-news-stale.html', `${H}/zwgk/gzdt/index.html`, 'column'],
    ['column-notice-table.html', `${H}/tzgg/index.html`, 'column'],
    ['column-policy-stale.html', `${H}/zwgk/zcwj/index.html`, 'column'],
    ['column-hanweb.html', `${H}/col/col4501/index.html`, 'column'],
    ['column-empty.html', `${H}/ztzl/xczx/index.html`, 'column'],
    ['column-empty-js.html', `${H}/col/col4520/index.html`, 'column'],
    ['column-leader.html', `${H}/ldzc/index.html`, 'column'],
    ['content-good.html', `${H}/qsyw/202106/t20210603_6990.html`, 'content'],
    ['content-cn-date.html', `${H}/zwgk/bmdt/202106/t20210603_7102.html`, 'content'],
    ['content-xxgk.html', `${H}/zwgk/zcwj/202106/t20210603_7103.html`, 'content'],
    ['content-slash.html', `${H}/zwgk/tjxx/202105/t20210514_6800.html`, 'content'],
  ];
  for (const [file, url, kind] of cases) {
    it(`${file} → ${kind}`, () => {
      const c = classifyPage(fixture(file, url, { isHomepage: kind === 'home' }));
      expect(c.kind, c.reasons.join('\n')).toBe(kind);
      expect(c.reasons.length).toBeGreaterThan(0);
    });
  }

  it('treats the site root as the homepage even without the crawler flag', () => {
    expect(classifyPage(fixture('home.html', `${H}/index.html`)).kind).toBe('home');
  });

  it('classifies by structure when URLs say nothing', () => {
    const list = wrap(
      '<ul>' +
        Array.from({ length: 6 }, (_, i) => `<li><a href="/show.asp?id=${i}">青山市召开第${i}次重点工作调度会议</a><span>2021-06-0${i + 1}</span></li>`).join('') +
        '</ul><div>共 6 页 下一页 尾页</div>',
    );
    expect(classifyPage(makePage(`${H}/news/`, list)).kind).toBe('column');
    const art = wrap(
      '<h1>青山市召开重点工作调度会议</h1><div>发布时间：2021-06-03　来源：本网</div>' +
        `<div class="TRS_Editor"><p>${'会议强调要抓好各项工作落实。'.repeat(30)}</p></div><div>上一篇：<a href="/a.html">上一条</a></div>`,
    );
    expect(classifyPage(makePage(`${H}/news/a123.html`, art)).kind).toBe('content');
  });

  it('calls error pages, non-HTML and search pages "other"', () => {
    expect(classifyPage(makePage(`${H}/x.html`, '<p>404</p>', { status: 404 })).kind).toBe('other');
    expect(classifyPage(makePage(`${H}/x.pdf`, '%PDF', { contentType: 'application/pdf' })).kind).toBe('other');
    expect(classifyPage(makePage(`${H}/search.jsp?q=x`, wrap('<p>没有相关信息</p>'))).kind).toBe('other');
  });

  it('never throws on broken markup', () => {
    for (const html of ['', '<<<>>>', '<table><tr><td><a href="javascript:">', '<a href="http://[::1">x</a>', '\u0000\uffff']) {
      expect(() => classifyPage(makePage(`${H}/zwgk/x.html`, html))).not.toThrow();
    }
  });
});

describe('column name and type', () => {
  it('maps names to types', () => {
    expect(columnTypeOf('青山要闻')).toBe('news');
    expect(columnTypeOf('部门动态')).toBe('news');
    expect(columnTypeOf('图片新闻')).toBe('news');
    expect(columnTypeOf('通知公告')).toBe('notice');
    expect(columnTypeOf('规范性文件')).toBe('policy');
    expect(columnTypeOf('政策解读')).toBe('interpretation');
    expect(columnTypeOf('人事任免')).toBe('personnel');
    expect(columnTypeOf('规划计划')).toBe('plan');
    expect(columnTypeOf('领导之窗')).toBe('leader');
    expect(columnTypeOf('机构职能')).toBe('organization');
    expect(columnTypeOf('走进青山')).toBe('overview');
    expect(columnTypeOf('新闻发布会')).toBe('unknown');
    expect(columnTypeOf('专题专栏')).toBe('unknown');
    expect(columnTypeOf(undefined)).toBe('unknown');
  });

  it('reads the name from ColumnName, breadcrumbs or the title', () => {
    expect(columnInfo(fixture('column-news.html', `${H}/qsyw/index.html`))).toMatchObject({ name: '青山要闻', type: 'news', nameSource: 'meta' });
    const noMeta = wrap('<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div><ul></ul>');
    expect(columnInfo(makePage(`${H}/tzgg/index.html`, noMeta))).toMatchObject({ name: '通知公告', type: 'notice', nameSource: 'breadcrumb' });
    const titled = '<html><head><title>工作动态_青山市人民政府</title></head><body><ul></ul></body></html>';
    expect(columnInfo(makePage(`${H}/gzdt/index.html`, titled), { kind: 'column' })).toMatchObject({ name: '工作动态', type: 'news', nameSource: 'title' });
  });

  it('falls back to the ColumnType tag for the type', () => {
    const p = makePage(`${H}/c/index.html`, wrap('', '<meta name="ColumnName" content="青山之声"><meta name="ColumnType" content="工作动态">'));
    expect(columnInfo(p)).toMatchObject({ name: '青山之声', type: 'news', metaType: '工作动态' });
  });

  it('finds breadcrumbs in table layouts (当前位置 in its own cell)', () => {
    const $ = loadHtml(fs.readFileSync(path.join(fixtures, 'column-notice-table.html'), 'utf8'));
    expect(breadcrumb($, `${H}/tzgg/index.html`)?.items.map((i) => i.text)).toEqual(['首页', '通知公告']);
  });
});

describe('list items', () => {
  it('reads ul/li lists with visible dates', () => {
    const items = extractListItems(fixture('column-news.html', `${H}/qsyw/index.html`), { asOf: ASOF });
    const main = mainListItems(items);
    expect(main).toHaveLength(6);
    expect(main[0]).toMatchObject({ date: '2021-06-12', dateSource: 'text', url: `${H}/qsyw/202106/t20210612_7010.html` });
  });

  it('reads old <table> layouts and bracketed dates', () => {
    const main = mainListItems(extractListItems(fixture('column-notice-table.html', `${H}/tzgg/index.html`), { asOf: ASOF }));
    expect(main.map((i) => i.date)).toEqual(['2021-03-01', '2021-02-20', '2021-01-15', '2020-12-28']);
  });

  it('reads loose <br> lists in a single cell', () => {
    const main = mainListItems(extractListItems(fixture('column-policy-stale.html', `${H}/zwgk/zcwj/index.html`), { asOf: ASOF }));
    expect(main.map((i) => i.date)).toEqual(['2020-11-30', '2020-10-20', '2020-09-15']);
  });

  it('reads Hanweb datastore records', () => {
    const main = mainListItems(extractListItems(fixture('column-hanweb.html', `${H}/col/col4501/index.html`), { asOf: ASOF }));
    expect(main).toHaveLength(3);
    expect(main[0]).toMatchObject({ title: '市发改委召开重大项目调度会', date: '2021-06-11', url: `${H}/art/2021/6/11/art_4501_30001.html` });
  });

  it('completes 06-10 with the year from the URL, and 04-15 from a comment', () => {
    const old = extractListItems(fixture('home-old-years.html', `${H}/`, { isHomepage: true }), { asOf: ASOF });
    expect(old[0]).toMatchObject({ date: '2019-06-10', dateSource: 'url', rawDate: '06-10', precision: 'day' });
    const withComments = extractListItems(fixture('home-stale.html', `${H}/`, { isHomepage: true }), { asOf: ASOF });
    expect(withComments.find((i) => i.title.includes('重点建设项目'))).toMatchObject({ date: '2021-04-15', dateSource: 'comment' });
  });

  it('keeps a year-less date as its freshest reading when nothing gives the year', () => {
    const html = wrap('<ul><li><a href="/a/1.html">青山市召开防汛工作会议</a><span>03-18</span></li></ul>');
    expect(extractListItems(makePage(`${H}/x/`, html), { asOf: ASOF })[0]).toMatchObject({ date: '2021-03-18', precision: 'month-day' });
  });

  it('reads a date written inside the anchor', () => {
    const html = wrap('<ul><li><a href="/a/1.html"><span class="t">青山市召开防汛工作会议</span><span class="d">2021-06-01</span></a></li></ul>');
    expect(extractListItems(makePage(`${H}/x/`, html), { asOf: ASOF })[0]).toMatchObject({ date: '2021-06-01', dateSource: 'text' });
  });

  it('does not take navigation menus or footer links for items', () => {
    const html = wrap(
      '<ul class="nav"><li><a href="/a/">首页</a></li><li><a href="/b/">政务公开</a></li><li><a href="/c/">办事服务</a></li></ul>',
    ).replace('主办单位', '<a href="/about/">关于本网站的说明和版权声明</a>主办单位');
    expect(extractListItems(makePage(`${H}/x/`, html), { asOf: ASOF })).toEqual([]);
  });

  it('never throws on hostile input', () => {
    const deep = '<ul>'.repeat(3_000) + '<li><a href="/a">青山市召开防汛工作会议</a>06-10</li>' + '</ul>'.repeat(3_000);
    expect(() => extractListItems(makePage(`${H}/x/`, deep), { asOf: ASOF })).not.toThrow();
    expect(extractListItems(makePage(`${H}/x/`, ''), { asOf: ASOF })).toEqual([]);
  });
});

describe('placeholders, substantive text, synonyms and source labels', () => {
  it('finds placeholders on short lines only', () => {
    expect(findPlaceholder(loadHtml(wrap('<div class="list">该栏目暂无内容</div>')))?.text).toBe('该栏目暂无内容');
    expect(findPlaceholder(loadHtml(wrap('<div>正在建设中，敬请期待</div>')))).toBeDefined();
    expect(findPlaceholder(loadHtml(wrap('<p>目前暂无信息表明该项目存在违规情况，相关部门将继续跟踪调查并及时公布结果。</p>')))).toBeUndefined();
    expect(findPlaceholder(loadHtml(wrap('<script>var s="暂无信息"</script><ul><li>x</li></ul>')))).toBeUndefined();
  });

  it('measures running text (a leaders page has biographies)', () => {
    expect(substantiveTextLength(loadHtml(fs.readFileSync(path.join(fixtures, 'column-leader.html'), 'utf8')))).toBeGreaterThan(150);
    expect(substantiveTextLength(loadHtml(fs.readFileSync(path.join(fixtures, 'column-empty.html'), 'utf8')))).toBeLessThan(150);
  });

  it('recognises the names sites give the required columns', () => {
    expect(matchRequiredColumn('走进青山')).toEqual(['概况信息']);
    expect(matchRequiredColumn('青山概况')).toEqual(['概况信息']);
    expect(matchRequiredColumn('市情')).toEqual(['概况信息']);
    expect(matchRequiredColumn('领导之窗')).toEqual(['领导信息']);
    expect(matchRequiredColumn('现任领导')).toEqual(['领导信息']);
    expect(matchRequiredColumn('领导信箱')).toEqual([]);
    expect(matchRequiredColumn('青山要闻')).toEqual(['动态要闻']);
    expect(matchRequiredColumn('政务动态')).toEqual(['动态要闻']);
    expect(matchRequiredColumn('内设机构')).toEqual(['机构职能']);
    expect(matchRequiredColumn('主要职责')).toEqual(['机构职能']);
    expect(matchRequiredColumn('规范性文件')).toEqual(['政策文件']);
    expect(matchRequiredColumn('政府文件')).toEqual(['政策文件']);
    expect(matchRequiredColumn('政策解读')).toEqual(['政策解读']);
    expect(matchRequiredColumn('图解')).toEqual(['政策解读']);
    expect(matchRequiredColumn('关于印发青山市政策文件管理办法的通知全文')).toEqual([]);
  });

  it('reads source labels and their values', () => {
    expect(findSourceLabels(loadHtml(wrap('<span>来源：本网</span> <span>作者：张三</span>')))).toEqual([{ label: '来源', value: '本网' }]);
    expect(findSourceLabels(loadHtml(wrap('<span>信息来源：<!--x-->省发改委</span>')))[0]).toMatchObject({ label: '信息来源', value: '省发改委' });
    expect(findSourceLabels(loadHtml(wrap('<span>来源：</span><span>浏览次数：12</span>')))[0]).toMatchObject({ value: '' });
    expect(findSourceLabels(loadHtml(wrap('<table><tr><th>发布机构</th><td>青山市发改委</td></tr></table>')))[0]).toMatchObject({ label: '发布机构', value: '青山市发改委' });
    expect(findSourceLabels(loadHtml(wrap('<script>var a="来源：x"</script><p>正文</p>')))).toEqual([]);
  });
});

describe.skipIf(!haveReal)('real pages: classification', () => {
  const read = (f: string) => fs.readFileSync(path.join(realDir, f), 'utf8');

  it('recognises real article pages as content', () => {
    const pages: [string, string][] = [
      ['shanxi.gov.cn-article.html', 'http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml'],
      ['fgw.zj.gov.cn-article.html', 'http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html'],
      ['cmse.gov.cn-page.html', 'http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html'],
      ['www.gov.cn-gazette.html', 'https://www.gov.cn/gongbao/content/2007/content_711039.htm'],
    ];
    for (const [f, u] of pages) {
      const c = classifyPage(makePage(u, read(f)));
      expect(c.kind, `${f}\n${c.reasons.join('\n')}`).toBe('content');
    }
  });

  it('xiangtan article: content, column 部门动态 (news) from its tags', () => {
    const html = new TextDecoder('utf-16le').decode(fs.readFileSync(path.join(realDir, 'xiangtan/article-utf16-declared-gb2312.html')));
    const p = makePage('http://www.xiangtan.gov.cn/109/171/174/content_1335045.html', html);
    expect(classifyPage(p)).toMatchObject({ kind: 'content', confidence: 'high' });
    expect(columnInfo(p)).toMatchObject({ name: '部门动态', type: 'news', metaType: '政务类' });
    expect(breadcrumb(loadHtml(html), p.url)?.items.map((i) => i.text)).toEqual(['首页', '政务公开', '工作动态', '部门动态']);
  });

  it('breadcrumbs of real templates stop before their tool blocks', () => {
    const $ = loadHtml(read('www.gov.cn-gazette.html'));
    expect(breadcrumb($, 'https://www.gov.cn/gongbao/content/2007/content_711039.htm')?.items.map((i) => i.text)).toEqual(['首页', '国务院公报', '2007年第23号']);
    const $f = loadHtml(read('fgw.zj.gov.cn-article.html'));
    expect(breadcrumb($f, 'http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html')?.items.map((i) => i.text)).toEqual([
      '首页', '发展改革工作', '投资管理和项目推进', '投资运行',
    ]);
  });
});
