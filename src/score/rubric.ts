/**
 * Rubrics as data: the zod schema of `rubrics/*.yaml`, the loader, the validator (sums, ids, check ids, 0.5-point
 * granularity) and the listing.
 *
 * A rubric encodes every row of an inspection table:
 *   - `veto`: 单否 groups (健康状况) with their sub-items, each fed by machine triggers (check findings reaching a
 *     threshold) or `manual: true`;
 *   - `items`: 二级指标 with their 分值 (`max`), the original 评分细则 (`text`), the item cap (`cap`, default = max:
 *     累计扣分不超过本条分值) and numbered sub-rules (`rules`): a deduction (`deduct`) per occurrence or fixed, an
 *     optional own cap, and either `sources` (check findings, filtered by `where`, weighted) or `manual: true`;
 *   - `bonus`: 加分项 with per-item maxima, per-rule points and the overall ceiling;
 *   - `profiles`: unit-profile rules such as 无对外服务职能的省直单位不考核办事服务指标，总分折合计算.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LineCounter, parseDocument, isNode } from 'yaml';

/** Repository root (two levels above src/score/). */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
/** Where named rubrics live. */
export const RUBRICS_DIR = path.join(REPO_ROOT, 'rubrics');

/** Check ids the pipeline emits (checks/<id>.ts). The validator also accepts any file name found in checks/. */
export const KNOWN_CHECK_IDS: readonly string[] = Object.freeze([
  'availability',
  'broken-link',
  'browser-compat',
  'consultation-activities',
  'date-format',
  'domain',
  'empty-column',
  'error-report-entry',
  'footer-conac-badge',
  'footer-contact',
  'footer-icp',
  'footer-police-filing',
  'footer-site-code',
  'footer-sponsor',
  'forms-missing',
  'guide-elements',
  'guide-material-format',
  'guide-missing',
  'guide-vague',
  'homepage-stale',
  'inquiry-reply',
  'interaction-channel',
  'ipv6',
  'message-fields',
  'message-statistics',
  'message-unanswered',
  'messages-stale',
  'messages-unpublished',
  'page-tags',
  'required-column',
  'service-classification',
  'service-entry',
  'site-name',
  'source-label',
  'stale-column',
  'new-media-stale',
  'new-media-zombie',
  'new-media-duplicate',
  'new-media-registry',
  'coverage-gap',
  'consolidation',
  'unified-login',
  // 政策解读、专题专栏、年度报表、联动传播、办事统计
  'interpretation-missing',
  'interpretation-unlinked',
  'topics-few',
  'topic-stale',
  'annual-report',
  'linkage-missing',
  'service-statistics',
]);

/** Known check ids: the built-in list plus the file names in `<repo>/checks/` (no module is imported). */
export function knownCheckIds(checksDir: string = path.join(REPO_ROOT, 'checks')): Set<string> {
  const ids = new Set<string>(KNOWN_CHECK_IDS);
  try {
    for (const name of fs.readdirSync(checksDir)) {
      const m = /^([a-z0-9][a-z0-9-]*)\.(ts|js|mts|mjs)$/.exec(name);
      if (m && !name.endsWith('.d.ts') && !name.includes('.test.')) ids.add(m[1]);
    }
  } catch {
    /* no checks directory: the built-in list only */
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------------------------

/** True when n is a finite multiple of 0.5 (the scoring granularity). */
export function isHalfStep(n: number): boolean {
  return Number.isFinite(n) && Math.abs(n * 2 - Math.round(n * 2)) < 1e-9;
}

const halfPoints = z
  .number()
  .positive()
  .refine(isHalfStep, { message: 'must be a multiple of 0.5 (scores move in half points)' });

const idPattern = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/;
const Id = z.string().regex(idPattern, { message: 'ids are lower-case dotted words, e.g. function.site-identity.1' });
const CheckId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'a check id such as broken-link' });
const Text = z.string().trim().min(1);

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** A `where` condition on one finding field: a value (equality), a list (membership) or an operator object. */
const Condition = z.union([
  Scalar,
  z.array(Scalar).min(1),
  z
    .object({
      eq: Scalar.optional(),
      ne: Scalar.optional(),
      in: z.array(Scalar).min(1).optional(),
      notIn: z.array(Scalar).min(1).optional(),
      exists: z.boolean().optional(),
    })
    .strict()
    .refine((o) => Object.keys(o).length > 0, { message: 'an operator object needs one of eq, ne, in, notIn, exists' }),
]);
export type Condition = z.output<typeof Condition>;

