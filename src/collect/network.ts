/**
 * DNS and IPv6 observation for the audited host (IPv6改造 indicator): A and AAAA records, the homepage fetched over
 * IPv6, and a sample of internal links fetched over IPv6.
 *
 * The resolver is injectable (tests map names to loopback addresses); fetches connect to a chosen IP address while
 * sending the real Host header and TLS SNI. Nothing here throws: failures are recorded in the observation.
 *
 * Error strings are "<class>: <detail>". Two classes tell the ipv6 check that the measurement says nothing about the
 * site: `no-local-ipv6` (this machine cannot reach IPv6 at all) and `also-fails-over-ipv4` (the page fails over IPv4
 * too, so it is an availability problem, not an IPv6 one).
 */
import { Resolver as DnsResolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import type { LookupFunction } from 'node:net';
import type { NetworkObservation } from '../model.ts';
import { BROWSER_MAX_HEADER_BYTES } from './http.ts';

export interface Resolver {
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
}

export interface FetchViaResult {
  ok: boolean;
  status?: number;
  error?: string;
  ms: number;
  bytes: number;
}

/** Error classes that mean "not measurable from here", not "the site fails". */
export const NO_LOCAL_IPV6 = 'no-local-ipv6';
export const ALSO_FAILS_OVER_IPV4 = 'also-fails-over-ipv4';

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const LINK_CONCURRENCY = 4;
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 govsite';

/** File types not worth fetching to test IPv6 reachability of pages. */
const SKIP_EXT = /\.(pdf|docx?|xlsx?|pptx?|wps|et|dps|ofd|zip|rar|7z|gz|tar|ceb|caj|jpe?g|png|gif|bmp|webp|svg|ico|tiff?|mp4|mp3|flv|avi|wmv|mov|swf|wav|m4a|webm|exe|apk|iso|css|js)$/i;

const EMPTY_CODES = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

function errCode(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
  return '';
}

function errMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
}

function makeSystemResolver(): Resolver {
  let r: DnsResolver | null = null;
  const get = () => (r ??= new DnsResolver({ timeout: 4000, tries: 2 }));
  const wrap = async (f: () => Promise<string[]>): Promise<string[]> => {
    try {
      return await f();
    } catch (e) {
      if (EMPTY_CODES.has(errCode(e))) return [];
      throw e;
    }
  };
  return {
    resolve4: (host) => wrap(() => get().resolve4(host)),
    resolve6: (host) => wrap(() => get().resolve6(host)),
  };
}

/** The system's DNS (node:dns/promises, not /etc/hosts). "No such record" and "no such name" give []. */
export const systemResolver: Resolver = makeSystemResolver();

function normHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
}

/**
 * A resolver answering from a table (tests, demos, staging overrides). Hosts absent from the table go to `fallback`,
 * or resolve to nothing.
 */
