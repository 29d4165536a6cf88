/**
 * Reading one message board for the `interaction` gatherer: the channel page, its list of published letters (HTML
 * pages with pagination, a Hanweb dataproxy POST, a JSON endpoint, or the rendered page), walked back until the letters
 * are older than one year before as-of, and letter detail pages on demand. Every request goes through the gatherer's
 * env (polite, budgeted); every stop is recorded (end of list, a year back, page limit, budget, error, a list that
 * repeats itself). Never throws for a board's misbehaviour.
 */
import type { GatherEnv, Fetched } from './_types.ts';
import { findChannels, type ChannelLink } from '../analyze/interaction/channels.ts';
import { lettersFromDataStore, mergeLetter, parseJsonLetters, parseLetterDetail, parseLetterList, type Letter } from '../analyze/interaction/letters.ts';
import { findPagination, pageUrlFor } from '../analyze/interaction/pagination.ts';
import { findDataEndpoints, hanwebRequest, jsonPageUrl, listByScript, type DataEndpoint } from '../analyze/interaction/endpoints.ts';
import { findLetterStatistics } from '../analyze/interaction/statistics.ts';
import { inYear, letterDate, letterKey, letterLatency, yearBefore, type ChannelObs, type LetterObs, type StatisticsObs, type StopReason } from '../analyze/interaction/observations.ts';
import { loadHtml, normText } from '../analyze/dom.ts';
import { elementsNamed, textContent } from '../analyze/walk.ts';
import { parseActivityDetail, parseActivityList, type Activity } from '../analyze/interaction/activities.ts';
import { metaContent, primaryPublicationLabel, findDatesInText } from '../analyze/dates.ts';
import type { ActivityObs } from '../analyze/interaction/observations.ts';

export type BoardEnv = Pick<GatherEnv, 'fetch' | 'render' | 'signal' | 'asOf'>;

export interface BoardLimits {
  /** List pages (or endpoint loads) per channel. */
  maxListPages: number;
  /** Letters kept over all channels. */
  maxLetters: number;
}

export interface PageSource {
  /** HTML of a page the crawl already fetched (no request needed), by URL. */
  crawled(url: string): string | undefined;
}

export interface BoardResult {
  channel: ChannelObs;
  letters: LetterObs[];
  statistics: StatisticsObs[];
}

const LIST_LINK_RE = /信件(?:公开|选登|查询|列表)|留言(?:选登|公开|列表|查询)|公开信件|来信(?:选登|公开)|办理结果|回复选登|答复选登|已办结|已回复|查看(?:更多|全部)|^更多/;

function hostOf(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return '';
  }
}

const ERR_ZH: Record<string, string> = {
  budget: '请求数已达上限',
  'skipped-host': '按设置未访问该主机',
  timeout: '请求超时',
  dns: '域名无法解析',
  refused: '连接被拒绝',
  reset: '连接被重置',
  tls: '加密连接（证书）错误',
  aborted: '采集被中止',
  'invalid-url': '网址无效',
  'redirect-loop': '循环跳转',
  'too-many-redirects': '跳转次数过多',
};

/** Why a request failed, in Chinese (HTTP status, or the network error class). */
export function errText(f: Pick<Fetched, 'error' | 'status'>): string {
  if (f.error === 'budget') return ERR_ZH.budget;
  if (f.status) return `HTTP ${f.status}`;
  return (f.error && ERR_ZH[f.error]) ?? `无法打开（${f.error ?? '无响应'}）`;
}

export function newChannelObs(c: ChannelLink, siteHost: string): ChannelObs {
  const host = c.url.startsWith('mailto:') ? '' : hostOf(c.url);
  return {
    url: c.url,
    text: c.text,
    kind: c.kind,
    group: c.group,
    role: c.role,
    ...(c.email ? { email: c.email } : {}),
    foundOn: [c.foundOn],
    host,
    otherHost: !!host && host.replace(/^www\./, '') !== siteHost.replace(/^www\./, ''),
    opened: false,
    listRead: 'not-applicable',
    letters: 0,
    lettersInYear: 0,
    pagesRead: 0,
    details: { tried: 0, read: 0, failed: 0 },
    requests: 0,
    errors: [],
  };
}

