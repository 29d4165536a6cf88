/**
 * Dashboard server over real HTTP on 127.0.0.1: the JSON API (availability numbers equal weeklyAvailability),
 * overview paging/sorting/filtering in SQL, auth (token, session + CSRF, origin, host), reviewer writes to the
 * manual-items file with rescoring, run-now for configured sites only, stored-file serving, downloads, escaping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDashboard, type Dashboard } from '../src/web/server.ts';
import { Store } from '../src/store/store.ts';
import { recordProbes, writeHeartbeats, type ProbeRecord } from '../src/monitor/store.ts';
import { weeklyAvailability } from '../src/monitor/ratios.ts';
import { ensureMonitorSchema } from '../src/monitor/schema.ts';
import { addDays, dayStartMs, weekRange } from '../src/monitor/time.ts';
import { siteKey } from '../src/collect/crawl.ts';
import { scoreStoredRun } from '../src/audit/score-run.ts';
import { loadManual, saveManual, type ManualFile } from '../src/score/manual.ts';
import { loadRubric } from '../src/score/rubric.ts';
import { scoreAudit } from '../src/score/engine.ts';
import type { Finding } from '../src/model.ts';
import type { AuditRequest } from '../src/web/jobs.ts';

const TOKEN = 'test-operator-token-0123456789';
const NOW = Date.parse('2021-06-21T04:00:00Z'); // Monday of 2021-W25, 12:00 in Shanghai
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const HOME = 'http://www.alpha.example/';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function request(base: string, method: string, p: string, o: { headers?: Record<string, string>; body?: string | Buffer; json?: unknown; form?: Record<string, string> } = {}): Promise<Res> {
  const u = new URL(p, base);
  const headers: Record<string, string> = { ...o.headers };
  let body: string | Buffer | undefined = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] ??= 'application/json';
  } else if (o.form) {
    body = new URLSearchParams(o.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        const text = b.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Probes for one site: failures[d] of perDay[d] probes on each day from `from`. */
function probes(siteId: string, url: string, from: string, perDay: number[], failures: number[]): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  perDay.forEach((n, d) => {
    const day = addDays(from, d);
    for (let i = 0; i < n; i++) {
      const failed = i < failures[d];
      out.push({
        siteId,
        result: {
          url,
          finalUrl: url,
          at: new Date(dayStartMs(day) + Math.floor((i * 86_400_000) / n) + 60_000).toISOString(),
          outcome: failed ? 'timeout' : 'ok',
          ...(failed ? {} : { status: 200 }),
          ms: failed ? 15_000 : 320,
          phases: {},
          family: 4,
          address: '203.0.113.7',
          bytes: failed ? 0 : 30_000,
          ...(failed ? { error: 'deadline' } : {}),
          redirects: 0,
        },
      });
    }
  });
  return out;
}

const FINDINGS: Finding[] = [
  {
    check: 'broken-link',
    url: HOME,
    target: 'http://www.alpha.example/old.html',
    detail: 'GET 404 Not Found',
    message: '首页链接无法打开（HTTP 404）',
    evidence: { anchorText: '旧版网站', linkKind: 'a', onHomepage: true, status: 404 },
  },
  {
    check: 'broken-link',
    url: 'http://www.alpha.example/202106/t20210610_7001.html',
    target: 'javascript:alert(3)',
    detail: 'GET 404',
    message: '链接无法打开：<script>alert(1)</script>',
    evidence: { anchorText: '<img src=x onerror=alert(2)>', pageTitle: '<script>alert(1)</script>', snippet: '"><svg onload=alert(4)>', status: 404 },
  },
  {
    check: 'date-format',
    url: 'http://www.alpha.example/202106/t20210611_7002.html',
    message: '发布时间未按 YYYY-MM-DD 格式显示',
    evidence: { snippet: '发布时间：2021年6月11日' },
  },
];

interface Seeded {
  dir: string;
  dbFile: string;
  configFile: string;
  manualAlpha: string;
  runId: number;
  shot: string;
}

