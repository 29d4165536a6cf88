import type { AnyNode, Element } from 'domhandler';
import { normText } from '../dom.ts';
import { visibleText } from '../footer.ts';
import { findElements, isElement } from '../walk.ts';
import { resolveUrl } from '../links.ts';

/**
 * The material list of a guide (办理材料) with the format the rubric asks for — 原件/复印件, 纸质/电子, 份数 — and the
 * downloadable forms and samples (空表/样表/示范文本). From a table (one row per material, header columns such as
 * 材料名称 | 材料形式 | 原件/复印件 | 份数 | 空表/样表), from list items or numbered lines, or from platform JSON.
 */

export interface FormLink {
  text: string;
  url: string;
  /** blank = 空表/表格/模板 to fill in; sample = 样表/示范文本/填写示例. */
  kind: 'blank' | 'sample';
}

export interface Material {
  name: string;
  /** 原件 / 复印件 / 原件和复印件 / 扫描件 … as stated. */
  form?: string;
  /** 纸质 / 电子 as stated. */
  medium?: string;
  /** 份数 as stated ("1份", "2"). */
  count?: string;
  /** Download links attached to this material. */
  forms: FormLink[];
  /** The material's whole text (at most 300 chars) for evidence. */
  text: string;
  /** Platform JSON names a form attachment by id (not a URL we can follow): a form may well be offered. */
  formHint?: boolean;
}

