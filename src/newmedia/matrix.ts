/**
 * What a unit's own website says about its new media and its websites, read by labels (not by one CMS's classes):
 *
 * - the 政务新媒体矩阵 / 新媒体导航 page: accounts listed in a table (名称 / 平台 / 微信号 columns), in sections under a
 *   platform heading (政务微信, 官方微博, 抖音号 …; items are list entries, captions or QR-code alt texts), or in
 *   lines such as 微信公众号：青山发布（微信号：qingshanfabu）;
 * - links to platform hosts anywhere (weibo.com/…, mp.weixin.qq.com/…, douyin.com/user/…);
 * - lists of the unit's own websites: blocks or <select> menus labelled 部门网站, 县市区网站, 乡镇网站, 政府网站群 …
 *   (友情链接, 国务院部门 and a bare 政府网站 list other governments' sites and are not read).
 *
 * Pure; bounded (items per page); hostile markup yields fewer items, never a throw.
 */
import type { Element, AnyNode } from 'domhandler';
import { loadHtml, normText } from '../analyze/dom.ts';
import { bodyOrRoot, elementsNamed, findElements, firstNamed, isElement, textContent } from '../analyze/walk.ts';
import { metaContent } from '../analyze/dates.ts';
import { footerElements } from '../analyze/footer.ts';
import { absoluteUrl } from '../analyze/links.ts';
import { nameKey, normalizePlatform, siteUrlKey } from './normalize.ts';
import type { Platform } from './types.ts';

export interface ListedAccount {
  name: string;
  platform: Platform;
  platformLabel: string;
  accountId?: string;
  /** A link to the account on its platform, when the page gives one. */
  url?: string;
  /** The page that lists it. */
  pageUrl: string;
  how: 'table' | 'section' | 'line' | 'link';
  /** What the page shows (for evidence), at most 120 characters. */
  snippet: string;
}

const MAX_ITEMS = 300;

/** Labels of a new-media matrix page or block. */
export const MATRIX_LABEL = /新媒体矩阵|政务新媒体|新媒体导航|新媒体平台|新媒体集群|新媒体账号|两微一端|融媒体矩阵|政务(微信|微博)(矩阵|导航|集群)/;

/** A platform named in a short label (heading, table cell, line prefix). */
export function platformOfLabel(text: string): { platform: Platform; label: string } | null {
  const t = normText(text).replace(/\s+/g, '');
  if (!t || t.length > 24) return null;
  if (/视频号/.test(t)) return { platform: '其他', label: '视频号' };
  if (/百家号/.test(t)) return { platform: '其他', label: '百家号' };
  if (/哔哩哔哩|B站|bilibili/i.test(t)) return { platform: '其他', label: '哔哩哔哩' };
  if (/微信|公众号/.test(t)) return { platform: '微信', label: '微信' };
  if (/微博/.test(t)) return { platform: '微博', label: '微博' };
  if (/抖音/.test(t)) return { platform: '抖音', label: '抖音' };
  if (/头条/.test(t)) return { platform: '今日头条', label: '今日头条' };
  if (/快手/.test(t)) return { platform: '快手', label: '快手' };
  if (/客户端|^app$|^APP|移动应用|掌上|手机版/i.test(t)) return { platform: 'App', label: 'App' };
  return null;
}

/** The platform of an account link by its host. */
export function platformOfUrl(url: string): { platform: Platform; label: string } | null {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
  const is = (d: string) => host === d || host.endsWith('.' + d);
  if (is('weibo.com') || is('weibo.cn')) return { platform: '微博', label: '微博' };
  if (host === 'mp.weixin.qq.com' || host === 'weixin.qq.com') return { platform: '微信', label: '微信' };
  if (is('douyin.com') || is('iesdouyin.com')) return { platform: '抖音', label: '抖音' };
  if (is('toutiao.com')) return { platform: '今日头条', label: '今日头条' };
  if (is('kuaishou.com') || is('gifshow.com')) return { platform: '快手', label: '快手' };
  if (is('bilibili.com')) return { platform: '其他', label: '哔哩哔哩' };
  if (is('baijiahao.baidu.com')) return { platform: '其他', label: '百家号' };
  return null;
}