function seed(): Seeded {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-web-api-'));
  const dbFile = path.join(dir, 'govsite.db');
  const configFile = path.join(dir, 'sites.yaml');
  fs.mkdirSync(path.join(dir, 'manual'));
  fs.writeFileSync(
    configFile,
    [
      'sites:',
      '  - id: alpha',
      '    name: 青山市人民政府',
      `    url: ${HOME}`,
      '    rubric: hunan-2021-city',
      '    region: 青山市',
      '    manual: manual/alpha.yaml',
      '  - id: beta',
      '    name: 白水市人民政府',
      '    url: http://www.beta.example/',
      '    rubric: hunan-2021-city',
      '    region: 白水市',
      '  - id: gamma',
      '    name: 湖南省示例厅',
      '    url: http://gamma.example/',
      '    rubric: hunan-2021-provincial',
      '    region: 省直',
      '    hasPublicServices: false',
      '',
    ].join('\n'),
  );
  const store = Store.open(dbFile);
  const w23 = weekRange('2021-W23').from;
  const w24 = weekRange('2021-W24').from;
  recordProbes(store.db, [
    ...probes('alpha', HOME, w23, [24, 24, 24, 24, 24, 24, 24], [0, 0, 1, 0, 0, 0, 0]),
    ...probes('alpha', HOME, w24, [24, 24, 24, 24, 24, 24, 24], [0, 1, 0, 0, 1, 0, 0]),
    ...probes('beta', 'http://www.beta.example/', w23, [24, 24, 24, 24, 24, 24, 24], [1, 1, 1, 0, 1, 0, 1]),
    ...probes('beta', 'http://www.beta.example/', w24, [24, 24, 24, 24, 24, 24, 24], [2, 2, 2, 2, 2, 1, 1]),
    ...probes('gamma', 'http://gamma.example/', w24, [24, 24, 10, 10, 24, 24, 24], [0, 0, 0, 0, 0, 0, 0]),
    ...probes('retired', 'http://old.example/', w24, [24], [3]),
  ]);
  writeHeartbeats(store.db, Math.floor(dayStartMs(w23) / 60_000), Math.floor(dayStartMs(addDays(w24, 7)) / 60_000) - 1);
  const shot = path.join(dir, 'home.png');
  fs.writeFileSync(shot, PNG_1PX);
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not an image');
  const runId = store.createRun({ siteUrl: HOME, siteKey: siteKey(HOME), siteId: 'alpha', siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', options: { unitType: 'city', hasPublicServices: true } });
  store.saveFindings(runId, FINDINGS.map((f, i) => (i === 2 ? { ...f, evidence: { ...f.evidence, screenshot: shot } } : f)));
  store.finishRun(runId, 'done', { stats: { pagesCrawled: 12, linksChecked: 80, brokenLinks: 2 }, screenshot: shot, browser: { available: true } });
  const manualAlpha = path.join(dir, 'manual', 'alpha.yaml');
  saveManual(manualAlpha, { site: HOME, rubric: 'hunan-2021-city', items: [], decisions: [] });
  scoreStoredRun(store, runId, { rubric: 'hunan-2021-city', manualFile: manualAlpha, profile: { unitType: 'city', hasPublicServices: true } });
  // A run whose recorded screenshot is not an image: never served.
  const bad = store.createRun({ siteUrl: 'http://www.beta.example/', siteKey: siteKey('http://www.beta.example/'), siteId: 'beta', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
  store.saveFindings(bad, []);
  store.finishRun(bad, 'done', { screenshot: path.join(dir, 'secret.txt') });
  store.close();
  return { dir, dbFile, configFile, manualAlpha, runId, shot };
}

function expectedTotal(manual: Partial<ManualFile> | null): number {
  const rubric = loadRubric('hunan-2021-city');
  const findings = FINDINGS.map((f, i) => (i === 2 ? { ...f, evidence: { ...f.evidence } } : f));
  const m = manual ? ({ site: HOME, rubric: 'hunan-2021-city', items: [], decisions: [], ...manual } as ManualFile) : null;
  return scoreAudit({ rubric, findings, manual: m, profile: { unitType: 'city', hasPublicServices: true } }).total;
}

describe('dashboard HTTP API', () => {
  let s: Seeded;
  let dash: Dashboard;
  let base = '';
  const audits: string[] = [];

  beforeAll(async () => {
    s = seed();
    dash = await createDashboard({
      dbFile: s.dbFile,
      configFile: s.configFile,
      token: TOKEN,
      now: () => NOW,
      defaultWeek: '2021-W24',
      auditRunner: async (r: AuditRequest) => {
        audits.push(r.site.id);
        return { runId: 4242 };
      },
    });
    base = await dash.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await dash?.close();
    if (s) fs.rmSync(s.dir, { recursive: true, force: true });
  });

  const get = (p: string, headers?: Record<string, string>) => request(base, 'GET', p, { headers });

  it('GET /api/availability returns the same numbers as weeklyAvailability', async () => {
    const store = Store.open(s.dbFile);
    try {
      const all = await get('/api/availability?week=2021-W24');
      expect(all.status).toBe(200);
      const want = weeklyAvailability(store.db, { week: '2021-W24', siteIds: ['alpha', 'beta', 'gamma'], now: NOW });
      expect(all.json().rows).toEqual(JSON.parse(JSON.stringify(want)));
      expect(all.json()).toMatchObject({ week: '2021-W24', from: '2021-06-14', to: '2021-06-20' });
      const beta = all.json().rows.find((r: { site: string }) => r.site === 'beta');
      expect(beta).toMatchObject({ probes: 168, failures: 12, veto: true, insufficientDays: 0 });
      const gamma = all.json().rows.find((r: { site: string }) => r.site === 'gamma');
      expect(gamma).toMatchObject({ probes: 140, failures: 0, veto: false, insufficientDays: 2 });

      const one = await get('/api/availability?week=2021-W23&site=beta');
      expect(one.json().rows).toEqual(JSON.parse(JSON.stringify(weeklyAvailability(store.db, { week: '2021-W23', siteId: 'beta', now: NOW }))));
      expect(one.json().rows[0]).toMatchObject({ probes: 168, failures: 5, veto: false });

      const range = await get('/api/availability?from=2021-06-07&to=2021-06-20&site=alpha');
      expect(range.json().rows).toEqual(JSON.parse(JSON.stringify(weeklyAvailability(store.db, { from: '2021-06-07', to: '2021-06-20', siteId: 'alpha', now: NOW }))));
      expect(range.json().rows.map((r: { week: string }) => r.week)).toEqual(['2021-W23', '2021-W24']);

      expect((await get('/api/availability?week=2021-W99')).status).toBe(400);
      expect((await get('/api/availability?from=2021-02-30')).status).toBe(400);
      // implausible dates (issue 11.13): before 2000 or more than a year after the dashboard's today
      expect((await get('/api/availability?week=2999-W01')).status).toBe(400);
      expect((await get('/api/availability?from=0000-01-01&to=2021-06-20')).json().error ?? '').toMatch(/不合理/);
      expect((await get('/api/availability?week=2021-W24&from=2021-06-14')).status).toBe(400);
    } finally {
      store.close();
    }
  });

  it('GET /api/sites lists configured and DB-only sites with this and last week, scores and warnings', async () => {
    const r = await get('/api/sites?week=2021-W24');
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.total).toBe(4);
    expect(body.sites.map((x: { id: string }) => x.id)).toEqual(['alpha', 'beta', 'gamma', 'retired']);
    const store = Store.open(s.dbFile);
    try {
      for (const site of body.sites) {
        const [cur] = weeklyAvailability(store.db, { week: '2021-W24', siteId: site.id, now: NOW });
        const [prev] = weeklyAvailability(store.db, { week: '2021-W23', siteId: site.id, now: NOW });
        expect(site.thisWeek).toMatchObject({ probes: cur.probes, failures: cur.failures, veto: cur.veto, insufficientDays: cur.insufficientDays });
        expect(site.lastWeek).toMatchObject({ probes: prev.probes, failures: prev.failures, veto: prev.veto, insufficientDays: prev.insufficientDays });
        if (cur.probes) expect(site.thisWeek.ratio).toBeCloseTo(cur.ratio, 12);
      }
    } finally {
      store.close();
    }
    const alpha = body.sites[0];
    expect(alpha.latestAudit).toMatchObject({ runId: s.runId, asOf: '2021-06-15', total: expectedTotal(null), provisional: true });
    const beta = body.sites[1];
    expect(beta.warnings.map((w: { condition: string }) => w.condition)).toContain('availability');
    expect(body.sites[3]).toMatchObject({ id: 'retired', configured: false });
    expect(body.summary).toMatchObject({ sites: 4, vetoCur: 2, vetoPrev: 0 });

    const sorted = (await get('/api/sites?week=2021-W24&sort=cur&dir=desc')).json();
    expect(sorted.sites.map((x: { id: string }) => x.id)).toEqual(['retired', 'beta', 'alpha', 'gamma']);
    const paged = (await get('/api/sites?week=2021-W24&limit=2&offset=2')).json();
    expect(paged.sites.map((x: { id: string }) => x.id)).toEqual(['gamma', 'retired']);
    expect(paged.total).toBe(4);
    const veto = (await get('/api/sites?week=2021-W24&flag=veto')).json();
    expect(veto.sites.map((x: { id: string }) => x.id)).toEqual(['beta', 'retired']);
    const prov = (await get('/api/sites?week=2021-W24&rubric=hunan-2021-provincial')).json();
    expect(prov.sites.map((x: { id: string }) => x.id)).toEqual(['gamma']);
    const region = (await get(`/api/sites?week=2021-W24&region=${encodeURIComponent('白水市')}`)).json();
    expect(region.sites.map((x: { id: string }) => x.id)).toEqual(['beta']);
    const q = (await get(`/api/sites?week=2021-W24&q=${encodeURIComponent('示例厅')}`)).json();
    expect(q.sites.map((x: { id: string }) => x.id)).toEqual(['gamma']);
    const thin = (await get('/api/sites?week=2021-W24&flag=insufficient')).json();
    expect(thin.sites.map((x: { id: string }) => x.id)).toContain('gamma');
    const empty = (await get('/api/sites?week=2021-W24&limit=10&offset=100')).json();
    expect(empty).toMatchObject({ total: 4, sites: [] });
  });

  it('GET /api/runs/:id returns the audit JSON document', async () => {
    const r = await get(`/api/runs/${s.runId}`);
    expect(r.status).toBe(200);
    const doc = r.json();
    expect(doc).toMatchObject({ runId: s.runId, rubric: 'hunan-2021-city', asOf: '2021-06-15', site: { url: HOME } });
    expect(doc.findings).toHaveLength(3);
    expect(doc.score.total).toBe(expectedTotal(null));
    expect((await get('/api/runs/99999')).status).toBe(404);
    expect((await get('/api/runs/abc')).status).toBe(404);
  });

  it('refuses writes without the token (401) and changes nothing', async () => {
    const before = fs.readFileSync(s.manualAlpha, 'utf8');
    const scoresBefore = (await get(`/api/runs/${s.runId}`)).json().score.total;
    const payload = { check: 'broken-link', url: HOME, target: 'http://www.alpha.example/old.html', action: 'reject', reason: '复核可打开' };
    const none = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { json: payload });
    expect(none.status).toBe(401);
    expect(none.json().error).toMatch(/口令/);
    const wrong = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { json: payload, headers: { authorization: 'Bearer wrong-token-wrong-token' } });
    expect(wrong.status).toBe(401);
    const form = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { form: { key: `broken-link|${HOME}|http://www.alpha.example/old.html`, action: 'reject', reason: 'x' } });
    expect(form.status).toBe(401);
    expect(form.text).toContain('需要登录');
    const manual = await request(base, 'POST', `/api/runs/${s.runId}/manual`, { json: { rule: 'release.topics.1', count: 1 } });
    expect(manual.status).toBe(401);
    const run = await request(base, 'POST', '/api/sites/alpha/run', { json: {} });
    expect(run.status).toBe(401);
    // A cross-origin request is refused even with the token.
    const cross = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, {
      json: payload,
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    const crossSite = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, {
      json: payload,
      headers: { authorization: `Bearer ${TOKEN}`, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(fs.readFileSync(s.manualAlpha, 'utf8')).toBe(before);
    expect((await get(`/api/runs/${s.runId}`)).json().score.total).toBe(scoresBefore);
    expect(audits).toEqual([]);
  });

  it('rejecting a finding with the token writes the manual file and rescores', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const noReason = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, {
      json: { check: 'broken-link', url: HOME, target: 'http://www.alpha.example/old.html', action: 'reject' },
      headers: auth,
    });
    expect(noReason.status).toBe(400);
    const unknown = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { json: { check: 'broken-link', url: HOME, target: 'http://nope.example/', action: 'confirm' }, headers: auth });
    expect(unknown.status).toBe(404);

    const before = (await get(`/api/runs/${s.runId}`)).json().score.total;
    const r = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, {
      json: { check: 'broken-link', url: HOME, target: 'http://www.alpha.example/old.html', action: 'reject', reason: '复核时可以打开', reviewer: '李四' },
      headers: auth,
    });
    expect(r.status).toBe(200);
    const decision = { key: `broken-link|${HOME}|http://www.alpha.example/old.html`, action: 'reject' as const, reason: '复核时可以打开' };
    const want = expectedTotal({ decisions: [decision] });
    expect(want).toBeGreaterThan(before);
    expect(r.json()).toMatchObject({ ok: true, action: 'reject', score: { total: want } });
    const m = loadManual(s.manualAlpha);
    expect(m.decisions).toHaveLength(1);
    expect(m.decisions[0]).toMatchObject({ ...decision, reviewer: '李四', date: '2021-06-21' });
    expect((await get(`/api/runs/${s.runId}`)).json().score.total).toBe(want);
    const doc = (await get(`/api/runs/${s.runId}`)).json();
    expect(doc.score.excluded[0].reason).toContain('复核时可以打开');
    expect(doc.score.excluded[0].reviewer).toBe('李四');

    // Clearing the decision restores the machine score.
    const c = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { json: { key: decision.key, action: 'clear' }, headers: auth });
    expect(c.status).toBe(200);
    expect(c.json().score.total).toBe(before);
    expect(loadManual(s.manualAlpha).decisions).toHaveLength(0);
  });

  it('manual items: enter, validate against the rubric, remove', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const before = (await get(`/api/runs/${s.runId}`)).json().score;
    const r = await request(base, 'POST', `/api/runs/${s.runId}/manual`, { json: { rule: 'release.topics.1', count: 1, note: '专题未更新', reviewer: '王五' }, headers: auth });
    expect(r.status).toBe(200);
    const want = expectedTotal({ items: [{ rule: 'release.topics.1', count: 1 }] });
    expect(r.json().score.total).toBe(want);
    expect(want).toBeLessThan(before.total);
    const m = loadManual(s.manualAlpha);
    expect(m.items[0]).toMatchObject({ rule: 'release.topics.1', count: 1, note: '专题未更新', reviewer: '王五', date: '2021-06-21' });
    // Wrong field for the rule kind, unknown rule, bad number: 400 and the file stays.
    const text = fs.readFileSync(s.manualAlpha, 'utf8');
    expect((await request(base, 'POST', `/api/runs/${s.runId}/manual`, { json: { rule: 'release.topics.1', veto: true, note: 'x' }, headers: auth })).status).toBe(400);
    expect((await request(base, 'POST', `/api/runs/${s.runId}/manual`, { json: { rule: 'no.such.rule', count: 1 }, headers: auth })).status).toBe(400);
    expect((await request(base, 'POST', `/api/runs/${s.runId}/manual`, { json: { rule: 'release.topics.1', field: 'count', value: 'abc' }, headers: auth })).status).toBe(400);
    expect(fs.readFileSync(s.manualAlpha, 'utf8')).toBe(text);
    const del = await request(base, 'POST', `/api/runs/${s.runId}/manual`, { json: { rule: 'release.topics.1', remove: true }, headers: auth });
    expect(del.status).toBe(200);
    expect(del.json().score.total).toBe(before.total);
    expect(loadManual(s.manualAlpha).items).toHaveLength(0);
  });

  it('a site without a manual file cannot be reviewed (409), nothing written', async () => {
    const store = Store.open(s.dbFile);
    const betaRun = (store.db.prepare("SELECT id FROM runs WHERE site_id = 'beta'").get() as { id: number }).id;
    store.close();
    const r = await request(base, 'POST', `/api/runs/${betaRun}/manual`, { json: { rule: 'release.topics.1', count: 1 }, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(409);
    expect(r.json().error).toMatch(/manual/);
  });

  it('run-now audits configured sites only', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const unknown = await request(base, 'POST', '/api/sites/retired/run', { json: {}, headers: auth });
    expect(unknown.status).toBe(404);
    const url = await request(base, 'POST', `/api/sites/${encodeURIComponent('http://evil.example/')}/run`, { json: { url: 'http://evil.example/' }, headers: auth });
    expect(url.status).toBe(404);
    const r = await request(base, 'POST', '/api/sites/alpha/run', { json: { url: 'http://evil.example/' }, headers: auth });
    expect(r.status).toBe(202);
    const job = r.json().job;
    expect(job).toMatchObject({ siteId: 'alpha' });
    await dash.jobs.whenIdle();
    const j = await get(`/api/jobs/${job.id}`);
    expect(j.json()).toMatchObject({ status: 'done', runId: 4242 });
    expect(audits).toEqual(['alpha']);
  });

  it('login: bad token 401, session cookie flags, CSRF required for cookie writes', async () => {
    const bad = await request(base, 'POST', '/login', { form: { reviewer: '张三', token: 'nope', next: '/' } });
    expect(bad.status).toBe(401);
    const ok = await request(base, 'POST', '/login', { form: { reviewer: '张三', token: TOKEN, next: `/runs/${s.runId}` } });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/runs/${s.runId}`);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const sid = /govsite_sid=([^;]+)/.exec(cookie)![1];
    const headers = { cookie: `govsite_sid=${sid}` };
    const page = await get(`/runs/${s.runId}`, headers);
    expect(page.text).toContain('评审人：张三');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const key = `date-format|http://www.alpha.example/202106/t20210611_7002.html|`;
    const noCsrf = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { form: { key, action: 'confirm' }, headers });
    expect(noCsrf.status).toBe(403);
    const badCsrf = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { form: { key, action: 'confirm', _csrf: 'x'.repeat(43) }, headers });
    expect(badCsrf.status).toBe(403);
    expect(loadManual(s.manualAlpha).decisions).toHaveLength(0);
    const good = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { form: { key, action: 'confirm', _csrf: csrf, _back: `/runs/${s.runId}#f-2` }, headers });
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe(`/runs/${s.runId}#f-2`);
    expect(loadManual(s.manualAlpha).decisions[0]).toMatchObject({ key, action: 'confirm', reviewer: '张三' });
    // _back never leaves the dashboard.
    const evil = await request(base, 'POST', `/api/runs/${s.runId}/decisions`, { form: { key, action: 'clear', _csrf: csrf, _back: '//evil.example/x' }, headers });
    expect(evil.headers.location).toBe(`/runs/${s.runId}`);
    const flash = await get(`/runs/${s.runId}`, headers);
    expect(flash.text).toContain('已撤销复核');
    const out = await request(base, 'POST', '/logout', { form: { _csrf: csrf }, headers });
    expect(out.status).toBe(303);
    expect((await get(`/runs/${s.runId}`, headers)).text).not.toContain('评审人：张三');
  });

  it('sends security headers and escapes crawled text', async () => {
    for (const p of ['/', `/runs/${s.runId}`, '/sites/alpha', '/api/sites', '/login']) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    const page = (await get(`/runs/${s.runId}`)).text;
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<svg onload');
    expect(page).not.toMatch(/href="javascript:/i);
    expect(page.match(/<script\b/g)).toHaveLength(1); // only /static/app.js
  });

  it('answers only to loopback host names when bound to loopback', async () => {
    const r = await get('/', { host: 'evil.example' });
    expect(r.status).toBe(403);
    const ok = await get('/', { host: 'localhost' });
    expect(ok.status).toBe(200);
  });

  it('serves only screenshots recorded in the database, and the reports', async () => {
    const shot = await get(`/runs/${s.runId}/screenshot`);
    expect(shot.status).toBe(200);
    expect(shot.headers['content-type']).toBe('image/png');
    expect(shot.body.equals(PNG_1PX)).toBe(true);
    const ev = await get(`/runs/${s.runId}/evidence/2/screenshot`);
    expect(ev.status).toBe(200);
    expect((await get(`/runs/${s.runId}/evidence/0/screenshot`)).status).toBe(404);
    const store = Store.open(s.dbFile);
    const betaRun = (store.db.prepare("SELECT id FROM runs WHERE site_id = 'beta'").get() as { id: number }).id;
    store.close();
    const notImage = await get(`/runs/${betaRun}/screenshot`);
    expect(notImage.status).toBe(404);
    expect(notImage.text).not.toContain('not an image');
    expect((await get(`/runs/${s.runId}/screenshot?path=${encodeURIComponent(path.join(s.dir, 'secret.txt'))}`)).body.equals(PNG_1PX)).toBe(true);
    expect((await get('/runs/1/../../etc/passwd')).status).toBe(404);
    const html = await get(`/runs/${s.runId}/report.html`);
    expect(html.status).toBe(200);
    // named by unit and date (RFC 5987 filename*), with an ASCII fallback
    expect(String(html.headers['content-disposition'])).toMatch(/^attachment; filename="govsite-run-\d+-2021-06-15\.html"; filename\*=UTF-8''/);
    expect(decodeURIComponent(String(html.headers['content-disposition']).split("UTF-8''")[1])).toBe('青山市人民政府-2021-06-15-检查报告.html');
    expect(html.text).toContain('政府网站检查报告');
    const xlsx = await get(`/runs/${s.runId}/report.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.body.subarray(0, 2).toString()).toBe('PK');
  });
});

describe('overview paging over many sites (SQL LIMIT/OFFSET)', () => {
  let dir = '';
  let dash: Dashboard;
  let base = '';
  const N = 260;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-web-many-'));
    const dbFile = path.join(dir, 'govsite.db');
    const lines = ['sites:'];
    for (let i = 0; i < N; i++) {
      const id = `s${String(i).padStart(4, '0')}`;
      lines.push(`  - id: ${id}`, `    name: 测试单位${i}`, `    url: http://${id}.example/`, `    rubric: ${i % 5 === 0 ? 'hunan-2021-provincial' : 'hunan-2021-city'}`, `    region: 区域${i % 7}`);
    }
    fs.writeFileSync(path.join(dir, 'sites.yaml'), lines.join('\n') + '\n');
    const store = Store.open(dbFile);
    ensureMonitorSchema(store.db);
    const ins = store.db.prepare('INSERT INTO monitor_daily (day, site_id, probes, failures) VALUES (?, ?, ?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < N; i++) {
        const id = `s${String(i).padStart(4, '0')}`;
        for (let d = 0; d < 14; d++) ins.run(addDays('2021-06-07', d), id, 24, d >= 7 ? i % 13 === 0 ? 3 : 0 : 0);
      }
    })();
    store.close();
    dash = await createDashboard({ dbFile, configFile: path.join(dir, 'sites.yaml'), token: TOKEN, now: () => NOW, defaultWeek: '2021-W24' });
    base = await dash.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await dash?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pages, sorts and filters in SQL', async () => {
    const p2 = (await request(base, 'GET', '/api/sites?week=2021-W24&page=2&size=50')).json();
    expect(p2.total).toBe(N);
    expect(p2.sites).toHaveLength(50);
    expect(p2.sites[0].id).toBe('s0050');
    expect(p2.sites[49].id).toBe('s0099');
    const worst = (await request(base, 'GET', '/api/sites?week=2021-W24&sort=cur&dir=desc&limit=5')).json();
    expect(worst.sites.every((x: { thisWeek: { failures: number } }) => x.thisWeek.failures === 21)).toBe(true);
    expect(worst.summary.vetoCur).toBe(Math.ceil(N / 13));
    const veto = (await request(base, 'GET', '/api/sites?week=2021-W24&flag=veto&limit=1000')).json();
    expect(veto.total).toBe(Math.ceil(N / 13));
    expect(veto.sites.map((x: { id: string }) => x.id)).toContain('s0013');
    const html = await request(base, 'GET', '/?week=2021-W24&page=3');
    expect(html.status).toBe(200);
    expect(html.text).toContain('data-site="s0100"');
    expect(html.text).not.toContain('data-site="s0099"');
    expect(html.text).toContain('共 6 页');
  });
});
