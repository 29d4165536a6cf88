import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText, parseHtml } from '../dom.ts';
import { bodyOrRoot, elementsNamed, isElement, textContent } from '../walk.ts';
import { findDatesInText, toHalfWidth } from '../dates.ts';
import { footerElements } from '../footer.ts';
import { matchLetterLabel, normalizeLabel, readStatus, type LetterField, type LetterState } from './labels.ts';
import { cellText, labelledPairs, pick, type Pair } from './records.ts';
import { absoluteUrl } from '../links.ts';

/**
 * Published letters (网民留言) of a message board, read by label from list pages (tables with header labels, `<dl>`
 * blocks, label/value spans, Hanweb `dataStore` fragments, JSON answers) and from letter detail pages. Each field
 * keeps the label and the snippet it came from (the evidence an inspector reads).
 */

export interface FieldRead {
  label: string;
  value: string;
  snippet: string;
}

/** How a letter page shows its reply: text present, only time/unit, labels present but empty, or no reply labels. */
export type ReplyBlock = 'filled' | 'partial' | 'empty' | 'absent';

export interface Letter {
  /** The letter's detail page (absolute), when the list links one. */
  url?: string;
  title?: string;
  /** 留言/来信/提交时间, YYYY-MM-DD (and the time of day when shown, HH:MM). */
  askedAt?: string;
  askedTime?: string;
  /** 回复/答复/办结时间, YYYY-MM-DD. */
  repliedAt?: string;
  repliedTime?: string;
  /** 处理/办理时间: shown by some boards instead of a reply time (not used as one for latencies). */
  handledAt?: string;
  publishedAt?: string;
  /** A date in a list row without any label (could be the question or the publication). */
  listDate?: string;
  status?: LetterState;
  statusKind?: 'not-answered' | 'in-progress';
  statusText?: string;
  replyUnit?: string;
  /** Reply text (at most 2,000 characters) and its full length. */
  replyText?: string;
  replyLength?: number;
  replyBlock?: ReplyBlock;
  satisfaction?: string;
  number?: string;
  category?: string;
  /** Every field read, by field name: label as shown, value, snippet. */
  fields: Partial<Record<LetterField, FieldRead>>;
  /** Where the row was read. */
  source: 'table' | 'rows' | 'blocks' | 'datastore' | 'json' | 'detail';
  /** Title says it is a test letter (测试). */
  test?: boolean;
  /** The page has a form to fill in where a reply would be: an empty reply label there says nothing. */
  replyForm?: boolean;
}

const MULTILINE = new Set<string>(['replyText', 'content', 'statusOrReply']);

function dateOf(value: string | undefined): { date?: string; time?: string } {
  if (!value) return {};
  const hit = findDatesInText(value)[0];
  if (!hit) return {};
  const rest = toHalfWidth(value.slice(value.indexOf(hit.raw) + hit.raw.length, value.indexOf(hit.raw) + hit.raw.length + 12));
  const t = /^\s*(\d{1,2}):(\d{2})/.exec(rest);
  return { date: hit.date, time: t ? `${t[1].padStart(2, '0')}:${t[2]}` : undefined };
}

const TEST_TITLE = /^(?:测试|test|ceshi)(?:\d*|信件|留言|数据)?$|^测试[\s\-_]/i;

/** Builds a letter from labelled pairs (first non-empty value of each field wins). */
export function letterFromPairs(pairs: Pair<LetterField>[], source: Letter['source']): Letter {
  const L: Letter = { fields: {}, source };
  const fields: LetterField[] = ['title', 'askedAt', 'repliedAt', 'handledAt', 'acceptedAt', 'publishedAt', 'replyUnit', 'acceptUnit', 'addressedTo', 'replyText', 'status', 'statusOrReply', 'asker', 'content', 'number', 'satisfaction', 'category'];
  for (const f of fields) {
    const p = pick(pairs, f);
    if (p) L.fields[f] = { label: p.label, value: p.value, snippet: p.snippet };
  }
  applyFields(L);
  return L;
}