const ID_RE = /(微信号|抖音号|快手号|头条号|账号ID|账号|帐号|ID|UID)\s*[:：]\s*@?([A-Za-z0-9_.\-]{2,40})/i;
const NOISE = /(扫码关注|扫一扫|扫描二维码|长按识别|二维码|点击关注|欢迎关注|关注我们|官方账号)/g;

/** A name out of an item's text: ID part, QR-code words, quotes and platform suffixes removed. */
export function cleanAccountName(text: string, platformLabel?: string): string {
  let s = normText(text).replace(ID_RE, ' ').replace(NOISE, ' ');
  s = s.replace(/[「」“”"'《》【】\[\]]/g, ' ').replace(/^[\s@:：·•\-—|]+|[\s:：·•\-—|]+$/g, '');
  // 青山发布微信公众号 / 青山发布（官方微博） → 青山发布
  s = s.replace(/[(（]\s*(官方)?(微信公众号|公众号|微信|微博|抖音号|抖音|头条号|今日头条|快手号|快手|客户端|APP|视频号)\s*[)）]$/i, '');
  if (platformLabel) s = s.replace(/(官方)?(微信公众号|公众号|政务微信|官方微博|政务微博|新浪微博|微博|抖音号|抖音|头条号|今日头条|快手号|快手|客户端|APP)$/i, '');
  s = normText(s);
  // A caption with several words: the first one that looks like a name.
  if (/\s/.test(s)) s = s.split(' ').find((w) => w.length >= 2) ?? s;
  return s.slice(0, 40);
}

function plausibleName(s: string): boolean {
  if (s.length < 2 || s.length > 30) return false;
  if (/[。！？]/.test(s)) return false;
  if (platformOfLabel(s) && s.replace(/政务|官方|公众号|微信|微博|抖音|头条|快手|客户端|app|号/gi, '').length < 2) return false;
  if (/^(更多|查看|详情|返回|首页|下载|点击|进入)/.test(s)) return false;
  return true;
}

const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'dt', 'caption', 'legend', 'strong', 'b']);
/** Elements that hold one account each in a section (a <p> only when there are none of the others). */
const BLOCK_ITEMS = new Set(['li', 'dd', 'td', 'figure']);
const ITEM_TAGS = new Set([...BLOCK_ITEMS, 'p']);

function ownText(el: Element): string {
  return normText(textContent(el));
}

/** A short element that names a platform and nothing much else: a section heading. */
function isPlatformHeading(el: Element): { platform: Platform; label: string } | null {
  const t = ownText(el);
  if (!t || t.length > 14) return null;
  // Table cells are read by fromTables; 微信号 is an ID label.
  if (el.name === 'td' || el.name === 'th' || /^微信号/.test(t)) return null;
  for (let n = el.parent as AnyNode | null; n; n = n.parent as AnyNode | null) if (isElement(n) && (n.name === 'td' || n.name === 'th')) return null;
  const hasImg = findElements(el, (e) => e.name === 'img', 1).length > 0;
  if (hasImg) return null;
  const kids = (el.children ?? []).filter(isElement);
  if (!HEADING_TAGS.has(el.name) && kids.some((k) => !['span', 'i', 'em', 'font', 'b', 'strong', 'a'].includes(k.name))) return null;
  const p = platformOfLabel(t);
  if (!p) return null;
  // "青山发布微信公众号" is an item, not a heading: a heading is the label alone (政务微信, 官方微博, 微信公众号 …).
  const rest = t.replace(/政务|官方|公众号|微信|微博|新浪|抖音|头条|今日|快手|客户端|移动|手机|app|矩阵|平台|账号|帐号|号|[：:·\s]/gi, '');
  return rest.length <= 1 ? p : null;
}

