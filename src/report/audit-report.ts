/**
 * The audit JSON document (`govsite audit --format json`) and helpers shared by the report renderers
 * (text, HTML, XLSX). Field names of AuditReport are a public contract.
 */
import type { CheckScope, Evidence, Finding, GatherStatus } from '../model.ts';
import type { BonusScore, Deduction, ItemScore, ScoreResult, VetoResult } from '../score/types.ts';

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
  unconfirmed: Finding[];
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
  return { active: findings.filter((f) => !drop.has(findingKey(f))), excluded, unconfirmed };
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
  if (typeof e.error === 'string') push('错误', e.error);
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
  return flags;
}

// ---------------------------------------------------------------------------------------------------------------
// Score sheet

/** The 一级指标 of the veto (单否) rows; the engine's veto items don't carry one. */
export const VETO_LEVEL1 = '健康状况';
export const BONUS_LEVEL1 = '加分项';

export interface SheetBasis {
  /** Chinese line, e.g. "首页链接无法打开 1 处（−1）". */
  text: string;
  /** Pages the deduction is about (http/https only are linked by renderers). */
  findings: Finding[];
  manual?: Deduction['manual'];
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
  /** Text of the 分值 / 扣分 / 得分 columns. */
  maxText: string;
  deductedText: string;
  scoreText: string;
  basis: SheetBasis[];
}

export const PENDING_TEXT = '待人工评分';
export const SKIPPED_TEXT = '不考核';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? roundPoints(v) : undefined;
}

function deductionText(d: Deduction): string {
  if (d.explain) return oneLine(d.explain, 500);
  const what = oneLine(d.text || d.rule, 300);
  const count = typeof d.count === 'number' && d.count > 0 ? ` ${d.count} 处` : '';
  return `${what}${count}（−${formatPoints(d.points)}）`;
}

function manualText(m: NonNullable<Deduction['manual']>): string {
  const parts: string[] = ['人工评分'];
  if (m.note) parts.push(oneLine(m.note, 300));
  if (m.reviewer) parts.push(`评分人：${oneLine(m.reviewer, 60)}`);
  if (m.date) parts.push(oneLine(m.date, 30));
  return parts.join('，');
}

/** Veto items grouped by level2 → one sheet row each (as in the seed: 政府网站健康状况, 政务新媒体健康状况). */
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
    for (const i of list) {
      if (i.failed) basis.push({ text: `否决：${oneLine(i.reason || i.rule, 500)}`, findings: Array.isArray(i.findings) ? i.findings.filter(Boolean) : [] });
    }
    for (const i of list) {
      if (!i.failed && i.pending) basis.push({ text: `${PENDING_TEXT}：${oneLine(i.rule, 300)}`, findings: [] });
    }
    rows.push({
      kind: 'veto',
      id: list.map((i) => i.id).join(','),
      level1: VETO_LEVEL1,
      level2,
      rules: list.map((i) => cleanText(i.rule)).join('\n'),
      pending,
      skipped: false,
      failed,
      maxText: '单否',
      deductedText: '—',
      scoreText: failed ? '否决' : pending ? PENDING_TEXT : '通过',
      basis,
    });
  }
  return rows;
}