/** Derives the typed properties of a letter from its `fields`. */
export function applyFields(L: Letter): Letter {
  const f = L.fields;
  if (f.title?.value) L.title = normText(f.title.value).slice(0, 300);
  const asked = dateOf(f.askedAt?.value);
  if (asked.date) {
    L.askedAt = asked.date;
    L.askedTime = asked.time;
  }
  const replied = dateOf(f.repliedAt?.value);
  if (replied.date) {
    L.repliedAt = replied.date;
    L.repliedTime = replied.time;
  }
  const handled = dateOf(f.handledAt?.value);
  if (handled.date) L.handledAt = handled.date;
  const pub = dateOf(f.publishedAt?.value);
  if (pub.date) L.publishedAt = pub.date;
  // 处理情况 / 办理情况: a status word, or the reply itself.
  const sor = f.statusOrReply;
  if (sor && !f.status && readStatus(sor.value).state !== 'unknown') f.status = sor;
  else if (sor && !f.replyText && sor.value.length > 8) f.replyText = sor;
  if (f.status?.value) {
    const st = readStatus(f.status.value);
    if (st.state !== 'unknown') {
      L.status = st.state;
      L.statusKind = st.kind;
      L.statusText = st.text;
    } else if (f.status.value.length > 15 && !f.replyText) {
      // 办理情况：经核实，…  — a reply written under a status label.
      f.replyText = f.status;
    }
  }
  if (f.replyUnit?.value) L.replyUnit = normText(f.replyUnit.value).slice(0, 100);
  else if (f.acceptUnit?.value && (f.replyText?.value || f.repliedAt?.value)) L.replyUnit = normText(f.acceptUnit.value).slice(0, 100);
  if (f.replyText?.value) {
    const t = f.replyText.value.trim();
    L.replyText = t.slice(0, 2000);
    L.replyLength = t.length;
  }
  if (f.satisfaction?.value) L.satisfaction = normText(f.satisfaction.value).slice(0, 40);
  if (f.number?.value) L.number = normText(f.number.value).slice(0, 60);
  if (f.category?.value) L.category = normText(f.category.value).slice(0, 40);
  const replyLabels = (['replyText', 'repliedAt', 'replyUnit'] as const).filter((k) => f[k]);
  if (!replyLabels.length) L.replyBlock = 'absent';
  else if (L.replyText && L.replyText.replace(/[\s\p{P}]/gu, '').length >= 2) L.replyBlock = 'filled';
  else if (f.repliedAt?.value || f.replyUnit?.value) L.replyBlock = 'partial';
  else L.replyBlock = 'empty';
  if (L.title && TEST_TITLE.test(L.title.trim())) L.test = true;
  return L;
}

/** Labels a list may show in a header row, as field names (undefined for a column we do not read). */
export function headerKeys(texts: string[]): (LetterField | undefined)[] {
  return texts.map((t) => (t ? matchLetterLabel(t) : undefined));
}

function isNavLike(href: string): boolean {
  return !href || /^(?:javascript:|mailto:|tel:|#)/i.test(href.trim());
}


/** The main link of a row: the anchor with the longest text (a title), with a usable href. */
function mainAnchor(el: Element, base: string): { title: string; url?: string } | undefined {
  const anchors: Element[] = [];
  const stack: AnyNode[] = [...el.children];
  let guard = 0;
  while (stack.length && guard++ < 5_000) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    if (n.name === 'a') anchors.push(n);
    stack.push(...n.children);
  }
  let best: { title: string; url?: string } | undefined;
  for (const a of anchors) {
    const text = normText(a.attribs?.title && a.attribs.title.length > textContent(a).trim().length ? a.attribs.title : textContent(a));
    if (text.length < 4) continue;
    const href = a.attribs?.href ?? '';
    const url = isNavLike(href) ? undefined : absoluteUrl(href, base);
    // onclick="openDetail('…')" style rows: keep the title, no URL.
    if (!best || text.length > best.title.length) best = { title: text, url };
  }
  return best;
}

