/**
 * The manual-items file: a reviewer's entries for rubric rules no machine check can assess (待人工评分) and their
 * decisions on machine findings (confirm / reject / adjust). YAML, validated with zod; errors name the file, the
 * line, the path and the reason.
 *
 * ```yaml
 * site: https://www.example.gov.cn/
 * rubric: hunan-2021-city
 * items:
 *   - rule: service.guides.2          # a sub-rule id, an item id, a veto (sub-)item id or a bonus (rule) id
 *     count: 2                        # or points: 1 (deductions) · awarded: 1 (bonus) · veto: false (单否)
 *     note: 两个办事指南缺少办理时间
 *     evidence: https://www.example.gov.cn/bsfw/202106/t20210610_7001.html
 *     reviewer: 张三
 *     date: 2021-06-12
 * decisions:
 *   - check: broken-link
 *     url: https://www.example.gov.cn/
 *     target: https://www.example.gov.cn/old.html   # optional: without it the decision covers every target
 *     action: reject                  # confirm | reject | adjust
 *     reason: 链接在复核时可正常打开
 *   - key: "source-label|https://www.example.gov.cn/202106/t20210610_7001.html|"
 *     action: confirm
 * ```
 */
import fs from 'node:fs';
import { writeFileAtomic } from '../store/atomic.ts';
import { z } from 'zod';
import { stringify } from 'yaml';
import type { Finding } from '../model.ts';
import { EARLIEST_DAY, latestPlausibleDay } from '../monitor/time.ts';
import { formatPath, indexRubric, isHalfStep, yamlLocator, zodReason, type Locator, type Rubric } from './rubric.ts';

const DateStr = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date as YYYY-MM-DD' })
  .refine((s) => !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().startsWith(s), {
    message: 'not a real calendar date',
  })
  .refine((s) => s >= EARLIEST_DAY && s <= latestPlausibleDay(), {
    message: `an implausible date: give one from ${EARLIEST_DAY} to one year after today`,
  });
const NonEmpty = z.string().trim().min(1, { message: 'must not be empty' });
const HalfPoints = z
  .number()
  .nonnegative({ message: 'must be ≥ 0 (deductions and awards are written as positive numbers)' })
  .refine(isHalfStep, { message: 'must be a multiple of 0.5' });

export const ManualEntrySchema = z
  .object({
    /** Sub-rule id, item id, veto sub-item/group id, or bonus rule/item id. */
    rule: NonEmpty,
    /** Occurrences found (deductions: × the rule's deduction; bonus per-occurrence: × the rule's points). */
    count: z.number().int({ message: 'count is a whole number' }).nonnegative().optional(),
    /** Points deducted (positive). */
    points: HalfPoints.optional(),
    /** Bonus points awarded. */
    awarded: HalfPoints.optional(),
    /** 单否 outcome: true = the veto applies (不合格), false = assessed, not applicable. */
    veto: z.boolean().optional(),
    note: z.string().optional(),
    /** URL or file path backing the entry. */
    evidence: z.string().optional(),
    reviewer: z.string().optional(),
    date: DateStr.optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const given = (['count', 'points', 'awarded', 'veto'] as const).filter((k) => e[k] !== undefined);
    if (given.length === 0)
      ctx.addIssue({ code: 'custom', message: 'give one of count, points, awarded (bonus) or veto (单否)', path: [] });
    else if (given.length > 1)
      ctx.addIssue({ code: 'custom', message: `give only one of ${given.join(', ')}`, path: [given[1]] });
    if (e.veto === true && !e.note?.trim())
      ctx.addIssue({ code: 'custom', message: 'a veto: true entry needs a note saying what was found', path: ['note'] });
  });
export type ManualEntry = z.output<typeof ManualEntrySchema>;