export const FORM_RE = /原件|复印件|复印|副本|正本|扫描件|影印件|原件及复印件|验原件|核原件/;
export const MEDIUM_RE = /纸质|电子|扫描|照片|影像/;
export const COUNT_RE = /(\d+|[一二两三四五六七八九十]+)\s*(?:份|张|本|套)|份数\s*[：:]?\s*\d+|[x×]\s*\d+\s*份?/;
const COUNT_IN_CELL = /^(?:\d+|[一二两三四五六七八九十]+)\s*份?$/;
const FORM_WORD = /空表|样表|样本|示范文本|范本|模板|填写示例|示例|表格|表单|格式文本|下载/;
const SAMPLE_WORD = /样表|样本|示范文本|范本|填写示例|示例/;
const DOC_EXT = /\.(?:docx?|xlsx?|wps|et|pdf|zip|rar|7z|ofd|txt|rtf|odt|ods)(?:$|[?#])/i;

/** Is this anchor a downloadable form or sample? */
export function formLinkOf(text: string, href: string): FormLink['kind'] | null {
  const t = normText(text);
  const isDoc = DOC_EXT.test(href);
  const looksForm = FORM_WORD.test(t) || (isDoc && /表|书|单|函/.test(t));
  if (!looksForm && !(isDoc && FORM_WORD.test(decodeSafe(href)))) return null;
  // Not a document by its URL (a download script, a viewer page): only explicit form words count — a menu item such
  // as 下载中心 is not a form.
  if (!isDoc && !/空表|样表|示范文本|模板|范本|表格下载|下载表格|^(?:点击)?下载$|[表书单][（(]?(?:空表|样表|下载)/.test(t)) return null;
  return SAMPLE_WORD.test(t) || SAMPLE_WORD.test(decodeSafe(href)) ? 'sample' : 'blank';
}

function decodeSafe(u: string): string {
  try {
    return decodeURIComponent(u);
  } catch {
    return u;
  }
}

/** Download links (forms and samples) under the given elements. */
export function formLinksIn(els: AnyNode[], base: string): FormLink[] {
  const out: FormLink[] = [];
  const seen = new Set<string>();
  for (const a of findElements(els as AnyNode[], (e) => e.name === 'a', 500)) {
    const href = (a.attribs?.href ?? '').trim();
    if (!href || /^(javascript:|mailto:|tel:|#)/i.test(href)) {
      const onclick = a.attribs?.onclick ?? '';
      const m = /['"]([^'"]+\.(?:docx?|xlsx?|wps|pdf|zip|rar|ofd))['"]/i.exec(onclick);
      if (!m) continue;
      const url = resolveUrl(m[1], base);
      const kind = url ? formLinkOf(textOf(a) || a.attribs?.title || '', url) : null;
      if (url && kind && !seen.has(url)) {
        seen.add(url);
        out.push({ text: normText(textOf(a) || a.attribs?.title || ''), url, kind });
      }
      continue;
    }
    const url = resolveUrl(href, base);
    if (!url) continue;
    const text = normText(textOf(a) || a.attribs?.title || '');
    const kind = formLinkOf(text, url);
    if (!kind || seen.has(url)) continue;
    seen.add(url);
    out.push({ text, url, kind });
  }
  return out;
}

function textOf(el: AnyNode): string {
  return normText(visibleText(el));
}

function cellsOf(tr: Element): Element[] {
  return (tr.children ?? []).filter((c) => isElement(c) && ((c as Element).name === 'td' || (c as Element).name === 'th')) as Element[];
}

type Col = 'name' | 'form' | 'medium' | 'count' | 'forms' | 'seq' | 'other';

function columnOf(header: string): Col {
  const h = header.replace(/\s+/g, '');
  if (/^序号$|^编号$|^序$/.test(h)) return 'seq';
  if (/份数|数量/.test(h)) return 'count';
  if (/空表|样表|下载|模板|示范文本|表格|附件/.test(h)) return 'forms';
  if (/原件|复印件|材料类型|提交方式|材料要求/.test(h)) return 'form';
  if (/纸质|电子|载体|材料形式|形式/.test(h)) return 'medium';
  if (/名称|材料$|^材料/.test(h)) return 'name';
  return 'other';
}

function material(name: string, text: string, forms: FormLink[], extra: Partial<Material> = {}): Material {
  const t = normText(text);
  const m: Material = { name: normText(name).slice(0, 200), forms, text: t.slice(0, 300) };
  const form = extra.form ?? FORM_RE.exec(t)?.[0];
  const medium = extra.medium ?? MEDIUM_RE.exec(t)?.[0];
  const count = extra.count ?? COUNT_RE.exec(t)?.[0];
  if (extra.formHint) m.formHint = true;
  if (form) m.form = form;
  if (medium) m.medium = medium;
  if (count) m.count = count;
  return m;
}

/** Materials from a table: a header row naming the columns, then one row per material. */
function fromTable(table: Element, base: string): Material[] | null {
  const rows = findElements(table, (e) => e.name === 'tr', 500).filter((tr) => closestTable(tr) === table);
  if (rows.length < 2) return null;
  let headerIdx = -1;
  let cols: Col[] = [];
  let headers: string[] = [];
  for (let i = 0; i < Math.min(rows.length, 3); i++) {
    const hs = cellsOf(rows[i]).map(textOf);
    const c = hs.map(columnOf);
    if (c.includes('name')) {
      headerIdx = i;
      cols = c;
      headers = hs;
      break;
    }
  }
  if (headerIdx < 0) return null;
  const out: Material[] = [];
  for (const tr of rows.slice(headerIdx + 1)) {
    const cells = cellsOf(tr);
    if (!cells.length) continue;
    const texts = cells.map(textOf);
    // Cells spanning several columns shift positions; read by position only when the counts agree.
    const aligned = cells.length === cols.length;
    const nameIdx = aligned ? cols.indexOf('name') : texts.findIndex((t) => t.length >= 2 && !/^\d+$/.test(t));
    const name = nameIdx >= 0 ? texts[nameIdx] : texts.join(' ');
    if (!name || /^(?:无|暂无|—|-)$/.test(name)) continue;
    const forms = formLinksIn(cells, base);
    const extra: Partial<Material> = {};
    if (aligned) {
      cols.forEach((c, i) => {
        const v = texts[i];
        const h = headers[i];
        if (!v || /^(?:—|-|－|\/|无)$/.test(v)) return;
        if (c === 'count' && (COUNT_IN_CELL.test(v) || COUNT_RE.test(v)) && !/^0+\s*份?$/.test(v)) extra.count = v;
        if (c === 'form' && FORM_RE.test(v)) extra.form = FORM_RE.exec(v)![0];
        if (c === 'form' && /原件|复印件/.test(h) && /^(?:\d+|[√✓是])/.test(v) && !/^0+$/.test(v)) {
          extra.form = extra.form ?? /原件|复印件/.exec(h)![0];
          if (/^\d+$/.test(v)) extra.count = extra.count ?? `${v}份`;
        }
        if (c === 'medium' && MEDIUM_RE.test(v)) extra.medium = MEDIUM_RE.exec(v)![0];
        if (c === 'medium' && MEDIUM_RE.test(h) && /^(?:\d+|[√✓是])/.test(v) && !/^0+$/.test(v)) extra.medium = extra.medium ?? MEDIUM_RE.exec(h)![0];
      });
    }
    const rowText = texts.filter((_, i) => !aligned || (cols[i] !== 'seq' && cols[i] !== 'forms')).join(' ');
    out.push(material(name, rowText, forms, extra));
  }
  return out;
}

function closestTable(el: Element): Element | undefined {
  for (let p = el.parent as AnyNode | null; p; p = p.parent as AnyNode | null) if (isElement(p) && (p as Element).name === 'table') return p as Element;
  return undefined;
}

/** Splits free text into numbered items: "1.身份证原件1份；2.户口簿复印件1份" → two lines. */
export function splitNumbered(text: string): string[] {
  const t = normText(text);
  if (!t) return [];
  const parts = t
    .split(/(?:^|[\s；;。])(?=(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)]|[①-⑳]))/)
    .map((s) => s.replace(/^(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)]|[①-⑳])\s*/, '').replace(/[；;。]+$/, '').trim())
    .filter(Boolean);
  if (parts.length > 1) return parts;
  return t
    .split(/[；;]/)
    .map((s) => s.replace(/^(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)]|[①-⑳])\s*/, '').replace(/[。.]+$/, '').trim())
    .filter(Boolean);
}

