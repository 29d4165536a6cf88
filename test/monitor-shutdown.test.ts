/**
 * Issue 11.12: `govsite monitor` must stop on SIGTERM even when the reader of its stdout/stderr pipes has gone
 * (a broken log pipe, EPIPE). Before, it logged "stopping monitor" and never exited.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nonBlockingLog } from '../src/runtime/log-stream.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'govsite.js');

let dir: string;
let server: http.Server;
let port: number;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-stop-'));
  server = http.createServer((_req, res) => res.end('<html><body>首页</body></html>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('monitor shutdown with a broken log pipe', () => {
  it('exits on SIGTERM after the reader of stdout and stderr has gone', async () => {
    const cfg = path.join(dir, 'sites.yaml');
    fs.writeFileSync(cfg, `sites:\n  - { id: a, name: 甲, url: "http://127.0.0.1:${port}/", rubric: hunan-2021-city }\n`);
    const child = spawn(process.execPath, [BIN, 'monitor', '--config', cfg, '--db', path.join(dir, 'm.db'), '--no-nightly'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOVSITE_LOG_LEVEL: 'info' },
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('监测已启动')) resolve();
      });
      child.on('exit', () => reject(new Error(`monitor ended early: ${out}`)));
    });
    // The log reader goes away (a crashed log collector, `| head -1`).
    child.stdout.destroy();
    child.stderr.destroy();
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref());
    const res = await Promise.race([exited, hung]);
    if (res === 'hung') child.kill('SIGKILL');
    expect(res).toEqual({ code: 0, signal: null });
  }, 40_000);
});

describe('nonBlockingLog', () => {
  it('writes in order and drops lines beyond its queue instead of growing', async () => {
    const file = path.join(dir, 'log.txt');
    const fd = fs.openSync(file, 'w');
    try {
      const log = nonBlockingLog(fd, { maxQueued: 10 });
      log.write('12345\n');
      log.write('0123456789abcdef\n'); // more than the queue holds: dropped
      log.write('678\n');
      for (let i = 0; i < 100 && fs.readFileSync(file, 'utf8').length < 10; i++) await new Promise((res) => setTimeout(res, 10));
      expect(fs.readFileSync(file, 'utf8')).toBe('12345\n678\n');
      expect(log.dropped).toBe(1);
      expect(log.broken).toBe(false);
    } finally {
      fs.closeSync(fd);
    }
  });
});