/** Dotted paths a `where` key may use: finding fields and evidence keys. */
const WherePath = z
  .string()
  .regex(/^(check|url|target|detail|message|evidence(\.[A-Za-z0-9_-]+)+)$/, {
    message: 'a where key is check, url, target, detail, message or evidence.<key>',
  });

const Source = z
  .object({
    /** The check whose findings feed the rule. */
    check: CheckId,
    /** All conditions must hold (dotted paths into the finding). */
    where: z.record(WherePath, Condition).optional(),
    /** Multiplies the rule's deduction for matching findings (default 1). */
    weight: z.number().positive().optional(),
    /** Chinese label for explanations, e.g. 首页链接无法打开. */
    label: Text.optional(),
    /** Machine-assisted: findings count only when a reviewer confirms them. */
    confirm: z.boolean().optional(),
  })
  .strict();
export type RuleSource = z.output<typeof Source>;

/**
 * How matching findings turn into occurrences:
 * findings (each finding; exact duplicates once), distinct-pages (per finding url), distinct-targets (per target,
 * else url), distinct-checks (per check id), distinct-details (per detail), once (at most one occurrence).
 * Findings of different checks never merge into one occurrence (except under `once`).
 */
export const COUNT_MODES = ['findings', 'distinct-pages', 'distinct-targets', 'distinct-checks', 'distinct-details', 'once'] as const;
const CountMode = z.enum(COUNT_MODES);
export type CountMode = z.output<typeof CountMode>;

const Sampling = z
  .object({
    /** Sample size (随机抽查 N 个). */
    size: z.number().int().positive().optional(),
    /** What is sampled, e.g. 办事指南. */
    unit: Text.optional(),
    /** The sampling note as written. */
    text: Text,
  })
  .strict();
export type Sampling = z.output<typeof Sampling>;

const Rule = z
  .object({
    id: Id,
    /** The numbered sub-rule's text as written. */
    text: Text,
    /** Points deducted per occurrence (per-occurrence) or once (fixed). */
    deduct: halfPoints,
    mode: z.enum(['per-occurrence', 'fixed']),
    /** The sub-rule's own cap (e.g. 累计扣分不超过5分). */
    cap: halfPoints.optional(),
    /** Measure word for explanations: 处, 个, 条, 次, 起, 项. */
    unit: Text.optional(),
    /** Default: findings for per-occurrence, once for fixed. */
    count: CountMode.optional(),
    sources: z.array(Source).min(1).optional(),
    /** Only a reviewer can assess this sub-rule (待人工评分 until entered). */
    manual: z.literal(true).optional(),
    sampling: Sampling.optional(),
    note: Text.optional(),
  })
  .strict();
export type RubricRule = z.output<typeof Rule>;

const Item = z
  .object({
    id: Id,
    level1: Text,
    level2: Text,
    /** 分值. */
    max: halfPoints,
    /** Item cap (default: max — 累计扣分不超过本条分值). */
    cap: halfPoints.optional(),
    /** 评分细则, the original text. */
    text: Text,
    sampling: Sampling.optional(),
    note: Text.optional(),
    rules: z.array(Rule).min(1),
  })
  .strict();
export type RubricItem = z.output<typeof Item>;

const VetoTrigger = z
  .object({
    /** Chinese label, e.g. 空白栏目. */
    label: Text.optional(),
    sources: z.array(Source).min(1),
    count: CountMode.optional(),
    /** Occurrences needed to fail the sub-item (default 1). */
    threshold: z.number().int().positive().optional(),
    /** Measure word (default 个). */
    unit: Text.optional(),
  })
  .strict();
export type VetoTrigger = z.output<typeof VetoTrigger>;

