import type { LinkRef, PageObservation, RenderedPage } from '../model.ts';
import type { Fetched, GatherEnv, Gatherer } from './_types.ts';
import { siteKey } from '../collect/scope.ts';
import { loadHtml } from '../analyze/dom.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts } from '../facts/gather.ts';
import { extractLinks } from '../collect/links.ts';
import { readGuideHtml, readGuideJson, type GuideReading } from '../analyze/services/guide.ts';
import {
  categoryMarks,
  categoryOf,
  extractServiceItems,
  isApplyLink,
  isGuideUrl,
  isPlatformUrl,
  serviceEntries,
  serviceItemsFromJson,
  type CategoryKind,
  type ServiceEntry,
  type ServiceItem,
  type Where,
} from '../analyze/services/entries.ts';
import { channelOf, identitySystem, loginLinks, type Channel, type IdentitySystem, type LoginLink } from '../analyze/services/login.ts';
import { candidateScripts, inlineScripts, parseJsonAnswer, scriptEndpoints, scriptSources } from '../analyze/services/endpoints.ts';
import { SERVICE_KINDS, type EntryObs, type GuideObs, type HallObs, type ItemObs, type LoginObs } from '../analyze/services/types.ts';

export { SERVICE_KINDS, type EntryObs, type GuideObs, type HallObs, type ItemObs, type LoginObs };

/**
 * Gatherer `services`: the site's service entries (办事服务 / 政务服务 / 网上办事) and the province's platform behind
 * them. Reads the halls (the site's own pages from the crawl, platform pages by polite fetches), their service items
 * (name, category, guide URL, online-application URL) and every guide up to the budget — static label/value pages
 * directly, platform pages that fill themselves from JSON through the endpoint the page's script calls, else through the
 * browser. Records the login links of the site's channels with the identity system each reaches.
 *
 * Options (sites file `gather.services`): `budget` (requests, default 300), `hall` (URL or list: the unit's hall on
 * the platform when the site does not link it), `identityHosts` (hosts of the unified identity service besides
 * auth.zwfw.hunan.gov.cn), `maxRenders` (default 40), `hasPublicServices: false` (a 省直 unit without public services:
 * not judged).
 *
 * Observations: `service.entry`, `service.hall`, `service.item`, `service.guide`, `service.login`.
 */


// ---------------------------------------------------------------------------------------------------------------

const MAX_HALLS = 30;
/** Items recorded at most (a platform answering its whole catalogue must not flood the run). */
const MAX_ITEMS = 3000;
const MAX_ENTRIES = 30;
const MAX_CANDIDATE_PAGES = 200;
const MAX_LOGIN_RESOLVE = 12;
const HTML_BYTES = 3_000_000;

function strList(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && !!x.trim()).map((x) => x.trim());
  return [];
}

function normUrl(u: string): string {
  try {
    const x = new URL(u);
    x.hash = '';
    return x.href;
  } catch {
    return u;
  }
}

function looksHtml(f: Fetched): boolean {
  return /html|xml|text\/plain/i.test(f.contentType || '') || /^\s*</.test(f.text.slice(0, 200));
}

function hasScripts(html: string): boolean {
  return /<script\b/i.test(html);
}

