import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { normText } from '../dom.ts';
import { bodyOrRoot } from '../walk.ts';
import { toHalfWidth, visibleText } from '../dates.ts';
import { footerElements } from '../footer.ts';
import { compactLabels } from '../labels.ts';

/**
 * Labelled fields of a page ("发文字号：青政发〔2021〕6号", 信息公开 tables with the label in one cell and the value in
 * the next). Spaced-out labels (索 引 号, 发文字号 with full-width spaces) are closed up by the shared label helper
 * (src/analyze/labels.ts) first.
 */

/** Canonical field → the labels real pages use for it (longest first within a field). */
const FIELD_LABELS: Record<string, string[]> = {
  indexNo: ['索引号'],
  docNo: ['发文字号', '发文文号', '文件编号', '文件字号', '发文号', '文号'],
  regNo: ['统一登记号', '统一编号', '登记号'],
  issuer: ['发布机构', '发文机关', '发文机构', '发文单位', '发布单位', '发布机关', '制发机关', '成文单位', '发文部门'],
  written: ['成文日期', '成文时间', '发文日期', '发文时间', '印发日期', '签发日期'],
  published: ['发布日期', '发布时间', '公开日期', '公开时间'],
  title: ['文件名称', '标题'],
  topic: ['主题分类'],
  validity: ['有效性', '时效性', '效力状态'],
};

const LABEL_TO_FIELD = new Map<string, string>();
for (const [field, labels] of Object.entries(FIELD_LABELS)) for (const l of labels) LABEL_TO_FIELD.set(l.replace(/\s+/g, ''), field);
const ALL_LABELS = [...LABEL_TO_FIELD.keys()].sort((a, b) => b.length - a.length);
const LABEL_RE = new RegExp(
  `(?:^|[\\n\\t 【\\[（(|｜])(${ALL_LABELS.join('|')})[ ]*(?:[:：][ \\t]*|\\t)([^\\n\\t]{0,120})`,
  'g',
);
/** Where a value stops: the next "label：" in the same cell. */
const NEXT_LABEL = /[ 　]{2,}|【|\s+[\u4e00-\u9fa5]{2,6}\s*[:：]/;

export type Fields = Partial<Record<keyof typeof FIELD_LABELS, string>>;

/** The labelled fields of a page (first value per field; blank values ignored). Footer text is left out. */
export function readFields($: CheerioAPI): Fields {
  let text: string;
  try {
    const footers = new Set<Element>(footerElements($));
    text = toHalfWidth(visibleText(bodyOrRoot($), (el) => footers.has(el)));
  } catch {
    return {};
  }
  return readFieldsFromText(text);
}

/** readFields over already extracted visible text (cells separated by tabs, blocks by newlines). */
export function readFieldsFromText(raw: string): Fields {
  const text = compactLabels(raw, ALL_LABELS);
  const out: Record<string, string> = {};
  LABEL_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = LABEL_RE.exec(text)) && n++ < 200) {
    const label = m[1].replace(/\s+/g, '');
    const field = LABEL_TO_FIELD.get(label);
    if (!field || out[field]) continue;
    const value = normText(m[2].split(NEXT_LABEL)[0] ?? '');
    if (!value || /^[-—/]+$/.test(value)) continue;
    out[field] = value;
    // Let the value's own text be scanned for the next label (a row "文号：x 发布机构：y" without cells).
    LABEL_RE.lastIndex = m.index + m[0].length - m[2].length;
  }
  return out as Fields;
}
