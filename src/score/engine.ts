/**
 * The scoring engine: rubric (data) + check findings + the reviewer's manual-items file → ScoreResult.
 *
 * Pure and deterministic: no I/O, no clock, no randomness; the same input gives the same output. Points are kept
 * as integer half-points internally so 0.5 steps never drift.
 *
 * Rules of the game:
 *  - A finding feeds a sub-rule when it matches one of the rule's sources (first match wins: check id + `where`).
 *  - A finding never deducts while in doubt: `evidence.unverified === true`, `evidence.confirmation ===
 *    'unconfirmed'`, or a machine-assisted source (`confirm: true`) — until a reviewer confirms (or adjusts) it.
 *    Such findings are listed in `unconfirmed`.
 *  - Rejected findings (复核排除) drop out everywhere (items and 单否) and are listed in `excluded` with the reason.
 *  - Machine-fed sub-rules without findings deduct nothing; manual-only sub-rules without an entry leave the item
 *    `pending` (待人工评分) and the result `provisional` — never silently full marks.
 *  - A manual entry on a machine-fed sub-rule adds the reviewer's occurrences to the machine's.
 *  - Caps: a sub-rule's own cap (fixed rules: their deduction), then the item cap (累计扣分不超过本条分值).
 *  - 单否: any failed sub-item → 不合格 whatever the points.
 *  - Bonus: per-rule caps, oneOf alternatives (highest counts), item max, then the rubric's ceiling.
 *  - Profile rules (e.g. 无对外服务职能 → skip 办事服务, prorate base × 100 / (100 − skipped)).
 */
import type { CheckScope, Finding } from '../model.ts';
import type { BonusScore, Deduction, ItemScore, ManualRef, ScoreResult, VetoResult } from './types.ts';
import {
  indexRubric,
  skippedItems,
  type BonusItem,
  type Condition,
  type CountMode,
  type ProfileRule,
  type Rubric,
  type RubricItem,
  type RubricRule,
  type RuleSource,
  type VetoGroup,
  type VetoSubItem,
} from './rubric.ts';
import { findingKey, manualIssues, parseFindingKey, type Decision, type ManualEntry, type ManualFile } from './manual.ts';

export interface ScoreProfile {
  unitType: 'city' | 'provincial';
  /** false for a 省直单位 without public-service functions (无对外服务职能). */
  hasPublicServices: boolean;
}

