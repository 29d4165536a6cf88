/**
 * Loads the gatherers (`src/gather/<id>.ts`) and runs them after the crawl, one after the other, each with its own
 * request budget and wall-clock limit. Observations go to the store in batches; every gatherer ends with a status
 * observation (kind `gather-status`, key = its id), written even when it throws or is stopped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino, { type Logger } from 'pino';
import { GATHER_STATUS_KIND, type GatherStatus, type LinkResult, type Observation, type PageObservation, type SiteInfo } from '../model.ts';
import type { Store } from '../store/store.ts';
import { Semaphore } from '../collect/hosts.ts';
import { defaultTabs, type Renderer, type RenderResult } from '../collect/browser.ts';
import { DEFAULT_GATHER_BUDGET, GatherFetcher, type GatherFetcherOptions } from './_fetch.ts';
import type { GatherEnv, Gatherer } from './_types.ts';
import { bundledModules } from '../checks.ts';

export const GATHER_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Default wall-clock limit of one gatherer (config `timeLimitMs` overrides). */
export const DEFAULT_GATHER_TIME_MS = 10 * 60_000;

function isGatherer(x: unknown): x is Gatherer {
  const g = x as Gatherer;
  return !!g && typeof g.id === 'string' && typeof g.run === 'function';
}

let loaded: Promise<Gatherer[]> | null = null;

/** Every `src/gather/<id>.ts` whose default export is a gatherer (id = file name), sorted by id. */
export function loadGatherers(dir = GATHER_DIR): Promise<Gatherer[]> {
  if (dir === GATHER_DIR && loaded) return loaded;
  // In the command line's bundle (scripts/build.mjs) the gatherers are compiled in, by file name.
  const p = (async () => {
    const bundled = dir === GATHER_DIR ? await bundledModules('gatherers') : undefined;
    const files = bundled
      ? Object.keys(bundled).map((id) => `${id}.ts`).sort()
      : fs
          .readdirSync(dir)
          .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_') && !f.includes('.test.'))
          .sort();
    const out: Gatherer[] = [];
    for (const f of files) {
      const mod = bundled ? bundled[f.replace(/\.ts$/, '')] : await import(pathToFileURL(path.join(dir, f)).href);
      const g = mod.default;
      if (!isGatherer(g)) throw new Error(`src/gather/${f}: the default export is not a gatherer (id, run)`);
      const id = f.replace(/\.(ts|js|mjs)$/, '');
      if (g.id !== id) throw new Error(`src/gather/${f}: gatherer id "${g.id}" must equal the file name "${id}"`);
      out.push(g);
    }
    return out;
  })();
  if (dir === GATHER_DIR) loaded = p;
  return p;
}

export interface RunGatherersOptions {
  store: Store;
  runId: number;
  site: SiteInfo;
  asOf: string;
  rubric: string;
  hasPublicServices: boolean;
  homepage: PageObservation | undefined;
  linkResults: Map<string, LinkResult>;
  /**
   * Every crawled page of the run, already loaded (the audit's pages, when it loaded them all): gatherers and checks
   * then share the page objects and what was decoded from them. Default: streamed from the store for each gatherer.
   */
  crawledPages?: readonly PageObservation[];
  /** Options per gatherer id. `enabled: false` skips a gatherer. */
  config?: Record<string, Record<string, unknown> | undefined>;
  /** The audit's browser, launched on first use; resolves null when none is available. */
  renderer?: () => Promise<Renderer | null>;
  /**
   * A rendering the audit already has (the homepage, rendered while the crawl ran, with its full-page screenshot): a
   * gatherer asking to render that page gets it, and the page is not rendered twice. Undefined: none.
   */
  rendered?: (url: string) => Promise<RenderResult | null | undefined>;
  screenshotDir: string;
  fetcher?: GatherFetcherOptions;
  /** Only these gatherer ids (default: all). */
  only?: readonly string[];
  /** Gatherers to run instead of the discovered ones (tests). */
  gatherers?: Gatherer[];
  signal?: AbortSignal;
  log?: Logger;
}

export interface GatherRunResult {
  statuses: Record<string, GatherStatus>;
  notes: string[];
  timings: Record<string, number>;
}