function itemsUnder(nodes: Element[]): Element[] {
  const out: Element[] = [];
  for (const n of nodes) {
    if (BLOCK_ITEMS.has(n.name)) {
      out.push(n);
      continue;
    }
    let list = findElements(n, (e) => BLOCK_ITEMS.has(e.name) && !findElements(e, (x) => BLOCK_ITEMS.has(x.name), 1).length);
    if (!list.length) list = n.name === 'p' ? [n] : findElements(n, (e) => e.name === 'p');
    if (list.length) out.push(...list);
    else if (findElements(n, (e) => e.name === 'img', 1).length || ownText(n)) out.push(n);
  }
  return out;
}

function itemAccount(el: Element, plat: { platform: Platform; label: string }, pageUrl: string, how: ListedAccount['how']): ListedAccount | null {
  const text = ownText(el);
  const idm = ID_RE.exec(text);
  let name = cleanAccountName(text, plat.label);
  if (!plausibleName(name)) {
    const img = findElements(el, (e) => e.name === 'img', 1)[0];
    const alt = normText(img?.attribs.alt ?? img?.attribs.title ?? '');
    name = cleanAccountName(alt, plat.label);
  }
  if (!plausibleName(name)) return null;
  const link = findElements(el, (e) => e.name === 'a' && !!e.attribs.href, 1)[0];
  const url = link ? absoluteUrl(link.attribs.href, pageUrl) : undefined;
  return {
    name,
    platform: plat.platform,
    platformLabel: plat.label,
    ...(idm ? { accountId: idm[2] } : {}),
    ...(url && platformOfUrl(url) ? { url } : {}),
    pageUrl,
    how,
    snippet: (text || name).slice(0, 120),
  };
}


/** The elements to read: <body> without its footer area (the footer's 政务新媒体 link is not a listing). */
function mainArea($: ReturnType<typeof loadHtml>): { roots: AnyNode[]; skip: Set<Element> } {
  let skip = new Set<Element>();
  try {
    skip = new Set(footerElements($));
  } catch {
    /* no footer */
  }
  return { roots: bodyOrRoot($), skip };
}

function inSkipped(el: Element, skip: Set<Element>): boolean {
  for (let n: AnyNode | null = el; n; n = n.parent as AnyNode | null) if (isElement(n) && skip.has(n)) return true;
  return false;
}

/** Accounts in tables whose header names the account (名称/账号) and the platform (平台/类型). */
function fromTables($: ReturnType<typeof loadHtml>, pageUrl: string, skip: Set<Element>): ListedAccount[] {
  const out: ListedAccount[] = [];
  for (const table of elementsNamed($, 'table')) {
    if (inSkipped(table, skip)) continue;
    const rows = findElements(table, (e) => e.name === 'tr').filter((tr) => {
      // Rows of this table, not of a nested one.
      for (let n = tr.parent as AnyNode | null; n; n = n.parent as AnyNode | null) if (isElement(n) && n.name === 'table') return n === table;
      return false;
    });
    if (rows.length < 2) continue;
    const cellsOf = (tr: Element) => (tr.children ?? []).filter((c): c is Element => isElement(c) && (c.name === 'td' || c.name === 'th'));
    const head = cellsOf(rows[0]).map((c) => ownText(c).replace(/\s+/g, ''));
    const col = (re: RegExp) => head.findIndex((h) => re.test(h));
    const nameCol = col(/^(账号名称|帐号名称|新媒体名称|名称|账号|帐号|公众号名称|微博名称)$/);
    const platCol = col(/^(平台|平台类型|类型|类别|所属平台|账号类型)$/);
    const idCol = col(/^(账号ID|帐号ID|ID|微信号|抖音号|账号标识|UID)$/i);
    if (nameCol < 0 || platCol < 0) continue;
    for (const tr of rows.slice(1)) {
      const cells = cellsOf(tr);
      const name = cleanAccountName(ownText(cells[nameCol] ?? tr));
      const plat = normalizePlatformCell(ownText(cells[platCol] ?? tr));
      if (!plat || !plausibleName(name)) continue;
      const id = idCol >= 0 ? normText(ownText(cells[idCol] ?? tr)).replace(/\s+/g, '') : '';
      const link = findElements(tr, (e) => e.name === 'a' && !!e.attribs.href, 1)[0];
      const url = link ? absoluteUrl(link.attribs.href, pageUrl) : undefined;
      out.push({ name, platform: plat.platform, platformLabel: plat.label, ...(id && /^[A-Za-z0-9_.@\-]{2,40}$/.test(id) ? { accountId: id.replace(/^@/, '') } : {}), ...(url && platformOfUrl(url) ? { url } : {}), pageUrl, how: 'table', snippet: normText(ownText(tr)).slice(0, 120) });
      if (out.length >= MAX_ITEMS) return out;
    }
  }
  return out;
}

