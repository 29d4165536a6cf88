import { normText } from '../dom.ts';
import { toHalfWidth } from '../dates.ts';

/**
 * Title similarity between a policy document and an interpretation, for pairs that neither link each other nor name a
 * 文号 or a 《…》 title. Both titles are first reduced to their subject ("core"): the issuer, 关于 / 印发 / 的通知,
 * the interpretation words (解读, 图解, 答记者问 …), the place name and words every policy title carries (措施, 办法,
 * 若干, 出台 …) are removed; what is left is compared.
 *
 * The default comparison is the Dice coefficient of character bigrams (no dependency). A segmenter's tokens can be
 * plugged in through `Tokenizer` (test/policy-match.test.ts compares @node-rs/jieba against the bigrams on the
 * fixture pairs; see MATCH_THRESHOLDS in match.ts for the outcome).
 */

/** Words that say what kind of text it is, not what it is about. Longest first. */
const GENERIC = [
  '政策解读', '解读材料', '图文解读', '视频解读', '权威解读', '一图读懂', '一图看懂', '一图速览', '一图了解', '答记者问',
  '新闻发布会', '政策问答', '热点问答', '负责人', '有关负责人', '主要负责人', '相关负责人', '解读', '图解',
  '关于印发', '关于转发', '关于', '印发', '转发', '的通知', '的意见', '的决定', '的批复', '的公告', '的通告',
  '实施意见', '指导意见', '实施方案', '工作方案', '行动方案', '实施细则', '管理办法', '暂行办法', '实施办法', '若干措施',
  '若干意见', '若干规定', '具体措施', '政策措施', '通知', '意见', '办法', '措施', '方案', '细则', '规定', '决定', '规划',
  '若干', '出台', '发布', '推出', '制定', '新政', '政策', '文件', '进一步', '全面', '加快', '有关', '相关', '工作',
  '我市', '本市', '全市', '我省', '本省', '全省', '我区', '我县', '市政府', '省政府', '人民政府办公室', '人民政府办公厅',
  '人民政府', '办公室', '办公厅', '带你', '读懂', '一图', '的',
];

/** Higher or other authorities a title may name: a document of the province or the State Council is another text. */
const AUTHORITIES = /国务院|中共中央|全国|国家|北京市?|天津市?|上海市?|重庆市?|河北省?|山西省?|辽宁省?|吉林省?|黑龙江省?|江苏省?|浙江省?|安徽省?|福建省?|江西省?|山东省?|河南省?|湖北省?|湖南省?|广东省?|海南省?|四川省?|贵州省?|云南省?|陕西省?|甘肃省?|青海省?|台湾省?|内蒙古(?:自治区)?|广西(?:壮族自治区)?|西藏(?:自治区)?|宁夏(?:回族自治区)?|新疆(?:维吾尔自治区)?|香港|澳门|省人民政府|省政府|我省|全省/g;

/** The authorities a title names (see AUTHORITIES), normalised (湖南省 = 湖南). */
export function titleAuthorities(s: string): string[] {
  const out = new Set<string>();
  for (const m of toHalfWidth(s).matchAll(AUTHORITIES)) out.add(m[0].replace(/(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$/, '').replace(/^(?:我|全)省$|^省(?:人民)?政府$/, '省'));
  return [...out].sort();
}

/** A revised edition is another text than the original. */
const REVISION = /修订|修正|修改|\d{4}\s*年版/;

export interface CoreOptions {
  /** Place names of the unit to strip (青山市, 青山). */
  placeNames?: string[];
}

/** Numbers a title carries (years, 十四五, counts): titles with different numbers are different texts. */
export function titleNumbers(s: string): string[] {
  const t = toHalfWidth(s);
  const out = new Set<string>();
  for (const m of t.matchAll(/\d+/g)) out.add(String(+m[0]));
  for (const m of t.matchAll(/[一二三四五六七八九十]{2,}五/g)) out.add(m[0]);
  return [...out].sort();
}

function stripPlaces(s: string, places: string[]): string {
  let out = s;
  for (const p of places.filter(Boolean).sort((a, b) => b.length - a.length)) out = out.split(p).join('');
  return out;
}

/** The subject of a title (see the module comment). */
export function coreTitle(title: string, opts: CoreOptions = {}): string {
  let s = toHalfWidth(normText(title));
  // 关于印发《X》的通知 → X (the first book title, when the title is a cover letter for it).
  const book = /《([^《》]{4,})》/.exec(s);
  if (book && /印发|转发|颁布|公布|关于|解读|图解|读懂|答记者问|问答/.test(s.replace(book[0], ''))) s = book[1];
  // The issuer in front of 关于.
  s = s.replace(/^.{2,30}?(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅)(?=关于|印发|转发)/, '');
  // 市发改委负责人就《X》答记者问 / 就X答记者问: the subject is between 就 and 答记者问.
  const qa = /就(.{4,}?)(?:答记者问|答问|回答记者提问)/.exec(s);
  if (qa) s = qa[1];
  // Brackets and labels: 【图解】 / 解读： / (附解读).
  s = s.replace(/[【\[（(][^】\]）)]{0,10}[】\]）)]/g, ' ');
  s = stripPlaces(s, opts.placeNames ?? []);
  for (const g of GENERIC) s = s.split(g).join(' ');
  return s.replace(/[\s"'“”‘’「」『』《》〈〉()（）,，、。.:：;；!！?？·|｜/\-—_]+/g, '');
}

/** Character bigrams of a string (a one-character string is its own gram). */
export function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  const chars = [...s];
  if (chars.length === 1) out.add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return out;
}

/** Dice coefficient of two sets. */
export function dice<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return (2 * common) / (a.size + b.size);
}

/** Turns a core title into comparable units (bigrams, or a segmenter's words). */
export type Tokenizer = (core: string) => Set<string>;

export const bigramTokenizer: Tokenizer = (core) => bigrams(core);

export interface Similarity {
  score: number;
  docCore: string;
  interpCore: string;
  /** Why the score was forced to 0, when it was. */
  veto?: string;
}

/**
 * Similarity of a document title and an interpretation title, 0–1. Different numbers (years, 十四五) or a core shorter
 * than 4 characters on either side give 0: too little is left to compare.
 */
export function titleSimilarity(docTitle: string, interpTitle: string, opts: CoreOptions & { tokenizer?: Tokenizer } = {}): Similarity {
  const docCore = coreTitle(docTitle, opts);
  const interpCore = coreTitle(interpTitle, opts);
  const base = { docCore, interpCore };
  if ([...docCore].length < 4 || [...interpCore].length < 4) return { ...base, score: 0, veto: 'core too short' };
  const na = titleNumbers(docCore);
  const nb = titleNumbers(interpCore);
  if (na.length && nb.length && na.join(',') !== nb.join(',')) return { ...base, score: 0, veto: `numbers differ (${na} / ${nb})` };
  const ra = REVISION.test(docTitle);
  const rb = REVISION.test(interpTitle);
  if (ra !== rb) return { ...base, score: 0, veto: 'one title is a revision' };
  const aa = titleAuthorities(stripPlaces(docTitle, opts.placeNames ?? []));
  const ab = titleAuthorities(stripPlaces(interpTitle, opts.placeNames ?? []));
  if (aa.join(',') !== ab.join(',')) return { ...base, score: 0, veto: `authorities differ (${aa} / ${ab})` };
  const tok = opts.tokenizer ?? bigramTokenizer;
  return { ...base, score: Math.round(dice(tok(docCore), tok(interpCore)) * 1000) / 1000 };
}
