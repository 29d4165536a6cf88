import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { normText } from '../dom.ts';
import { normalizeLabel } from '../labels.ts';
import { bodyOrRoot, findElements, isElement } from '../walk.ts';

/**
 * Label/value pairs of a page, the way people read them: a table cell followed by its value cell (two or four columns
 * a row), `<dt>`/`<dd>`, "标签：值" lines, a heading followed by its section, and tab bars whose tabs name the panels.
 * Label-based, not class-based, so that different CMS templates read the same. Labels are compared as the shared
 * helper (src/analyze/labels.ts) normalises them: no spacing of any kind, no zero-width characters (办 理 地 点).
 */

export type PairVia = 'table' | 'dl' | 'inline' | 'heading' | 'tab';

export interface LabelPair {
  /** The label as shown (trimmed). */
  label: string;
  /** normLabel(label). */
  norm: string;
  /** The value text (whitespace collapsed, at most 4,000 chars). '' when the label stands without a value. */
  value: string;
  via: PairVia;
  labelEl: Element;
  /** The elements holding the value (for material tables and download links). */
  valueEls: Element[];
  /** A tab whose panel could not be found: the label exists, its value is unknown. */
  panelUnknown?: boolean;
}

const MAX_LABEL = 14;
const MAX_VALUE = 4000;

/** A label without decoration: no spaces, numbering, brackets, required-field stars or trailing colon. */
export function normLabel(s: string): string {
  let t = normalizeLabel(s);
  t = t.replace(/^[*＊※]+/, '').replace(/[*＊※]+$/, '');
  t = t.replace(/^(?:[（(]?[一二三四五六七八九十]+[）)、.．]|[（(]?\d{1,2}[）)、.．](?!\d)|[①-⑳])/, '');
  t = t.replace(/^[【\[〔「]+|[】\]〕」]+$/g, '');
  t = t.replace(/[：:]+$/, '');
  t = t.replace(/^[【\[〔「]+|[】\]〕」]+$/g, '');
  return t;
}

/** Could this text be a label (short, no sentence punctuation)? */
export function looksLikeLabel(text: string): boolean {
  const n = normLabel(text);
  if (n.length < 2 || n.length > MAX_LABEL) return false;
  if (/[。；;，,！!？?]/.test(n)) return false;
  if (/^\d+$/.test(n)) return false;
  return true;
}

const TEXT_BLOCKS = new Set(['p', 'div', 'li', 'span', 'td', 'th', 'dd', 'dt', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'section', 'article', 'strong', 'b', 'label', 'em', 'font', 'a']);
const HEADINGS = /^h[1-6]$/;
const INLINE = new Set(['span', 'strong', 'b', 'em', 'i', 'font', 'label', 'a', 'u', 'small', 'sup', 'sub', 'br', 'img']);
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'select', 'option', 'textarea']);

