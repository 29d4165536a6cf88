/**
 * What both dashboards (over the one-machine SQLite store, server.ts, and over the shared PostgreSQL store,
 * cluster.ts) share about requests: the write guard (loopback Host check, sessions, same-origin check, operator token
 * as Bearer or login session + CSRF token, wrong-token throttle), the login and logout routes, and small request
 * helpers. See auth.ts for the pieces.
 */
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  AuthThrottle, attemptSource, SECURITY_HEADERS, bearerToken, clearSessionCookie, isLoopbackHost, parseCookies, safeEqual, sameOriginRequest, SESSION_COOKIE, sessionCookie,
  type Session, type SessionStore,
} from './auth.ts';
import { oneLine } from '../report/audit-report.ts';
import { typedHtml } from './form-echo.ts';
import { esc, href, messageBody } from './layout.ts';
import type { Viewer } from './layout.ts';
import { loginPage } from './views.ts';

export interface ReqState {
  session?: Session;
  /** Authenticated for writing by: */
  by?: 'token' | 'session';
}

declare module 'fastify' {
  interface FastifyRequest {
    gs: ReqState;
  }
  interface FastifyContextConfig {
    /** Needs the operator token (Bearer or session + CSRF). */
    write?: boolean;
    /** State-changing without the token (login/logout): same-origin check only. */
    origin?: boolean;
  }
}

type Q = Record<string, string | string[] | undefined>;