/** The link of a title cell, whatever its length (a letter titled 测试 still has its page). */
function titleCellAnchor(cell: Element, base: string): { title: string; url?: string } | undefined {
  const stack: AnyNode[] = [...cell.children];
  let guard = 0;
  while (stack.length && guard++ < 2_000) {
    const n = stack.shift()!;
    if (!isElement(n)) continue;
    if (n.name === 'a') {
      const href = n.attribs?.href ?? '';
      const title = normText(n.attribs?.title || textContent(n));
      if (!title) continue;
      return { title, url: isNavLike(href) ? undefined : absoluteUrl(href, base) };
    }
    stack.push(...n.children);
  }
  return undefined;
}

/** Whole-text status words in the small elements of a row (a 已回复 badge, a status cell), not in the title. */
function statusWordIn(el: Element): string | undefined {
  const stack: AnyNode[] = [...el.children];
  let guard = 0;
  while (stack.length && guard++ < 5_000) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    const t = cellText(n);
    if (t && t.length <= 10 && readStatus(t).state !== 'unknown') return t;
    if (t.length <= 400) stack.push(...n.children);
  }
  return undefined;
}

function rowLetter(el: Element, base: string, source: Letter['source']): Letter | undefined {
  const main = mainAnchor(el, base);
  const pairs = labelledPairs([el], matchLetterLabel, { multiline: MULTILINE });
  const L = letterFromPairs(pairs, source);
  if (!L.title && main) L.title = main.title.slice(0, 300);
  if (main?.url) L.url = main.url;
  if (!L.status) {
    const w = statusWordIn(el);
    if (w) {
      const st = readStatus(w);
      L.status = st.state;
      L.statusKind = st.kind;
      L.statusText = st.text;
      L.fields.status ??= { label: '（状态）', value: w, snippet: w };
    }
  }
  if (!L.askedAt && !L.repliedAt && !L.publishedAt && !L.handledAt) {
    // An unlabeled date in the row (not inside a labelled value).
    const labelled = new Set(Object.values(L.fields).map((f) => f?.value ?? ''));
    const text = cellText(el);
    const hit = findDatesInText(text).find((h) => ![...labelled].some((v) => v.includes(h.raw)));
    if (hit) L.listDate = hit.date;
  }
  if (L.title && TEST_TITLE.test(L.title.trim())) L.test = true;
  if (!L.title) return undefined;
  // A row is a letter when it shows a date or a status (a form's 留言内容/回复内容 labels alone are not one).
  if (!L.askedAt && !L.repliedAt && !L.publishedAt && !L.handledAt && !L.listDate && !L.status) return undefined;
  return L;
}

export interface ListParse {
  letters: Letter[];
  /** Header labels of a table with no data rows (the rows come from a script): the column meaning for dataStore rows. */
  headers?: string[];
  /** The list says it is empty (暂无信件 …). */
  placeholder?: string;
}

const EMPTY_LIST_RE = /^(?:暂无|没有|无)(?:相关)?(?:信件|留言|数据|记录|信息|内容|公开信件|回复)|^(?:查询|检索)?(?:结果)?为空$|^没有找到/;

function innerTables($: CheerioAPI): Element[] {
  return elementsNamed($, 'table').filter((t) => !hasTableInside(t));
}

function hasTableInside(t: Element): boolean {
  const stack: AnyNode[] = [...t.children];
  let guard = 0;
  while (stack.length && guard++ < 50_000) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    if (n.name === 'table') return true;
    stack.push(...n.children);
  }
  return false;
}

function rowsOf(table: Element): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...table.children].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    if (n.name === 'tr') out.push(n);
    else if (n.name === 'tbody' || n.name === 'thead' || n.name === 'tfoot') stack.push(...[...n.children].reverse());
  }
  return out;
}

function cellsOf(tr: Element): Element[] {
  return tr.children.filter((c): c is Element => isElement(c) && (c.name === 'td' || c.name === 'th'));
}