export async function gatherServices(env: GatherEnv): Promise<void> {
  const cfg = env.config ?? {};
  const budgetMax = typeof cfg.budget === 'number' && cfg.budget > 0 ? cfg.budget : 300;
  const maxRenders = typeof cfg.maxRenders === 'number' && cfg.maxRenders >= 0 ? cfg.maxRenders : 40;
  const identityHosts = strList(cfg.identityHosts);
  const configuredHalls = strList(cfg.hall);
  if (env.hasPublicServices === false || cfg.hasPublicServices === false) {
    env.status({ status: 'skipped', reason: '本单位无对外服务职能，不考核办事服务' });
    return;
  }
  const siteId = siteKey(env.site.url);
  const whereOf = (u: string): Where => (siteKey(u) === siteId ? 'site' : 'platform');
  let requests = 0;
  let budgetHit = false;
  let renders = 0;
  let renderUnavailable = false;
  const failures: string[] = [];
  const scriptCache = new Map<string, string>();

  const fetchText = async (url: string): Promise<Fetched | null> => {
    if (env.signal.aborted) return null;
    if (requests >= budgetMax) {
      budgetHit = true;
      return null;
    }
    requests++;
    const f = await env.fetch(url, { budget: 'services', maxBytes: HTML_BYTES });
    if (!f.ok && f.error === 'budget') {
      budgetHit = true;
      return null;
    }
    return f;
  };
  let rendered = 0;
  const render = async (url: string): Promise<RenderedPage | null> => {
    if (renders >= maxRenders || env.signal.aborted) return null;
    // No browser: the first attempts come back null at once; stop asking after three with none rendered.
    if (renderUnavailable) return null;
    renders++;
    const r = await env.render(url);
    if (r?.html) rendered++;
    else if (rendered === 0 && renders >= 3) renderUnavailable = true;
    return r && r.html ? r : null;
  };

  // ---- Pass 1 over the crawl: entries, login links, candidate service pages (with HTML).
  const home = env.homepage;
  const entries = new Map<string, ServiceEntry>();
  const addEntries = (page: PageObservation, found = serviceEntries(page.url, page.links ?? [])) => {
    for (const e of found) {
      if (entries.size >= MAX_ENTRIES) break;
      if (isApplyLink(e.text, e.target) || isGuideUrl(e.target)) continue;
      // Beyond the homepage only the section entries count (a 办事指南 link on a hall is an item's guide).
      if (!page.isHomepage && (e.kind !== 'entry' || /^(?:办事|服务)指南$/.test(e.text))) continue;
      const prev = entries.get(e.target);
      // The homepage's own link wins (evidence points at the homepage).
      if (!prev || (page.isHomepage && prev.page !== page.url)) entries.set(e.target, e);
    }
  };
  if (home) addEntries(home);
  const logins = new Map<string, LoginObs>();
  const addLogins = (channel: Channel, found: readonly LoginLink[]) => {
    for (const l of found) {
      const prev = logins.get(l.target);
      if (prev) {
        if (!prev.channels.includes(channel)) prev.channels.push(channel);
        continue;
      }
      if (logins.size >= 50) continue;
      logins.set(l.target, { ...l, system: identitySystem(l.target, identityHosts)!, channels: [channel] });
    }
  };
  const crawled = new Map<string, string>(); // url → html of candidate service pages
  const crawledUrls = new Set<string>();
  for (const p of env.pages()) {
    if (env.signal.aborted) break;
    crawledUrls.add(normUrl(p.url));
    if (p.finalUrl) crawledUrls.add(normUrl(p.finalUrl));
    if (!docFacts(p).chars || p.status === null || p.status >= 400) continue;
    // The page's entries, login links and whether it may be a service page come from its facts (src/facts/gather.ts).
    const sf = gatherFacts(p).services;
    if (!sf) continue;
    if (p !== home) addEntries(p, sf.entries);
    addLogins(channelOf(p.url, '', p.isHomepage), sf.logins);
    const serviceish = sf.serviceish;
    if (serviceish && crawled.size < MAX_CANDIDATE_PAGES) crawled.set(normUrl(p.url), p.html);
  }
  for (const h of configuredHalls) {
    if (!entries.has(h)) entries.set(h, { page: env.site.url, target: h, text: '（站点配置的办事大厅）', kind: 'platform', inFooter: false });
  }

  // ---- Entries: their link-check outcome.
  const entryObs: EntryObs[] = [];
  for (const e of entries.values()) {
    const lr = env.linkResult(e.target);
    const o: EntryObs = { ...e, outcome: lr?.outcome ?? 'ok', where: whereOf(e.target) };
    if (lr?.status !== undefined) o.status = lr.status;
    if (lr?.error) o.error = lr.error;
    if (configuredHalls.includes(e.target)) o.configured = true;
    entryObs.push(o);
    env.emit(SERVICE_KINDS.entry, e.target, o, e.page);
  }

  // ---- Halls: entry targets (not guides or applications), then category sub-pages of halls.
  const halls: { url: string; depth: number }[] = [];
  const hallSeen = new Set<string>();
  const queueHall = (u: string, depth: number) => {
    const k = normUrl(u);
    if (hallSeen.has(k) || hallSeen.size >= MAX_HALLS) return;
    hallSeen.add(k);
    halls.push({ url: k, depth });
  };
  // A link to a platform's front page (湖南政务服务网, 国家政务服务平台) is a service entry, but the items there are the
  // province's, not the unit's: only the unit's hall on the platform (a deeper page, or the configured one) is read.
  for (const e of entryObs) {
    if (e.outcome === 'broken' || isGuideUrl(e.target)) continue;
    if (e.where === 'platform' && !e.configured && isFrontPage(e.target)) continue;
    queueHall(e.target, 0);
  }
  // Service pages of the crawl that list items (a 办事指南 column, a hall not linked from the homepage).
  for (const u of crawled.keys()) if (!hallSeen.has(u)) queueHall(u, 1);

  const items = new Map<string, ItemObs>();
  const hallObs: HallObs[] = [];
  for (let i = 0; i < halls.length && !env.signal.aborted; i++) {
    const { url, depth } = halls[i];
    const where = whereOf(url);
    let html = crawled.get(url);
    let finalUrl = url;
    let status: number | undefined;
    let error: string | undefined;
    if (html === undefined) {
      // A crawled page kept for no service reason is no hall — unless an entry points at it (then it is fetched).
      if (depth > 0 && where === 'site' && crawledUrls.has(url)) continue;
      const f = await fetchText(url);
      if (!f) break;
      status = f.status;
      if (!f.ok || !looksHtml(f)) {
        error = f.error ?? (f.ok ? 'not-html' : `http-${f.status}`);
        const o: HallObs = { url, where, via: 'html', ok: false, items: 0, categories: {}, ...(status !== undefined ? { status } : {}), error };
        hallObs.push(o);
        env.emit(SERVICE_KINDS.hall, url, o, url);
        failures.push(`${url}（${error}）`);
        continue;
      }
      html = f.text;
      finalUrl = f.finalUrl || url;
    }
    // A guide page of the crawl is a guide, not a hall.
    if (depth > 0 && where === 'site' && readGuideHtml(html, finalUrl).isGuide) continue;
    let found = extractServiceItems(html, finalUrl);
    let via: HallObs['via'] = 'html';
    let jsonUrl: string | undefined;
    let categories = categoryMarks(loadHtml(html));
    if (!found.length && hasScripts(html) && (where === 'platform' || depth === 0)) {
      const viaJson = await itemsFromEndpoints(html, finalUrl);
      if (viaJson) {
        found = viaJson.items;
        via = 'json';
        jsonUrl = viaJson.jsonUrl;
      } else {
        const r = await render(finalUrl);
        if (r) {
          const got = extractServiceItems(r.html, r.url || finalUrl);
          if (got.length) {
            found = got;
            via = 'rendered';
            categories = mergeMarks(categories, categoryMarks(loadHtml(r.html)));
          }
        }
      }
    }
    // A page found in the crawl that lists no items is not a hall (a guide, a notice of the service column).
    if (!found.length && depth > 0 && where === 'site') continue;
    for (const it of found) {
      if (it.categoryKind && !categories[it.categoryKind]?.length) (categories[it.categoryKind] ??= []).push(it.category ?? '');
      const key = `${it.name}|${it.guideUrl ?? ''}`;
      if (items.has(key) || items.size >= MAX_ITEMS) continue;
      const o: ItemObs = { ...it, key, where: whereOf(it.listedOn) };
      items.set(key, o);
      env.emit(SERVICE_KINDS.item, key, o, it.listedOn);
    }
    const o: HallObs = { url, where, via, ok: true, items: found.length, categories, ...(status !== undefined ? { status } : {}), ...(jsonUrl ? { jsonUrl } : {}) };
    hallObs.push(o);
    env.emit(SERVICE_KINDS.hall, url, o, url);
    // Follow: category pages and platform halls linked from this hall (one level down, same host or platform).
    if (depth < 2) {
      const links = extractLinks(loadHtml(html), finalUrl);
      for (const l of links) {
        if (l.kind !== 'a' || l.inFooter) continue;
        const cat = categoryOf(l.text) !== null;
        const hallLink = isPlatformUrl(l.target) && !isGuideUrl(l.target) && !isApplyLink(l.text, l.target) && /大厅|旗舰店|专区|分厅|部门|政务服务网/.test(l.text);
        if ((cat && new URL(l.target).host === new URL(finalUrl).host) || hallLink) queueHall(l.target, depth + 1);
      }
    }
    addLogins('办事服务', loginLinks(finalUrl, extractLinks(loadHtml(html), finalUrl), '办事服务'));
  }

  // ---- Guides: every distinct guide URL of the items, in list order, up to the budget.
  const guides = new Map<string, { url: string; items: string[] }>();
  for (const it of items.values()) {
    if (!it.guideUrl) continue;
    const k = normUrl(it.guideUrl);
    const g = guides.get(k) ?? { url: k, items: [] };
    if (!g.items.includes(it.name)) g.items.push(it.name);
    guides.set(k, g);
  }
  // Site guide pages from the crawl (second pass: only the wanted ones keep their HTML).
  const wanted = new Set([...guides.keys()].filter((u) => whereOf(u) === 'site' && crawledUrls.has(u) && !crawled.has(u)));
  if (wanted.size) {
    for (const p of env.pages()) {
      const k = normUrl(p.url);
      if (wanted.has(k) && p.html && p.status !== null && p.status < 400) crawled.set(k, p.html);
    }
  }
  let read = 0;
  let attempted = 0;
  const guideObsDynamic: string[] = [];
  const readTitles: string[] = [];
  for (const g of guides.values()) {
    if (env.signal.aborted) break;
    if (budgetHit) break;
    attempted++;
    const obs = await readGuide(g.url, g.items);
    if (!obs) break;
    if (obs.reading?.isGuide) {
      read++;
      readTitles.push(`${obs.reading.title ?? g.items[0] ?? obs.url}（${obs.where === 'site' ? '本站' : '平台'}）`);
    }
    if (obs.dynamic) guideObsDynamic.push(obs.url);
    env.emit(SERVICE_KINDS.guide, obs.key, obs, obs.url);
  }

  // ---- Login links: where each leads after redirects (a site's /login may hand over to the provincial service).
  let resolved = 0;
  const loginPages = new Map<string, string>();
  for (const l of logins.values()) {
    if (resolved >= MAX_LOGIN_RESOLVE || env.signal.aborted || budgetHit) break;
    resolved++;
    const f = await fetchText(l.target);
    if (f && f.finalUrl && normUrl(f.finalUrl) !== normUrl(l.target)) {
      l.finalUrl = f.finalUrl;
      l.system = identitySystem(f.finalUrl, identityHosts) ?? l.system;
    }
    if (f?.ok) loginPages.set(l.target, f.text.slice(0, 500_000));
  }
  // A login page that itself offers another system's login (a link or script to its authorisation endpoint).
  const systems = new Map([...logins.values()].map((l) => [l.system.key, l.system]));
  for (const l of logins.values()) {
    const page = loginPages.get(l.target);
    if (!page) continue;
    for (const key of systems.keys()) {
      // Only an authorisation server counts (oauth2 / cas / sso path): a plain host also appears in redirect_uri.
      if (key === l.system.key || !key.includes('/')) continue;
      if (page.includes(`//${key}`) || page.includes(`//www.${key}`)) {
        l.delegatesTo = key;
        break;
      }
    }
  }
  for (const l of logins.values()) env.emit(SERVICE_KINDS.login, l.target, l, l.page);

  // ---- Status.
  const siteItems = [...items.values()].filter((i) => i.where === 'site').length;
  const listed = guides.size;
  const withoutGuide = [...items.values()].filter((i) => !i.guideUrl).length;
  const stats = {
    entries: entryObs.length,
    halls: hallObs.filter((h) => h.ok).length,
    items: items.size,
    siteItems,
    platformItems: items.size - siteItems,
    guidesListed: listed,
    guidesAttempted: attempted,
    guidesRead: read,
    itemsWithoutGuide: withoutGuide,
    logins: logins.size,
    requests,
    renders,
  };
  const summary =
    `办事入口 ${entryObs.length} 个，办事事项 ${items.size} 个（本站 ${siteItems} 个、平台 ${items.size - siteItems} 个），` +
    `办事指南读取 ${read} / ${listed} 个` +
    (withoutGuide ? `，无指南链接的事项 ${withoutGuide} 个` : '') +
    `；登录入口 ${logins.size} 个`;
  env.note(`办事服务：${summary}。`);
  if (readTitles.length) env.note(`已读取的办事指南：${readTitles.slice(0, 12).join('、')}${readTitles.length > 12 ? ` 等 ${readTitles.length} 个` : ''}。`);
  if (budgetHit) env.note(`办事服务：请求数达到上限 ${budgetMax}，办事指南读取 ${read} / ${listed} 个，其余未读取。`);
  const dynamicUnread = [...guideObsDynamic];
  if (dynamicUnread.length) env.note(`办事服务：${dynamicUnread.length} 个办事指南由脚本生成，未找到其数据接口且未能用浏览器渲染，未读取内容（如 ${dynamicUnread[0]}）。`);
  const partial = budgetHit || failures.length > 0 || attempted < listed;
  env.status({
    status: partial ? 'partial' : 'ok',
    summary,
    ...(partial ? { reason: budgetHit ? `请求数达到上限（${budgetMax}）` : failures.length ? `部分页面无法打开：${failures.slice(0, 3).join('；')}` : '部分办事指南未读取' } : {}),
    stats,
  });

  // ---- helpers (closures over the budget)

  async function itemsFromEndpoints(html: string, pageUrl: string): Promise<{ items: ServiceItem[]; jsonUrl: string } | null> {
    for (const ep of await endpointsOf(html, pageUrl)) {
      const f = await fetchText(ep);
      if (!f || !f.ok) continue;
      const json = parseJsonAnswer(f.text);
      if (json === undefined) continue;
      const got = serviceItemsFromJson(json, pageUrl, pageUrl);
      if (got.length) return { items: got, jsonUrl: ep };
    }
    return null;
  }

  async function endpointsOf(html: string, pageUrl: string): Promise<string[]> {
    let text = inlineScripts(html);
    for (const s of candidateScripts(scriptSources(html, pageUrl), pageUrl, 2)) {
      const cached = scriptCache.get(s);
      if (cached !== undefined) {
        text += '\n' + cached;
        continue;
      }
      const f = await fetchText(s);
      const body = f && f.ok ? f.text.slice(0, 300_000) : '';
      scriptCache.set(s, body);
      text += '\n' + body;
    }
    return scriptEndpoints(text, pageUrl, 3);
  }

  async function readGuide(url: string, names: string[]): Promise<GuideObs | null> {
    const where = whereOf(url);
    const base: GuideObs = { key: url, url, where, via: 'none', ok: false, items: names };
    let html = crawled.get(url);
    let pageUrl = url;
    if (html === undefined) {
      const f = await fetchText(url);
      if (!f) return null;
      if (f.status !== undefined) base.status = f.status;
      if (!f.ok) return { ...base, error: f.error ?? `http-${f.status}` };
      if (!looksHtml(f)) {
        // A guide served as a document (PDF, Word): opened, not read.
        return { ...base, ok: true, error: 'not-html', dynamic: true };
      }
      html = f.text;
      pageUrl = f.finalUrl || url;
    }
    base.ok = true;
    const staticReading = readGuideHtml(html, pageUrl);
    if (staticReading.isGuide) return { ...base, via: 'html', reading: staticReading };
    if (hasScripts(html)) {
      for (const ep of await endpointsOf(html, pageUrl)) {
        const f = await fetchText(ep);
        if (!f || !f.ok) continue;
        const json = parseJsonAnswer(f.text);
        if (json === undefined) continue;
        const r = readGuideJson(json, pageUrl);
        if (r.isGuide) return { ...base, via: 'json', jsonUrl: ep, reading: r };
      }
      const rp = await render(pageUrl);
      if (rp) {
        const r = readGuideHtml(rp.html, rp.url || pageUrl);
        if (r.isGuide) return { ...base, via: 'rendered', reading: r };
        return { ...base, via: 'rendered', reading: r };
      }
      return { ...base, via: 'html', reading: staticReading, dynamic: true };
    }
    return { ...base, via: 'html', reading: staticReading };
  }
}

/** A site's front page (/, /index.html …, no query). */
function isFrontPage(u: string): boolean {
  try {
    const x = new URL(u);
    return !x.search && /^\/(?:(?:index|default|main|home|portal)(?:\.s?html?|\.jsp|\.aspx?|\.php|\.do)?\/?)?$/i.test(x.pathname);
  } catch {
    return false;
  }
}

function mergeMarks(a: Partial<Record<CategoryKind, string[]>>, b: Partial<Record<CategoryKind, string[]>>): Partial<Record<CategoryKind, string[]>> {
  const out: Partial<Record<CategoryKind, string[]>> = { ...a };
  for (const [k, v] of Object.entries(b) as [CategoryKind, string[]][]) {
    const list = (out[k] = [...(out[k] ?? [])]);
    for (const x of v) if (!list.includes(x)) list.push(x);
  }
  return out;
}

const gatherer: Gatherer = {
  id: 'services',
  description: "Service entries, halls, items and guides on the site and the province's platform; login links of the channels.",
  run: gatherServices,
};

export default gatherer;
