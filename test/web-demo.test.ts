/**
 * `govsite serve`: the CLI end to end (a child process on 127.0.0.1), the token options, and the --demo seed
 * (synthetic and, when the bundled demo site is present, the real audit of it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo, DEMO_WEEK } from '../src/web/demo-seed.ts';
import { createDashboard } from '../src/web/server.ts';
import { loadToken } from '../src/web/auth.ts';
import { Store } from '../src/store/store.ts';
import { weeklyAvailability } from '../src/monitor/ratios.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmp.push(d);
  return d;
}

describe('govsite serve (CLI)', () => {
  it('starts on loopback, prints the URL, serves, stops on SIGTERM', async () => {
    const dir = tempDir('govsite-serve-');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/govsite.js'), 'serve', '--port', '0', '--db', path.join(dir, 'g.db'), '--config', path.join(dir, 'none.yaml')], {
      cwd: dir,
      env: { ...process.env, GOVSITE_TOKEN: 'cli-test-token-0123456789' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    // --config names a missing file: that is an error (exit 1, Chinese reason).
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/找不到站点配置文件/);

    const child2 = spawn(process.execPath, [path.join(ROOT, 'bin/govsite.js'), 'serve', '--port', '0', '--db', path.join(dir, 'g.db')], {
      cwd: dir,
      env: { ...process.env, GOVSITE_TOKEN: 'cli-test-token-0123456789' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child2);
    let err2 = '';
    const url = await new Promise<string>((resolve, reject) => {
      child2.stderr!.on('data', (b: Buffer) => {
        err2 += b.toString();
        const m = /看板已启动：(http:\/\/127\.0\.0\.1:\d+)\//.exec(err2);
        if (m) resolve(m[1]);
      });
      child2.on('exit', (c) => reject(new Error(`serve exited ${c}: ${err2}`)));
    });
    expect(err2).not.toMatch(/本次启动的操作口令/); // the token came from GOVSITE_TOKEN
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('网站可用性与检查总览');
    const exited = new Promise<number | null>((resolve) => child2.on('exit', (c) => resolve(c)));
    child2.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('reads the token from a file or the environment, refusing short ones', () => {
    const dir = tempDir('govsite-token-');
    const f = path.join(dir, 'token');
    fs.writeFileSync(f, 'file-token-abcdefghijklmnop\nsecond line ignored\n');
    const readFile = (p: string) => fs.readFileSync(p, 'utf8');
    expect(loadToken({ tokenFile: f, env: { GOVSITE_TOKEN: 'env-token-abcdefghijklmnop' }, readFile })).toBe('file-token-abcdefghijklmnop');
    expect(loadToken({ env: { GOVSITE_TOKEN: 'env-token-abcdefghijklmnop' }, readFile })).toBe('env-token-abcdefghijklmnop');
    expect(loadToken({ env: { GOVSITE_TOKEN: '' }, readFile })).toBeUndefined();
    expect(loadToken({ env: {}, readFile })).toBeUndefined();
    expect(() => loadToken({ env: { GOVSITE_TOKEN: 'short' }, readFile })).toThrow(/太短/);
    expect(() => loadToken({ tokenFile: path.join(dir, 'missing'), env: {}, readFile })).toThrow(/无法读取口令文件/);
  });
});

describe('govsite serve --demo seed', () => {
  it('synthetic: three units, nine weeks of probes, audits, a populated overview', async () => {
    const dir = tempDir('govsite-demo-synth-');
    const demo = await seedDemo({ dir, crawl: false });
    expect(demo.crawled).toBe(false);
    expect(demo.week).toBe('2021-W24');
    const store = Store.open(demo.dbFile);
    try {
      const rows = weeklyAvailability(store.db, { week: DEMO_WEEK });
      const by = Object.fromEntries(rows.map((r) => [r.site, r]));
      expect(by.baishui.veto).toBe(true);
      expect(by.qingshan.veto).toBe(false);
      expect(by['demo-dept'].insufficientDays).toBe(2);
      expect(by.qingshan.probes).toBe(168);
      const weeks = weeklyAvailability(store.db, { siteId: 'qingshan', from: '2021-04-19', to: '2021-06-20' });
      expect(weeks).toHaveLength(9);
      expect(weeks.every((w) => w.probes === 168)).toBe(true);
    } finally {
      store.close();
    }
    const dash = await createDashboard({ dbFile: demo.dbFile, configFile: demo.configFile, defaultWeek: demo.week });
    try {
      const base = await dash.listen(0, '127.0.0.1');
      const api = (await (await fetch(`${base}/api/sites`)).json()) as { sites: { id: string; latestAudit: { total?: number } | null }[] };
      expect(api.sites.map((s) => s.id)).toEqual(['qingshan', 'baishui', 'demo-dept']);
      expect(api.sites[0].latestAudit?.total).toBeGreaterThan(0);
      expect(api.sites[1].latestAudit?.total).toBeGreaterThan(0);
      expect(api.sites[2].latestAudit).toBeNull();
      expect(dash.tokenGenerated).toBe(true);
      const site = await fetch(`${base}/sites/qingshan`);
      expect(site.status).toBe(200);
      expect(await site.text()).toContain('示例数据');
      // the province views have something to show: 白水市 audited twice, its maintenance night, a failed delivery
      const fixed = (await (await fetch(`${base}/api/rectification?site=baishui&status=fixed`)).json()) as { findings: { check: string }[] };
      expect(fixed.findings.map((x) => x.check)).toEqual(['date-format']);
      expect(await (await fetch(`${base}/alerts?status=failed`)).text()).toContain('钉钉值班群');
      expect(await (await fetch(`${base}/sites/baishui`)).text()).toContain('系统升级公告（示例）');
      expect((await fetch(`${base}/status`)).status).toBe(200);
    } finally {
      await dash.close();
      await demo.close();
    }
  });

  const demoSite = path.join(ROOT, 'fixtures', 'sites', 'demo');
  it.skipIf(!fs.existsSync(demoSite))('with the bundled demo site: a real audit of it (no browser)', async () => {
    const dir = tempDir('govsite-demo-crawl-');
    const demo = await seedDemo({ dir, crawl: true, browser: false });
    try {
      expect(demo.crawled).toBe(true);
      expect(demo.siteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const store = Store.open(demo.dbFile);
      try {
        const run = store.listRuns({ limit: 10 }).find((r) => r.siteId === 'qingshan')!;
        expect(run.status).toBe('done');
        expect(store.findings(run.id).length).toBeGreaterThan(0);
        expect(store.latestScore(run.id)).toBeDefined();
      } finally {
        store.close();
      }
    } finally {
      await demo.close();
    }
  });
});