const VetoSubItem = z
  .object({
    id: Id,
    text: Text,
    /** Any trigger reaching its threshold fails the sub-item. */
    triggers: z.array(VetoTrigger).min(1).optional(),
    manual: z.literal(true).optional(),
    note: Text.optional(),
  })
  .strict();
export type VetoSubItem = z.output<typeof VetoSubItem>;

const VetoGroup = z
  .object({
    id: Id,
    level1: Text,
    level2: Text,
    text: Text,
    subItems: z.array(VetoSubItem).min(1),
  })
  .strict();
export type VetoGroup = z.output<typeof VetoGroup>;

const BonusRule = z
  .object({
    id: Id,
    text: Text,
    /** Points per occurrence (per-occurrence) or once (fixed). */
    points: halfPoints,
    mode: z.enum(['per-occurrence', 'fixed']),
    cap: halfPoints.optional(),
    unit: Text.optional(),
    /** Rules sharing a oneOf tag are alternatives: only the highest award counts (e.g. 3个月内 / 3-6个月内). */
    oneOf: Id.optional(),
    /**
     * Machine-assisted award: a matching finding proposes the rule's points (per occurrence or once); it counts once
     * a reviewer confirms it (use `confirm: true` or confirm-required checks). Without sources the rule is manual.
     */
    sources: z.array(Source).min(1).optional(),
    count: CountMode.optional(),
    sampling: Sampling.optional(),
    note: Text.optional(),
  })
  .strict();
export type BonusRule = z.output<typeof BonusRule>;

const BonusItem = z
  .object({
    id: Id,
    level2: Text,
    max: halfPoints,
    text: Text,
    sampling: Sampling.optional(),
    note: Text.optional(),
    rules: z.array(BonusRule).min(1),
  })
  .strict();
export type BonusItem = z.output<typeof BonusItem>;

const ProfileRule = z
  .object({
    id: Id,
    /** The rule as written (e.g. 无对外服务职能的省直单位不考核办事服务指标，总分折合计算). */
    text: Text,
    /** Profile fields that must all match for the rule to apply. */
    when: z
      .object({ hasPublicServices: z.boolean().optional(), unitType: z.enum(['city', 'provincial']).optional() })
      .strict()
      .refine((o) => Object.keys(o).length > 0, { message: 'when needs at least one condition' }),
    skipLevel1: z.array(Text).optional(),
    skipItems: z.array(Id).optional(),
    skipVeto: z.array(Id).optional(),
    skipBonus: z.array(Id).optional(),
    /** Prorate the base: base × totals.base / (totals.base − skipped points). */
    prorate: z.boolean(),
  })
  .strict();
export type ProfileRule = z.output<typeof ProfileRule>;

export const RubricSchema = z
  .object({
    id: Id,
    title: Text,
    unitType: z.enum(['city', 'provincial']),
    source: Text.optional(),
    version: z.union([z.string(), z.number()]).optional(),
    totals: z.object({ base: halfPoints, bonus: halfPoints }).strict(),
    /** 一级指标 and their points; items must add up to them. */
    level1: z.array(z.object({ name: Text, points: halfPoints }).strict()).min(1),
    veto: z.array(VetoGroup),
    items: z.array(Item).min(1),
    bonus: z
      .object({
        level1: Text,
        /** Overall bonus ceiling (加分项 20分). */
        ceiling: halfPoints,
        items: z.array(BonusItem).min(1),
      })
      .strict(),
    profiles: z.array(ProfileRule).optional(),
    notes: z.array(Text).optional(),
  })
  .strict();

export type Rubric = z.output<typeof RubricSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Errors and validation
// ---------------------------------------------------------------------------------------------------------------

/** A rubric that cannot be used; `errors` are "file:line: path: reason" lines. */
export class RubricError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(errors.length === 1 ? errors[0] : `${errors.length} rubric errors:\n${errors.map((e) => '  ' + e).join('\n')}`);
    this.name = 'RubricError';
    this.errors = errors;
  }
}

export type PathPart = string | number;

/** items[3].rules[0].deduct */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const part of p) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const s = String(part);
      out += out && /^[A-Za-z_$][\w$-]*$/.test(s) ? `.${s}` : out ? `[${JSON.stringify(s)}]` : s;
    }
  }
  return out || '(root)';
}

