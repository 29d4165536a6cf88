import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from '../dom.ts';
import { footerElements, isAncestor, visibleText } from '../footer.ts';
import { elementsNamed } from '../walk.ts';
import { labelPairs, normLabel, type LabelPair, type PairVia } from './labels.ts';
import { ELEMENT_KEYS, ELEMENT_ZH, isElementKey, matchJsonField, matchLabel, type AuxKey, type ElementKey } from './elements.ts';
import {
  FORM_CHANNEL_RE,
  FORM_MATERIAL_RE,
  formLinksIn,
  materialFromJson,
  materialsFromElements,
  materialsFromText,
  missingFormat,
  type FormLink,
  type Material,
} from './materials.ts';
import { findVague, type VagueHit } from './vague.ts';

/**
 * Reads a service guide (办事指南) — an HTML page of the site or the platform, or the JSON a platform page fills itself
 * from — into the rubric's ten key elements, the material list with its format, the download links for forms and
 * samples, and vague wording. Pure.
 */

export type ElementState = 'present' | 'empty';

export interface ElementReading {
  key: ElementKey;
  /** The label as shown (or the JSON field). */
  label: string;
  /** The value (at most 300 chars kept for evidence). "无" is a value: the element is present. */
  value: string;
  state: ElementState;
  via: PairVia | 'json' | 'title';
}

export interface GuideReading {
  url: string;
  /** The item's name: the 事项名称 value, else the page's heading without "办事指南". */
  title?: string;
  elements: Partial<Record<ElementKey, ElementReading>>;
  /** Elements neither labelled nor in the JSON, in the rubric's order. */
  missing: ElementKey[];
  /** Elements labelled with nothing after the label (not "无": an empty cell). */
  empty: ElementKey[];
  /** Labels read beside the ten (办理时限, 监督投诉 …): value by key. */
  aux: Partial<Record<AuxKey, string>>;
  materials: Material[];
  /** Materials stated as "无" / none needed. */
  noMaterials: boolean;
  forms: FormLink[];
  vague: VagueHit[];
  /** Form materials (申请表, 申请书 …) with no download link and no stated way to get them. */
  formsWithoutChannel: string[];
  /** Form materials at all (for the forms-missing scope). */
  formMaterials: string[];
  /** Does this look like a guide at all (≥ 3 elements labelled, or a guide page by title)? */
  isGuide: boolean;
  source: 'html' | 'json';
  /** Labels some elements were read from, for evidence ("申请条件", "受理机构" …). */
  labelsSeen: string[];
  /**
   * For missing elements: where the guide's text (footer left out; JSON keys and values) still uses a word of the
   * element (收费, 电话, 流程 …) — the reader may have missed an unusual label, so a person should look.
   */
  hints: Partial<Record<ElementKey, string>>;
}

/** Words that show an element may be there under a label the reader does not know. */
const HINTS: Record<ElementKey, RegExp> = {
  name: /事项名称|服务名称|事项名/,
  basis: /依据|法律|条例|办法|规定》/,
  conditions: /条件|资格|符合/,
  materials: /材料|资料|证件|身份证/,
  location: /地点|地址|窗口|大厅|路\d|号楼/,
  agency: /机构|部门|单位|实施主体|局$/,
  fee: /收费|费用|免费|工本费|不收取|\d+(?:\.\d+)?元/,
  hours: /办理时间|受理时间|办公时间|工作时间|上午|下午|周[一二三四五六日]|星期|\d{1,2}[:：]\d{2}/,
  phone: /电话|咨询|热线|\d{3,4}-\d{7,8}|1[3-9]\d{9}/,
  process: /流程|程序|步骤|环节|→|—.*—/,
};
/** The same in English platform field names. */
const JSON_HINTS: Partial<Record<ElementKey, RegExp>> = {
  basis: /basis|according|law/i,
  conditions: /condition/i,
  materials: /material/i,
  location: /addr|place|location/i,
  agency: /dept|org(?!an)|subject/i,
  fee: /charge|fee|cost/i,
  hours: /time(?!limit)|hour|worktime/i,
  phone: /tel|phone|consult|contact/i,
  process: /flow|process|step|procedure/i,
};

