/**
 * The gatherers' runtime: budgets, POST, charset decoding, observations and statuses in the store, failures and
 * time limits recorded — never fatal.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { Store } from '../src/store/store.ts';
import { openDatabase } from '../src/store/db.ts';
import { runGatherers, loadGatherers } from '../src/gather/_runner.ts';
import type { Gatherer } from '../src/gather/_types.ts';
import { observationSet, GATHER_STATUS_KIND } from '../src/model.ts';

let server: http.Server;
let base = '';
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/gbk') {
      res.writeHead(200, { 'content-type': 'text/html; charset=gbk' });
      res.end(iconv.encode('<html><body>领导信箱</body></html>', 'gbk'));
    } else if (req.url === '/post' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`got ${body} as ${req.headers['content-type']}`);
      });
      return;
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/gbk' });
      res.end();
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2_000);
    } else {
      res.writeHead(404);
      res.end('no');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function newRun() {
  const store = new Store(openDatabase(':memory:'));
  const runId = store.createRun({ siteUrl: `${base}/`, siteKey: '127.0.0.1', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
  return { store, runId };
}

const common = (store: Store, runId: number) => ({
  store,
  runId,
  site: { url: `${base}/`, host: '127.0.0.1', unitType: 'city' as const },
  asOf: '2021-06-15',
  rubric: 'hunan-2021-city',
  hasPublicServices: true,
  homepage: undefined,
  linkResults: new Map(),
  screenshotDir: '/tmp',
});

describe('runGatherers', () => {
  it('fetches politely within a budget, decodes charsets, POSTs, and stores observations with a status', async () => {
    const { store, runId } = newRun();
    const g: Gatherer = {
      id: 'demo-board',
      description: 'test',
      async run(env) {
        const a = await env.fetch(`${base}/moved`);
        env.emit('letter', 'a', { text: a.text, finalUrl: a.finalUrl, charset: a.charset, ok: a.ok }, a.url);
        const p = await env.fetch(`${base}/post`, { method: 'POST', body: 'startrecord=1&endrecord=15' });
        env.emit('letter', 'b', { text: p.text });
        const over = await env.fetch(`${base}/gbk`);
        env.emit('letter', 'c', { error: over.error, spent: env.spent() });
        env.emit('letter', 'a', { text: 'replaced' });
        env.status({ status: 'ok', summary: '已读取 2 封信件' });
      },
    };
    const before = hits;
    const out = await runGatherers({ ...common(store, runId), gatherers: [g], config: { 'demo-board': { budget: 2 } } });
    expect(hits - before).toBe(3); // redirect hop + target, the POST; the third call is over budget and sends nothing
    expect(out.statuses['demo-board']).toEqual({ status: 'ok', summary: '已读取 2 封信件' });
    const obs = observationSet(store.observations(runId));
    const letters = obs.list<Record<string, unknown>>('letter');
    expect(letters).toEqual([
      { text: 'replaced' },
      { text: 'got startrecord=1&endrecord=15 as application/x-www-form-urlencoded; charset=UTF-8' },
      { error: 'budget', spent: 2 },
    ]);
    expect(obs.entries('letter')[0].key).toBe('a');
    expect(obs.status('demo-board')).toEqual({ status: 'ok', summary: '已读取 2 封信件' });
    expect(obs.status('other')).toBeUndefined();
  });

  it('decodes GBK bodies and follows redirects', async () => {
    const { store, runId } = newRun();
    let seen: { text: string; finalUrl: string } | undefined;
    await runGatherers({
      ...common(store, runId),
      gatherers: [{ id: 'x', description: 'x', run: async (env) => void (seen = await env.fetch(`${base}/moved`)) }],
    });
    expect(seen!.text).toContain('领导信箱');
    expect(seen!.finalUrl).toBe(`${base}/gbk`);
  });

  it('a gatherer that throws is recorded as failed (with what it emitted), and the next one still runs', async () => {
    const { store, runId } = newRun();
    const bad: Gatherer = { id: 'bad', description: 'x', run: async (env) => { env.emit('k', '1', { n: 1 }); throw new Error('boom'); } };
    const good: Gatherer = { id: 'good', description: 'x', run: async (env) => env.status({ status: 'partial', reason: '列表第 3 页无法打开' }) };
    const out = await runGatherers({ ...common(store, runId), gatherers: [bad, good] });
    expect(out.statuses.bad.status).toBe('failed');
    expect(out.statuses.bad.reason).toContain('boom');
    expect(out.statuses.good).toEqual({ status: 'partial', reason: '列表第 3 页无法打开' });
    const obs = observationSet(store.observations(runId));
    expect(obs.list('k')).toEqual([{ n: 1 }]);
    expect(store.observations(runId, [GATHER_STATUS_KIND]).map((o) => o.key)).toEqual(['bad', 'good']);
  });

  it('a time limit stops a slow gatherer: partial, with the reason; enabled: false skips one', async () => {
    const { store, runId } = newRun();
    const slow: Gatherer = {
      id: 'slow',
      description: 'x',
      async run(env) {
        const r = await env.fetch(`${base}/slow`);
        env.emit('r', '1', { error: r.error ?? null, ok: r.ok });
        env.status({ status: 'ok' });
      },
    };
    const off: Gatherer = { id: 'off', description: 'x', run: async () => { throw new Error('must not run'); } };
    const out = await runGatherers({ ...common(store, runId), gatherers: [slow, off], config: { slow: { timeLimitMs: 200 }, off: { enabled: false } } });
    expect(out.statuses.slow.status).toBe('partial');
    expect(out.statuses.slow.reason).toContain('超过运行时限');
    expect(observationSet(store.observations(runId)).list<{ ok: boolean }>('r')[0].ok).toBe(false);
    expect(out.statuses.off.status).toBe('skipped');
  });

  it('render resolves null without a browser; the real gatherers of src/gather/ load', async () => {
    const { store, runId } = newRun();
    let r: unknown = 'unset';
    await runGatherers({ ...common(store, runId), gatherers: [{ id: 'r', description: 'x', run: async (env) => void (r = await env.render(`${base}/gbk`)) }] });
    expect(r).toBeNull();
    const all = await loadGatherers();
    for (const g of all) expect(g.id).toMatch(/^[a-z0-9-]+$/);
  });
});
