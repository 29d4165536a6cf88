import type { PageObservation } from '../model.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts } from '../facts/gather.ts';
import { staticCompatMarkers, visibleTextLength, type CompatMarker } from '../analyze/services/compat.ts';
import { COMPAT_KIND, type CompatObs } from '../analyze/services/types.ts';
import type { GatherEnv, Gatherer } from './_types.ts';
import { defaultTabs } from '../collect/browser.ts';
import path from 'node:path';
import { createHash } from 'node:crypto';

/**
 * Gatherer `render-compat` (兼容性 / 可用性 rule 2): renders the homepage and a sample of column and content pages in
 * Chromium — plus every crawled page whose static HTML needs an old browser (ActiveX, Flash, IE-only content) — and
 * records for each the visible text of the static HTML against the rendered DOM, the old-browser markers, render
 * errors and the screenshot. Options (`gather.render-compat`): `columns` (default 4), `contents` (default 4),
 * `markerPages` (default 6).
 *
 * Observation `render.compat`: CompatObs.
 */


/** Cheap test before parsing: could the page carry an old-browser marker? */

function num(v: unknown, d: number): number {
  return typeof v === 'number' && v >= 0 ? Math.floor(v) : d;
}

export async function gatherRenderCompat(env: GatherEnv): Promise<void> {
  const cfg = env.config ?? {};
  const maxColumns = num(cfg.columns, 4);
  const maxContents = num(cfg.contents, 4);
  const maxMarker = num(cfg.markerPages, 6);

  // The sample: homepage, pages with markers (blocking ones first), shallow column and content pages.
  type Pick = { page: PageObservation; sampled: CompatObs['sampled']; kind: string; markers: CompatMarker[] };
  const picks: Pick[] = [];
  const markerPages: Pick[] = [];
  const columns: Pick[] = [];
  const contents: Pick[] = [];
  const home = env.homepage;
  for (const p of env.pages()) {
    if (env.signal.aborted) break;
    if (!docFacts(p).chars || p.status === null || p.status >= 400 || !/html/i.test(p.contentType || 'text/html')) continue;
    if (home && (p.url === home.url || p.isHomepage)) continue;
    const markers = gatherFacts(p).compatMarkers;
    if (markers.length) {
      if (markerPages.length < 50) markerPages.push({ page: slim(p), sampled: 'marker', kind: docFacts(p).kind, markers });
      continue;
    }
    if (columns.length >= maxColumns * 4 && contents.length >= maxContents * 4) continue;
    const cls = docFacts(p);
    if (cls.confidence !== 'high') continue;
    if (cls.kind === 'column' && columns.length < maxColumns * 4) columns.push({ page: slim(p), sampled: 'column', kind: 'column', markers });
    else if (cls.kind === 'content' && contents.length < maxContents * 4) contents.push({ page: slim(p), sampled: 'content', kind: 'content', markers });
  }
  if (home?.html) picks.push({ page: home, sampled: 'homepage', kind: 'home', markers: staticCompatMarkers(home.html) });
  markerPages.sort((a, b) => Number(b.markers.some((m) => m.blocking)) - Number(a.markers.some((m) => m.blocking)) || a.page.depth - b.page.depth);
  picks.push(...markerPages.slice(0, maxMarker));
  const shallow = (list: Pick[], n: number) => list.sort((a, b) => a.page.depth - b.page.depth || a.page.url.localeCompare(b.page.url)).slice(0, n);
  picks.push(...shallow(columns, maxColumns), ...shallow(contents, maxContents));

  let rendered = 0;
  let failed = 0;
  let nulls = 0;
  // The renders are asked for a few ahead (the browser's tabs take them side by side) and read in the order picked,
  // so every decision below is the one a render-at-a-time loop makes.
  const ahead = defaultTabs();
  const shotOf = (pk: Pick) => path.join(env.screenshotDir, `compat-${env.runId}-${createHash('sha1').update(pk.page.url).digest('hex').slice(0, 12)}.png`);
  const asked = new Map<number, ReturnType<GatherEnv['render']>>();
  const ask = (i: number) => {
    if (i < picks.length && !asked.has(i)) asked.set(i, env.render(picks[i].page.url, { screenshotPath: shotOf(picks[i]) }));
  };
  for (let i = 0; i < picks.length; i++) {
    const pk = picks[i];
    if (env.signal.aborted) break;
    const o: CompatObs = {
      url: pk.page.url,
      pageKind: pk.kind,
      sampled: pk.sampled,
      markers: pk.markers,
      staticChars: visibleTextLength(pk.page.html),
      rendered: false,
    };
    // No browser: the first renders come back null at once; stop asking after three with none rendered.
    const unavailable = rendered === 0 && nulls >= 3;
    if (!unavailable) for (let j = i; j < i + ahead; j++) ask(j);
    const r = unavailable ? null : await asked.get(i)!;
    if (!r) {
      nulls++;
      o.error = unavailable ? 'browser: unavailable' : 'render: no result';
    } else if (r.error && !r.html) {
      o.error = r.error;
      failed++;
    } else {
      o.rendered = true;
      o.renderedChars = visibleTextLength(r.html);
      rendered++;
      if (r.error) o.error = r.error;
    }
    const pageErrors = (r as { pageErrors?: unknown } | null)?.pageErrors;
    if (Array.isArray(pageErrors) && pageErrors.length) o.pageErrors = pageErrors.slice(0, 5).map((e) => String(e).slice(0, 200));
    if (r?.screenshot) o.screenshot = r.screenshot;
    env.emit(COMPAT_KIND, o.url, o, o.url);
  }
  const unavailable = rendered === 0 && nulls > 0;
  if (!unavailable) failed += nulls;
  const withMarkers = picks.filter((p) => p.markers.length).length;
  const summary = unavailable
    ? `浏览器不可用，仅检查静态页面 ${picks.length} 个（其中需旧版浏览器特征的页面 ${withMarkers} 个）`
    : `浏览器渲染页面 ${rendered} 个（首页、栏目页、内容页抽样${withMarkers ? `及需旧版浏览器特征的页面 ${withMarkers} 个` : ''}）` + (failed ? `，渲染失败 ${failed} 个` : '');
  env.note(`浏览器兼容性：${summary}。`);
  env.status({
    status: unavailable ? 'partial' : failed && !rendered ? 'failed' : failed ? 'partial' : 'ok',
    summary,
    ...(unavailable ? { reason: '浏览器不可用' } : failed ? { reason: `渲染失败 ${failed} 个页面` } : {}),
    stats: { sampled: picks.length, rendered, failed, markerPages: withMarkers },
  });
}

/** Keeps what the render loop needs (the crawl's page objects carry links and headers we do not hold on to). */
function slim(p: PageObservation): PageObservation {
  return { ...p, links: [], headers: {} };
}

const gatherer: Gatherer = {
  id: 'render-compat',
  description: 'Renders the homepage and sampled column/content pages (and pages needing an old browser) to compare static and rendered content.',
  beside: true,
  run: gatherRenderCompat,
};

export default gatherer;
