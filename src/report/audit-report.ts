/**
 * The audit JSON document (`govsite audit --format json`) and helpers shared by the report renderers
 * (text, HTML, XLSX). Field names of AuditReport are a public contract.
 */
import type { CheckScope, Evidence, Finding, GatherStatus } from '../model.ts';
import { loadRubric, type Rubric } from '../score/rubric.ts';
import type { BonusScore, Deduction, ItemScore, ScoreResult, VetoResult } from '../score/types.ts';
import { CONFIRM_ZH, GATHER_STATUS_ZH, SCOPE_STATUS_ZH, trimEndPunct, zhErrorCode, zhPunct, zhText } from './zh.ts';

export interface AuditReport {
  site: { url: string; name?: string };
  rubric: string;
  /** Monitoring time point, YYYY-MM-DD. */
  asOf: string;
  startedAt: string;
  finishedAt: string;
  runId?: number;
  stats: {
    pagesCrawled: number;
    linksChecked: number;
    brokenLinks: number;
    unverifiedLinks?: number;
    pagesFailed?: number;
    [k: string]: number | undefined;
  };
  findings: Finding[];
  score?: ScoreResult;
  /** Homepage screenshot path (PNG). */
  screenshot?: string;
  browser?: { available: boolean; reason?: string };
  /** Chinese notes, e.g. "浏览器不可用，页脚类问题未经渲染确认". */
  notes?: string[];
  /** Facts behind early warnings: the newest dated item reachable from the homepage, confirmed empty columns. */
  facts?: {
    homepageNewestDate?: string;
    emptyColumns: number;
    /** The unit's registered new-media accounts with a verified newest post (src/newmedia), for the 10-day warning. */
    newMedia?: { name: string; platform: string; day: string; source: string }[];
  };
  /** What each check examined (status checked / unverified / not-run, with a Chinese summary or reason). */
  scopes?: Record<string, CheckScope>;
  /** What each gatherer read (src/gather/), by gatherer id. */
  gather?: Record<string, GatherStatus>;
}

/** Check id → Chinese title, in report order. */
export const CHECK_TITLES: Readonly<Record<string, string>> = Object.freeze({
  'homepage-stale': '首页超过2周未更新',
  'homepage-empty': '首页无可显示内容',
  availability: '网站可用性',
  'broken-link': '链接无法打开',
  'empty-column': '空白栏目',
  'stale-column': '栏目应更新未更新',
  'required-column': '未开设必备栏目',
  'date-format': '发布时间格式不规范',
  'source-label': '未标注信息来源',
  'page-tags': '页面标签不完备',
  'site-name': '网站名称',
  'footer-conac-badge': '缺少党政机关网站标识',
  'footer-site-code': '网站标识码',
  'footer-icp': 'ICP备案编号',
  'footer-police-filing': '公安机关备案标识',
  'footer-sponsor': '网站主办单位',
  'footer-contact': '联系方式',
  'error-report-entry': '我为政府网站找错入口',
  ipv6: 'IPv6改造',
  domain: '域名不规范',
  // 互动交流
  'interaction-channel': '互动交流渠道',
  'messages-unpublished': '网民留言未公开',
  'message-fields': '留言公开要素不全',
  'messages-stale': '留言未及时更新',
  'message-statistics': '未公开留言统计数据',
  'message-unanswered': '超过3个月未回应的留言',
  'consultation-activities': '征集调查活动',
  'inquiry-reply': '模拟咨询答复时限',
  // 政策解读、专题专栏、年度报表、联动传播、办事统计
  'interpretation-missing': '政策文件未解读',
  'interpretation-unlinked': '解读与文件未关联',
  'topics-few': '专题专栏开设不足',
  'topic-stale': '专题专栏未及时更新',
  'annual-report': '网站工作年度报表',
  'linkage-missing': '重要信息未联动传播',
  'service-statistics': '办事统计数据',
  // 办事服务、统一登录、兼容性
  'service-entry': '办事服务入口',
  'guide-missing': '事项无办事指南',
  'guide-elements': '办事指南要素缺失',
  'guide-material-format': '办理材料格式要求不明确',
  'guide-vague': '办事指南表述含糊',
  'forms-missing': '未提供表格下载',
  'service-classification': '办事事项未分类展示',
  'unified-login': '未实现统一登录',
  'browser-compat': '浏览器兼容性',
  // 政务新媒体
  'new-media-stale': '政务新媒体2周内无更新',
  'new-media-zombie': '政务新媒体僵尸账号',
  'new-media-duplicate': '政务新媒体重复开设',
  'new-media-registry': '政务新媒体填报信息不一致',
  'coverage-gap': '未纳入监管范围',
  consolidation: '关停网站未迁移',
});

const CHECK_ORDER = Object.keys(CHECK_TITLES);

/** The Chinese title of a check id (the id itself when unknown). */
export function checkTitle(id: string): string {
  return Object.prototype.hasOwnProperty.call(CHECK_TITLES, id) ? CHECK_TITLES[id] : String(id);
}

export interface FindingGroup {
  check: string;
  title: string;
  findings: Finding[];
}

/** Findings grouped by check: known checks in CHECK_TITLES order, then unknown ones by id. Order inside a group is kept. */
export function groupFindingsByCheck(findings: readonly Finding[]): FindingGroup[] {
  const map = new Map<string, Finding[]>();
  for (const f of findings) {
    const id = String(f?.check ?? '');
    let list = map.get(id);
    if (!list) map.set(id, (list = []));
    list.push(f);
  }
  const rank = (id: string) => {
    const i = CHECK_ORDER.indexOf(id);
    return i < 0 ? CHECK_ORDER.length : i;
  };
  return [...map.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([check, list]) => ({ check, title: checkTitle(check), findings: list }));
}

/** Round a score to 2 decimals (kills 0.1 + 0.2 artefacts). Non-finite → 0. */
export function roundPoints(n: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) return 0;
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? 0 : r;
}

/** A score for people: "83.5", "2", "0.25"; "—" when not a number. */
export function formatPoints(n: number | undefined | null): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  return String(roundPoints(n));
}

