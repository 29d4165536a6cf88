import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

/**
 * A loopback HTTP server for fixture sites: the bundled demo government site (README quick start, end-to-end
 * tests) and any test that needs a small site with misbehaving URLs.
 *
 * Static files are served from a directory (index.html for directories, a Chinese 404 page for missing files,
 * no path traversal, no listing). `dir/_routes.json` maps URL paths to rules that misbehave on purpose:
 *
 *   { "status": 403, "headers": {…}, "body": "…" }          fixed answer (no body/file: the path's own file, or a
 *                                                          default Chinese page for an error status)
 *   { "redirect": "/x.html", "status": 301 }               redirect (302 by default)
 *   { "sequence": [rule, rule, …] }                        n-th request gets the n-th rule, the last one repeats
 *   { "hang": true }                                       never answers (the socket dies when the server closes)
 *   { "slowMs": 2000, "then": rule }                       waits, then answers with `then`
 *   { "encode": "gbk", "contentType": "…", "file": "…" }   the UTF-8 file re-encoded (gbk, gb18030, utf-16le,
 *                                                          big5, …) on the way out; `bom: true` prefixes a BOM
 *   { "methods": { "HEAD": rule }, "otherwise": rule }     per-method rules; other methods get `otherwise`, else
 *                                                          the static file
 *
 * Keys of `_routes.json` that do not start with "/" are ignored (use them for comments). A key may carry a query
 * string (`/search?q=x`); a key with a query matches before the bare path. Files and directories whose name starts
 * with "_" or "." are never served.
 *
 * Companion sites: `dir/_companions.json` maps a NAME to another fixture directory (`{ "PLATFORM": "../demo-platform" }`),
 * served by its own server on another port (another site, as the province's service platform is in reality). In text
 * bodies (HTML, scripts, JSON, CSS) and redirect locations of this site, `{{NAME}}` reads as that server's origin.
 */

export type RouteRule =
  | StatusRule
  | RedirectRule
  | SequenceRule
  | HangRule
  | SlowRule
  | EncodeRule
  | MethodsRule;

export interface StatusRule {
  status: number;
  headers?: Record<string, string>;
  /** Body text (UTF-8). */
  body?: string;
  /**
   * A file under the site directory to send instead of the request path's file. `{query.NAME}` (or
   * `{query.NAME|default}`) is replaced by that query parameter (letters, digits, `_` and `-` only; else 404).
   */
  file?: string;
  /** Replace `{{port}}`, `{{host}}` and `{{origin}}` in the body with the server's own (links to a second host name). */
  template?: boolean;
}

export interface RedirectRule {
  redirect: string;
  status?: 301 | 302 | 303 | 307 | 308;
  headers?: Record<string, string>;
}

export interface SequenceRule {
  sequence: RouteRule[];
}

export interface HangRule {
  hang: true;
}

export interface SlowRule {
  slowMs: number;
  then: RouteRule;
}

export interface EncodeRule {
  encode: string;
  /** Content-Type header; default `text/html; charset=<encode>`. An empty string sends no Content-Type. */
  contentType?: string;
  /** A file under the site directory (default: the request path's file). Stored as UTF-8. */
  file?: string;
  status?: number;
  /** Prefix a byte-order mark (UTF-8 / UTF-16 only). */
  bom?: boolean;
  headers?: Record<string, string>;
}

export interface MethodsRule {
  methods: Record<string, RouteRule>;
  /** For methods not listed; default: the static file. */
  otherwise?: RouteRule;
}

export interface FixtureServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  host: string;
  /** Closes the server and every connection (hanging ones included). Never hangs, safe to call twice. */
  close(): Promise<void>;
  /** Requests received per URL path (query excluded), all methods. */
  hits: Map<string, number>;
  /** Companion servers started from `_companions.json`, by name (closed with this one). */
  companions: Record<string, FixtureServer>;
}

export interface FixtureServerOptions {
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Extra rules, applied over those of `_routes.json`. */
  routes?: Record<string, RouteRule>;
  /** Start the companion sites of `_companions.json` (default true; companions do not start their own). */
  companions?: boolean;
}

/** Repository root (src/demo/ is two levels down). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a bundled fixture site: fixtures/sites/<name>. */
export function demoSiteDir(name: 'demo' | 'demo-dept' = 'demo'): string {
  return path.join(REPO_ROOT, 'fixtures', 'sites', name);
}

