import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Agent, Client, buildConnector, request, undiciLean } from '../src/runtime/undici.ts';

// The collectors' undici without the rest of the package (src/runtime/undici.ts): the same classes, and request()
// answering as the package's own does.
const full = createRequire(import.meta.url)('undici') as typeof import('undici');
let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, ua: req.headers['user-agent'] ?? '' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('lean undici', () => {
  it('loads the package’s own classes, not copies', () => {
    expect(undiciLean).toBe(true);
    expect(Agent).toBe(full.Agent);
    expect(Client).toBe(full.Client);
    expect(buildConnector).toBe(full.buildConnector);
  });

  it('request() gives what the package’s request() gives: path and query, method, body, headers, status', async () => {
    const agent = new Agent({ connections: 2 });
    try {
      for (const [url, opts] of [
        [new URL('/a/b.html?x=1&y=%E4%B8%AD', base), { method: 'GET', headers: { 'user-agent': 'govsite-test' } }],
        [`${base}/form`, { method: 'POST', body: 'k=v' }],
        [`${base}/missing`, {}],
      ] as const) {
        const ours = await request(url, { ...opts, dispatcher: agent });
        const theirs = await full.request(url, { ...opts, dispatcher: agent });
        expect(ours.statusCode).toBe(theirs.statusCode);
        expect(await ours.body.json()).toEqual(await theirs.body.json());
      }
    } finally {
      await agent.close();
    }
  });

  it('request() without a dispatcher uses the global one', async () => {
    const res = await request(`${base}/global`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { url: string }).url).toBe('/global');
  });

  it('fails as the package does on a closed port', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((r) => closed.close(() => r()));
    const code = (e: unknown) => (e as { code?: string }).code;
    const ours = await request(url).catch((e) => e);
    const theirs = await full.request(url).catch((e) => e);
    expect(code(ours)).toBe('ECONNREFUSED');
    expect(code(ours)).toBe(code(theirs));
  });
});
