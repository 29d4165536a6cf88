import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { elementsNamed, findElements, outermost } from './walk.ts';
import { spacedLabelSource } from './labels.ts';

/**
 * Finds the page's footer area (页面底部功能区). Real CMS templates vary: <footer>, div#footer / .foot / .bottom /
 * .copyright, tables near the end of <body>, unnamed trailing blocks. Strategy: explicit footer-like containers first
 * (a "foot"/"bottom" class in the middle of the page only counts when it carries footer words); then, when nothing
 * footer-like sits near the end of the document, the last blocks of <body> (or of the single wrapper that holds the
 * whole page) that carry typical footer words (主办, 备案, 网站标识码, 版权).
 */
// Footer-like containers: <footer>, #_jiucuo_, and any element whose id or class contains foot / footer / bottom /
// copyright (case-insensitive) — see footerCandidates().

/** Footer words, also when spaced out for alignment (主&nbsp;办, 主　　办, 版 权 所 有). */
const FOOTER_WORDS = new RegExp(['主办', '承办', '备案', '网站标识码', '版权所有', '公网安备'].map(spacedLabelSource).join('|') + '|copyright|ICP', 'i');

/** Tags that never form a footer block themselves. */
const NON_BLOCK = new Set(['html', 'head', 'body', 'style', 'link', 'meta', 'title', 'base', 'noscript', 'template', 'br', 'hr', 'input', 'option', 'select']);
/** Tags whose text is not page text. */
const NO_TEXT = new Set(['script', 'style', 'noscript', 'template', 'textarea']);

/** Share of the document (by element order) after which an element counts as "near the end". */
const NEAR_END = 0.6;

interface DocOrder {
  /** Document-order index of each element (start tag). */
  start: Map<AnyNode, number>;
  /** Index of the last descendant of each element (end of its subtree). */
  end: Map<AnyNode, number>;
  total: number;
}

const orderCache = new WeakMap<CheerioAPI, DocOrder>();

/** Document-order positions of all elements of a parsed page (iterative walk: deep trees must not overflow). */
export function documentOrder($: CheerioAPI): DocOrder {
  const hit = orderCache.get($);
  if (hit) return hit;
  const start = new Map<AnyNode, number>();
  const end = new Map<AnyNode, number>();
  let i = 0;
  const root = $.root()[0] as AnyNode;
  const numbered = (n: AnyNode) => n.type === 'tag' || n.type === 'script' || n.type === 'style';
  // Depth-first, iteratively: the open nodes and, beside each, the index of its next child to visit.
  const nodes: AnyNode[] = [root];
  const next: number[] = [0];
  if (numbered(root)) start.set(root, i++);
  while (nodes.length) {
    const top = nodes.length - 1;
    const node = nodes[top];
    const kids = (node as Element).children;
    const k = next[top];
    if (kids && k < kids.length) {
      next[top] = k + 1;
      const kid = kids[k];
      if (numbered(kid)) start.set(kid, i++);
      nodes.push(kid);
      next.push(0);
    } else {
      nodes.pop();
      next.pop();
      if (numbered(node)) end.set(node, i - 1);
    }
  }
  const out = { start, end, total: i };
  orderCache.set($, out);
  return out;
}

/** Text of a subtree without script/style contents (cheerio's .text() includes them); `skip` leaves subtrees out. */
export function visibleText(node: AnyNode, skip?: ReadonlySet<AnyNode>): string {
  const parts: string[] = [];
  const stack: AnyNode[] = [node];
  let size = 0;
  while (stack.length && size < 2_000_000) {
    const n = stack.pop()!;
    if (n.type === 'text') {
      const d = (n as unknown as { data: string }).data;
      parts.push(d);
      size += d.length;
      continue;
    }
    if (n.type === 'comment' || n.type === 'directive') continue;
    if (skip?.has(n)) continue;
    const el = n as Element;
    if ((n.type === 'script' || n.type === 'style' || (n.type === 'tag' && NO_TEXT.has(el.name)))) continue;
    const kids = el.children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
    if (n.type === 'tag' && /^(p|div|li|tr|td|br|dd|dt|h\d|section|table|ul|ol)$/.test(el.name)) parts.push(' ');
  }
  return parts.join('');
}

/** All element descendants of a node (iterative, document order); cheerio's .find() is slow on big subtrees. */
export function descendants(node: AnyNode, limit = 200_000): Element[] {
  return findElements(node, () => true, limit);
}

function inHead(el: AnyNode): boolean {
  let p: AnyNode | null = el.parent;
  while (p) {
    if (p.type === 'tag' && (p as Element).name === 'head') return true;
    p = p.parent;
  }
  return false;
}