/**
 * The materials under a guide's 办理材料 value elements: a material table when there is one, else list items, else
 * numbered lines. `base` resolves download links.
 */
export function materialsFromElements(els: Element[], base: string): Material[] {
  if (!els.length) return [];
  const tables = findElements(els, (e) => e.name === 'table', 20);
  const roots = els.filter((e) => e.name === 'table');
  for (const t of [...roots, ...tables]) {
    const got = fromTable(t, base);
    if (got && got.length) return got;
  }
  const lis = findElements(els, (e) => e.name === 'li', 300);
  if (lis.length >= 1) {
    return lis
      .map((li) => ({ li, t: textOf(li) }))
      .filter(({ t }) => t.length >= 2)
      .map(({ li, t }) => material(t.replace(/^(?:\d{1,2}[.、．]|[（(]\d{1,2}[）)])\s*/, ''), t, formLinksIn([li], base)));
  }
  // Blocks (<p>, <div>) each holding one material, or one block of numbered lines.
  const blocks = els.flatMap((e) => (['p', 'div'].includes(e.name) && textOf(e) ? [e] : findElements(e, (x) => x.name === 'p', 200)));
  const lines: { t: string; el: Element }[] = [];
  for (const b of blocks.length ? blocks : els) {
    for (const t of splitNumbered(textOf(b))) lines.push({ t, el: b });
  }
  const perBlock = new Map<Element, number>();
  for (const l of lines) perBlock.set(l.el, (perBlock.get(l.el) ?? 0) + 1);
  return lines
    .filter(({ t }) => t.length >= 2 && !/^(?:无|暂无|不需要|无需提交材料)$/.test(t))
    .map(({ t, el }) => material(t, t, perBlock.get(el) === 1 ? formLinksIn([el], base) : []));
}

/** Materials from free text (a JSON string value, an inline "办理材料：…" line). */
export function materialsFromText(text: string): Material[] {
  return splitNumbered(text)
    .filter((t) => t.length >= 2 && !/^(?:无|暂无|不需要)$/.test(t))
    .map((t) => material(t, t, []));
}

/** Format fields a material does not state, in the rubric's terms. */
export function missingFormat(m: Material): ('form' | 'count')[] {
  const out: ('form' | 'count')[] = [];
  // 原件/复印件 or 纸质/电子: either tells the applicant what to bring; 份数 is asked separately.
  if (!m.form && !m.medium) out.push('form');
  if (!m.count) out.push('count');
  return out;
}

