/**
 * Province views over HTTP (no browser): the overview XLSX export (week and quarter, named by scope and period),
 * status / alerts / 整改 JSON, maintenance windows through the API (the inspector's decision re-judges the stored
 * audit), `/api/runs/:id` saying who confirmed or rejected what, download names, and the review loop's
 * server side (anchored returns, empty veto selects, typed text kept on errors, the login keeping the name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { createDashboard, type Dashboard } from '../src/web/server.ts';
import { contentDisposition, fileNamePart, reportFileName, rfc5987 } from '../src/web/downloads.ts';
import { quarterRange } from '../src/web/province.ts';
import { A, B, C, CERT_EXPIRES, D, NOW, seedProvince, type ProvinceSeed } from './helpers/province-seed.ts';

const TOKEN = 'province-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

let s: ProvinceSeed;
let dash: Dashboard;

beforeAll(async () => {
  s = seedProvince();
  dash = await createDashboard({ dbFile: s.dbFile, configFile: s.configFile, token: TOKEN, now: () => NOW, defaultWeek: '2021-W24', auditRunner: async () => ({}) });
});
afterAll(async () => {
  await dash?.close();
  if (s?.dir) fs.rmSync(s.dir, { recursive: true, force: true });
});

const get = (url: string) => dash.app.inject({ method: 'GET', url });

async function sheetRows(body: Buffer): Promise<{ title: string; rows: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as never);
  const ws = wb.worksheets[0];
  const rows: string[][] = [];
  ws.eachRow((r, n) => {
    if (n >= 3) rows.push((r.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v))));
  });
  return { title: String(ws.getCell(1, 1).value), rows };
}

describe('downloads', () => {
  it('names files by unit and date, RFC 5987 encoded, with an ASCII fallback', () => {
    expect(reportFileName({ site: { name: '青山市人民政府' }, asOf: '2021-06-15', runId: 7, ext: 'xlsx' })).toEqual({
      name: '青山市人民政府-2021-06-15-检查报告.xlsx',
      ascii: 'govsite-run-7-2021-06-15.xlsx',
    });
    expect(reportFileName({ site: { url: 'http://www.x.gov.cn/' }, asOf: '2021-06-15', runId: 7, ext: 'html' }).name).toBe('www.x.gov.cn-2021-06-15-检查报告.html');
    expect(fileNamePart('a/b\\c:"d"*?<>|\u0000e')).toBe('abcde');
    expect(rfc5987("it's (1)*")).toBe('it%27s%20%281%29%2A');
    expect(contentDisposition('总览 "x".xlsx', 'over"view.xlsx')).toBe(`attachment; filename="over_view.xlsx"; filename*=UTF-8''%E6%80%BB%E8%A7%88%20%22x%22.xlsx`);
  });

  it('the run reports download under the unit name and monitoring date', async () => {
    for (const ext of ['xlsx', 'html'] as const) {
      const r = await get(`/runs/${s.run2}/report.${ext}`);
      expect(r.statusCode).toBe(200);
      const cd = String(r.headers['content-disposition']);
      expect(decodeURIComponent(cd.split("filename*=UTF-8''")[1])).toBe(`青山市人民政府-2021-06-15-检查报告.${ext}`);
    }
  });
});

describe('overview export (XLSX)', () => {
  it('week: one row per unit with score, 暂定, 单否 verdict and reasons, both weeks, warnings', async () => {
    const r = await get('/export/overview.xlsx?week=2021-W24');
    expect(r.statusCode).toBe(200);
    expect(decodeURIComponent(String(r.headers['content-disposition']).split("UTF-8''")[1])).toBe('政府网站检查总览-2021-W24.xlsx');
    const { title, rows } = await sheetRows(r.rawPayload);
    expect(title).toContain('2021-W24');
    const [header, ...data] = rows;
    expect(header.slice(0, 10)).toEqual(['单位名称', '网站编号', '网址', '地区', '评分规则', '最新检查（监测时间点）', '最新得分', '暂定', '单否结论', '单否理由']);
    expect(data.map((x) => x[1])).toEqual(['qingshan', 'baishui', 'demo-dept']);
    const qs = data[0];
    expect(qs[5]).toBe(`#${s.run2}（2021-06-15）`);
    expect(Number(qs[6])).toBeGreaterThan(0);
    expect(qs[7]).toBe('是');
    expect(qs[10]).toContain('1.8%（3/168 次）');
    const bs = data[1];
    // 9 / 168 ≥ 5 %, but 8 of the failures are in an undecided maintenance window: not a 单否, 待定
    expect(bs[10]).toContain('5.4%（9/168 次）');
    expect(bs[11]).toBe('待监测');
    expect(bs[8]).not.toContain('不合格');
    expect(bs[14]).toContain('首页打不开次数占比偏高');
    expect(data[2][5]).toBe('未检查');
    expect(data[2][11]).toBe('待监测'); // under-sampled days
  });

  it('filters by region go into the rows and the file name; quarters export whole weeks', async () => {
    const r = await get(`/export/overview.xlsx?week=2021-W24&region=${encodeURIComponent('白水市')}`);
    expect(decodeURIComponent(String(r.headers['content-disposition']).split("UTF-8''")[1])).toBe('白水市-政府网站检查总览-2021-W24.xlsx');
    expect((await sheetRows(r.rawPayload)).rows.slice(1).map((x) => x[1])).toEqual(['baishui']);

    expect(quarterRange('2021-Q2')).toEqual({ from: '2021-04-01', to: '2021-06-30' });
    expect(quarterRange('2021-Q5')).toBeUndefined();
    const q = await get('/export/overview.xlsx?quarter=2021-Q2');
    expect(q.statusCode).toBe(200);
    expect(decodeURIComponent(String(q.headers['content-disposition']).split("UTF-8''")[1])).toBe('政府网站检查总览-2021-Q2.xlsx');
    const { rows } = await sheetRows(q.rawPayload);
    expect(rows[0]).toContain('单否周');
    const qs = rows.find((x) => x[1] === 'qingshan')!;
    expect(qs[5]).toBe(`#${s.run2}（2021-06-15）`);
    expect(qs[10]).toContain('4/336 次');
    const bs = rows.find((x) => x[1] === 'baishui')!;
    expect(bs[11]).toBe(''); // no 单否 week
    expect(bs[12]).toContain('2021-W24'); // 待定 (maintenance window undecided)
    expect(bs[13]).toContain('首页打不开次数占比偏高 1 次');
    expect((await get('/export/overview.xlsx?quarter=2021Q2')).statusCode).toBe(400);
    expect((await get('/export/overview.xlsx?quarter=2031-Q1')).statusCode).toBe(400);
  });
});

describe('status, alerts and 整改 (JSON)', () => {
  it('status: last probe, sparkline points, certificate expiry, IPv6 from the latest audit', async () => {
    const r = (await get('/api/status')).json();
    expect(r.total).toBe(3);
    const qs = r.sites.find((x: { id: string }) => x.id === 'qingshan');
    expect(qs.lastProbe).toMatchObject({ outcome: 'ok', failed: false, status: 200 });
    expect(qs.spark).toHaveLength(48);
    expect(qs.cert).toMatchObject({ expires: CERT_EXPIRES });
    expect(qs.ipv6).toMatchObject({ state: 'ok', runId: s.run2 });
    const bs = r.sites.find((x: { id: string }) => x.id === 'baishui');
    expect(bs.plainHttp).toBe(true);
    expect(bs.cert).toBeUndefined();
    expect(bs.ipv6.state).toBe('not-run');
    expect(bs.maintenance).toEqual({ pending: 1, active: 0 });
    expect(r.sites.find((x: { id: string }) => x.id === 'demo-dept').ipv6.state).toBe('unaudited');
  });

  it('alerts: delivered and failed deliveries with channel and attempts, filterable', async () => {
    const all = (await get('/api/alerts')).json();
    expect(all.total).toBe(3);
    const failed = (await get('/api/alerts?status=failed')).json();
    expect(failed.alerts).toEqual([expect.objectContaining({ siteId: 'baishui', channel: '钉钉值班群', channelType: 'dingtalk', ok: false, attempts: 3 })]);
    expect((await get('/api/alerts?site=qingshan')).json().alerts).toEqual([expect.objectContaining({ channel: '青山市网站办邮箱', ok: true, condition: 'homepage-stale' })]);
    expect((await get(`/api/alerts?region=${encodeURIComponent('青山市')}`)).json().total).toBe(1);
  });

  it('整改: seen again stays open (since its first run), no longer seen is fixed in the latest run, reviewer rejections tagged', async () => {
    const open = (await get('/api/rectification')).json();
    expect(open.counts).toEqual({ open: 43, fixed: 2 });
    const a = open.findings.find((f: { check: string; target: string | null }) => f.check === 'broken-link' && f.target === A.target);
    expect(a).toMatchObject({ status: 'open', siteId: 'qingshan', runId: s.run2, firstRunId: s.run1, seenRuns: 2 });
    const d = open.findings.find((f: { target: string | null }) => f.target === D.target);
    expect(d).toMatchObject({ status: 'open', firstRunId: s.run2, seenRuns: 1, tag: 'rejected', reviewer: '张三' });
    const fixed = (await get('/api/rectification?status=fixed')).json();
    expect(fixed.findings.map((f: { check: string }) => f.check).sort()).toEqual([B.check, C.check].sort());
    expect(fixed.findings[0]).toMatchObject({ status: 'fixed', runId: s.run1, fixedRunId: s.run2, fixedAsOf: '2021-06-15' });
    expect((await get('/api/rectification?status=all&site=baishui')).json().findings).toHaveLength(1);
    expect((await get('/api/rectification?check=ipv6&status=all')).json().total).toBe(1);
    const page = await get('/rectification?status=fixed');
    expect(page.body).toContain('已整改');
    expect(page.body).toContain(`检查 <a href="/runs/${s.run2}">#${s.run2}</a>（2021-06-15）未再发现`);
  });
});

describe('maintenance windows through the API', () => {
  it('needs the operator token; the decision re-judges the stored audit and the weekly verdict', async () => {
    const noToken = await dash.app.inject({ method: 'POST', url: `/api/maintenance/${s.windowId}`, payload: { decision: 'exclude' } });
    expect(noToken.statusCode).toBe(401);
    let site = (await get('/api/sites/baishui?week=2021-W24')).json();
    expect(site.weeks.at(-1).maintenance).toMatchObject({ pendingProbes: 8, pendingFailures: 8 });
    expect(site.maintenance[0]).toMatchObject({ id: s.windowId, decision: 'pending', probes: 8, failures: 8 });

    const bad = await dash.app.inject({ method: 'POST', url: '/api/sites/baishui/maintenance', headers: auth, payload: { from: '2021-06-18 10:00', to: '2021-06-18 09:00' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('结束时间应晚于开始时间');

    const r = await dash.app.inject({ method: 'POST', url: `/api/maintenance/${s.windowId}`, headers: auth, payload: { decision: 'count', reason: '公告晚于停机' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, window: { decision: 'count', decidedBy: '接口调用', reason: '公告晚于停机' }, rescored: [s.runBs] });
    const run = (await get(`/api/runs/${s.runBs}`)).json();
    const av = run.findings.find((f: { check: string }) => f.check === 'availability');
    expect(av.evidence).toMatchObject({ veto: true, probes: 168, failures: 9 });
    expect(av.evidence.unverified).toBeUndefined();
    expect(run.score.veto.failed).toBe(true);
    // The overview's counts and its "≥5%" filter read the same share as its rows: counted, 9 / 168 ≥ 5 %.
    let ov = (await get('/api/sites?week=2021-W24')).json();
    expect(ov.summary.vetoCur).toBe(1);
    expect((await get('/api/sites?week=2021-W24&flag=veto')).json().sites.map((x: { id: string }) => x.id)).toEqual(['baishui']);

    const ex = await dash.app.inject({ method: 'POST', url: `/api/maintenance/${s.windowId}`, headers: auth, payload: { decision: 'exclude', reason: '已提前 3 天公告' } });
    expect(ex.json().window.decision).toBe('exclude');
    const run2 = (await get(`/api/runs/${s.runBs}`)).json();
    expect(run2.findings.some((f: { check: string }) => f.check === 'availability')).toBe(false);
    expect(run2.scopes.availability.summary).toContain('维护时段内 8 次经检查人员决定不计入');
    expect(run2.score.veto.failed).toBe(false);
    site = (await get('/api/sites/baishui?week=2021-W24')).json();
    expect(site.weeks.at(-1).maintenance).toMatchObject({ pendingProbes: 0, excludedProbes: 8 });
    // Not counted: 1 / 160 — no site of the overview is at ≥ 5 % any more, in its counts or its filter.
    ov = (await get('/api/sites?week=2021-W24')).json();
    expect(ov.summary.vetoCur).toBe(0);
    expect(ov.summary.warnCur).toBe(0);
    expect((await get('/api/sites?week=2021-W24&flag=veto')).json().sites).toEqual([]);

    const add = await dash.app.inject({ method: 'POST', url: '/api/sites/baishui/maintenance', headers: auth, payload: { from: '2021-06-19 22:00', to: '2021-06-20 02:00', note: '机房迁移' } });
    expect(add.json()).toMatchObject({ ok: true, window: { siteId: 'baishui', note: '机房迁移', decision: 'pending', createdBy: '接口调用' } });
    const del = await dash.app.inject({ method: 'POST', url: `/api/maintenance/${add.json().window.id}`, headers: auth, payload: { remove: '1' } });
    expect(del.json()).toMatchObject({ ok: true, removed: true });
    expect((await dash.app.inject({ method: 'POST', url: '/api/maintenance/999999', headers: auth, payload: { decision: 'count' } })).statusCode).toBe(404);
  });
});

describe('/api/runs/:id says who decided what', () => {
  it('decisions at the top and a review on each decided finding', async () => {
    const r = (await get(`/api/runs/${s.run2}`)).json();
    expect(r.decisions).toEqual([
      expect.objectContaining({ key: `broken-link|${D.url}|${D.target}`, action: 'reject', reviewer: '张三', date: '2021-06-17', reason: '附件已恢复，复核可下载', findingIndex: 1 }),
    ]);
    expect(r.findings[1].review).toEqual({ action: 'reject', reviewer: '张三', date: '2021-06-17', reason: '附件已恢复，复核可下载' });
    expect(r.findings[0].review).toBeUndefined();
    const page = (await get(`/runs/${s.run2}`)).body;
    expect(page).toContain('复核记录（1 条）');
    expect(page).toMatch(/data-decision="reject"[\s\S]*张三[\s\S]*2021-06-17/);
  });
});

describe('review loop (server side)', () => {
  async function login(name = '王五'): Promise<{ cookie: string; csrf: string }> {
    const r = await dash.app.inject({ method: 'POST', url: '/login', payload: { reviewer: name, token: TOKEN, next: '/' } });
    const cookie = String(r.headers['set-cookie']).split(';')[0];
    const page = await dash.app.inject({ method: 'GET', url: `/runs/${s.run2}`, headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    return { cookie, csrf };
  }

  it('forms return to the row or entry they were posted from; veto and fixed-point selects start empty; grouped by 指标', async () => {
    const { cookie } = await login();
    const page = (await dash.app.inject({ method: 'GET', url: `/runs/${s.run2}`, headers: { cookie } })).body;
    expect(page).toContain(`name="_back" value="/runs/${s.run2}#f-0"`);
    expect(page).toMatch(/<h4 class="level1" data-level1="[^"]+">/);
    expect(page).toMatch(/<table class="manual grouped" data-level2="[^"]+"><caption>/);
    const vetoSelects = page.match(/<select name="value" required aria-label="单否结论">[\s\S]*?<\/select>/g) ?? [];
    expect(vetoSelects.length).toBeGreaterThan(0);
    for (const sel of vetoSelects) expect(sel).toMatch(/^<select[^>]*><option value="" selected disabled>请选择<\/option>/);
    expect(page).not.toMatch(/<option value="false" selected/);
    const back = /<tr id="m-([^"]+)" data-pending="\1">[\s\S]*?name="_back" value="([^"]+)"/.exec(page)!;
    expect(back[2]).toBe(`/runs/${s.run2}#m-${back[1]}`);
  });

  it('a confirm redirects to the finding; an invalid entry keeps what was typed in the message', async () => {
    const { cookie, csrf } = await login();
    const r = await dash.app.inject({
      method: 'POST',
      url: `/api/runs/${s.run2}/decisions`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, _back: `/runs/${s.run2}#f-0`, key: `broken-link|${A.url}|${A.target}`, action: 'confirm', reason: '复核确认' }).toString(),
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/runs/${s.run2}#f-0`);
    const bad = await dash.app.inject({
      method: 'POST',
      url: `/api/runs/${s.run2}/manual`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, _back: `/runs/${s.run2}#m-veto.health.1`, rule: 'release.topics.1', field: 'count', value: '', note: '全年只开设1个原创专栏' }).toString(),
    });
    expect(bad.headers.location).toBe(`/runs/${s.run2}#m-veto.health.1`);
    const after = (await dash.app.inject({ method: 'GET', url: `/runs/${s.run2}`, headers: { cookie } })).body;
    expect(after).toContain('请先选择或填写评定结果');
    expect(after).toContain('说明“全年只开设1个原创专栏”');
  });

  it('an expired session shows what was typed; a wrong token keeps the reviewer name', async () => {
    const r = await dash.app.inject({
      method: 'POST',
      url: `/api/runs/${s.run2}/decisions`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _back: `/runs/${s.run2}#f-1`, key: `broken-link|${D.url}|${D.target}`, action: 'reject', reason: '我写了很长的复核理由' }).toString(),
    });
    expect(r.statusCode).toBe(401);
    expect(r.body).toContain('您填写的内容尚未保存');
    expect(r.body).toContain('我写了很长的复核理由');
    expect(r.body).toContain(encodeURIComponent(`/runs/${s.run2}#f-1`));
    const wrong = await dash.app.inject({ method: 'POST', url: '/login', payload: { reviewer: '赵六', token: 'wrong', next: '/' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('value="赵六"');
    expect(wrong.body).not.toContain('value="wrong"');
    // logging in from a finding comes back to that finding
    const anon = (await get(`/runs/${s.run2}`)).body;
    expect(anon).toContain(`href="/login?next=${encodeURIComponent(`/runs/${s.run2}#f-0`)}"`);
  });
});