function normalizePlatformCell(t: string): { platform: Platform; label: string } | null {
  return platformOfLabel(t) ?? (t ? normalizePlatform(t) : null);
}

/** Accounts in sections under a platform heading. */
function fromSections($: ReturnType<typeof loadHtml>, roots: AnyNode[], pageUrl: string, skip: Set<Element>): ListedAccount[] {
  const out: ListedAccount[] = [];
  const headings = findElements(roots, (e) => !inSkippedFast(e, skip) && isPlatformHeading(e) !== null);
  const used = new Set<Element>();
  for (const h of headings) {
    // The innermost heading only (a <div><strong>政务微信</strong></div> counts once).
    if (findElements(h, (e) => headings.includes(e), 1).length) continue;
    const plat = isPlatformHeading(h)!;
    // The heading's block: its following siblings up to the next heading; climb while the heading is alone.
    let anchor: Element = h;
    let section: Element[] = [];
    for (let depth = 0; depth < 4 && section.length === 0; depth++) {
      const sibs = siblingsAfter(anchor);
      for (const s of sibs) {
        if (headings.includes(s) || findElements(s, (e) => headings.includes(e), 1).length) break;
        section.push(s);
      }
      if (section.length === 0 && anchor.parent && isElement(anchor.parent as AnyNode)) anchor = anchor.parent as Element;
    }
    section = section.filter((s) => !used.has(s));
    for (const s of section) used.add(s);
    for (const item of itemsUnder(section)) {
      const a = itemAccount(item, plat, pageUrl, 'section');
      if (a) out.push(a);
      if (out.length >= MAX_ITEMS) return out;
    }
  }
  return out;
}

const skipCache = new WeakMap<Set<Element>, Map<Element, boolean>>();
function inSkippedFast(el: Element, skip: Set<Element>): boolean {
  let m = skipCache.get(skip);
  if (!m) skipCache.set(skip, (m = new Map()));
  const hit = m.get(el);
  if (hit !== undefined) return hit;
  const v = inSkipped(el, skip);
  m.set(el, v);
  return v;
}

function siblingsAfter(el: Element): Element[] {
  const parent = el.parent as { children?: AnyNode[] } | null;
  const kids = parent?.children ?? [];
  const i = kids.indexOf(el);
  return kids.slice(i + 1).filter(isElement);
}

const LINE_RE = /(微信公众号|政务微信|微信号?|官方微博|政务微博|新浪微博|微博|抖音号|抖音|头条号|今日头条|快手号|快手|视频号|客户端)\s*[:：]\s*@?([^\s，,；;。（(|｜]{2,30})(?:\s*[（(]\s*(?:微信号|抖音号|快手号|账号|ID)\s*[:：]\s*([A-Za-z0-9_.\-]{2,40})\s*[)）])?/g;

/** Accounts written as lines: 微信公众号：青山发布（微信号：qingshanfabu）. */
function fromLines(text: string, pageUrl: string): ListedAccount[] {
  const out: ListedAccount[] = [];
  LINE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LINE_RE.exec(text)) && out.length < MAX_ITEMS) {
    if (/^微信号$/.test(m[1])) continue; // 微信号：xxx is an ID, read with its name
    const plat = platformOfLabel(m[1]);
    if (!plat) continue;
    const name = cleanAccountName(m[2], plat.label);
    if (!plausibleName(name) || /^[A-Za-z0-9_.\-]+$/.test(name) && m[1] !== '微博') continue;
    out.push({ name, platform: plat.platform, platformLabel: plat.label, ...(m[3] ? { accountId: m[3] } : {}), pageUrl, how: 'line', snippet: m[0].slice(0, 120) });
  }
  return out;
}

