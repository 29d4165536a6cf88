/**
 * The dashboard's 模拟咨询 block: the site page lists the inquiries, and recording one or entering a reply time needs
 * the operator token (or a session with its CSRF field); a reply entered by hand rescores the site's latest audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDashboard, type Dashboard } from '../src/web/server.ts';
import { Store } from '../src/store/store.ts';
import { siteKey } from '../src/collect/crawl.ts';
import { scoreStoredRun } from '../src/audit/score-run.ts';
import { saveManual } from '../src/score/manual.ts';

const TOKEN = 'test-operator-token-0123456789';
const HOME = 'http://www.alpha.example/';

function request(base: string, method: string, p: string, o: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string> } = {}) {
  const u = new URL(p, base);
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] = 'application/json';
  } else if (o.form) {
    body = new URLSearchParams(o.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard: 模拟咨询', () => {
  let dir: string;
  let dash: Dashboard;
  let base = '';
  let runId = 0;
  let before = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-web-inq-'));
    fs.mkdirSync(path.join(dir, 'manual'));
    fs.writeFileSync(path.join(dir, 'sites.yaml'), ['sites:', '  - id: alpha', '    name: 青山市人民政府', `    url: ${HOME}`, '    rubric: hunan-2021-city', '    manual: manual/alpha.yaml', ''].join('\n'));
    const manual = path.join(dir, 'manual', 'alpha.yaml');
    saveManual(manual, { site: HOME, rubric: 'hunan-2021-city', items: [], decisions: [] });
    const store = Store.open(path.join(dir, 'g.db'));
    runId = store.createRun({ siteUrl: HOME, siteKey: siteKey(HOME), siteId: 'alpha', siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', options: { unitType: 'city', hasPublicServices: true, manualFile: manual } });
    store.saveFindings(runId, []);
    store.finishRun(runId, 'done', { stats: { pagesCrawled: 1 } });
    before = scoreStoredRun(store, runId, { rubric: 'hunan-2021-city', manualFile: manual, profile: { unitType: 'city', hasPublicServices: true } }).score!.total;
    store.close();
    dash = await createDashboard({ dbFile: path.join(dir, 'g.db'), configFile: path.join(dir, 'sites.yaml'), token: TOKEN, defaultWeek: '2021-W24' });
    base = await dash.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await dash?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records an inquiry and a reply time with the token; the reply rescores the latest audit', async () => {
    const page = await request(base, 'GET', '/sites/alpha');
    expect(page.text).toContain('<h2>模拟咨询</h2>');
    expect(page.text).toContain('尚未登记模拟咨询');
    expect(page.text).not.toContain('登记模拟咨询</button>');
    const anon = await request(base, 'POST', '/api/sites/alpha/inquiries', { json: { channel: `${HOME}szxx/`, askedAt: '2021-06-01 10:00', title: '咨询公租房' } });
    expect(anon.status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const bad = await request(base, 'POST', '/api/sites/alpha/inquiries', { json: { channel: `${HOME}szxx/`, askedAt: 'yesterday', title: '咨询公租房' }, headers: auth });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toContain('YYYY-MM-DD HH:MM');
    const add = await request(base, 'POST', '/api/sites/alpha/inquiries', { json: { channel: `${HOME}szxx/`, askedAt: '2021-06-01 10:00', title: '咨询公租房' }, headers: auth });
    expect(add.status).toBe(200);
    expect(JSON.parse(add.text)).toMatchObject({ ok: true, inquiry: { id: 1, site: 'alpha', askedAt: '2021-06-01 10:00' }, runId });
    // Asked 06-01, no reply found or entered by 06-15: 9 working days → a finding that waits for a reviewer.
    expect(JSON.parse(add.text).score).toBe(before);
    const rep = await request(base, 'POST', '/api/inquiries/1/reply', { json: { repliedAt: '2021-06-10 10:00' }, headers: auth });
    expect(rep.status).toBe(200);
    // 06-01 → 06-10: 6 working days, entered by hand → 留言公开 5a −2 at once.
    expect(JSON.parse(rep.text)).toMatchObject({ ok: true, inquiry: { repliedAt: '2021-06-10 10:00' }, runId, score: before - 2 });
    const shown = await request(base, 'GET', '/sites/alpha');
    expect(shown.text).toContain('data-inquiry="1"');
    expect(shown.text).toContain('咨询公租房');
  });

  it('a session needs the CSRF field', async () => {
    const login = await request(base, 'POST', '/login', { form: { reviewer: '张三', token: TOKEN, next: '/sites/alpha' } });
    const sid = /govsite_sid=([^;]+)/.exec(String(login.headers['set-cookie']))![1];
    const headers = { cookie: `govsite_sid=${sid}` };
    const page = await request(base, 'GET', '/sites/alpha', { headers });
    expect(page.text).toContain('登记模拟咨询</button>');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const no = await request(base, 'POST', '/api/inquiries/1/reply', { form: { repliedAt: '2021-06-02 09:00' }, headers });
    expect(no.status).toBe(403);
    const ok = await request(base, 'POST', '/api/inquiries/1/reply', { form: { repliedAt: '2021-06-02 09:00', _csrf: csrf, _back: '/sites/alpha#inquiries' }, headers });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/sites/alpha#inquiries');
    const flash = await request(base, 'GET', '/sites/alpha', { headers });
    expect(flash.text).toContain('已录入答复时间 2021-06-02 09:00');
  });
});