function hasDescendant(el: Element, names: Set<string>): boolean {
  const stack: AnyNode[] = [...(el.children ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if ((n.type === 'tag' || n.type === 'script') && names.has((n as Element).name)) return true;
    const kids = (n as Element).children;
    if (kids) stack.push(...kids);
  }
  return false;
}

const MEDIA_TAGS = new Set(['script', 'img', 'a', 'iframe']);

function tagChildren(el: AnyNode): Element[] {
  return (((el as Element).children ?? []) as AnyNode[]).filter(
    (n) => n.type === 'tag' && !NON_BLOCK.has((n as Element).name),
  ) as Element[];
}

/**
 * Trailing blocks of the page that carry footer words: the last children of <body>, or of the wrapper that holds
 * the whole page when <body> has only one or two element children.
 */
export function trailingFooterBlocks($: CheerioAPI, maxBlocks = 4): Element[] {
  const body = elementsNamed($, 'body')[0] as AnyNode | undefined;
  if (!body) return [];
  let container: AnyNode = body;
  let kids = tagChildren(container);
  for (let depth = 0; depth < 6 && kids.length > 0 && kids.length <= 2; depth++) {
    const last = kids[kids.length - 1];
    const inner = tagChildren(last);
    if (inner.length === 0) break;
    // If the last child alone carries footer words and is small, it is the footer block itself: stop here.
    if (kids.length === 2 && FOOTER_WORDS.test(visibleText(last)) && inner.length < 3) break;
    container = last;
    kids = inner;
  }
  // The contiguous run of trailing blocks carrying footer words (blocks without text, e.g. scripts' containers,
  // are skipped over; a block with text but no footer words ends the run).
  const out: Element[] = [];
  for (let i = kids.length - 1, seen = 0; i >= 0 && seen < maxBlocks; i--) {
    const text = visibleText(kids[i]).trim();
    if (!text) continue;
    seen++;
    if (FOOTER_WORDS.test(text)) out.push(kids[i]);
    else if (out.length) break;
  }
  return out;
}

const footerCache = new WeakMap<CheerioAPI, Element[]>();

export function footerElements($: CheerioAPI): Element[] {
  const hit = footerCache.get($);
  if (hit) return [...hit];
  const result = computeFooterElements($);
  footerCache.set($, result);
  return [...result];
}

/** id/class words of footer-like containers (the selectors [id*="foot" i], [class*="bottom" i] … in one test). */
const FOOTER_ATTR = /foot|bottom|copyright/i;

/**
 * Footer-like containers, found in one walk over the tree (the selectors one by one cost ten
 * passes and ten selector parses per page, on the crawler's hot path).
 */
function footerCandidates($: CheerioAPI): { el: Element; unconditional: boolean }[] {
  const out: { el: Element; unconditional: boolean }[] = [];
  const stack: AnyNode[] = [$.root()[0] as AnyNode];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'tag' || n.type === 'script' || n.type === 'style') {
      const el = n as Element;
      const a = el.attribs ?? {};
      if (el.name === 'footer' || a.id === '_jiucuo_') out.push({ el, unconditional: true });
      else if ((a.id && FOOTER_ATTR.test(a.id)) || (a.class && FOOTER_ATTR.test(a.class))) out.push({ el, unconditional: false });
    }
    const kids = (n as Element).children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  return out;
}

function computeFooterElements($: CheerioAPI): Element[] {
  const found = new Set<Element>();
  const order = documentOrder($);
  const nearEnd = (el: Element) => (order.end.get(el) ?? 0) >= order.total * NEAR_END;
  for (const { el, unconditional } of footerCandidates($)) {
    if ((el.type !== 'tag' && el.type !== 'script') || NON_BLOCK.has(el.name) || el.name === 'style') continue;
    if (inHead(el)) continue;
    if (!unconditional) {
      // A "foot"/"bottom" class on an element unrelated to the page footer (a list's foot, "margin-bottom"
      // helpers, a news box's bottom bar) is ignored unless it carries footer words, or it sits near the end of
      // the page and holds text, scripts, images or links (a footer written by JS, a badge row).
      const text = visibleText(el);
      if (!FOOTER_WORDS.test(text) && !(nearEnd(el) && (hasDescendant(el, MEDIA_TAGS) || text.trim().length > 0))) continue;
    }
    found.add(el);
  }
  if (found.size === 0 || ![...found].some(nearEnd)) {
    for (const el of trailingFooterBlocks($)) found.add(el);
  }
  // Keep outermost elements only.
  return outermost([...found]);
}

/** Is `a` a proper ancestor of `b`? */
export function isAncestor(a: AnyNode, b: AnyNode): boolean {
  let p = b.parent;
  while (p) {
    if (p === a) return true;
    p = p.parent;
  }
  return false;
}

/** A predicate telling whether a node sits inside one of the given footer elements. */
export function inFooterPredicate(footers: Element[]): (node: AnyNode) => boolean {
  const set = new Set<AnyNode>(footers);
  return (node) => {
    let p: AnyNode | null = node;
    while (p) {
      if (set.has(p)) return true;
      p = p.parent;
    }
    return false;
  };
}
