/**
 * The CLI without surprises (issue 18.10): every command and subcommand prints its own usage, an unknown command
 * gets one hint, every bad argument exits 2 (unknown rubric ids too), `audit www.x.gov.cn` tries http:// and says
 * so, `demo` keeps one site id and port across runs (and says when it has to use another port), `sites add` takes
 * the same flag names as `audit`. Usage is checked in-process through main(); exit codes of a few real runs by
 * spawning the CLI as users do.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { auditUrlArg, main } from '../src/cli/main.ts';
import { commandHelp, helpRequested, suggestCommand, unknownCommandMessage } from '../src/cli/help.ts';
import { UsageError } from '../src/cli/usage.ts';
import { loadSitesConfig } from '../src/monitor/config.ts';
import { loadManual, manualIssues, parseManual } from '../src/score/manual.ts';
import { loadRubric } from '../src/score/rubric.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'govsite.js');

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, GOVSITE_CHROMIUM: '/nonexistent/chromium' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs main() in-process, capturing what it prints; a UsageError is exit code 2 (as runCli maps it). */
async function run(argv: string[]): Promise<{ code: number; out: string; err?: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c);
    return true;
  });
  try {
    return { code: await main(argv), out };
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return { code: 2, out, err: (e as Error).message };
    throw e;
  } finally {
    spy.mockRestore();
  }
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-cli-daily-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('--help for every command and subcommand', () => {
  const cases: [string[], RegExp][] = [
    [['audit', '--help'], /^govsite audit <网址>[\s\S]*--rubric[\s\S]*未写协议|^govsite audit <网址>[\s\S]*按 http:\/\/ 检查/],
    [['demo', '--help'], /^govsite demo[\s\S]*8731/],
    [['score', '--help'], /^govsite score --run/],
    [['sites', '--help'], /^govsite sites <子命令>/],
    [['sites', 'add', '--help'], /govsite sites add[\s\S]*--no-services/],
    [['sites', 'list', '-h'], /govsite sites list/],
    [['sites', 'remove', '--help'], /govsite sites remove/],
    [['rubric', '--help'], /^govsite rubric <子命令>/],
    [['rubric', 'show', '--help'], /^govsite rubric show <编号\|文件>/],
    [['rubric', 'list', '--help'], /^govsite rubric list/],
    [['rubric', 'validate', '--help'], /^govsite rubric validate/],
    [['probe', '--help'], /govsite probe/],
    [['monitor', '--help'], /govsite monitor/],
    [['availability', '--help'], /govsite availability/],
    [['run-now', '--help'], /govsite run-now/],
    [['serve', '--help'], /govsite serve/],
    [['inquiry', '--help'], /^govsite inquiry <子命令>/],
    [['inquiry', 'reply', '--help'], /^govsite inquiry reply --id N/],
    [['help', 'score'], /^govsite score --run/],
    [['help', 'rubric', 'show'], /^govsite rubric show/],
  ];
  it.each(cases)('%j prints its own usage and exits 0', async (argv, re) => {
    const r = await run(argv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(re);
    // a command's own usage, not the global list
    if (argv[0] !== 'serve') expect(r.out).not.toContain('govsite — 政府网站常态化检查工具');
  });

  it('--help wins over other arguments, but not after --', async () => {
    expect(await helpRequested(['score', '--run', 'x', '--help'])).toBe((await commandHelp()).score);
    expect(await helpRequested(['audit', 'http://x/', '--', '--help'])).toBeUndefined();
    expect(await helpRequested(['audit', 'http://x/'])).toBeUndefined();
  });
});

describe('bad arguments exit 2 with one hint', () => {
  it('an unknown command suggests the likely one', async () => {
    expect(suggestCommand('audti')).toBe('audit');
    expect(suggestCommand('avail')).toBe('availability');
    expect(suggestCommand('xyzzy')).toBeUndefined();
    expect(unknownCommandMessage('scroe')).toBe('未知命令“scroe”，是否要输入 govsite score？');
    const r = await run(['scroe']);
    expect(r).toMatchObject({ code: 2, err: '未知命令“scroe”，是否要输入 govsite score？' });
    expect((await run(['help', 'nope'])).code).toBe(2);
  });

  it('unknown rubric ids, missing rubric files, unknown subcommands', async () => {
    expect(await run(['rubric', 'show', 'hunan-2099'])).toMatchObject({ code: 2, err: expect.stringContaining('评分细则“hunan-2099”不存在') });
    expect(await run(['rubric', 'validate', path.join(dir, 'none.yaml')])).toMatchObject({ code: 2, err: expect.stringContaining('不存在') });
    expect(await run(['rubric', 'frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('rubric 没有子命令“frobnicate”') });
    expect(await run(['sites', 'frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('sites 没有子命令') });
    expect((await run(['score', '--run', '1', '--rubric', 'hunan-2099'])).code).toBe(2);
    expect((await run(['audit', 'http://127.0.0.1:1/', '--rubric', 'hunan-2099'])).code).toBe(2);
    expect((await run(['demo', '--port', 'x'])).code).toBe(2);
    const list = await run(['rubric', 'list']);
    expect(list.out).toMatch(/hunan-2021-city\t/);
  });

  it('audit URLs: a bare host is tried with http:// (and said so); other schemes or junk are bad arguments', () => {
    const notes: string[] = [];
    expect(auditUrlArg('www.example.gov.cn', (s) => notes.push(s))).toBe('http://www.example.gov.cn/');
    expect(notes[0]).toContain('未写协议，按 http://www.example.gov.cn/ 检查');
    expect(auditUrlArg('127.0.0.1:8080/zwgk/', (s) => notes.push(s))).toBe('http://127.0.0.1:8080/zwgk/');
    expect(auditUrlArg('localhost:8731', () => undefined)).toBe('http://localhost:8731/');
    expect(auditUrlArg('www.湖南.gov.cn', () => undefined)).toMatch(/^http:\/\/www\.xn--/);
    expect(auditUrlArg('https://www.example.gov.cn/a?b=1', () => notes.push('x'))).toBe('https://www.example.gov.cn/a?b=1');
    expect(notes).toHaveLength(2);
    for (const bad of ['ftp://x.gov.cn/', 'mailto:a@b.cn', 'http://', 'not a url', '']) expect(() => auditUrlArg(bad, () => undefined), bad).toThrow(UsageError);
  });
});

describe('flag names match across commands', () => {
  it('sites add takes --no-services and --delay like audit (old names still work)', async () => {
    const config = path.join(dir, 'sites.yaml');
    const base = ['sites', 'add', '--config', config, '--rubric', 'hunan-2021-provincial', '--region', '省直'];
    expect((await run([...base, '--id', 'sft', '--name', '湖南省示例厅', '--url', 'http://sft.example/', '--no-services', '--delay', '800'])).code).toBe(0);
    expect((await run([...base, '--id', 'old', '--name', '旧写法', '--url', 'http://old.example/', '--no-public-services', '--politeness-ms', '500'])).code).toBe(0);
    const sites = loadSitesConfig(config).sites;
    expect(sites.find((s) => s.id === 'sft')).toMatchObject({ hasPublicServices: false, politenessMs: 800 });
    expect(sites.find((s) => s.id === 'old')).toMatchObject({ hasPublicServices: false, politenessMs: 500 });
  });
});

describe('real runs (spawned)', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html><head><title>青山市人民政府</title></head><body><h1>青山市人民政府</h1><p>2021-06-10 通知</p></body></html>');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('an unknown command: exit 2, one hint line', async () => {
    const r = await cli(['audti', 'x'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['govsite：未知命令“audti”，是否要输入 govsite audit？', '用法见 govsite --help']);
  });

  it('audit without a scheme tries http:// and says so', async () => {
    const r = await cli(['audit', `127.0.0.1:${port}`, '--db', path.join(dir, 'a.db'), '--no-browser', '--no-gather', '--max-pages', '3', '--as-of', '2021-06-15', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`未写协议，按 http://127.0.0.1:${port}/ 检查`);
    expect(JSON.parse(r.stdout).site.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it('demo keeps its site id and port across runs; a taken port falls back and says so; the demo manual file matches', async () => {
    const db = path.join(dir, 'demo.db');
    const manual = path.join(ROOT, 'fixtures', 'manual', 'demo-qingshan.yaml');
    expect(loadManual(manual).site).toBe('http://127.0.0.1:8731/');
    const blocker = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(8731, '127.0.0.1', () => resolve(true));
    });
    try {
      if (free) {
        // 8731 taken (by us): the demo says so and uses another port, same site id
        const r = await cli(['demo', '--db', db, '--no-browser', '--no-gather', '--format', 'json'], dir);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/端口 8731 已被占用，示例网站改用端口 \d+（网站编号不变/);
      }
    } finally {
      await new Promise<void>((r) => (free ? blocker.close(() => r()) : r()));
    }
    if (!free) return; // something else holds 8731 on this machine: the fallback was exercised above only if free
    const r1 = await cli(['demo', '--db', db, '--no-browser', '--no-gather', '--format', 'json', '--manual', manual], dir);
    expect(r1.code).toBe(0);
    expect(r1.stderr).toContain('示例网站已在 http://127.0.0.1:8731 启动（网站编号 demo');
    const doc = JSON.parse(r1.stdout);
    expect(doc.score.decisions.map((d: { action: string }) => d.action).sort()).toEqual(['confirm', 'reject']);
    expect(doc.score.manualNotices).toBeUndefined();
    const d = new Database(db, { readonly: true });
    const runs = d.prepare('SELECT site_id, site_key FROM runs ORDER BY id').all() as { site_id: string; site_key: string }[];
    d.close();
    expect(runs.map((x) => x.site_id)).toEqual(['demo', 'demo']);
    expect(runs[1].site_key).toBe('127.0.0.1:8731');
  });
});

describe('README says what is true', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  it('the --manual example in README validates against the rubric; the fixtures it points to exist', () => {
    const m = /### The `--manual` file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)!;
    const manual = parseManual(m[1], 'README.md');
    expect(manual.items.length).toBeGreaterThan(2);
    expect(manualIssues(manual, loadRubric('hunan-2021-city'))).toEqual([]);
    for (const f of ['fixtures/manual/city-example.yaml', 'fixtures/manual/demo-qingshan.yaml']) {
      expect(readme).toContain(f);
      expect(manualIssues(loadManual(path.join(ROOT, f)), loadRubric('hunan-2021-city'))).toEqual([]);
    }
  });

  it('names what a fresh Debian machine needs, and the commands and endpoints it documents exist', async () => {
    for (const pkg of ['chromium', 'fonts-wqy-zenhei', 'build-essential', 'python3']) expect(readme).toContain(pkg);
    for (const t of ['rubric list', 'demo --rubric hunan-2021-provincial', '--rubric hunan-2021-provincial', '/api/sites/:id', '/export/overview.xlsx', '/rectification', '/alerts', '/status']) expect(readme).toContain(t);
    expect(readme).toContain('npm ci && npx govsite demo');
    expect(readme).toContain('npm ci && npm test');
    expect((await run(['rubric', 'list'])).out).toContain('hunan-2021-provincial');
  });
});