export function mapResolver(map: Record<string, { a?: string[]; aaaa?: string[] }>, fallback?: Resolver): Resolver {
  const table = new Map<string, { a?: string[]; aaaa?: string[] }>();
  for (const [k, v] of Object.entries(map)) table.set(normHost(k), v);
  return {
    async resolve4(host) {
      const hit = table.get(normHost(host));
      if (hit) return [...(hit.a ?? [])];
      return fallback ? fallback.resolve4(host) : [];
    },
    async resolve6(host) {
      const hit = table.get(normHost(host));
      if (hit) return [...(hit.aaaa ?? [])];
      return fallback ? fallback.resolve6(host) : [];
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  p.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEOUT' })), Math.max(1, ms));
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** True when this machine has an IPv6 address other than loopback and link-local (so it can reach IPv6 hosts). */
export function hasLocalIpv6(): boolean {
  try {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const ni of list ?? []) {
        if (ni.family !== 'IPv6' || ni.internal) continue;
        const a = ni.address.toLowerCase();
        if (a === '::1' || a.startsWith('fe80:')) continue;
        return true;
      }
    }
  } catch {
    return true; // cannot tell: let the connection attempt decide
  }
  return false;
}

function isLoopback(address: string): boolean {
  if (net.isIPv4(address)) return address.startsWith('127.');
  const a = address.toLowerCase();
  return a === '::1' || a === '0:0:0:0:0:0:0:1' || a.startsWith('::ffff:127.');
}

function classifyNetError(e: unknown, timedOut: boolean): string {
  const code = errCode(e);
  const msg = errMessage(e);
  if (timedOut || code === 'ETIMEDOUT' || code === 'ETIMEOUT') return `timeout: ${msg}`;
  if (code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return `${NO_LOCAL_IPV6}: ${msg}`;
  if (code === 'ECONNREFUSED') return `refused: ${msg}`;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || /socket hang up/i.test(msg)) return `reset: ${msg}`;
  if (code === 'EHOSTUNREACH' || code === 'EHOSTDOWN') return `unreachable: ${msg}`;
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /ssl|tls/i.test(msg)) return `tls: ${msg}`;
  if (code.startsWith('HPE_')) return `protocol: ${msg}`;
  return `network: ${code ? code + ' ' : ''}${msg}`;
}

interface OnceResult {
  status?: number;
  error?: string;
  bytes: number;
  location?: string;
}

