import { parse as parseYaml } from 'yaml';
import { normTitle } from './policy/extract.ts';
import { bigrams, dice } from './policy/similarity.ts';
import { addDays, findDatesInText, normalizeYmd } from './dates.ts';

/**
 * 联动传播: the inspector's list of important items the site must relay (from 国务院办公厅 / 省政府办公厅), one file per
 * quarter (YAML or XLSX: title, source, date, optional keywords), and the search for each item among the site's pages.
 * Pure, except `readLinkageFile` (reads the file it is given).
 */

export interface LinkageItem {
  title: string;
  source?: string;
  /** YYYY-MM-DD: when the item was published at its source. */
  date: string;
  keywords?: string[];
  /** Days the site has to relay it (default: the list's withinDays, else 7). */
  withinDays?: number;
}

export interface LinkageList {
  file?: string;
  quarter?: string;
  withinDays: number;
  items: LinkageItem[];
  /** Rows that could not be read (English, with the row number). */
  errors: string[];
}

export const DEFAULT_LINKAGE_DAYS = 7;

function toDate(v: unknown): string | undefined {
  if (v instanceof Date && !Number.isNaN(v.getTime())) {
    // Spreadsheet dates are calendar days: read them in UTC (exceljs gives midnight UTC).
    return normalizeYmd(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate()) ?? undefined;
  }
  if (typeof v === 'number' && v > 20000 && v < 80000) {
    // An Excel serial day number.
    const d = new Date(Date.UTC(1899, 11, 30) + v * 86_400_000);
    return toDate(d);
  }
  if (typeof v === 'string') return findDatesInText(v)[0]?.date;
  return undefined;
}

function toKeywords(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
  if (typeof v === 'string' && v.trim()) return v.split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean);
  return undefined;
}

const HEADERS: Record<string, RegExp> = {
  title: /^(?:标题|信息标题|名称|title)$/i,
  source: /^(?:来源|信息来源|发布单位|source)$/i,
  date: /^(?:日期|发布日期|发布时间|时间|date)$/i,
  keywords: /^(?:关键词|关键字|keywords?)$/i,
  withinDays: /^(?:时限|天数|转载时限|within ?days)$/i,
};

/** Items from plain records (YAML objects or spreadsheet rows keyed by header). */
export function linkageFromRecords(records: Record<string, unknown>[], defaults: { withinDays?: number; quarter?: string; file?: string } = {}): LinkageList {
  const items: LinkageItem[] = [];
  const errors: string[] = [];
  records.forEach((r, i) => {
    const get = (field: string) => {
      for (const [k, v] of Object.entries(r ?? {})) if (HEADERS[field].test(String(k).trim())) return v;
      return undefined;
    };
    const title = typeof get('title') === 'string' || typeof get('title') === 'number' ? String(get('title')).trim() : '';
    const date = toDate(get('date'));
    if (!title && !date) return;
    if (!title) return void errors.push(`item ${i + 1}: no title`);
    if (!date) return void errors.push(`item ${i + 1} (${title.slice(0, 30)}): no valid date`);
    const days = Number(get('withinDays'));
    items.push({
      title,
      date,
      ...(get('source') ? { source: String(get('source')).trim() } : {}),
      ...(toKeywords(get('keywords'))?.length ? { keywords: toKeywords(get('keywords')) } : {}),
      ...(Number.isInteger(days) && days > 0 ? { withinDays: days } : {}),
    });
  });
  return { items, errors, withinDays: defaults.withinDays ?? DEFAULT_LINKAGE_DAYS, ...(defaults.quarter ? { quarter: defaults.quarter } : {}), ...(defaults.file ? { file: defaults.file } : {}) };
}

/** A linkage list from YAML text: `{ quarter?, withinDays?, items: [...] }` or a bare list of items. */
export function parseLinkageYaml(text: string, file?: string): LinkageList {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { items: [], errors: [`YAML: ${(e as Error).message.split('\n')[0]}`], withinDays: DEFAULT_LINKAGE_DAYS, ...(file ? { file } : {}) };
  }
  const obj = (Array.isArray(doc) ? { items: doc } : doc ?? {}) as Record<string, unknown>;
  const records = Array.isArray(obj.items) ? (obj.items as Record<string, unknown>[]) : [];
  const days = Number(obj.withinDays);
  const list = linkageFromRecords(records, {
    withinDays: Number.isInteger(days) && days > 0 ? days : undefined,
    quarter: typeof obj.quarter === 'string' ? obj.quarter : undefined,
    file,
  });
  if (!records.length) list.errors.push('no items (expected a list, or an object with items:)');
  return list;
}

