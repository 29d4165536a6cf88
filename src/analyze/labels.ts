/**
 * Labels as templates print them. Footer and guide labels are often spaced out for alignment: 主&nbsp;办：, 主　　办：
 * (full-width spaces), 联 系 电 话, tags between the characters (<td>主</td><td>办</td>), zero-width characters left
 * by editors. These helpers compare such labels with the plain words. Pure; never throws.
 */

/** Zero-width and invisible formatting characters (ZWSP, ZWNJ, ZWJ, word joiner, Mongolian vowel separator, soft hyphen, BOM). */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\u180e\u00ad\ufeff]/g;
/** Every kind of whitespace (JS \s covers &nbsp;, full-width spaces, &ensp;/&emsp;, line breaks) and zero-width characters. */
const ANY_SPACE = /[\s\u200b-\u200d\u2060\u180e\u00ad\ufeff]+/g;
/** A separator between the characters of a spaced label. */
const GAP = '[\\s\\u200b-\\u200d\\u2060\\u180e\\u00ad\\ufeff]*';

/** The label without any inner whitespace of any kind and without zero-width characters. */
export function normalizeLabel(text: string): string {
  return String(text ?? '').replace(ANY_SPACE, '');
}

/** Zero-width characters removed (whitespace kept): for running text whose spaces still separate fields. */
export function stripZeroWidth(text: string): string {
  return String(text ?? '').replace(ZERO_WIDTH, '');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regular-expression source matching `label` with any spacing (or none) between its characters. */
export function spacedLabelSource(label: string): string {
  return [...normalizeLabel(label)].map(escapeRe).join(GAP);
}

/** Decorations around a label that do not change it: brackets, bullets, arrows, a trailing colon. */
const DECOR_START = /^[\s【\[〔（(《<「『·•●◆■▶►>»]+/;
const DECOR_END = /[\s】\]〕）)》>」』:：>»›→]+$/;

export type LabelMode = 'exact' | 'prefix' | 'contains';

/**
 * The first of `labels` that `text` shows, comparing without inner spacing or zero-width characters.
 * - `exact` (default): the text is the label (brackets, bullets and a trailing colon or arrow allowed): "我 要 留 言"
 *   matches 我要留言, "【办事指南】" matches 办事指南, "在线留言板" does not match 留言.
 * - `prefix`: the text starts with the label ("主 办：青山市人民政府" matches 主办).
 * - `contains`: the label appears anywhere in the text.
 * A RegExp label is tested against the normalised text (mode ignored). Returns the matching label as given, or
 * undefined.
 */
export function matchLabel(text: string, labels: readonly (string | RegExp)[], mode: LabelMode = 'exact'): string | RegExp | undefined {
  const raw = normalizeLabel(text);
  if (!raw) return undefined;
  const bare = raw.replace(DECOR_START, '').replace(DECOR_END, '');
  for (const l of labels) {
    if (l instanceof RegExp) {
      l.lastIndex = 0;
      if (l.test(raw)) return l;
      continue;
    }
    const want = normalizeLabel(l);
    if (!want) continue;
    if (mode === 'exact' ? bare === want : mode === 'prefix' ? bare.startsWith(want) : raw.includes(want)) return l;
  }
  return undefined;
}

/** A CJK character (the labels in question are Chinese); ASCII letters and digits count as word characters too. */
const WORDISH = /[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]/;

const compactCache = new Map<string, RegExp>();

/**
 * Running text with the spaced-out occurrences of `labels` closed up ("主 办 单 位：X" → "主办单位：X"), so that
 * recognisers written for the plain words read them. Only a label that stands as one: followed by a colon, or with
 * no word character directly before and after it — "发扬民主 办事公开" is not the label 主办. Labels are tried longest
 * first. Unspaced text is returned unchanged.
 */
export function compactLabels(text: string, labels: readonly string[]): string {
  const s = stripZeroWidth(text);
  if (!s) return s;
  const key = labels.join('\u0000');
  let re = compactCache.get(key);
  if (!re) {
    const sorted = [...new Set(labels.map(normalizeLabel).filter((l) => l.length >= 2))].sort((a, b) => b.length - a.length);
    if (sorted.length === 0) return s;
    re = new RegExp(`(?:${sorted.map(spacedLabelSource).join('|')})`, 'g');
    if (compactCache.size > 50) compactCache.clear();
    compactCache.set(key, re);
  }
  re.lastIndex = 0;
  return s.replace(re, (m: string, offset: number, whole: string) => {
    const compact = normalizeLabel(m);
    if (compact === m) return m;
    const after = whole.slice(offset + m.length, offset + m.length + 8);
    if (/^\s*[:：]/.test(after)) return compact;
    const before = offset > 0 ? whole[offset - 1] : '';
    const next = whole[offset + m.length] ?? '';
    if (!WORDISH.test(before) && !WORDISH.test(next)) return compact;
    return m;
  });
}

/** Footer labels (网站主办单位, 联系方式 and the other footer fields) as the footer recognisers read them. */
export const FOOTER_LABELS: readonly string[] = [
  '网站主办单位', '主办单位', '主办方', '主办机关', '主办', '承办单位', '承办', '协办单位', '协办', '主管单位', '主管',
  '政府网站标识码', '网站标识码', '网站识别码', '标识码', '版权所有', '公网安备', '公安网备', '公安机关备案', '备案号', '备案序号',
  '联系电话', '联系方式', '联系我们', '联系地址', '通讯地址', '办公地址', '单位地址', '地址', '服务电话', '服务热线', '咨询电话',
  '电话', '传真', '邮编', '邮政编码', '电子邮箱', '邮箱', '技术支持', '运行维护', '网站地图', '我为政府网站找错',
];
