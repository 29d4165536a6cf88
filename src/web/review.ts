/**
 * Reviewer actions from the dashboard: confirm / reject a machine finding, enter or remove a manual item.
 * Both write the SAME manual-items YAML file the CLI reads (the site's `manual` file in sites.yaml; for a run not
 * tied to a configured site, the file the run was scored with), atomically (saveManual), recording who and when,
 * and then rescore the run (scoreStoredRun) so the stored score follows at once.
 *
 * The file edits are synchronous (`writeDecision`, `writeManualEntry`), so two requests of this process never
 * interleave a read-modify-write of one file; `applyDecision` / `applyManualEntry` add the rescore on the one-machine
 * store. The dashboard over the shared PostgreSQL store (cluster.ts) uses the same edits and rescores through the
 * repository (src/repo/rescore.ts).
 */
import { RUN_STATUS_ZH } from '../report/zh.ts';
import { ruleCatalog, ruleRef } from '../report/audit-report.ts';
import fs from 'node:fs';
import type { Store, RunRow } from '../store/store.ts';
import type { SiteConfig } from '../monitor/config.ts';
import type { Finding } from '../model.ts';
import { scoreStoredRun } from '../audit/score-run.ts';
import { unitTypeOfRubric } from '../audit/run.ts';
import {
  findingKey,
  loadManual,
  manualIssues,
  ManualError,
  parseFindingKey,
  saveManual,
  validateManual,
  type Decision,
  type ManualEntry,
  type ManualFile,
} from '../score/manual.ts';
import { indexRubric, loadRubric } from '../score/rubric.ts';
import type { ScoreResult } from '../score/types.ts';
import { shanghaiDay } from '../monitor/time.ts';

export class ReviewError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ReviewError';
  }
}

export interface ReviewTarget {
  store: Store;
  run: RunRow;
  /** The configured site the run belongs to, when there is one. */
  site?: SiteConfig;
}

export interface ScoreSummary {
  total: number;
  provisional: boolean;
  veto: boolean;
  verdict?: string;
}

export interface ReviewResult {
  manualFile: string;
  score: ScoreSummary;
}

/** The manual-items file reviews of this run go to, or undefined when none is configured. */
export function manualFileFor(run: RunRow, site?: SiteConfig): string | undefined {
  if (site?.manual) return site.manual;
  const f = (run.options as { manualFile?: unknown }).manualFile;
  return typeof f === 'string' && f ? f : undefined;
}

