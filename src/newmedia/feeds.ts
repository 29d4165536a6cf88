/**
 * Feeds of new-media accounts (RSS 2.0, Atom, JSON Feed — e.g. a self-hosted RSSHub route): the items with their
 * publication time, and which items are not new posts because the feed says so (pinned, reposts). Pure: text in,
 * data out; hostile or broken input gives `{ ok: false, error }`, never a throw.
 */
import { load } from 'cheerio/slim'; // htmlparser2 only (the feeds are XML): not parse5, not undici's fetch
import type { Element } from 'domhandler';
import { toHalfWidth } from '../analyze/dates.ts';
import { shanghaiDay } from '../monitor/time.ts';

export interface FeedItem {
  title?: string;
  url?: string;
  id?: string;
  /** Publication time (ISO, UTC) when the feed gives one. */
  published?: string;
  /** Last modification time (Atom <updated>, JSON Feed date_modified) — an upper bound of the publication time. */
  updated?: string;
  /** The feed marks the item as pinned (置顶) — an old post kept on top, not a new one. */
  pinned?: boolean;
  /** The feed marks the item as a repost (转发) — not the account's own new post. */
  repost?: boolean;
}

export type FeedFormat = 'rss' | 'atom' | 'json' | 'rdf';

export type ParsedFeed =
  | { ok: true; format: FeedFormat; title?: string; items: FeedItem[]; /** Items dropped beyond the bound. */ truncated: boolean }
  | { ok: false; error: string };

const MAX_TEXT = 8 * 1024 * 1024;
const MAX_ITEMS = 500;

/** A time as feeds write it → ISO UTC. RFC 822 and ISO 8601 with a zone are exact; a zone-less time is Beijing time. */
export function parseFeedTime(s: string | undefined | null): string | undefined {
  if (!s) return undefined;
  const t = toHalfWidth(String(s)).trim();
  if (!t || t.length > 80) return undefined;
  // Zone-less local times (2021-06-10 08:00[:00], 2021/6/10, 2021年6月10日 8:00) are Asia/Shanghai.
  const local = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?)?\s*[秒分]?)?$/.exec(t);
  if (local) {
    const [y, mo, d, h = '0', mi = '0', se = '0'] = local.slice(1);
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se) - 8 * 3_600_000;
    const check = new Date(ms + 8 * 3_600_000);
    if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d) return undefined;
    return plausible(ms);
  }
  if (/^\d{10}$/.test(t)) return plausible(Number(t) * 1000);
  if (/^\d{13}$/.test(t)) return plausible(Number(t));
  // RFC 822 (RSS) and ISO 8601 with a zone. Chinese RSS sometimes writes "GMT+8" or "CST" (China Standard Time).
  const fixed = t.replace(/\bGMT\s*\+\s*0?8(?::?00)?\b/i, '+0800').replace(/\bCST\b/, '+0800');
  const ms = Date.parse(fixed);
  if (Number.isNaN(ms)) return undefined;
  return plausible(ms);
}

function plausible(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const y = new Date(ms).getUTCFullYear();
  if (y < 2000 || y > 2100) return undefined;
  return new Date(ms).toISOString();
}

const PINNED = /^(置顶|pinned?|sticky|top|置顶微博|置顶内容)$/i;
const REPOST = /^(转发|转载|转帖|repost|retweet|reblog|share|shared|forward|转发微博)$/i;
const PINNED_TITLE = /^\s*[[【(（]?\s*置顶\s*[\]】)）:：]/;
const REPOST_TITLE = /^\s*(?:[[【(（]\s*转发\s*[\]】)）]|转发微博|转发了|RT\s@|\/\/@)/i;

function localName(el: Element): string {
  return el.name.toLowerCase().replace(/^.*:/, '');
}

function childrenNamed(el: Element, name: string): Element[] {
  return (el.children ?? []).filter((c): c is Element => c.type === 'tag' && localName(c as Element) === name);
}

function textOf($: ReturnType<typeof load>, el: Element | undefined): string | undefined {
  if (!el) return undefined;
  const s = $(el).text().replace(/\s+/g, ' ').trim();
  return s || undefined;
}

function flags(title: string | undefined, categories: string[]): Pick<FeedItem, 'pinned' | 'repost'> {
  const out: Pick<FeedItem, 'pinned' | 'repost'> = {};
  if (categories.some((c) => PINNED.test(c.trim())) || (title && PINNED_TITLE.test(title))) out.pinned = true;
  if (categories.some((c) => REPOST.test(c.trim())) || (title && REPOST_TITLE.test(title))) out.repost = true;
  return out;
}