/** A linkage list from an XLSX workbook (first sheet; the first row naming 标题 and 日期 is the header). */
export async function parseLinkageXlsx(data: Buffer | ArrayBuffer, file?: string): Promise<LinkageList> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as ArrayBuffer);
  } catch (e) {
    return { items: [], errors: [`XLSX: ${(e as Error).message.split('\n')[0]}`], withinDays: DEFAULT_LINKAGE_DAYS, ...(file ? { file } : {}) };
  }
  const ws = wb.worksheets[0];
  if (!ws) return { items: [], errors: ['XLSX: no worksheet'], withinDays: DEFAULT_LINKAGE_DAYS, ...(file ? { file } : {}) };
  const cell = (v: unknown): unknown => {
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      const o = v as { text?: unknown; result?: unknown; richText?: { text: string }[] };
      if (o.richText) return o.richText.map((t) => t.text).join('');
      if (o.result !== undefined) return o.result;
      if (o.text !== undefined) return o.text;
    }
    return v;
  };
  let header: string[] | null = null;
  const records: Record<string, unknown>[] = [];
  const max = Math.min(ws.rowCount, 5_000);
  for (let r = 1; r <= max; r++) {
    const row = ws.getRow(r);
    const values: unknown[] = [];
    for (let c = 1; c <= Math.min(row.cellCount, 30); c++) values.push(cell(row.getCell(c).value));
    if (!header) {
      const names = values.map((v) => String(v ?? '').trim());
      if (names.some((n) => HEADERS.title.test(n)) && names.some((n) => HEADERS.date.test(n))) header = names;
      continue;
    }
    const rec: Record<string, unknown> = {};
    header.forEach((h, i) => {
      if (h) rec[h] = values[i];
    });
    records.push(rec);
  }
  if (!header) return { items: [], errors: ['XLSX: no header row with 标题 and 日期'], withinDays: DEFAULT_LINKAGE_DAYS, ...(file ? { file } : {}) };
  return linkageFromRecords(records, { file });
}

/** Reads a linkage file by extension (.yaml/.yml/.xlsx). Errors are returned in the list, never thrown. */
export async function readLinkageFile(file: string): Promise<LinkageList> {
  const fs = await import('node:fs');
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    return { items: [], errors: [`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`], withinDays: DEFAULT_LINKAGE_DAYS, file };
  }
  if (data.length > 20 * 1024 * 1024) return { items: [], errors: [`${file}: larger than 20 MB`], withinDays: DEFAULT_LINKAGE_DAYS, file };
  if (/\.xlsx$/i.test(file)) return parseLinkageXlsx(data, file);
  return parseLinkageYaml(data.toString('utf8').replace(/^\ufeff/, ''), file);
}

// ---------------------------------------------------------------------------------------------------------------
// Finding an item on the site

export interface LinkageCandidate {
  title: string;
  url: string;
  date?: string;
  /** Where the title was seen: a list row, a page's own title, a site-search result. */
  from: 'list' | 'page' | 'search';
}

export interface LinkageHit {
  url: string;
  title: string;
  date?: string;
  from: LinkageCandidate['from'];
  how: 'title' | 'contains' | 'keywords' | 'similar';
  score: number;
}

/** Similarity above which a differently worded title counts as the same item. */
export const LINKAGE_SIMILARITY = 0.8;

/** How a site title matches an item (undefined: it does not). */
export function linkageMatch(item: LinkageItem, title: string): { how: LinkageHit['how']; score: number } | undefined {
  const a = normTitle(item.title);
  const b = normTitle(title);
  if (!a || !b) return undefined;
  if (a === b) return { how: 'title', score: 1 };
  if (a.length >= 10 && b.length >= 10 && (b.includes(a) || a.includes(b))) return { how: 'contains', score: Math.min(a.length, b.length) / Math.max(a.length, b.length) };
  if (item.keywords?.length && item.keywords.every((k) => b.includes(normTitle(k)))) return { how: 'keywords', score: 0.9 };
  const s = dice(bigrams(a), bigrams(b));
  if (s >= LINKAGE_SIMILARITY) return { how: 'similar', score: Math.round(s * 1000) / 1000 };
  return undefined;
}

export type LinkageStatus = 'found' | 'late' | 'missing' | 'not-due';

export interface LinkageResult {
  item: LinkageItem;
  status: LinkageStatus;
  /** The last day the relay was due (item date + within days). */
  deadline: string;
  /** The earliest matching page (the relay), when found. */
  hit?: LinkageHit;
  /** Other matching pages (at most 5). */
  others?: LinkageHit[];
}

/**
 * Looks for each item among candidates (titles seen in the crawl and in site-search results). Found on or before its
 * deadline: found; later: late; nowhere: missing — unless the deadline is after `asOf` (not-due). A relay whose date is
 * unknown counts as found (its timing cannot be judged).
 */
export function findLinkageItems(list: LinkageList, candidates: LinkageCandidate[], asOf: string): LinkageResult[] {
  return list.items.map((item) => {
    const days = item.withinDays ?? list.withinDays ?? DEFAULT_LINKAGE_DAYS;
    const deadline = addDays(item.date, days);
    const hits: LinkageHit[] = [];
    const seen = new Set<string>();
    for (const c of candidates) {
      const m = linkageMatch(item, c.title);
      if (!m) continue;
      const k = c.url + '|' + (c.date ?? '');
      if (seen.has(k)) continue;
      seen.add(k);
      // A page dated before the item is not its relay (an older text with a similar title).
      if (c.date && c.date < item.date) continue;
      hits.push({ url: c.url, title: c.title, ...(c.date ? { date: c.date } : {}), from: c.from, how: m.how, score: m.score });
    }
    // The earliest dated relay; undated ones after dated ones.
    hits.sort((x, y) => (x.date ?? '9999') < (y.date ?? '9999') ? -1 : (x.date ?? '9999') > (y.date ?? '9999') ? 1 : y.score - x.score);
    const hit = hits[0];
    let status: LinkageStatus;
    if (!hit) status = deadline > asOf ? 'not-due' : 'missing';
    else if (hit.date && hit.date > deadline) status = deadline > asOf ? 'not-due' : 'late';
    else status = 'found';
    return { item, status, deadline, ...(hit ? { hit } : {}), ...(hits.length > 1 ? { others: hits.slice(1, 6) } : {}) };
  });
}