/** Maps a data path to "file:line" using the YAML document, when one is available. */
export interface Locator {
  (p: readonly PropertyKey[]): string;
}

/** A locator for YAML text: finds the deepest node on the path and reports its line. */
export function yamlLocator(text: string, file: string): { doc: ReturnType<typeof parseDocument>; locate: Locator } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const locate: Locator = (p) => {
    const keys = p.map((k) => (typeof k === 'symbol' ? String(k) : k)) as (string | number)[];
    for (let n = keys.length; n >= 0; n--) {
      let node: unknown;
      try {
        node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      } catch {
        node = undefined;
      }
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return `${file}:${pos.line}`;
      }
    }
    return file;
  };
  return { doc, locate };
}

export interface ValidateOptions {
  /** Name used in messages (default "<rubric>"). */
  file?: string;
  /** Maps a path to "file:line". */
  locate?: Locator;
  /** Check ids accepted in sources; default knownCheckIds(). Pass null to skip the check-id test. */
  knownChecks?: ReadonlySet<string> | null;
}

export type ValidateResult = { ok: true; rubric: Rubric; errors: [] } | { ok: false; errors: string[] };

const h = (n: number) => Math.round(n * 2);

/** Schema + semantic validation of parsed rubric data. Errors read "file:line: path: reason". */
export function validateRubric(data: unknown, opts: ValidateOptions = {}): ValidateResult {
  const file = opts.file ?? '<rubric>';
  const locate: Locator = opts.locate ?? (() => file);
  const errors: string[] = [];
  const err = (p: readonly PropertyKey[], reason: string) => errors.push(`${locate(p)}: ${formatPath(p)}: ${reason}`);

  const parsed = RubricSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) err(issue.path, zodReason(issue, data));
    return { ok: false, errors };
  }
  const r = parsed.data;
  const known = opts.knownChecks === undefined ? knownCheckIds() : opts.knownChecks;

  // ids: unique, hierarchical
  const seen = new Map<string, string>();
  const claim = (id: string, p: PropertyKey[]) => {
    const prev = seen.get(id);
    if (prev) err(p, `duplicate id "${id}" (also at ${prev})`);
    else seen.set(id, formatPath(p));
  };
  const checkSources = (sources: RuleSource[] | undefined, p: PropertyKey[], deduct?: number) => {
    (sources ?? []).forEach((s, si) => {
      if (known && !known.has(s.check)) err([...p, 'sources', si, 'check'], `unknown check id "${s.check}" (no checks/${s.check}.ts and not a built-in check)`);
      if (deduct !== undefined && s.weight !== undefined && !isHalfStep(deduct * s.weight))
        err([...p, 'sources', si, 'weight'], `weight ${s.weight} × deduct ${deduct} = ${deduct * s.weight} is not a multiple of 0.5`);
    });
  };

  // level1 and items
  const level1Names = new Set<string>();
  let level1Sum = 0;
  r.level1.forEach((l, i) => {
    if (level1Names.has(l.name)) err(['level1', i, 'name'], `duplicate 一级指标 "${l.name}"`);
    level1Names.add(l.name);
    level1Sum += h(l.points);
  });
  if (level1Sum !== h(r.totals.base))
    err(['level1'], `一级指标 points add up to ${level1Sum / 2}, totals.base is ${r.totals.base}`);

  const perLevel1 = new Map<string, number>();
  let itemSum = 0;
  r.items.forEach((item, ii) => {
    const ip: PropertyKey[] = ['items', ii];
    claim(item.id, [...ip, 'id']);
    if (!level1Names.has(item.level1)) err([...ip, 'level1'], `一级指标 "${item.level1}" is not declared in level1`);
    perLevel1.set(item.level1, (perLevel1.get(item.level1) ?? 0) + h(item.max));
    itemSum += h(item.max);
    if (item.cap !== undefined && item.cap > item.max) err([...ip, 'cap'], `item cap ${item.cap} exceeds the item's 分值 ${item.max}`);
    const ruleIds = new Set<string>();
    item.rules.forEach((rule, ri) => {
      const rp: PropertyKey[] = [...ip, 'rules', ri];
      claim(rule.id, [...rp, 'id']);
      if (!rule.id.startsWith(item.id + '.')) err([...rp, 'id'], `sub-rule id "${rule.id}" must start with "${item.id}."`);
      ruleIds.add(rule.id);
      const hasSources = !!rule.sources?.length;
      if (hasSources === !!rule.manual)
        err(rp, hasSources ? 'a sub-rule has either sources or manual: true, not both' : 'a sub-rule needs sources (machine checks) or manual: true');
      if (rule.deduct > item.max) err([...rp, 'deduct'], `deduction ${rule.deduct} exceeds the item's 分值 ${item.max}`);
      if (rule.cap !== undefined) {
        if (rule.cap > item.max) err([...rp, 'cap'], `sub-rule cap ${rule.cap} exceeds the item's 分值 ${item.max}`);
        if (rule.mode === 'fixed') err([...rp, 'cap'], 'a fixed deduction needs no cap (it is deducted once)');
      }
      if (rule.manual && rule.count) err([...rp, 'count'], 'count applies to machine sources only');
      checkSources(rule.sources, rp, rule.deduct);
    });
  });
  for (const l of r.level1) {
    const got = perLevel1.get(l.name) ?? 0;
    if (got !== h(l.points)) err(['level1', r.level1.indexOf(l), 'points'], `items of "${l.name}" add up to ${got / 2}, declared ${l.points}`);
  }
  if (itemSum !== h(r.totals.base)) err(['items'], `items add up to ${itemSum / 2}, totals.base is ${r.totals.base}`);

  // veto
  r.veto.forEach((g, gi) => {
    const gp: PropertyKey[] = ['veto', gi];
    claim(g.id, [...gp, 'id']);
    g.subItems.forEach((s, si) => {
      const sp: PropertyKey[] = [...gp, 'subItems', si];
      claim(s.id, [...sp, 'id']);
      if (!s.id.startsWith(g.id + '.')) err([...sp, 'id'], `veto sub-item id "${s.id}" must start with "${g.id}."`);
      // triggers alone: the machine fails or passes it; manual alone: a reviewer decides; both: the machine can fail it
      // (machine-assisted), passing needs a reviewer.
      if (!s.triggers?.length && !s.manual) err(sp, 'a veto sub-item needs triggers or manual: true');
      s.triggers?.forEach((t, ti) => checkSources(t.sources, [...sp, 'triggers', ti]));
    });
  });

  // bonus
  let bonusSum = 0;
  r.bonus.items.forEach((b, bi) => {
    const bp: PropertyKey[] = ['bonus', 'items', bi];
    claim(b.id, [...bp, 'id']);
    bonusSum += h(b.max);
    b.rules.forEach((rule, ri) => {
      const rp: PropertyKey[] = [...bp, 'rules', ri];
      claim(rule.id, [...rp, 'id']);
      if (!rule.id.startsWith(b.id + '.')) err([...rp, 'id'], `bonus rule id "${rule.id}" must start with "${b.id}."`);
      if (rule.points > b.max) err([...rp, 'points'], `points ${rule.points} exceed the bonus item's max ${b.max}`);
      if (rule.cap !== undefined) {
        if (rule.cap > b.max) err([...rp, 'cap'], `cap ${rule.cap} exceeds the bonus item's max ${b.max}`);
        if (rule.mode === 'fixed') err([...rp, 'cap'], 'a fixed award needs no cap (it is awarded once)');
      }
      if (rule.count && !rule.sources?.length) err([...rp, 'count'], 'count applies to machine sources only');
      checkSources(rule.sources, rp, rule.points);
    });
  });
  if (bonusSum !== h(r.totals.bonus)) err(['bonus', 'items'], `bonus items add up to ${bonusSum / 2}, totals.bonus is ${r.totals.bonus}`);
  if (h(r.bonus.ceiling) !== h(r.totals.bonus)) err(['bonus', 'ceiling'], `bonus ceiling ${r.bonus.ceiling} differs from totals.bonus ${r.totals.bonus}`);

  // profiles
  const itemIds = new Set(r.items.map((i) => i.id));
  const vetoIds = new Set(r.veto.flatMap((g) => [g.id, ...g.subItems.map((s) => s.id)]));
  const bonusIds = new Set(r.bonus.items.map((b) => b.id));
  r.profiles?.forEach((pr, pi) => {
    const pp: PropertyKey[] = ['profiles', pi];
    claim(pr.id, [...pp, 'id']);
    pr.skipLevel1?.forEach((n, i) => {
      if (!level1Names.has(n)) err([...pp, 'skipLevel1', i], `unknown 一级指标 "${n}"`);
    });
    pr.skipItems?.forEach((n, i) => {
      if (!itemIds.has(n)) err([...pp, 'skipItems', i], `unknown item id "${n}"`);
    });
    pr.skipVeto?.forEach((n, i) => {
      if (!vetoIds.has(n)) err([...pp, 'skipVeto', i], `unknown veto id "${n}"`);
    });
    pr.skipBonus?.forEach((n, i) => {
      if (!bonusIds.has(n)) err([...pp, 'skipBonus', i], `unknown bonus item id "${n}"`);
    });
    const skipped = skippedItems(r, pr).reduce((s, it) => s + h(it.max), 0);
    if (pr.prorate && skipped >= h(r.totals.base)) err([...pp, 'prorate'], 'cannot prorate: the rule skips every point');
  });

  if (errors.length) return { ok: false, errors };
  return { ok: true, rubric: r, errors: [] };
}

