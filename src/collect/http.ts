import type { Dispatcher } from 'undici';
import { Agent, request } from '../runtime/undici.ts';
import zlib from 'node:zlib';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * The one HTTP client of the collectors: undici with keep-alive, manual redirects (so the chain is recorded),
 * a hard deadline per request, bounded body reads, transparent gzip/deflate/br, and network errors
 * classified into a small set of codes that findings and probes share.
 */

export const DEFAULT_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 govsite/0.1';

export type NetError =
  | 'timeout'
  | 'dns'
  | 'dns-temporary'
  | 'refused'
  | 'reset'
  | 'tls'
  | 'redirect-loop'
  | 'too-many-redirects'
  | 'headers-too-large'
  | 'invalid-url'
  | 'unsupported-scheme'
  | 'network';

export interface FetchResult {
  url: string;
  finalUrl: string;
  redirects: string[];
  status: number | null;
  headers: Record<string, string>;
  /** Body bytes (decompressed), possibly truncated at maxBytes. */
  body: Buffer;
  /** Raw bytes received for the body (before decompression). */
  bytes: number;
  truncated: boolean;
  /** Pages that moved on by a meta refresh followed as a redirect hop (src/collect/refresh.ts), in order. */
  metaRefresh?: string[];
  error?: NetError;
  errorDetail?: string;
  headersMs: number;
  totalMs: number;
  startedAt: string;
  /**
   * Oddities a browser takes in stride but stricter clients refuse, recorded for the report's notes (never a
   * failure): `large-headers:<bytes>` (response headers over Node's default 16 KB), `long-redirect-chain:<hops>`
   * (more than 10 redirects).
   */
  notices?: string[];
}

/**
 * What a mainstream browser accepts, so that govsite does not reject what inspectors open: Chromium follows 20
 * redirects (ERR_TOO_MANY_REDIRECTS after that) and takes response headers up to 256 KB
 * (ERR_RESPONSE_HEADERS_TOO_BIG). Node's own defaults are 16 KB and, here, used to be 10 redirects.
 */
export const BROWSER_MAX_REDIRECTS = 20;
export const BROWSER_MAX_HEADER_BYTES = 256 * 1024;
/** Beyond these a response is still fine but odd enough to be noted (where stricter clients give up). */
export const NOTICE_HEADER_BYTES = 16 * 1024;
export const NOTICE_REDIRECTS = 10;

/** Approximate size of a response head as sent (name: value CRLF per line). */
export function headerBytes(h: Record<string, string | string[] | undefined> | string[]): number {
  let n = 0;
  if (Array.isArray(h)) {
    for (let i = 0; i + 1 < h.length; i += 2) n += h[i].length + h[i + 1].length + 4;
    return n;
  }
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) n += k.length + String(x).length + 4;
  }
  return n;
}

export interface FetchOptions {
  /** POST is for gatherers reading lists the page itself loads by POST (e.g. Hanweb dataproxy); never for forms. */
  method?: 'GET' | 'HEAD' | 'POST';
  /** Request body (POST). */
  body?: string;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Read the body (GET). When false, the body is discarded after headers. */
  readBody?: boolean;
}

export interface HttpClientOptions {
  userAgent?: string;
  /** Accept invalid certificates (used for crawling the audited site itself; link checks stay strict). */
  insecure?: boolean;
  lookup?: LookupFunction;
  connections?: number;
}

/** Response head of a HEAD request (node:http). */
interface HeadResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  headerBytes: number;
}

export class HttpClient {
  readonly dispatcher: Dispatcher;
  readonly userAgent: string;
  /**
   * HEAD requests go through node:http's keep-alive agents: undici closes the connection after every HEAD (to guard
   * against servers that send a body anyway), which on a link check of thousands of images and attachments means
   * thousands of new TCP (and TLS) connections to a government server.
   */
  private readonly headAgents: { http: http.Agent; https: https.Agent };