function parseXmlFeed(text: string): ParsedFeed {
  let $: ReturnType<typeof load>;
  try {
    $ = load(text, { xml: true });
  } catch (e) {
    return { ok: false, error: `不是有效的 XML：${(e as Error).message}` };
  }
  const root = $.root().children().toArray().find((n): n is Element => n.type === 'tag') as Element | undefined;
  if (!root) return { ok: false, error: '不是订阅源（没有 XML 根元素）' };
  const rootName = localName(root);
  const items: FeedItem[] = [];
  let truncated = false;
  if (rootName === 'rss' || rootName === 'rdf') {
    const channel = childrenNamed(root, 'channel')[0];
    const itemEls = rootName === 'rss' ? (channel ? childrenNamed(channel, 'item') : []) : childrenNamed(root, 'item');
    for (const it of itemEls) {
      if (items.length >= MAX_ITEMS) {
        truncated = true;
        break;
      }
      const title = textOf($, childrenNamed(it, 'title')[0]);
      const link = textOf($, childrenNamed(it, 'link')[0]);
      const guid = textOf($, childrenNamed(it, 'guid')[0]);
      const pub = parseFeedTime(textOf($, childrenNamed(it, 'pubdate')[0])) ?? parseFeedTime(textOf($, childrenNamed(it, 'date')[0])) ?? parseFeedTime(textOf($, childrenNamed(it, 'published')[0]));
      const upd = parseFeedTime(textOf($, childrenNamed(it, 'updated')[0]));
      const cats = childrenNamed(it, 'category').map((c) => textOf($, c) ?? '');
      items.push({ ...(title ? { title } : {}), ...(link ? { url: link } : {}), ...(guid ? { id: guid } : {}), ...(pub ? { published: pub } : {}), ...(upd ? { updated: upd } : {}), ...flags(title, cats) });
    }
    const chTitle = channel ? textOf($, childrenNamed(channel, 'title')[0]) : undefined;
    return { ok: true, format: rootName === 'rss' ? 'rss' : 'rdf', ...(chTitle ? { title: chTitle } : {}), items, truncated };
  }
  if (rootName === 'feed') {
    for (const en of childrenNamed(root, 'entry')) {
      if (items.length >= MAX_ITEMS) {
        truncated = true;
        break;
      }
      const title = textOf($, childrenNamed(en, 'title')[0]);
      const links = childrenNamed(en, 'link');
      const alt = links.find((l) => !l.attribs.rel || l.attribs.rel === 'alternate') ?? links[0];
      const id = textOf($, childrenNamed(en, 'id')[0]);
      const pub = parseFeedTime(textOf($, childrenNamed(en, 'published')[0])) ?? parseFeedTime(textOf($, childrenNamed(en, 'issued')[0]));
      const upd = parseFeedTime(textOf($, childrenNamed(en, 'updated')[0])) ?? parseFeedTime(textOf($, childrenNamed(en, 'modified')[0]));
      const cats = childrenNamed(en, 'category').map((c) => c.attribs.term ?? c.attribs.label ?? textOf($, c) ?? '');
      const via = links.some((l) => l.attribs.rel === 'via');
      const f = flags(title, cats);
      if (via && !f.repost && cats.some((c) => REPOST.test(c))) f.repost = true;
      items.push({ ...(title ? { title } : {}), ...(alt?.attribs.href ? { url: alt.attribs.href } : {}), ...(id ? { id } : {}), ...(pub ? { published: pub } : {}), ...(upd ? { updated: upd } : {}), ...f });
    }
    const t = textOf($, childrenNamed(root, 'title')[0]);
    return { ok: true, format: 'atom', ...(t ? { title: t } : {}), items, truncated };
  }
  return { ok: false, error: `不是订阅源（根元素为 <${root.name}>，应为 rss、feed 或 rdf）` };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function parseJsonFeed(text: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `不是有效的 JSON：${(e as Error).message.slice(0, 80)}` };
  }
  const d = doc as { version?: unknown; title?: unknown; items?: unknown };
  if (!d || typeof d !== 'object' || typeof d.version !== 'string' || !/jsonfeed\.org\/version\//.test(d.version) || !Array.isArray(d.items)) {
    return { ok: false, error: '不是 JSON Feed（缺少 version 或 items）' };
  }
  const items: FeedItem[] = [];
  let truncated = false;
  for (const raw of d.items as unknown[]) {
    if (items.length >= MAX_ITEMS) {
      truncated = true;
      break;
    }
    if (!raw || typeof raw !== 'object') continue;
    const it = raw as Record<string, unknown>;
    const title = str(it.title);
    const tags = Array.isArray(it.tags) ? (it.tags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
    const f = flags(title, tags);
    // Extensions (keys starting with "_", per the spec): _pinned / _repost or an object { pinned, repost }.
    for (const [k, v] of Object.entries(it)) {
      if (!k.startsWith('_')) continue;
      if ((k === '_pinned' || k === '_sticky') && v === true) f.pinned = true;
      if ((k === '_repost' || k === '_retweet' || k === '_reblog') && v === true) f.repost = true;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (o.pinned === true || o.sticky === true) f.pinned = true;
        if (o.repost === true || o.retweet === true || o.is_repost === true) f.repost = true;
      }
    }
    const pub = parseFeedTime(str(it.date_published));
    const upd = parseFeedTime(str(it.date_modified));
    const url = str(it.url) ?? str(it.external_url);
    const id = it.id === undefined || it.id === null ? undefined : String(it.id).slice(0, 500);
    items.push({ ...(title ? { title } : {}), ...(url ? { url } : {}), ...(id ? { id } : {}), ...(pub ? { published: pub } : {}), ...(upd ? { updated: upd } : {}), ...f });
  }
  const t = str(d.title);
  return { ok: true, format: 'json', ...(t ? { title: t } : {}), items, truncated };
}

