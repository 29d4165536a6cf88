import { describe, expect, it } from 'vitest';
import { addWorkingDays, isWorkingDay, latencyDistribution, workingDaysBetween } from '../src/analyze/interaction/workdays.ts';
import { matchLetterLabel, normalizeLabel, readStatus } from '../src/analyze/interaction/labels.ts';
import { lettersFromDataStore, parseDataStore, parseJsonLetters, parseLetterDetail, parseLetterList } from '../src/analyze/interaction/letters.ts';
import { findChannels } from '../src/analyze/interaction/channels.ts';
import { findPagination, pageUrlFor } from '../src/analyze/interaction/pagination.ts';
import { findDataEndpoints, hanwebRequest } from '../src/analyze/interaction/endpoints.ts';
import { coreTitle, matchResult, parseActivityDetail, parseActivityList } from '../src/analyze/interaction/activities.ts';
import { findLetterStatistics } from '../src/analyze/interaction/statistics.ts';

const page = (body: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`;

describe('working days (chinese-days: holidays and 调休)', () => {
  it('counts the working days after the question up to the reply across 2021 holidays', () => {
    // 国庆: 10-01..10-07 off, Saturday 10-09 is a 调休 working day.
    expect(workingDaysBetween('2021-09-30', '2021-10-11')).toBe(3);
    // 春节: 02-11..02-17 off, Saturday 02-20 works.
    expect(workingDaysBetween('2021-02-10', '2021-02-22')).toBe(4);
    // 清明: 04-03..04-05 off.
    expect(workingDaysBetween('2021-04-02', '2021-04-07')).toBe(2);
    // 劳动节: 05-01..05-05 off, Saturday 05-08 works.
    expect(workingDaysBetween('2021-04-30', '2021-05-10')).toBe(4);
    // 端午: 06-12..06-14 off.
    expect(workingDaysBetween('2021-06-11', '2021-06-15')).toBe(1);
    // 中秋: 09-19..09-21 off, Saturday 09-18 works.
    expect(workingDaysBetween('2021-09-17', '2021-09-22')).toBe(2);
    expect(isWorkingDay('2021-04-25')).toBe(true);
    expect(isWorkingDay('2021-10-04')).toBe(false);
  });

  it('same day and weekend questions, times ignored, reversed and bad input', () => {
    expect(workingDaysBetween('2021-06-07', '2021-06-07 17:00')).toBe(0);
    expect(workingDaysBetween('2021-06-05', '2021-06-07')).toBe(1);
    expect(workingDaysBetween('2021-10-11', '2021-09-30')).toBe(-3);
    expect(workingDaysBetween('2021-13-01', '2021-10-11')).toBeNaN();
    expect(workingDaysBetween('1900-01-01', '2021-10-11')).toBeNaN();
    expect(addWorkingDays('2021-09-30', 5)).toBe('2021-10-13');
  });

  it('distribution: median and share over 5 working days, inconsistent dates left out', () => {
    expect(latencyDistribution([3, 1, 7, 0, -2, NaN])).toEqual({ count: 4, median: 2, shareOver: 0.25, over: 5, max: 7, inconsistent: 2 });
    expect(latencyDistribution([])).toEqual({ count: 0, over: 5, inconsistent: 0 });
  });
});

describe('labels and status words', () => {
  it('reads labels by their words, whatever the spacing and brackets', () => {
    expect(normalizeLabel('标　　题：')).toBe('标题');
    expect(matchLetterLabel('【回复时间】')).toBe('repliedAt');
    expect(matchLetterLabel('来信日期:')).toBe('askedAt');
    expect(matchLetterLabel('提交时间')).toBe('askedAt');
    expect(matchLetterLabel('办结时间')).toBe('repliedAt');
    expect(matchLetterLabel('处理时间')).toBe('handledAt');
    expect(matchLetterLabel('答复单位')).toBe('replyUnit');
    expect(matchLetterLabel('回复部门')).toBe('replyUnit');
    expect(matchLetterLabel('提交部门')).toBe('addressedTo');
    expect(matchLetterLabel('回复内容')).toBe('replyText');
    expect(matchLetterLabel('处理情况')).toBe('status');
    expect(matchLetterLabel('满意度')).toBe('satisfaction');
    expect(matchLetterLabel('发布时间')).toBe('publishedAt');
    expect(matchLetterLabel('关于未回复问题的说明')).toBeUndefined();
  });

  it('reads a status only as a whole value', () => {
    expect(readStatus('已回复')).toMatchObject({ state: 'answered' });
    expect(readStatus('【已办结】')).toMatchObject({ state: 'answered' });
    expect(readStatus('待回复')).toMatchObject({ state: 'pending', kind: 'not-answered' });
    expect(readStatus('未 回 复')).toMatchObject({ state: 'pending', kind: 'not-answered' });
    expect(readStatus('办理中')).toMatchObject({ state: 'pending', kind: 'in-progress' });
    expect(readStatus('关于未回复问题的说明')).toMatchObject({ state: 'unknown' });
    expect(readStatus('经核实，已回复当事人')).toMatchObject({ state: 'unknown' });
  });
});

describe('letter lists', () => {
  it('a Hanweb-style table with header labels: columns by label, detail links', () => {
    const html = page(`<table><tr><th>办件编号</th><th>标题</th><th>处理情况</th><th>提交时间</th><th>提交部门</th></tr>
<tr><td>2021050001</td><td><a href="mailpubdetail.do?sysid=1&amp;transactId=1">关于小区停车位收费的咨询</a></td><td>已回复</td><td>2021-05-10</td><td>市住建局</td></tr>
<tr><td>2021020002</td><td><a href="mailpubdetail.do?sysid=1&amp;transactId=2">关于未回复问题的说明</a></td><td>已办结</td><td>2021-02-10</td><td>市教育局</td></tr></table>`);
    const { letters } = parseLetterList(html, 'http://a.gov.cn/jact/front/mailpublist.do?sysid=1');
    expect(letters.map((l) => [l.title, l.askedAt, l.status, l.url])).toEqual([
      ['关于小区停车位收费的咨询', '2021-05-10', 'answered', 'http://a.gov.cn/jact/front/mailpubdetail.do?sysid=1&transactId=1'],
      ['关于未回复问题的说明', '2021-02-10', 'answered', 'http://a.gov.cn/jact/front/mailpubdetail.do?sysid=1&transactId=2'],
    ]);
    expect(letters[0].fields.askedAt).toEqual({ label: '提交时间', value: '2021-05-10', snippet: '提交时间：2021-05-10' });
    expect(letters[0].fields.addressedTo?.value).toBe('市住建局');
  });

  it('<dl> blocks with label/value spans and 满意度', () => {
    const html = page(`<div class="mail-list"><dl><dt><a href="detail/1.html">关于公交线路调整的建议</a><span>来信人：张**</span><span>来信时间：2021-05-20</span></dt><dd><span>回复部门：市交通运输局</span><span>回复时间：2021-05-25</span><span>满意度：满意</span></dd></dl>
<dl><dt><a href="detail/2.html">咨询社保卡办理</a><span>来信人：李**</span><span>来信时间：2021-05-21</span></dt><dd><span>回复部门：</span><span>回复时间：</span><span>满意度：未评价</span></dd></dl></div>`);
    const { letters } = parseLetterList(html, 'http://b.gov.cn/webapp/qs/email/index.jsp');
    expect(letters.map((l) => [l.title, l.askedAt, l.repliedAt, l.replyUnit, l.satisfaction])).toEqual([
      ['关于公交线路调整的建议', '2021-05-20', '2021-05-25', '市交通运输局', '满意'],
      ['咨询社保卡办理', '2021-05-21', undefined, undefined, '未评价'],
    ]);
    expect(letters[1].replyBlock).toBe('empty');
  });

  it('list items with an unlabeled date and a status badge', () => {
    const html = page(`<ul><li><a href="/ly/1.html">咨询公租房申请条件</a><em>已回复</em><span>2021-06-01</span></li><li><a href="/ly/2.html">反映路灯不亮的问题</a><em>办理中</em><span>2021-06-02</span></li></ul>`);
    const { letters } = parseLetterList(html, 'http://c.gov.cn/ly/');
    expect(letters.map((l) => [l.title, l.listDate, l.status, l.askedAt])).toEqual([
      ['咨询公租房申请条件', '2021-06-01', 'answered', undefined],
      ['反映路灯不亮的问题', '2021-06-02', 'pending', undefined],
    ]);
  });

  it('a header table with no rows gives its labels (for rows loaded by script) and a placeholder', () => {
    const r = parseLetterList(page(`<table><tr><th>办件编号</th><th>标题</th><th>处理情况</th><th>提交时间</th></tr></table><div>暂无信件</div>`), 'http://a/');
    expect(r.letters).toEqual([]);
    expect(r.headers).toEqual(['办件编号', '标题', '处理情况', '提交时间']);
    expect(r.placeholder).toBe('暂无信件');
  });

  it('Hanweb dataStore fragments (JS and XML) under the page header', () => {
    const js = `var totalRecord = 42; var dataStore = [ '<tr><td>2021050003</td><td><a href="mailpubdetail.do?transactId=3" title="关于道路积水">关于道路积水</a></td><td>已办结</td><td>2021-05-01</td></tr>',\n "<tr><td>2021010004</td><td><a href=\\"mailpubdetail.do?transactId=4\\">咨询公积金提取</a></td><td>待回复</td><td>2021-01-04</td></tr>" ];`;
    const r = lettersFromDataStore(js, 'http://a.gov.cn/jact/front/mailpublist.do', ['办件编号', '标题', '处理情况', '提交时间']);
    expect(r?.total).toBe(42);
    expect(r?.letters.map((l) => [l.number, l.title, l.status, l.askedAt, l.url])).toEqual([
      ['2021050003', '关于道路积水', 'answered', '2021-05-01', 'http://a.gov.cn/jact/front/mailpubdetail.do?transactId=3'],
      ['2021010004', '咨询公积金提取', 'pending', '2021-01-04', 'http://a.gov.cn/jact/front/mailpubdetail.do?transactId=4'],
    ]);
    const xml = `<datastore><totalrecord>1</totalrecord><recordset><record><![CDATA[<li><a href="/x/1.html">关于垃圾清运</a><span>提交时间：2021-03-03</span><span>状态：已回复</span></li>]]></record></recordset></datastore>`;
    expect(parseDataStore(xml)?.fragments.length).toBe(1);
    expect(lettersFromDataStore(xml, 'http://a/')?.letters[0]).toMatchObject({ title: '关于垃圾清运', askedAt: '2021-03-03', status: 'answered' });
    expect(parseDataStore('<html>nothing</html>')).toBeNull();
  });

  it('JSON answers: keys by meaning, HTML in values stripped, JSONP, detail template', () => {
    const body = JSON.stringify({ total: 3, data: { rows: [{ id: 5, title: '咨询户口迁移', createTime: '2021-05-02 10:00', replyTime: '2021-05-06', replyDept: '市公安局', status: '已回复', replyContent: '<p>您好</p>' }] } });
    const r = parseJsonLetters(`cb(${body});`, 'http://c.gov.cn/hdjl/', '/hdjl/detail.html?id={id}');
    expect(r?.total).toBe(3);
    expect(r?.letters[0]).toMatchObject({ title: '咨询户口迁移', askedAt: '2021-05-02', askedTime: '10:00', repliedAt: '2021-05-06', replyUnit: '市公安局', status: 'answered', replyText: '您好', url: 'http://c.gov.cn/hdjl/detail.html?id=5' });
    expect(parseJsonLetters('not json', 'http://c/')).toBeNull();
  });
});

describe('letter detail pages', () => {
  it('reads a table detail page by label, with the reply block', () => {
    const d = parseLetterDetail(page(`<h1>信件详情</h1><table><tr><td>标　　题</td><td colspan="3">关于小区停车位收费的咨询</td></tr><tr><td>来信人</td><td>王**</td><td>来信时间</td><td>2021-05-10 09:12:00</td></tr><tr><td>来信内容</td><td colspan="3">请问小区停车位收费标准？</td></tr></table>
<table><tr><td>回复单位：</td><td>市住建局</td></tr><tr><td>回复时间：</td><td>2021-05-14</td></tr><tr><td>回复内容：</td><td><p>您好，经核实，收费标准已公示。</p><p>感谢来信。</p></td></tr></table>`), 'http://a/d/1');
    expect(d).toMatchObject({ title: '关于小区停车位收费的咨询', askedAt: '2021-05-10', askedTime: '09:12', repliedAt: '2021-05-14', replyUnit: '市住建局', replyBlock: 'filled' });
    expect(d.replyText).toContain('感谢来信');
    expect(d.fields.repliedAt?.snippet).toBe('回复时间：2021-05-14');
  });

  it('an empty reply block is "empty"; no reply labels is "absent"; free-text labels', () => {
    const e = parseLetterDetail(page(`<div>标题：咨询入学政策</div><div>留言时间：2021-01-05</div><div>回复内容：</div><div>回复时间：</div><div>回复单位：</div>`), 'http://a/d/2');
    expect(e).toMatchObject({ title: '咨询入学政策', askedAt: '2021-01-05', replyBlock: 'empty' });
    const a = parseLetterDetail(page(`<h2>咨询公积金</h2><p>来信时间：2021-01-05　状态：待回复</p>`), 'http://a/d/3');
    expect(a).toMatchObject({ title: '咨询公积金', askedAt: '2021-01-05', replyBlock: 'absent', status: 'pending', statusKind: 'not-answered' });
    const t = parseLetterDetail(page(`<h2>关于未回复问题的说明</h2><p>来信时间：2021-01-05</p><h3>答复</h3><p>您反映的问题已转相关部门。</p><p>答复时间：2021-01-08</p>`), 'http://a/d/4');
    expect(t).toMatchObject({ title: '关于未回复问题的说明', replyBlock: 'filled', repliedAt: '2021-01-08' });
    expect(t.status).toBeUndefined();
  });

  it('survives hostile input', () => {
    expect(parseLetterDetail('', 'http://a/').recognized).toBe(0);
    const deep = '<div>'.repeat(5000) + '标题：x' + '</div>'.repeat(5000);
    expect(() => parseLetterDetail(deep, 'http://a/')).not.toThrow();
    expect(parseLetterList('<table>'.repeat(3000), 'http://a/').letters).toEqual([]);
  });
});

describe('channels', () => {
  it('finds consultation, special, survey and e-mail channels by text and URL shape', () => {
    const html = page(`<ul><li><a href="/jact/front/mailpublist.do?sysid=1">市长信箱</a></li><li><a href="http://wlwz.x.gov.cn/webapp/x2020/email/index.jsp">网络问政</a></li><li><a href="mailto:shuji@x.gov.cn">书记信箱</a></li><li><a href="/hdjl/wsxf/">网上信访</a></li><li><a href="/zjdc/">征集调查</a></li><li><a href="/xw/t20210101_1.html">关于开通市长信箱的通知以及相关事项的说明和解答</a></li><li><a href="javascript:void(0)" onclick="window.open('/gbook/write.jsp')">我要写信</a></li></ul><p>咨询信箱：zixun@x.gov.cn</p>
<div class="footer"><p>网站邮箱：webmaster@x.gov.cn　网站标识码：1234567890　主办单位：x</p></div>`);
    const ch = findChannels(html, 'http://www.x.gov.cn/');
    expect(ch.map((c) => [c.url, c.kind, c.group, c.role])).toEqual([
      ['http://www.x.gov.cn/jact/front/mailpublist.do?sysid=1', 'mailbox', 'consult', 'list'],
      ['http://wlwz.x.gov.cn/webapp/x2020/email/index.jsp', 'consult', 'consult', 'entry'],
      ['mailto:shuji@x.gov.cn', 'mailbox', 'consult', 'entry'],
      ['http://www.x.gov.cn/hdjl/wsxf/', 'petition', 'special', 'entry'],
      ['http://www.x.gov.cn/zjdc/', 'survey', 'survey', 'entry'],
      ['http://www.x.gov.cn/gbook/write.jsp', 'board', 'consult', 'submit'],
      ['mailto:zixun@x.gov.cn', 'mailbox', 'consult', 'entry'],
    ]);
  });
});

describe('pagination and endpoints', () => {
  it('next links, totals and page parameters', () => {
    const p = findPagination(page(`<div class="page"><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=2">下一页</a> 共 45 条 当前第1页</div>`), 'http://a/list.jsp');
    expect(p).toMatchObject({ next: 'http://a/list.jsp?page=2', totalRecords: 45, current: 1, pattern: { kind: 'param', param: 'page' } });
    expect(pageUrlFor(p, 'http://a/list.jsp', 3)).toBe('http://a/list.jsp?page=3');
    const trs = findPagination(page(`<script>createPageHTML(5, 0, "index", "html");</script>`), 'http://a/zjdc/index.html');
    expect(trs).toMatchObject({ totalPages: 5, next: 'http://a/zjdc/index_1.html' });
    expect(pageUrlFor(trs, 'http://a/zjdc/index.html', 3)).toBe('http://a/zjdc/index_2.html');
  });

  it('the Hanweb dataproxy request and a JSON endpoint from the page scripts', () => {
    const eps = findDataEndpoints(page(`<script>var cfg = { url: 'dataproxy_mailpublist.do', perpage: 15, params: { sysid: '2', webid: 1 } };</script><script>$.ajax({ url: '/hdjl/api/letters.json?page=1', type: 'GET', success: function (d) { location.href = 'detail.html?id=' + d.id; } });</script>`), 'http://a.gov.cn/jact/front/mailpublist.do?sysid=2');
    expect(eps.map((e) => [e.kind, e.url, e.method])).toEqual([
      ['hanweb', 'http://a.gov.cn/jact/front/dataproxy_mailpublist.do', 'POST'],
      ['json', 'http://a.gov.cn/hdjl/api/letters.json?page=1', 'GET'],
    ]);
    expect(hanwebRequest(eps[0], 1)).toEqual({ url: 'http://a.gov.cn/jact/front/dataproxy_mailpublist.do?startrecord=1&endrecord=45&perpage=15', body: 'sysid=2&webid=1' });
    expect(eps[1].pageParam).toEqual({ name: 'page', first: 1 });
    expect(eps[1].detailTemplate).toBe('detail.html?id={id}');
  });
});

