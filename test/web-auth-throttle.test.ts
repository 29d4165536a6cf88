/**
 * Issue 11.10: wrong operator tokens are throttled per attempt source, Bearer and login alike, and a correct token
 * always works (the reviewer on the guesser's address is not locked out). Real HTTP on loopback; a second source is
 * 127.0.0.2 (the whole 127/8 is loopback on Linux).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDashboard, type Dashboard } from '../src/web/server.ts';
import { AuthThrottle, attemptSource } from '../src/web/auth.ts';

const TOKEN = 'test-operator-token-0123456789';

function request(base: string, method: string, p: string, o: { headers?: Record<string, string>; form?: Record<string, string>; json?: unknown; from?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const u = new URL(p, base);
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.form) {
    body = new URLSearchParams(o.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, ...(o.from ? { localAddress: o.from } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let dir: string;
let dash: Dashboard;
let base: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-throttle-'));
  fs.writeFileSync(path.join(dir, 'sites.yaml'), 'sites: []\n');
  dash = await createDashboard({ dbFile: path.join(dir, 'g.db'), configFile: path.join(dir, 'sites.yaml'), token: TOKEN, authThrottle: { burst: 10, delayMs: 5, maxDelayMs: 20 } });
  base = await dash.listen(0, '127.0.0.1');
});
afterEach(async () => {
  await dash.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const write = (bearer: string, from?: string) => request(base, 'POST', '/api/sites/nosuch/run', { json: {}, headers: { authorization: `Bearer ${bearer}` }, from });
const login = (tok: string, from?: string) => request(base, 'POST', '/login', { form: { reviewer: '张三', token: tok, next: '/' }, from });

describe('wrong-token throttle', () => {
  it('wrong Bearer tokens: 401 within the burst, then 429 with Retry-After; the correct token still works', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push((await write(`wrong-token-${i}-xxxxxxxxxxxx`)).status);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(codes.slice(10)).toEqual(Array(4).fill(429));
    const limited = await write('wrong-token-again-xxxxxxxxxx');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(limited.text).error).toMatch(/口令错误次数过多/);
    // The operator's token, from the same address, is not locked out: it passes authorisation (unknown site → 404).
    const ok = await write(TOKEN);
    expect(ok.status).toBe(404);
    // … and the login form with the right token opens a session.
    const lg = await login(TOKEN);
    expect(lg.status).toBe(303);
    expect(lg.headers['set-cookie']?.join(';')).toMatch(/govsite_sid=/);
  });

  it('login failures and Bearer failures share one budget per source; another source is not affected', async () => {
    for (let i = 0; i < 5; i++) expect((await login(`nope-${i}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await write(`wrong-${i}-xxxxxxxxxxxxxxxx`)).status).toBe(401);
    const l = await login('nope-again');
    expect(l.status).toBe(429);
    expect(l.text).toContain('口令错误次数过多');
    expect((await write('wrong-again-xxxxxxxxxxxxxxx')).status).toBe(429);
    // The reviewer on the same address logs in with the right token (before: "登录失败次数过多", 429 for 10 minutes).
    expect((await login(TOKEN)).status).toBe(303);
    // Another address (127.0.0.2) has its own budget.
    expect((await login('nope', '127.0.0.2')).status).toBe(401);
    expect((await write('wrong-xxxxxxxxxxxxxxxxxxxx', '127.0.0.2')).status).toBe(401);
  });
});

describe('AuthThrottle', () => {
  it('holds each answer past the burst longer, one after another, and forgets after the window', () => {
    let now = 0;
    const t = new AuthThrottle({ burst: 2, windowMs: 60_000, delayMs: 100, maxDelayMs: 400 }, () => now, () => now);
    expect(t.fail('a')).toEqual({ limited: false });
    expect(t.fail('a')).toEqual({ limited: false });
    const h = [t.fail('a'), t.fail('a'), t.fail('a'), t.fail('a')].map((x) => (x.limited ? x.holdMs : -1));
    // 100, then +200, +400, +400 (capped), queued one after another
    expect(h).toEqual([100, 300, 700, 1100]);
    expect(t.fail('b')).toEqual({ limited: false });
    now = 61_000;
    expect(t.fail('a')).toEqual({ limited: false });
  });

  it('groups IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(attemptSource('127.0.0.1')).toBe('127.0.0.1');
    expect(attemptSource('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(attemptSource('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(attemptSource('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(attemptSource('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(attemptSource('::1')).toBe('0:0:0:0::/64');
  });
});