  constructor(opts: HttpClientOptions = {}) {
    this.userAgent = opts.userAgent ?? DEFAULT_UA;
    const agentOpts = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: opts.connections ?? 16, maxFreeSockets: opts.connections ?? 16, ...(opts.lookup ? { lookup: opts.lookup } : {}) };
    this.headAgents = {
      http: new http.Agent(agentOpts),
      https: new https.Agent({ ...agentOpts, rejectUnauthorized: !opts.insecure }),
    };
    this.dispatcher = new Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 30_000,
      connections: opts.connections ?? 16,
      pipelining: 1,
      maxHeaderSize: BROWSER_MAX_HEADER_BYTES,
      connect: {
        rejectUnauthorized: !opts.insecure,
        timeout: 15_000,
        ...(opts.lookup ? { lookup: opts.lookup } : {}),
      },
      // Our own deadline governs; these only stop undici's defaults from being shorter or longer.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async close(): Promise<void> {
    this.headAgents.http.destroy();
    this.headAgents.https.destroy();
    await this.dispatcher.close().catch(() => undefined);
  }

  /** A HEAD request on a keep-alive node:http agent; the response has no body to read. */
  private head(u: URL, headers: Record<string, string>, signal: AbortSignal): Promise<HeadResponse> {
    return new Promise((resolve, reject) => {
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(u, { method: 'HEAD', headers, agent: u.protocol === 'https:' ? this.headAgents.https : this.headAgents.http, signal, maxHeaderSize: BROWSER_MAX_HEADER_BYTES }, (res) => {
        res.resume();
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, headerBytes: headerBytes(res.rawHeaders) });
      });
      req.on('error', reject);
      req.end();
    });
  }

  async fetch(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
    // One controller per request, aborted by the deadline timer or by the caller's signal. The timer is cleared and the
    // listener removed as soon as the request is over: AbortSignal.timeout keeps a timer alive for the whole timeout and
    // AbortSignal.any ties every request to the caller's long-lived signal — both add up over a crawl of many pages.
    const ctl = new AbortController();
    const deadline = { aborted: false };
    const timer = setTimeout(() => {
      deadline.aborted = true;
      ctl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, opts.timeoutMs ?? 15_000);
    const outer = opts.signal;
    const onAbort = () => ctl.abort(outer?.reason);
    if (outer) {
      if (outer.aborted) onAbort();
      else outer.addEventListener('abort', onAbort, { once: true });
    }
    try {
      return await this.fetchWithin(url, opts, ctl.signal, deadline);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private async fetchWithin(url: string, opts: FetchOptions, signal: AbortSignal, deadline: { aborted: boolean }): Promise<FetchResult> {
    let method = opts.method ?? 'GET';
    let reqBody = method === 'POST' ? opts.body ?? '' : undefined;
    const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
    const maxRedirects = opts.maxRedirects ?? BROWSER_MAX_REDIRECTS;
    const readBody = opts.readBody ?? method !== 'HEAD';
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const redirects: string[] = [];
    const seen = new Set<string>();
    let current = url;
    let headersMs = 0;
    let maxHeaderBytes = 0;
    const notices = (): { notices?: string[] } => {
      const n: string[] = [];
      if (maxHeaderBytes > NOTICE_HEADER_BYTES) n.push(`large-headers:${maxHeaderBytes}`);
      if (redirects.length > NOTICE_REDIRECTS) n.push(`long-redirect-chain:${redirects.length}`);
      return n.length ? { notices: n } : {};
    };

    const fail = (error: NetError, detail: string, status: number | null = null, headers: Record<string, string> = {}): FetchResult => ({
      url,
      finalUrl: current,
      redirects,
      status,
      headers,
      body: Buffer.alloc(0),
      bytes: 0,
      truncated: false,
      error,
      errorDetail: detail,
      headersMs,
      totalMs: Math.round(performance.now() - started),
      startedAt,
      ...notices(),
    });

    for (let hop = 0; ; hop++) {
      let u: URL;
      try {
        u = new URL(current);
      } catch {
        return fail('invalid-url', `invalid URL: ${current}`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail('unsupported-scheme', `unsupported scheme ${u.protocol}`);
      seen.add(current);
      const reqHeaders = {
        'user-agent': this.userAgent,
        accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
        'accept-language': 'zh-CN,zh;q=0.9',
        'accept-encoding': 'gzip, deflate, br',
        ...(reqBody !== undefined ? { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } : {}),
        ...(reqBody !== undefined || !opts.headers ? opts.headers : Object.fromEntries(Object.entries(opts.headers).filter(([k]) => k.toLowerCase() !== 'content-type'))),
      };
      let res: Dispatcher.ResponseData | HeadResponse;
      try {
        res =
          method === 'HEAD'
            ? await this.head(u, reqHeaders, signal)
            : await request(u, { method, dispatcher: this.dispatcher, signal, headers: reqHeaders, ...(reqBody !== undefined ? { body: reqBody } : {}) });
      } catch (e) {
        const [code, detail] = classifyError(e, signal, deadline);
        return fail(code, detail);
      }
      headersMs = Math.round(performance.now() - started);
      const headers = flattenHeaders(res.headers);
      const status = res.statusCode;
      maxHeaderBytes = Math.max(maxHeaderBytes, 'headerBytes' in res ? res.headerBytes : headerBytes(res.headers));
      const stream = 'body' in res ? (res as Dispatcher.ResponseData).body : null;
      if (status >= 300 && status < 400 && headers.location) {
        if (stream) await discard(stream);
        let next: string;
        try {
          const n = new URL(headers.location.trim(), u);
          n.hash = '';
          next = n.href;
        } catch {
          return fail('invalid-url', `invalid redirect location: ${headers.location}`, status, headers);
        }
        redirects.push(current);
        if (seen.has(next)) {
          current = next;
          return fail('redirect-loop', `redirect loop via ${next}`, status, headers);
        }
        if (hop + 1 > maxRedirects) {
          current = next;
          return fail('too-many-redirects', `more than ${maxRedirects} redirects`, status, headers);
        }
        current = next;
        // As browsers do: a POST answered by 301/302/303 continues as a GET without the body.
        if (method === 'POST' && status !== 307 && status !== 308) {
          method = 'GET';
          reqBody = undefined;
        }
        continue;
      }
      if (!stream || !readBody) {
        if (stream) await discard(stream);
        return {
          url, finalUrl: current, redirects, status, headers, body: Buffer.alloc(0), bytes: 0, truncated: false,
          headersMs, totalMs: Math.round(performance.now() - started), startedAt, ...notices(),
        };
      }
      try {
        const { raw, truncated } = await readLimited(stream, maxBytes);
        const body = decompress(raw, headers['content-encoding'], maxBytes);
        return {
          url, finalUrl: current, redirects, status, headers, body, bytes: raw.length, truncated,
          headersMs, totalMs: Math.round(performance.now() - started), startedAt, ...notices(),
        };
      } catch (e) {
        const [code, detail] = classifyError(e, signal, deadline);
        return fail(code, detail, status, headers);
      }
    }
  }
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Consumes a body we don't need (redirects, HEAD) so the connection can be reused; gives up past 64 KB. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) {
        body.destroy();
        return;
      }
    }
  } catch {
    /* ignore */
  }
}

async function readLimited(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<{ raw: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > maxBytes) {
      chunks.push(b.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(b);
    size += b.length;
  }
  return { raw: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), truncated };
}

function decompress(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  if (!encoding || raw.length === 0) return raw;
  const enc = encoding.toLowerCase().trim();
  const opts = { maxOutputLength: maxBytes * 4, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(raw, opts);
    if (enc === 'deflate') {
      try {
        return zlib.inflateSync(raw, opts);
      } catch {
        return zlib.inflateRawSync(raw, opts);
      }
    }
    if (enc === 'br') return zlib.brotliDecompressSync(raw, { maxOutputLength: maxBytes * 4 });
  } catch {
    // A server that lies about its encoding: keep the raw bytes.
    return raw;
  }
  return raw;
}

/** Temporary resolver failures (getaddrinfo's EAI_AGAIN; c-ares SERVFAIL, timeout, refused). */
export const TEMPORARY_DNS_CODES = new Set(['EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT', 'EREFUSED']);

/** Maps an error thrown by undici / node into one of the NetError codes plus a detail string. */
export function classifyError(e: unknown, signal?: { aborted: boolean }, deadline?: { aborted: boolean }): [NetError, string] {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const msg = err?.message ?? String(e);
  if (deadline?.aborted || err?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    return ['timeout', 'timed out'];
  }
  if (signal?.aborted) return ['network', 'aborted'];
  // A resolver that could not answer now (EAI_AGAIN from getaddrinfo; SERVFAIL, a resolver timeout or refusal from
  // c-ares) says nothing yet about the name: such a failure is checked again, like a timeout.
  if (TEMPORARY_DNS_CODES.has(code)) return ['dns-temporary', `temporary DNS failure (${code})`];
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME' || code === 'EAI_FAIL' || code === 'EAI_NODATA') return ['dns', `DNS lookup failed (${code})`];
  if (code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'HPE_HEADER_OVERFLOW') return ['headers-too-large', `response headers larger than ${BROWSER_MAX_HEADER_BYTES / 1024} KB (browsers refuse them too)`];
  if (code === 'ECONNREFUSED') return ['refused', 'connection refused'];
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') return ['reset', `connection reset (${code})`];
  if (/CERT|SSL|TLS|self.signed|certificate|UNABLE_TO_VERIFY|ERR_TLS|EPROTO/i.test(code + ' ' + msg)) return ['tls', `TLS failure (${code || msg})`];
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return ['network', `unreachable (${code})`];
  return ['network', code ? `${code}: ${msg}` : msg];
}
