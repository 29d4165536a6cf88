/**
 * One availability probe: GET of a site's homepage with a deadline for the COMPLETE response
 * (DNS, connect, TLS, headers and body), as the inspection rule counts a visit that "still does not open
 * after 15 seconds". Bodies are counted and discarded, never kept.
 *
 * Classification (`outcome`):
 *   ok       a response below 400 with a non-empty body arrived within the deadline
 *            (also: HTTP 412 carrying a script — the JavaScript challenge of anti-bot gateways such as
 *            瑞数 — because a browser passes it; noted as error 'js-challenge'; also a site whose certificate chain
 *            cannot be verified here but opens unverified — a missing intermediate, which browsers complete
 *            themselves — noted 'tls-chain:<code>'; what a browser opens although stricter clients refuse it —
 *            response headers over 16 KB (up to Chromium's 256 KB) or more than 10 redirects (up to Chromium's 20) —
 *            is noted 'large-headers:<bytes>' / 'redirects:<n>'; several notes are joined with commas)
 *   timeout  the deadline passed before the body was complete (or a connect/headers timeout)
 *   dns      the name did not resolve
 *   refused  connection refused
 *   tls      TLS handshake or certificate failure
 *   reset    the connection was reset/closed by the peer
 *   http     final status ≥ 400
 *   empty    a 2xx/3xx answer whose body is empty/whitespace, or a tiny gateway error page ("502 Bad Gateway")
 *   error    anything else (host unreachable, malformed HTTP, too many redirects, invalid URL)
 * Every outcome except `ok` counts as a failure.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { buildConnector } from 'undici';
import { Client, buildConnector as makeConnector } from '../runtime/undici.ts';
import { isChainTrustError } from '../collect/tls.ts';
import { BROWSER_MAX_HEADER_BYTES, BROWSER_MAX_REDIRECTS, NOTICE_HEADER_BYTES, NOTICE_REDIRECTS, headerBytes } from '../collect/http.ts';

export type ProbeOutcome = 'ok' | 'timeout' | 'dns' | 'refused' | 'tls' | 'reset' | 'http' | 'empty' | 'error';

export const PROBE_OUTCOMES: readonly ProbeOutcome[] = ['ok', 'timeout', 'dns', 'refused', 'tls', 'reset', 'http', 'empty', 'error'];

/** Chinese labels for reports and CLI output. */
export const OUTCOME_LABELS: Record<ProbeOutcome, string> = {
  ok: '正常',
  timeout: '超时',
  dns: '域名解析失败',
  refused: '连接被拒绝',
  tls: 'TLS/证书错误',
  reset: '连接被重置',
  http: 'HTTP 错误',
  empty: '空白或错误页面',
  error: '其他错误',
};

/** Does this outcome count as "the site could not be opened"? */
export function isFailureOutcome(o: ProbeOutcome): boolean {
  return o !== 'ok';
}

/** Milliseconds spent per phase, as available (summed over redirect hops). */
export interface ProbePhases {
  dns?: number;
  connect?: number;
  tls?: number;
  ttfb?: number;
  body?: number;
}

export interface ProbeResult {
  url: string;
  /** Last URL requested (after redirects). */
  finalUrl: string;
  /** ISO time the probe started. */
  at: string;
  outcome: ProbeOutcome;
  /** Final HTTP status when a response arrived. */
  status?: number;
  /** Total duration, ms. */
  ms: number;
  phases: ProbePhases;
  /** Address family (4/6) and peer address of the last connection. */
  family?: 4 | 6;
  address?: string;
  /** Body bytes received (all hops). */
  bytes: number;
  /** When the certificate of the last HTTPS hop expires (ISO UTC), as the server presented it. */
  certExpires?: string;
  /** Error code or note (ECONNREFUSED, ENOTFOUND, deadline, js-challenge, error-page, …). */
  error?: string;
  redirects: number;
  /**
   * A WAF's or gateway's answer to us (HTTP 429, or 403/412 with a block page): the outcome stays `http` for the
   * one-machine monitor (as before); the distributed monitor counts such probes as "blocked", neither up nor down.
   */
  blocked?: true;
}

/** Same shape as `dns.lookup` with options (what `net.connect({ lookup })` calls). */
export type LookupFn = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

