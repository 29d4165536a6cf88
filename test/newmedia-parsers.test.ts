import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { feedNewest, parseFeed, parseFeedTime } from '../src/newmedia/feeds.ts';
import { parsePostPage } from '../src/newmedia/post-page.ts';
import { extractListedAccounts, extractOwnSiteLists, extractPlatformLinks, matrixLabel } from '../src/newmedia/matrix.ts';
import { classifyClosedSite } from '../src/newmedia/closed-site.ts';
import { judgeFreshness, minusMonths, type FeedReading } from '../src/newmedia/freshness.ts';

const LOOP = path.join(import.meta.dirname, '..', 'fixtures', 'newmedia', 'loopback');
const read = (p: string) => fs.readFileSync(path.join(LOOP, p), 'utf8');
const AS_OF = '2021-06-15';

function reading(file: string, fetchedAt = '2021-06-15T01:00:00Z'): FeedReading {
  const f = parseFeed(read(file));
  if (!f.ok) throw new Error(f.error);
  return { url: `http://feeds/${file}`, ok: true, fetchedAt, newest: feedNewest(f.items, AS_OF) };
}

describe('feeds', () => {
  it('reads RSS 2.0 times (RFC 822, Beijing offsets, zone-less local times)', () => {
    expect(parseFeedTime('Sat, 12 Jun 2021 10:00:00 +0800')).toBe('2021-06-12T02:00:00.000Z');
    expect(parseFeedTime('2021-06-12 10:00:00')).toBe('2021-06-12T02:00:00.000Z');
    expect(parseFeedTime('2021年6月12日 10:00')).toBe('2021-06-12T02:00:00.000Z');
    expect(parseFeedTime('Sat, 12 Jun 2021 10:00:00 GMT+8')).toBe('2021-06-12T02:00:00.000Z');
    expect(parseFeedTime('1623470400')).toBe('2021-06-12T04:00:00.000Z');
    expect(parseFeedTime('yesterday')).toBeUndefined();
    expect(parseFeedTime('1899-01-01')).toBeUndefined();
  });

  it('fresh RSS: newest own post 2021-06-12', () => {
    const r = reading('feeds/fresh.xml');
    expect(r.newest).toMatchObject({ items: 3, newest: { day: '2021-06-12', title: '青山市召开防汛工作调度会' } });
  });

  it('pinned posts and reposts marked by the feed are not new posts', () => {
    const f = parseFeed(read('feeds/stale20.xml'));
    expect(f.ok && f.items.map((i) => [i.pinned ?? false, i.repost ?? false])).toEqual([[true, false], [false, true], [false, false], [false, false]]);
    const n = reading('feeds/stale20.xml').newest!;
    expect(n.skipped).toEqual({ pinned: 1, repost: 1, undated: 0, afterAsOf: 0 });
    expect(n.newest?.day).toBe('2021-05-26');
  });

  it('Atom uses <published>; JSON Feed reads date_published and its _pinned extension', () => {
    expect(reading('feeds/old4m.atom').newest).toMatchObject({ newest: { day: '2021-02-10' } });
    const f = parseFeed(read('feeds/minsheng.json'), 'application/feed+json');
    expect(f.ok && f.format).toBe('json');
    expect(reading('feeds/minsheng.json').newest).toMatchObject({ skipped: { pinned: 1 }, newest: { day: '2021-06-04' } });
  });

  it('broken input is an error, never a throw', () => {
    expect(parseFeed('')).toEqual({ ok: false, error: '订阅源内容为空' });
    expect(parseFeed('<!DOCTYPE html><html><body>登录</body></html>')).toMatchObject({ ok: false, error: expect.stringContaining('HTML') });
    expect(parseFeed('{"a":1}')).toMatchObject({ ok: false });
    expect(parseFeed('<foo/>')).toMatchObject({ ok: false, error: expect.stringContaining('<foo>') });
    expect(parseFeed('<rss><channel><item><title>x</item></rss>')).toMatchObject({ ok: true });
    expect(parseFeed('plain text')).toMatchObject({ ok: false });
  });

  it('items after the as-of day are ignored; only modification times never show freshness', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>a</title><updated>2021-06-14T00:00:00Z</updated></entry>
      <entry><title>b</title><published>2021-06-20T00:00:00Z</published></entry><entry><title>c</title><published>2021-05-01T00:00:00Z</published></entry></feed>`;
    const f = parseFeed(atom);
    if (!f.ok) throw new Error(f.error);
    const n = feedNewest(f.items, AS_OF);
    expect(n.skipped.afterAsOf).toBe(1);
    expect(n.newest?.day).toBe('2021-05-01');
    expect(n.newestBound).toMatchObject({ day: '2021-06-14', modifiedOnly: true });
    const v = judgeFreshness({ asOf: AS_OF, status: '正常', feed: { url: 'x', ok: true, fetchedAt: '2021-06-15T01:00:00Z', newest: n }, entries: [] });
    expect(v.verdict).toBe('unverified');
    expect(v.reason).toContain('只有修改时间');
  });
});

describe('pasted post pages', () => {
  it('reads a WeChat article\'s var ct and nickname', () => {
    expect(parsePostPage(read('posts/wechat-qsfb.html'))).toEqual({
      publishedAt: '2021-06-12T04:00:00.000Z',
      day: '2021-06-12',
      how: 'var ct',
      title: '青山市召开防汛工作调度会',
      accountName: '青山发布',
    });
    expect(parsePostPage(read('posts/wechat-other.html'))).toMatchObject({ day: '2021-05-20', accountName: '青山应急' });
  });

  it('falls back to publish_time, meta tags, JSON and the 发布时间 label', () => {
    expect(parsePostPage('<script>var publish_time = "2021-06-09" || "";</script>')).toMatchObject({ day: '2021-06-09', how: 'var publish_time' });
    expect(parsePostPage('<html><head><meta property="article:published_time" content="2021-06-08T10:00:00+08:00"></head></html>')).toMatchObject({ day: '2021-06-08' });
    expect(parsePostPage('<script>window._SSR = {"publish_time":1623290400}</script>')).toMatchObject({ day: '2021-06-10', how: 'JSON publish_time' });
    expect(parsePostPage(read('posts/generic.html'))).toMatchObject({ day: '2021-06-09', how: '发布时间 标签' });
    expect(parsePostPage('<html><body>没有时间</body></html>')).toBeUndefined();
    expect(parsePostPage('')).toBeUndefined();
  });
});

describe('the unit\'s own pages', () => {
  const matrix = `<html><head><title>政务新媒体矩阵_青山市人民政府</title><meta name="ColumnName" content="政务新媒体"></head><body>
    <div class="nav"><a href="/">首页</a></div>
    <div class="box"><h3>政务微信</h3><ul>
      <li><img src="/q1.png" alt="青山发布二维码"><p>青山发布</p><p>微信号：qingshanfabu</p></li>
      <li><img src="/q2.png" alt="青山应急"><p>青山应急</p></li></ul></div>
    <div class="box"><div class="tit"><span>官方微博</span></div><div class="list"><a href="https://weibo.com/u/6012345678"><img src="/w.png" alt="青山发布微博"></a></div></div>
    <div class="box"><h3>抖音号</h3><ul><li>青山发布<br>抖音号：qsfb2021</li></ul></div>
    <div class="footer">主办单位：青山市人民政府办公室 <a href="/xmt/">政务新媒体</a></div></body></html>`;

  it('recognises the matrix page by its title or column name, not a notice about new media', () => {
    expect(matrixLabel(matrix)).toBe('政务新媒体');
    expect(matrixLabel('<title>关于加强政务新媒体管理的通知</title>')).toBeUndefined();
    expect(matrixLabel('<title>新闻中心</title>')).toBeUndefined();
  });

  it('reads accounts from platform sections (captions, IDs, QR alt texts)', () => {
    expect(extractListedAccounts(matrix, 'http://q/xmt/').map((a) => [a.platform, a.name, a.accountId ?? null, a.how])).toEqual([
      ['微信', '青山发布', 'qingshanfabu', 'section'],
      ['微信', '青山应急', null, 'section'],
      ['微博', '青山发布', null, 'section'],
      ['抖音', '青山发布', 'qsfb2021', 'section'],
    ]);
  });

  it('reads accounts from a table and from lines', () => {
    const table = `<table><tr><th>序号</th><th>账号名称</th><th>平台</th><th>微信号</th></tr>
      <tr><td>1</td><td>青山发布</td><td>微信公众号</td><td>qingshanfabu</td></tr><tr><td>2</td><td>指尖青山</td><td>移动客户端</td><td></td></tr></table>`;
    expect(extractListedAccounts(table, 'http://q/').map((a) => [a.platform, a.name, a.accountId ?? null, a.how])).toEqual([
      ['微信', '青山发布', 'qingshanfabu', 'table'],
      ['App', '指尖青山', null, 'table'],
    ]);
    const lines = '<div><p>微信公众号：青山发布（微信号：qingshanfabu）</p><p>官方微博：@青山发布</p><p>关于我们：青山市人民政府</p></div>';
    expect(extractListedAccounts(lines, 'http://q/').map((a) => [a.platform, a.name, a.accountId ?? null])).toEqual([
      ['微信', '青山发布', 'qingshanfabu'],
      ['微博', '青山发布', null],
    ]);
  });

  it('finds account links to platform hosts, not article links', () => {
    const html = '<a href="https://weibo.com/u/6012345678">官方微博</a><a href="https://mp.weixin.qq.com/s/abc">一篇文章</a><a href="https://www.douyin.com/user/x">青山发布抖音号</a>';
    expect(extractPlatformLinks(html, 'http://q/').map((a) => [a.platform, a.name, a.url])).toEqual([
      ['微博', '', 'https://weibo.com/u/6012345678'],
      ['抖音', '青山发布', 'https://www.douyin.com/user/x'],
    ]);
  });

  it('reads own-site lists (labelled blocks and <select> menus) and skips 友情链接 and 国务院部门', () => {
    const html = `<body><div class="links">
      <div><span>部门网站</span><ul><li><a href="http://fgw.qingshan.gov.cn/">市发展改革委</a></li><li><a href="http://jyj.qingshan.gov.cn/index.html">市教育局</a></li></ul></div>
      <div><h4>友情链接</h4><a href="http://www.hunan.gov.cn/">湖南省人民政府</a></div>
      <div><h4>国务院部门网站</h4><a href="http://www.ndrc.gov.cn/">国家发展改革委</a></div>
      <select onchange="window.open(this.value)"><option value="">--县市区网站--</option><option value="http://www.qsx.gov.cn/">青山县</option><option value="http://www.qingshan.gov.cn/">本站</option></select>
      </div></body>`;
    expect(extractOwnSiteLists(html, 'http://www.qingshan.gov.cn/', 'http://www.qingshan.gov.cn/').map((l) => [l.label, l.name, l.url])).toEqual([
      ['县市区网站', '青山县', 'http://www.qsx.gov.cn/'],
      ['部门网站', '市发展改革委', 'http://fgw.qingshan.gov.cn/'],
      ['部门网站', '市教育局', 'http://jyj.qingshan.gov.cn/index.html'],
    ]);
  });

  it('hostile markup gives fewer items, never a throw', () => {
    const deep = '<div>'.repeat(5000) + '<h3>政务微信</h3><p>青山发布</p>' + '</div>'.repeat(5000);
    expect(() => extractListedAccounts(deep, 'http://q/')).not.toThrow();
    expect(extractOwnSiteLists('<select><option value="javascript:alert(1)">部门网站</option></select>', 'http://q/', 'http://q/')).toEqual([]);
  });
});

describe('closed websites', () => {
  const site = { url: 'http://lyj.qingshan.gov.cn/', parents: ['http://www.qingshan.gov.cn/'] };
  it('tells still open, redirected, notice, gone and unverified apart', () => {
    expect(classifyClosedSite(site, { ok: true, status: 200, finalUrl: site.url, text: read('lyj/index.html') }).state).toBe('still-open');
    expect(classifyClosedSite(site, { ok: true, status: 200, finalUrl: 'http://www.qingshan.gov.cn/', redirects: [site.url], text: '<title>青山市人民政府</title>' }).state).toBe('redirected');
    expect(classifyClosedSite(site, { ok: true, status: 200, finalUrl: site.url, text: read('kfq/index.html') }).state).toBe('notice');
    expect(classifyClosedSite(site, { ok: false, error: 'dns' })).toMatchObject({ state: 'gone', detail: expect.stringContaining('域名无法解析') });
    expect(classifyClosedSite(site, { ok: true, status: 404, finalUrl: site.url, text: '' }).state).toBe('gone');
    expect(classifyClosedSite(site, { ok: true, status: 200, finalUrl: site.url, text: '<html><title>Welcome to nginx!</title><body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed and working. Further configuration is required.</p></body></html>' }).state).toBe('gone');
    expect(classifyClosedSite(site, { ok: false, error: 'timeout' }).state).toBe('unverified');
    expect(classifyClosedSite(site, { ok: true, status: 503, finalUrl: site.url, text: '' }).state).toBe('unverified');
    expect(classifyClosedSite(site, { ok: true, status: 200, finalUrl: 'http://other.example/', text: read('lyj/index.html') }).state).toBe('redirected-elsewhere');
    expect(classifyClosedSite(site, { ok: true, status: 200, finalUrl: site.url, text: '<meta http-equiv="refresh" content="0;url=http://www.qingshan.gov.cn/">' }).state).toBe('redirected');
  });
});

describe('freshness verdicts', () => {
  it('minusMonths clamps to the month end', () => {
    expect(minusMonths('2021-06-15', 3)).toBe('2021-03-15');
    expect(minusMonths('2021-05-31', 3)).toBe('2021-02-28');
    expect(minusMonths('2021-01-10', 3)).toBe('2020-10-10');
  });

  it('fresh, stale (20 days), stale and zombie (4 months), failing feed is 未核实', () => {
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', feed: reading('feeds/fresh.xml'), entries: [] })).toMatchObject({ verdict: 'fresh', ageDays: 3 });
    const s = judgeFreshness({ asOf: AS_OF, status: '正常', feed: reading('feeds/stale20.xml'), entries: [] });
    expect(s).toMatchObject({ verdict: 'stale', ageDays: 20, newest: { source: 'feed', day: '2021-05-26' } });
    expect(s.zombie).toBeUndefined();
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', feed: reading('feeds/old4m.atom'), entries: [] })).toMatchObject({ verdict: 'stale', zombie: 'verified', ageDays: 125 });
    const fail = judgeFreshness({ asOf: AS_OF, status: '正常', feed: { url: 'x', ok: false, error: 'HTTP 500', fetchedAt: '2021-06-15T01:00:00Z' }, entries: [], registryUpdated: '2021-01-01' });
    expect(fail).toMatchObject({ verdict: 'unverified', zombie: 'registry', newest: { source: 'registry' } });
    expect(fail.reason).toContain('订阅源无法读取：HTTP 500');
  });

  it('a registry date alone never decides; a closed account is not checked', () => {
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', entries: [], registryUpdated: '2021-06-14' }).verdict).toBe('unverified');
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', entries: [], registryUpdated: '2021-05-01' }).verdict).toBe('unverified');
    expect(judgeFreshness({ asOf: AS_OF, status: '已注销', feed: reading('feeds/stale20.xml'), entries: [] }).verdict).toBe('not-applicable');
  });

  it('a pasted post proves freshness whenever it was seen, staleness only when seen on or after as-of', () => {
    const post = (day: string, observedAt: string) => ({ source: 'post' as const, day, observedAt });
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', entries: [post('2021-06-10', '2021-06-10T08:00:00Z')] }).verdict).toBe('fresh');
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', entries: [post('2021-05-20', '2021-06-15T02:00:00Z')] })).toMatchObject({ verdict: 'stale', ageDays: 26 });
    const early = judgeFreshness({ asOf: AS_OF, status: '正常', entries: [post('2021-05-20', '2021-05-21T02:00:00Z')] });
    expect(early.verdict).toBe('unverified');
    expect(early.reason).toContain('早于监测时间点');
    // An unconfirmed manual entry is ignored; a feed read before as-of cannot show staleness.
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', entries: [{ source: 'manual', day: '2021-05-01', observedAt: '2021-06-15T02:00:00Z', confirmed: false }] }).verdict).toBe('unverified');
    expect(judgeFreshness({ asOf: AS_OF, status: '正常', feed: reading('feeds/stale20.xml', '2021-06-01T00:00:00Z'), entries: [] }).verdict).toBe('unverified');
  });
});