export const DecisionSchema = z
  .object({
    /** A finding key "check|url|target" (see findingKey). */
    key: NonEmpty.optional(),
    check: NonEmpty.optional(),
    url: NonEmpty.optional(),
    /** Optional: without it the decision applies to every finding of this check on this url. */
    target: z.string().optional(),
    action: z.enum(['confirm', 'reject', 'adjust']),
    /** Why (required for reject: shown as 复核排除 reason). */
    reason: z.string().optional(),
    /** adjust: the points this finding deducts instead of the rule's computation. */
    points: HalfPoints.optional(),
    /** adjust: the weight applied to the rule's deduction instead of the rubric's. */
    weight: z.number().nonnegative().optional(),
    reviewer: z.string().optional(),
    date: DateStr.optional(),
    note: z.string().optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.key !== undefined) {
      if (d.check !== undefined || d.url !== undefined || d.target !== undefined)
        ctx.addIssue({ code: 'custom', message: 'identify the finding by key or by check + url (+ target), not both', path: ['key'] });
      else if (d.key.split('|').length < 3)
        ctx.addIssue({ code: 'custom', message: 'a key reads "check|url|target" (target may be empty: "check|url|")', path: ['key'] });
    } else {
      if (d.check === undefined) ctx.addIssue({ code: 'custom', message: 'required: check (or key)', path: ['check'] });
      if (d.url === undefined) ctx.addIssue({ code: 'custom', message: 'required: url (or key)', path: ['url'] });
    }
    if (d.action === 'reject' && !d.reason?.trim())
      ctx.addIssue({ code: 'custom', message: 'a reject decision needs a reason (shown as 复核排除 reason)', path: ['reason'] });
    if (d.action === 'adjust') {
      if (d.points === undefined && d.weight === undefined)
        ctx.addIssue({ code: 'custom', message: 'an adjust decision needs points or weight', path: ['points'] });
      if (d.points !== undefined && d.weight !== undefined)
        ctx.addIssue({ code: 'custom', message: 'give points or weight, not both', path: ['weight'] });
    } else {
      if (d.points !== undefined) ctx.addIssue({ code: 'custom', message: `points only go with action: adjust`, path: ['points'] });
      if (d.weight !== undefined) ctx.addIssue({ code: 'custom', message: `weight only goes with action: adjust`, path: ['weight'] });
    }
  });
export type Decision = z.output<typeof DecisionSchema>;

export const ManualFileSchema = z
  .object({
    /** The audited site (URL or host). */
    site: NonEmpty,
    /** Rubric id, e.g. hunan-2021-city. */
    rubric: NonEmpty,
    /** Monitoring time point the entries refer to. */
    asOf: DateStr.optional(),
    /** Default reviewer for entries without one. */
    reviewer: z.string().optional(),
    items: z.array(ManualEntrySchema).default([]),
    decisions: z.array(DecisionSchema).default([]),
  })
  .strict();
export type ManualFile = z.output<typeof ManualFileSchema>;
export type ManualFileInput = z.input<typeof ManualFileSchema>;

/** A manual file that cannot be used; `errors` read "file:line: path: reason". */
export class ManualError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(errors.length === 1 ? errors[0] : `${errors.length} errors in the manual-items file:\n${errors.map((e) => '  ' + e).join('\n')}`);
    this.name = 'ManualError';
    this.errors = errors;
  }
}

/** The identity reviewers use for a finding: "check|url|target" (target empty when absent). */
export function findingKey(f: Pick<Finding, 'check' | 'url' | 'target'>): string {
  return `${f?.check ?? ''}|${f?.url ?? ''}|${f?.target ?? ''}`;
}

/** Splits a finding key; the url may itself contain "|" — the first segment is the check, the last the target. */
export function parseFindingKey(key: string): { check: string; url: string; target: string } {
  const first = key.indexOf('|');
  const last = key.lastIndexOf('|');
  if (first < 0 || last === first) return { check: key, url: '', target: '' };
  return { check: key.slice(0, first), url: key.slice(first + 1, last), target: key.slice(last + 1) };
}

function zodIssues(error: z.ZodError, data: unknown, file: string, locate: Locator): string[] {
  return error.issues.map((issue) => `${locate(issue.path)}: ${formatPath(issue.path)}: ${zodReason(issue, data)}`);
}

/** Validates parsed data; throws ManualError. */
export function validateManual(data: unknown, file = '<manual>', locate: Locator = () => file): ManualFile {
  const res = ManualFileSchema.safeParse(data ?? {});
  if (!res.success) throw new ManualError(zodIssues(res.error, data ?? {}, file, locate));
  return res.data;
}