describe('surveys and statistics', () => {
  it('activities with date ranges, status and result links; detail pages with and without results', () => {
    const acts = parseActivityList(page(`<ul><li><a href="2021/05/a.html">关于《青山市城市绿化条例（草案）》公开征求意见的公告</a><span>征集时间：2021-05-01 至 2021-05-31</span><span>已结束</span><a href="2021/06/r.html">查看结果</a></li>
<li><a href="2021/04/b.html">青山市公共交通满意度网上调查</a><span>2021-04-01~2021-04-15</span><span>已截止</span></li></ul>`), 'http://a/zjdc/');
    expect(acts.map((a) => [a.title, a.start, a.end, a.status, a.result.state, a.result.url])).toEqual([
      ['关于《青山市城市绿化条例（草案）》公开征求意见的公告', '2021-05-01', '2021-05-31', 'closed', 'published', 'http://a/zjdc/2021/06/r.html'],
      ['青山市公共交通满意度网上调查', '2021-04-01', '2021-04-15', 'closed', 'unknown', undefined],
    ]);
    const none = parseActivityDetail(page(`<h1>青山市公共交通满意度网上调查</h1><p>调查时间：2021-04-01 至 2021-04-15</p><p>反馈结果：暂无</p>`), 'http://a/zjdc/2021/04/b.html');
    expect(none).toMatchObject({ start: '2021-04-01', end: '2021-04-15', result: { state: 'none' } });
    const pub = parseActivityDetail(page(`<h1>x调查</h1><p>征集时间：2021-03-01 至 2021-03-10</p><p>征集结果：共收到意见12条，采纳5条。（2021-03-20 发布）</p>`), 'http://a/zjdc/c.html');
    expect(pub.result).toMatchObject({ state: 'published', at: '2021-03-20' });
    expect(matchResult(acts[1], [{ title: '青山市公共交通满意度网上调查结果反馈', date: '2021-05-01' }])?.date).toBe('2021-05-01');
    expect(coreTitle('关于《青山市城市绿化条例（草案）》公开征求意见的公告')).toBe('青山市城市绿化条例（草案）');
  });

  it('statistics sentences and tables need both a received and an answered count', () => {
    expect(findLetterStatistics(page('<div>2021年5月，市长信箱共收到来信 126 件，已办结 120 件，办结率95.2%。</div>'), 'http://a/')).toMatchObject({ received: 126, answered: 120, period: '2021年5月', kind: 'text' });
    expect(findLetterStatistics(page('<table><tr><th>月份</th><th>来信数</th><th>办结数</th></tr><tr><td>5月</td><td>126</td><td>120</td></tr></table>'), 'http://a/')).toMatchObject({ received: 126, answered: 120, kind: 'table' });
    expect(findLetterStatistics(page('<p>请在回复中注明联系电话，办理时限为15个工作日。</p>'), 'http://a/')).toBeUndefined();
  });
});

describe('look-alikes on real layouts', () => {
  it('a comment form under an article is not an empty reply; form labels are not a letter row', () => {
    const html = page(`<h1>某某活动举行</h1><p>发布时间：2021-06-01 09:00</p><div class="pl"><form><p>留言内容：<textarea name="c"></textarea></p><p>回复内容：</p><p>验证码：<input name="v"></p><p><input type="submit" value="提交留言"></p></form></div>`);
    const d = parseLetterDetail(html, 'http://a/x');
    expect(d.replyBlock).toBe('absent');
    expect(d.replyForm).toBe(true);
    expect(parseLetterList(html, 'http://a/x').letters).toEqual([]);
  });

  it('a news list in the sidebar of a survey page is not a list of activities', () => {
    const acts = parseActivityList(page(`<ul><li><a href="/xw/1.html">市政府召开常务会议研究部署工作</a><span>2021-06-01</span></li><li><a href="/zj/2.html">关于城市绿化条例的意见征集公告</a><span>2021-05-01</span></li></ul>`), 'http://a/zjdc/');
    expect(acts.map((a) => a.title)).toEqual(['关于城市绿化条例的意见征集公告']);
  });
});