/** Links to accounts on platform hosts anywhere in the page (the footer included). */
export function extractPlatformLinks(html: string, pageUrl: string): ListedAccount[] {
  const out: ListedAccount[] = [];
  let $: ReturnType<typeof loadHtml>;
  try {
    $ = loadHtml(html);
  } catch {
    return out;
  }
  for (const a of elementsNamed($, 'a')) {
    const href = a.attribs.href;
    if (!href) continue;
    const url = absoluteUrl(href, pageUrl);
    if (!url) continue;
    const plat = platformOfUrl(url);
    if (!plat) continue;
    // A link to an article (mp.weixin.qq.com/s/…) is not an account.
    if (/mp\.weixin\.qq\.com\/s[/?]/.test(url) || /\/(status|detail|article|video|a)\/\d/.test(url)) continue;
    const text = normText(textContent(a)) || normText(a.attribs.title ?? '') || normText(findElements(a, (e) => e.name === 'img', 1)[0]?.attribs.alt ?? '');
    const name = cleanAccountName(text, plat.label);
    out.push({ name: plausibleName(name) ? name : '', platform: plat.platform, platformLabel: plat.label, url, pageUrl, how: 'link', snippet: `${text.slice(0, 60)} ${url}`.trim().slice(0, 120) });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

/** Is the page a 政务新媒体矩阵 / 新媒体导航 page (by its title, ColumnName or main heading)? */
export function matrixLabel(html: string): string | undefined {
  let $: ReturnType<typeof loadHtml>;
  try {
    $ = loadHtml(html);
  } catch {
    return undefined;
  }
  const cands = [metaContent($, ['columnname']), normText(textContent(firstNamed($, 'title'))), ...['h1', 'h2', 'h3'].flatMap((t) => elementsNamed($, t).slice(0, 3).map((e) => normText(textContent(e))))];
  for (const c of cands) {
    if (!c) continue;
    const m = MATRIX_LABEL.exec(c);
    // The title of a page about new media work (关于加强政务新媒体管理的通知) is not a matrix page.
    if (m && c.length <= 30 && !/通知|办法|意见|规定|方案|报告|公告|通报|检查|情况/.test(c)) return m[0];
  }
  return undefined;
}

/** Accounts a matrix page lists (tables, platform sections, lines), de-duplicated by platform and name. */
export function extractListedAccounts(html: string, pageUrl: string): ListedAccount[] {
  let $: ReturnType<typeof loadHtml>;
  try {
    $ = loadHtml(html);
  } catch {
    return [];
  }
  const { roots, skip } = mainArea($);
  const found = [...fromTables($, pageUrl, skip), ...fromSections($, roots, pageUrl, skip)];
  if (found.length === 0) {
    const text = findElements(roots, (e) => ITEM_TAGS.has(e.name) || e.name === 'div')
      .filter((e) => !inSkippedFast(e, skip) && !(e.children ?? []).some((c) => isElement(c) && (ITEM_TAGS.has(c.name) || c.name === 'div')))
      .map((e) => ownText(e))
      .join('\n');
    found.push(...fromLines(text, pageUrl));
  }
  const seen = new Map<string, ListedAccount>();
  for (const a of found) {
    const k = `${a.platformLabel}\u0000${nameKey(a.name)}`;
    const prev = seen.get(k);
    if (!prev) seen.set(k, a);
    else if (!prev.accountId && a.accountId) prev.accountId = a.accountId;
  }
  return [...seen.values()];
}

export interface OwnSiteLink {
  name: string;
  url: string;
  /** The list's label as shown: 部门网站, 县市区网站 … */
  label: string;
  pageUrl: string;
}

/** Labels of lists of the unit's own websites. 友情链接, 国务院部门网站 and a bare 政府网站 are other governments'. */
const OWN_LIST =
  /^(?:市直|省直|区直|县直|本级)?(?:部门|单位)(?:网站|站点)?(?:群|导航)?$|^(?:县市区|县区|区县|县市|市县|县\(市、区\)|县（市、区）|各县市区|各区县|市州|乡镇|乡镇街道|乡镇（街道）|街道|镇街)(?:政府)?(?:网站|站点|门户)?(?:群|导航)?$|^政府网站群$|^(?:市直部门|市直单位|省直部门|省直单位)(?:网站)?$/;

function cleanLabel(t: string): string {
  return normText(t)
    .replace(/[-—=·•▼▽>»:：|\s]/g, '')
    .replace(/^(请选择|选择)/, '')
    .replace(/(链接|列表)$/, '');
}

/** Links to other hosts in lists labelled as the unit's own websites (blocks under a label, or <select> menus). */
export function extractOwnSiteLists(html: string, pageUrl: string, siteUrl: string): OwnSiteLink[] {
  const out: OwnSiteLink[] = [];
  let $: ReturnType<typeof loadHtml>;
  try {
    $ = loadHtml(html);
  } catch {
    return out;
  }
  let ownHost = '';
  try {
    ownHost = new URL(siteUrl).host.toLowerCase().replace(/^www\./, '');
  } catch {
    /* keep empty */
  }
  const add = (name: string, href: string | undefined, label: string) => {
    if (!href || out.length >= MAX_ITEMS) return;
    const url = absoluteUrl(href, pageUrl);
    if (!url) return;
    const host = new URL(url).host.toLowerCase().replace(/^www\./, '');
    if (!host || host === ownHost) return;
    if (platformOfUrl(url)) return;
    if (out.some((o) => siteUrlKey(o.url) === siteUrlKey(url))) return;
    out.push({ name: normText(name).slice(0, 60), url, label, pageUrl });
  };
  // <select> menus: the first option (or the select's title) is the label.
  for (const sel of elementsNamed($, 'select')) {
    const opts = findElements(sel, (e) => e.name === 'option');
    const first = opts[0];
    const label = cleanLabel(sel.attribs.title ?? '') || (first ? cleanLabel(textContent(first)) : '');
    const prevLabel = label && OWN_LIST.test(label) ? label : cleanLabel(previousLabelText(sel));
    const use = OWN_LIST.test(label) ? label : OWN_LIST.test(prevLabel) ? prevLabel : '';
    if (!use) continue;
    for (const o of opts) add(textContent(o), o.attribs.value, use);
  }
  // Blocks: a short label element followed by links.
  const labels = findElements(bodyOrRoot($), (e) => {
    if (e.name === 'option' || e.name === 'select' || e.name === 'a') return false;
    const t = ownText(e);
    if (!t || t.length > 16) return false;
    if ((e.children ?? []).some((c) => isElement(c) && !['span', 'i', 'em', 'font', 'b', 'strong'].includes(c.name))) return false;
    return OWN_LIST.test(cleanLabel(t));
  });
  for (const l of labels) {
    const label = cleanLabel(ownText(l));
    let anchor: Element = l;
    let links: Element[] = [];
    for (let depth = 0; depth < 4 && links.length === 0; depth++) {
      for (const s of siblingsAfter(anchor)) {
        if (labels.includes(s) || findElements(s, (e) => labels.includes(e), 1).length) break;
        links.push(...(s.name === 'a' ? [s] : findElements(s, (e) => e.name === 'a')));
      }
      if (links.length === 0 && anchor.parent && isElement(anchor.parent as AnyNode)) anchor = anchor.parent as Element;
    }
    links = links.slice(0, MAX_ITEMS);
    for (const a of links) add(textContent(a), a.attribs.href, label);
  }
  return out;
}

/** The text of the element just before `el` (a label written beside a <select>). */
function previousLabelText(el: Element): string {
  const parent = el.parent as { children?: AnyNode[] } | null;
  const kids = parent?.children ?? [];
  for (let i = kids.indexOf(el) - 1; i >= 0; i--) {
    const t = normText(textContent(kids[i]));
    if (t) return t.slice(-16);
  }
  return '';
}
