import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

/**
 * Plain DOM walks for the analysis hot paths. A cheerio selector call (`$(el).find('a[href]')`, `$(el).text()`)
 * parses and compiles its selector and wraps nodes on every call; over thousands of pages with dozens of calls each,
 * that was most of the checks' time. These give the same answers: descendants in document order, text as cheerio's
 * `.text()` (every text node, script and style text included, comments excluded). Iterative, so a hostile deeply
 * nested page cannot overflow the stack.
 */

/** Is the node an element (including <script> and <style>, which htmlparser2 types separately)? */
export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

/** Descendant elements of `root` (not `root` itself) that pass `test`, in document order. */
export function findElements(root: AnyNode | readonly AnyNode[], test: (el: Element) => boolean, limit = Infinity): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [];
  const pushChildren = (n: AnyNode) => {
    const kids = (n as { children?: AnyNode[] }).children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  };
  if (Array.isArray(root)) for (let k = root.length - 1; k >= 0; k--) pushChildren(root[k]);
  else pushChildren(root as AnyNode);
  while (stack.length && out.length < limit) {
    const n = stack.pop()!;
    if (isElement(n) && test(n)) out.push(n);
    pushChildren(n);
  }
  return out;
}

/** The first descendant element of `root` that passes `test`, in document order. */
export function findElement(root: AnyNode, test: (el: Element) => boolean): Element | undefined {
  return findElements(root, test, 1)[0];
}

/** Text of a node as cheerio's `.text()` gives it; with `limit`, the walk stops once that many characters are read. */
export function textContent(node: AnyNode | undefined, limit = Infinity): string {
  if (!node) return '';
  if (node.type === 'text') return (node as unknown as { data: string }).data;
  if (node.type === 'comment') return '';
  let out = '';
  const stack: AnyNode[] = [node];
  while (stack.length && out.length < limit) {
    const n = stack.pop()!;
    if (n.type === 'text') {
      out += (n as unknown as { data: string }).data;
      continue;
    }
    if (n.type === 'comment') continue;
    const kids = (n as { children?: AnyNode[] }).children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  return out;
}

const byName = new WeakMap<object, Map<string, Element[]>>();
const ALL = '\0all';

/**
 * Every element of a parsed document with this tag name, in document order — like `$('p')` — from one walk of the
 * document that groups all elements by name, shared by every caller of the same parsed page.
 */
export function elementsNamed($: { root(): { toArray(): AnyNode[] } }, name: string): Element[] {
  let index = byName.get($);
  if (!index) {
    index = new Map();
    const all = findElements($.root().toArray(), () => true);
    index.set(ALL, all);
    for (const el of all) {
      const list = index.get(el.name);
      if (list) list.push(el);
      else index.set(el.name, [el]);
    }
    byName.set($, index);
  }
  return index.get(name) ?? [];
}

/** Every element of a parsed document, in document order (like `$('*')`), shared as elementsNamed's index is. */
export function allElements($: { root(): { toArray(): AnyNode[] } }): Element[] {
  return elementsNamed($, ALL);
}

/** The nearest of `el` and its ancestors whose tag name is in `names` (like cheerio's `.closest('li, a')`). */
export function closestNamed(el: AnyNode, names: ReadonlySet<string>): Element | undefined {
  for (let n: AnyNode | null = el; n; n = n.parent as AnyNode | null) {
    if (isElement(n) && names.has(n.name)) return n;
  }
  return undefined;
}

/** The <body> element(s) of a parsed page, in document order, else the document root (fragments, odd documents). */
export function bodyOrRoot($: { root(): { toArray(): AnyNode[] } }): AnyNode[] {
  const bodies = elementsNamed($, 'body');
  return bodies.length ? bodies : $.root().toArray();
}

/** The first element of a parsed document with this tag name (like `$('title').first()`), or undefined. */
export function firstNamed($: { root(): { toArray(): AnyNode[] } }, name: string): Element | undefined {
  return elementsNamed($, name)[0];
}

/**
 * Every element of the document that matches a CSS selector, in document order — what `$(selector)` gives, in
 * linear time. `$(selector)` hands the document's top-level nodes to the selector engine, which first removes nested
 * ones pairwise (domutils removeSubsets): quadratic in the number of top-level nodes, so a page whose content goes
 * on after `</html>`, or that has no <html>/<body> wrapper, took minutes. Here every element is tested once.
 * (Positional pseudo-classes such as :first or :eq are not supported; nothing needs them.)
 */
export function selectAll($: CheerioAPI, selector: string): Element[] {
  return $(allElements($)).filter(selector).toArray() as Element[];
}

/** Does `el` have a descendant element that passes `test`? (`$(el).find(sel).length > 0` without the selector engine.) */
export function hasDescendant(el: AnyNode, test: (e: Element) => boolean): boolean {
  return findElements(el, test, 1).length > 0;
}

/**
 * The members of `list` that have no proper ancestor in `list` (the outermost ones), in their order. One climb per
 * member against a set, instead of testing every pair: thousands of candidates (a hostile page of 100,000
 * `class="bottom"` blocks) stay linear.
 */
export function outermost<T extends AnyNode>(list: readonly T[]): T[] {
  if (list.length < 2) return [...list];
  const set = new Set<AnyNode>(list);
  return list.filter((el) => {
    for (let p = el.parent as AnyNode | null; p; p = p.parent as AnyNode | null) if (set.has(p)) return false;
    return true;
  });
}