/** A letter from one table row under known column meanings. */
export function letterFromColumns(cells: Element[], keys: (LetterField | undefined)[], labels: string[], base: string, source: Letter['source']): Letter | undefined {
  const pairs: Pair<LetterField>[] = [];
  let main: { title: string; url?: string } | undefined;
  cells.forEach((c, i) => {
    const k = keys[i];
    const value = cellText(c);
    if (k) pairs.push({ key: k, label: normalizeLabel(labels[i] ?? ''), value, snippet: `${normalizeLabel(labels[i] ?? '')}：${value}`.slice(0, 160), layout: 'table-header' });
    const a = k === 'title' ? titleCellAnchor(c, base) ?? mainAnchor(c, base) : mainAnchor(c, base);
    if (a && (!main || k === 'title' || a.title.length > main.title.length)) main = a;
  });
  const L = letterFromPairs(pairs, source);
  if (!L.title && main) L.title = main.title;
  if (main?.url) L.url = main.url;
  if (!L.title) return undefined;
  if (!L.status) {
    for (const c of cells) {
      const t = cellText(c);
      if (t.length <= 10 && readStatus(t).state !== 'unknown') {
        const st = readStatus(t);
        L.status = st.state;
        L.statusKind = st.kind;
        L.statusText = st.text;
        L.fields.status = { label: '（状态）', value: t, snippet: t };
        break;
      }
    }
  }
  return L;
}

/**
 * The letters a list page shows. `headerHint` gives column meanings for header-less rows (dataStore fragments under
 * the page's header table).
 */
export function parseLetterList(html: string, pageUrl: string, opts: { headerHint?: string[]; source?: Letter['source'] } = {}): ListParse {
  const out: ListParse = { letters: [] };
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return out;
  }
  const footers = new Set<Element>(safeFooters($));
  const inFooter = (el: Element): boolean => {
    for (let n: AnyNode | null = el; n; n = n.parent as AnyNode | null) if (isElement(n) && footers.has(n)) return true;
    return false;
  };
  const used = new Set<Element>();
  const source = opts.source;

  // 1. Tables with a header row of letter labels.
  for (const table of innerTables($)) {
    if (inFooter(table)) continue;
    const rows = rowsOf(table);
    let header: { keys: (LetterField | undefined)[]; labels: string[] } | undefined;
    for (const tr of rows) {
      const cells = cellsOf(tr);
      const texts = cells.map((c) => cellText(c));
      const keys = headerKeys(texts);
      const labelled = keys.filter(Boolean).length;
      if (!header && labelled >= 2 && texts.every((t, i) => !t || keys[i] || /^(?:序号|操作|查看|详情|No\.?)$/i.test(normalizeLabel(t)))) {
        header = { keys, labels: texts };
        used.add(tr);
        continue;
      }
      if (header && cells.length === header.keys.length) {
        const L = letterFromColumns(cells, header.keys, header.labels, pageUrl, source ?? 'table');
        if (L) {
          out.letters.push(L);
          used.add(tr);
        } else if (texts.join('').length && EMPTY_LIST_RE.test(texts.join(''))) {
          out.placeholder = texts.join('');
        }
      }
    }
    if (header && !out.letters.length && !out.headers) out.headers = header.labels;
  }

  // 2. Header-less rows under a hint (dataStore fragments).
  if (opts.headerHint?.length) {
    const keys = headerKeys(opts.headerHint);
    for (const table of innerTables($)) {
      for (const tr of rowsOf(table)) {
        if (used.has(tr)) continue;
        const cells = cellsOf(tr);
        if (cells.length !== keys.length) continue;
        const L = letterFromColumns(cells, keys, opts.headerHint, pageUrl, source ?? 'datastore');
        if (L) {
          out.letters.push(L);
          used.add(tr);
        }
      }
    }
  }

  // 3. Rows and blocks: li, dl, tr, or a small div/p around a title link, with labelled values, a date or a status.
  const containers = new Set<Element>();
  for (const a of elementsNamed($, 'a')) {
    if (inFooter(a)) continue;
    const text = normText(textContent(a));
    if (text.length < 4) continue;
    const box = recordBox(a);
    if (!box || containers.has(box)) continue;
    let skip = false;
    for (let n: AnyNode | null = box; n; n = n.parent as AnyNode | null) if (isElement(n) && used.has(n)) skip = true;
    if (skip) continue;
    containers.add(box);
  }
  for (const box of containers) {
    // Keep the innermost boxes only (a <ul> block holding rows is not a row).
    if ([...containers].some((o) => o !== box && isInside(o, box))) continue;
    const L = rowLetter(box, pageUrl, source ?? (box.name === 'tr' ? 'rows' : 'blocks'));
    if (L) out.letters.push(L);
  }

  if (!out.letters.length) {
    const text = normText(cellText(bodyOrRoot($)[0] ?? $.root()[0]));
    const m = /(?:暂无|没有)(?:相关)?(?:信件|留言|数据|记录|信息|公开信件)[^，。\s]{0,6}/.exec(text);
    if (m) out.placeholder = m[0];
  }
  out.letters = dedupe(out.letters);
  return out;
}

