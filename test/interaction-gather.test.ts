/**
 * The interaction gatherer against hostile and incomplete boards: endless pagination, a list that repeats itself,
 * 10,000 letters in one answer, a page that errors, a channel that hangs — all bounded and recorded, never a hang —
 * and a small board whose letters lack fields (every letter is checked: 不足5条的检查全部).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Store } from '../src/store/store.ts';
import { openDatabase } from '../src/store/db.ts';
import { runGatherers } from '../src/gather/_runner.ts';
import gatherer from '../src/gather/interaction.ts';
import { DEFAULT_CHECK_OPTIONS, observationSet, type AuditContext, type PageObservation } from '../src/model.ts';
import { loadChecks, runChecks } from '../src/checks.ts';
import { OBS, type ChannelObs, type LetterObs } from '../src/analyze/interaction/observations.ts';
import { newChannelObs, readBoard, type BoardEnv } from '../src/gather/_interaction-board.ts';
import { classifyChannelLink } from '../src/analyze/interaction/channels.ts';

let server: http.Server;
let base = '';
const sockets = new Set<Socket>();

const page = (body: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试</title></head><body>${body}</body></html>`;
const row = (id: string, title: string, date: string) => `<li><a href="/d/${id}.html">${title}</a><span>来信时间：${date}</span><span>状态：已回复</span></li>`;

function day(n: number): string {
  const d = new Date(Date.UTC(2021, 5, 14) - n * 86_400_000);
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: string, type = 'text/html; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (u.pathname === '/small/list.html') {
      return send(200, page(`<ul>${row('s1', '咨询甲事项办理', '2021-06-01')}${row('s2', '咨询乙事项办理', '2021-05-20')}${row('s3', '咨询丙事项办理', '2021-05-10')}</ul>`));
    }
    if (u.pathname === '/d/s1.html') return send(200, page('<table><tr><td>标题</td><td>咨询甲事项办理</td></tr><tr><td>来信时间</td><td>2021-06-01</td></tr><tr><td>答复单位</td><td>市民政局</td></tr><tr><td>答复时间</td><td>2021-06-02</td></tr><tr><td>答复内容</td><td>您好，已办理。</td></tr></table>'));
    if (u.pathname === '/d/s2.html') return send(200, page('<table><tr><td>标题</td><td>咨询乙事项办理</td></tr><tr><td>来信时间</td><td>2021-05-20</td></tr><tr><td>答复时间</td><td>2021-05-21</td></tr><tr><td>答复内容</td><td>您好，请携带身份证办理。</td></tr></table>'));
    if (u.pathname === '/d/s3.html') return send(200, page('<table><tr><td>标题</td><td>咨询丙事项办理</td></tr><tr><td>来信时间</td><td>2021-05-10</td></tr><tr><td>答复单位</td><td>市人社局</td></tr><tr><td>答复时间</td><td>2021-05-12</td></tr><tr><td>答复内容</td><td></td></tr></table>'));
    if (u.pathname === '/endless/list') {
      // Every page is "page n" with fresh letters and a next link: the walk must stop at its page limit.
      const n = Number(u.searchParams.get('page') ?? '1');
      const items = Array.from({ length: 10 }, (_, i) => row(`e${n}-${i}`, `无尽列表第${n}页第${i}条咨询`, '2021-06-01')).join('');
      return send(200, page(`<ul>${items}</ul><a href="/endless/list?page=${n + 1}">下一页</a>`));
    }
    if (u.pathname === '/repeat/list') {
      // The next link answers the same letters again.
      return send(200, page(`<ul>${row('r1', '重复列表的咨询一', '2021-06-01')}${row('r2', '重复列表的咨询二', '2021-05-01')}</ul><a href="/repeat/list?p=${Number(u.searchParams.get('p') ?? '1') + 1}">下一页</a>`));
    }
    if (u.pathname === '/big/index.html') return send(200, page(`<ul id="list"></ul><script>$.ajax({ url: '/big/api/list.json', type: 'GET', success: function (d) {} });</script>`));
    if (u.pathname === '/big/api/list.json') {
      const data = Array.from({ length: 10_000 }, (_, i) => ({ id: i, title: `第${i}条网民咨询`, createTime: `${day(i % 300)} 10:00`, status: '已回复', url: `/big/d/${i}.html` }));
      return send(200, JSON.stringify({ total: 10_000, data }), 'application/json');
    }
    if (u.pathname === '/err/list') {
      if (u.searchParams.get('page') === '2') return send(500, page('服务器错误'));
      return send(200, page(`<ul>${row('x1', '出错列表的咨询一', day(10))}</ul><a href="/err/list?page=2">下一页</a>`));
    }
    if (u.pathname === '/hang/index.html') return; // never answers
    if (u.pathname.startsWith('/d/')) return send(200, page('<p>来信时间：2021-06-01</p><p>答复内容：您好。</p><p>答复单位：市政府办</p><p>答复时间：2021-06-02</p>'));
    return send(404, page('页面不存在'));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

function homepage(body: string): PageObservation {
  return {
    url: `${base}/`, finalUrl: `${base}/`, redirects: [], status: 200, depth: 0, fetchedAt: new Date().toISOString(), timings: { headersMs: 1, totalMs: 1 },
    headers: {}, bytes: body.length, contentType: 'text/html', charset: 'utf-8', charsetSource: 'header', html: page(body), links: [], isHomepage: true,
  };
}

async function gather(homeBody: string, config: Record<string, unknown> = {}) {
  const store = new Store(openDatabase(':memory:'));
  const runId = store.createRun({ siteUrl: `${base}/`, siteKey: '127.0.0.1', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
  const r = await runGatherers({
    store, runId, site: { url: `${base}/`, host: '127.0.0.1', unitType: 'city' }, asOf: '2021-06-15', rubric: 'hunan-2021-city', hasPublicServices: true,
    homepage: homepage(homeBody), linkResults: new Map(), screenshotDir: '/tmp', gatherers: [gatherer],
    config: { interaction: config }, fetcher: { timeoutMs: 400 },
  });
  const obs = store.observations(runId);
  const ctx: AuditContext = {
    site: { url: `${base}/`, host: '127.0.0.1', unitType: 'city' }, asOf: '2021-06-15', runId, pages: [], homepage: undefined, linkResults: new Map(),
    browser: { available: false, pages: new Map() }, observations: observationSet(obs), options: DEFAULT_CHECK_OPTIONS,
  };
  return { status: r.statuses.interaction, obs, ctx, store };
}

describe('interaction gatherer: bounded on hostile boards', () => {
  it('stops endless and repeating pagination, caps letters, records errors and hangs, and finishes', async () => {
    const { status, obs } = await gather(
      `<ul><li><a href="/small/list.html">市长信箱</a></li><li><a href="/endless/list?page=1">咨询投诉</a></li><li><a href="/repeat/list">留言板</a></li>` +
        `<li><a href="/err/list?page=1">网上咨询</a></li><li><a href="/hang/index.html">在线咨询</a></li><li><a href="/big/index.html">书记信箱</a></li></ul>`,
      { maxListPages: 5, maxLetters: 200 },
    );
    const ch = (t: string) => obs.filter((o) => o.kind === OBS.channel).map((o) => o.data as ChannelObs).find((c) => c.text === t)!;
    expect(ch('市长信箱')).toMatchObject({ listRead: 'read', letters: 3, stoppedBy: 'end' });
    expect(ch('咨询投诉')).toMatchObject({ listRead: 'read', letters: 50, pagesRead: 5, stoppedBy: 'page-limit' });
    expect(ch('留言板')).toMatchObject({ listRead: 'read', letters: 2, stoppedBy: 'repeat' });
    expect(ch('网上咨询')).toMatchObject({ listRead: 'read', letters: 1, stoppedBy: 'error' });
    expect(ch('网上咨询').errors[0]).toContain('HTTP 500');
    expect(ch('在线咨询')).toMatchObject({ opened: false, listRead: 'unreadable' });
    expect(ch('书记信箱')).toMatchObject({ listRead: 'read', listKind: 'json', stoppedBy: 'letter-limit' });
    const letters = obs.filter((o) => o.kind === OBS.letter);
    expect(letters.length).toBe(200);
    expect(status.status).toBe('partial');
    expect(status.reason).toContain('「在线咨询」');
  });

  it('checks every letter of a small board (不足5条) and reports each missing item', async () => {
    const { ctx } = await gather(`<a href="/small/list.html">市长信箱</a>`);
    const letters = ctx.observations!.list<LetterObs>(OBS.letter);
    expect(letters.map((l) => [l.title, l.sampleRank !== undefined, l.detailRead])).toEqual([
      ['咨询甲事项办理', true, true],
      ['咨询乙事项办理', true, true],
      ['咨询丙事项办理', true, true],
    ]);
    const checks = await loadChecks();
    const r = runChecks(checks, ctx, new Set(['message-fields', 'message-unanswered', 'messages-unpublished', 'interaction-channel']));
    expect(r.findings.map((f) => `${f.check} ${f.target?.replace(base, '')}`).sort()).toEqual(['message-fields /d/s2.html#replyUnit', 'message-fields /d/s3.html#replyText']);
    expect(r.findings.find((f) => f.target?.endsWith('#replyText'))?.detail).toBe('「咨询丙事项办理」未公开答复内容（页面有「答复内容」但内容为空）');
    expect(r.scopes['message-fields']).toMatchObject({ status: 'checked', stats: { sampled: 3 } });
  });

  it('an e-mail-only site and a site without any channel', async () => {
    const checks = await loadChecks();
    let g = await gather(`<p>市长信箱：<a href="mailto:sz@example.gov.cn">sz@example.gov.cn</a></p>`);
    let r = runChecks(checks, g.ctx, new Set(['interaction-channel', 'messages-unpublished']));
    expect(r.findings.map((f) => [f.check, f.evidence.rule])).toEqual([['interaction-channel', 'email-only']]);
    expect(r.scopes['messages-unpublished'].status).toBe('not-run');
    g = await gather(`<p>欢迎访问</p><a href="/xwzx/">新闻中心</a>`);
    r = runChecks(checks, g.ctx, new Set(['interaction-channel']));
    expect(r.findings.map((f) => [f.check, f.evidence.rule, f.evidence.confirm])).toEqual([['interaction-channel', 'none', 'required']]);
  });
});

describe('a list filled by script without an endpoint govsite can call', () => {
  const scripted = page(`<ul id="l"></ul><script>fetch(location.pathname + '?data=1').then(function (r) { return r.text(); }).then(function (t) { document.getElementById('l').innerHTML = t; });</script>`);
  const env = (render: BoardEnv['render']): BoardEnv => ({
    asOf: '2021-06-15',
    signal: new AbortController().signal,
    fetch: async (url) => ({ url, finalUrl: url, ok: true, status: 200, contentType: 'text/html', headers: {}, text: scripted, charset: 'utf-8', bytes: scripted.length, truncated: false, redirects: [], at: '' }),
    render,
  });
  const channel = () => newChannelObs(classifyChannelLink('http://b.example/ly/', '留言板', 'http://a.example/')!, 'a.example');

  it('is read from the rendered page when a browser is there', async () => {
    const r = await readBoard(env(async (url) => ({ url, at: '', html: page(`<ul>${row('1', '咨询落户政策问题', '2021-06-01')}</ul>`) })), { crawled: () => undefined }, channel(), { maxListPages: 5, maxLetters: 100 }, { n: 0 });
    expect(r.channel).toMatchObject({ listRead: 'read', listKind: 'rendered', scriptList: true, letters: 1, otherHost: true });
  });

  it('is unreadable (not "unpublished") without one', async () => {
    const r = await readBoard(env(async () => null), { crawled: () => undefined }, channel(), { maxListPages: 5, maxLetters: 100 }, { n: 0 });
    expect(r.channel).toMatchObject({ listRead: 'unreadable', scriptList: true, letters: 0 });
  });
});