/** Reads the manual file for display: undefined when absent; an error message when it cannot be used. */
export function readManualForDisplay(file: string | undefined): { manual?: ManualFile; error?: string } {
  if (!file) return {};
  if (!fs.existsSync(file)) return {};
  try {
    return { manual: loadManual(file) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** What the file edits need: the run, its findings (decisions name one of them), the configured site. */
export interface EditTarget {
  run: RunRow;
  findings: readonly Finding[];
  site?: SiteConfig;
}

function needFile(t: { run: RunRow; site?: SiteConfig }): string {
  const file = manualFileFor(t.run, t.site);
  if (!file)
    throw new ReviewError(
      409,
      '该网站没有配置人工评分文件：请在 sites.yaml 中为该网站设置 manual（例如 manual: manual/站点id.yaml），再进行复核或人工评分',
    );
  return file;
}

function loadOrNew(file: string, run: RunRow): ManualFile {
  let manual: ManualFile;
  if (fs.existsSync(file)) {
    try {
      manual = loadManual(file);
    } catch (e) {
      throw new ReviewError(409, `人工评分文件有误，未作修改，请先修正：${(e as Error).message}`);
    }
  } else {
    manual = validateManual({ site: run.siteUrl, rubric: run.rubric, asOf: run.asOf, items: [], decisions: [] }, file);
  }
  if (manual.rubric !== run.rubric)
    throw new ReviewError(409, `人工评分文件 ${file} 对应评分规则 ${manual.rubric}，本次检查使用 ${run.rubric}，未作修改`);
  return manual;
}

function needDoneRun(run: RunRow): void {
  if (run.status !== 'done') throw new ReviewError(409, `该次检查状态为“${RUN_STATUS_ZH[run.status] ?? run.status}”，只有已完成的检查可以复核和评分`);
}

/** The score as the reviewer's confirmation says it. */
export function scoreSummary(score: ScoreResult): ScoreSummary {
  return { total: score.total, provisional: score.provisional, veto: score.veto.failed, ...(score.verdict ? { verdict: score.verdict } : {}) };
}

function rescore(t: ReviewTarget, file: string): ScoreSummary {
  const opts = t.run.options as { unitType?: 'city' | 'provincial'; hasPublicServices?: boolean };
  let score: ScoreResult | undefined;
  try {
    score = scoreStoredRun(t.store, t.run.id, {
      rubric: t.run.rubric,
      manualFile: file,
      profile: {
        unitType: opts.unitType ?? unitTypeOfRubric(t.run.rubric),
        hasPublicServices: t.site?.hasPublicServices ?? opts.hasPublicServices ?? true,
      },
    }).score;
  } catch (e) {
    throw new ReviewError(500, `已保存，但重新评分失败：${(e as Error).message}`);
  }
  if (!score) throw new ReviewError(500, '已保存，但重新评分没有结果');
  return scoreSummary(score);
}

function str(v: unknown, max = 2000): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  if (!s) return undefined;
  return s.length > max ? s.slice(0, max) : s;
}

function stamp(now: number): string {
  return `看板录入 ${new Date(now + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')}`;
}

export interface DecisionInput {
  key?: unknown;
  check?: unknown;
  url?: unknown;
  target?: unknown;
  action?: unknown;
  reason?: unknown;
}

/** Confirm / reject a finding of the run (or clear an earlier decision), then rescore. */
export function applyDecision(t: ReviewTarget, input: DecisionInput, reviewer: string, now: number): ReviewResult & { key: string; action: string } {
  const e = writeDecision({ run: t.run, site: t.site, findings: t.store.findings(t.run.id) }, input, reviewer, now);
  return { ...e, score: rescore(t, e.manualFile) };
}

/** Records a reviewer's decision on a finding in the manual-items file (no rescoring). */
export function writeDecision(t: EditTarget, input: DecisionInput, reviewer: string, now: number): { manualFile: string; key: string; action: string } {
  needDoneRun(t.run);
  const action = str(input.action, 20);
  if (action !== 'confirm' && action !== 'reject' && action !== 'clear') throw new ReviewError(400, 'action 应为 confirm（确认）、reject（排除）或 clear（撤销复核）');
  let id: { check: string; url: string; target: string };
  const key = str(input.key, 8000);
  if (key) id = parseFindingKey(key);
  else {
    const check = str(input.check, 200);
    const url = str(input.url, 4000);
    if (!check || !url) throw new ReviewError(400, '请指明问题：key，或 check + url（+ target）');
    id = { check, url, target: str(input.target, 4000) ?? '' };
  }
  const fullKey = `${id.check}|${id.url}|${id.target}`;
  if (!t.findings.some((f) => findingKey(f) === fullKey)) throw new ReviewError(404, '本次检查中没有这条问题（可能已重新检查）');
  const reason = str(input.reason, 1000);
  if (action === 'reject' && !reason) throw new ReviewError(400, '排除（reject）需要填写理由');
  const file = needFile(t);
  const manual = loadOrNew(file, t.run);
  const same = (d: Decision) => {
    if (d.key !== undefined) {
      const k = parseFindingKey(d.key);
      return k.check === id.check && k.url === id.url && k.target === id.target;
    }
    return d.check === id.check && d.url === id.url && d.target !== undefined && d.target === id.target;
  };
  const decisions = manual.decisions.filter((d) => !same(d));
  if (action !== 'clear') {
    decisions.push({
      key: fullKey,
      action,
      ...(reason ? { reason } : {}),
      reviewer,
      date: shanghaiDay(now),
      note: stamp(now),
    });
  }
  const next = { ...manual, decisions };
  try {
    saveManual(file, next);
  } catch (e) {
    if (e instanceof ManualError) throw new ReviewError(400, `复核记录无效：${e.message}`);
    throw new ReviewError(500, `无法写入人工评分文件 ${file}：${(e as Error).message}`);
  }
  return { manualFile: file, key: fullKey, action };
}

export interface ManualInput {
  rule?: unknown;
  /** Form style: which field `value` is. */
  field?: unknown;
  value?: unknown;
  count?: unknown;
  points?: unknown;
  awarded?: unknown;
  veto?: unknown;
  note?: unknown;
  evidence?: unknown;
  remove?: unknown;
}

function num(v: unknown, label: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new ReviewError(400, `${label} 应为数字`);
  return n;
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const t = typeof v === 'string' ? v.trim() : v;
  if (t === true || t === 'true' || t === '1' || t === 'yes' || t === '是') return true;
  if (t === false || t === 'false' || t === '0' || t === 'no' || t === '否') return false;
  throw new ReviewError(400, '单否结论应为“是”（单项否决）或“否”（未发现否决情形）');
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 'on';

/** Adds, replaces or removes the manual entry of one rubric id, then rescores. */
export function applyManualEntry(t: ReviewTarget, input: ManualInput, reviewer: string, now: number): ReviewResult & { rule: string; removed: boolean } {
  const e = writeManualEntry(t, input, reviewer, now);
  return { ...e, score: rescore(t, e.manualFile) };
}

/** Adds, replaces or removes the manual entry of one rubric id in the manual-items file (no rescoring). */
export function writeManualEntry(t: { run: RunRow; site?: SiteConfig }, input: ManualInput, reviewer: string, now: number): { manualFile: string; rule: string; removed: boolean } {
  needDoneRun(t.run);
  const rule = str(input.rule, 200);
  if (!rule) throw new ReviewError(400, '请选择评分细则（rule）');
  let rubric;
  try {
    rubric = loadRubric(t.run.rubric);
  } catch (e) {
    throw new ReviewError(500, `无法读取评分规则 ${t.run.rubric}：${(e as Error).message}`);
  }
  if (!indexRubric(rubric).has(rule)) throw new ReviewError(400, `评分规则 ${rubric.id} 中没有 ${rule}`);
  const remove = truthy(input.remove);
  const entry: Record<string, unknown> = { rule };
  if (!remove) {
    const field = str(input.field, 20);
    const vals: Record<string, unknown> = { count: input.count, points: input.points, awarded: input.awarded, veto: input.veto };
    if (field) {
      if (!['count', 'points', 'awarded', 'veto'].includes(field)) throw new ReviewError(400, 'field 应为 count、points、awarded 或 veto');
      if (input.value === undefined || input.value === null || String(input.value).trim() === '') throw new ReviewError(400, '请先选择或填写评定结果');
      vals[field] = input.value;
    }
    const count = num(vals.count, '次数');
    const points = num(vals.points, '扣分');
    const awarded = num(vals.awarded, '加分');
    const veto = bool(vals.veto);
    if (count !== undefined) entry.count = count;
    if (points !== undefined) entry.points = points;
    if (awarded !== undefined) entry.awarded = awarded;
    if (veto !== undefined) entry.veto = veto;
    const note = str(input.note, 2000);
    const evidence = str(input.evidence, 4000);
    if (note) entry.note = note;
    if (evidence) entry.evidence = evidence;
    entry.reviewer = reviewer;
    entry.date = shanghaiDay(now);
  }
  const file = needFile(t);
  const manual = loadOrNew(file, t.run);
  const items = manual.items.filter((e) => e.rule !== rule);
  if (remove && items.length === manual.items.length)
    throw new ReviewError(404, `人工评分文件中没有“${ruleRef(ruleCatalog(undefined, rubric), rule, { withLevel2: true, text: false })}”的条目`);
  if (!remove) items.push(entry as ManualEntry);
  let next: ManualFile;
  try {
    next = validateManual({ ...manual, items }, file);
  } catch (e) {
    throw new ReviewError(400, `人工评分条目无效：${(e as ManualError).errors?.join('；') ?? (e as Error).message}`);
  }
  if (!remove) {
    const at = next.items.length - 1;
    const issues = manualIssues(next, rubric).filter((i) => i.item === at || i.path[0] === 'rubric');
    if (issues.length) throw new ReviewError(400, `人工评分条目无效：${issues.map((i) => i.message).join('；')}`);
  }
  try {
    saveManual(file, next);
  } catch (e) {
    throw new ReviewError(500, `无法写入人工评分文件 ${file}：${(e as Error).message}`);
  }
  return { manualFile: file, rule, removed: remove };
}