export interface ProbeOptions {
  /** Deadline for the complete response, ms (default 15,000). */
  timeoutMs?: number;
  /** DNS lookup used for connections (default `dns.lookup`); see `staticLookup` for tests and benchmarks. */
  lookup?: LookupFn;
  /** Redirects followed within the same deadline (default 20, as Chromium). */
  maxRedirects?: number;
  /** Stop reading (and count as complete) after this many body bytes (default 8 MiB). */
  maxBodyBytes?: number;
  /**
   * Verify TLS certificates (default true: a browser refuses a bad certificate too). A chain this machine cannot
   * verify (missing intermediate, unknown root) is retried unverified: the probe is ok, noted `tls-chain:<code>`.
   */
  rejectUnauthorized?: boolean;
  userAgent?: string;
  /** Cancels the probe (monitor stopping): the promise rejects with an AbortError and nothing is recorded. */
  signal?: AbortSignal;
  /** Clock for `at` (default Date.now). */
  now?: () => number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 15_000;
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 govsite-monitor/0.1';

function dnsError(hostname: string, code = 'ENOTFOUND'): NodeJS.ErrnoException {
  const e = new Error(`getaddrinfo ${code} ${hostname}`) as NodeJS.ErrnoException & { hostname?: string };
  e.code = code;
  e.syscall = 'getaddrinfo';
  e.hostname = hostname;
  return e;
}

/**
 * A lookup function answering from a fixed map (or a function) instead of DNS — for tests and benchmarks:
 * `staticLookup({ 'www.example.gov.cn': '127.0.0.1', 'v6.example.gov.cn': ['::1'] })`.
 * Names not in the map fail with ENOTFOUND, or go to `fallback` when given.
 */
export function staticLookup(
  map: Record<string, string | string[]> | ((hostname: string) => string | string[] | undefined),
  opts: { fallback?: LookupFn } = {},
): LookupFn {
  const table = typeof map === 'function' ? null : new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
  return (hostname, options, callback) => {
    const host = hostname.toLowerCase();
    const hit = table ? table.get(host) : (map as (h: string) => string | string[] | undefined)(host);
    if (hit === undefined) {
      if (opts.fallback) return opts.fallback(hostname, options, callback);
      process.nextTick(() => callback(dnsError(hostname), ''));
      return;
    }
    const list: LookupAddress[] = (Array.isArray(hit) ? hit : [hit]).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    const wanted = options?.family === 4 || options?.family === 6 ? list.filter((a) => a.family === options.family) : list;
    process.nextTick(() => {
      if (wanted.length === 0) return callback(dnsError(hostname, 'ENODATA'), '');
      if (options?.all) callback(null, wanted);
      else callback(null, wanted[0].address, wanted[0].family);
    });
  };
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME', 'EBADNAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TLS_CODES = new Set([
  'EPROTO',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCodes(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 3) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const out: string[] = [];
  if (typeof e.code === 'string') out.push(e.code);
  if (Array.isArray(e.errors)) for (const x of e.errors) out.push(...errorCodes(x, depth + 1));
  if (e.cause) out.push(...errorCodes(e.cause, depth + 1));
  return out;
}

/** Maps a network error to an outcome and a short code (exported for tests and other collectors). */
export function classifyError(err: unknown): { outcome: ProbeOutcome; code: string } {
  const codes = errorCodes(err);
  const message = err instanceof Error ? err.message : String(err);
  const first = codes[0] ?? (err instanceof Error ? err.name : 'error');
  const has = (set: Set<string>) => codes.find((c) => set.has(c));
  let c: string | undefined;
  if ((c = has(DNS_CODES))) return { outcome: 'dns', code: c };
  if (codes.includes('ECONNREFUSED')) return { outcome: 'refused', code: 'ECONNREFUSED' };
  if ((c = has(TLS_CODES)) || (c = codes.find((x) => /^ERR_(TLS|SSL)_|CERT/.test(x)))) return { outcome: 'tls', code: c };
  if ((c = has(RESET_CODES))) return { outcome: 'reset', code: c };
  if ((c = has(TIMEOUT_CODES))) return { outcome: 'timeout', code: c };
  if (/certificate|ssl|tls/i.test(message) && !/socket disconnected/i.test(message)) return { outcome: 'tls', code: first };
  return { outcome: 'error', code: first };
}

/** Words of the block pages of WAFs and security gateways seen on government sites (Chinese and English). */
const BLOCK_PAGE_RE =
  /拦截|防火墙|安全狗|云盾|创宇盾|安全防护|网站防护|访问被(?:拒绝|阻断|禁止)|非法(?:请求|访问)|WAF|Access Denied|Request (?:blocked|rejected)|has been blocked|Forbidden by|security policy|cloudflare|captcha/i;

/** A WAF's answer rather than the site's: 429 always, 403 / 412 when the body is a block page. */
export function isBlockedAnswer(status: number, head: string): boolean {
  return status === 429 || ((status === 403 || status === 412) && BLOCK_PAGE_RE.test(head));
}

const ERROR_PAGE_RE =
  /<(?:title|h1)[^>]*>\s*(?:50[0-4]\b[^<]*|Bad Gateway|Service (?:Temporarily )?Unavailable|Gateway Time-?out|Internal Server Error)\s*<\/(?:title|h1)>/i;

/** A tiny body that is nothing but a proxy's error page (served with a 2xx status by a misconfigured gateway). */
function isErrorPage(head: string, bytes: number): boolean {
  return bytes <= 4096 && ERROR_PAGE_RE.test(head);
}

interface HopTiming {
  start: number;
  dnsStart?: number;
  dnsEnd?: number;
  dnsFailed?: boolean;
  connected?: number;
  secured?: number;
  headers?: number;
  end?: number;
  family?: 4 | 6;
  address?: string;
  /** notAfter of the peer certificate (ISO UTC), HTTPS only. */
  certExpires?: string;
}

/** The peer certificate's expiry (ISO UTC), when the socket is TLS and presented one. */
function certExpiry(socket: Socket): string | undefined {
  const get = (socket as Socket & { getPeerCertificate?: () => { valid_to?: string } | null }).getPeerCertificate;
  if (typeof get !== 'function') return undefined;
  try {
    const c = get.call(socket);
    const t = c?.valid_to ? Date.parse(c.valid_to) : NaN;
    return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

interface HopResult {
  status: number;
  /** Size of the response head (bytes, approximate). */
  headerBytes: number;
  location?: string;
  bytes: number;
  head: string;
  nonWhitespace: boolean;
}

function makeAbortError(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

function familyOf(socket: Socket): 4 | 6 | undefined {
  const f = socket.remoteFamily as unknown;
  if (f === 'IPv6' || f === 6) return 6;
  if (f === 'IPv4' || f === 4) return 4;
  return undefined;
}

function round(n: number): number {
  return Math.max(0, Math.round(n));
}

/** Shared connectors (one per lookup function and TLS setting): building one per probe costs CPU and memory. */
const connectorCache = new WeakMap<object, Map<string, buildConnector.connector>>();
const DEFAULT_LOOKUP_KEY = {};

function sharedConnector(lookup: LookupFn | undefined, rejectUnauthorized: boolean, timeoutMs: number): buildConnector.connector {
  const owner = lookup ?? DEFAULT_LOOKUP_KEY;
  let byKey = connectorCache.get(owner);
  if (!byKey) connectorCache.set(owner, (byKey = new Map()));
  const key = `${rejectUnauthorized}|${timeoutMs}`;
  let c = byKey.get(key);
  if (!c) {
    c = makeConnector({
      timeout: timeoutMs + 1_000, // our own deadline fires first
      ...(lookup ? { lookup } : {}),
      rejectUnauthorized,
      keepAlive: false,
      maxCachedSessions: 0, // no TLS session reuse: every probe meets the site as a new visitor
    } as buildConnector.BuildOptions);
    byKey.set(key, c);
  }
  return c;
}

/** Passed to `destroy` so undici does not build (and stack-trace) a fresh error for every finished probe. */
const PROBE_DONE = Object.assign(new Error('probe finished'), { code: 'GOVSITE_PROBE_DONE' });
const noop = () => {};
const DEADLINE = Object.assign(new Error('deadline'), { name: 'AbortError' });
const CANCELLED = Object.assign(new Error('probe cancelled'), { name: 'AbortError' });

const REQUEST_HEADERS_BASE = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'zh-CN,zh;q=0.9',
  'accept-encoding': 'identity',
};

const NON_WHITESPACE = /[^\s\xef\xbb\xbf]/;

/** Internal cancellation token (cheaper than an AbortController per probe). */
interface CancelToken {
  reason: Error | null;
  onCancel: ((reason: Error) => void) | null;
}

function cancel(token: CancelToken, reason: Error): void {
  if (token.reason) return;
  token.reason = reason;
  token.onCancel?.(reason);
}

/**
 * One GET on one origin with a fresh connection (no reuse: each probe measures what a new visitor meets).
 * Uses undici's dispatch handler API directly: no body stream, the body is counted chunk by chunk and dropped.
 */
function fetchHop(
  url: URL,
  token: CancelToken,
  opts: Required<Pick<ProbeOptions, 'maxBodyBytes' | 'rejectUnauthorized' | 'userAgent' | 'timeoutMs'>> & { lookup?: LookupFn },
  timing: HopTiming,
): Promise<HopResult> {
  const base = sharedConnector(opts.lookup, opts.rejectUnauthorized, opts.timeoutMs) as unknown as (
    o: buildConnector.Options,
    cb: buildConnector.Callback,
  ) => Socket | undefined;
  const connect: buildConnector.connector = (o, cb) => {
    const start = performance.now();
    const socket = base(o, (err, s) => {
      if (s) {
        timing.family = familyOf(s) ?? timing.family;
        timing.address = s.remoteAddress ?? timing.address;
        if (o.protocol === 'https:') {
          timing.secured ??= performance.now();
          timing.certExpires = certExpiry(s) ?? timing.certExpires;
        } else timing.connected ??= performance.now();
      }
      if (err) cb(err, null);
      else cb(null, s!);
    });
    if (socket) {
      socket.once('lookup', (err: Error | null) => {
        timing.dnsStart ??= start;
        timing.dnsEnd = performance.now();
        if (err) timing.dnsFailed = true;
      });
      socket.once('connect', () => {
        timing.connected = performance.now();
        timing.family = familyOf(socket) ?? timing.family;
        timing.address = socket.remoteAddress ?? timing.address;
      });
    }
  };

  return new Promise<HopResult>((resolve, reject) => {
    const client = new Client(url.origin, { connect, headersTimeout: 0, bodyTimeout: 0, pipelining: 1, maxHeaderSize: BROWSER_MAX_HEADER_BYTES });
    let settled = false;
    let status = 0;
    let hopHeaderBytes = 0;
    let location: string | undefined;
    let bytes = 0;
    let head = '';
    let nonWhitespace = false;
    const finish = (err: unknown) => {
      if (settled) return;
      settled = true;
      token.onCancel = null;
      // the connection is never reused: close it now (also when the server would keep it alive)
      client.destroy(PROBE_DONE, noop);
      if (err) reject(err);
      else resolve({ status, headerBytes: hopHeaderBytes, location, bytes, head, nonWhitespace });
    };
    if (token.reason) return finish(token.reason);
    token.onCancel = (reason) => finish(reason);
    try {
      client.dispatch(
        { origin: url.origin, path: `${url.pathname || '/'}${url.search}`, method: 'GET', headers: { 'user-agent': opts.userAgent, ...REQUEST_HEADERS_BASE } },
        {
          // (onRequestStart marks this as a new-style handler for undici 7)
          onRequestStart() {},
          onResponseStart(_c, statusCode, headers) {
            if (statusCode < 200) return;
            timing.headers = performance.now();
            status = statusCode;
            hopHeaderBytes = headerBytes(headers as Record<string, string | string[] | undefined>);
            const loc = headers.location;
            location = Array.isArray(loc) ? loc[0] : loc;
          },
          onResponseData(_c, chunk) {
            if (settled) return;
            if (head.length < 4096) head += chunk.subarray(0, 4096 - head.length).toString('latin1');
            if (!nonWhitespace && NON_WHITESPACE.test(chunk.subarray(0, 65_536).toString('latin1'))) nonWhitespace = true;
            bytes += chunk.length;
            if (bytes >= opts.maxBodyBytes) {
              timing.end = performance.now();
              finish(null);
            }
          },
          onResponseEnd() {
            timing.end = performance.now();
            finish(null);
          },
          onResponseError(_c, err) {
            finish(err);
          },
        },
      );
    } catch (e) {
      finish(e);
    }
  });
}

/** Probes `url` once. Never rejects for network trouble (that is an outcome); rejects only when `signal` aborts. */
export async function probeUrl(url: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const hopOpts = {
    timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    lookup: options.lookup,
  };
  const maxRedirects = options.maxRedirects ?? BROWSER_MAX_REDIRECTS;
  const atMs = (options.now ?? Date.now)();
  const t0 = performance.now();
  const result: ProbeResult = {
    url,
    finalUrl: url,
    at: new Date(atMs).toISOString(),
    outcome: 'error',
    ms: 0,
    phases: {},
    bytes: 0,
    redirects: 0,
  };
  const add = (k: keyof ProbePhases, v: number | undefined) => {
    if (v === undefined || !Number.isFinite(v)) return;
    result.phases[k] = round((result.phases[k] ?? 0) + v);
  };

  if (options.signal?.aborted) throw makeAbortError('probe cancelled');
  let current: URL;
  try {
    current = new URL(url);
    if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new Error('unsupported protocol');
  } catch {
    result.error = 'invalid-url';
    return result;
  }

  const token: CancelToken = { reason: null, onCancel: null };
  let deadlineHit = false;
  const timer = setTimeout(() => {
    deadlineHit = true;
    cancel(token, DEADLINE);
  }, timeoutMs);
  const onExternal = () => cancel(token, CANCELLED);
  options.signal?.addEventListener('abort', onExternal, { once: true });
  const timings: HopTiming[] = [];
  let chainNote: string | null = null;
  let maxHeaderBytes = 0;

  try {
    for (;;) {
      const timing: HopTiming = { start: performance.now() };
      timings.push(timing);
      result.finalUrl = current.href;
      let hop: Awaited<ReturnType<typeof fetchHop>>;
      try {
        hop = await fetchHop(current, token, hopOpts, timing);
      } catch (err) {
        // A certificate chain this machine cannot verify (see collect/tls.ts) is not the site being down: browsers
        // complete a missing intermediate themselves. The hop is made again without verifying, within the deadline.
        const c = classifyError(err);
        if (token.reason || !hopOpts.rejectUnauthorized || c.outcome !== 'tls' || !isChainTrustError(c.code)) throw err;
        chainNote = c.code;
        const retry: HopTiming = { start: performance.now() };
        timings.push(retry);
        hop = await fetchHop(current, token, { ...hopOpts, rejectUnauthorized: false }, retry);
      }
      result.bytes += hop.bytes;
      result.status = hop.status;
      maxHeaderBytes = Math.max(maxHeaderBytes, hop.headerBytes);
      if (hop.status >= 300 && hop.status < 400 && hop.location) {
        if (result.redirects >= maxRedirects) {
          result.outcome = 'error';
          result.error = 'too-many-redirects';
          break;
        }
        let next: URL;
        try {
          next = new URL(hop.location, current);
        } catch {
          result.outcome = 'error';
          result.error = 'invalid-redirect';
          break;
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          result.outcome = 'error';
          result.error = 'invalid-redirect';
          break;
        }
        result.redirects++;
        current = next;
        continue;
      }
      if (hop.status === 412 && /<script/i.test(hop.head)) {
        result.outcome = 'ok';
        result.error = 'js-challenge';
      } else if (hop.status >= 400) {
        result.outcome = 'http';
        result.error = `HTTP ${hop.status}`;
        if (isBlockedAnswer(hop.status, Buffer.from(hop.head, 'latin1').toString('utf8'))) result.blocked = true; // head is kept as latin1
      } else if (!hop.nonWhitespace) {
        result.outcome = 'empty';
        result.error = hop.bytes === 0 ? 'empty-body' : 'blank-body';
      } else if (isErrorPage(hop.head, hop.bytes)) {
        result.outcome = 'empty';
        result.error = 'error-page';
      } else {
        result.outcome = 'ok';
        const notes: string[] = [];
        if (chainNote) notes.push(`tls-chain:${chainNote}`);
        if (maxHeaderBytes > NOTICE_HEADER_BYTES) notes.push(`large-headers:${maxHeaderBytes}`);
        if (result.redirects > NOTICE_REDIRECTS) notes.push(`redirects:${result.redirects}`);
        if (notes.length) result.error = notes.join(',');
      }
      break;
    }
  } catch (err) {
    if (options.signal?.aborted && !deadlineHit) throw makeAbortError('probe cancelled');
    if (deadlineHit) {
      result.outcome = 'timeout';
      result.error = 'deadline';
    } else if (timings.at(-1)?.dnsFailed) {
      result.outcome = 'dns';
      result.error = classifyError(err).code;
    } else {
      const c = classifyError(err);
      result.outcome = c.outcome;
      result.error = c.code;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onExternal);
  }

  const end = performance.now();
  result.ms = round(end - t0);
  for (const t of timings) {
    if (t.dnsStart !== undefined && t.dnsEnd !== undefined) add('dns', t.dnsEnd - t.dnsStart);
    const connStart = t.dnsEnd ?? t.start;
    if (t.connected !== undefined) add('connect', t.connected - connStart);
    if (t.secured !== undefined) add('tls', t.secured - (t.connected ?? connStart));
    const ready = t.secured ?? t.connected;
    if (t.headers !== undefined && ready !== undefined) add('ttfb', t.headers - ready);
    if (t.headers !== undefined && t.end !== undefined) add('body', t.end - t.headers);
  }
  const last = timings.at(-1);
  if (last?.family) result.family = last.family;
  if (last?.address) result.address = last.address;
  if (last?.certExpires) result.certExpires = last.certExpires;
  return result;
}
