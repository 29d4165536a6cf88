/**
 * Who may write through the dashboard.
 *
 * - One operator token (--token-file or GOVSITE_TOKEN). Scripts send it as `Authorization: Bearer <token>`;
 *   people type it once into the login form, which opens a server-side session (random id in an HttpOnly,
 *   SameSite=Strict cookie) holding the reviewer's name and a per-session CSRF token.
 * - Token and CSRF comparisons are constant-time (SHA-256 digests compared with timingSafeEqual).
 * - Wrong tokens, by Bearer or by the login form, share one throttle per attempt source (AuthThrottle): after a burst
 *   their answers are held and refused with 429; a correct token always works.
 * - Every state-changing request must come from the dashboard's own origin when the browser says where it comes
 *   from (Origin / Sec-Fetch-Site); cookie-authenticated ones must also carry the session's CSRF token.
 * - Reading is open to whoever can reach the port (loopback only unless --host says otherwise).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'govsite_sid';
/** Idle lifetime of a session. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** Absolute lifetime of a session. */
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;
const MAX_SESSIONS = 2_000;
/** Shortest operator token accepted from a file or the environment. */
export const MIN_TOKEN_LENGTH = 16;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time string equality (no early exit, no length leak). */
export function safeEqual(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 4096) {
    // Still spend the same work so timing says nothing about why it failed.
    timingSafeEqual(digest(expected), digest(expected));
    return false;
  }
  return timingSafeEqual(digest(expected), digest(given));
}

/** A fresh random token (base64url, 32 bytes of entropy). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface Session {
  id: string;
  csrf: string;
  /** The reviewer's name, entered at login; recorded with every decision. */
  reviewer: string;
  createdAt: number;
  lastSeen: number;
  flash?: Flash;
}

/** Server-side sessions, in memory (a restart logs everyone out). */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  create(reviewer: string): Session {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) {
      // Drop the least recently used.
      let oldest: Session | undefined;
      for (const s of this.sessions.values()) if (!oldest || s.lastSeen < oldest.lastSeen) oldest = s;
      if (oldest) this.sessions.delete(oldest.id);
    }
    const now = this.clock();
    const s: Session = { id: randomToken(), csrf: randomToken(), reviewer, createdAt: now, lastSeen: now };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.clock();
    if (now - s.lastSeen > SESSION_IDLE_MS || now - s.createdAt > SESSION_MAX_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [id, s] of this.sessions) {
      if (now - s.lastSeen > SESSION_IDLE_MS || now - s.createdAt > SESSION_MAX_MS) this.sessions.delete(id);
    }
  }
}

/** Parses a Cookie header (first value wins for a repeated name). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export function sessionCookie(id: string, opts: { secure: boolean; maxAgeSec?: number }): string {
  const parts = [`${SESSION_COOKIE}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${opts.maxAgeSec ?? Math.floor(SESSION_IDLE_MS / 1000)}`];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * False when the browser tells us the request comes from another site: an Origin header that is not this host,
 * `Origin: null` without Sec-Fetch-Site: same-origin, or Sec-Fetch-Site other than same-origin / none. Requests without these headers (curl, scripts)
 * pass: they still need the token.
 */
