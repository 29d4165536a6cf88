/**
 * Issue 11.8 and 11.13: every argument, file and date is checked before the first request (exit 2 with a Chinese
 * reason), and a nightly site's manual file is read before its crawl (missing = no entries yet; malformed = that
 * site fails, uncrawled). The CLI is spawned as users run it; the sites are loopback servers counting requests.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditError, runAudit } from '../src/audit/run.ts';
import { dayProblem, latestPlausibleDay, weekProblem } from '../src/monitor/time.ts';
import { parseManual } from '../src/score/manual.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'govsite.js');

interface Site {
  url: string;
  requests: number;
  close(): Promise<void>;
}

async function site(): Promise<Site> {
  const s: Site = { url: '', requests: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    s.requests++;
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><head><title>青山市人民政府</title></head><body><h1>青山市人民政府</h1><p>2021-06-10 通知</p></body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  s.close = () => new Promise<void>((r) => server.close(() => r()));
  return s;
}

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, GOVSITE_CHROMIUM: '/nonexistent/chromium' } });
    let stdout = '';
    let stderr = '';
    // Decode as UTF-8 streams: a chunk boundary inside a Chinese character must not turn it into U+FFFD.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let a: Site;
let b: Site;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-args-'));
  a = await site();
  b = await site();
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'site: [unclosed\nrubric: hunan-2021-city\n');
  fs.writeFileSync(path.join(dir, 'old-date.yaml'), 'site: x\nrubric: hunan-2021-city\nasOf: 0000-01-01\n');
});
afterAll(async () => {
  await a.close();
  await b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('govsite audit: bad arguments found before the first request (exit 2)', () => {
  it('refuses an unknown rubric, a bad or missing manual file, an unwritable --out, implausible dates', async () => {
    const db = path.join(dir, 'g.db');
    const base = ['audit', a.url, '--db', db, '--no-browser', '--timeout', '5'];
    const cases: [string[], RegExp][] = [
      [['--rubric', 'nonsense'], /评分细则 "nonsense" 无法使用/],
      [['--manual', path.join(dir, 'bad.yaml')], /人工评分文件 .*bad\.yaml 无法使用/],
      [['--manual', path.join(dir, 'missing.yaml')], /人工评分文件 .*missing\.yaml 无法使用/],
      [['--out', path.join(dir, 'no-such-dir', 'r.html'), '--format', 'html'], /--out .* 无法写入/],
      [['--as-of', '0000-01-01'], /--as-of 的日期 0000-01-01 不合理：应在 2000-01-01 至 \d{4}-\d{2}-\d{2}/],
      [['--as-of', '2999-12-31'], /--as-of 的日期 2999-12-31 不合理/],
      [['--as-of', '2021-02-30'], /--as-of 的日期 2021-02-30 不存在/],
    ];
    const results = await Promise.all(cases.map(([extra]) => cli([...base, ...extra], dir)));
    results.forEach((r, i) => {
      expect(r.code, `${cases[i][0].join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
    expect(a.requests).toBe(0);
  }, 60_000);

  it('demo, score, run-now and availability refuse implausible dates and bad files the same way', async () => {
    const cfg = path.join(dir, 'sites-dates.yaml');
    fs.writeFileSync(cfg, `sites:\n  - { id: a, name: 甲, url: "${a.url}", rubric: hunan-2021-city }\n`);
    const db = path.join(dir, 'd.db');
    const cases: [string[], RegExp][] = [
      [['demo', '--as-of', '2999-12-31', '--db', db], /--as-of 的日期 2999-12-31 不合理/],
      [['run-now', '--config', cfg, '--db', db, '--as-of', '0000-01-01'], /--as-of 的日期 0000-01-01 不合理/],
      [['availability', '--db', db, '--week', '2999-W01'], /--week 的周 2999-W01 不合理/],
      [['availability', '--db', db, '--from', '0000-01-01', '--to', '2021-06-20'], /--from 的日期 0000-01-01 不合理/],
      [['score', '--run', '1', '--db', db, '--rubric', 'nonsense'], /评分细则 "nonsense" 无法使用/],
      [['score', '--run', '1', '--db', db, '--manual', path.join(dir, 'old-date.yaml')], /implausible date/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args, dir)));
    results.forEach((r, i) => {
      expect(r.code, `${cases[i][0].join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
    expect(a.requests).toBe(0);
  }, 60_000);

  it('runAudit (nightly, dashboard) refuses them before crawling too', async () => {
    const o = { url: a.url, dbFile: ':memory:', browser: false };
    await expect(runAudit({ ...o, asOf: '2999-12-31' })).rejects.toThrow(/不合理/);
    await expect(runAudit({ ...o, rubric: 'nonsense' })).rejects.toBeInstanceOf(AuditError);
    await expect(runAudit({ ...o, manualFile: path.join(dir, 'bad.yaml') })).rejects.toThrow(/人工评分文件/);
    expect(a.requests).toBe(0);
  });
});

describe('nightly run: a site manual file', () => {
  it('missing is "no manual entries yet"; malformed fails that site before its crawl', async () => {
    const cfg = path.join(dir, 'sites.yaml');
    fs.writeFileSync(
      cfg,
      `sites:\n  - { id: a, name: 甲, url: "${a.url}", rubric: hunan-2021-city, manual: ${JSON.stringify(path.join(dir, 'manual', 'a.yaml'))} }\n` +
        `  - { id: b, name: 乙, url: "${b.url}", rubric: hunan-2021-city, manual: ${JSON.stringify(path.join(dir, 'bad.yaml'))} }\n`,
    );
    const db = path.join(dir, 'n.db');
    const r = await cli(['run-now', '--config', cfg, '--db', db, '--as-of', '2021-06-15', '--no-warnings', '--format', 'json'], dir);
    expect(r.code, r.stderr).toBe(1); // one site failed
    const res = JSON.parse(r.stdout);
    const byId = Object.fromEntries(res.sites.map((s: { siteId: string }) => [s.siteId, s]));
    expect(byId.a).toMatchObject({ status: 'done' });
    expect(byId.b).toMatchObject({ status: 'failed', error: expect.stringMatching(/人工评分文件 .*bad\.yaml 无法使用/) });
    expect(b.requests).toBe(0); // never crawled
    expect(a.requests).toBeGreaterThan(0);
    const score = await cli(['score', '--run', String(byId.a.auditRunId), '--db', db, '--format', 'json'], dir);
    expect(score.code, score.stderr).toBe(0);
    expect(JSON.parse(score.stdout).notes.join('\n')).toMatch(/人工评分文件 .*a\.yaml 尚未建立/);
  }, 90_000);
});

describe('plausible dates', () => {
  it('accepts 2000-01-01 to one year after today, refuses the rest with a Chinese reason', () => {
    const now = Date.parse('2021-06-15T04:00:00Z');
    expect(latestPlausibleDay(now)).toBe('2022-06-15');
    expect(dayProblem('2000-01-01', '--as-of', now)).toBeUndefined();
    expect(dayProblem('2022-06-15', '--as-of', now)).toBeUndefined();
    expect(dayProblem('2022-06-16', '--as-of', now)).toMatch(/不合理/);
    expect(dayProblem('1999-12-31', '--as-of', now)).toMatch(/不合理/);
    expect(dayProblem('2021-6-1', '--as-of', now)).toMatch(/应为日期 YYYY-MM-DD/);
    expect(weekProblem('2021-W24', '--week', now)).toBeUndefined();
    expect(weekProblem('0000-W01', '--week', now)).toMatch(/不合理/);
    expect(weekProblem('2021-W99', '--week', now)).toMatch(/不存在/);
    expect(() => parseManual('site: x\nrubric: hunan-2021-city\nitems:\n  - { rule: a.1, count: 1, date: 2999-01-01 }\n')).toThrow(/implausible date/);
  });
});
