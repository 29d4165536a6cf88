/**
 * Browser collector: renders pages in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) so that
 * checks can see what a visitor sees — footers written by `document.write` from a foot.js, the 找错 entry drawn by
 * jiucuo.js, and so on.
 *
 * One browser process for the whole run and a few reused tabs (`tabs`, default 3; a new tab costs ~350 ms): renders
 * asked for together run side by side, one per tab, since most of a render is waiting (load, network idle). Every
 * browser call is bounded by a hard timeout, a render error is returned in `error` (never thrown), and `close()` kills
 * the process even when the browser no longer answers.
 */
import { access, mkdir } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserServer, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import type { RenderedPage } from '../model.ts';
import { Semaphore } from './hosts.ts';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export interface BrowserOptions {
  /** Chromium binary; default env GOVSITE_CHROMIUM, else /usr/bin/chromium. */
  executablePath?: string;
  /** Per-render budget in ms (navigation + settle + capture); default 30 000. */
  timeoutMs?: number;
  /** User-Agent; default: a desktop Chrome UA of the installed version (without "HeadlessChrome"). */
  userAgent?: string;
  /** Chromium --host-resolver-rules, e.g. "MAP www.example.gov.cn 127.0.0.1" (tests, staging). */
  hostResolverRules?: string;
  /** Upper bound in ms to wait for network idle after the load event; default 2 000. */
  idleMs?: number;
  /** Viewport; default 1366×768 (a common inspector's screen). */
  viewport?: { width: number; height: number };
  /** Maximum screenshot height in px; default 4 000. */
  maxScreenshotHeight?: number;
  /** Tabs that render side by side; default 3 (GOVSITE_BROWSER_TABS, 1–8). */
  tabs?: number;
}

export interface RenderOptions {
  /** Write a PNG screenshot here (directories are created). */
  screenshotPath?: string;
  /** 'full' (default): the whole page up to maxScreenshotHeight; 'viewport': the first screen only. */
  screenshotMode?: 'full' | 'viewport';
}

export type RenderResult = RenderedPage & {
  /** Why the render failed (html is then empty or partial). Format: "<class>: <detail>". */
  error?: string;
  /** HTTP status of the main document, when a response arrived. */
  status?: number;
  /** URL shown after redirects. */
  finalUrl?: string;
  /** The page rendered but the screenshot could not be taken. */
  screenshotError?: string;
  /** Uncaught errors the page's scripts threw while rendering (at most 10, first line each). */
  pageErrors?: string[];
};

export interface Renderer {
  render(url: string, opts?: RenderOptions): Promise<RenderResult>;
  close(): Promise<void>;
}

/** Chromium's command-line flags for every audit (bench/floor.mjs starts it with the same). */
export const BROWSER_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
];

const LAUNCH_TIMEOUT_MS = 30_000;
const SMALL_OP_MS = 10_000;
const MAX_RELAUNCHES = 3;

