import type { AnyNode, Element } from 'domhandler';
import { isElement } from '../walk.ts';
import { normalizeLabel } from './labels.ts';

/**
 * Label/value pairs from any government page layout, by label: tables (a label cell and its value cell, or a header
 * row over value rows), `<dl>` (dt label, dd value), label and value in sibling spans, and free text with labels
 * (`来信时间：2021-05-01 回复时间：2021-05-03`). Every pair keeps the snippet it was read from.
 *
 * Pure and bounded: walks are iterative, texts are capped, hostile pages give fewer pairs, never an exception.
 */

export interface Pair<K extends string> {
  key: K;
  /** The label as written (normalised). */
  label: string;
  /** The value (whitespace collapsed, at most MAX_VALUE characters). */
  value: string;
  /** `label：value` as read, at most 160 characters. */
  snippet: string;
  /** How the pair was laid out. */
  layout: 'table' | 'table-header' | 'dl' | 'inline' | 'block';
}

export type LabelMatcher<K extends string> = (label: string) => K | undefined;

const MAX_VALUE = 4000;

/** Marks an inline element boundary (span, font, a …) inside a line: a separator for labels, a space in values. */
export const MARK = '\u2063';
const MARK_RE = /\u2063/g;
const INLINE_BOUNDARY = new Set(['span', 'a', 'font', 'b', 'strong', 'em', 'i', 'label', 'small', 'big', 'u', 'cite', 'abbr', 'time', 'sup', 'sub']);

/** A value as shown: boundary marks become spaces, whitespace collapsed. */
export function clean(s: string): string {
  return collapse(s.replace(MARK_RE, ' '));
}
const MAX_LINES_PER_VALUE = 60;
const MAX_LINES = 20_000;

const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'select', 'option', 'head', 'iframe', 'object', 'svg', 'button']);
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'center', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figure',
  'figcaption', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p',
  'pre', 'section', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'ul', 'textarea', 'legend', 'body', 'html',
]);

function collapse(s: string): string {
  return s.replace(/[\s\u00a0\u3000]+/g, ' ').trim();
}

function editable(el: Element): boolean {
  const a = el.attribs ?? {};
  return !('readonly' in a) && !('disabled' in a);
}

/** Visible-ish text of a node: text nodes, short image alts, read-only input values; scripts and editable inputs skipped. */
export function cellText(node: AnyNode, skip?: (el: Element) => boolean, max = 20_000): string {
  return clean(rawText(node, skip, max));
}