/** Parses a feed by its content (the content type is only a hint: many servers send RSS as text/html). */
export function parseFeed(text: string, contentType = ''): ParsedFeed {
  if (typeof text !== 'string') return { ok: false, error: '订阅源内容为空' };
  const body = text.slice(0, MAX_TEXT).replace(/^\ufeff/, '').trimStart();
  if (!body) return { ok: false, error: '订阅源内容为空' };
  if (body.startsWith('{') || /json/i.test(contentType)) return parseJsonFeed(body);
  if (body.startsWith('<')) {
    if (/^<!doctype html|^<html[\s>]/i.test(body)) return { ok: false, error: '返回的是网页（HTML），不是订阅源' };
    return parseXmlFeed(body);
  }
  return { ok: false, error: '不是订阅源（既不是 XML 也不是 JSON）' };
}

/** What a feed says about freshness at an as-of day. */
export interface FeedNewest {
  /** Items in the feed. */
  items: number;
  /** Items left out: pinned, reposts, without a date, after as-of. */
  skipped: { pinned: number; repost: number; undated: number; afterAsOf: number };
  /** Newest own post with a publication time, not after as-of. */
  newest?: { at: string; day: string; title?: string; url?: string };
  /**
   * Newest own post by its publication time, or its modification time when the feed gives no other (an upper bound
   * of the publication time: good enough to show staleness, never to show freshness), not after as-of.
   */
  newestBound?: { at: string; day: string; title?: string; url?: string; modifiedOnly: boolean };
}

/** The newest own posts of a parsed feed at `asOf` (YYYY-MM-DD, Asia/Shanghai); times after that day are ignored. */
export function feedNewest(items: FeedItem[], asOf: string): FeedNewest {
  const out: FeedNewest = { items: items.length, skipped: { pinned: 0, repost: 0, undated: 0, afterAsOf: 0 } };
  for (const it of items) {
    if (it.pinned) {
      out.skipped.pinned++;
      continue;
    }
    if (it.repost) {
      out.skipped.repost++;
      continue;
    }
    const t = it.published ?? it.updated;
    if (!t) {
      out.skipped.undated++;
      continue;
    }
    const day = shanghaiDay(t);
    if (day > asOf) {
      out.skipped.afterAsOf++;
      continue;
    }
    const ref = { ...(it.title ? { title: it.title } : {}), ...(it.url ? { url: it.url } : {}) };
    if (it.published && (!out.newest || it.published > out.newest.at)) out.newest = { at: it.published, day, ...ref };
    if (!out.newestBound || t > out.newestBound.at) out.newestBound = { at: t, day, ...ref, modifiedOnly: !it.published };
  }
  return out;
}