/** A page's HTML: the crawl's copy, else fetched under the channel's budget. */
async function getPage(env: BoardEnv, src: PageSource, url: string, budget: string, ch: ChannelObs): Promise<{ html: string; url: string; ok: boolean; status?: number; error?: string }> {
  const c = src.crawled(url);
  if (c !== undefined) return { html: c, url, ok: true };
  const f = await env.fetch(url, { budget });
  ch.requests++;
  if (!f.ok) return { html: f.text ?? '', url: f.finalUrl || url, ok: false, status: f.status, error: errText(f) };
  return { html: f.text, url: f.finalUrl || url, ok: true, status: f.status };
}

function pushErr(ch: ChannelObs, e: string): void {
  if (ch.errors.length < 10 && !ch.errors.includes(e)) ch.errors.push(e);
}

function toObs(l: Letter, ch: ChannelObs, listUrl: string): LetterObs {
  return { ...l, key: letterKey(ch.url, l), channel: ch.url, channelText: ch.text, listUrl };
}

/** Should the walk stop after this page: its last dated letter is older than one year before as-of. */
function pastYear(letters: Letter[], asOf: string): boolean {
  const dated = letters.map(letterDate).filter((d): d is string => !!d);
  if (!dated.length) return false;
  return dated[dated.length - 1] < yearBefore(asOf);
}

interface Walk {
  letters: LetterObs[];
  seen: Set<string>;
  pages: number;
  stop?: StopReason;
}

function addLetters(w: Walk, ls: Letter[], ch: ChannelObs, listUrl: string, total: { n: number }, limits: BoardLimits): number {
  let added = 0;
  for (const l of ls) {
    const o = toObs(l, ch, listUrl);
    if (w.seen.has(o.key)) continue;
    if (total.n >= limits.maxLetters) {
      w.stop = 'letter-limit';
      break;
    }
    w.seen.add(o.key);
    w.letters.push(o);
    total.n++;
    added++;
  }
  return added;
}