export function q1(q: unknown, name: string, max = 200): string | undefined {
  const v = (q as Q | undefined)?.[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  return t && t.length <= max ? t : undefined;
}

export function intParam(q: unknown, name: string, def: number, min: number, max: number): number {
  const s = q1(q, name, 12);
  if (!s || !/^\d+$/.test(s)) return def;
  return Math.min(max, Math.max(min, Number(s)));
}

export function bodyOf(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

export function isFormPost(req: FastifyRequest): boolean {
  return String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** A local path to return to after a form post (never another origin). */
export function safeBack(v: unknown, fallback: string): string {
  if (typeof v !== 'string') return fallback;
  const s = v.trim();
  if (!s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\') || s.length > 1000 || /[\u0000-\u001f\u007f\\]/.test(s)) return fallback;
  return s;
}

const IMAGE_MAX = 40 * 1024 * 1024;

function sniffImage(b: Buffer): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** Reads an image file whose path came from the database (never from the request). */
export async function readStoredImage(file: string | null | undefined): Promise<{ type: string; body: Buffer } | undefined> {
  if (typeof file !== 'string' || !file || file.includes('\u0000')) return undefined;
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(file, 'r');
    const st = await fh.stat();
    if (!st.isFile() || st.size === 0 || st.size > IMAGE_MAX) return undefined;
    const body = await fh.readFile();
    const type = sniffImage(body);
    return type ? { type, body } : undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

export interface GuardOptions {
  token: string;
  sessions: SessionStore;
  throttle: AuthThrottle;
  /** Requests must name a loopback host (the dashboard listens on loopback: DNS rebinding). */
  loopbackOnly: boolean;
  fail(req: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply | Promise<FastifyReply>;
  logger?: Logger;
}

export interface Guard {
  /** A wrong token from this request's source: 401 within the burst; past it, held, then 429 (status and Chinese message). */
  wrongToken(req: FastifyRequest, reply: FastifyReply, msg401: string): Promise<{ status: 401 | 429; message: string }>;
  viewerOf(req: FastifyRequest): Viewer;
}

/** Installs the hooks: host check, session, same-origin check for state-changing routes, token or session + CSRF for writes. */
export function installGuard(app: FastifyInstance, g: GuardOptions): Guard {
  app.decorateRequest('gs', null as unknown as ReqState);
  const wrongToken: Guard['wrongToken'] = async (req, reply, msg401) => {
    const t = g.throttle.fail(attemptSource(req.ip));
    if (!t.limited) return { status: 401, message: msg401 };
    g.logger?.warn({ source: attemptSource(req.ip), holdMs: t.holdMs }, 'wrong operator token: throttled');
    await new Promise((r) => setTimeout(r, t.holdMs));
    reply.header('retry-after', String(t.retryAfterSec));
    return { status: 429, message: `口令错误次数过多，错误口令的请求已被限速，请 ${t.retryAfterSec} 秒后再试（正确的口令不受影响）` };
  };

  app.addHook('onRequest', async (req, reply) => {
    req.gs = {};
    if (g.loopbackOnly && !isLoopbackHost(req.headers.host)) {
      return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send('forbidden: this dashboard answers to localhost / 127.0.0.1 only');
    }
    const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const session = g.sessions.get(sid);
    if (session) req.gs.session = session;
    const cfg = req.routeOptions.config;
    if (cfg?.write || cfg?.origin) {
      if (!sameOriginRequest(req.headers)) return g.fail(req, reply, 403, '拒绝跨站请求');
    }
    if (cfg?.write) {
      const bearer = bearerToken(req.headers);
      if (bearer !== undefined) {
        if (!safeEqual(g.token, bearer)) {
          const w = await wrongToken(req, reply, '操作口令无效');
          return g.fail(req, reply, w.status, w.message);
        }
        req.gs.by = 'token';
      } else if (session) {
        req.gs.by = 'session';
      }
      // No credentials at all: refused in preHandler, once the form is parsed, so the 401 page can show what the
      // reviewer typed and offer to log in and come back to the same place.
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const cfg = req.routeOptions.config;
    if (cfg?.write && !req.gs.by) return g.fail(req, reply, 401, '需要操作口令：请先登录，或在请求中带上 Authorization: Bearer <口令>');
    if (cfg?.write && req.gs.by === 'session') {
      const given = bodyOf(req)._csrf ?? req.headers['x-csrf-token'];
      if (!safeEqual(req.gs.session!.csrf, Array.isArray(given) ? given[0] : given)) {
        return g.fail(req, reply, 403, '表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试');
      }
    }
  });

  return { wrongToken, viewerOf: (req) => (req.gs?.session ? { reviewer: req.gs.session.reviewer, csrf: req.gs.session.csrf } : {}) };
}

/** GET /login, POST /login, POST /logout. */
export function registerLoginRoutes(
  app: FastifyInstance,
  g: GuardOptions & {
    guard: Guard;
    sendPage(req: FastifyRequest, reply: FastifyReply, title: string, body: string, status?: number, active?: 'login'): FastifyReply;
    secure(req: FastifyRequest): boolean;
  },
): void {
  app.get('/login', async (req, reply) => {
    const next = safeBack(q1(req.query, 'next', 1000), '/');
    return g.sendPage(req, reply, '登录', loginPage({ next, viewer: g.guard.viewerOf(req) }), 200, 'login');
  });

  app.post('/login', { config: { origin: true } }, async (req, reply) => {
    const b = bodyOf(req);
    const next = safeBack(b.next, '/');
    const reviewer = typeof b.reviewer === 'string' ? oneLine(b.reviewer, 60) : '';
    // The token is checked first: a correct one always works, however many wrong ones came from the same address.
    if (!safeEqual(g.token, typeof b.token === 'string' ? b.token.trim() : undefined)) {
      const w = await g.guard.wrongToken(req, reply, '操作口令不正确');
      return g.sendPage(req, reply, '登录', loginPage({ next, viewer: {}, error: w.message, reviewer }), w.status, 'login');
    }
    if (!reviewer) return g.sendPage(req, reply, '登录', loginPage({ next, viewer: {}, error: '请填写评审人姓名（将记录在复核和人工评分中）' }), 400, 'login');
    if (req.gs.session) g.sessions.destroy(req.gs.session.id);
    const s = g.sessions.create(reviewer);
    s.flash = { kind: 'ok', text: `已登录，评审人：${reviewer}` };
    return reply.header('set-cookie', sessionCookie(s.id, { secure: g.secure(req) })).redirect(next, 303);
  });

  app.post('/logout', { config: { origin: true } }, async (req, reply) => {
    const s = req.gs.session;
    if (s && safeEqual(s.csrf, bodyOf(req)._csrf)) g.sessions.destroy(s.id);
    else if (s) return g.fail(req, reply, 403, '表单已过期（CSRF 校验失败），请刷新页面后重试');
    return reply.header('set-cookie', clearSessionCookie(g.secure(req))).redirect('/', 303);
  });
}

type SendPage = (req: FastifyRequest, reply: FastifyReply, title: string, body: string, status: number) => FastifyReply;

/**
 * The answer to a refused or failed request: JSON for the API, else a page in Chinese (a login link on 401; a form
 * post's typed text given back so that nothing typed is lost).
 */
export function failReply(req: FastifyRequest, reply: FastifyReply, status: number, message: string, sendPage: SendPage): FastifyReply {
  if (req.url.startsWith('/api/') && !isFormPost(req)) return reply.code(status).header('cache-control', 'no-store').send({ error: message });
  const extra =
    (status === 401 ? `<p><a href="${esc(href('/login', { next: safeBack(bodyOf(req)._back, req.method === 'GET' ? req.url : '/') }))}">登录</a></p>` : '<p><a href="/">返回总览</a></p>') +
    (req.method === 'POST' && isFormPost(req) ? typedHtml(bodyOf(req)) : '');
  const title = status === 401 ? '需要登录' : status === 403 ? '拒绝访问' : status === 404 ? '未找到' : '出错了';
  return sendPage(req, reply, title, messageBody(title, message, extra), status);
}

/** Security headers on every answer; errors and unknown addresses answered through `fail` (in Chinese, nothing internal shown). */
export function installErrorPages(app: FastifyInstance, fail: GuardOptions['fail'], logger?: Logger): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) logger?.error({ err: err.message, url: req.url }, 'dashboard error');
    const msg =
      status === 413
        ? '请求内容过大'
        : status === 415
          ? '不支持的请求内容类型（请用 application/json 或表单）'
          : status < 500
            ? `请求无效：${oneLine(err.message, 200)}`
            : '服务器内部错误';
    if (req.gs === null || req.gs === undefined) req.gs = {};
    return fail(req, reply, status, msg);
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.gs === null || req.gs === undefined) req.gs = {};
    return fail(req, reply, 404, '页面不存在');
  });
}