/** cellText with inline element boundaries kept as MARK (for label detection). */
export function rawText(node: AnyNode, skip?: (el: Element) => boolean, max = 20_000): string {
  let out = '';
  const stack: (AnyNode | string)[] = [node];
  while (stack.length && out.length < max) {
    const n = stack.pop()!;
    if (typeof n === 'string') {
      out += n;
      continue;
    }
    if (n.type === 'text') {
      out += (n as unknown as { data: string }).data;
      continue;
    }
    if (isElement(n)) {
      if (n !== node && skip?.(n)) continue;
      const name = n.name;
      if (SKIP_TAGS.has(name)) continue;
      if (name === 'img') {
        const alt = collapse(n.attribs?.alt ?? '');
        if (alt && alt.length <= 10) out += ' ' + alt + ' ';
        continue;
      }
      if (name === 'input') {
        const t = (n.attribs?.type ?? 'text').toLowerCase();
        if (t === 'text' && !editable(n)) out += ' ' + (n.attribs?.value ?? '') + ' ';
        continue;
      }
      if (name === 'textarea' && editable(n)) continue;
      if (BLOCK_TAGS.has(name)) out += ' ';
      else if (INLINE_BOUNDARY.has(name)) {
        out += MARK;
        stack.push(MARK);
      }
    } else if (n.type !== 'root') continue;
    const kids = (n as { children?: AnyNode[] }).children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  return collapse(out).slice(0, max);
}

/** Lines of text: a new line at every block element boundary and <br>. */
export function textLines(roots: AnyNode[], skip?: (el: Element) => boolean, maxLines = MAX_LINES): string[] {
  const lines: string[] = [];
  let cur = '';
  const flush = () => {
    const t = collapse(cur).replace(/^[\s\u2063]+|[\s\u2063]+$/g, '');
    if (t) lines.push(t.slice(0, MAX_VALUE));
    cur = '';
  };
  type Frame = { node: AnyNode; exit?: boolean; mark?: boolean };
  const stack: Frame[] = [];
  for (let k = roots.length - 1; k >= 0; k--) stack.push({ node: roots[k] });
  while (stack.length && lines.length < maxLines) {
    const { node: n, exit, mark } = stack.pop()!;
    if (exit) {
      flush();
      continue;
    }
    if (mark) {
      cur += MARK;
      continue;
    }
    if (n.type === 'text') {
      cur += (n as unknown as { data: string }).data;
      if (cur.length > MAX_VALUE * 2) flush();
      continue;
    }
    if (!isElement(n) && n.type !== 'root') continue;
    if (isElement(n)) {
      if (skip?.(n)) continue;
      const name = n.name;
      if (SKIP_TAGS.has(name)) continue;
      if (name === 'img') {
        const alt = collapse(n.attribs?.alt ?? '');
        if (alt && alt.length <= 10) cur += ' ' + alt + ' ';
        continue;
      }
      if (name === 'input') {
        const t = (n.attribs?.type ?? 'text').toLowerCase();
        if (t === 'text' && !editable(n)) cur += ' ' + (n.attribs?.value ?? '') + ' ';
        continue;
      }
      if (name === 'textarea' && editable(n)) continue;
      if (BLOCK_TAGS.has(name)) {
        flush();
        stack.push({ node: n, exit: true });
      } else if (INLINE_BOUNDARY.has(name)) {
        cur += MARK;
        stack.push({ node: n, mark: true });
      }
    }
    const kids = (n as { children?: AnyNode[] }).children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push({ node: kids[k] });
  }
  flush();
  return lines;
}

const CANDIDATE_RE = /([\u4e00-\u9fa5A-Za-z【】\[\]\u2063]{1,20})\s*[:：]/g;

interface LabelHit<K extends string> {
  key: K;
  label: string;
  /** Where the label starts in the line. */
  start: number;
  /** Where its value starts (after the colon). */
  valueStart: number;
}

/** Labels followed by a colon inside one line (the longest recognised tail of the words before each colon). */
function inlineLabels<K extends string>(line: string, match: LabelMatcher<K>): LabelHit<K>[] {
  const out: LabelHit<K>[] = [];
  CANDIDATE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = CANDIDATE_RE.exec(line)) && guard++ < 200) {
    const word = m[1];
    for (let len = Math.min(word.length, 20); len >= 2; len--) {
      const tail = word.slice(word.length - len);
      if (tail.startsWith(MARK)) continue;
      const key = match(tail);
      if (!key) continue;
      const start = m.index + (word.length - len);
      // A label starts a line or follows a separator, never the middle of a running sentence.
      const before = line.slice(Math.max(0, start - 1), start);
      if (start === 0 || /[\s|｜,，;；。、】\]）)>》\u2063]/.test(before)) {
        out.push({ key, label: normalizeLabel(tail), start, valueStart: m.index + m[0].length });
        break;
      }
    }
  }
  return out;
}

function pairSnippet(label: string, value: string): string {
  const s = `${label}：${value}`;
  return s.length > 160 ? s.slice(0, 159) + '…' : s;
}

/** Pairs written inline in one text (`label：value label：value`); `null` when the text holds no inline label. */
export function inlinePairs<K extends string>(text: string, match: LabelMatcher<K>, layout: Pair<K>['layout'] = 'inline'): Pair<K>[] | null {
  const hits = inlineLabels(text, match);
  if (!hits.length) return null;
  const out: Pair<K>[] = [];
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i];
    const end = i + 1 < hits.length ? hits[i + 1].start : text.length;
    const value = clean(text.slice(h.valueStart, end)).replace(/^[|｜]+|[|｜,，;；]+$/g, '').trim().slice(0, MAX_VALUE);
    out.push({ key: h.key, label: h.label, value, snippet: pairSnippet(h.label, value), layout });
  }
  return out;
}