/** Walks an HTML list by its pagination (next links or the page parameter). */
async function walkHtml(env: BoardEnv, src: PageSource, first: { html: string; url: string }, letters: Letter[], ch: ChannelObs, budget: string, w: Walk, total: { n: number }, limits: BoardLimits): Promise<void> {
  let html = first.html;
  let url = first.url;
  let n = 1;
  addLetters(w, letters, ch, url, total, limits);
  w.pages = 1;
  const visited = new Set<string>([url]);
  let current = letters;
  for (;;) {
    if (w.stop) return;
    if (env.signal.aborted) return void (w.stop = 'stopped');
    if (pastYear(current, env.asOf)) return void (w.stop = 'year');
    const pg = findPagination(html, url);
    if (pg.totalRecords !== undefined) ch.totalStated ??= pg.totalRecords;
    const next = pg.next ?? pageUrlFor(pg, url, (pg.current ?? n) + 1);
    if (!next) {
      // Pages switched by script only (javascript: links) are not followed.
      return void (w.stop = /javascript:[^"']*(?:page|go|turn)/i.test(html) ? 'script-pagination' : 'end');
    }
    if (pg.totalPages !== undefined && (pg.current ?? n) >= pg.totalPages) return void (w.stop = 'end');
    if (visited.has(next)) return void (w.stop = 'repeat');
    if (w.pages >= limits.maxListPages) return void (w.stop = 'page-limit');
    visited.add(next);
    const p = await getPage(env, src, next, budget, ch);
    if (!p.ok) {
      pushErr(ch, `列表第 ${n + 1} 页无法读取：${p.error}`);
      return void (w.stop = p.error === '请求数已达上限' ? 'budget' : 'error');
    }
    const parsed = parseLetterList(p.html, p.url);
    w.pages++;
    n++;
    if (!parsed.letters.length) return void (w.stop = 'end');
    const added = addLetters(w, parsed.letters, ch, p.url, total, limits);
    if (added === 0 && !w.stop) return void (w.stop = 'repeat');
    html = p.html;
    url = p.url;
    current = parsed.letters;
  }
}

/** Walks a Hanweb dataproxy list (POST, startrecord/endrecord). */
async function walkHanweb(env: BoardEnv, ep: DataEndpoint, headers: string[] | undefined, ch: ChannelObs, budget: string, w: Walk, total: { n: number }, limits: BoardLimits): Promise<boolean> {
  let start = 1;
  let any = false;
  for (;;) {
    if (env.signal.aborted) { w.stop = 'stopped'; return any; }
    if (w.pages >= limits.maxListPages) { w.stop = 'page-limit'; return any; }
    const req = hanwebRequest(ep, start);
    const f = await env.fetch(req.url, { method: 'POST', body: req.body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'x-requested-with': 'XMLHttpRequest' }, budget });
    ch.requests++;
    if (!f.ok) {
      pushErr(ch, `列表数据接口无法读取：${errText(f)}`);
      w.stop = f.error === 'budget' ? 'budget' : 'error';
      return any;
    }
    const r = lettersFromDataStore(f.text, ep.url, headers);
    w.pages++;
    if (!r) {
      pushErr(ch, '列表数据接口的返回内容无法识别');
      w.stop = 'error';
      return any;
    }
    if (r.total !== undefined) ch.totalStated ??= r.total;
    if (!r.letters.length) { w.stop = 'end'; return any; }
    any = true;
    const added = addLetters(w, r.letters, ch, req.url, total, limits);
    if (w.stop) return any;
    if (added === 0) { w.stop = 'repeat'; return any; }
    if (pastYear(r.letters, env.asOf)) { w.stop = 'year'; return any; }
    start += ep.perLoad ?? (ep.perPage ?? 20) * 3;
    if (r.total !== undefined && start > r.total) { w.stop = 'end'; return any; }
  }
}

/** Walks a JSON list endpoint page by page. */
async function walkJson(env: BoardEnv, ep: DataEndpoint, ch: ChannelObs, budget: string, w: Walk, total: { n: number }, limits: BoardLimits): Promise<boolean> {
  let any = false;
  for (let n = 1; ; n++) {
    if (env.signal.aborted) { w.stop = 'stopped'; return any; }
    if (w.pages >= limits.maxListPages) { w.stop = 'page-limit'; return any; }
    const url = jsonPageUrl(ep, n);
    const f = await env.fetch(url, { method: ep.method, ...(ep.body ? { body: ep.body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } } : {}), budget });
    ch.requests++;
    if (!f.ok) {
      pushErr(ch, `列表数据接口无法读取：${errText(f)}`);
      w.stop = f.error === 'budget' ? 'budget' : 'error';
      return any;
    }
    const r = parseJsonLetters(f.text, f.finalUrl || url, ep.detailTemplate);
    w.pages++;
    if (!r) {
      if (!any) pushErr(ch, '列表数据接口的返回内容无法识别');
      w.stop = any ? 'end' : 'error';
      return any;
    }
    if (r.total !== undefined) ch.totalStated ??= r.total;
    if (!r.letters.length) { w.stop = 'end'; return any; }
    any = true;
    const added = addLetters(w, r.letters, ch, url, total, limits);
    if (w.stop) return any;
    if (added === 0) { w.stop = 'repeat'; return any; }
    if (pastYear(r.letters, env.asOf)) { w.stop = 'year'; return any; }
    if (!ep.pageParam) { w.stop = 'end'; return any; }
    if (r.total !== undefined && w.letters.length >= r.total) { w.stop = 'end'; return any; }
  }
}