function hintsFor(missing: ElementKey[], text: string, keys: string[] = []): Partial<Record<ElementKey, string>> {
  const out: Partial<Record<ElementKey, string>> = {};
  for (const k of missing) {
    const m = HINTS[k].exec(text);
    if (m) {
      const from = Math.max(0, m.index - 15);
      out[k] = (from > 0 ? '…' : '') + text.slice(from, m.index + m[0].length + 15) + '…';
      continue;
    }
    const jk = JSON_HINTS[k] ? keys.find((x) => JSON_HINTS[k]!.test(x)) : undefined;
    if (jk) out[k] = `字段 ${jk}`;
  }
  return out;
}

const MAX_KEEP = 300;

function keep(v: string): string {
  const t = normText(v);
  return t.length > MAX_KEEP ? t.slice(0, MAX_KEEP) + '…' : t;
}

function isBlank(v: string): boolean {
  return !normText(v).replace(/[-—－/\\_.。·]+/g, '');
}

/** Heading of a guide page: h1/h2 or <title>, without 办事指南/服务指南 and the site name after a separator. */
export function guideHeading($: CheerioAPI): string | undefined {
  const cands: string[] = [];
  for (const name of ['h1', 'h2']) for (const el of elementsNamed($, name)) cands.push(normText(visibleText(el)));
  cands.push(normText($('title').first().text()).split(/\s*[-_|—–]\s*/)[0] ?? '');
  for (const c of cands) {
    const t = c.replace(/[「」“”"]/g, '').replace(/(?:的)?(?:办事|服务|办理)?指南$/, '').replace(/^(?:办事|服务)指南[：:]?/, '').trim();
    if (t.length >= 4 && t.length <= 80 && !/政府|门户网站|首页/.test(t)) return t;
  }
  return undefined;
}

/** A sentence anywhere saying where a form is obtained ("申请表可在服务窗口领取", "下载申请表"). */
const FORM_SENTENCE_RE = /[表书][^。；;\s]{0,20}(?:领取|索取|下载|获取|填写|填报)|(?:领取|索取|下载|获取)[^。；;\s]{0,20}[表书]/;

/**
 * `valuesText`: the guide's labelled values (a channel word there counts); `bodyText`: the whole guide, where only a
 * sentence tying a form to a channel counts (a navigation item 下载中心 is no channel).
 */
function finish(
  r: Omit<GuideReading, 'missing' | 'empty' | 'isGuide' | 'formsWithoutChannel' | 'formMaterials' | 'hints'>,
  valuesText: string,
  bodyText: string,
  titleSaysGuide: boolean,
  jsonKeys: string[] = [],
): GuideReading {
  const missing = ELEMENT_KEYS.filter((k) => !r.elements[k]);
  const hints = hintsFor(missing, bodyText, jsonKeys);
  const empty = ELEMENT_KEYS.filter((k) => r.elements[k]?.state === 'empty');
  const labelled = ELEMENT_KEYS.filter((k) => r.elements[k] && r.elements[k]!.via !== 'title').length;
  const isGuide = labelled >= 3 || (titleSaysGuide && labelled >= 1);
  // Forms the applicant fills in, and whether the guide says how to get them.
  const formMaterials = r.materials.filter((m) => FORM_MATERIAL_RE.test(m.name)).map((m) => m.name);
  const genericChannel = r.forms.length > 0 || FORM_CHANNEL_RE.test(valuesText) || FORM_SENTENCE_RE.test(bodyText);
  const formsWithoutChannel = genericChannel
    ? []
    : r.materials.filter((m) => FORM_MATERIAL_RE.test(m.name) && m.forms.length === 0 && !m.formHint && !FORM_CHANNEL_RE.test(m.text)).map((m) => m.name);
  return { ...r, missing, empty, isGuide, formsWithoutChannel, formMaterials, hints };
}

/** Vague wording in the applicant-facing parts of a reading (conditions, materials, process). */
function vagueOf(elements: Partial<Record<ElementKey, ElementReading>>, fullValues: Partial<Record<ElementKey, string>>, materials: Material[]): VagueHit[] {
  const out: VagueHit[] = [];
  const seen = new Set<string>();
  const add = (hits: VagueHit[]) => {
    for (const h of hits) {
      if (seen.has(h.phrase)) continue;
      seen.add(h.phrase);
      out.push(h);
    }
  };
  add(findVague(fullValues.conditions ?? elements.conditions?.value ?? '', ELEMENT_ZH.conditions));
  if (materials.length) for (const m of materials) add(findVague(m.text || m.name, ELEMENT_ZH.materials));
  else add(findVague(fullValues.materials ?? elements.materials?.value ?? '', ELEMENT_ZH.materials));
  add(findVague(fullValues.process ?? elements.process?.value ?? '', ELEMENT_ZH.process));
  return out;
}

/**
 * Reads a guide page. `url` resolves download links. The footer is left out (a site footer's 联系电话 is not the
 * guide's). Pass the rendered DOM for pages that fill themselves by script.
 */
export function readGuideHtml(html: string, url: string): GuideReading {
  const $ = loadHtml(html);
  const footers = footerElements($);
  const exclude = (el: Element) => footers.some((f) => f === el || isAncestor(f, el));
  const pairs = labelPairs($, { exclude, accept: (n) => matchLabel(n) !== null });
  const elements: Partial<Record<ElementKey, ElementReading>> = {};
  const full: Partial<Record<ElementKey, string>> = {};
  const pairOf: Partial<Record<ElementKey, LabelPair>> = {};
  const aux: Partial<Record<AuxKey, string>> = {};
  const labelsSeen: string[] = [];
  for (const p of pairs) {
    const key = matchLabel(p.norm);
    if (!key) continue;
    if (!isElementKey(key)) {
      if (aux[key] === undefined) aux[key] = keep(p.value);
      continue;
    }
    const prev = elements[key];
    const state: ElementState = isBlank(p.value) && !p.panelUnknown ? 'empty' : 'present';
    // The first labelled occurrence wins, unless it was empty and a later one has a value.
    if (prev && !(prev.state === 'empty' && state === 'present')) continue;
    elements[key] = { key, label: p.label.replace(/[：:]\s*$/, ''), value: keep(p.value), state, via: p.via };
    full[key] = p.value;
    pairOf[key] = p;
    labelsSeen.push(normLabel(p.label));
  }
  const heading = guideHeading($);
  if (!elements.name && heading) elements.name = { key: 'name', label: '标题', value: keep(heading), state: 'present', via: 'title' };

  // Materials: from the 办理材料 value's elements (a table, a list, lines), else from the text.
  let materials: Material[] = [];
  const mp = pairOf.materials;
  const noMaterials = !!mp && /^(?:无|暂无|无需(?:提交|提供)?材料|不需要(?:提交)?材料|无需提交)$/.test(normText(mp.value));
  if (mp && !noMaterials) {
    materials = mp.valueEls.length ? materialsFromElements(mp.valueEls, url) : [];
    if (!materials.length && mp.via !== 'table') materials = materialsFromText(mp.value);
    if (!materials.length && mp.via === 'table') materials = materialsFromText(mp.value);
  }
  // Download links anywhere on the guide (outside the footer).
  const body = elementsNamed($, 'body')[0] ?? ($.root()[0] as AnyNode);
  const forms = formLinksIn([body], url).filter((f) => !footers.some((ft) => anchorInside(ft, f.url, $)));
  const bodyText = normText(visibleTextWithout(body, footers)).slice(0, 100_000);
  const titleText = normText($('title').first().text());
  const titleSaysGuide = /办事指南|服务指南|办理指南|事项详情|指南详情/.test(titleText + ' ' + (heading ?? ''));
  const vague = vagueOf(elements, full, materials);
  return finish(
    {
      url,
      title: elements.name?.via === 'title' ? heading : elements.name?.value || heading,
      elements,
      aux,
      materials,
      noMaterials,
      forms,
      vague,
      source: 'html',
      labelsSeen,
    },
    pairs.map((p) => p.value).join(' '),
    bodyText,
    titleSaysGuide,
  );
}

/** Visible text of a subtree without the given elements (the footer). */
function visibleTextWithout(root: AnyNode, skip: Element[]): string {
  if (!skip.length) return visibleText(root);
  const parts: string[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (skip.includes(n as Element)) continue;
    if (n.type === 'text') {
      parts.push((n as unknown as { data: string }).data);
      continue;
    }
    if (n.type !== 'tag' && n.type !== 'root') continue;
    const el = n as Element;
    if (n.type === 'tag' && /^(?:script|style|noscript|template|textarea)$/.test(el.name)) continue;
    if (n.type === 'tag' && /^(?:p|div|li|tr|td|th|br|dd|dt|h\d|section|table|ul|ol)$/.test(el.name)) parts.push(' ');
    const kids = el.children ?? [];
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  return parts.join('');
}

function anchorInside(container: Element, url: string, $: CheerioAPI): boolean {
  void $;
  const stack: AnyNode[] = [container];
  while (stack.length) {
    const n = stack.pop()!;
    const el = n as Element;
    if (el.name === 'a' && el.attribs?.href && url.endsWith(el.attribs.href.replace(/^\.?\//, ''))) return true;
    if (el.children) stack.push(...el.children);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

function textOfJson(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return stripTags(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (depth > 4) return '';
  if (Array.isArray(v)) return v.slice(0, 100).map((x) => textOfJson(x, depth + 1)).filter(Boolean).join('；');
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).slice(0, 50).map((x) => textOfJson(x, depth + 1)).filter(Boolean).join(' ');
  return '';
}

function stripTags(s: string): string {
  if (!/[<&]/.test(s)) return s;
  return normText(
    s
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(?:p|div|li|tr)>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}

function scoreObject(o: Record<string, unknown>): number {
  const keys = new Set<string>();
  for (const k of Object.keys(o)) {
    const m = matchJsonField(k);
    if (isElementKey(m)) keys.add(m);
  }
  return keys.size;
}

/** The object of a JSON answer that carries the guide: the one with the most element fields (bounded walk). */
export function findGuideObject(json: unknown): Record<string, unknown> | null {
  let best: Record<string, unknown> | null = null;
  let bestScore = 0;
  const stack: { v: unknown; d: number }[] = [{ v: json, d: 0 }];
  let visited = 0;
  while (stack.length && visited < 5000) {
    const { v, d } = stack.pop()!;
    visited++;
    if (!v || typeof v !== 'object' || d > 6) continue;
    if (Array.isArray(v)) {
      for (const x of v.slice(0, 50)) stack.push({ v: x, d: d + 1 });
      continue;
    }
    const o = v as Record<string, unknown>;
    const s = scoreObject(o);
    if (s > bestScore) {
      best = o;
      bestScore = s;
    }
    for (const x of Object.values(o)) if (x && typeof x === 'object') stack.push({ v: x, d: d + 1 });
  }
  return bestScore >= 2 ? best : null;
}

/**
 * Reads a guide from platform JSON (the answer of the endpoint a guide page calls). `url` is the guide page's URL
 * (evidence and link base). Fields present with an empty value are `empty`; "无" is present.
 */
export function readGuideJson(json: unknown, url: string): GuideReading {
  const o = findGuideObject(json) ?? {};
  const elements: Partial<Record<ElementKey, ElementReading>> = {};
  const full: Partial<Record<ElementKey, string>> = {};
  const aux: Partial<Record<AuxKey, string>> = {};
  const labelsSeen: string[] = [];
  let materialsRaw: unknown;
  for (const [k, v] of Object.entries(o)) {
    const key = matchJsonField(k);
    if (!key) continue;
    const t = textOfJson(v);
    if (!isElementKey(key)) {
      if (aux[key] === undefined && t) aux[key] = keep(t);
      continue;
    }
    if (key === 'materials') materialsRaw = v;
    const state: ElementState = (Array.isArray(v) ? v.length === 0 : isBlank(t)) ? 'empty' : 'present';
    const prev = elements[key];
    if (prev && !(prev.state === 'empty' && state === 'present')) continue;
    elements[key] = { key, label: k, value: keep(t), state, via: 'json' };
    full[key] = t;
    labelsSeen.push(k);
  }
  let materials: Material[] = [];
  let noMaterials = false;
  if (Array.isArray(materialsRaw)) {
    for (const m of materialsRaw.slice(0, 200)) {
      if (m && typeof m === 'object') {
        const got = materialFromJson(m as Record<string, unknown>, url);
        if (got) materials.push(got);
      } else if (typeof m === 'string' && m.trim()) materials.push(...materialsFromText(m));
    }
  } else if (typeof materialsRaw === 'string') {
    const t = stripTags(materialsRaw);
    noMaterials = /^(?:无|暂无|无需(?:提交|提供)?材料|不需要(?:提交)?材料)$/.test(normText(t));
    if (!noMaterials) materials = materialsFromText(t);
  }
  const forms: FormLink[] = [];
  const seen = new Set<string>();
  for (const m of materials) for (const f of m.forms) if (!seen.has(f.url)) (seen.add(f.url), forms.push(f));
  const vague = vagueOf(elements, full, materials);
  const allText = textOfJson(o).slice(0, 100_000);
  return finish(
    { url, title: elements.name?.value, elements, aux, materials, noMaterials, forms, vague, source: 'json', labelsSeen },
    allText,
    allText,
    false,
    Object.keys(o),
  );
}
