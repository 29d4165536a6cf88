import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeCommand } from '../src/monitor/commands.ts';
import { classifyError, probeUrl, staticLookup } from '../src/monitor/probe.ts';

const HOME = '<!doctype html><html><head><title>湘潭市人民政府</title></head><body><a href="/202106/t20210610_7001.html">通知</a> 网站标识码4303000001 湘ICP备05001234号</body></html>';

let server: http.Server;
let port = 0;
let v6 = false;
const sockets = new Set<net.Socket>();

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  switch (req.url) {
    case '/':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(HOME);
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body>'); // the rest never comes
      return;
    case '/slow-headers':
      return; // nothing at all
    case '/500':
      res.writeHead(500, { 'content-type': 'text/html' });
      return res.end('<h1>error</h1>');
    case '/404':
      res.writeHead(404);
      return res.end('not found');
    case '/empty':
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end();
    case '/blank':
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('\r\n   \n');
    case '/gateway':
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
    case '/challenge':
      res.writeHead(412, { 'content-type': 'text/html' });
      return res.end('<html><head><script>var $_ts={};</script><script src="/x.js"></script></head></html>');
    case '/redirect':
      res.writeHead(302, { location: '/' });
      return res.end();
    case '/loop':
      res.writeHead(302, { location: '/loop' });
      return res.end();
    case '/reset':
      req.socket.destroy();
      return;
    default:
      res.writeHead(404);
      res.end();
  }
}

