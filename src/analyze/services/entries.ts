import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from '../dom.ts';
import { footerElements, isAncestor, visibleText } from '../footer.ts';
import { allElements, findElements, isElement } from '../walk.ts';
import { resolveUrl } from '../links.ts';
import type { LinkRef } from '../../model.ts';
import { labelPairs, normLabel } from './labels.ts';
import { isContentUrl } from '../classify.ts';
import { urlParts } from '../../runtime/url-parts.ts';

/**
 * Where a site's services are: the 办事服务 / 政务服务 / 网上办事 entries, the links into the province's integrated
 * platform (湖南政务服务网 and its department halls), the service items a hall lists (name, category, guide URL,
 * online-application URL) and whether the hall shows items by category (个人/法人, 主题, 部门). Pure.
 */

/** Anchor text of a service entry. */
export const SERVICE_ENTRY_RE = /办事服务|政务服务|网上办事|在线办事|网上办理|办事大厅|网上服务大厅|政务服务网|一网通办|便民服务|我要办|网上政务|政务大厅|服务大厅|办事指南|旗舰店|网上办事大厅/;
/** Platform hosts and paths (Hunan: zwfw-new.hunan.gov.cn, zwfw.hunan.gov.cn; elsewhere *zwfw*, *zwdt*, *bsdt*). */
const PLATFORM_HOST_RE = /(?:^|\.)(?:zwfw(?:-new)?|zwdt|wsbs|bsdt|zxbs|ggfw|tzxm)\.[a-z0-9.-]*gov\.cn$|(?:^|\.)zwfw\.gov\.cn$/i;
const PLATFORM_PATH_RE = /\/hnywtb\/|\/hnzwfw\/|\/hnvirtualhall\/|\/portal\/branch-hall|\/branch-hall|\/serviceguide\//i;
/** Guide pages by URL (platform and CMS conventions). */
const GUIDE_URL_RE = /guide|bszn|fwzn|serviceguide|banshizhinan|sxxq|itemdetail|taskdetail|znxq|guideinfo|bsznxq|workguide|matterdetail|itemguide/i;
const GUIDE_TEXT_RE = /^(?:查看)?(?:办事|服务|办理)?指南$|^查看详情$|^详情$|^事项详情$/;
const APPLY_TEXT_RE = /^(?:在线|网上|立即|我要)(?:办理|申请|申报|预约|办)$|^在线办$|^申报$|^办理$|^去办理$|^网上办$/;
const DOC_URL = /\.(?:docx?|xlsx?|wps|et|pdf|zip|rar|7z|ofd|txt|rtf)(?:$|[?#])/i;
/** Breadcrumbs and location bars are not item rows. */
const CRUMB_RE = /当前位置|您的位置|所在位置|首页\s*[>＞»]/;
const APPLY_URL_RE = /apply|shenbao|declare|onlinehandle|transact(?!.*guide)|wsbl|online-?apply|sbxx/i;

export type Where = 'site' | 'platform';

/** Is this URL on the province's integrated platform (or another platform host)? */
export function isPlatformUrl(url: string): boolean {
  const u = urlParts(url);
  return !!u && (PLATFORM_HOST_RE.test(u.hostname) || PLATFORM_PATH_RE.test(u.pathname));
}

export function isGuideUrl(url: string): boolean {
  const u = urlParts(url);
  return !!u && GUIDE_URL_RE.test(u.pathname + u.search);
}

export function isApplyLink(text: string, url: string): boolean {
  const t = normText(text).replace(/\s+/g, '');
  if (APPLY_TEXT_RE.test(t)) return true;
  const u = urlParts(url);
  return !!u && !GUIDE_URL_RE.test(u.pathname + u.search) && APPLY_URL_RE.test(u.pathname + u.search) && t.length <= 8;
}

export interface ServiceEntry {
  /** The page carrying the link. */
  page: string;
  target: string;
  text: string;
  /** entry: a 办事服务-type link; platform: a link into the platform (any text). */
  kind: 'entry' | 'platform';
  inFooter: boolean;
}

/** Service entries and platform links among a page's outgoing links (anchors only). */
export function serviceEntries(pageUrl: string, links: readonly LinkRef[]): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    if (l.kind !== 'a') continue;
    if (!/^https?:/i.test(l.target)) continue;
    const text = normText(l.text ?? '');
    // A section entry is a short label (网上办事大厅, 湖南政务服务网青山旗舰店), not a news title that mentions 政务服务.
    const entry = SERVICE_ENTRY_RE.test(text) && text.length <= 16 && !isContentUrl(l.target);
    const platform = isPlatformUrl(l.target);
    if (!entry && !platform) continue;
    if (seen.has(l.target)) continue;
    seen.add(l.target);
    out.push({ page: pageUrl, target: l.target, text, kind: entry ? 'entry' : 'platform', inFooter: !!l.inFooter });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Categories

export type CategoryKind = 'person' | 'legal' | 'theme' | 'department';

export const CATEGORY_ZH: Record<CategoryKind, string> = { person: '个人', legal: '法人', theme: '主题', department: '部门' };

const CATEGORY_RES: { kind: CategoryKind; re: RegExp }[] = [
  { kind: 'person', re: /^(?:个人(?:办事|服务|事项|办理)?|自然人(?:办事|服务|事项)?|面向个人|按人生事件|人生事件|个人主题)$/ },
  { kind: 'legal', re: /^(?:法人(?:办事|服务|事项|办理)?|企业(?:办事|服务|事项)?|面向法人|面向企业|按企业生命周期|企业生命周期|法人主题|法人和其他组织)$/ },
  { kind: 'theme', re: /^(?:按主题|主题(?:分类|服务|事项|导航)?|热门主题|主题集成服务|按主题分类|特色主题)$/ },
  { kind: 'department', re: /^(?:按部门|部门(?:分类|服务|事项|导航)?|部门办事|按部门分类|部门服务导航)$/ },
];

/** Which category a label names, or null. */
export function categoryOf(label: string): CategoryKind | null {
  const n = normLabel(label);
  for (const { kind, re } of CATEGORY_RES) if (re.test(n)) return kind;
  return null;
}

/** Category labels shown on a page (tabs, headings, navigation items), by kind. */
export function categoryMarks($: CheerioAPI): Partial<Record<CategoryKind, string[]>> {
  const out: Partial<Record<CategoryKind, string[]>> = {};
  const footers = footerElements($);
  for (const el of allElements($)) {
    if (!['a', 'li', 'span', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'dt', 'th', 'button', 'p', 'strong', 'b', 'option', 'label'].includes(el.name)) continue;
    const kids = (el.children ?? []).filter(isElement) as Element[];
    if (kids.some((k) => !['a', 'span', 'i', 'em', 'strong', 'b', 'img', 'font'].includes(k.name))) continue;
    const t = normText(visibleText(el));
    if (!t || t.length > 12) continue;
    const kind = categoryOf(t);
    if (!kind) continue;
    if (footers.some((f) => isAncestor(f, el))) continue;
    const list = (out[kind] ??= []);
    if (!list.includes(t)) list.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Items

export interface ServiceItem {
  name: string;
  /** 个人 / 法人 / 主题 / 部门 label the item is shown under, when the page groups items. */
  category?: string;
  categoryKind?: CategoryKind;
  guideUrl?: string;
  applyUrl?: string;
  /** The page listing the item. */
  listedOn: string;
}

const CONTAINERS = new Set(['li', 'tr', 'dd', 'dl', 'div', 'p', 'section', 'article']);

function textOf(el: AnyNode): string {
  return normText(visibleText(el));
}

function anchorsIn(el: Element): Element[] {
  return findElements(el, (e) => e.name === 'a', 50);
}

function hrefOf(a: Element, base: string): string | null {
  const h = (a.attribs?.href ?? '').trim();
  if (!h || /^(?:javascript:|#|mailto:|tel:)/i.test(h)) return null;
  return resolveUrl(h, base);
}

/**
 * Service items listed on a hall page: rows (li / tr / div) carrying a guide link (办事指南, or a guide-like URL on
 * the item's name) and/or an online-application link (在线办理). An item whose row has no guide link has no guide.
 * Items are grouped under the category (tab, heading) whose panel holds them.
 */
export function extractServiceItems(html: string, pageUrl: string): ServiceItem[] {
  const $ = loadHtml(html);
  const footers = footerElements($);
  const inFooter = (el: Element) => footers.some((f) => f === el || isAncestor(f, el));
  // Category panels: tabs / headings whose label is a category.
  const groups = labelPairs($, { accept: (n) => categoryOf(n) !== null, exclude: inFooter })
    .filter((p) => p.valueEls.length > 0)
    .map((p) => ({ label: normLabel(p.label), kind: categoryOf(p.label)!, els: p.valueEls }));
  const categoryFor = (el: Element) => {
    for (const g of groups) if (g.els.some((v) => v === el || isAncestor(v, el))) return g;
    return undefined;
  };

  const rows = new Map<Element, { guide?: string; apply?: string; nameA?: Element }>();
  for (const a of findElements(($('body')[0] as AnyNode) ?? $.root()[0], (e) => e.name === 'a', 5000)) {
    if (inFooter(a)) continue;
    const text = normText(visibleText(a)).replace(/\s+/g, '');
    const url = hrefOf(a, pageUrl);
    const isGuideAction = GUIDE_TEXT_RE.test(text);
    const isApply = url ? isApplyLink(text, url) : APPLY_TEXT_RE.test(text);
    const isNameGuide = !!url && !isGuideAction && !isApply && isGuideUrl(url) && !DOC_URL.test(url) && text.length >= 4;
    if (!isGuideAction && !isApply && !isNameGuide) continue;
    // The row: the nearest container holding at most a few links.
    let row: Element | undefined;
    for (let p = a.parent as AnyNode | null, d = 0; p && d < 5; p = p.parent as AnyNode | null, d++) {
      if (!isElement(p) || !CONTAINERS.has((p as Element).name)) continue;
      if (anchorsIn(p as Element).length <= 4) row = p as Element;
      break;
    }
    if (!row) continue;
    const r = rows.get(row) ?? {};
    if (isGuideAction || isNameGuide) {
      if (url && !r.guide) r.guide = url;
      if (isNameGuide && !r.nameA) r.nameA = a;
    }
    if (isApply && url && !r.apply) r.apply = url;
    if (isApply && !url) r.apply = r.apply ?? '';
    rows.set(row, r);
  }

  const out: ServiceItem[] = [];
  for (const [row, r] of rows) {
    let name = r.nameA ? textOf(r.nameA) : '';
    if (!name) {
      // The row's text without the action links.
      const actions = anchorsIn(row).filter((a) => {
        const t = normText(visibleText(a)).replace(/\s+/g, '');
        return GUIDE_TEXT_RE.test(t) || APPLY_TEXT_RE.test(t);
      });
      let t = textOf(row);
      for (const a of actions) t = t.replace(normText(visibleText(a)), ' ');
      name = normText(t.replace(/[|｜【】\[\]]/g, ' '));
    }
    name = name.slice(0, 80);
    if (name.length < 2 || CRUMB_RE.test(textOf(row))) continue;
    const g = categoryFor(row);
    const item: ServiceItem = { name, listedOn: pageUrl };
    if (g) {
      item.category = g.label;
      item.categoryKind = g.kind;
    }
    if (r.guide) item.guideUrl = r.guide;
    if (r.apply) item.applyUrl = r.apply;
    out.push(item);
  }
  return out;
}

/**
 * Items from a platform's JSON list answer: arrays of objects with a name field; URL-valued fields whose key says
 * guide / apply become the links (relative URLs resolve against `base`).
 */
export function serviceItemsFromJson(json: unknown, base: string, listedOn: string): ServiceItem[] {
  const out: ServiceItem[] = [];
  const stack: { v: unknown; d: number }[] = [{ v: json, d: 0 }];
  let visited = 0;
  while (stack.length && visited < 5000 && out.length < 2000) {
    const { v, d } = stack.pop()!;
    visited++;
    if (!v || typeof v !== 'object' || d > 6) continue;
    if (!Array.isArray(v)) {
      for (const x of Object.values(v as Record<string, unknown>)) if (x && typeof x === 'object') stack.push({ v: x, d: d + 1 });
      continue;
    }
    for (const el of v.slice(0, 2000)) {
      if (!el || typeof el !== 'object' || Array.isArray(el)) continue;
      const o = el as Record<string, unknown>;
      const nameEntry = Object.entries(o).find(([k, x]) => /^(?:taskname|itemname|servicename|name|sxmc|title|mattername)$/i.test(k.replace(/[_-]/g, '')) && typeof x === 'string' && x.trim());
      if (!nameEntry) {
        for (const x of Object.values(o)) if (x && typeof x === 'object') stack.push({ v: x, d: d + 1 });
        continue;
      }
      const item: ServiceItem = { name: normText(String(nameEntry[1])).slice(0, 80), listedOn };
      for (const [k, x] of Object.entries(o)) {
        if (typeof x !== 'string' || !x.trim()) continue;
        const key = k.toLowerCase();
        if (/url|link|href/.test(key)) {
          const u = resolveUrl(x.trim(), base);
          if (!u) continue;
          if (/guide|zn|detail/.test(key) && !item.guideUrl) item.guideUrl = u;
          else if (/apply|online|handle|transact|bl/.test(key) && !item.applyUrl) item.applyUrl = u;
        } else if (/serviceobject|servicetype|category|fwdx|type/.test(key.replace(/[_-]/g, ''))) {
          const kind = categoryOf(x) ?? (/个人|自然人/.test(x) ? 'person' : /法人|企业/.test(x) ? 'legal' : null);
          if (kind) {
            item.category = normText(x).slice(0, 20);
            item.categoryKind = kind;
          }
        }
      }
      out.push(item);
    }
  }
  return out;
}