export interface ScoreInput {
  rubric: Rubric;
  findings: readonly Finding[];
  manual?: ManualFile | null;
  profile: ScoreProfile;
  /**
   * What each check examined in the run (stored with it). A rule whose checks did not all examine what they needed
   * stays pending (未核实) instead of passing. Absent for runs stored before scopes existed: findings alone are trusted.
   */
  scopes?: Readonly<Record<string, CheckScope>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Half-point arithmetic
// ---------------------------------------------------------------------------------------------------------------

/** Points → integer half-points (exact for multiples of 0.5). */
const toHalves = (points: number): number => Math.round(points * 2);
/** Points → half-points rounded down (a reviewer's odd weight never over-deducts). */
const toHalvesFloor = (points: number): number => Math.floor(points * 2 + 1e-9);
const fromHalves = (halves: number): number => halves / 2;
/** "1", "0.5", "87.5" */
const fmt = (points: number): string => String(Math.round(points * 100) / 100);
const MINUS = '−';

// ---------------------------------------------------------------------------------------------------------------
// Finding matching
// ---------------------------------------------------------------------------------------------------------------

function getField(f: Finding, dotted: string): unknown {
  const parts = dotted.split('.');
  let v: unknown = f;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function eqScalar(v: unknown, c: unknown): boolean {
  if (c === null) return v === null || v === undefined;
  return v === c;
}

/** Whether a finding field satisfies a `where` condition. */
export function conditionHolds(value: unknown, cond: Condition): boolean {
  if (Array.isArray(cond)) return cond.some((c) => eqScalar(value, c));
  if (cond !== null && typeof cond === 'object') {
    const o = cond as { eq?: unknown; ne?: unknown; in?: unknown[]; notIn?: unknown[]; exists?: boolean };
    if ('eq' in o && o.eq !== undefined && !eqScalar(value, o.eq)) return false;
    if ('ne' in o && o.ne !== undefined && eqScalar(value, o.ne)) return false;
    if (o.in && !o.in.some((c) => eqScalar(value, c))) return false;
    if (o.notIn && o.notIn.some((c) => eqScalar(value, c))) return false;
    if (o.exists !== undefined && (value !== undefined && value !== null) !== o.exists) return false;
    return true;
  }
  return eqScalar(value, cond);
}

/** Whether a finding matches a rubric source (check id and every `where` condition). */
export function sourceMatches(f: Finding, s: RuleSource): boolean {
  if (f.check !== s.check) return false;
  if (!s.where) return true;
  for (const [k, cond] of Object.entries(s.where)) if (!conditionHolds(getField(f, k), cond as Condition)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Reviewer decisions
// ---------------------------------------------------------------------------------------------------------------

interface FindingState {
  finding: Finding;
  decision?: Decision;
  /** Decision index in manual.decisions. */
  decisionIndex?: number;
  /** unverified / unconfirmed evidence. */
  doubtful: boolean;
}

function isDoubtful(f: Finding): boolean {
  const e = f.evidence;
  return !!e && (e.unverified === true || e.confirmation === 'unconfirmed' || e.confirm === 'required');
}

function sanitizeFindings(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of Array.isArray(findings) ? findings : []) {
    if (!f || typeof f !== 'object' || typeof f.check !== 'string' || typeof f.url !== 'string') continue;
    out.push(f);
  }
  return out;
}

function attachDecisions(findings: Finding[], decisions: readonly Decision[], warnings: string[]): FindingState[] {
  const exact = new Map<string, number>();
  const byPage = new Map<string, number>();
  decisions.forEach((d, i) => {
    if (d.key !== undefined) {
      const k = parseFindingKey(d.key);
      exact.set(`${k.check}|${k.url}|${k.target}`, i);
    } else if (d.target !== undefined) exact.set(`${d.check}|${d.url}|${d.target}`, i);
    else byPage.set(`${d.check}|${d.url}`, i);
  });
  const used = new Set<number>();
  const states = findings.map((f) => {
    let i = exact.get(findingKey(f));
    if (i === undefined) i = byPage.get(`${f.check}|${f.url}`);
    if (i !== undefined) used.add(i);
    return { finding: f, decision: i === undefined ? undefined : decisions[i], decisionIndex: i, doubtful: isDoubtful(f) };
  });
  decisions.forEach((d, i) => {
    if (!used.has(i)) {
      const who = d.key ?? `${d.check}|${d.url}${d.target !== undefined ? '|' + d.target : ''}`;
      warnings.push(`decisions[${i}] (${d.action} ${who}) matches no finding of this run`);
    }
  });
  return states;
}

// ---------------------------------------------------------------------------------------------------------------
// Occurrences
// ---------------------------------------------------------------------------------------------------------------

interface Member {
  state: FindingState;
  source: RuleSource;
  halves: number;
  adjusted: boolean;
}

interface Unit {
  key: string;
  members: Member[];
  halves: number;
  label: string;
  adjusted: boolean;
  detail?: string;
}

function unitKey(f: Finding, mode: CountMode): string {
  switch (mode) {
    case 'findings':
      return `${f.check}|${f.url}|${f.target ?? ''}|${f.detail ?? ''}`;
    case 'distinct-pages':
      return `${f.check}|${f.url}`;
    case 'distinct-targets':
      return `${f.check}|${f.target ?? f.url}`;
    case 'distinct-checks':
      return f.check;
    case 'distinct-details':
      return `${f.check}|${f.detail ?? ''}`;
    case 'once':
      return '*';
  }
}

interface Collected {
  units: Unit[];
  /** Findings that matched a source but cannot count yet (doubtful / awaiting confirmation). */
  waiting: Finding[];
  /** Of those, the machine-assisted proposals a reviewer must confirm (待确认); the rest are unverified (未核实). */
  proposals: Finding[];
}

/**
 * Groups the countable findings matching `sources` into occurrences. `deduct` (points) turns weights into
 * half-points; pass 0 for veto triggers (only the occurrence count matters).
 */
/**
 * The finding states a rule's sources can match, in the order of ctx.states: those of the sources' checks only (a
 * source names its check), so that a rubric of many rules does not walk every finding of a large site per rule.
 */
function statesFor(ctx: Ctx, sources: readonly RuleSource[]): readonly FindingState[] {
  if (!ctx.byCheck) {
    ctx.byCheck = new Map();
    ctx.states.forEach((st, i) => {
      let list = ctx.byCheck!.get(st.finding.check);
      if (!list) ctx.byCheck!.set(st.finding.check, (list = []));
      list.push({ st, i });
    });
  }
  const checks = new Set(sources.map((s) => s.check));
  const picked: { st: FindingState; i: number }[] = [];
  for (const c of checks) picked.push(...(ctx.byCheck.get(c) ?? []));
  if (checks.size > 1) picked.sort((a, b) => a.i - b.i);
  return picked.map((x) => x.st);
}

function collect(
  states: readonly FindingState[],
  sources: readonly RuleSource[],
  mode: CountMode,
  deduct: number,
  warnings: string[],
): Collected {
  const units = new Map<string, Unit>();
  const waiting: Finding[] = [];
  const proposals: Finding[] = [];
  for (const st of states) {
    const source = sources.find((s) => sourceMatches(st.finding, s));
    if (!source) continue;
    const d = st.decision;
    if (d?.action === 'reject') continue;
    const reviewed = d?.action === 'confirm' || d?.action === 'adjust';
    if (!reviewed && (st.doubtful || source.confirm)) {
      waiting.push(st.finding);
      if (source.confirm || st.finding.evidence?.confirm === 'required') proposals.push(st.finding);
      continue;
    }
    let halves = toHalves((source.weight ?? 1) * deduct);
    let adjusted = false;
    if (d?.action === 'adjust') {
      adjusted = true;
      if (d.points !== undefined) halves = toHalves(d.points);
      else if (d.weight !== undefined) {
        const raw = d.weight * deduct;
        halves = toHalvesFloor(raw);
        if (deduct > 0 && Math.abs(raw * 2 - halves) > 1e-9)
          warnings.push(`decisions[${st.decisionIndex}]: weight ${d.weight} × ${deduct} = ${raw} rounded down to ${fmt(halves / 2)}`);
      }
    }
    const key = unitKey(st.finding, mode);
    let u = units.get(key);
    if (!u) {
      u = { key, members: [], halves: 0, label: source.label ?? source.check, adjusted: false, detail: st.finding.detail };
      units.set(key, u);
    }
    u.members.push({ state: st, source, halves, adjusted });
    if (u.members.length === 1 || halves > u.halves) {
      u.halves = halves;
      u.label = source.label ?? source.check;
    }
    if (adjusted) u.adjusted = true;
  }
  return { units: [...units.values()], waiting, proposals };
}

// ---------------------------------------------------------------------------------------------------------------
// Manual entries
// ---------------------------------------------------------------------------------------------------------------

function manualRef(e: ManualEntry, defaultReviewer?: string): ManualRef {
  const ref: ManualRef = { rule: e.rule };
  if (e.count !== undefined) ref.count = e.count;
  if (e.points !== undefined) ref.points = e.points;
  else if (e.awarded !== undefined) ref.points = e.awarded;
  if (e.note) ref.note = e.note;
  if (e.evidence) ref.evidence = e.evidence;
  const reviewer = e.reviewer ?? defaultReviewer;
  if (reviewer) ref.reviewer = reviewer;
  if (e.date) ref.date = e.date;
  return ref;
}

const shortNo = (id: string, parent: string): string => (id.startsWith(parent + '.') ? id.slice(parent.length + 1) : id);

// ---------------------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------------------

interface Ctx {
  states: FindingState[];
  /** The states by check id, each with its position in `states` (made on first use). */
  byCheck?: Map<string, { st: FindingState; i: number }[]>;
  entries: Map<string, ManualEntry>;
  defaultReviewer?: string;
  warnings: string[];
  waiting: Set<Finding>;
  fed: Set<string>;
  scopes?: Readonly<Record<string, CheckScope>>;
}

/**
 * The checks that existed before scopes were stored. A run stored then has findings but no scopes: these checks ran
 * and their findings (or their absence) stand; any other check did not exist yet, so it did not run.
 */
const CHECKS_BEFORE_SCOPES = new Set([
  'availability', 'broken-link', 'date-format', 'domain', 'empty-column', 'error-report-entry', 'footer-conac-badge',
  'footer-contact', 'footer-icp', 'footer-police-filing', 'footer-site-code', 'footer-sponsor', 'homepage-stale', 'ipv6',
  'page-tags', 'required-column', 'site-name', 'source-label', 'stale-column',
]);

/** A check's scope in this run. */
function scopeOf(check: string, ctx: Ctx): CheckScope {
  if (!ctx.scopes)
    return CHECKS_BEFORE_SCOPES.has(check) ? { status: 'checked' } : { status: 'not-run', reason: '该次检查早于本检查项，未运行' };
  return ctx.scopes[check] ?? { status: 'not-run', reason: '本次检查未运行该检查项' };
}

/** What the sources' checks examined: summaries of the checked ones, reasons of the others. */
function sourceScopes(sources: readonly RuleSource[], ctx: Ctx): { undecided: string[]; summaries: string[] } {
  const undecided: string[] = [];
  const summaries: string[] = [];
  for (const check of [...new Set(sources.map((s) => s.check))]) {
    const sc = scopeOf(check, ctx);
    if (sc.status === 'checked') {
      if (sc.summary?.trim()) summaries.push(sc.summary.trim());
    } else undecided.push(sc.reason?.trim() || (sc.status === 'not-run' ? '检查未运行' : '机器无法判断'));
  }
  return { undecided: [...new Set(undecided)], summaries: [...new Set(summaries)] };
}

interface RuleOutcome {
  deduction?: Deduction;
  halves: number;
  pending: boolean;
  /** Chinese reason when the rule's checks could not decide (未核实). */
  unverified?: string;
  /** Findings of this rule waiting for a reviewer (待确认). */
  awaiting: number;
  /** Those findings (待确认), and the doubtful ones the machine could not verify (未核实: not counted, not proposals). */
  proposals: Finding[];
  doubtful: Finding[];
  /** What the rule's checks examined (Chinese). */
  summaries: string[];
}

function scoreRule(rule: RubricRule, ctx: Ctx): RuleOutcome {
  const fixed = rule.mode === 'fixed';
  const deductH = toHalves(rule.deduct);
  const unitWord = rule.unit ?? '处';
  const parts: string[] = [];
  const counted: Finding[] = [];
  let machineH = 0;
  let occurrences = 0;
  let awaiting = 0;
  let proposalList: Finding[] = [];
  let doubtful: Finding[] = [];
  let unverified: string | undefined;
  let summaries: string[] = [];

  if (rule.sources) {
    for (const s of rule.sources) ctx.fed.add(s.check);
    const mode: CountMode = fixed ? 'once' : rule.count ?? 'findings';
    const { units, waiting, proposals } = collect(statesFor(ctx, rule.sources), rule.sources, mode, rule.deduct, ctx.warnings);
    for (const f of waiting) ctx.waiting.add(f);
    awaiting = proposals.length;
    proposalList = proposals;
    const proposed = new Set(proposals);
    doubtful = waiting.filter((f) => !proposed.has(f));
    const sc = sourceScopes(rule.sources, ctx);
    summaries = sc.summaries;
    if (sc.undecided.length) unverified = sc.undecided.join('；');
    const live = units.filter((u) => u.halves > 0);
    for (const u of units) for (const m of u.members) counted.push(m.state.finding);
    if (fixed) {
      if (live.length) {
        machineH = Math.max(...live.map((u) => u.halves));
        occurrences = 1;
        const u = live[0];
        parts.push(`${u.label}${u.adjusted ? '（复核调整）' : ''} (${MINUS}${fmt(fromHalves(machineH))})`);
      }
    } else {
      // group occurrences by label, in first-seen order
      const byLabel = new Map<string, { n: number; h: number; adjusted: boolean; details: string[] }>();
      for (const u of live) {
        let g = byLabel.get(u.label);
        if (!g) byLabel.set(u.label, (g = { n: 0, h: 0, adjusted: false, details: [] }));
        g.n++;
        g.h += u.halves;
        if (u.adjusted) g.adjusted = true;
        if (mode === 'distinct-details' && u.detail) g.details.push(u.detail);
        machineH += u.halves;
        occurrences++;
      }
      for (const [label, g] of byLabel) {
        const details = g.details.length ? `（${g.details.join('、')}）` : '';
        parts.push(`${label} ${g.n} ${unitWord}${details}${g.adjusted ? '（含复核调整）' : ''} (${MINUS}${fmt(fromHalves(g.h))})`);
      }
    }
  }

  const entry = ctx.entries.get(rule.id);
  let manualH = 0;
  let manual: ManualRef | undefined;
  if (entry) {
    manual = manualRef(entry, ctx.defaultReviewer);
    if (entry.count !== undefined) {
      manualH = fixed ? (entry.count > 0 ? deductH : 0) : entry.count * deductH;
      occurrences += fixed ? (entry.count > 0 ? 1 : 0) : entry.count;
    } else if (entry.points !== undefined) {
      manualH = toHalves(entry.points);
      if (manualH > 0) occurrences += 1;
    }
    const note = entry.note?.trim() ? `：${entry.note.trim()}` : '';
    if (manualH > 0) {
      const n = entry.count !== undefined && !fixed ? ` ${entry.count} ${unitWord}` : '';
      parts.push(`人工评定${n} (${MINUS}${fmt(fromHalves(manualH))})${note}`);
    } else parts.push(`人工评定无扣分${note}`);
  }

  let total = machineH + manualH;
  const capH = fixed ? deductH : rule.cap !== undefined ? toHalves(rule.cap) : Infinity;
  let capped = false;
  if (total > capH) {
    total = capH;
    capped = true;
  }
  const pending = (!!rule.manual || unverified !== undefined) && !entry;
  const extra = { awaiting, proposals: proposalList, doubtful, summaries, ...(unverified !== undefined && !entry ? { unverified } : {}) };
  if (total === 0 && !entry && occurrences === 0) return { halves: 0, pending, ...extra };

  let explain = parts.join(', ');
  if (capped) explain += fixed ? `，本条扣${fmt(rule.deduct)}分为限` : `，本条累计扣分不超过${fmt(rule.cap!)}分`;
  const deduction: Deduction = {
    rule: rule.id,
    text: rule.text,
    points: fromHalves(total),
    count: occurrences,
    explain,
  };
  if (counted.length) deduction.findings = counted;
  if (manual) deduction.manual = manual;
  return { deduction, halves: total, pending, ...extra };
}

function scoreItem(item: RubricItem, ctx: Ctx): ItemScore & { halves: number } {
  const deductions: Deduction[] = [];
  const pendingRules: string[] = [];
  const unverifiedRules: { rule: string; reason: string }[] = [];
  const checked: string[] = [];
  const awaitingFindings: Finding[] = [];
  const unverifiedFindings: Finding[] = [];
  // Thousands of findings may await confirmation on a large site: membership by set, not by scanning the lists.
  const awaitingSeen = new Set<Finding>();
  const unverifiedSeen = new Set<Finding>();
  let awaiting = 0;
  let sumH = 0;
  const itemEntry = ctx.entries.get(item.id);
  for (const rule of item.rules) {
    const r = scoreRule(rule, ctx);
    if (!itemEntry) {
      for (const f of r.proposals) if (!awaitingSeen.has(f)) (awaitingSeen.add(f), awaitingFindings.push(f));
      for (const f of r.doubtful) if (!unverifiedSeen.has(f)) (unverifiedSeen.add(f), unverifiedFindings.push(f));
    }
    if (r.deduction) deductions.push(r.deduction);
    sumH += r.halves;
    if (r.pending && !itemEntry) pendingRules.push(rule.id);
    if (r.unverified !== undefined && !itemEntry) unverifiedRules.push({ rule: rule.id, reason: r.unverified });
    if (!itemEntry) awaiting += r.awaiting;
    for (const sm of r.summaries) if (!checked.includes(sm)) checked.push(sm);
  }
  if (itemEntry && itemEntry.points !== undefined) {
    const h = toHalves(itemEntry.points);
    const note = itemEntry.note?.trim() ? `：${itemEntry.note.trim()}` : '';
    deductions.push({
      rule: item.id,
      text: '本项人工评定',
      points: fromHalves(h),
      count: h > 0 ? 1 : 0,
      explain: h > 0 ? `人工评定 (${MINUS}${fmt(fromHalves(h))})${note}` : `人工评定无扣分${note}`,
      manual: manualRef(itemEntry, ctx.defaultReviewer),
    });
    sumH += h;
  }
  const maxH = toHalves(item.max);
  const capH = Math.min(maxH, toHalves(item.cap ?? item.max));
  const deductedH = Math.min(sumH, capH);
  const pending = pendingRules.length > 0;

  const bits = deductions.filter((d) => d.points > 0 || d.manual).map((d) => d.explain ?? '');
  let explain: string;
  if (deductedH > 0) {
    explain = `${item.level2} ${MINUS}${fmt(fromHalves(deductedH))}: ${bits.join('; ')}`;
    if (sumH > capH) explain += ` (累计扣分不超过本条分值${fmt(fromHalves(capH))}分)`;
  } else {
    explain = bits.length ? `${item.level2} 未扣分: ${bits.join('; ')}` : `${item.level2} 未扣分`;
  }
  if (deductedH === 0 && !bits.length && checked.length && !pending && !unverifiedFindings.length)
    explain = awaiting > 0 || awaitingFindings.length ? `${item.level2} 暂未扣分：${checked.join('；')}` : `${item.level2} 未扣分：${checked.join('；')}，未发现问题`;
  if (awaiting > 0) explain += `; 待确认: ${awaiting} 条机器发现，经复核确认后计入`;
  if (pending) {
    const unv = new Set(unverifiedRules.map((u) => u.rule));
    const manualNos = pendingRules.filter((id) => !unv.has(id)).map((id) => `第${shortNo(id, item.id)}条`).join('、');
    const unvText = unverifiedRules.map((u) => `第${shortNo(u.rule, item.id)}条未核实（${u.reason}）`).join('；');
    const alone = !(deductedH > 0 || bits.length || awaiting > 0);
    const parts = [manualNos ? (alone ? `待人工评分（${manualNos}）` : `待人工评分: ${manualNos}`) : '', unvText].filter(Boolean).join('; ');
    explain = alone ? `${item.level2}: ${parts}` : `${explain}; ${parts}`;
  }

  const out: ItemScore & { halves: number } = {
    id: item.id,
    level1: item.level1,
    level2: item.level2,
    rules: item.text,
    max: item.max,
    deducted: fromHalves(deductedH),
    score: fromHalves(maxH - deductedH),
    pending,
    deductions,
    explain,
    halves: maxH - deductedH,
  };
  if (pending) out.pendingRules = pendingRules;
  if (unverifiedRules.length) out.unverifiedRules = unverifiedRules;
  if (awaiting > 0) out.awaiting = awaiting;
  if (awaitingFindings.length) out.awaitingFindings = awaitingFindings;
  if (unverifiedFindings.length) out.unverifiedFindings = unverifiedFindings;
  if (checked.length) out.checked = checked;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 单否
// ---------------------------------------------------------------------------------------------------------------

function scoreVeto(groups: readonly VetoGroup[], skip: Set<string>, ctx: Ctx): VetoResult {
  const reasons: string[] = [];
  const pendingIds: string[] = [];
  const items: NonNullable<VetoResult['items']> = [];
  for (const g of groups) {
    const groupEntry = ctx.entries.get(g.id);
    if (groupEntry?.veto === true) {
      const note = groupEntry.note?.trim() ?? '';
      reasons.push(`${g.level2}：人工认定不合格${note ? ' — ' + note : ''}`);
    }
    for (const sub of g.subItems) {
      const no = shortNo(sub.id, g.id);
      const head = `${g.level2}（单否第${no}项：${sub.text}）`;
      if (skip.has(sub.id) || skip.has(g.id)) {
        items.push({ id: sub.id, level2: g.level2, rule: sub.text, failed: false, pending: false, skipped: true, reason: '不考核' });
        continue;
      }
      const r = scoreVetoSub(sub, ctx);
      const entry = ctx.entries.get(sub.id);
      let failed = r.failed;
      const why: string[] = [...r.why];
      if (entry?.veto === true) {
        failed = true;
        why.push(`人工认定${entry.note?.trim() ? ' — ' + entry.note.trim() : ''}`);
      }
      // Decided by a person (entry on the sub-item or the group): the machine's doubts no longer hold it open.
      const decided = entry !== undefined || groupEntry?.veto !== undefined;
      let pendingKind: 'manual' | 'awaiting' | 'unverified' | undefined;
      let pendingReason: string | undefined;
      if (!failed && !decided) {
        if (r.awaiting) {
          pendingKind = 'awaiting';
          pendingReason = `待确认：${r.awaiting}`;
        } else if (r.undecided.length) {
          pendingKind = 'unverified';
          pendingReason = `未核实：${r.undecided.join('；')}`;
        } else if (sub.manual) {
          pendingKind = 'manual';
          pendingReason = sub.triggers?.length && r.checked.length ? `待人工评分（机器检测：${r.checked.join('；')}，未发现否决情形）` : '待人工评分';
        }
      }
      const pending = pendingKind !== undefined;
      if (pending) pendingIds.push(sub.id);
      const row: (typeof items)[number] = { id: sub.id, level2: g.level2, rule: sub.text, failed, pending };
      if (failed) {
        row.reason = `${head}：${why.join('；')}`;
        reasons.push(row.reason);
      }
      if (pendingKind) {
        row.pendingKind = pendingKind;
        row.pendingReason = pendingReason;
      }
      if (r.checked.length) row.checked = r.checked;
      if (r.findings.length) row.findings = r.findings;
      if (entry) row.manual = manualRef(entry, ctx.defaultReviewer);
      items.push(row);
    }
  }
  const result: VetoResult = { failed: reasons.length > 0, reasons, items };
  if (pendingIds.length) result.pending = pendingIds;
  return result;
}

function scoreVetoSub(
  sub: VetoSubItem,
  ctx: Ctx,
): { failed: boolean; why: string[]; findings: Finding[]; awaiting?: string; undecided: string[]; checked: string[] } {
  const why: string[] = [];
  const findings: Finding[] = [];
  const awaitingParts: string[] = [];
  const undecided: string[] = [];
  const checked: string[] = [];
  let failed = false;
  for (const t of sub.triggers ?? []) {
    for (const s of t.sources) ctx.fed.add(s.check);
    const mode = t.count ?? 'findings';
    const { units, waiting, proposals } = collect(statesFor(ctx, t.sources), t.sources, mode, 0, ctx.warnings);
    for (const f of waiting) ctx.waiting.add(f);
    const n = units.length;
    const threshold = t.threshold ?? 1;
    const label = t.label ?? t.sources.map((s) => s.label ?? s.check).join('、');
    if (n >= threshold) {
      failed = true;
      why.push(threshold > 1 ? `${label} ${n} ${t.unit ?? '个'}（≥${threshold}）` : label);
      for (const u of units) for (const m of u.members) findings.push(m.state.finding);
      continue;
    }
    // Findings a reviewer must confirm (待确认) or that the machine could not verify (未核实), which would reach the
    // threshold once confirmed: the sub-item is neither failed nor passed.
    if (waiting.length) {
      const possible = new Set([...units.map((u) => u.key), ...waiting.map((f) => unitKey(f, mode))]).size;
      if (possible >= threshold) {
        if (proposals.length) awaitingParts.push(`${label}（${proposals.length} 条机器发现待复核确认）`);
        else undecided.push(`${label}：${waiting.map((f) => f.message.replace(/。$/, '')).slice(0, 3).join('；')}`);
        for (const f of waiting) findings.push(f);
      }
    }
    const sc = sourceScopes(t.sources, ctx);
    undecided.push(...sc.undecided);
    checked.push(...sc.summaries);
  }
  return {
    failed,
    why,
    findings,
    ...(awaitingParts.length ? { awaiting: awaitingParts.join('；') } : {}),
    undecided: [...new Set(undecided)],
    checked: [...new Set(checked)],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 加分项
// ---------------------------------------------------------------------------------------------------------------

function scoreBonusItem(item: BonusItem, ctx: Ctx): BonusScore & { halves: number } {
  const maxH = toHalves(item.max);
  const itemEntry = ctx.entries.get(item.id);
  if (itemEntry && itemEntry.awarded !== undefined) {
    const h = Math.min(maxH, toHalves(itemEntry.awarded));
    const note = itemEntry.note?.trim() ? `：${itemEntry.note.trim()}` : '';
    return {
      id: item.id,
      level2: item.level2,
      max: item.max,
      awarded: fromHalves(h),
      pending: false,
      rules: item.text,
      awards: [{ rule: item.id, points: fromHalves(h), manual: manualRef(itemEntry, ctx.defaultReviewer) }],
      explain: `${item.level2} +${fmt(fromHalves(h))}: 人工评定${note}`,
      halves: h,
    };
  }
  const awards: NonNullable<BonusScore['awards']> = [];
  const parts: string[] = [];
  const pendingRules: string[] = [];
  const unverifiedRules: { rule: string; reason: string }[] = [];
  const checked: string[] = [];
  let awaiting = 0;
  // Machine-fed rules without a reviewer's entry: proposals to award (confirmed findings count).
  const machine = new Map<string, { h: number; n: number; findings: Finding[]; pending: boolean }>();
  const proposalRows: NonNullable<BonusScore['proposals']> = [];
  for (const rule of item.rules) {
    if (!rule.sources?.length || ctx.entries.has(rule.id)) continue;
    for (const s of rule.sources) ctx.fed.add(s.check);
    const mode: CountMode = rule.mode === 'fixed' ? 'once' : rule.count ?? 'findings';
    const { units, waiting, proposals } = collect(statesFor(ctx, rule.sources), rule.sources, mode, rule.points, ctx.warnings);
    for (const f of waiting) ctx.waiting.add(f);
    awaiting += proposals.length;
    if (proposals.length) {
      // What confirming every proposal would award under this rule (its own cap; the item maximum applies on top).
      const n = mode === 'once' ? 1 : new Set(proposals.map((f) => unitKey(f, mode))).size;
      const capH = rule.mode === 'fixed' ? toHalves(rule.points) : Math.min(maxH, toHalves(rule.cap ?? item.max));
      proposalRows.push({ rule: rule.id, points: fromHalves(Math.min(capH, n * toHalves(rule.points))), findings: proposals });
    }
    const sc = sourceScopes(rule.sources, ctx);
    for (const sm of sc.summaries) if (!checked.includes(sm)) checked.push(sm);
    const live = units.filter((u) => u.halves > 0);
    const h = rule.mode === 'fixed' ? (live.length ? Math.max(...live.map((u) => u.halves)) : 0) : live.reduce((a, u) => a + u.halves, 0);
    const undecided = sc.undecided.length > 0 && live.length === 0;
    if (undecided) unverifiedRules.push({ rule: rule.id, reason: sc.undecided.join('；') });
    machine.set(rule.id, { h, n: live.length, findings: units.flatMap((u) => u.members.map((m) => m.state.finding)), pending: undecided || (waiting.length > 0 && h === 0) });
  }
  // oneOf tag → best half-points so far
  const best = new Map<string, number>();
  const resolvedGroups = new Set<string>();
  for (const rule of item.rules) {
    const m = machine.get(rule.id);
    if (rule.oneOf && (ctx.entries.has(rule.id) || (m && !m.pending))) resolvedGroups.add(rule.oneOf);
  }
  let sumH = 0;
  for (const rule of item.rules) {
    const entry = ctx.entries.get(rule.id);
    const m = machine.get(rule.id);
    if (!entry && (!m || m.pending)) {
      if (!(rule.oneOf && resolvedGroups.has(rule.oneOf))) pendingRules.push(rule.id);
      continue;
    }
    const ptsH = toHalves(rule.points);
    const capH = rule.mode === 'fixed' ? ptsH : Math.min(maxH, toHalves(rule.cap ?? item.max));
    let h = 0;
    if (entry) {
      if (entry.awarded !== undefined) h = toHalves(entry.awarded);
      else if (entry.count !== undefined) h = rule.mode === 'fixed' ? (entry.count > 0 ? ptsH : 0) : entry.count * ptsH;
    } else h = m!.h;
    h = Math.min(h, capH);
    if (rule.oneOf) {
      const prev = best.get(rule.oneOf) ?? 0;
      const gain = Math.max(0, h - prev);
      best.set(rule.oneOf, Math.max(prev, h));
      sumH += gain;
    } else sumH += h;
    const no = `第${shortNo(rule.id, item.id)}条`;
    if (entry) {
      awards.push({ rule: rule.id, points: fromHalves(h), manual: manualRef(entry, ctx.defaultReviewer) });
      const note = entry.note?.trim() ? `：${entry.note.trim()}` : '';
      parts.push(h > 0 ? `${no} +${fmt(fromHalves(h))}${note}` : `${no} 不得分${note}`);
    } else {
      awards.push({ rule: rule.id, points: fromHalves(h), ...(m!.findings.length ? { findings: m!.findings } : {}) });
      parts.push(h > 0 ? `${no} +${fmt(fromHalves(h))}（机器检测，经复核确认）` : `${no} 不得分（机器检测未达到加分条件）`);
    }
  }
  const h = Math.min(maxH, sumH);
  let explain = parts.length ? `${item.level2} +${fmt(fromHalves(h))}: ${parts.join('; ')}` : `${item.level2} +0`;
  if (sumH > maxH) explain += ` (累计加分不超过本条分值${fmt(item.max)}分)`;
  if (awaiting > 0) explain += `; 待确认: ${awaiting} 条机器发现，经复核确认后计入`;
  if (pendingRules.length) {
    const unv = new Set(unverifiedRules.map((u) => u.rule));
    const manualNos = pendingRules.filter((id) => !unv.has(id)).map((id) => `第${shortNo(id, item.id)}条`).join('、');
    const unvText = unverifiedRules.map((u) => `第${shortNo(u.rule, item.id)}条未核实（${u.reason}）`).join('；');
    const alone = !(parts.length || awaiting > 0);
    const rest = [manualNos ? (alone ? `待人工评分（${manualNos}）` : `待人工评分: ${manualNos}`) : '', unvText].filter(Boolean).join('; ');
    if (rest) explain = alone ? `${item.level2}: ${rest}` : `${explain}; ${rest}`;
  }
  const out: BonusScore & { halves: number } = {
    id: item.id,
    level2: item.level2,
    max: item.max,
    awarded: fromHalves(h),
    pending: pendingRules.length > 0,
    rules: item.text,
    explain,
    halves: h,
  };
  if (pendingRules.length) out.pendingRules = pendingRules;
  if (awards.length) out.awards = awards;
  if (proposalRows.length) out.proposals = proposalRows;
  if (awaiting > 0) out.awaiting = awaiting;
  if (unverifiedRules.length) out.unverifiedRules = unverifiedRules;
  if (checked.length) out.checked = checked;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------------------

/** "单否第2项待监测、3 项待人工评分" — why a verdict is not final. */
function pendingVetoSummary(v: VetoResult): string {
  const rows = (v.items ?? []).filter((i) => i.pending);
  const manual = rows.filter((i) => i.pendingKind === 'manual' || !i.pendingKind).length;
  const awaiting = rows.filter((i) => i.pendingKind === 'awaiting').length;
  const unverified = rows.filter((i) => i.pendingKind === 'unverified').length;
  const parts: string[] = [];
  if (unverified) parts.push(`${unverified} 项单否指标未核实`);
  if (awaiting) parts.push(`${awaiting} 项单否指标待确认`);
  if (manual) parts.push(`${manual} 项单否指标待人工评分`);
  return parts.join('，') || `${rows.length} 项单否指标待定`;
}

function profileApplies(pr: ProfileRule, profile: ScoreProfile): boolean {
  const w = pr.when;
  if (w.hasPublicServices !== undefined && w.hasPublicServices !== profile.hasPublicServices) return false;
  if (w.unitType !== undefined && w.unitType !== profile.unitType) return false;
  return true;
}

const DECISION_ZH: Record<Decision['action'], string> = { confirm: '确认', reject: '排除', adjust: '调整' };

/** Scores one audit. Pure: the same input always yields the same ScoreResult. */
export function scoreAudit(input: ScoreInput): ScoreResult {
  const { rubric, profile } = input;
  const manual = input.manual ?? null;
  const warnings: string[] = [];
  if (profile.unitType !== rubric.unitType)
    warnings.push(`profile unitType "${profile.unitType}" differs from rubric ${rubric.id} (${rubric.unitType})`);

  // manual entries (entries with issues are ignored, with a warning)
  const entries = new Map<string, ManualEntry>();
  /** Problems of the manual file, in Chinese, for the reports and the dashboard (score.manualNotices). */
  const notices: string[] = [];
  if (manual) {
    const issues = manualIssues(manual, rubric);
    const bad = new Set<number>();
    for (const i of issues) {
      warnings.push(`manual ${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')}: ${i.message}`);
      notices.push(i.zh);
      if (i.item !== undefined) bad.add(i.item);
    }
    manual.items.forEach((e, i) => {
      if (!bad.has(i)) entries.set(e.rule, e);
    });
  }

  const findings = sanitizeFindings(input.findings);
  const states = attachDecisions(findings, manual?.decisions ?? [], warnings);
  const usedDecisions = new Set(states.map((st) => st.decisionIndex));
  (manual?.decisions ?? []).forEach((d, i) => {
    if (usedDecisions.has(i)) return;
    const who = d.key ?? `${d.check}|${d.url}${d.target !== undefined ? '|' + d.target : ''}`;
    notices.push(`第 ${i + 1} 条复核决定（decisions[${i}]，${DECISION_ZH[d.action]} ${who}）未生效：本次检查没有与之对应的问题`);
  });
  const ctx: Ctx = { states, entries, defaultReviewer: manual?.reviewer, warnings, waiting: new Set(), fed: new Set(), ...(input.scopes ? { scopes: input.scopes } : {}) };

  // profile rules
  const applied = (rubric.profiles ?? []).filter((pr) => profileApplies(pr, profile));
  const skipItemIds = new Set<string>();
  const skipVeto = new Set<string>();
  const skipBonus = new Set<string>();
  let prorate = false;
  for (const pr of applied) {
    for (const it of skippedItems(rubric, pr)) skipItemIds.add(it.id);
    for (const id of pr.skipVeto ?? []) skipVeto.add(id);
    for (const id of pr.skipBonus ?? []) skipBonus.add(id);
    if (pr.prorate) prorate = true;
  }
  const skipNote = applied.map((pr) => pr.text).join('；');
  const idx = indexRubric(rubric);
  for (const id of entries.keys()) {
    const t = idx.get(id);
    const itemId = t && (t.kind === 'rule' || t.kind === 'item') ? t.item.id : undefined;
    if (itemId && skipItemIds.has(itemId)) {
      warnings.push(`manual entry "${id}" ignored: the item is not assessed for this profile`);
      notices.push(`人工评分条目 "${id}" 未计入：该指标对本单位不考核（${skipNote}）`);
    }
  }

  // items
  const items: ItemScore[] = [];
  let baseH = 0;
  let skippedH = 0;
  for (const item of rubric.items) {
    if (skipItemIds.has(item.id)) {
      skippedH += toHalves(item.max);
      items.push({
        id: item.id,
        level1: item.level1,
        level2: item.level2,
        rules: item.text,
        max: item.max,
        deducted: 0,
        score: 0,
        pending: false,
        skipped: true,
        deductions: [],
        explain: `${item.level2}: 不考核（${skipNote}）`,
      });
      continue;
    }
    const { halves, ...score } = scoreItem(item, ctx);
    baseH += halves;
    items.push(score);
  }

  // veto
  const veto = scoreVeto(rubric.veto, skipVeto, ctx);

  // bonus
  const bonusItems: BonusScore[] = [];
  let bonusH = 0;
  for (const b of rubric.bonus.items) {
    if (skipBonus.has(b.id)) {
      bonusItems.push({ id: b.id, level2: b.level2, max: b.max, rules: b.text, awarded: 0, pending: false, skipped: true, explain: `${b.level2}: 不考核（${skipNote}）` });
      continue;
    }
    const { halves, ...score } = scoreBonusItem(b, ctx);
    bonusH += halves;
    bonusItems.push(score);
  }
  bonusH = Math.min(bonusH, toHalves(rubric.bonus.ceiling));

  // totals
  const base = fromHalves(baseH);
  const bonus = fromHalves(bonusH);
  const result: ScoreResult = {
    rubric: rubric.id,
    total: 0,
    base,
    bonus,
    // 暂定 while anything can still change: items or bonus rows pending, findings awaiting confirmation, 单否 undecided.
    provisional:
      items.some((i) => i.pending || (i.awaiting ?? 0) > 0) || bonusItems.some((b) => b.pending || (b.awaiting ?? 0) > 0) || (!veto.failed && !!veto.pending?.length),
    veto,
    items,
    bonusItems,
  };
  const totalBaseH = toHalves(rubric.totals.base);
  if (skippedH > 0) result.skippedPoints = fromHalves(skippedH);
  if (prorate && skippedH > 0 && skippedH < totalBaseH) {
    // base × 100 / (100 − skipped), to 2 decimals; integer numerator and denominator
    result.prorated = Math.round((baseH * totalBaseH * 100) / ((totalBaseH - skippedH) * 2)) / 100;
    result.total = Math.round(result.prorated * 100 + bonusH * 50) / 100;
  } else {
    result.total = fromHalves(baseH + bonusH);
  }
  result.verdict = veto.failed ? '不合格' : veto.pending?.length ? `待定（${pendingVetoSummary(veto)}）` : '合格';

  // excluded / unconfirmed / unscored
  const excluded: NonNullable<ScoreResult['excluded']> = [];
  for (const st of states) {
    if (st.decision?.action !== 'reject') continue;
    const row: (typeof excluded)[number] = { finding: st.finding, reason: `复核排除：${st.decision.reason ?? ''}`.replace(/：$/, '') };
    const reviewer = st.decision.reviewer ?? manual?.reviewer;
    if (reviewer) row.reviewer = reviewer;
    excluded.push(row);
  }
  if (excluded.length) result.excluded = excluded;
  const decisions: NonNullable<ScoreResult['decisions']> = [];
  for (const st of states) {
    const d = st.decision;
    if (!d) continue;
    const f = st.finding;
    const reviewer = d.reviewer ?? manual?.reviewer;
    decisions.push({
      key: findingKey(f),
      check: f.check,
      url: f.url,
      ...(f.target !== undefined ? { target: f.target } : {}),
      action: d.action,
      ...(reviewer ? { reviewer } : {}),
      ...(d.date ? { date: d.date } : {}),
      ...(d.reason ? { reason: d.reason } : {}),
      ...(d.points !== undefined ? { points: d.points } : {}),
    });
  }
  if (decisions.length) result.decisions = decisions;
  const unconfirmed = states.map((s) => s.finding).filter((f) => ctx.waiting.has(f));
  if (unconfirmed.length) result.unconfirmed = unconfirmed;
  const unscored = [...new Set(states.filter((s) => s.decision?.action !== 'reject' && !ctx.fed.has(s.finding.check)).map((s) => s.finding.check))].sort();
  if (unscored.length) result.unscoredChecks = unscored;
  if (warnings.length) result.warnings = warnings;
  if (notices.length) result.manualNotices = notices;
  return result;
}

/**
 * Findings as reports show them: a confirm-required finding carries the reviewer's decision in `evidence.confirm`
 * (`confirmed`, `rejected`, `adjusted`) once one exists, `required` until then. Stored findings are not changed.
 */
export function withDecisions(findings: readonly Finding[], score: Pick<ScoreResult, 'decisions'> | undefined): Finding[] {
  const byKey = new Map((score?.decisions ?? []).map((d) => [d.key, d.action]));
  if (!byKey.size) return [...findings];
  const word = { confirm: 'confirmed', reject: 'rejected', adjust: 'adjusted' } as const;
  return findings.map((f) => {
    const a = byKey.get(findingKey(f));
    if (!a || f.evidence?.confirm === undefined) return f;
    return { ...f, evidence: { ...f.evidence, confirm: word[a] } };
  });
}