export interface LoadManualOptions {
  /** Also check every entry against this rubric (ids exist, the right field for the rule kind, caps). */
  rubric?: Rubric;
}

/** Parses and validates manual-items YAML text. Throws ManualError. */
export function parseManual(text: string, file = '<manual>', opts: LoadManualOptions = {}): ManualFile {
  const { doc, locate } = yamlLocator(text.replace(/^\ufeff/, ''), file);
  if (doc.errors.length)
    throw new ManualError(doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: (yaml): ${e.message.split('\n')[0]}`));
  const data = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new ManualError([`${file}: (root): expected a mapping with site, rubric, items, decisions`]);
  const manual = validateManual(data, file, locate);
  if (opts.rubric) {
    const issues = manualIssues(manual, opts.rubric);
    if (issues.length) throw new ManualError(issues.map((i) => `${locate(i.path)}: ${formatPath(i.path)}: ${i.message}`));
  }
  return manual;
}

/** Reads a manual-items file. Throws ManualError (missing file, YAML syntax, schema, rubric mismatch). */
export function loadManual(file: string, opts: LoadManualOptions = {}): ManualFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ManualError([`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  return parseManual(text, file, opts);
}

/** Writes a manual-items file atomically (temp file in the same directory, then rename). Validates first. */
export function saveManual(file: string, data: ManualFileInput | ManualFile): void {
  const manual = validateManual(data, file);
  const out: Record<string, unknown> = { site: manual.site, rubric: manual.rubric };
  if (manual.asOf) out.asOf = manual.asOf;
  if (manual.reviewer) out.reviewer = manual.reviewer;
  out.items = manual.items;
  out.decisions = manual.decisions;
  const text = stringify(out, { lineWidth: 0 });
  writeFileAtomic(file, text);
}

export interface ManualIssue {
  /** Path inside the manual file, e.g. ['items', 2, 'count']. */
  path: (string | number)[];
  message: string;
  /** The same in Chinese, for reports and the dashboard (says whether the entry was left out). */
  zh: string;
  /** Index of the offending entry in `items` (entries with issues are ignored by the engine). */
  item?: number;
}

/**
 * Checks a manual file against a rubric: every id exists, each entry uses the field its target takes (count/points
 * for deductions, awarded/count for bonus, veto for 单否), fixed rules take count 0 or 1, points within caps, no
 * duplicate entries, and no item-level entry next to rule-level entries of the same item.
 */
export function manualIssues(manual: ManualFile, rubric: Rubric): ManualIssue[] {
  const issues: ManualIssue[] = [];
  const idx = indexRubric(rubric);
  if (manual.rubric !== rubric.id)
    issues.push({
      path: ['rubric'],
      message: `the file is for rubric "${manual.rubric}", scoring uses "${rubric.id}"`,
      zh: `人工评分文件写的是评分细则 "${manual.rubric}"，本次评分使用 "${rubric.id}"：请核对是否用错了文件（编号不存在的条目未计入）`,
    });
  const seen = new Map<string, number>();
  const itemLevel = new Map<string, number>();
  const ruleLevel = new Map<string, number>();
  manual.items.forEach((e, i) => {
    const p = (k?: string): (string | number)[] => (k ? ['items', i, k] : ['items', i]);
    const add = (message: string, zh: string, k?: string) => issues.push({ path: p(k), message, zh: `第 ${i + 1} 条人工评分（items[${i}]，${e.rule}）未计入：${zh}`, item: i });
    const prev = seen.get(e.rule);
    if (prev !== undefined) {
      add(`duplicate entry for "${e.rule}" (also items[${prev}]); put all occurrences in one entry`, `与第 ${prev + 1} 条重复，同一编号的情况请合并为一条`, 'rule');
      return;
    }
    seen.set(e.rule, i);
    const t = idx.get(e.rule);
    if (!t) {
      add(`unknown rule or item id "${e.rule}" in rubric ${rubric.id}`, `评分细则 ${rubric.id} 中没有编号 "${e.rule}"`, 'rule');
      return;
    }
    switch (t.kind) {
      case 'rule': {
        if (e.veto !== undefined || e.awarded !== undefined) {
          add(`"${e.rule}" is a deduction rule: use count or points`, '这是扣分细则，应填写 count（次数）或 points（扣分）', e.veto !== undefined ? 'veto' : 'awarded');
          return;
        }
        const cap = t.rule.mode === 'fixed' ? t.rule.deduct : Math.min(t.rule.cap ?? t.item.cap ?? t.item.max, t.item.cap ?? t.item.max);
        if (t.rule.mode === 'fixed' && e.count !== undefined && e.count > 1)
          add(`"${e.rule}" is a fixed deduction (扣${t.rule.deduct}分): count is 0 or 1`, `这是固定扣分（扣${t.rule.deduct}分），count 只能是 0 或 1`, 'count');
        if (e.points !== undefined && e.points > cap) add(`points ${e.points} exceed what "${e.rule}" can deduct (${cap})`, `扣分 ${e.points} 超过该细则最多可扣的 ${cap} 分`, 'points');
        ruleLevel.set(t.item.id, i);
        return;
      }
      case 'item': {
        if (e.points === undefined) {
          add(`"${e.rule}" is an item: give points (the item's manual deduction), or enter its sub-rules`, '这是指标编号，应填写 points（该指标人工扣分），或按评分细则逐条填写', e.count !== undefined ? 'count' : e.veto !== undefined ? 'veto' : 'awarded');
          return;
        }
        const cap = t.item.cap ?? t.item.max;
        if (e.points > cap) add(`points ${e.points} exceed the item's 分值 ${cap}`, `扣分 ${e.points} 超过该指标分值 ${cap}`, 'points');
        itemLevel.set(t.item.id, i);
        return;
      }
      case 'veto-sub':
      case 'veto-group':
        if (e.veto === undefined) add(`"${e.rule}" is a 单否 item: give veto: true or veto: false`, '这是单否项，应填写 veto: true 或 veto: false', 'rule');
        return;
      case 'bonus-rule': {
        if (e.awarded === undefined && e.count === undefined) {
          add(`"${e.rule}" is a bonus rule: give awarded (points) or count`, '这是加分细则，应填写 awarded（加分）或 count（次数）', e.points !== undefined ? 'points' : 'veto');
          return;
        }
        const cap = t.rule.mode === 'fixed' ? t.rule.points : Math.min(t.rule.cap ?? t.item.max, t.item.max);
        if (t.rule.mode === 'fixed' && e.count !== undefined && e.count > 1)
          add(`"${e.rule}" is a fixed award (得${t.rule.points}分): count is 0 or 1`, `这是固定加分（得${t.rule.points}分），count 只能是 0 或 1`, 'count');
        if (e.awarded !== undefined && e.awarded > cap) add(`awarded ${e.awarded} exceeds what "${e.rule}" can give (${cap})`, `加分 ${e.awarded} 超过该细则最多可加的 ${cap} 分`, 'awarded');
        ruleLevel.set(t.item.id, i);
        return;
      }
      case 'bonus-item':
        if (e.awarded === undefined) {
          add(`"${e.rule}" is a bonus item: give awarded (points)`, '这是加分项，应填写 awarded（加分）', e.points !== undefined ? 'points' : e.count !== undefined ? 'count' : 'veto');
          return;
        }
        if (e.awarded > t.item.max) add(`awarded ${e.awarded} exceeds the bonus item's max ${t.item.max}`, `加分 ${e.awarded} 超过该加分项上限 ${t.item.max}`, 'awarded');
        itemLevel.set(t.item.id, i);
        return;
    }
  });
  for (const [itemId, i] of itemLevel) {
    const j = ruleLevel.get(itemId);
    if (j !== undefined)
      issues.push({
        path: ['items', i, 'rule'],
        message: `"${itemId}" has an item-level entry and sub-rule entries (items[${j}]); use one or the other`,
        zh: `第 ${i + 1} 条人工评分（items[${i}]，${itemId}）未计入：该指标既有指标级条目又有细则条目（第 ${j + 1} 条），只能用其一`,
        item: i,
      });
  }
  return issues;
}

/** manualIssues as "path: reason" lines. */
export function checkManualAgainstRubric(manual: ManualFile, rubric: Rubric): string[] {
  return manualIssues(manual, rubric).map((i) => `${formatPath(i.path)}: ${i.message}`);
}