function safeFooters($: CheerioAPI): Element[] {
  try {
    return footerElements($);
  } catch {
    return [];
  }
}

function isInside(inner: Element, outer: Element): boolean {
  for (let n: AnyNode | null = inner.parent as AnyNode | null; n; n = n.parent as AnyNode | null) if (n === outer) return true;
  return false;
}

const BOX_TAGS = new Set(['li', 'dl', 'tr']);
const SOFT_BOX_TAGS = new Set(['div', 'p', 'dd', 'section', 'article']);

/** The row around a title link: the nearest li/dl/tr, else the nearest small div/p holding one title link. */
function recordBox(a: Element): Element | undefined {
  let soft: Element | undefined;
  let depth = 0;
  for (let n = a.parent as AnyNode | null; n && depth < 6; n = n.parent as AnyNode | null, depth++) {
    if (!isElement(n)) break;
    if (BOX_TAGS.has(n.name)) return n;
    if (!soft && SOFT_BOX_TAGS.has(n.name)) {
      const t = cellText(n);
      if (t.length <= 600 && titleLinks(n) === 1 && t.length > normText(textContent(a)).length + 4) soft = n;
    }
    if (n.name === 'body' || n.name === 'table' || n.name === 'ul' || n.name === 'ol') break;
  }
  return soft;
}

function titleLinks(el: Element): number {
  let n = 0;
  const stack: AnyNode[] = [...el.children];
  let guard = 0;
  while (stack.length && guard++ < 5_000) {
    const c = stack.pop()!;
    if (!isElement(c)) continue;
    if (c.name === 'a' && normText(textContent(c)).length >= 4) n++;
    stack.push(...c.children);
  }
  return n;
}

/** Same letter read twice (a row and its inner block): the first with the most fields wins. */
export function dedupe(letters: Letter[]): Letter[] {
  const seen = new Map<string, Letter>();
  const out: Letter[] = [];
  for (const L of letters) {
    const key = L.url ?? `${L.title ?? ''}|${L.askedAt ?? L.listDate ?? ''}|${L.number ?? ''}`;
    const prev = seen.get(key);
    if (prev) {
      if (Object.keys(L.fields).length > Object.keys(prev.fields).length) out[out.indexOf(prev)] = L, seen.set(key, L);
      continue;
    }
    seen.set(key, L);
    out.push(L);
  }
  return out;
}

/** A letter detail page read by label; `recognized` = how many distinct letter fields were found. */
export interface LetterDetail extends Letter {
  recognized: number;
  /** Dates shown on the page outside every recognised field (an unlabeled 留言时间 would be one of them). */
  otherDates: string[];
}

export function parseLetterDetail(html: string, pageUrl: string): LetterDetail {
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return { fields: {}, source: 'detail', recognized: 0, otherDates: [], url: pageUrl };
  }
  const footers = new Set<Element>(safeFooters($));
  const skip = (el: Element) => footers.has(el) || el.name === 'nav' || el.name === 'header';
  const pairs = labelledPairs(bodyOrRoot($) as AnyNode[], matchLetterLabel, { skip, multiline: MULTILINE });
  const L = letterFromPairs(pairs, 'detail') as LetterDetail;
  L.url = pageUrl;
  if (!L.title) {
    const h = headingTitle($);
    if (h) {
      L.title = h;
      L.fields.title = { label: '（页面标题）', value: h, snippet: h };
    }
  }
  // A page with a text box to fill in (a comment or reply form) shows empty 回复内容 labels that are not an empty reply.
  if (L.replyBlock === 'empty' && elementsNamed($, 'textarea').some((t) => !('readonly' in (t.attribs ?? {})) && !('disabled' in (t.attribs ?? {})))) {
    L.replyBlock = 'absent';
    L.replyForm = true;
  }
  L.recognized = Object.values(L.fields).filter((f) => f && f.value).length;
  const known = Object.values(L.fields).map((f) => f?.value ?? '').join(' ');
  const knownDates = new Set(findDatesInText(known).map((h) => h.date));
  const text = cellText(bodyOrRoot($)[0] ?? $.root()[0], skip);
  L.otherDates = [...new Set(findDatesInText(text).map((h) => h.date))].filter((d) => !knownDates.has(d)).slice(0, 10);
  return L;
}