/** Is the whole text one label (optionally with a colon and nothing after it)? */
function labelOnly<K extends string>(text: string, match: LabelMatcher<K>): K | undefined {
  const t = clean(text);
  if (!t || t.length > 16) return undefined;
  if (/[:：]\s*\S/.test(t)) return undefined;
  return match(t);
}

function directCells(tr: Element): Element[] {
  return tr.children.filter((c): c is Element => isElement(c) && (c.name === 'td' || c.name === 'th'));
}

function hasDescendant(el: Element, name: string): boolean {
  const stack: AnyNode[] = [...el.children];
  let n = 0;
  while (stack.length && n++ < 50_000) {
    const c = stack.pop()!;
    if (!isElement(c)) continue;
    if (c.name === name) return true;
    stack.push(...c.children);
  }
  return false;
}

function allElementsUnder(roots: AnyNode[], limit = 200_000): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [];
  for (let k = roots.length - 1; k >= 0; k--) stack.push(roots[k]);
  while (stack.length && out.length < limit) {
    const n = stack.pop()!;
    if (isElement(n)) out.push(n);
    const kids = (n as { children?: AnyNode[] }).children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  return out;
}

export interface PairOptions {
  /** Elements to leave out (footers, navigation). */
  skip?: (el: Element) => boolean;
  /** Keys whose value may run over several following lines (reply text, letter content). */
  multiline?: ReadonlySet<string>;
}

/**
 * Every labelled pair under `roots`, in document order of discovery: table pairs first, then `<dl>` pairs, then
 * label/value text in the remaining content. A key may occur several times (a form's empty 标题 after the
 * letter's): callers pick.
 */
export function labelledPairs<K extends string>(roots: AnyNode[], match: LabelMatcher<K>, opts: PairOptions = {}): Pair<K>[] {
  const out: Pair<K>[] = [];
  const consumed = new Set<Element>();
  const skip = opts.skip;
  const els = allElementsUnder(roots).filter((e) => !skip?.(e));
  const skipped = (el: Element): boolean => {
    for (let n: AnyNode | null = el; n; n = n.parent as AnyNode | null) if (isElement(n) && skip?.(n)) return true;
    return false;
  };

  // 1. Tables.
  for (const tr of els) {
    if (tr.name !== 'tr' || consumed.has(tr) || skipped(tr)) continue;
    const cells = directCells(tr);
    if (!cells.length || cells.some((c) => hasDescendant(c, 'table'))) continue;
    const raws = cells.map((c) => rawText(c, skip));
    const texts = raws.map(clean);
    const nonEmpty = texts.filter((t) => t);
    const keys = texts.map((t) => (t ? labelOnly(t, match) : undefined));
    if (nonEmpty.length >= 2 && texts.every((t, i) => !t || keys[i])) {
      // A header row: values in the next row with as many cells.
      let next = tr.next as AnyNode | null;
      while (next && !(isElement(next) && next.name === 'tr')) next = next.next as AnyNode | null;
      if (next && isElement(next)) {
        const vcells = directCells(next);
        if (vcells.length === cells.length) {
          const vtexts = vcells.map((c) => cellText(c, skip));
          if (!vtexts.some((t) => t && labelOnly(t, match))) {
            keys.forEach((k, i) => {
              if (!k) return;
              const label = normalizeLabel(texts[i]);
              out.push({ key: k, label, value: vtexts[i].slice(0, MAX_VALUE), snippet: pairSnippet(label, vtexts[i]), layout: 'table-header' });
            });
            consumed.add(tr);
            consumed.add(next);
            continue;
          }
        }
      }
    }
    let found = false;
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i];
      if (!t) continue;
      const k = keys[i];
      if (k) {
        const label = normalizeLabel(t);
        const nextText = i + 1 < texts.length ? texts[i + 1] : '';
        const nextIsLabel = !!(nextText && labelOnly(nextText, match));
        const value = nextIsLabel ? '' : nextText;
        out.push({ key: k, label, value: value.slice(0, MAX_VALUE), snippet: pairSnippet(label, value), layout: 'table' });
        found = true;
        if (!nextIsLabel) i++;
        continue;
      }
      const inl = inlinePairs(raws[i], match);
      if (inl && inl.length && inlineLabels(raws[i], match)[0]?.start === 0) {
        out.push(...inl);
        found = true;
      }
    }
    if (found) consumed.add(tr);
  }

  // 2. Definition lists.
  for (const dt of els) {
    if (dt.name !== 'dt' || consumed.has(dt) || skipped(dt)) continue;
    const t = cellText(dt, skip);
    const k = labelOnly(t, match);
    if (!k) continue;
    let dd = dt.next as AnyNode | null;
    while (dd && !isElement(dd)) dd = dd.next as AnyNode | null;
    if (!dd || !isElement(dd) || dd.name !== 'dd') continue;
    const label = normalizeLabel(t);
    const value = cellText(dd, skip);
    out.push({ key: k, label, value: value.slice(0, MAX_VALUE), snippet: pairSnippet(label, value), layout: 'dl' });
    consumed.add(dt);
    consumed.add(dd);
  }

  // 3. Text lines of what is left.
  const lines = textLines(roots, (el) => consumed.has(el) || !!skip?.(el));
  out.push(...pairsFromLines(lines, match, opts.multiline));
  return out;
}