/** The href to use for a crawled URL: only absolute http(s) URLs are linked, everything else yields undefined. */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) return undefined;
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return u.href;
}

/**
 * Removes characters that must never reach a terminal, an XML file or an HTML page from crawled text:
 * C0/C1 control characters (except tab and newline), DEL, lone surrogates and non-characters.
 */
export function cleanText(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : String(value);
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Truncates to `max` characters (by code point), with an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cps = Array.from(s);
  if (cps.length <= max) return s;
  return cps.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * An ISO timestamp for people, in Asia/Shanghai: "2021-06-15 09:00:03". Anything unparsable is returned one-lined.
 */
export function formatTime(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return oneLine(value ?? '', 40);
  const t = Date.parse(value);
  if (Number.isNaN(t)) return oneLine(value, 40);
  const d = new Date(t + 8 * 3600_000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** Single-line form of crawled text: whitespace collapsed, cleaned, truncated. */
export function oneLine(value: unknown, max = 200): string {
  return truncate(cleanText(value).replace(/[\s\u00a0\u3000]+/g, ' ').trim(), max);
}

/** A stable identity for a finding (to match reviewer-excluded / unconfirmed findings against the full list). */
export function findingKey(f: Finding): string {
  return JSON.stringify([f?.check ?? '', f?.url ?? '', f?.target ?? '', f?.detail ?? '', f?.message ?? '']);
}

export interface FindingPartition {
  /** Findings that stand: neither excluded by a reviewer nor awaiting confirmation. */
  active: Finding[];
  excluded: { finding: Finding; reason: string; reviewer?: string }[];
  /** Findings that do not count yet: `awaiting` a reviewer's confirmation (待确认) and `doubtful` ones (未核实). */
  unconfirmed: Finding[];
  awaiting: Finding[];
  doubtful: Finding[];
}

/** Keys of the findings a reviewer must confirm (待确认), from the score's items, bonus proposals and 单否 clauses. */
function awaitingKeys(score: ScoreResult | undefined): Set<string> {
  const keys = new Set<string>();
  if (!score) return keys;
  for (const it of score.items ?? []) for (const f of it?.awaitingFindings ?? []) keys.add(findingKey(f));
  for (const b of score.bonusItems ?? []) for (const p of b?.proposals ?? []) for (const f of p?.findings ?? []) keys.add(findingKey(f));
  for (const v of score.veto?.items ?? []) if (v?.pendingKind === 'awaiting') for (const f of v.findings ?? []) if (f?.evidence?.unverified !== true) keys.add(findingKey(f));
  return keys;
}

/**
 * Splits the report's findings using the score's reviewer decisions: findings listed in `score.excluded` and
 * `score.unconfirmed` leave the main list (they are shown in their own sections). Without a score, all stand.
 */
export function partitionFindings(report: AuditReport): FindingPartition {
  const score = report.score;
  const excluded = Array.isArray(score?.excluded) ? score!.excluded.filter((e) => e && e.finding) : [];
  const unconfirmed = Array.isArray(score?.unconfirmed) ? score!.unconfirmed.filter(Boolean) : [];
  const drop = new Set<string>([...excluded.map((e) => findingKey(e.finding)), ...unconfirmed.map(findingKey)]);
  const findings = Array.isArray(report.findings) ? report.findings.filter(Boolean) : [];
  const waitingKeys = awaitingKeys(score);
  // 待确认: a reviewer's confirmation is all it needs; 未核实: the machine itself could not verify it.
  const isAwaiting = (f: Finding) =>
    f?.evidence?.confirm === 'required' || waitingKeys.has(findingKey(f)) || !(f?.evidence?.unverified === true || f?.evidence?.confirmation === 'unconfirmed');
  return {
    active: findings.filter((f) => !drop.has(findingKey(f))),
    excluded,
    unconfirmed,
    awaiting: unconfirmed.filter(isAwaiting),
    doubtful: unconfirmed.filter((f) => !isAwaiting(f)),
  };
}

/** A finding's `detail` for people (machine English → Chinese, codes kept in parentheses). */
export function detailText(f: Finding | undefined, max = 500): string {
  return oneLine(zhText(oneLine(f?.detail ?? '', 4000)), max);
}

/** A finding's message, to be followed by "：" and more (its closing full stop dropped: no "。："). */
export function messageHead(f: Finding | undefined, max = 200): string {
  return trimEndPunct(oneLine(f?.message ?? '', max));
}

/** Labelled evidence fields worth showing to people (values already one-lined; no markup). */
export function evidenceEntries(e: Evidence | undefined, max = 300): { label: string; value: string }[] {
  if (!e || typeof e !== 'object') return [];
  const out: { label: string; value: string }[] = [];
  const push = (label: string, v: unknown) => {
    if (v === undefined || v === null || v === '') return;
    out.push({ label, value: oneLine(v, max) });
  };
  push('锚文本', e.anchorText);
  if (typeof e.pageTitle === 'string') push('页面标题', e.pageTitle);
  push('片段', e.snippet);
  if (e.linkKind) push('链接类型', LINK_KIND_TITLES[e.linkKind] ?? e.linkKind);
  if (typeof e.status === 'number' || typeof e.status === 'string') push('状态码', e.status);
  if (typeof e.error === 'string') push('错误', zhErrorCode(e.error));
  if (e.onHomepage === true) push('位置', '首页');
  if (typeof e.lastUpdate === 'string') push('最近更新', e.lastUpdate);
  if (typeof e.column === 'string') push('栏目', e.column);
  if (e.at !== undefined && e.at !== null && e.at !== '') push('时间', formatTime(e.at));
  if (Array.isArray(e.pagesChecked) && e.pagesChecked.length) push('检查页面数', e.pagesChecked.length);
  if (e.confirmation) push('确认方式', CONFIRMATION_TITLES[e.confirmation] ?? e.confirmation);
  if (e.unverified === true) push('核实', '未核实（不扣分）');
  if (typeof e.matchDetail === 'string') push('匹配依据', e.matchDetail);
  if (Array.isArray(e.nearestInterpretations) && e.nearestInterpretations.length)
    push('相近的解读', (e.nearestInterpretations as { title?: string; similarity?: number }[]).map((x) => `${x.title ?? ''}（相似度 ${x.similarity ?? ''}）`).join('；'));
  if (typeof e.confirm === 'string') push('复核', e.confirm === 'required' ? '待确认（确认后计入）' : (CONFIRM_ZH[e.confirm] ?? e.confirm));
  push('截图', e.screenshot);
  return out;
}

const LINK_KIND_TITLES: Record<string, string> = {
  a: '超链接',
  img: '图片',
  script: '脚本',
  link: '样式/资源',
  iframe: '内嵌框架',
  form: '表单',
  attachment: '附件',
  media: '音视频',
  other: '其他',
};

export const CONFIRMATION_TITLES: Readonly<Record<string, string>> = Object.freeze({
  rendered: '浏览器渲染确认',
  static: '静态页面判断',
  unconfirmed: '未经渲染确认',
});

/** One line of evidence for flat outputs (XLSX, text): "锚文本：…；片段：…". */
export function evidenceSummary(e: Evidence | undefined, max = 300): string {
  return evidenceEntries(e, max)
    .map((x) => `${x.label}：${x.value}`)
    .join('；');
}

/** Status words for a finding (markers shown next to it). */
export function findingFlags(f: Finding): string[] {
  const flags: string[] = [];
  if (f?.evidence?.unverified === true) flags.push('未核实');
  if (f?.evidence?.confirmation === 'unconfirmed') flags.push('未经渲染确认');
  const c = f?.evidence?.confirm;
  if (typeof c === 'string' && CONFIRM_ZH[c]) flags.push(CONFIRM_ZH[c]);
  return flags;
}

/** One line per check / gatherer: what it examined or why it could not (the report's 检测范围). */
export interface ScopeLine {
  kind: 'check' | 'gatherer';
  id: string;
  /** Chinese title (checks), the id for gatherers. */
  title: string;
  /** 已检测 / 未核实 / 未运行; 已完成 / 部分完成 / 失败 / 未运行. */
  status: string;
  ok: boolean;
  text: string;
}

/** The report's scopes and gatherer statuses for people, checks in report order; empty for runs stored without them. */
export function scopeLines(report: Pick<AuditReport, 'scopes' | 'gather'>): ScopeLine[] {
  const out: ScopeLine[] = [];
  const scopes = report.scopes && typeof report.scopes === 'object' ? report.scopes : {};
  const ids = groupFindingsByCheck(Object.keys(scopes).map((id) => ({ check: id, url: '', message: '', evidence: {} }))).map((g) => g.check);
  for (const id of ids) {
    const sc = scopes[id];
    if (!sc) continue;
    const ok = sc.status === 'checked';
    out.push({
      kind: 'check',
      id,
      title: checkTitle(id),
      status: SCOPE_STATUS_ZH[sc.status] ?? String(sc.status),
      ok,
      text: oneLine(zhText(ok ? sc.summary ?? '' : sc.reason ?? ''), 300),
    });
  }
  for (const [id, g] of Object.entries(report.gather && typeof report.gather === 'object' ? report.gather : {})) {
    if (!g) continue;
    const text = [g.summary, g.status !== 'ok' ? g.reason : ''].filter(Boolean).map((x) => trimEndPunct(oneLine(zhText(x), 300))).join('；');
    out.push({ kind: 'gatherer', id, title: id, status: GATHER_STATUS_ZH[g.status] ?? String(g.status), ok: g.status === 'ok', text });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Score sheet

/** The 一级指标 of the veto (单否) rows; the engine's veto items don't carry one. */
export const VETO_LEVEL1 = '健康状况';
export const BONUS_LEVEL1 = '加分项';

export const PENDING_TEXT = '待人工评分';
export const SKIPPED_TEXT = '不考核';
/** State words of the score sheet (tags beside 二级指标 and before each 扣分依据 line). */
export const STATE = Object.freeze({
  manual: PENDING_TEXT,
  unverified: '未核实',
  monitor: '待监测',
  awaiting: '待确认',
  failed: '不合格',
  clear: '未发现',
  skipped: SKIPPED_TEXT,
});

/**
 * What one 扣分依据 line says. `deduction` / `manual`: points taken (by the machine / by a reviewer); `cap`: the
 * arithmetic when listed deductions exceed the item's cap; `checked`: what the machine examined; `clear`: examined,
 * nothing found; `unverified` / `monitor`: the machine could not decide (未核实 / 待监测); `awaiting`: machine
 * findings waiting for a reviewer (待确认); `doubtful`: machine findings it could not confirm (not deducted);
 * `pending`: 待人工评分; `failed`: a 单否 clause failed; `award` / `proposal`: bonus points given / proposed.
 */
export type BasisKind =
  | 'deduction'
  | 'manual'
  | 'cap'
  | 'checked'
  | 'clear'
  | 'unverified'
  | 'monitor'
  | 'awaiting'
  | 'doubtful'
  | 'pending'
  | 'failed'
  | 'skipped'
  | 'award'
  | 'proposal'
  | 'note';

export interface SheetBasis {
  /** Chinese line without its state word, e.g. "首页链接无法打开 1 处（−1）". */
  text: string;
  /** Pages the line is about (http/https only are linked by renderers). */
  findings: Finding[];
  manual?: Deduction['manual'];
  kind?: BasisKind;
  /** State word shown before the line (待确认, 未核实, 待监测, 待人工评分, 不合格, 未发现, 机器检测 …). */
  tag?: string;
  /** Rule ids the line is about: small print only, after the Chinese text. */
  ids?: string[];
}

/** A 扣分依据 line as flat text (XLSX, terminal): "待确认：2 条机器发现…". */
export function basisLine(b: SheetBasis): string {
  return b.tag ? `${b.tag}：${b.text}` : b.text;
}

export interface SheetRow {
  kind: 'veto' | 'item' | 'bonus';
  id: string;
  level1: string;
  level2: string;
  rules: string;
  /** Numeric max (item/bonus); undefined for veto rows (分值 = 单否). */
  max?: number;
  deducted?: number;
  /** Score (item) or awarded points (bonus). */
  score?: number;
  pending: boolean;
  /** Pending, but with machine deductions of other sub-rules that stand (shown as numbers). */
  partialPending?: boolean;
  skipped: boolean;
  /** Veto rows: a sub-item failed. */
  failed?: boolean;
  /** State words of the row (待确认, 未核实, 待监测, 待人工评分), shown beside 二级指标. */
  tags: string[];
  /** Text of the 分值 / 扣分 / 得分 columns. */
  maxText: string;
  deductedText: string;
  scoreText: string;
  basis: SheetBasis[];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? roundPoints(v) : undefined;
}

/** The engine's explanations in Chinese punctuation. */
function explainText(s: unknown, max = 500): string {
  return zhPunct(oneLine(s, max));
}

function deductionText(d: Deduction): string {
  if (d.explain) return explainText(d.explain);
  const what = oneLine(d.text || '', 300) || '扣分';
  const count = typeof d.count === 'number' && d.count > 0 ? ` ${d.count} 处` : '';
  return `${what}${count}（−${formatPoints(d.points)}）`;
}

function manualText(m: NonNullable<Deduction['manual']>, said = ''): string {
  const parts: string[] = ['人工评分'];
  // The engine's explanation may already quote the reviewer's note.
  if (m.note && !said.includes(oneLine(m.note, 300))) parts.push(oneLine(m.note, 300));
  if (m.reviewer) parts.push(`评分人：${oneLine(m.reviewer, 60)}`);
  if (m.date) parts.push(oneLine(m.date, 30));
  return parts.join('，');
}

// ------------------------------------------------------------------------------------------------------------
// Rule labels: ids are never shown alone; people read 二级指标, 第N条 and the rule's text.

export interface RuleLabel {
  /** 二级指标 (政府网站健康状况, 可用性, 数据发布). */
  level2: string;
  /** The rule's number within its item: "2", "1a"; for 单否 clauses the 项 number. */
  no: string;
  /** 条 for item and bonus rules, 项 for 单否 clauses. */
  unit: '条' | '项';
  /** The rule's text as written (may be empty when unknown). */
  text: string;
  kind: 'rule' | 'veto' | 'bonus' | 'item';
}

export type RuleCatalog = Map<string, RuleLabel>;

const rubricCache = new Map<string, Rubric | null>();

/** The rubric of a report (by its id or file), cached; undefined when it cannot be loaded. */
export function reportRubric(report: Pick<AuditReport, 'rubric' | 'score'>): Rubric | undefined {
  for (const key of [report.rubric, report.score?.rubric]) {
    if (typeof key !== 'string' || !key) continue;
    if (!rubricCache.has(key)) {
      let r: Rubric | null = null;
      try {
        r = loadRubric(key);
      } catch {
        r = null;
      }
      rubricCache.set(key, r);
    }
    const r = rubricCache.get(key);
    if (r) return r;
  }
  return undefined;
}

function shortNo(id: string, parent: string): string {
  return id.startsWith(parent + '.') ? id.slice(parent.length + 1) : (id.split('.').pop() ?? id);
}

/** Every rule id → its label: from the rubric when given, completed from the score itself. */
const rubricCatalogs = new WeakMap<Rubric, RuleCatalog>();

export function ruleCatalog(score: ScoreResult | undefined, rubric?: Rubric): RuleCatalog {
  if (!score && rubric && rubricCatalogs.has(rubric)) return rubricCatalogs.get(rubric)!;
  const cat: RuleCatalog = new Map();
  const put = (id: string, l: RuleLabel) => {
    const old = cat.get(id);
    if (!old || (!old.text && l.text)) cat.set(id, old ? { ...old, text: l.text } : l);
  };
  if (rubric) {
    for (const g of rubric.veto) for (const sub of g.subItems) put(sub.id, { level2: g.level2, no: shortNo(sub.id, g.id), unit: '项', text: sub.text, kind: 'veto' });
    for (const it of rubric.items) {
      put(it.id, { level2: it.level2, no: '', unit: '条', text: it.text, kind: 'item' });
      for (const r of it.rules) put(r.id, { level2: it.level2, no: shortNo(r.id, it.id), unit: '条', text: r.text, kind: 'rule' });
    }
    for (const it of rubric.bonus.items) {
      put(it.id, { level2: it.level2, no: '', unit: '条', text: it.text, kind: 'item' });
      for (const r of it.rules) put(r.id, { level2: it.level2, no: shortNo(r.id, it.id), unit: '条', text: r.text, kind: 'bonus' });
    }
  }
  if (score) {
    for (const v of score.veto?.items ?? []) {
      if (!v?.id) continue;
      const group = String(v.id).replace(/\.[^.]+$/, '');
      put(v.id, { level2: cleanText(v.level2 ?? ''), no: shortNo(v.id, group), unit: '项', text: cleanText(v.rule ?? ''), kind: 'veto' });
    }
    for (const it of score.items ?? []) {
      if (!it?.id) continue;
      const ids = [...(it.deductions ?? []).map((d) => d?.rule), ...(it.pendingRules ?? []), ...(it.unverifiedRules ?? []).map((u) => u?.rule)];
      for (const id of ids) {
        if (typeof id !== 'string' || id === it.id) continue;
        const d = (it.deductions ?? []).find((x) => x?.rule === id);
        put(id, { level2: cleanText(it.level2 ?? ''), no: shortNo(id, it.id), unit: '条', text: cleanText(d?.text ?? ''), kind: 'rule' });
      }
    }
    for (const b of score.bonusItems ?? []) {
      if (!b?.id) continue;
      const ids = [...(b.awards ?? []).map((a) => a?.rule), ...(b.pendingRules ?? []), ...(b.unverifiedRules ?? []).map((u) => u?.rule), ...(b.proposals ?? []).map((p) => p?.rule)];
      for (const id of ids) if (typeof id === 'string' && id !== b.id) put(id, { level2: cleanText(b.level2 ?? ''), no: shortNo(id, b.id), unit: '条', text: '', kind: 'bonus' });
    }
  }
  if (!score && rubric) rubricCatalogs.set(rubric, cat);
  return cat;
}

/** "第2条「使用主流浏览器访问…」" (inside its own row); `withLevel2`: "可用性 第2条「…」" (anywhere else). */
export function ruleRef(cat: RuleCatalog, id: string, opts: { withLevel2?: boolean; max?: number; text?: boolean } = {}): string {
  const l = cat.get(id);
  if (!l) {
    // Older scores name a rule by its text; an unknown id reads as its number.
    if (!/^[a-z][\w.-]*$/.test(id)) return oneLine(id, opts.max ?? 60);
    const no = id.includes('.') ? id.split('.').pop() : '';
    return no ? `第${no}条` : '评分细则';
  }
  const no = l.no ? `第${l.no}${l.unit}` : '';
  const text = l.text && opts.text !== false ? `「${oneLine(l.text, opts.max ?? 60)}」` : '';
  const head = opts.withLevel2 ? `${l.level2}${l.kind === 'veto' ? ' 单否' : ''}${no ? ` ${no}` : ''}` : no;
  return `${head}${text}`.trim() || l.level2;
}

function summaries(list: readonly unknown[] | undefined): string {
  const out = (Array.isArray(list) ? list : []).map((x) => trimEndPunct(oneLine(x, 300))).filter(Boolean);
  return [...new Set(out)].join('；');
}

/** "待监测：…" / "未核实：…" reasons: which state word, and the reason without it. */
function undecidedReason(reason: unknown): { tag: string; kind: BasisKind; text: string } {
  let t = oneLine(zhText(reason ?? ''), 500);
  t = t.replace(/^未核实[：:]\s*/, '');
  if (/^待监测[：:]/.test(t)) return { tag: STATE.monitor, kind: 'monitor', text: t.replace(/^待监测[：:]\s*/, '') };
  return { tag: STATE.unverified, kind: 'unverified', text: t || '机器无法判断' };
}

function doubtfulLine(findings: Finding[]): SheetBasis {
  const unrendered = findings.every((f) => f?.evidence?.confirmation === 'unconfirmed');
  const why = unrendered ? '未经浏览器渲染确认' : '无法核实';
  return { kind: 'doubtful', tag: STATE.unverified, text: `${findings.length} 条机器发现${why}，不计扣分，可人工核实后录入`, findings };
}

/** 单否 rows, one per 二级指标 (as in the seed: 政府网站健康状况, 政务新媒体健康状况): each clause with its state. */
function vetoRows(veto: VetoResult | undefined): SheetRow[] {
  const items = Array.isArray(veto?.items) ? veto!.items : [];
  const byLevel2 = new Map<string, NonNullable<VetoResult['items']>>();
  for (const it of items) {
    if (!it) continue;
    const key = oneLine(it.level2 || '健康状况', 100);
    let list = byLevel2.get(key);
    if (!list) byLevel2.set(key, (list = []));
    list.push(it);
  }
  const rows: SheetRow[] = [];
  for (const [level2, list] of byLevel2) {
    const failed = list.some((i) => i.failed);
    const pending = !failed && list.some((i) => i.pending);
    const basis: SheetBasis[] = [];
    const tags = new Set<string>();
    list.forEach((i, n) => {
      const no = shortNo(String(i.id), String(i.id).replace(/\.[^.]+$/, '')) || String(n + 1);
      const head = `第${no}项「${oneLine(i.rule, 80)}」`;
      const findings = Array.isArray(i.findings) ? i.findings.filter(Boolean) : [];
      const ids = [String(i.id)];
      if (i.skipped) {
        basis.push({ kind: 'skipped', tag: STATE.skipped, text: head, findings: [], ids });
      } else if (i.failed) {
        // The engine's reason repeats the clause ("政府网站健康状况（单否第3项：首页超过2周不更新）：…"): keep what follows.
        const reason = oneLine(zhText(i.reason ?? ''), 500);
        const why = reason.replace(/^[^：]*（单否第[^）]*）：/, '') || reason;
        basis.push({ kind: 'failed', tag: STATE.failed, text: `${head}：${why}`, findings, manual: i.manual, ids });
      } else if (i.pending) {
        const kind = i.pendingKind ?? 'manual';
        if (kind === 'awaiting') {
          tags.add(STATE.awaiting);
          const why = oneLine(i.pendingReason ?? '', 500).replace(/^待确认[：:]\s*/, '');
          basis.push({ kind: 'awaiting', tag: STATE.awaiting, text: `${head}：${why || '机器发现待复核确认'}，确认前不判定`, findings, ids });
        } else if (kind === 'unverified') {
          const u = undecidedReason(i.pendingReason);
          tags.add(u.tag);
          basis.push({ kind: u.kind, tag: u.tag, text: `${head}：${u.text}`, findings, ids });
        } else {
          tags.add(STATE.manual);
          const machine = /机器检测[：:]\s*(.+?)）?$/.exec(oneLine(i.pendingReason ?? '', 500))?.[1];
          const checked = summaries(i.checked);
          const extra = machine ? `（机器检测：${trimEndPunct(machine)}）` : checked ? `（机器检测：${checked}，未发现否决情形）` : '';
          basis.push({ kind: 'pending', tag: STATE.manual, text: `${head}${extra}`, findings: [], ids });
        }
      } else {
        const checked = summaries(i.checked);
        const by = i.manual ? `（${manualText(i.manual)}）` : '';
        basis.push({ kind: 'clear', tag: STATE.clear, text: `${head}：${checked ? `${checked}，` : i.manual ? '' : '机器检测'}未发现否决情形${by}`, findings: [], manual: i.manual, ids });
      }
    });
    rows.push({
      kind: 'veto',
      id: list.map((i) => i.id).join(','),
      level1: VETO_LEVEL1,
      level2,
      rules: list.map((i) => cleanText(i.rule)).join('\n'),
      pending,
      skipped: list.every((i) => i.skipped),
      failed,
      tags: failed ? [] : [...tags],
      maxText: '单否',
      deductedText: '—',
      scoreText: failed ? '否决' : pending ? '待定' : list.every((i) => i.skipped) ? SKIPPED_TEXT : '通过',
      basis,
    });
  }
  return rows;
}

function itemRow(item: ItemScore, cat: RuleCatalog): SheetRow {
  const max = num(item.max);
  const deducted = num(item.deducted);
  const score = num(item.score);
  const pending = item.pending === true;
  const skipped = item.skipped === true;
  const basis: SheetBasis[] = [];
  const tags: string[] = [];
  const deductions = (Array.isArray(item.deductions) ? item.deductions : []).filter(Boolean);
  if (skipped) basis.push({ kind: 'skipped', tag: SKIPPED_TEXT, text: '本单位不考核此项，总分折合计算', findings: [] });
  for (const d of deductions) {
    const said = deductionText(d);
    const text = d.manual ? `${said}（${manualText(d.manual, said)}）` : said;
    basis.push({ kind: d.manual ? 'manual' : 'deduction', text, findings: Array.isArray(d.findings) ? d.findings.filter(Boolean) : [], manual: d.manual, ids: [String(d.rule)] });
  }
  // Listed deductions above the item's cap: say how the 扣分 column was reached (also on partly pending rows).
  const raw = roundPoints(deductions.reduce((sum, d) => sum + (num(d.points) ?? 0), 0));
  if (!skipped && deducted !== undefined && raw > deducted + 1e-9) {
    const how = max !== undefined && deducted >= max ? `按本条分值 ${formatPoints(max)} 分计` : `本条累计扣分不超过 ${formatPoints(deducted)} 分，按 ${formatPoints(deducted)} 分计`;
    basis.push({ kind: 'cap', text: `合计 −${formatPoints(raw)}，${how}`, findings: [] });
  }
  const awaitingFindings = (Array.isArray(item.awaitingFindings) ? item.awaitingFindings : []).filter(Boolean);
  const awaiting = Math.max(num(item.awaiting) ?? 0, awaitingFindings.length);
  if (awaiting > 0) {
    tags.push(STATE.awaiting);
    basis.push({ kind: 'awaiting', tag: STATE.awaiting, text: `${awaiting} 条机器发现待复核确认，确认后计入扣分，目前不扣分`, findings: awaitingFindings });
  }
  const doubtful = (Array.isArray(item.unverifiedFindings) ? item.unverifiedFindings : []).filter(Boolean);
  const unverified = (Array.isArray(item.unverifiedRules) ? item.unverifiedRules : []).filter((u) => u && u.rule);
  // Doubtful findings go with the 未核实 rule they explain; else on a line of their own.
  if (doubtful.length && !unverified.length) basis.push(doubtfulLine(doubtful));
  if (doubtful.length && !tags.includes(STATE.unverified)) tags.push(STATE.unverified);
  unverified.forEach((u, n) => {
    const r = undecidedReason(u.reason);
    if (!tags.includes(r.tag)) tags.push(r.tag);
    basis.push({ kind: r.kind, tag: r.tag, text: `${ruleRef(cat, u.rule)}：${r.text}`, findings: n === 0 ? doubtful : [], ids: [u.rule] });
  });
  const unvIds = new Set(unverified.map((u) => u.rule));
  const manualRules = (Array.isArray(item.pendingRules) ? item.pendingRules : []).filter((id) => !unvIds.has(id));
  const checked = summaries(item.checked);
  const machineData = deductions.length > 0 || awaiting > 0 || doubtful.length > 0 || unverified.length > 0 || !!checked;
  // Machine deductions of other sub-rules stand while some sub-rules wait for a person (shown as numbers).
  const partial = pending && deductions.some((d) => (num(d.points) ?? 0) > 0 || d.manual);
  if (pending && (manualRules.length || !unverified.length)) {
    tags.unshift(STATE.manual);
    const list = manualRules.map((id) => ruleRef(cat, id, { max: 40 })).join('；');
    const text = !machineData
      ? '本条无机器检测，尚无人工评分记录；得分为暂定值'
      : `${list || '部分细则'}${partial ? '；已列出的机器扣分有效，得分为暂定值' : '；得分为暂定值'}`;
    basis.push({ kind: 'pending', tag: STATE.manual, text, findings: [], ids: manualRules });
  }
  if (checked && !skipped) {
    const nothing = deductions.every((d) => !((num(d.points) ?? 0) > 0)) && awaiting === 0 && doubtful.length === 0;
    basis.push(nothing ? { kind: 'clear', tag: '机器检测', text: `${checked}，未发现问题`, findings: [] } : { kind: 'checked', tag: '检测范围', text: checked, findings: [] });
  }
  if (!pending && !skipped && basis.length === 0 && item.explain) basis.push({ kind: 'note', text: explainText(item.explain), findings: [] });
  const undecided = pending && !partial;
  const undecidedWord = manualRules.length || !unverified.length ? PENDING_TEXT : tags.includes(STATE.monitor) && !tags.includes(STATE.unverified) ? STATE.monitor : STATE.unverified;
  return {
    kind: 'item',
    id: String(item.id),
    level1: oneLine(item.level1, 100),
    level2: oneLine(item.level2, 100),
    rules: cleanText(item.rules ?? ''),
    max,
    deducted,
    score,
    pending,
    skipped,
    tags: skipped ? [] : tags,
    maxText: formatPoints(max),
    deductedText: skipped ? '—' : undecided ? undecidedWord : formatPoints(deducted),
    partialPending: partial,
    scoreText: skipped ? SKIPPED_TEXT : formatPoints(score),
    basis,
  };
}

function bonusRow(b: BonusScore, cat: RuleCatalog): SheetRow {
  const max = num(b.max);
  const awarded = num(b.awarded);
  const pending = b.pending === true;
  const skipped = b.skipped === true;
  const basis: SheetBasis[] = [];
  const tags: string[] = [];
  if (skipped) basis.push({ kind: 'skipped', tag: SKIPPED_TEXT, text: '本单位不考核此项', findings: [] });
  let sum = 0;
  for (const a of Array.isArray(b.awards) ? b.awards : []) {
    if (!a) continue;
    const pts = num(a.points) ?? 0;
    sum += pts;
    const what = a.rule === b.id ? '本项人工评定' : ruleRef(cat, a.rule);
    const findings = Array.isArray(a.findings) ? a.findings.filter(Boolean) : [];
    if (a.manual) basis.push({ kind: 'manual', text: `${what} ${pts > 0 ? `+${formatPoints(pts)}` : '不加分'}（${manualText(a.manual)}）`, findings, manual: a.manual, ids: [a.rule] });
    else if (pts > 0) basis.push({ kind: 'award', tag: '加分', text: `${what} +${formatPoints(pts)}（机器检测，经复核确认）`, findings, ids: [a.rule] });
    else basis.push({ kind: 'clear', tag: '不加分', text: `${what}：机器检测未达到加分条件`, findings, ids: [a.rule] });
  }
  if (awarded !== undefined && sum > awarded + 1e-9) {
    basis.push({ kind: 'cap', text: `合计 +${formatPoints(sum)}，按本项分值 ${formatPoints(awarded)} 分计`, findings: [] });
  }
  const proposals = (Array.isArray(b.proposals) ? b.proposals : []).filter((p) => p && p.rule);
  for (const p of proposals) {
    const findings = Array.isArray(p.findings) ? p.findings.filter(Boolean) : [];
    basis.push({ kind: 'proposal', tag: STATE.awaiting, text: `${ruleRef(cat, p.rule)}：${findings.length} 条机器发现建议加分，复核确认后加 ${formatPoints(p.points)} 分`, findings, ids: [p.rule] });
  }
  const awaiting = Math.max(num(b.awaiting) ?? 0, proposals.reduce((n, p) => n + (p.findings?.length ?? 0), 0));
  if (awaiting > 0) {
    tags.push(STATE.awaiting);
    if (!proposals.length) basis.push({ kind: 'proposal', tag: STATE.awaiting, text: `${awaiting} 条机器发现建议加分，复核确认后计入`, findings: [] });
  }
  const unverified = (Array.isArray(b.unverifiedRules) ? b.unverifiedRules : []).filter((u) => u && u.rule);
  for (const u of unverified) {
    const r = undecidedReason(u.reason);
    if (!tags.includes(r.tag)) tags.push(r.tag);
    basis.push({ kind: r.kind, tag: r.tag, text: `${ruleRef(cat, u.rule)}：${r.text}`, findings: [], ids: [u.rule] });
  }
  const unvIds = new Set(unverified.map((u) => u.rule));
  const manualRules = (Array.isArray(b.pendingRules) ? b.pendingRules : []).filter((id) => !unvIds.has(id));
  const checked = summaries(b.checked);
  if (pending && (manualRules.length || !unverified.length)) {
    tags.unshift(STATE.manual);
    const machineData = basis.length > 0 || !!checked;
    const list = manualRules.map((id) => ruleRef(cat, id, { max: 40 })).join('；');
    basis.push({ kind: 'pending', tag: STATE.manual, text: !machineData || !list ? '本项无机器检测，尚无人工评分记录' : list, findings: [], ids: manualRules });
  }
  if (checked) basis.push({ kind: 'checked', tag: '机器检测', text: checked, findings: [] });
  const undecidedWord = manualRules.length || !unverified.length ? PENDING_TEXT : STATE.unverified;
  return {
    kind: 'bonus',
    id: String(b.id),
    level1: BONUS_LEVEL1,
    level2: oneLine(b.level2, 100),
    rules: cleanText(b.rules ?? cat.get(String(b.id))?.text ?? ''),
    max,
    score: awarded,
    pending,
    skipped,
    tags,
    maxText: formatPoints(max),
    deductedText: '',
    scoreText: skipped ? SKIPPED_TEXT : pending && !(awarded && awarded > 0) ? undecidedWord : formatPoints(awarded),
    basis,
  };
}

/** The rows of the score sheet: veto rows (健康状况), scored items, and — when `withBonus` — bonus rows. */
export function scoreSheetRows(score: ScoreResult, opts: { withBonus?: boolean; rubric?: Rubric } = {}): SheetRow[] {
  const cat = ruleCatalog(score, opts.rubric);
  const rows = [...vetoRows(score.veto), ...(Array.isArray(score.items) ? score.items.filter(Boolean).map((i) => itemRow(i, cat)) : [])];
  if (opts.withBonus) rows.push(...bonusRows(score, opts));
  return rows;
}

export function bonusRows(score: ScoreResult, opts: { rubric?: Rubric } = {}): SheetRow[] {
  const cat = ruleCatalog(score, opts.rubric);
  return Array.isArray(score.bonusItems) ? score.bonusItems.filter(Boolean).map((b) => bonusRow(b, cat)) : [];
}

export interface Level1Span {
  /** Index of the first row of the span. */
  start: number;
  /** Number of rows. */
  count: number;
  level1: string;
  /** The label shown in the merged cell, e.g. "政府网站信息发布（11分）". */
  label: string;
}

/**
 * Consecutive rows sharing a 一级指标 form one merged cell (rowspan), as in the seed table. The label gets the
 * group's total points appended ("（11分）") unless the 一级指标 text already carries them; veto rows don't.
 */
export function level1Spans(rows: readonly SheetRow[]): Level1Span[] {
  const spans: Level1Span[] = [];
  for (let i = 0; i < rows.length; i++) {
    const last = spans[spans.length - 1];
    if (last && last.level1 === rows[i].level1 && rows[last.start].kind === rows[i].kind) last.count++;
    else spans.push({ start: i, count: 1, level1: rows[i].level1, label: rows[i].level1 });
  }
  for (const s of spans) {
    const group = rows.slice(s.start, s.start + s.count);
    if (group[0].kind === 'veto' || /[（(]\s*\d+(\.\d+)?\s*分\s*[)）]/.test(s.level1)) continue;
    const total = group.reduce((sum, r) => sum + (r.max ?? 0), 0);
    if (total > 0) s.label = `${s.level1}（${formatPoints(total)}分）`;
  }
  return spans;
}

/** Pending 单否 clauses by kind. */
export function vetoPendingKinds(score: ScoreResult): { manual: number; awaiting: number; unverified: number; monitor: number } {
  const out = { manual: 0, awaiting: 0, unverified: 0, monitor: 0 };
  const items = Array.isArray(score.veto?.items) ? score.veto.items : [];
  if (!items.length) {
    out.manual = Array.isArray(score.veto?.pending) ? score.veto.pending.length : 0;
    return out;
  }
  for (const i of items) {
    if (!i?.pending || i.failed) continue;
    if (i.pendingKind === 'awaiting') out.awaiting++;
    else if (i.pendingKind === 'unverified') out[undecidedReason(i.pendingReason).kind === 'monitor' ? 'monitor' : 'unverified']++;
    else out.manual++;
  }
  return out;
}

/** 单否 verdict words: 不合格 when a veto item failed, 待定 (with why) when some are pending, else 未触发. */
export function vetoVerdict(score: ScoreResult): { state: 'failed' | 'pending' | 'passed'; text: string } {
  const v = score.veto;
  if (v?.failed) return { state: 'failed', text: '不合格（触发单否项）' };
  const k = vetoPendingKinds(score);
  const parts = [
    k.monitor && `${k.monitor} 项待监测`,
    k.unverified && `${k.unverified} 项未核实`,
    k.awaiting && `${k.awaiting} 项待确认`,
    k.manual && `${k.manual} 项待人工评分`,
  ].filter(Boolean);
  if (parts.length) return { state: 'pending', text: `待定（单否指标 ${parts.join('，')}）` };
  return { state: 'passed', text: '未触发单否项' };
}

/**
 * The overall verdict in one word (合格 / 不合格 / 待定): the engine's verdict without its parenthesis, which repeats
 * the 单否 line (shown beside it).
 */
export function overallVerdict(score: ScoreResult): string {
  if (score.verdict) return oneLine(score.verdict, 100).replace(/[（(].*$/, '') || oneLine(score.verdict, 100);
  const v = vetoVerdict(score);
  return v.state === 'failed' ? '不合格' : v.state === 'pending' ? '待定' : '合格';
}

/** Heading of the manual file's problems in every report. */
export const MANUAL_NOTICES_TITLE = '人工评分文件的问题';

/**
 * The manual file's problems to show people (Chinese: `score.manualNotices`). Scores stored before those were
 * recorded carry only the English `warnings`: their manual-file lines are shown as they are.
 */
export function manualNotices(score: ScoreResult | undefined): string[] {
  if (!score) return [];
  if (Array.isArray(score.manualNotices)) return score.manualNotices.filter((n) => typeof n === 'string');
  return (Array.isArray(score.warnings) ? score.warnings : []).filter((w) => typeof w === 'string' && /^(?:manual |decisions\[\d+\] \()/.test(w));
}

/** Rows still open: 待人工评分 items, bonus items and 单否 clauses (`total`), and of them the kinds. */
export function pendingCount(score: ScoreResult): {
  items: number;
  bonus: number;
  veto: number;
  total: number;
  manual: number;
  unverified: number;
  awaiting: number;
} {
  const items = (score.items ?? []).filter((i) => i?.pending).length;
  const bonus = (score.bonusItems ?? []).filter((b) => b?.pending).length;
  const veto = Array.isArray(score.veto?.pending) ? score.veto.pending.length : 0;
  const k = vetoPendingKinds(score);
  const manualRow = (r: { pending?: boolean; pendingRules?: string[]; unverifiedRules?: { rule: string }[] }) => {
    if (!r?.pending) return false;
    const unv = new Set((r.unverifiedRules ?? []).map((u) => u?.rule));
    return !r.unverifiedRules?.length || (r.pendingRules ?? []).some((id) => !unv.has(id));
  };
  const manual = (score.items ?? []).filter(manualRow).length + (score.bonusItems ?? []).filter(manualRow).length + k.manual;
  const unverified =
    (score.items ?? []).filter((i) => i?.unverifiedRules?.length).length + (score.bonusItems ?? []).filter((b) => b?.unverifiedRules?.length).length + k.unverified + k.monitor;
  const awaiting = (score.items ?? []).filter((i) => (i?.awaiting ?? 0) > 0).length + (score.bonusItems ?? []).filter((b) => (b?.awaiting ?? 0) > 0).length + k.awaiting;
  return { items, bonus, veto, total: items + bonus + veto, manual, unverified, awaiting };
}

/** "待人工评分 45 项，未核实 3 项，待确认 1 项" (the kinds of open rows; empty when none). */
export function pendingBreakdown(score: ScoreResult): string {
  const pc = pendingCount(score);
  return [pc.manual && `${PENDING_TEXT} ${pc.manual} 项`, pc.unverified && `未核实 ${pc.unverified} 项`, pc.awaiting && `待确认 ${pc.awaiting} 项`].filter(Boolean).join('，');
}

/** Checks the minimal shape of a parsed audit JSON document (for loading a saved report). */
export function isAuditReport(x: unknown): x is AuditReport {
  if (!x || typeof x !== 'object') return false;
  const r = x as Partial<AuditReport>;
  return (
    !!r.site &&
    typeof r.site === 'object' &&
    typeof r.site.url === 'string' &&
    typeof r.rubric === 'string' &&
    typeof r.asOf === 'string' &&
    !!r.stats &&
    typeof r.stats === 'object' &&
    Array.isArray(r.findings)
  );
}

/** Parses an audit JSON document; throws when it is not one. */
export function parseAuditReport(json: string): AuditReport {
  const x: unknown = JSON.parse(json);
  if (!isAuditReport(x)) throw new Error('not an audit report: site.url, rubric, asOf, stats and findings[] are required');
  return x;
}
