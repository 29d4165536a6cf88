import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlSite } from '../src/collect/crawl.ts';
import { HostLimiter } from '../src/collect/hosts.ts';
import { HttpClient } from '../src/collect/http.ts';
import { LinkChecker } from '../src/collect/linkcheck.ts';
import type { LinkResult } from '../src/model.ts';

const TLS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
const leaf = fs.readFileSync(path.join(TLS_DIR, 'leaf.pem'), 'utf8');
const ca = fs.readFileSync(path.join(TLS_DIR, 'ca.pem'), 'utf8');
const key = fs.readFileSync(path.join(TLS_DIR, 'leaf.key'), 'utf8');

const handler: http.RequestListener = (req, res) => {
  if (req.url === '/ok.png') {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': '4' });
    res.end(req.method === 'HEAD' ? undefined : 'data');
  } else {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<h1>404</h1>');
  }
};

const servers: { close(): void }[] = [];
async function listen(s: http.Server | https.Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

let leafOnly = 0; // sends the leaf certificate only: the intermediate is "missing"
let withRoot = 0; // sends leaf + a root this machine does not trust
beforeAll(async () => {
  leafOnly = await listen(https.createServer({ key, cert: leaf }, handler));
  withRoot = await listen(https.createServer({ key, cert: leaf + ca }, handler));
});
afterAll(() => servers.forEach((s) => s.close()));

/** Runs `fn` with a link checker (verifying client; with `insecure`, also the client that looks again unverified). */
async function withChecker<T>(insecure: boolean, fn: (lc: LinkChecker) => Promise<T>): Promise<T> {
  const secureHttp = new HttpClient({});
  const insecureHttp = new HttpClient({ insecure: true });
  try {
    return await fn(new LinkChecker({ http: secureHttp, limiter: new HostLimiter(4, 0), timeoutMs: 5000, ...(insecure ? { insecureHttp } : {}) }));
  } finally {
    await secureHttp.close();
    await insecureHttp.close();
  }
}

describe('link targets whose certificate chain cannot be verified here', () => {
  it('a server that does not send its intermediate certificate: unverified when the target opens, not broken', async () => {
    await withChecker(true, async (lc) => {
      const r = (await lc.check(`https://127.0.0.1:${leafOnly}/ok.png`, 'img'))!;
      expect(r).toMatchObject({ outcome: 'unverified', error: 'tls-chain', status: 200 });
      expect(r.detail).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    });
  });

  it('a root this machine does not trust: unverified too', async () => {
    await withChecker(true, async (lc) => {
      const r = (await lc.check(`https://127.0.0.1:${withRoot}/ok.png`, 'img'))!;
      expect(r).toMatchObject({ outcome: 'unverified', error: 'tls-chain' });
      expect(r.detail).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
    });
  });

  it('a missing target behind such a certificate is still broken (HTTP 404), with the certificate noted', async () => {
    await withChecker(true, async (lc) => {
      const r = (await lc.check(`https://127.0.0.1:${leafOnly}/gone.png`, 'img'))!;
      expect(r).toMatchObject({ outcome: 'broken', status: 404, error: 'http-404' });
      expect(r.detail).toMatch(/^HTTP 404; certificate chain cannot be verified/);
    });
  });

  it('without an insecure client to look again, it stays a TLS failure', async () => {
    await withChecker(false, async (lc) => {
      const r = (await lc.check(`https://127.0.0.1:${leafOnly}/ok.png`, 'img'))!;
      expect(r).toMatchObject({ outcome: 'broken', error: 'tls' });
    });
  });

  it('a crawl reports such a target as unverified (the crawler lends its page client)', async () => {
    const port = await listen(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<html><body><img src="https://127.0.0.1:${leafOnly}/ok.png" alt="横幅"><a href="https://127.0.0.1:${leafOnly}/gone.png">附件</a></body></html>`);
      }),
    );
    const results: LinkResult[] = [];
    await crawlSite({ startUrl: `http://127.0.0.1:${port}/`, maxPages: 1, timeoutMs: 5000, onLinkResult: (r) => results.push(r) });
    const ok = results.find((r) => r.target.endsWith('/ok.png'));
    const gone = results.find((r) => r.target.endsWith('/gone.png'));
    expect(ok).toMatchObject({ outcome: 'unverified', error: 'tls-chain' });
    expect(gone).toMatchObject({ outcome: 'broken', status: 404 });
  });
});