function requestOnce(u: URL, address: string, family: 4 | 6, timeoutMs: number): Promise<OnceResult> {
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let bytes = 0;
    let status: number | undefined;
    let location: string | undefined;
    const done = (r: OnceResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const lookup = ((_host: string, options: unknown, cb: (...args: unknown[]) => void) => {
      const callback = typeof options === 'function' ? (options as (...args: unknown[]) => void) : cb;
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      if (all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }) as unknown as LookupFunction;
    const mod = u.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = mod.request(u, {
        method: 'GET',
        lookup,
        family,
        agent: false,
        headers: {
          host: u.host,
          'user-agent': USER_AGENT,
          accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
          'accept-encoding': 'identity',
          connection: 'close',
        },
        // Reachability over IPv6 is measured here; certificate validity is another check's business.
        rejectUnauthorized: false,
        // What a browser accepts (a big cookie is not an IPv6 failure).
        maxHeaderSize: BROWSER_MAX_HEADER_BYTES,
      } as https.RequestOptions);
    } catch (e) {
      resolve({ error: classifyNetError(e, false), bytes: 0 });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`no complete response within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      // A response already in progress counts as received when its headers arrived.
      if (status !== undefined) done({ status, bytes, location });
      else done({ error: `timeout: no response within ${timeoutMs} ms`, bytes });
    }, Math.max(1, timeoutMs));
    req.on('response', (res) => {
      status = res.statusCode;
      const loc = res.headers.location;
      location = typeof loc === 'string' ? loc : undefined;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= MAX_BODY_BYTES) {
          res.destroy();
          done({ status, bytes, location });
        }
      });
      res.on('end', () => done({ status, bytes, location }));
      res.on('error', (e) => {
        if (status !== undefined && bytes > 0) done({ status, bytes, location });
        else done({ status, error: classifyNetError(e, timedOut), bytes, location });
      });
      res.on('close', () => done({ status, bytes, location }));
    });
    req.on('error', (e) => done({ error: classifyNetError(e, timedOut), bytes }));
    req.end();
  });
}

/**
 * GET `url` over a connection to `address` (IPv4 or IPv6) — the Host header and TLS SNI carry the URL's host name.
 * Follows redirects that stay on the same host (same address). `ok` = the final status is 2xx/3xx. Never throws.
 */
export async function fetchVia(url: string, address: string, opts: { timeoutMs?: number } = {}): Promise<FetchViaResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ms = () => Date.now() - started;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, error: 'invalid-url: ' + String(url).slice(0, 200), ms: ms(), bytes: 0 };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, error: `invalid-url: unsupported scheme ${u.protocol}`, ms: ms(), bytes: 0 };
  const addr = normHost(address);
  const fam = net.isIP(addr);
  if (fam !== 4 && fam !== 6) return { ok: false, error: `invalid-address: ${address}`, ms: ms(), bytes: 0 };
  if (fam === 6 && !isLoopback(addr) && !hasLocalIpv6()) {
    return { ok: false, error: `${NO_LOCAL_IPV6}: this machine has no IPv6 address beyond loopback/link-local`, ms: ms(), bytes: 0 };
  }
  const host = u.hostname;
  let bytes = 0;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const left = timeoutMs - ms();
    if (left <= 0) return { ok: false, error: `timeout: no complete answer within ${timeoutMs} ms`, ms: ms(), bytes };
    const r = await requestOnce(u, addr, fam, left);
    bytes += r.bytes;
    if (r.status === undefined) return { ok: false, error: r.error ?? 'network: no response', ms: ms(), bytes };
    if (r.status >= 300 && r.status < 400 && r.location) {
      let next: URL | null = null;
      try {
        next = new URL(r.location, u);
      } catch {
        next = null;
      }
      if (next && (next.protocol === 'http:' || next.protocol === 'https:') && next.hostname === host && next.href !== u.href && hop < MAX_REDIRECTS) {
        u = next;
        continue;
      }
      // Redirect elsewhere (another host, a loop): the server did answer over this address.
      return { ok: true, status: r.status, ms: ms(), bytes };
    }
    const ok = r.status >= 200 && r.status < 400;
    return ok ? { ok, status: r.status, ms: ms(), bytes } : { ok, status: r.status, error: `http-${r.status}`, ms: ms(), bytes };
  }
  return { ok: false, error: 'too-many-redirects', ms: ms(), bytes };
}

function errClass(error: string | undefined): string {
  return (error ?? '').split(':')[0];
}

/** Connection-level failures: the host's IPv6 path is dead, so sampling more pages would only repeat the timeout. */
const CONNECT_FAILURES = new Set(['timeout', 'refused', 'unreachable', 'reset', NO_LOCAL_IPV6]);

function sameHostLinks(links: string[], host: string, homepageUrl: string, sample: number): string[] {
  const seen = new Set<string>();
  const home = homepageUrl.replace(/#.*$/, '');
  const out: string[] = [];
  for (const raw of links) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      continue;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
    if (normHost(u.hostname) !== host) continue;
    u.hash = '';
    const key = u.href;
    if (key === home || seen.has(key)) continue;
    if (u.pathname === '/' && !u.search) continue; // the homepage again (other scheme)
    if (SKIP_EXT.test(u.pathname)) continue;
    seen.add(key);
    out.push(key);
  }
  if (out.length <= sample) return out;
  // Evenly spread over the given order (reproducible, unlike a random sample).
  const picked: string[] = [];
  const step = out.length / sample;
  for (let i = 0; i < sample; i++) picked.push(out[Math.floor(i * step)]);
  return picked;
}

async function mapLimit<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A and AAAA of the homepage host; the homepage over IPv6 (each AAAA address in turn, up to three, until one works);
 * a sample of internal links of the same host over IPv6. A page failing over IPv6 is retried over IPv4: when it fails
 * there too, it is not counted (homepage: error class `also-fails-over-ipv4`; links: left out of `tried`).
 * Never throws.
 */
export async function observeNetwork(args: {
  homepageUrl: string;
  internalLinks: string[];
  resolver?: Resolver;
  timeoutMs?: number;
  sample?: number;
}): Promise<NetworkObservation> {
  const resolver = args.resolver ?? systemResolver;
  const timeoutMs = args.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sample = Math.max(0, Math.floor(args.sample ?? 30));
  let host: string;
  try {
    host = normHost(new URL(args.homepageUrl).hostname);
  } catch {
    return { host: String(args.homepageUrl), a: [], aaaa: [], dnsError: 'invalid-url', homepageV6: null, linksV6: null };
  }

  let a: string[] = [];
  let aaaa: string[] = [];
  const dnsErrors: string[] = [];
  if (net.isIPv4(host)) a = [host];
  else if (net.isIPv6(host)) aaaa = [host];
  else {
    const dnsBudget = timeoutMs;
    const [r4, r6] = await Promise.allSettled([
      withTimeout(Promise.resolve().then(() => resolver.resolve4(host)), dnsBudget, 'A lookup'),
      withTimeout(Promise.resolve().then(() => resolver.resolve6(host)), dnsBudget, 'AAAA lookup'),
    ]);
    if (r4.status === 'fulfilled') a = Array.isArray(r4.value) ? r4.value.filter((x) => net.isIPv4(x)) : [];
    else dnsErrors.push(`a: ${errCode(r4.reason) || errMessage(r4.reason)}`);
    if (r6.status === 'fulfilled') aaaa = Array.isArray(r6.value) ? r6.value.filter((x) => net.isIPv6(x)) : [];
    else dnsErrors.push(`aaaa: ${errCode(r6.reason) || errMessage(r6.reason)}`);
    if (dnsErrors.length === 0 && a.length === 0 && aaaa.length === 0) dnsErrors.push('no-address: the host has neither A nor AAAA records');
  }
  const obs: NetworkObservation = { host, a, aaaa, homepageV6: null, linksV6: null };
  if (dnsErrors.length) obs.dnsError = dnsErrors.join('; ');
  if (aaaa.length === 0) return obs;

  // Homepage over IPv6.
  let v6addr = aaaa[0];
  let home: FetchViaResult | null = null;
  for (const addr of aaaa.slice(0, 3)) {
    const r = await fetchVia(args.homepageUrl, addr, { timeoutMs });
    if (!home || r.ok) {
      home = r;
      v6addr = addr;
    }
    if (r.ok || errClass(r.error) === NO_LOCAL_IPV6) break;
  }
  let homeOk = false;
  if (home) {
    homeOk = home.ok;
    const entry: NonNullable<NetworkObservation['homepageV6']> = { ok: home.ok, ms: home.ms };
    if (home.status !== undefined) entry.status = home.status;
    if (home.error) entry.error = home.error;
    if (!home.ok && errClass(home.error) !== NO_LOCAL_IPV6) {
      const v4 = a.length ? await fetchVia(args.homepageUrl, a[0], { timeoutMs }) : null;
      if (!v4 || !v4.ok) {
        entry.error = `${ALSO_FAILS_OVER_IPV4}: over IPv6 ${home.error ?? 'failed'}; over IPv4 ${v4 ? v4.error ?? 'failed' : 'no A record'}`;
      }
    }
    obs.homepageV6 = entry;
  }

  // Internal links over IPv6 (skipped when the homepage could not even connect over IPv6).
  if (!homeOk && home && CONNECT_FAILURES.has(errClass(home.error))) return obs;
  if (!homeOk && home && errClass(obs.homepageV6?.error) === ALSO_FAILS_OVER_IPV4) return obs;
  const links = sameHostLinks(args.internalLinks ?? [], host, args.homepageUrl, sample);
  const results = await mapLimit(links, LINK_CONCURRENCY, async (url) => {
    const r6 = await fetchVia(url, v6addr, { timeoutMs });
    if (r6.ok) return { url, ok: true as const };
    if (errClass(r6.error) === NO_LOCAL_IPV6) return { url, ok: false as const, error: r6.error ?? NO_LOCAL_IPV6 };
    const r4 = a.length ? await fetchVia(url, a[0], { timeoutMs }) : null;
    if (r4 && !r4.ok) return { url, skip: true as const };
    return { url, ok: false as const, error: r6.error ?? 'failed' };
  });
  const counted = results.filter((r) => !('skip' in r));
  const failures = counted.filter((r): r is { url: string; ok: false; error: string } => 'ok' in r && !r.ok).map((r) => ({ url: r.url, error: r.error }));
  obs.linksV6 = { tried: counted.length, ok: counted.length - failures.length, failures };
  return obs;
}