function headingTitle($: CheerioAPI): string | undefined {
  const meta = elementsNamed($, 'meta').find((m) => (m.attribs?.name ?? '').toLowerCase() === 'articletitle');
  const mt = normText(meta?.attribs?.content ?? '');
  if (mt.length >= 4) return mt.slice(0, 300);
  // The site name (the <title> part after _ or -) and headings in the page header are not the letter's title.
  const t = elementsNamed($, 'title')[0];
  const parts = normText(t ? textContent(t) : '').split(/\s*[_|｜]\s*|\s+-\s+/);
  const siteName = parts.length > 1 ? parts[parts.length - 1] : '';
  for (const name of ['h1', 'h2', 'h3']) {
    for (const el of elementsNamed($, name)) {
      const text = normText(textContent(el));
      if (text.length < 4 || text.length > 120 || matchLetterLabel(text) || text === siteName) continue;
      let inHeader = false;
      for (let n: AnyNode | null = el.parent as AnyNode | null; n; n = n.parent as AnyNode | null) {
        if (isElement(n) && (n.name === 'header' || /(?:^|\s|-|_)(?:header|head|top|logo|banner)(?:$|\s|-|_)/i.test(`${n.attribs?.id ?? ''} ${n.attribs?.class ?? ''}`))) inHeader = true;
      }
      if (!inHeader) return text;
    }
  }
  return undefined;
}

/** A list letter completed by its detail page: detail fields win, list fields fill the gaps. */
export function mergeLetter(list: Letter, detail: Letter | undefined): Letter {
  if (!detail) return list;
  const fields = { ...list.fields };
  for (const [k, v] of Object.entries(detail.fields) as [LetterField, FieldRead][]) {
    if (v && (v.value || !fields[k])) fields[k] = v;
  }
  // A title read from the page heading does not replace the list's title.
  if (detail.fields.title?.label === '（页面标题）' && list.title) fields.title = list.fields.title ?? { label: '（列表标题）', value: list.title, snippet: list.title };
  const L: Letter = { fields, source: list.source, url: list.url ?? detail.url };
  applyFields(L);
  L.title ??= list.title ?? detail.title;
  if (!L.status && list.status) {
    L.status = list.status;
    L.statusKind = list.statusKind;
    L.statusText = list.statusText;
  }
  L.listDate = list.listDate;
  if (detail.replyForm && L.replyBlock === 'empty') {
    L.replyBlock = 'absent';
    L.replyForm = true;
  }
  if (list.test || detail.test) L.test = true;
  return L;
}

// ---------------------------------------------------------------------------------------------------------------
// Hanweb dataStore and JSON answers

/** JS string literal body → its value (\\' \\" \\\\ \\n \\t \\uXXXX \\xXX \\/). */
function jsUnquote(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e[0] === 'u' && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '';
    return e;
  });
}

/**
 * The HTML fragments of a Hanweb answer: `dataStore = [ '<tr>…</tr>', … ]` (JS) or `<record><![CDATA[…]]></record>`
 * (XML), with the total record count when the answer states it. At most 5,000 fragments.
 */