/**
 * Hosts the demo sites link to that are real Internet services (the conac badge, the ICP and police filing
 * registries). Audits of the demo pass them as `skipHosts` so that no request leaves the machine; their links are
 * then "unverified", never "broken".
 */
export const DEMO_SKIP_HOSTS: readonly string[] = Object.freeze(['conac.cn', 'beian.gov.cn', 'beian.miit.gov.cn']);

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  shtml: 'text/html; charset=utf-8',
  xhtml: 'application/xhtml+xml; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'application/javascript; charset=utf-8',
  mjs: 'application/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  wps: 'application/kswps',
  ofd: 'application/ofd',
  zip: 'application/zip',
  rar: 'application/x-rar-compressed',
  '7z': 'application/x-7z-compressed',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  woff: 'font/woff',
  woff2: 'font/woff2',
};

/** Content-Type for a file name, by extension. */
export function contentTypeFor(file: string): string {
  const ext = path.extname(file).slice(1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

const REASON_ZH: Record<number, string> = {
  400: '请求无效',
  403: '禁止访问',
  404: '您访问的页面不存在',
  405: '请求方法不被允许',
  429: '访问过于频繁，请稍后再试',
  500: '服务器内部错误',
  502: '网关错误',
  503: '服务暂时不可用',
};

function defaultPage(status: number): string {
  const reason = REASON_ZH[status] ?? http.STATUS_CODES[status] ?? '错误';
  return `<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>${status} ${reason}</title>\n</head>\n<body>\n<h1>${status}</h1>\n<p>${reason}</p>\n</body>\n</html>\n`;
}

const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>404 页面不存在</title>
</head>
<body>
<div class="error-page">
<h1>404</h1>
<p>抱歉，您访问的页面不存在或已被删除。</p>
<p><a href="/">返回首页</a></p>
</div>
</body>
</html>
`;

// ---------------------------------------------------------------------------------------------------------------
// Rule validation

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkHeaders(h: unknown, where: string): void {
  if (h === undefined) return;
  if (!isObject(h)) throw new Error(`${where}: "headers" must be an object of strings`);
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string') throw new Error(`${where}: header ${k} must be a string`);
  }
}

function checkStatus(s: unknown, where: string): void {
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 100 || s > 999) throw new Error(`${where}: "status" must be an HTTP status code`);
}

/** Throws a descriptive error when a rule is malformed. */
export function validateRule(rule: unknown, where: string): asserts rule is RouteRule {
  if (!isObject(rule)) throw new Error(`${where}: a rule must be an object`);
  if ('sequence' in rule) {
    const seq = rule.sequence;
    if (!Array.isArray(seq) || seq.length === 0) throw new Error(`${where}: "sequence" must be a non-empty array`);
    seq.forEach((r, i) => validateRule(r, `${where}.sequence[${i}]`));
    return;
  }
  if ('hang' in rule) {
    if (rule.hang !== true) throw new Error(`${where}: "hang" must be true`);
    return;
  }
  if ('slowMs' in rule) {
    if (typeof rule.slowMs !== 'number' || !(rule.slowMs >= 0)) throw new Error(`${where}: "slowMs" must be a number ≥ 0`);
    validateRule(rule.then, `${where}.then`);
    return;
  }
  if ('methods' in rule) {
    if (!isObject(rule.methods)) throw new Error(`${where}: "methods" must be an object`);
    for (const [m, r] of Object.entries(rule.methods)) validateRule(r, `${where}.methods.${m}`);
    if (rule.otherwise !== undefined) validateRule(rule.otherwise, `${where}.otherwise`);
    return;
  }
  if ('redirect' in rule) {
    if (typeof rule.redirect !== 'string' || !rule.redirect) throw new Error(`${where}: "redirect" must be a URL or path`);
    if (rule.status !== undefined && ![301, 302, 303, 307, 308].includes(rule.status as number)) {
      throw new Error(`${where}: a redirect status must be 301, 302, 303, 307 or 308`);
    }
    checkHeaders(rule.headers, where);
    return;
  }
  if ('encode' in rule) {
    if (typeof rule.encode !== 'string' || !iconv.encodingExists(rule.encode)) throw new Error(`${where}: unknown encoding ${String(rule.encode)}`);
    if (rule.contentType !== undefined && typeof rule.contentType !== 'string') throw new Error(`${where}: "contentType" must be a string`);
    if (rule.file !== undefined && typeof rule.file !== 'string') throw new Error(`${where}: "file" must be a string`);
    if (rule.status !== undefined) checkStatus(rule.status, where);
    checkHeaders(rule.headers, where);
    return;
  }
  if ('status' in rule) {
    checkStatus(rule.status, where);
    if (rule.template !== undefined && typeof rule.template !== 'boolean') throw new Error(`${where}: "template" must be true or false`);
    if (rule.body !== undefined && typeof rule.body !== 'string') throw new Error(`${where}: "body" must be a string`);
    if (rule.file !== undefined && typeof rule.file !== 'string') throw new Error(`${where}: "file" must be a string`);
    checkHeaders(rule.headers, where);
    return;
  }
  throw new Error(`${where}: unknown rule (expected status, redirect, sequence, hang, slowMs, encode or methods)`);
}

async function loadRoutes(dir: string, extra?: Record<string, RouteRule>): Promise<Map<string, RouteRule>> {
  const routes = new Map<string, RouteRule>();
  const file = path.join(dir, '_routes.json');
  let raw: string | null = null;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const add = (table: unknown, source: string) => {
    if (!isObject(table)) throw new Error(`${source}: expected an object mapping paths to rules`);
    for (const [key, rule] of Object.entries(table)) {
      if (!key.startsWith('/')) continue; // comments
      validateRule(rule, `${source} ${key}`);
      routes.set(key, rule);
    }
  };
  if (raw !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
    }
    add(parsed, file);
  }
  if (extra) add(extra, 'routes option');
  return routes;
}

// ---------------------------------------------------------------------------------------------------------------
// Server

/**
 * Serves `dir` on loopback. Resolves once listening. Rejects when `_routes.json` is malformed or the directory
 * does not exist.
 */
export async function startFixtureServer(dir: string, opts: FixtureServerOptions = {}): Promise<FixtureServer> {
  const root = path.resolve(dir);
  const st = await fs.stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`fixture site directory not found: ${root}`);
  const realRoot = await fs.realpath(root);
  const routes = await loadRoutes(root, opts.routes);
  const host = opts.host ?? '127.0.0.1';
  const companions = opts.companions === false ? {} : await startCompanions(root, host);
  const vars = Object.entries(companions).map(([name, srv]) => [`{{${name}}}`, srv.url] as const);
  const substitute = (text: string) => {
    let t = text;
    for (const [k, v] of vars) if (t.includes(k)) t = t.split(k).join(v);
    return t;
  };
  const substituteBody = (contentType: string, body: Buffer): Buffer => {
    if (!vars.length || !/^(?:text\/|application\/(?:javascript|json|xml|xhtml\+xml))/i.test(contentType)) return body;
    if (!/charset=utf-8/i.test(contentType) && /charset=/i.test(contentType)) return body;
    const text = body.toString('utf8');
    return text.includes('{{') ? Buffer.from(substitute(text), 'utf8') : body;
  };
  const hits = new Map<string, number>();
  const counters = new WeakMap<object, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  let boundPort = 0;

  /** The file a URL path names, or null when it escapes the root or names a hidden file. */
  const resolveFile = async (urlPath: string, allowHidden = false): Promise<{ file: string; kind: 'file' | 'dir' } | null | 'forbidden'> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return 'forbidden';
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return 'forbidden';
    const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.some((s) => s === '..')) return 'forbidden';
    if (!allowHidden && segments.some((s) => s.startsWith('_') || s.startsWith('.'))) return null;
    const full = path.resolve(root, ...segments);
    if (full !== root && !full.startsWith(root + path.sep)) return 'forbidden';
    let real: string;
    try {
      real = await fs.realpath(full);
    } catch {
      return null;
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return 'forbidden';
    const s = await fs.stat(real).catch(() => null);
    if (!s) return null;
    if (s.isDirectory()) return { file: real, kind: 'dir' };
    if (s.isFile()) return { file: real, kind: 'file' };
    return null;
  };

  /** A file named by a rule (`file`): relative to the site root, never outside it; "_" files allowed. */
  const ruleFile = async (name: string): Promise<string | null> => {
    const r = await resolveFile(encodeURI(name.startsWith('/') ? name : '/' + name), true);
    return r && r !== 'forbidden' && r.kind === 'file' ? r.file : null;
  };

  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>, payload: Buffer) => {
    if (res.headersSent || res.destroyed) return;
    const lh = lower(headers);
    if (vars.length && lh.location) lh.location = substitute(lh.location);
    const body = status === 204 || status === 304 ? Buffer.alloc(0) : substituteBody(lh['content-type'] ?? '', payload);
    const h: Record<string, string> = { 'content-length': String(body.length), ...lh };
    if (h['content-type'] === '') delete h['content-type'];
    res.writeHead(status, h);
    if (req.method === 'HEAD' || body.length === 0) res.end();
    else res.end(body);
  };

  const notFound = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = Buffer.from(NOT_FOUND_PAGE, 'utf8');
    const custom = await ruleFile('/404.html');
    if (custom) body = await fs.readFile(custom).catch(() => body);
    send(req, res, 404, { 'content-type': 'text/html; charset=utf-8' }, body);
  };

  const serveStatic = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const r = await resolveFile(url.pathname);
    if (r === 'forbidden') {
      send(req, res, 403, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(defaultPage(403), 'utf8'));
      return;
    }
    if (!r) return notFound(req, res);
    let file = r.file;
    if (r.kind === 'dir') {
      if (!url.pathname.endsWith('/')) {
        send(req, res, 301, { location: url.pathname + '/' + url.search, 'content-type': 'text/html; charset=utf-8' }, Buffer.alloc(0));
        return;
      }
      const index = ['index.html', 'index.htm', 'index.shtml'].map((n) => path.join(r.file, n)).find((f) => existsSync(f));
      if (!index) return notFound(req, res);
      file = index;
    }
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      return notFound(req, res);
    }
    send(req, res, 200, { 'content-type': contentTypeFor(file) }, body);
  };

  const apply = async (rule: RouteRule, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    if ('sequence' in rule) {
      const n = counters.get(rule) ?? 0;
      counters.set(rule, n + 1);
      return apply(rule.sequence[Math.min(n, rule.sequence.length - 1)], req, res, url);
    }
    if ('hang' in rule) {
      // Never answer. The socket is destroyed by close() (closeAllConnections + our own socket set).
      return;
    }
    if ('slowMs' in rule) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, rule.slowMs);
        timers.add(t);
        res.once('close', () => {
          clearTimeout(t);
          timers.delete(t);
          resolve();
        });
      });
      if (closing || res.destroyed || res.writableEnded) return;
      return apply(rule.then, req, res, url);
    }
    if ('methods' in rule) {
      const m = (req.method ?? 'GET').toUpperCase();
      const hit = Object.entries(rule.methods).find(([k]) => k.toUpperCase() === m);
      if (hit) return apply(hit[1], req, res, url);
      if (rule.otherwise) return apply(rule.otherwise, req, res, url);
      return serveStatic(req, res, url);
    }
    if ('redirect' in rule) {
      send(req, res, rule.status ?? 302, { location: asciiUrl(rule.redirect), 'content-type': 'text/html; charset=utf-8', ...(rule.headers ?? {}) }, Buffer.alloc(0));
      return;
    }
    if ('encode' in rule) {
      const file = rule.file ? await ruleFile(rule.file) : await pathFile(url);
      if (!file) return notFound(req, res);
      const text = substitute(await fs.readFile(file, 'utf8'));
      let body = iconv.encode(text, rule.encode);
      if (rule.bom) body = Buffer.concat([bomFor(rule.encode), body]);
      const ct = rule.contentType ?? `text/html; charset=${rule.encode}`;
      send(req, res, rule.status ?? 200, { 'content-type': ct, ...(rule.headers ?? {}) }, body);
      return;
    }
    // Status rule.
    const headers = rule.headers ?? {};
    const fill = (b: Buffer): Buffer => (rule.template ? Buffer.from(templated(b.toString('utf8')), 'utf8') : b);
    if (rule.body !== undefined) {
      send(req, res, rule.status, { 'content-type': 'text/html; charset=utf-8', ...headers }, fill(Buffer.from(rule.body, 'utf8')));
      return;
    }
    if (rule.file !== undefined) {
      const name = queryFileName(rule.file, url);
      const file = name ? await ruleFile(name) : null;
      if (!file) return notFound(req, res);
      send(req, res, rule.status, { 'content-type': contentTypeFor(file), ...headers }, fill(await fs.readFile(file)));
      return;
    }
    const own = await pathFile(url);
    if (own) {
      send(req, res, rule.status, { 'content-type': contentTypeFor(own), ...headers }, fill(await fs.readFile(own)));
      return;
    }
    send(req, res, rule.status, { 'content-type': 'text/html; charset=utf-8', ...headers }, rule.status >= 400 ? Buffer.from(defaultPage(rule.status), 'utf8') : Buffer.alloc(0));
  };

  /** {{port}}, {{host}}, {{origin}} → this server's (a page linking to the same server under another host name). */
  const templated = (text: string): string =>
    text.replace(/\{\{(port|host|origin)\}\}/g, (_m, k: string) => (k === 'port' ? String(boundPort) : k === 'host' ? host : `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`));

  /** The static file of a request path (directory → index.html), or null. */
  const pathFile = async (url: URL): Promise<string | null> => {
    const r = await resolveFile(url.pathname);
    if (!r || r === 'forbidden') return null;
    if (r.kind === 'file') return r.file;
    const index = path.join(r.file, 'index.html');
    return existsSync(index) ? index : null;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://fixture.invalid');
    } catch {
      send(req, res, 400, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(defaultPage(400), 'utf8'));
      return;
    }
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const rule = routes.get(url.pathname + url.search) ?? routes.get(url.pathname);
    if (rule) return apply(rule, req, res, url);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      send(req, res, 405, { allow: 'GET, HEAD', 'content-type': 'text/html; charset=utf-8' }, Buffer.from(defaultPage(405), 'utf8'));
      return;
    }
    return serveStatic(req, res, url);
  };

  const server = http.createServer((req, res) => {
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        try {
          send(req, res, 500, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(defaultPage(500), 'utf8'));
        } catch {
          res.destroy();
        }
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  }).catch(async (e) => {
    await Promise.all(Object.values(companions).map((c) => c.close()));
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  boundPort = port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    if (closed) return closed;
    closing = true;
    closed = new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        resolve();
      };
      try {
        server.close(() => finish());
      } catch {
        finish();
      }
      server.closeIdleConnections?.();
      server.closeAllConnections?.();
      for (const s of sockets) s.destroy();
      sockets.clear();
      // server.close() calls back once every connection is gone, which the lines above guarantee; this is a guard
      // against a platform that keeps a socket half-open.
      const guard = setTimeout(finish, 2_000);
      guard.unref();
    });
    const own = closed;
    closed = Promise.all([own, ...Object.values(companions).map((c) => c.close())]).then(() => undefined);
    return closed;
  };

  return { url: `http://${hostInUrl}:${port}`, port, host, close, hits, companions };
}

/** Starts the companion sites named in `dir/_companions.json` (see the module comment). */
async function startCompanions(root: string, host: string): Promise<Record<string, FixtureServer>> {
  const file = path.join(root, '_companions.json');
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  let table: unknown;
  try {
    table = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(table)) throw new Error(`${file}: expected an object mapping names to directories`);
  const out: Record<string, FixtureServer> = {};
  try {
    for (const [name, rel] of Object.entries(table)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) continue; // comments
      if (typeof rel !== 'string' || !rel) throw new Error(`${file} ${name}: expected a directory path`);
      out[name] = await startFixtureServer(path.resolve(root, rel), { host, companions: false });
    }
  } catch (e) {
    await Promise.all(Object.values(out).map((c) => c.close()));
    throw e;
  }
  return out;
}

/** A Location value made header-safe: non-ASCII characters percent-encoded. */
function asciiUrl(u: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(u) ? u : u.replace(/[^\x20-\x7e]+/g, (s) => encodeURIComponent(s));
}

function lower(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function bomFor(encoding: string): Buffer {
  const e = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (e === 'utf16le' || e === 'ucs2' || e === 'utf16') return Buffer.from([0xff, 0xfe]);
  if (e === 'utf16be') return Buffer.from([0xfe, 0xff]);
  if (e === 'utf8') return Buffer.from([0xef, 0xbb, 0xbf]);
  return Buffer.alloc(0);
}

/** A rule's file name with `{query.NAME}` / `{query.NAME|default}` filled from the request; null when a value is unsafe or missing. */
function queryFileName(name: string, url: URL): string | null {
  let bad = false;
  const out = name.replace(/\{query\.([\w-]+)(?:\|([\w-]*))?\}/g, (_m, key: string, def: string | undefined) => {
    const v = url.searchParams.get(key) ?? def ?? '';
    if (!/^[\w-]{1,40}$/.test(v)) bad = true;
    return v;
  });
  return bad ? null : out;
}