/** Visible text of a subtree, stopping once it has enough (a hostile page's nested blocks stay linear). */
function boundedText(root: AnyNode, max: number): string {
  const parts: string[] = [];
  let size = 0;
  const stack: AnyNode[] = [root];
  while (stack.length && size < max) {
    const n = stack.pop()!;
    if (n.type === 'text') {
      const d = (n as unknown as { data: string }).data;
      parts.push(d);
      size += d.length;
      continue;
    }
    if (!isElement(n) || SKIP.has((n as Element).name) || n.type === 'script' || n.type === 'style') {
      if (n.type !== 'root') continue;
    }
    const el = n as Element;
    if (el.name && /^(?:p|div|li|tr|td|th|br|dd|dt|h\d|section|table|ul|ol)$/.test(el.name)) parts.push(' ');
    const kids = el.children ?? [];
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  return parts.join('');
}

function text(el: AnyNode): string {
  return normText(boundedText(el, MAX_VALUE * 2)).slice(0, MAX_VALUE);
}

function elementChildren(el: Element): Element[] {
  return (el.children ?? []).filter((c) => isElement(c)) as Element[];
}

function hasOnlyInlineChildren(el: Element): boolean {
  return elementChildren(el).every((c) => INLINE.has(c.name));
}

function nextElement(el: Element): Element | undefined {
  let n = el.nextSibling as AnyNode | null;
  while (n && !(isElement(n) && !SKIP.has((n as Element).name))) n = n.nextSibling as AnyNode | null;
  return (n as Element) ?? undefined;
}

function inSkipped(el: Element): boolean {
  for (let p = el.parent as AnyNode | null; p; p = p.parent as AnyNode | null) {
    if (isElement(p) && SKIP.has(p.name)) return true;
  }
  return false;
}

export interface PairOptions {
  /** Elements to leave out (e.g. the footer): pairs inside them are skipped. */
  exclude?: (el: Element) => boolean;
  /** Only labels for which this returns true are kept (the rest are still used to bound sections). */
  accept?: (norm: string) => boolean;
  /** At most this many pairs (default 2,000). */
  max?: number;
}

/** Every label/value pair of a parsed page, in document order. */
export function labelPairs($: CheerioAPI, opts: PairOptions = {}): LabelPair[] {
  const max = opts.max ?? 2000;
  const out: LabelPair[] = [];
  const seenLabelEls = new Set<Element>();
  const accept = (norm: string) => (opts.accept ? opts.accept(norm) : true);
  const excluded = (el: Element) => (opts.exclude ? opts.exclude(el) : false);
  const push = (p: LabelPair) => {
    if (out.length >= max || seenLabelEls.has(p.labelEl)) return;
    if (!accept(p.norm)) return;
    seenLabelEls.add(p.labelEl);
    out.push(p);
  };
  const roots = bodyOrRoot($);
  const all = findElements(roots, (el) => !SKIP.has(el.name), 200_000).filter((el) => !inSkipped(el));

  // 1. Table rows: label cell followed by a value cell (label|value or label|value|label|value).
  for (const tr of all) {
    if (tr.name !== 'tr' || excluded(tr)) continue;
    const cells = elementChildren(tr).filter((c) => c.name === 'td' || c.name === 'th');
    if (cells.length < 2) continue;
    // A header row (every cell a short label and the next row has as many cells) is a column header, not pairs.
    const texts = cells.map(text);
    if (cells.every((c) => c.name === 'th') && cells.length > 2) continue;
    for (let i = 0; i + 1 < cells.length; i++) {
      const lt = texts[i];
      if (!looksLikeLabel(lt) || !hasOnlyInlineChildren(cells[i])) continue;
      if (cells.length > 2 && i % 2 === 1) continue;
      const norm = normLabel(lt);
      push({ label: lt, norm, value: texts[i + 1], via: 'table', labelEl: cells[i], valueEls: [cells[i + 1]] });
    }
  }

  // 2. Definition lists.
  for (const dt of all) {
    if (dt.name !== 'dt' || excluded(dt)) continue;
    const lt = text(dt);
    if (!looksLikeLabel(lt)) continue;
    const dds: Element[] = [];
    for (let n = nextElement(dt); n && n.name === 'dd'; n = nextElement(n)) dds.push(n);
    push({ label: lt, norm: normLabel(lt), value: normText(dds.map(text).join(' ')).slice(0, MAX_VALUE), via: 'dl', labelEl: dt, valueEls: dds });
  }

  // 3. Tab bars: two or more sibling items that are all labels; panels by id (href/aria-controls/data-target) or
  //    by order in the container that follows the bar.
  const bars = new Set<Element>();
  for (const bar of all) {
    if (bars.size > 50 || excluded(bar)) continue;
    const kids = elementChildren(bar).filter((k) => !SKIP.has(k.name));
    if (kids.length < 2 || kids.length > 20) continue;
    if (!kids.every((k) => (k.name === 'li' || k.name === 'a' || k.name === 'span' || k.name === 'div' || k.name === 'button') && hasOnlyInlineChildren(k))) continue;
    const labels = kids.map(text);
    if (!labels.every((l) => looksLikeLabel(l))) continue;
    if (!labels.some((l) => accept(normLabel(l)))) continue;
    bars.add(bar);
    const panels = tabPanels($, bar, kids, all);
    kids.forEach((k, i) => {
      const panel = panels[i];
      push({
        label: labels[i],
        norm: normLabel(labels[i]),
        value: panel ? text(panel) : '',
        via: 'tab',
        labelEl: k,
        valueEls: panel ? [panel] : [],
        ...(panel ? {} : { panelUnknown: true }),
      });
    });
  }

  // 4. "标签：值" in one block, and a heading-like label followed by its section.
  for (const el of all) {
    if (!TEXT_BLOCKS.has(el.name) || excluded(el) || seenLabelEls.has(el)) continue;
    if (el.name === 'td' || el.name === 'th' || el.name === 'dt') continue;
    if (ancestorIn(el, seenLabelEls)) continue;
    if (!hasOnlyInlineChildren(el)) continue;
    const t = text(el);
    if (!t) continue;
    const m = /^([^：:]{2,16})[：:]\s*([\s\S]*)$/.exec(t);
    if (m && looksLikeLabel(m[1])) {
      const norm = normLabel(m[1]);
      let value = m[2].trim();
      const valueEls: Element[] = [el];
      // "<span>申请条件：</span>" alone in its block: the value follows in the next block(s).
      if (!value) {
        const sec = sectionAfter(el, accept);
        value = sec.text;
        valueEls.push(...sec.els);
      }
      push({ label: m[1].trim(), norm, value, via: 'inline', labelEl: el, valueEls });
      continue;
    }
    if (!(HEADINGS.test(el.name) || el.name === 'strong' || el.name === 'b' || el.name === 'div' || el.name === 'p' || el.name === 'span')) continue;
    if (!looksLikeLabel(t)) continue;
    const norm = normLabel(t);
    if (!accept(norm)) continue;
    const sec = sectionAfter(el, accept);
    if (!sec.els.length) continue;
    push({ label: t, norm, value: sec.text, via: 'heading', labelEl: el, valueEls: sec.els });
  }
  return out;
}

function ancestorIn(el: Element, set: Set<Element>, levels = 4): boolean {
  let p = el.parent as AnyNode | null;
  for (let i = 0; p && i < levels; i++, p = p.parent as AnyNode | null) if (isElement(p) && set.has(p)) return true;
  return false;
}

/**
 * The blocks after a heading-like label up to the next label: a known label (accept), a sibling styled as the label
 * (same tag and class, label-like), or a heading.
 */
function sectionAfter(el: Element, accept: (norm: string) => boolean): { text: string; els: Element[] } {
  let anchor: Element = el;
  // A label wrapped alone in its parent (<div class="t"><h3>申请条件</h3></div>): the section follows the parent.
  while (!nextElement(anchor) && anchor.parent && isElement(anchor.parent as AnyNode) && elementChildren(anchor.parent as Element).length === 1) {
    anchor = anchor.parent as Element;
  }
  const els: Element[] = [];
  let size = 0;
  for (let n = nextElement(anchor); n && els.length < 40 && size < MAX_VALUE; n = nextElement(n)) {
    const nt = text(n);
    const labelish = hasOnlyInlineChildren(n) && looksLikeLabel(nt.replace(/[：:]\s*$/, ''));
    if (labelish && accept(normLabel(nt))) break;
    if (labelish && n.name === anchor.name && attr(n, 'class') === attr(anchor, 'class') && attr(n, 'class') !== '') break;
    if (HEADINGS.test(n.name) && labelish) break;
    if (/^[^：:]{2,16}[：:]/.test(nt) && accept(normLabel(nt.split(/[：:]/)[0]))) break;
    // A block that starts with a known label (a tab bar, the next "标签：值" block) starts another section.
    if (accept(normLabel(nt.split(/[\s：:]/)[0] ?? ''))) break;
    els.push(n);
    size += text(n).length;
  }
  return { text: normText(els.map(text).join(' ')).slice(0, MAX_VALUE), els };
}

function attr(el: Element, name: string): string {
  return (el.attribs?.[name] ?? '').trim();
}

function idTarget(k: Element): string | undefined {
  const a = k.name === 'a' ? k : (elementChildren(k).find((c) => c.name === 'a') as Element | undefined);
  const cands = [attr(k, 'aria-controls'), attr(k, 'data-target'), attr(k, 'data-tab'), attr(k, 'data-id'), a ? attr(a, 'href') : '', a ? attr(a, 'data-target') : ''];
  for (const c of cands) {
    const m = /^#?([A-Za-z][\w-]*)$/.exec(c);
    if (m && (c.startsWith('#') || c === attr(k, 'aria-controls') || c === attr(k, 'data-tab') || c === attr(k, 'data-target'))) return m[1];
  }
  return undefined;
}

function tabPanels($: CheerioAPI, bar: Element, tabs: Element[], all: Element[]): (Element | undefined)[] {
  const ids = tabs.map(idTarget);
  if (ids.some(Boolean)) {
    const byId = new Map<string, Element>();
    for (const el of all) {
      const id = attr(el, 'id');
      if (id && !byId.has(id)) byId.set(id, el);
    }
    const found = ids.map((id) => (id ? byId.get(id) : undefined));
    if (found.some(Boolean)) return found;
  }
  // By order: the first following element (after the bar or one of its wrappers) with at least as many block
  // children as there are tabs.
  void $;
  for (let anchor: Element | null = bar, depth = 0; anchor && depth < 3; anchor = (anchor.parent as Element) ?? null, depth++) {
    for (let n = nextElement(anchor), hops = 0; n && hops < 3; n = nextElement(n), hops++) {
      const kids = elementChildren(n).filter((k) => !SKIP.has(k.name));
      if (kids.length === tabs.length) return kids;
    }
  }
  return tabs.map(() => undefined);
}