/** Materials that are forms the applicant fills in (申请表、申请书 …). */
export const FORM_MATERIAL_RE = /申请表|申请书|登记表|申报表|审批表|备案表|申请单|审核表|信息表|承诺书|情况表|申请函/;
/** Words saying where to get a form (a channel other than a download link). */
export const FORM_CHANNEL_RE = /领取|索取|现场填写|在线填写|网上填写|网上填报|在线填报|系统填写|系统自动生成|自动生成|在线生成|可下载|下载|窗口提供|窗口获取|免费提供/;

/** Parses one material object of platform JSON (field names vary: materialName, name, clmc …). */
export function materialFromJson(o: Record<string, unknown>, base: string): Material | null {
  const entries = Object.entries(o);
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
  const nameKey = entries.find(([k, v]) => /^(materialname|matername|name|clmc|title|materialtitle)$/i.test(k.replace(/[_-]/g, '')) && str(v));
  if (!nameKey) return null;
  const name = str(nameKey[1]);
  const extra: Partial<Material> = {};
  const forms: FormLink[] = [];
  const texts: string[] = [name];
  for (const [k, v] of entries) {
    const key = k.toLowerCase().replace(/[_-]/g, '');
    const s = str(v);
    if (key === nameKey[0].toLowerCase().replace(/[_-]/g, '')) continue;
    if (/template|sample|blank|example|form(?!at)|table|attach|fileid|yb$|kb$|ybid|kbid/.test(key) && (s || (v && typeof v === 'object'))) {
      if (!/^(?:0|null|false|无)$/i.test(s)) extra.formHint = true;
    }
    if (/num|count|copies|fs$|copynum|papernum/.test(key) && s && /^\d+$/.test(s)) {
      if (+s > 0) {
        if (/original|yj/.test(key)) extra.form = extra.form ?? '原件';
        if (/copy|fyj/.test(key) && !/paper/.test(key)) extra.form = extra.form ?? '复印件';
        extra.count = extra.count ?? `${s}份`;
      }
      continue;
    }
    if (s) {
      if (FORM_RE.test(s)) extra.form = extra.form ?? FORM_RE.exec(s)![0];
      if (MEDIUM_RE.test(s)) extra.medium = extra.medium ?? MEDIUM_RE.exec(s)![0];
      if (COUNT_RE.test(s)) extra.count = extra.count ?? COUNT_RE.exec(s)![0];
      if (/url|file|path|download|template|sample|blank|example|attach/.test(key) && /[/.]/.test(s) && !/^\d+$/.test(s)) {
        const url = resolveUrl(s, base);
        if (url) forms.push({ text: name, url, kind: /sample|example|yb/.test(key) ? 'sample' : 'blank' });
        continue;
      }
      if (s.length < 200) texts.push(s);
    }
    if (Array.isArray(v)) {
      for (const a of v.slice(0, 20)) {
        if (!a || typeof a !== 'object') continue;
        const ao = a as Record<string, unknown>;
        const u = Object.entries(ao).find(([kk, vv]) => /url|path|href|file/i.test(kk) && typeof vv === 'string' && vv);
        if (!u) continue;
        const url = resolveUrl(String(u[1]), base);
        const t = str(ao.name ?? ao.fileName ?? ao.title ?? name);
        if (url) forms.push({ text: t, url, kind: SAMPLE_WORD.test(t) || /sample|example/i.test(k) ? 'sample' : 'blank' });
      }
    } else if (v && typeof v === 'object') {
      const ao = v as Record<string, unknown>;
      const u = Object.entries(ao).find(([kk, vv]) => /url|path|href/i.test(kk) && typeof vv === 'string' && vv);
      if (u) {
        const url = resolveUrl(String(u[1]), base);
        if (url) forms.push({ text: name, url, kind: /sample|example/i.test(k) ? 'sample' : 'blank' });
      }
    }
  }
  return material(name, texts.join(' '), forms, extra);
}