/** Runs the gatherers of an audit. Never throws for a gatherer's failure. */
export async function runGatherers(o: RunGatherersOptions): Promise<GatherRunResult> {
  const gatherers = (o.gatherers ?? (await loadGatherers())).filter((g) => !o.only || o.only.includes(g.id));
  const log = o.log ?? pino({ level: 'silent' });
  const fetcher = new GatherFetcher(o.fetcher);
  const statuses: Record<string, GatherStatus> = {};
  const notes: string[] = [];
  const timings: Record<string, number> = {};
  // As many renders at once as the browser has tabs (src/collect/browser.ts): gatherers render side by side.
  const renderGate = new Semaphore(defaultTabs());
  let renderer: Renderer | null | undefined;
  const getRenderer = async () => {
    if (renderer === undefined) renderer = o.renderer ? await o.renderer().catch(() => null) : null;
    return renderer;
  };
  // Notes per gatherer, joined in gatherer order at the end (gatherers that run beside the others finish any time).
  const notesOf = new Map<string, string[]>();
  const runOne = async (g: Gatherer) => {
    const config = { ...(o.config?.[g.id] ?? {}) };
    const gNotes: string[] = [];
    notesOf.set(g.id, gNotes);
    if (config.enabled === false) {
      statuses[g.id] = { status: 'skipped', reason: '配置为不运行' };
      o.store.saveObservations(o.runId, [{ kind: GATHER_STATUS_KIND, key: g.id, data: statuses[g.id] }]);
      return;
    }
    const limit = typeof config.budget === 'number' && config.budget > 0 ? Math.floor(config.budget) : DEFAULT_GATHER_BUDGET;
    const timeLimit = typeof config.timeLimitMs === 'number' && config.timeLimitMs > 0 ? config.timeLimitMs : DEFAULT_GATHER_TIME_MS;
    const ctl = new AbortController();
    const onOuter = () => ctl.abort(o.signal?.reason);
    o.signal?.addEventListener('abort', onOuter, { once: true });
    const timer = setTimeout(() => ctl.abort(new Error('time limit')), timeLimit);
    let buf: Observation[] = [];
    const flush = () => {
      if (buf.length) o.store.saveObservations(o.runId, buf);
      buf = [];
    };
    let status: GatherStatus | undefined;
    const glog = log.child({ gatherer: g.id });
    const env: GatherEnv = {
      runId: o.runId,
      site: o.site,
      asOf: o.asOf,
      rubric: o.rubric,
      hasPublicServices: o.hasPublicServices,
      config,
      homepage: o.homepage,
      // HTML, links and large facts are read lazily: gatherers decide from the pages' small facts (src/facts/) which
      // pages they read.
      pages: () => o.crawledPages ?? o.store.iteratePages(o.runId, { withHtml: 'lazy', largeById: true }),
      linkResult: (t) => o.linkResults.get(t),
      fetch: (url, fo = {}) => fetcher.fetch(url, { ...fo, budget: fo.budget ?? g.id, limit, signal: ctl.signal }),
      spent: (b) => fetcher.spent(b ?? g.id),
      render: async (url, ro) => {
        if (ctl.signal.aborted) return null;
        if (o.rendered) {
          const have = await o.rendered(url).catch(() => undefined);
          // A screenshot asked for comes from that rendering's own (the homepage's full-page one).
          if (have?.html && (!ro?.screenshotPath || have.screenshot)) return have;
        }
        const r = await getRenderer();
        if (!r) return null;
        return renderGate.run(async () => {
          try {
            const res = await r.render(url, ro?.screenshotPath ? { screenshotPath: ro.screenshotPath, screenshotMode: 'viewport' } : undefined);
            return res.html || !res.error ? res : null;
          } catch {
            return null;
          }
        });
      },
      screenshotDir: o.screenshotDir,
      emit: (kind, key, data, url) => {
        buf.push({ kind, key: String(key), data, ...(url ? { url } : {}) });
        if (buf.length >= 200) flush();
      },
      status: (s) => {
        status = s;
      },
      note: (zh) => gNotes.push(zh),
      signal: ctl.signal,
      log: glog,
    };
    const t0 = performance.now();
    try {
      await g.run(env);
      if (ctl.signal.aborted && !o.signal?.aborted) {
        status = {
          ...(status ?? { status: 'partial' }),
          status: status?.status === 'failed' ? 'failed' : 'partial',
          reason: [status?.reason, `超过运行时限（${Math.round(timeLimit / 1000)} 秒），结果不完整`].filter(Boolean).join('；'),
        };
      }
      if (!status) status = { status: 'ok' };
    } catch (e) {
      glog.error({ err: (e as Error).message }, 'gatherer failed');
      status = { ...(status ?? {}), status: 'failed', reason: `采集程序出错：${(e as Error).message.slice(0, 200)}` };
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onOuter);
    }
    statuses[g.id] = status!;
    buf.push({ kind: GATHER_STATUS_KIND, key: g.id, data: status });
    flush();
    timings[g.id] = Math.round(performance.now() - t0);
  };
  try {
    // Gatherers that mostly wait for the browser start first and run beside the others (one at a time).
    const beside = gatherers.filter((g) => g.beside && !o.signal?.aborted).map((g) => runOne(g));
    for (const g of gatherers) {
      if (o.signal?.aborted) break;
      if (!g.beside) await runOne(g);
    }
    await Promise.all(beside);
  } finally {
    await fetcher.close().catch(() => undefined);
  }
  // Statuses, notes and timings in gatherer order, however the runs interleaved.
  const ordered: Record<string, GatherStatus> = {};
  for (const g of gatherers) {
    if (statuses[g.id]) ordered[g.id] = statuses[g.id];
    notes.push(...(notesOf.get(g.id) ?? []));
  }
  return { statuses: ordered, notes, timings };
}