export function sameOriginRequest(headers: IncomingHttpHeaders): boolean {
  const host = first(headers.host)?.toLowerCase();
  const origin = first(headers.origin);
  const site = first(headers['sec-fetch-site'])?.toLowerCase();
  if (origin !== undefined) {
    // Browsers send "Origin: null" under a no-referrer policy; Sec-Fetch-Site (set by the browser) still tells.
    if (origin === 'null') return site === 'same-origin';
    if (!host) return false;
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    if (u.host.toLowerCase() !== host) return false;
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  return true;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The host name of a Host header (port and IPv6 brackets removed), lower-cased. */
export function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** For a loopback-bound dashboard: the Host header must name the loopback (defeats DNS rebinding). */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  const name = hostName(hostHeader);
  return LOOPBACK_NAMES.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The Bearer token of an Authorization header, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = first(headers.authorization);
  if (!h) return undefined;
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(h);
  return m ? m[1] : '';
}

/**
 * The source of a token attempt: the client address, an IPv6 client by its /64 (one host owns a whole /64, so
 * hopping addresses inside it is not a new source); IPv4-mapped IPv6 as IPv4.
 */
export function attemptSource(ip: string | undefined): string {
  const a = (ip ?? '').trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  if (!a.includes(':')) return a;
  const [head, tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '') || '0').join(':')}::/64`;
}

export interface ThrottleOptions {
  /** Wrong attempts per source answered at once (401) within the window (default 10). */
  burst?: number;
  /** How long a wrong attempt counts (default 10 minutes). */
  windowMs?: number;
  /** Past the burst, how long the first wrong attempt's answer is held; it doubles with each one (default 1 s). */
  delayMs?: number;
  /** The longest hold per attempt (default 10 s). */
  maxDelayMs?: number;
}

/**
 * Wrong operator tokens, by attempt source, for every way a token is tried (Authorization: Bearer on a write and the
 * login form) — one budget. Within the burst a wrong attempt is answered 401 at once; past it, each wrong attempt's
 * answer is held (one at a time per source, each hold longer, up to maxDelayMs) and is 429 with Retry-After, so the
 * guessing rate stays low however many connections are used. A correct token is checked first and always works: the
 * reviewer who shares an address with a guesser is never locked out.
 */
export class AuthThrottle {
  private readonly sources = new Map<string, { times: number[]; nextSlot: number }>();
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly delayMs: number;
  private readonly maxDelayMs: number;

  /** `clock` dates attempts (the dashboard's clock); `timer` schedules the held answers (real time). */
  constructor(
    opts: ThrottleOptions = {},
    private readonly clock: () => number = Date.now,
    private readonly timer: () => number = Date.now,
  ) {
    this.burst = Math.max(1, opts.burst ?? 10);
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.delayMs = Math.max(0, opts.delayMs ?? 1_000);
    this.maxDelayMs = Math.max(this.delayMs, opts.maxDelayMs ?? 10_000);
  }

  /**
   * Records a wrong attempt from `source`. Within the burst: `{ limited: false }` (answer 401 now). Past it: hold the
   * answer `holdMs` (real time), then answer 429 with Retry-After `retryAfterSec`.
   */
  fail(source: string): { limited: false } | { limited: true; holdMs: number; retryAfterSec: number } {
    const now = this.clock();
    const st = this.sources.get(source) ?? { times: [], nextSlot: 0 };
    st.times = st.times.filter((t) => now - t < this.windowMs);
    st.times.push(now);
    // Only the latest attempts matter for the verdict; keep the list bounded.
    if (st.times.length > this.burst + 64) st.times.splice(0, st.times.length - (this.burst + 64));
    this.sources.delete(source);
    this.sources.set(source, st); // most recently used last
    if (this.sources.size > 10_000) {
      const oldest = this.sources.keys().next().value;
      if (oldest !== undefined) this.sources.delete(oldest);
    }
    const excess = st.times.length - this.burst;
    if (excess <= 0) return { limited: false };
    const hold = Math.min(this.maxDelayMs, this.delayMs * 2 ** Math.min(20, excess - 1));
    const real = this.timer();
    const release = Math.max(real, st.nextSlot) + hold;
    st.nextSlot = release;
    const retryAfterMs = st.times[st.times.length - this.burst] + this.windowMs - now;
    return { limited: true, holdMs: release - real, retryAfterSec: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  }

  /** Wrong attempts from `source` in the window (tests, status). */
  failures(source: string): number {
    const now = this.clock();
    return (this.sources.get(source)?.times ?? []).filter((t) => now - t < this.windowMs).length;
  }
}

/** Reads the operator token: --token-file wins over GOVSITE_TOKEN. Throws with a Chinese reason. */
export function loadToken(opts: { tokenFile?: string; env?: NodeJS.ProcessEnv; readFile: (f: string) => string }): string | undefined {
  let token: string | undefined;
  let source = '';
  if (opts.tokenFile) {
    let text: string;
    try {
      text = opts.readFile(opts.tokenFile);
    } catch (e) {
      throw new Error(`无法读取口令文件 ${opts.tokenFile}：${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    token = text.split(/\r?\n/)[0].trim();
    source = `口令文件 ${opts.tokenFile}`;
  } else if (opts.env?.GOVSITE_TOKEN?.trim()) {
    token = opts.env.GOVSITE_TOKEN!.trim();
    source = '环境变量 GOVSITE_TOKEN';
  }
  if (token === undefined) return undefined;
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`${source} 中的口令太短（至少 ${MIN_TOKEN_LENGTH} 个字符）`);
  if (/\s/.test(token)) throw new Error(`${source} 中的口令不能包含空白字符`);
  return token;
}

/** The security headers every response carries. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};