export function parseDataStore(text: string): { fragments: string[]; total?: number } | null {
  const s = (text ?? '').slice(0, 20_000_000);
  const fragments: string[] = [];
  let total: number | undefined;
  const tm = /(?:totalRecord|totalrecord|total_record|recordCount|totalCount)\s*(?:=|:|>)\s*['"]?(\d+)/i.exec(s);
  if (tm) total = Number(tm[1]);
  const ds = /dataStore\s*=\s*\[/i.exec(s);
  if (ds) {
    let i = ds.index + ds[0].length;
    while (i < s.length && fragments.length < 5_000) {
      while (i < s.length && /[\s,]/.test(s[i])) i++;
      const q = s[i];
      if (q !== '"' && q !== "'") break;
      let j = i + 1;
      let buf = '';
      while (j < s.length && s[j] !== q) {
        if (s[j] === '\\' && j + 1 < s.length) {
          buf += s.slice(j, j + 2);
          j += 2;
          continue;
        }
        buf += s[j++];
      }
      if (j >= s.length) break;
      fragments.push(jsUnquote(buf));
      i = j + 1;
      // String concatenation across lines: '…' + '…'
      while (i < s.length && /[\s+]/.test(s[i]) && s.slice(i).trimStart().startsWith('+')) {
        const k = s.indexOf('+', i);
        i = k + 1;
        while (i < s.length && /\s/.test(s[i])) i++;
        const q2 = s[i];
        if (q2 !== '"' && q2 !== "'") break;
        let j2 = i + 1;
        let more = '';
        while (j2 < s.length && s[j2] !== q2) {
          if (s[j2] === '\\' && j2 + 1 < s.length) {
            more += s.slice(j2, j2 + 2);
            j2 += 2;
            continue;
          }
          more += s[j2++];
        }
        fragments[fragments.length - 1] += jsUnquote(more);
        i = j2 + 1;
      }
    }
    return { fragments, total };
  }
  const recRe = /<record>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/record>/gi;
  let m: RegExpExecArray | null;
  while ((m = recRe.exec(s)) && fragments.length < 5_000) fragments.push(m[1]);
  if (fragments.length || /<datastore>|<recordset>/i.test(s)) return { fragments, total };
  return null;
}

/** Letters of a Hanweb answer (fragments wrapped in a table or a list), column meanings from the page's header. */
export function lettersFromDataStore(text: string, baseUrl: string, headerHint?: string[]): { letters: Letter[]; total?: number; fragments: number } | null {
  const ds = parseDataStore(text);
  if (!ds) return null;
  const joined = ds.fragments.join('\n');
  const wrapped = /^\s*<tr[\s>]/i.test(joined) ? `<table>${joined}</table>` : /^\s*<li[\s>]/i.test(joined) ? `<ul>${joined}</ul>` : `<div>${joined}</div>`;
  const parsed = parseLetterList(`<html><body>${wrapped}</body></html>`, baseUrl, { headerHint, source: 'datastore' });
  return { letters: parsed.letters, total: ds.total, fragments: ds.fragments.length };
}

const JSON_KEYS: [LetterField | 'url' | 'id', RegExp][] = [
  ['url', /^(?:url|link|href|detailurl|detaillink|pageurl|infourl)$/],
  ['id', /^(?:id|letterid|mailid|transactid|msgid|infoid|guid)$/],
  ['title', /^(?:title|subject|lettertitle|mailtitle|msgtitle|bt|xjbt|lybt|question|questiontitle|topic)$/],
  ['askedAt', /^(?:createtime|createdate|createdat|created|submittime|submitdate|writetime|writedate|addtime|adddate|posttime|asktime|lettertime|letterdate|sendtime|senddate|lxsj|xxsj|tjsj|lysj|questiontime|applytime)$/],
  ['repliedAt', /^(?:replytime|replydate|repliedat|answertime|answerdate|hfsj|dfsj|bjsj|finishtime|finishdate|endtime|replayTime|replaytime)$/i],
  ['handledAt', /^(?:handletime|handledate|dealtime|dealdate|clsj|blsj)$/],
  ['publishedAt', /^(?:publishtime|publishdate|pubdate|pubtime|fbsj|releasetime)$/],
  ['replyUnit', /^(?:replydept|replyunit|replyorg|replydeptname|replyunitname|answerdept|answerunit|hfdw|dfdw|bldw|handledept|handleunit|dealdept|dealunit|orgname|replyorgname)$/],
  ['addressedTo', /^(?:deptname|todept|todeptname|receivedept|receiveunit|sldw|acceptdept)$/],
  ['replyText', /^(?:replycontent|reply|answer|answercontent|hfnr|dfnr|replymsg|replytext|replay|replaycontent|dealresult|handleresult)$/],
  ['status', /^(?:status|state|statusname|statename|statustext|blzt|clzt|handlestatus|replystatus|dealstatus)$/],
  ['content', /^(?:content|body|lxnr|xjnr|lynr|questioncontent|lettercontent)$/],
  ['asker', /^(?:username|writer|author|askname|lxr|xm|realname|nickname)$/],
  ['number', /^(?:code|lettercode|mailcode|serialno|bjbh|xjbh|querycode|no)$/],
  ['satisfaction', /^(?:satisfaction|evaluate|evaluation|myd|pj|satisfy|satisfied)$/],
  ['category', /^(?:type|typename|category|lettertype|lb|xjlx)$/],
];

function jsonKey(k: string): LetterField | 'url' | 'id' | undefined {
  const n = k.replace(/[_\-\s]/g, '').toLowerCase();
  for (const [f, re] of JSON_KEYS) if (re.test(n)) return f;
  return matchLetterLabel(k);
}

function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // Epoch milliseconds or seconds (dates sent as numbers).
    if (v > 9e11 && v < 5e12) return new Date(v + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    if (v > 9e8 && v < 5e9) return new Date(v * 1000 + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

function stripTags(s: string): string {
  if (!/[<&]/.test(s)) return s;
  try {
    return cellText(parseHtml(`<div>${s.slice(0, 200_000)}</div>`).root()[0]);
  } catch {
    return s.replace(/<[^>]*>/g, ' ');
  }
}

/** Letters of a JSON answer: the largest array of objects with a title-like key; `total` when the answer gives one. */
export function parseJsonLetters(text: string, baseUrl: string, detailTemplate?: string): { letters: Letter[]; total?: number } | null {
  let data: unknown;
  try {
    const t = (text ?? '').trim().replace(/^[\w$.]+\s*\(\s*([\s\S]*)\)\s*;?\s*$/, '$1'); // JSONP
    data = JSON.parse(t);
  } catch {
    return null;
  }
  let best: Record<string, unknown>[] | undefined;
  let total: number | undefined;
  const stack: { v: unknown; depth: number }[] = [{ v: data, depth: 0 }];
  let guard = 0;
  while (stack.length && guard++ < 20_000) {
    const { v, depth } = stack.pop()!;
    if (depth > 8 || v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      const objs = v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x));
      if (objs.length && objs.some((o) => Object.keys(o).some((k) => jsonKey(k) === 'title')) && (!best || objs.length > best.length)) best = objs;
      for (const x of v.slice(0, 200)) stack.push({ v: x, depth: depth + 1 });
    } else {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (total === undefined && /^(?:total|totalcount|totalrecord|totalrecords|recordcount|count|totalnum|totalsize|records)$/i.test(k) && typeof x === 'number') total = x;
        stack.push({ v: x, depth: depth + 1 });
      }
    }
  }
  if (!best) return total !== undefined ? { letters: [], total } : null;
  const letters: Letter[] = [];
  for (const o of best.slice(0, 10_000)) {
    const L: Letter = { fields: {}, source: 'json' };
    let id: string | undefined;
    for (const [k, raw] of Object.entries(o)) {
      const key = jsonKey(k);
      const v = scalar(raw);
      if (!key || v === undefined) continue;
      if (key === 'url') {
        const u = absoluteUrl(v, baseUrl);
        if (u) L.url = u;
        continue;
      }
      if (key === 'id') {
        id = v;
        continue;
      }
      if (L.fields[key]?.value) continue;
      const value = normText(stripTags(v)).slice(0, 4000);
      L.fields[key] = { label: k, value, snippet: `${k}: ${value}`.slice(0, 160) };
    }
    applyFields(L);
    if (!L.url && id && detailTemplate) L.url = absoluteUrl(detailTemplate.replace('{id}', encodeURIComponent(id)), baseUrl);
    if (L.title) letters.push(L);
  }
  return { letters, total };
}