beforeAll(async () => {
  server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // dual-stack when ::1 exists, else IPv4 only
  await new Promise<void>((resolve) => {
    server.once('error', () => server.listen(0, '127.0.0.1', resolve));
    server.listen(0, '::', () => {
      v6 = true;
      resolve();
    });
  });
  port = (server.address() as net.AddressInfo).port;
  if (v6) {
    v6 = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '::1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  }
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const lookup = staticLookup({ 'www.xt.gov.cn': '127.0.0.1', 'v6.xt.gov.cn': '::1' });
const url = (path: string, host = 'www.xt.gov.cn') => `http://${host}:${port}${path}`;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe('probeUrl outcome classification (loopback)', () => {
  it('200 with a body is ok, with address, family, bytes and phases', async () => {
    const r = await probeUrl(url('/'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('ok');
    expect(r.status).toBe(200);
    expect(r.family).toBe(4);
    expect(r.address).toBe('127.0.0.1');
    expect(r.bytes).toBe(Buffer.byteLength(HOME));
    expect(r.phases.dns).toBeGreaterThanOrEqual(0);
    expect(r.phases.connect).toBeGreaterThanOrEqual(0);
    expect(r.phases.ttfb).toBeGreaterThanOrEqual(0);
    expect(r.phases.body).toBeGreaterThanOrEqual(0);
    expect(Date.parse(r.at)).not.toBeNaN();
  });

  it('a body that does not finish before the deadline is a timeout', async () => {
    const r = await probeUrl(url('/slow-body'), { lookup, timeoutMs: 300 });
    expect(r.outcome).toBe('timeout');
    expect(r.status).toBeUndefined();
    expect(r.phases.ttfb).toBeGreaterThanOrEqual(0); // headers did arrive
  });

  it('no headers before the deadline is a timeout', async () => {
    const r = await probeUrl(url('/slow-headers'), { lookup, timeoutMs: 300 });
    expect(r.outcome).toBe('timeout');
  });

  it('a refused port is refused', async () => {
    const p = await freePort();
    const r = await probeUrl(`http://www.xt.gov.cn:${p}/`, { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('refused');
    expect(r.error).toBe('ECONNREFUSED');
  });

  it('a name the resolver does not know is a DNS failure', async () => {
    const r = await probeUrl(url('/', 'nosuch.xt.gov.cn'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('dns');
    expect(r.error).toBe('ENOTFOUND');
  });

  it('500 and 404 are http failures', async () => {
    expect((await probeUrl(url('/500'), { lookup, timeoutMs: 2000 })).outcome).toBe('http');
    const r = await probeUrl(url('/404'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('http');
    expect(r.status).toBe(404);
  });

  it('an empty or blank 200 body, or a tiny gateway error page, is empty', async () => {
    const e = await probeUrl(url('/empty'), { lookup, timeoutMs: 2000 });
    expect(e.outcome).toBe('empty');
    expect(e.status).toBe(200);
    expect((await probeUrl(url('/blank'), { lookup, timeoutMs: 2000 })).outcome).toBe('empty');
    const g = await probeUrl(url('/gateway'), { lookup, timeoutMs: 2000 });
    expect(g.outcome).toBe('empty');
    expect(g.error).toBe('error-page');
  });

  it('a reset connection is reset', async () => {
    const r = await probeUrl(url('/reset'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('reset');
  });

  it('follows redirects within the deadline; a loop is an error', async () => {
    const r = await probeUrl(url('/redirect'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('ok');
    expect(r.redirects).toBe(1);
    expect(r.finalUrl).toBe(url('/'));
    const loop = await probeUrl(url('/loop'), { lookup, timeoutMs: 2000, maxRedirects: 3 });
    expect(loop.outcome).toBe('error');
    expect(loop.error).toBe('too-many-redirects');
  });

  it('a JavaScript challenge (412 + script) counts as reachable', async () => {
    const r = await probeUrl(url('/challenge'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('ok');
    expect(r.error).toBe('js-challenge');
  });

  it('TLS spoken to a plain HTTP port is a tls failure', async () => {
    const r = await probeUrl(`https://www.xt.gov.cn:${port}/`, { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('tls');
  });

  it('uses IPv6 when the resolver maps the name to ::1', async (ctx) => {
    if (!v6) ctx.skip();
    const r = await probeUrl(url('/', 'v6.xt.gov.cn'), { lookup, timeoutMs: 2000 });
    expect(r.outcome).toBe('ok');
    expect(r.family).toBe(6);
    expect(r.address).toBe('::1');
  });

  it('an aborted probe rejects instead of reporting a failure', async () => {
    const ac = new AbortController();
    const p = probeUrl(url('/slow-headers'), { lookup, timeoutMs: 5000, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an invalid URL is an error outcome, not an exception', async () => {
    const r = await probeUrl('ftp://x.gov.cn/');
    expect(r.outcome).toBe('error');
    expect(r.error).toBe('invalid-url');
  });

  it('classifyError maps common codes', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyError(err('EAI_AGAIN')).outcome).toBe('dns');
    expect(classifyError(err('ECONNRESET')).outcome).toBe('reset');
    expect(classifyError(err('CERT_HAS_EXPIRED')).outcome).toBe('tls');
    expect(classifyError(err('UND_ERR_CONNECT_TIMEOUT')).outcome).toBe('timeout');
    expect(classifyError(new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')])).outcome).toBe('refused');
    expect(classifyError(err('EHOSTUNREACH')).outcome).toBe('error');
  });
});

describe('govsite probe command', () => {
  it('prints the JSON shape with failures and ratio', async () => {
    let out = '';
    const code = await runProbeCommand({ url: url('/500'), count: 2, timeout: 2, format: 'json', lookup }, { out: (s) => (out += s), err: () => {} });
    expect(code).toBe(1);
    const j = JSON.parse(out);
    expect(j.url).toBe(url('/500'));
    expect(j.probes).toHaveLength(2);
    expect(j.probes[0]).toMatchObject({ outcome: 'http', status: 500 });
    expect(typeof j.probes[0].ms).toBe('number');
    expect(typeof j.probes[0].at).toBe('string');
    expect(j.failures).toBe(2);
    expect(j.ratio).toBe(1);
  });

  it('prints Chinese text and exits 0 when all probes succeed', async () => {
    let out = '';
    const code = await runProbeCommand({ url: url('/'), count: 1, lookup }, { out: (s) => (out += `${s}\n`), err: () => {} });
    expect(code).toBe(0);
    expect(out).toContain('正常');
    expect(out).toContain('失败 0 次');
  });

  it('rejects a bad URL with exit code 2', async () => {
    let err = '';
    expect(await runProbeCommand({ url: 'not a url' }, { out: () => {}, err: (s) => (err += s) })).toBe(2);
    expect(err).toContain('网址无效');
  });
});

describe('probe: certificate chains this machine cannot verify', () => {
  const tlsDir = new URL('../fixtures/tls/', import.meta.url);
  const read = (f: string) => fs.readFileSync(new URL(f, tlsDir), 'utf8');
  const servers: https.Server[] = [];
  const start = async (cert: string) => {
    const s = https.createServer({ key: read('leaf.key'), cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><head><title>测试市人民政府</title></head><body>首页</body></html>');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    return (s.address() as net.AddressInfo).port;
  };
  afterAll(() => servers.forEach((s) => s.close()));

  it('a server that does not send its intermediate certificate is up (ok, noted tls-chain), not a TLS failure', async () => {
    const port = await start(read('leaf.pem'));
    const r = await probeUrl(`https://127.0.0.1:${port}/`, { timeoutMs: 5000 });
    expect(r).toMatchObject({ outcome: 'ok', status: 200, error: 'tls-chain:UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(r.bytes).toBeGreaterThan(0);
  });

  it('a chain ending in a root this machine does not trust: ok too; with verification off there is nothing to note', async () => {
    const port = await start(read('leaf.pem') + read('ca.pem'));
    expect(await probeUrl(`https://127.0.0.1:${port}/`, { timeoutMs: 5000 })).toMatchObject({ outcome: 'ok', error: 'tls-chain:SELF_SIGNED_CERT_IN_CHAIN' });
    const off = await probeUrl(`https://127.0.0.1:${port}/`, { timeoutMs: 5000, rejectUnauthorized: false });
    expect(off.outcome).toBe('ok');
    expect(off.error).toBeUndefined();
  });

  it('an expired certificate or a wrong host name stays a TLS failure', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyError(err('CERT_HAS_EXPIRED')).outcome).toBe('tls');
    expect(classifyError(err('ERR_TLS_CERT_ALTNAME_INVALID')).outcome).toBe('tls');
  });
});