function itemRow(item: ItemScore): SheetRow {
  const max = num(item.max);
  const deducted = num(item.deducted);
  const score = num(item.score);
  const pending = item.pending === true;
  const skipped = item.skipped === true;
  const basis: SheetBasis[] = [];
  for (const d of Array.isArray(item.deductions) ? item.deductions : []) {
    if (!d) continue;
    const text = d.manual ? `${deductionText(d)}（${manualText(d.manual)}）` : deductionText(d);
    basis.push({ text, findings: Array.isArray(d.findings) ? d.findings.filter(Boolean) : [], manual: d.manual });
  }
  const raw = (Array.isArray(item.deductions) ? item.deductions : []).reduce((sum, d) => sum + (num(d?.points) ?? 0), 0);
  if (!pending && !skipped && deducted !== undefined && max !== undefined && raw > deducted + 1e-9) {
    basis.push({ text: `各项合计扣 ${formatPoints(raw)} 分，累计扣分不超过本条分值，按 ${formatPoints(deducted)} 分计`, findings: [] });
  }
  // An item is pending when any of its sub-rules still waits for a person; machine deductions of its other
  // sub-rules are real and are shown as numbers (a partly pending item must not hide them).
  const partial = pending && basis.length > 0;
  if (pending) {
    const rulesNote = Array.isArray(item.pendingRules) && item.pendingRules.length
      ? `第${item.pendingRules.map((id) => String(id).split('.').pop()).join('、')}条`
      : '';
    basis.unshift({
      text: partial
        ? `部分细则${PENDING_TEXT}${rulesNote ? `（${rulesNote}）` : ''}：已列出的机器扣分有效，得分为暂定值`
        : `${PENDING_TEXT}：无机器检测数据，也无人工评分记录；得分为暂定值`,
      findings: [],
    });
  }
  if (skipped) basis.unshift({ text: '本单位不考核此项，总分折合计算', findings: [] });
  if (!pending && !skipped && basis.length === 0 && item.explain) basis.push({ text: oneLine(item.explain, 500), findings: [] });
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
    maxText: formatPoints(max),
    deductedText: skipped ? '—' : pending && !partial ? PENDING_TEXT : formatPoints(deducted),
    partialPending: partial,
    scoreText: skipped ? SKIPPED_TEXT : formatPoints(score),
    basis,
  };
}

function bonusRow(b: BonusScore): SheetRow {
  const max = num(b.max);
  const awarded = num(b.awarded);
  const pending = b.pending === true;
  const basis: SheetBasis[] = [];
  for (const a of Array.isArray(b.awards) ? b.awards : []) {
    if (!a) continue;
    const base = `${oneLine(a.rule, 300)}（+${formatPoints(a.points)}）`;
    basis.push({ text: a.manual ? `${base}（${manualText(a.manual)}）` : base, findings: [], manual: a.manual });
  }
  if (pending) basis.unshift({ text: `${PENDING_TEXT}：无机器检测数据，也无人工评分记录`, findings: [] });
  return {
    kind: 'bonus',
    id: String(b.id),
    level1: BONUS_LEVEL1,
    level2: oneLine(b.level2, 100),
    rules: '',
    max,
    score: awarded,
    pending,
    skipped: false,
    maxText: formatPoints(max),
    deductedText: '',
    scoreText: pending ? PENDING_TEXT : formatPoints(awarded),
    basis,
  };
}

/** The rows of the score sheet: veto rows (健康状况), scored items, and — when `withBonus` — bonus rows. */
export function scoreSheetRows(score: ScoreResult, opts: { withBonus?: boolean } = {}): SheetRow[] {
  const rows = [...vetoRows(score.veto), ...(Array.isArray(score.items) ? score.items.filter(Boolean).map(itemRow) : [])];
  if (opts.withBonus) rows.push(...bonusRows(score));
  return rows;
}

export function bonusRows(score: ScoreResult): SheetRow[] {
  return Array.isArray(score.bonusItems) ? score.bonusItems.filter(Boolean).map(bonusRow) : [];
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

/** 单否 verdict words: 不合格 when a veto item failed, 待定 when some are pending, else 未触发. */
export function vetoVerdict(score: ScoreResult): { state: 'failed' | 'pending' | 'passed'; text: string } {
  const v = score.veto;
  if (v?.failed) return { state: 'failed', text: '不合格（触发单否项）' };
  if (Array.isArray(v?.pending) && v!.pending.length > 0) return { state: 'pending', text: `待定（${v!.pending.length} 项单否指标待人工评分）` };
  return { state: 'passed', text: '未触发单否项' };
}

/** The overall verdict: the engine's text when given, else derived from the veto. */
export function overallVerdict(score: ScoreResult): string {
  if (score.verdict) return oneLine(score.verdict, 100);
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

/** Number of 待人工评分 entries: pending items, pending bonus items and pending veto sub-items. */
export function pendingCount(score: ScoreResult): { items: number; bonus: number; veto: number; total: number } {
  const items = (score.items ?? []).filter((i) => i?.pending).length;
  const bonus = (score.bonusItems ?? []).filter((b) => b?.pending).length;
  const veto = Array.isArray(score.veto?.pending) ? score.veto.pending.length : 0;
  return { items, bonus, veto, total: items + bonus + veto };
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