/** Links on a channel page that lead to its list of published letters (信件公开, 留言选登, 更多 …). */
function listLinks(html: string, url: string): string[] {
  const out: string[] = [];
  for (const c of findChannels(html, url)) if (c.role === 'list' && c.url !== url && !c.url.startsWith('mailto:')) out.push(c.url);
  try {
    const $ = loadHtml(html);
    for (const a of elementsNamed($, 'a')) {
      const t = normText(textContent(a));
      const href = a.attribs?.href ?? '';
      if (!t || t.length > 12 || !LIST_LINK_RE.test(t) || /^(?:javascript:|#|mailto:)/i.test(href.trim())) continue;
      try {
        const u = new URL(href, url);
        u.hash = '';
        if (u.href !== url && !out.includes(u.href)) out.push(u.href);
      } catch {
        /* ignore */
      }
    }
  } catch {
    /* ignore */
  }
  return out.slice(0, 3);
}

/** Reads the letters a list page shows, by whichever way the page gets them. Returns true when letters were found. */
async function readList(env: BoardEnv, src: PageSource, page: { html: string; url: string }, ch: ChannelObs, budget: string, w: Walk, total: { n: number }, limits: BoardLimits): Promise<boolean> {
  const parsed = parseLetterList(page.html, page.url);
  if (parsed.letters.length) {
    ch.listUrl = page.url;
    ch.listKind = 'html';
    await walkHtml(env, src, page, parsed.letters, ch, budget, w, total, limits);
    return true;
  }
  const eps = findDataEndpoints(page.html, page.url);
  for (const ep of eps) {
    ch.scriptList = true;
    const ok = ep.kind === 'hanweb' ? await walkHanweb(env, ep, parsed.headers, ch, budget, w, total, limits) : await walkJson(env, ep, ch, budget, w, total, limits);
    if (ok) {
      ch.listUrl = page.url;
      ch.listKind = ep.kind;
      return true;
    }
    // An endpoint that gave nothing: try the next one (stop reason reset).
    w.stop = undefined;
  }
  if (listByScript(page.html, page.url)) {
    ch.scriptList = true;
    const r = await env.render(page.url);
    if (r?.html) {
      const rp = parseLetterList(r.html, page.url);
      if (rp.letters.length) {
        ch.listUrl = page.url;
        ch.listKind = 'rendered';
        await walkHtml(env, { crawled: () => undefined }, { html: r.html, url: page.url }, rp.letters, ch, budget, w, total, limits);
        return true;
      }
      if (rp.placeholder) ch.placeholder ??= rp.placeholder;
    }
  }
  if (parsed.placeholder) ch.placeholder ??= parsed.placeholder;
  return false;
}

/** Reads one consultation channel: its page, its list of letters (walked back a year), statistics it shows. */
export async function readBoard(env: BoardEnv, src: PageSource, ch: ChannelObs, limits: BoardLimits, total: { n: number }): Promise<BoardResult> {
  const budget = `interaction:${ch.url}`;
  const statistics: StatisticsObs[] = [];
  const w: Walk = { letters: [], seen: new Set(), pages: 0 };
  const first = await getPage(env, src, ch.url, budget, ch);
  if (!first.ok) {
    ch.opened = false;
    if (first.status) ch.status = first.status;
    ch.error = first.error;
    ch.listRead = 'unreadable';
    pushErr(ch, `渠道页面无法打开：${first.error}`);
    return { channel: ch, letters: [], statistics };
  }
  ch.opened = true;
  const st = findLetterStatistics(first.html, first.url);
  if (st) statistics.push({ ...st, where: 'channel' });
  let found = await readList(env, src, first, ch, budget, w, total, limits);
  if (!found && !env.signal.aborted) {
    for (const link of listLinks(first.html, first.url)) {
      const p = await getPage(env, src, link, budget, ch);
      if (!p.ok) {
        pushErr(ch, `信件列表页无法打开：${p.error}（${link}）`);
        continue;
      }
      const s2 = findLetterStatistics(p.html, p.url);
      if (s2 && !statistics.length) statistics.push({ ...s2, where: 'list' });
      found = await readList(env, src, p, ch, budget, w, total, limits);
      if (found) break;
    }
  }
  ch.pagesRead = w.pages;
  if (w.stop) ch.stoppedBy = w.stop;
  if (found) ch.listRead = 'read';
  else if (ch.placeholder) ch.listRead = 'empty';
  else if (ch.scriptList || ch.errors.length) ch.listRead = 'unreadable';
  else ch.listRead = 'none';
  ch.letters = w.letters.length;
  const dates = w.letters.map(letterDate).filter((d): d is string => !!d).sort();
  ch.oldest = dates[0];
  ch.newest = dates[dates.length - 1];
  ch.lettersInYear = w.letters.filter((l) => inYear(letterDate(l), env.asOf)).length;
  return { channel: ch, letters: w.letters, statistics };
}

/** Completes a letter from its detail page (the crawl's copy or a request under the channel's budget). */
export async function readDetail(env: BoardEnv, src: PageSource, l: LetterObs, ch: ChannelObs): Promise<void> {
  if (!l.url || l.detailRead !== undefined) return;
  ch.details.tried++;
  const p = await getPage(env, src, l.url, `interaction:${ch.url}`, ch);
  if (!p.ok) {
    l.detailRead = false;
    l.detailError = p.error;
    ch.details.failed++;
    return;
  }
  const d = parseLetterDetail(p.html, l.url);
  if (d.recognized < 2) {
    l.detailRead = false;
    l.detailError = '详情页未识别出留言要素';
    l.recognized = d.recognized;
    ch.details.failed++;
    return;
  }
  const merged = mergeLetter(l, d);
  const keep = { key: l.key, channel: l.channel, channelText: l.channelText, listUrl: l.listUrl, sampleRank: l.sampleRank };
  for (const k of Object.keys(l)) delete (l as unknown as Record<string, unknown>)[k];
  Object.assign(l, merged, keep, { detailRead: true, recognized: d.recognized, otherDates: d.otherDates });
  const lat = letterLatency(l);
  if (lat !== undefined) l.latency = lat;
  ch.details.read++;
}

// ---------------------------------------------------------------------------------------------------------------
// Survey and consultation channels (征集调查)


function activityDate(a: Activity): string | undefined {
  return a.end ?? a.start ?? a.published;
}

/** The publication date a page shows (发布时间 label, else the PubDate tag). */
export function pagePublicationDate(html: string): string | undefined {
  try {
    const $ = loadHtml(html);
    const l = primaryPublicationLabel($);
    if (l?.date) return l.date;
    const meta = metaContent($, ['pubdate', 'publishdate', 'firstpublishedtime']);
    return meta ? findDatesInText(meta)[0]?.date : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a survey channel: its activities back one year, each activity's dates and published result. */
export async function readSurvey(env: BoardEnv, src: PageSource, ch: ChannelObs, limits: BoardLimits): Promise<ActivityObs[]> {
  const budget = `interaction:${ch.url}`;
  const first = await getPage(env, src, ch.url, budget, ch);
  if (!first.ok) {
    ch.error = first.error;
    ch.listRead = 'unreadable';
    pushErr(ch, `渠道页面无法打开：${first.error}`);
    return [];
  }
  ch.opened = true;
  const out: ActivityObs[] = [];
  const seen = new Set<string>();
  let page = first;
  let acts = parseActivityList(page.html, page.url);
  if (!acts.length) {
    for (const link of listLinks(page.html, page.url)) {
      const p = await getPage(env, src, link, budget, ch);
      if (!p.ok) continue;
      const a = parseActivityList(p.html, p.url);
      if (a.length) {
        page = p;
        acts = a;
        break;
      }
    }
  }
  const visited = new Set<string>([page.url]);
  let pages = 1;
  for (;;) {
    for (const a of acts) {
      const key = a.url ?? `${ch.url}#${a.title}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...a, key, channel: ch.url });
    }
    const dated = acts.map(activityDate).filter((d): d is string => !!d);
    if (!acts.length || (dated.length && dated[dated.length - 1] < yearBefore(env.asOf))) break;
    const pg = findPagination(page.html, page.url);
    const next = pg.next ?? pageUrlFor(pg, page.url, (pg.current ?? pages) + 1);
    if (!next || visited.has(next) || pages >= Math.min(limits.maxListPages, 30) || env.signal.aborted) break;
    visited.add(next);
    const p = await getPage(env, src, next, budget, ch);
    if (!p.ok) {
      pushErr(ch, `征集列表第 ${pages + 1} 页无法读取：${p.error}`);
      break;
    }
    pages++;
    page = p;
    acts = parseActivityList(p.html, p.url);
  }
  ch.pagesRead = pages;
  ch.listUrl = page.url;
  ch.listKind = 'html';
  ch.listRead = out.length ? 'read' : 'none';
  // Details of the year's activities: dates and results the list does not show.
  for (const a of out) {
    if (env.signal.aborted) break;
    const d0 = activityDate(a);
    if (d0 && d0 < yearBefore(env.asOf)) continue;
    if (a.url && (a.result.state !== 'published' || !a.result.at || !a.start || !a.end)) {
      const p = await getPage(env, src, a.url, budget, ch);
      if (!p.ok) {
        a.detailRead = false;
        a.detailError = p.error;
      } else {
        a.detailRead = true;
        const d = parseActivityDetail(p.html, a.url);
        a.start ??= d.start;
        a.end ??= d.end;
        a.published ??= d.published ?? pagePublicationDate(p.html);
        if (!a.status && d.status) {
          a.status = d.status;
          a.statusText = d.statusText;
        }
        for (const [k, v] of Object.entries(d.fields)) if (v && !(a.fields as Record<string, unknown>)[k]) (a.fields as Record<string, unknown>)[k] = v;
        if (d.result.state !== 'unknown' && (a.result.state !== 'published' || d.result.at)) a.result = { ...a.result, ...d.result, url: d.result.url ?? a.result.url };
      }
    }
    // A result published as its own page: its date is the page's publication date.
    if (a.result.state === 'published' && !a.result.at && a.result.url) {
      const p = await getPage(env, src, a.result.url, budget, ch);
      if (p.ok) {
        const at = pagePublicationDate(p.html);
        if (at) a.result.at = at;
      }
    }
  }
  return out;
}