/** Label/value pairs from lines of text (inline `label：value`, or a label line followed by its value lines). */
/** Lines that end a value: form controls and page tools (验证码, 提交, 返回, 分享到, 打印本页 …), never part of a reply. */
const VALUE_STOP_RE = /^[\s\u2063]*(?:验证码|校验码|提交|重置|返回|取消|确定|关闭|分享到|打印本页|关闭窗口|【?字体|上一篇|下一篇|相关链接)/;

export function pairsFromLines<K extends string>(lines: string[], match: LabelMatcher<K>, multiline?: ReadonlySet<string>): Pair<K>[] {
  const out: Pair<K>[] = [];
  const startsWithLabel = (line: string): boolean => VALUE_STOP_RE.test(line) || !!labelOnly(line, match) || inlineLabels(line, match)[0]?.start === 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const only = labelOnly(line, match);
    if (only) {
      const label = normalizeLabel(line);
      const parts: string[] = [];
      const many = multiline?.has(only);
      for (let j = i + 1; j < lines.length && parts.length < (many ? MAX_LINES_PER_VALUE : 1); j++) {
        if (startsWithLabel(lines[j])) break;
        parts.push(clean(lines[j]));
        if (parts.join(' ').length > MAX_VALUE) break;
      }
      const value = parts.join('\n').slice(0, MAX_VALUE);
      out.push({ key: only, label, value, snippet: pairSnippet(label, value.replace(/\n/g, ' ')), layout: 'block' });
      i += parts.length;
      continue;
    }
    const inl = inlinePairs(line, match);
    if (!inl) continue;
    // A multi-line field written `回复内容：` with the text on the next lines.
    const last = inl[inl.length - 1];
    if (!last.value && multiline?.has(last.key)) {
      const parts: string[] = [];
      let j = i + 1;
      for (; j < lines.length && parts.length < MAX_LINES_PER_VALUE; j++) {
        if (startsWithLabel(lines[j])) break;
        parts.push(clean(lines[j]));
        if (parts.join(' ').length > MAX_VALUE) break;
      }
      last.value = parts.join('\n').slice(0, MAX_VALUE);
      last.snippet = pairSnippet(last.label, last.value.replace(/\n/g, ' '));
      last.layout = 'block';
      i += parts.length;
    }
    out.push(...inl);
  }
  return out;
}

/** The first pair of a key with a non-empty value, else the first pair of that key (empty), else undefined. */
export function pick<K extends string>(pairs: Pair<K>[], key: K): Pair<K> | undefined {
  let empty: Pair<K> | undefined;
  for (const p of pairs) {
    if (p.key !== key) continue;
    if (p.value) return p;
    empty ??= p;
  }
  return empty;
}