class TimeoutError extends Error {
  constructor(label: string, ms: number) {
    super(`${label} did not finish within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Race a promise against a timer; the original promise's late rejection is swallowed (no unhandled rejection). */
function withTimeout<T>(p: Promise<T>, ms: number, label: string): Promise<T> {
  p.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(label, ms)), Math.max(1, ms));
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // Playwright appends a call log after a blank line; the first line is the useful part.
  return m.split('\n')[0].slice(0, 300);
}

/** Classify a navigation error into the error classes used across the project. */
export function classifyRenderError(e: unknown): string {
  const m = messageOf(e);
  let cls = 'render';
  if (e instanceof TimeoutError || /timeout|timed out|ERR_TIMED_OUT/i.test(m)) cls = 'timeout';
  else if (/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/.test(m)) cls = 'dns';
  else if (/ERR_CONNECTION_REFUSED/.test(m)) cls = 'refused';
  else if (/ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE/.test(m)) cls = 'reset';
  else if (/ERR_CERT_|ERR_SSL_|SSL_PROTOCOL/.test(m)) cls = 'tls';
  else if (/Download is starting|download/i.test(m)) cls = 'download';
  else if (/ERR_ABORTED/.test(m)) cls = 'aborted';
  else if (/Target (page, context or browser )?(has been )?closed|Browser has been closed|browser has disconnected|crash/i.test(m)) cls = 'browser';
  else if (/ERR_/.test(m)) cls = 'network';
  return `${cls}: ${m}`;
}

function chromeUserAgent(version: string): string {
  const major = /^(\d+)/.exec(version)?.[1] ?? '120';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}

interface Session {
  server: BrowserServer;
  browser: Browser;
  context: BrowserContext;
  /** Tabs of this session waiting for a render. */
  free: Tab[];
  /** The browser is gone (crashed, closed or killed). */
  dead?: boolean;
  /** The tab whose hang made this renderer kill the browser (the other tabs' renders were not at fault). */
  killedBy?: Tab;
}

/** One tab and the uncaught script errors of the render in progress on it. */
interface Tab {
  page: Page;
  session: Session;
  errors: string[];
}

/** Tabs by default: GOVSITE_BROWSER_TABS when set (1–8), else 3. */
export function defaultTabs(): number {
  const env = Number(process.env.GOVSITE_BROWSER_TABS);
  return Number.isInteger(env) && env >= 1 ? Math.min(env, 8) : 3;
}

/**
 * playwright-core, required rather than imported: it is CommonJS, and an ESM import of it makes Node scan its
 * multi-megabyte bundle for export names first (cjs-module-lexer) — a quarter of a CPU second at every audit start.
 */
function loadPlaywright(): typeof import('playwright-core') {
  return createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
}

async function startSession(executablePath: string, opts: BrowserOptions): Promise<Session> {
  const args = [...BROWSER_ARGS];
  if (opts.hostResolverRules) args.push(`--host-resolver-rules=${opts.hostResolverRules}`);
  // Loaded on first use: playwright-core costs ~80 MB and ~300 ms, which audits without a browser need not pay.
  const { chromium } = loadPlaywright();
  const server = await chromium.launchServer({
    executablePath,
    args,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    handleSIGINT: true,
    handleSIGTERM: true,
    handleSIGHUP: true,
  });
  try {
    const browser = await withTimeout(chromium.connect(server.wsEndpoint(), { timeout: LAUNCH_TIMEOUT_MS }), LAUNCH_TIMEOUT_MS + 2000, 'connect');
    const context = await withTimeout(
      browser.newContext({
        acceptDownloads: false,
        ignoreHTTPSErrors: true,
        serviceWorkers: 'block',
        userAgent: opts.userAgent ?? chromeUserAgent(browser.version()),
        viewport: opts.viewport ?? { width: 1366, height: 768 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        javaScriptEnabled: true,
      }),
      SMALL_OP_MS,
      'newContext',
    );
    return { server, browser, context, free: [] };
  } catch (e) {
    await killServer(server);
    throw e;
  }
}

async function killServer(server: BrowserServer): Promise<void> {
  const proc = server.process();
  try {
    await withTimeout(server.kill(), 5000, 'kill');
  } catch {
    // ignore: fall through to SIGKILL
  }
  if (proc && proc.exitCode === null && proc.signalCode === null && proc.pid) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Start Chromium. Returns `{ unavailable }` with a reason (Chinese-free, for logs and the report's "not measured" line)
 * when the binary is missing or does not start.
 */
export async function launchRenderer(opts: BrowserOptions = {}): Promise<Renderer | { unavailable: string }> {
  const executablePath = opts.executablePath ?? process.env.GOVSITE_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
  try {
    await access(executablePath, fsConstants.X_OK);
  } catch {
    return { unavailable: `chromium not found or not executable at ${executablePath} (install: apt-get install -y chromium, or set GOVSITE_CHROMIUM)` };
  }
  let first: Session;
  try {
    first = await startSession(executablePath, opts);
  } catch (e) {
    return { unavailable: `chromium at ${executablePath} failed to start: ${messageOf(e)}` };
  }
  return new ChromiumRenderer(executablePath, opts, first);
}

class ChromiumRenderer implements Renderer {
  private session: Session | null;
  /** A relaunch in progress (renders that find the browser gone wait for the same one). */
  private starting: Promise<Session> | null = null;
  private closed = false;
  private relaunches = 0;
  private readonly slots: Semaphore;
  private readonly timeoutMs: number;
  private readonly idleMs: number;
  private readonly maxShotHeight: number;

  constructor(
    private readonly executablePath: string,
    private readonly opts: BrowserOptions,
    session: Session,
  ) {
    this.session = session;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.idleMs = opts.idleMs ?? 2000;
    this.maxShotHeight = opts.maxScreenshotHeight ?? 4000;
    this.slots = new Semaphore(Math.max(1, Math.min(8, opts.tabs ?? defaultTabs())));
    this.watch(session);
  }

  private watch(s: Session): void {
    s.browser.on('disconnected', () => {
      s.dead = true;
      s.free = [];
      if (this.session === s) this.session = null;
    });
  }

  render(url: string, opts: RenderOptions = {}): Promise<RenderResult> {
    if (this.closed) return Promise.resolve({ url, html: '', at: new Date().toISOString(), error: 'browser: renderer closed' });
    // One render per tab; the others wait for a tab (first come, first served).
    const run = this.slots.run(async () => {
      const first = await this.renderOnTab(url, opts);
      // The browser went away under this render because of another tab (killed for that tab's hang, or crashed with
      // several renders in flight): this page was not at fault, so it gets one more try on a fresh browser.
      if (first.retry) return (await this.renderOnTab(url, opts)).result;
      return first.result;
    });
    return run.catch((e) => ({ url, html: '', at: new Date().toISOString(), error: classifyRenderError(e) }));
  }

  private async renderOnTab(url: string, opts: RenderOptions): Promise<{ result: RenderResult; retry: boolean }> {
    let tab: Tab;
    try {
      tab = await this.acquireTab();
    } catch (e) {
      return { result: { url, html: '', at: new Date().toISOString(), error: classifyRenderError(e) }, retry: false };
    }
    const result = await this.renderNow(tab, url, opts);
    const s = tab.session;
    const lost = s.dead === true || tab.page.isClosed();
    if (!lost && !this.closed && this.session === s) s.free.push(tab);
    const retry = !this.closed && s.dead === true && s.killedBy !== tab && /^browser: /.test(result.error ?? '') && !result.html;
    return { result, retry };
  }

  /** The current browser, started again if it went away (at most MAX_RELAUNCHES times; concurrent callers share one). */
  private currentSession(): Promise<Session> {
    if (this.closed) return Promise.reject(new Error('renderer closed'));
    if (this.session && !this.session.dead) return Promise.resolve(this.session);
    this.starting ??= (async () => {
      try {
        if (this.relaunches >= MAX_RELAUNCHES) throw new Error('browser crashed too often; giving up');
        this.relaunches++;
        const s = await startSession(this.executablePath, this.opts);
        if (this.closed) {
          await killServer(s.server);
          throw new Error('renderer closed');
        }
        this.session = s;
        this.watch(s);
        return s;
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  /** A free tab of the current browser, or a new one (there are never more tabs than render slots). */
  private async acquireTab(): Promise<Tab> {
    const s = await this.currentSession();
    for (let t = s.free.pop(); t; t = s.free.pop()) if (!t.page.isClosed()) return t;
    const page = await withTimeout(s.context.newPage(), SMALL_OP_MS, 'newPage');
    const tab: Tab = { page, session: s, errors: [] };
    // Dialogs (alert/confirm/beforeunload) would block the tab: dismiss them.
    page.on('dialog', (d) => {
      d.dismiss().catch(() => undefined);
    });
    // Pop-ups (window.open from page scripts) are closed at once: each render keeps to its tab.
    page.on('popup', (p) => {
      p.close({ runBeforeUnload: false }).catch(() => undefined);
    });
    page.on('pageerror', (e) => {
      if (tab.errors.length < 10) tab.errors.push(messageOf(e).slice(0, 200));
    });
    return tab;
  }

  /** After a hard timeout the tab may be stuck (script loop): drop it, and the browser if the tab won't close. */
  private async resetAfterHang(tab: Tab): Promise<void> {
    const s = tab.session;
    try {
      await withTimeout(tab.page.close({ runBeforeUnload: false }), 5000, 'page.close');
    } catch {
      s.killedBy ??= tab;
      s.dead = true;
      s.free = [];
      if (this.session === s) this.session = null;
      await killServer(s.server);
    }
  }

  private async renderNow(tab: Tab, url: string, opts: RenderOptions): Promise<RenderResult> {
    const at = new Date().toISOString();
    const started = Date.now();
    const remaining = () => Math.max(1, this.timeoutMs - (Date.now() - started));
    if (this.closed) return { url, html: '', at, error: 'browser: renderer closed' };
    tab.errors = [];
    const page = tab.page;

    let status: number | undefined;
    try {
      // DOMContentLoaded first: synchronous scripts (document.write footers) have run by then. Then load, then a
      // short network-idle bound for scripts that draw things late (jiucuo.js, conac badge).
      const resp = await withTimeout(
        page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.timeoutMs }),
        this.timeoutMs + 2000,
        'navigation',
      );
      status = resp?.status();
    } catch (e) {
      const error = classifyRenderError(e);
      if (error.startsWith('timeout') || error.startsWith('browser')) await this.resetAfterHang(tab);
      else await this.blank(tab);
      return { url, html: '', at, error };
    }

    try {
      await withTimeout(page.waitForLoadState('load', { timeout: remaining() }), remaining() + 1000, 'load');
    } catch {
      // a hanging image or iframe: keep what we have
    }
    const idle = Math.min(this.idleMs, remaining());
    if (idle > 50) {
      try {
        await withTimeout(page.waitForLoadState('networkidle', { timeout: idle }), idle + 1000, 'networkidle');
      } catch {
        // long-polling or analytics beacons: the bound is the point
      }
    }

    let html: string;
    let finalUrl: string | undefined;
    try {
      html = await withTimeout(page.content(), Math.max(remaining(), 3000), 'content');
      finalUrl = page.url();
    } catch (e) {
      const error = classifyRenderError(e);
      await this.resetAfterHang(tab);
      return { url, html: '', at, status, error };
    }

    const result: RenderResult = { url, html, at };
    if (status !== undefined) result.status = status;
    if (tab.errors.length) result.pageErrors = [...tab.errors];
    if (finalUrl && finalUrl !== url) result.finalUrl = finalUrl;

    if (opts.screenshotPath) {
      try {
        await this.screenshot(page, opts.screenshotPath, opts.screenshotMode ?? 'full');
        result.screenshot = opts.screenshotPath;
      } catch (e) {
        result.screenshotError = classifyRenderError(e);
        if (e instanceof TimeoutError) await this.resetAfterHang(tab);
      }
    }
    return result;
  }

  private async screenshot(page: Page, file: string, mode: 'full' | 'viewport'): Promise<void> {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const budget = Math.max(this.timeoutMs, 10_000);
    if (mode === 'viewport') {
      await withTimeout(page.screenshot({ path: file, type: 'png', fullPage: false, timeout: budget }), budget + 1000, 'screenshot');
      return;
    }
    const size = await withTimeout(
      page.evaluate(() => {
        const d = document.documentElement;
        const b = document.body;
        return {
          h: Math.max(d ? d.scrollHeight : 0, b ? b.scrollHeight : 0),
          w: Math.max(d ? d.clientWidth : 0, window.innerWidth || 0),
        };
      }),
      SMALL_OP_MS,
      'measure',
    );
    const vp = page.viewportSize() ?? { width: 1366, height: 768 };
    const width = Math.max(1, Math.min(size.w || vp.width, vp.width));
    if (size.h > this.maxShotHeight) {
      await withTimeout(
        page.screenshot({ path: file, type: 'png', fullPage: true, clip: { x: 0, y: 0, width, height: this.maxShotHeight }, timeout: budget }),
        budget + 1000,
        'screenshot',
      );
    } else {
      await withTimeout(page.screenshot({ path: file, type: 'png', fullPage: true, timeout: budget }), budget + 1000, 'screenshot');
    }
  }

  /** Leave the tab on about:blank after a failed navigation so that the next render starts clean. */
  private async blank(tab: Tab): Promise<void> {
    try {
      await withTimeout(tab.page.goto('about:blank', { timeout: 5000 }), 6000, 'blank');
    } catch {
      await this.resetAfterHang(tab);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A relaunch in progress sees `closed` when it is done and kills what it started.
    const s = this.session;
    this.session = null;
    if (!s) return;
    s.dead = true;
    s.free = [];
    try {
      await withTimeout(s.browser.close(), 3000, 'browser.close');
    } catch {
      // the browser does not answer: kill it below
    }
    await killServer(s.server);
  }
}