/** A readable reason for a zod issue; `data` is the parsed input (to tell a missing field from a wrong one). */
export function zodReason(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'custom') return issue.message;
  let v: unknown = data;
  let present = true;
  for (const k of issue.path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k as PropertyKey)) {
      present = false;
      break;
    }
    v = (v as Record<PropertyKey, unknown>)[k as PropertyKey];
  }
  if (!present || v === undefined) return `required: ${issue.message.replace(/, received undefined$/, '')}`;
  return issue.message;
}

/** Items a profile rule skips (by 一级指标 or by id). */
export function skippedItems(r: Rubric, pr: ProfileRule): RubricItem[] {
  const l1 = new Set(pr.skipLevel1 ?? []);
  const ids = new Set(pr.skipItems ?? []);
  return r.items.filter((it) => l1.has(it.level1) || ids.has(it.id));
}

// ---------------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------------

/** Parses and validates rubric YAML text. Throws RubricError ("file:line: path: reason"). */
export function parseRubric(text: string, file = '<rubric>', opts: Omit<ValidateOptions, 'file' | 'locate'> = {}): Rubric {
  const { doc, locate } = yamlLocator(text, file);
  if (doc.errors.length) {
    throw new RubricError(
      doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: (yaml): ${e.message.split('\n')[0]}`),
    );
  }
  const res = validateRubric(doc.toJS(), { ...opts, file, locate });
  if (!res.ok) throw new RubricError(res.errors);
  return res.rubric;
}

/** `hunan-2021-city` → <repo>/rubrics/hunan-2021-city.yaml; a path (with / or .yaml/.yml) is resolved from cwd. */
export function resolveRubricPath(idOrPath: string): string {
  const s = String(idOrPath ?? '').trim();
  if (!s) throw new RubricError(['rubric: empty rubric id or path']);
  const looksLikePath = /[\\/]/.test(s) || /\.ya?ml$/i.test(s);
  if (looksLikePath) return path.resolve(s);
  if (!idPattern.test(s)) throw new RubricError([`rubric: "${s}" is neither a rubric id nor a .yaml path`]);
  for (const ext of ['.yaml', '.yml']) {
    const p = path.join(RUBRICS_DIR, s + ext);
    if (fs.existsSync(p)) return p;
  }
  const available = listRubrics().map((x) => x.id);
  throw new RubricError([
    `rubric: no rubric named "${s}" in ${RUBRICS_DIR}${available.length ? ` (available: ${available.join(', ')})` : ''}`,
  ]);
}

/** Loads, validates and returns a rubric by id (rubrics/<id>.yaml) or by file path. Throws RubricError. */
/** Rubrics parsed, by file and options, with the file's modification time and size when read. */
const parsedRubrics = new Map<string, { mtimeMs: number; size: number; rubric: Rubric }>();

/**
 * The parsed rubric of a file, shared: parsed again only when the file changed (modification time or size). Throws
 * RubricError as loadRubric does.
 */
function parsedRubric(idOrPath: string, opts: Omit<ValidateOptions, 'file' | 'locate'>): Rubric {
  const file = resolveRubricPath(idOrPath);
  const key = `${file}\n${JSON.stringify(opts)}`;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    st = undefined;
  }
  const hit = parsedRubrics.get(key);
  if (st && hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.rubric;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RubricError([`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  const rubric = parseRubric(text.replace(/^\ufeff/, ''), file, opts);
  if (st) parsedRubrics.set(key, { mtimeMs: st.mtimeMs, size: st.size, rubric });
  return rubric;
}

/**
 * A rubric by id or path, validated (RubricError lists every problem). An audit asks for its rubric more than once
 * (checked before the crawl, then for the score and the report): the parse is remembered while the file is unchanged,
 * and every caller gets its own copy.
 */
export function loadRubric(idOrPath: string, opts: Omit<ValidateOptions, 'file' | 'locate'> = {}): Rubric {
  return structuredClone(parsedRubric(idOrPath, opts));
}

/**
 * A rubric by id or path for long-running readers (the dashboards), which only read it: the shared parse (again only
 * when the file changes); undefined when it cannot be read or is invalid (the caller shows the run without a score
 * sheet).
 */
export function currentRubric(idOrPath: string): Rubric | undefined {
  try {
    return parsedRubric(idOrPath, {});
  } catch {
    return undefined;
  }
}

export interface RubricInfo {
  id: string;
  title: string;
  unitType: 'city' | 'provincial';
  file: string;
  /** Present when the file does not validate. */
  errors?: string[];
}

/** The rubrics in a directory (default <repo>/rubrics), sorted by id; invalid files are listed with their errors. */
export function listRubrics(dir: string = RUBRICS_DIR): RubricInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n));
  } catch {
    return [];
  }
  const out: RubricInfo[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    const fallbackId = name.replace(/\.ya?ml$/i, '');
    try {
      const r = parseRubric(fs.readFileSync(file, 'utf8').replace(/^\ufeff/, ''), file);
      out.push({ id: r.id, title: r.title, unitType: r.unitType, file });
    } catch (e) {
      const errors = e instanceof RubricError ? e.errors : [`${file}: ${(e as Error).message}`];
      out.push({ id: fallbackId, title: '', unitType: 'city', file, errors });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------------------------------------------

export type RubricTarget =
  | { kind: 'rule'; item: RubricItem; rule: RubricRule }
  | { kind: 'item'; item: RubricItem }
  | { kind: 'veto-sub'; group: VetoGroup; sub: VetoSubItem }
  | { kind: 'veto-group'; group: VetoGroup }
  | { kind: 'bonus-rule'; item: BonusItem; rule: BonusRule }
  | { kind: 'bonus-item'; item: BonusItem };

const indexCache = new WeakMap<Rubric, Map<string, RubricTarget>>();

/** Every id of the rubric → what it names. */
export function indexRubric(r: Rubric): Map<string, RubricTarget> {
  let idx = indexCache.get(r);
  if (idx) return idx;
  idx = new Map();
  for (const item of r.items) {
    idx.set(item.id, { kind: 'item', item });
    for (const rule of item.rules) idx.set(rule.id, { kind: 'rule', item, rule });
  }
  for (const group of r.veto) {
    idx.set(group.id, { kind: 'veto-group', group });
    for (const sub of group.subItems) idx.set(sub.id, { kind: 'veto-sub', group, sub });
  }
  for (const item of r.bonus.items) {
    idx.set(item.id, { kind: 'bonus-item', item });
    for (const rule of item.rules) idx.set(rule.id, { kind: 'bonus-rule', item, rule });
  }
  indexCache.set(r, idx);
  return idx;
}
