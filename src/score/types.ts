/**
 * Output of the scoring engine (the `score` field of `govsite audit --format json`).
 * Field names are a public contract: reports, the dashboard and outside tools read them.
 */
import type { Finding } from '../model.ts';

export interface ManualRef {
  /** Manual entry id or the rule it fills. */
  rule: string;
  count?: number;
  points?: number;
  note?: string;
  evidence?: string;
  reviewer?: string;
  date?: string;
}

/** A reviewer's decision on one finding, as applied in a score. */
export interface DecisionRecord {
  /** findingKey: "check|url|target". */
  key: string;
  check: string;
  url: string;
  target?: string;
  action: 'confirm' | 'reject' | 'adjust';
  reviewer?: string;
  date?: string;
  reason?: string;
  points?: number;
}

export interface Deduction {
  /** The sub-rule id (e.g. "availability.1"), with its Chinese text in `text`. */
  rule: string;
  text?: string;
  /** Points deducted by this sub-rule after its own cap (positive number). */
  points: number;
  /** Occurrences counted. */
  count: number;
  /** Chinese explanation, e.g. "首页链接无法打开 1 处 (−1)". */
  explain?: string;
  findings?: Finding[];
  manual?: ManualRef;
}

export interface ItemScore {
  id: string;
  level1: string;
  level2: string;
  /** 评分细则, original text. */
  rules?: string;
  max: number;
  deducted: number;
  score: number;
  /** No machine source and no manual entry: 待人工评分. */
  pending: boolean;
  /** Not assessed for this unit (e.g. 办事服务 for a department without public services). */
  skipped?: boolean;
  deductions: Deduction[];
  /** Chinese one-line explanation: "可用性 −1.5: 首页链接无法打开 1 处 (−1), 其他页面 1 处 (−0.5)". */
  explain?: string;
  /** Sub-rules still waiting for a reviewer's entry (ids): manual-only rules and the unverified ones. */
  pendingRules?: string[];
  /** Machine-fed sub-rules whose checks could not decide (未核实), with the Chinese reason. Also in pendingRules. */
  unverifiedRules?: { rule: string; reason: string }[];
  /** Machine findings feeding the item that wait for a reviewer's confirmation (待确认); the score may drop. */
  awaiting?: number;
  /** What the item's checks examined (Chinese, e.g. "已检测 40 个页面"), shown even when nothing was deducted. */
  checked?: string[];
  /** The findings counted in `awaiting` (待确认: they deduct once a reviewer confirms them). */
  awaitingFindings?: Finding[];
  /** Findings of the item the machine could not verify (未核实, e.g. not confirmed on the rendered page): not deducted. */
  unverifiedFindings?: Finding[];
}

export interface BonusScore {
  id: string;
  level2: string;
  max: number;
  awarded: number;
  pending: boolean;
  /** 评分细则, original text. */
  rules?: string;
  awards?: { rule: string; points: number; manual?: ManualRef; findings?: Finding[] }[];
  /** Machine proposals to award, per rule, waiting for a reviewer (待确认): the points confirming all of them gives. */
  proposals?: { rule: string; points: number; findings: Finding[] }[];
  /** Rules still waiting for a reviewer's entry (ids): manual-only rules and the unverified ones. */
  pendingRules?: string[];
  /** Not assessed for this unit (profile rule). */
  skipped?: boolean;
  /** Chinese one-line explanation, e.g. "数据发布 +1.5: …". */
  explain?: string;
  /** Machine proposals to award (findings) waiting for a reviewer's confirmation (待确认). */
  awaiting?: number;
  /** Machine-fed rules whose checks could not decide (未核实), with the Chinese reason. */
  unverifiedRules?: { rule: string; reason: string }[];
  /** What the item's checks examined (Chinese). */
  checked?: string[];
}

export interface VetoResult {
  failed: boolean;
  /** Chinese reasons, each naming the veto sub-item. */
  reasons: string[];
  /** Veto sub-items with neither machine data nor a manual entry. */
  pending?: string[];
  items?: {
    id: string;
    level2: string;
    rule: string;
    failed: boolean;
    pending: boolean;
    reason?: string;
    findings?: Finding[];
    /** Not assessed for this unit (profile rule). */
    skipped?: boolean;
    /**
     * Why a pending sub-item is not decided (Chinese): 待人工评分, 待确认 (machine findings awaiting a reviewer), or
     * 未核实 / 待监测 (the machine could not measure).
     */
    pendingReason?: string;
    /** Kind of pending: manual (待人工评分), awaiting (待确认), unverified (未核实 / 待监测). */
    pendingKind?: 'manual' | 'awaiting' | 'unverified';
    /** What the sub-item's checks examined (Chinese), shown as evidence. */
    checked?: string[];
    /** The reviewer's entry that decided the sub-item, when one did. */
    manual?: ManualRef;
  }[];
}

export interface ScoreResult {
  rubric: string;
  /** Final total: base (or prorated base) + bonus, 0–120. */
  total: number;
  base: number;
  bonus: number;
  /** Base prorated to 100 when the profile skips an indicator (e.g. 无对外服务职能). */
  prorated?: number;
  /** True when any item is pending (待人工评分): the total may change. */
  provisional: boolean;
  veto: VetoResult;
  /** 合格 / 不合格 verdict text. */
  verdict?: string;
  items: ItemScore[];
  bonusItems: BonusScore[];
  /** Findings excluded by reviewers (复核排除) and machine-assisted findings awaiting confirmation. */
  excluded?: { finding: Finding; reason: string; reviewer?: string }[];
  unconfirmed?: Finding[];
  /** Points of the items the profile skipped (e.g. 20 for 办事服务), when any. */
  skippedPoints?: number;
  /** Check ids with findings that no rule or 单否 trigger of this rubric references (informational). */
  unscoredChecks?: string[];
  /** Reviewer decisions that matched findings of this run: which finding, what was decided, by whom. */
  decisions?: DecisionRecord[];
  /** Problems met while scoring (manual entries ignored, decisions matching no finding, …), English. */
  warnings?: string[];
  /**
   * The manual file's problems in Chinese, one line each (entries not counted: unknown ids, wrong fields, a file for
   * another rubric; decisions matching no finding): shown by the reports and the dashboard's run page.
   */
  manualNotices?: string[];
}
