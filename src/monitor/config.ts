/**
 * `sites.yaml`: the monitored sites and the monitor's settings.
 *
 * ```yaml
 * nightly:  { cron: '0 2 * * *', timezone: Asia/Shanghai, concurrency: 2 }
 * probes:   { perDay: 24, concurrency: 1000, perHost: 1 }
 * warnings: { failureRatio: 0.03, homepageStaleDays: 10, emptyColumns: 2, channels: [ … ] }
 * sites:
 *   - id: changsha
 *     name: 长沙市人民政府
 *     url: http://www.changsha.gov.cn/
 *     rubric: hunan-2021-city
 * ```
 * Validation errors name the file, the line and the path (`sites.yaml:12: sites[3].probesPerDay: …`).
 * add/remove edit the file through the `yaml` Document API (comments and other entries stay), validate the
 * result first and replace the file atomically (temp file + rename) under a small lock file.
 */
import fs from 'node:fs';
import { writeFileAtomic } from '../store/atomic.ts';
import path from 'node:path';
import cron from 'node-cron';
import YAML, { LineCounter, isMap, isSeq, type Document } from 'yaml';
import { z } from 'zod';
import type { SiteInfo } from '../model.ts';
import { ClosedSiteListSchema, NewMediaListSchema } from '../newmedia/sites-file.ts';

export const RUBRICS = ['hunan-2021-city', 'hunan-2021-provincial'] as const;
export type RubricId = (typeof RUBRICS)[number];

/** The inspection rule: at least 20 visits a day. */
export const MIN_PROBES_PER_DAY = 20;
export const DEFAULT_PROBES_PER_DAY = 24;
export const DEFAULT_NIGHTLY_CRON = '0 2 * * *';

const HOST_RE = /^(?=.{1,253}$)(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff]{2,}$/i;

const httpUrl = z.string({ error: '应为网址字符串' }).refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
    } catch {
      return false;
    }
  },
  { error: '应为 http:// 或 https:// 开头的完整网址' },
);

const filter = {
  /** Only warnings about these site ids go to this channel. */
  sites: z.array(z.string()).optional(),
  /** Only warnings about sites of these regions (site.region) go to this channel. */
  regions: z.array(z.string()).optional(),
};

export const ChannelSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('webhook'), name: z.string().min(1).optional(), url: httpUrl, headers: z.record(z.string(), z.string()).optional(), ...filter }),
    z.strictObject({ type: z.literal('dingtalk'), name: z.string().min(1).optional(), url: httpUrl, secret: z.string().optional(), ...filter }),
    z.strictObject({ type: z.literal('wecom'), name: z.string().min(1).optional(), url: httpUrl, ...filter }),
    z.strictObject({
      type: z.literal('email'),
      name: z.string().min(1).optional(),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).optional(),
      secure: z.boolean().default(false),
      user: z.string().optional(),
      pass: z.string().optional(),
      /** Name of an environment variable holding the SMTP password (keeps secrets out of the file). */
      passEnv: z.string().optional(),
      from: z.string().min(3),
      to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
      rejectUnauthorized: z.boolean().default(true),
      ...filter,
    }),
  ],
  { error: '渠道类型 type 应为 webhook、dingtalk、wecom 或 email' },
);
export type ChannelConfig = z.output<typeof ChannelSchema>;

export const SiteSchema = z.strictObject({
  id: z
    .string({ error: 'id 必填，应为字符串' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'id 只能包含字母、数字、点、下划线和连字符，最长 64 个字符' }),
  /** The unit's name, e.g. 长沙市人民政府. */
  name: z.string({ error: 'name（单位名称）必填' }).trim().min(1, { error: 'name（单位名称）不能为空' }),
  url: httpUrl,
  rubric: z.enum(RUBRICS, { error: `rubric 应为 ${RUBRICS.join(' 或 ')}` }),
  hasPublicServices: z.boolean({ error: 'hasPublicServices 应为 true 或 false' }).default(true),
  /** Department sites: the parent government's portal domain, e.g. hunan.gov.cn. */
  parentDomain: z.string().regex(HOST_RE, { error: 'parentDomain 应为域名，例如 hunan.gov.cn' }).optional(),
  /** Manual-items file (relative paths are relative to the sites file). */
  manual: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  probesPerDay: z
    .number({ error: 'probesPerDay 应为整数' })
    .int({ error: 'probesPerDay 应为整数' })
    .min(MIN_PROBES_PER_DAY, { error: `每天监测次数 probesPerDay 不得少于 ${MIN_PROBES_PER_DAY} 次（检查指标要求每天访问 20 次以上）` })
    .max(1440, { error: 'probesPerDay 不得超过 1440（每分钟一次）' })
    .optional(),
  maxPages: z.number().int().positive().optional(),
  /** Crawl concurrency for this site's audit. */
  concurrency: z.number().int().min(1).max(64).optional(),
  /** Minimum gap between two requests to this site's host, ms. */
  politenessMs: z.number().int().min(0).max(600_000).optional(),
  /**
   * Queue mode: sites served by one hosting platform (a provincial site cluster, a shared CMS) name it here; at most
   * `nightly.perPlatform` of their audits run at once across all workers.
   */
  platform: z.string().regex(/^[\w.-]{1,64}$/, { error: 'platform 只能包含字母、数字、点、下划线和连字符' }).optional(),
  /** Hosts whose links are not queried during the audit (reported as unverified), e.g. an intranet mirror. */
  skipHosts: z.array(z.string().regex(HOST_RE, { error: 'skipHosts 应为域名列表' })).optional(),
  /** Options of the gatherers (src/gather/<id>.ts) for this site, by gatherer id, e.g. { interaction: { budget: 300 } }. */
  gather: z.record(z.string(), z.record(z.string(), z.unknown(), { error: 'gather.<采集器> 应为选项表' }), { error: 'gather 应为 采集器 → 选项 的映射' }).optional(),
  /**
   * A fixed monitoring time point (YYYY-MM-DD) for the dashboard's "run now": for a site whose pages are frozen at a
   * date (the bundled demo, an archived copy). Audits of live sites leave it out (today, Beijing time).
   */
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'asOf 应为日期 YYYY-MM-DD' })
    .refine((v) => {
      const [y, m, d] = v.split('-').map(Number);
      const t = new Date(Date.UTC(y, m - 1, d));
      return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
    }, { error: 'asOf 不是有效日期' })
    .optional(),
  /** 政务新媒体 registry (src/newmedia/sites-file.ts): the unit's name there (default: name), accounts, closed sites. */
  newMediaUnit: z.string().trim().min(1).optional(),
  newMedia: NewMediaListSchema.optional(),
  closedSites: ClosedSiteListSchema.optional(),
});
export type SiteConfig = z.output<typeof SiteSchema>;
/** What `sites add` accepts (defaults may be omitted). */
export type SiteInput = z.input<typeof SiteSchema>;

export const SitesConfigSchema = z
  .strictObject({
    nightly: z
      .strictObject({
        enabled: z.boolean().default(true),
        cron: z
          .string()
          .default(DEFAULT_NIGHTLY_CRON)
          .refine((s) => cron.validate(s), { error: 'nightly.cron 不是有效的 cron 表达式（例如 "0 2 * * *"）' }),
        timezone: z.string().default('Asia/Shanghai'),
        /** Sites audited at the same time. */
        concurrency: z.number().int().min(1).max(32).default(2),
        /** Queue mode: audits at once per host name, across all workers. */
        perHost: z.number().int().min(1).max(8).default(1),
        /** Queue mode: audits at once per shared platform (site `platform`), across all workers. */
        perPlatform: z.number().int().min(1).max(64).default(2),
      })
      .prefault({}),
    probes: z
      .strictObject({
        perDay: z
          .number()
          .int()
          .min(MIN_PROBES_PER_DAY, { error: `probes.perDay 不得少于 ${MIN_PROBES_PER_DAY}` })
          .max(1440)
          .default(DEFAULT_PROBES_PER_DAY),
        /** Probes in flight at once (all sites). */
        concurrency: z.number().int().min(1).max(20_000).default(2000),
        /** Probes in flight at once per host name. */
        perHost: z.number().int().min(1).max(16).default(1),
        /** Minimum gap between two probe starts on one host, ms. */
        politenessMs: z.number().int().min(0).max(600_000).default(0),
        /** Keep raw probe rows this many days (daily roll-ups are kept). */
        retentionDays: z.number().int().min(8).default(120),
        /**
         * Queue mode: URLs every vantage point probes at the start of each round (well-kept sites on other networks).
         * A vantage that cannot open any of them is impaired: its round counts as not measured.
         */
        canaries: z.array(httpUrl).max(20).default([]),
        /** Monitor-side outage guard: a minute where nearly every probed host failed is not counted. */
        outageGuard: z
          .strictObject({
            enabled: z.boolean().default(true),
            ratio: z.number().gt(0).max(1).default(0.8),
            minHosts: z.number().int().min(2).default(10),
            minProbes: z.number().int().min(2).default(20),
          })
          .prefault({}),
      })
      .prefault({}),
    warnings: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Failure share of the week so far that triggers a warning. */
        failureRatio: z.number().gt(0).lt(1).default(0.03),
        /** Probes needed this week before the ratio is trusted. */
        minProbes: z.number().int().min(1).default(20),
        /** Warn when the homepage's newest item is older than this many days. */
        homepageStaleDays: z.number().int().min(1).default(10),
        /** Warn when there are more than this many empty columns. */
        emptyColumns: z.number().int().min(0).default(2),
        /** Warn when a registered new-media account's newest verified post is older than this many days. */
        newMediaStaleDays: z.number().int().min(1).default(10),
        channels: z.array(ChannelSchema).default([]),
      })
      .prefault({}),
    sites: z.array(SiteSchema, { error: 'sites 应为列表' }).default([]),
  })
  .superRefine((cfg, ctx) => {
    for (const iss of duplicateSiteIssues(cfg)) ctx.addIssue({ code: 'custom', ...iss });
    const names = new Set<string>();
    cfg.warnings.channels.forEach((c, i) => {
      const n = channelName(c);
      if (names.has(n)) ctx.addIssue({ code: 'custom', path: ['warnings', 'channels', i, 'name'], message: `通知渠道名称 "${n}" 重复` });
      names.add(n);
    });
  });
export type SitesConfig = z.output<typeof SitesConfigSchema>;

/** Duplicate site ids, checked on raw data too (so they are reported alongside other problems). */
function duplicateSiteIssues(data: unknown): { path: (string | number)[]; message: string }[] {
  const list = (data as { sites?: unknown } | null)?.sites;
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, number>();
  const out: { path: (string | number)[]; message: string }[] = [];
  list.forEach((s, i) => {
    const id = (s as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const prev = seen.get(id);
    if (prev !== undefined) out.push({ path: ['sites', i, 'id'], message: `网站 id "${id}" 重复（与 sites[${prev}] 相同）` });
    else seen.set(id, i);
  });
  return out;
}

/** A channel's stable name (used to remember what it was already sent). */
export function channelName(c: ChannelConfig): string {
  if (c.name) return c.name;
  if (c.type === 'email') return `email:${c.to.join(',')}`;
  return `${c.type}:${c.url.replace(/[?#].*$/, '')}`;
}

/** Probes per day for a site (never below 20). */
export function probesPerDayFor(site: SiteConfig, cfg?: Pick<SitesConfig, 'probes'>): number {
  return Math.max(MIN_PROBES_PER_DAY, site.probesPerDay ?? cfg?.probes.perDay ?? DEFAULT_PROBES_PER_DAY);
}

/** The check-facing description of a configured site. */
export function toSiteInfo(site: SiteConfig): SiteInfo {
  const u = new URL(site.url);
  return {
    url: site.url,
    host: u.hostname,
    name: site.name,
    unitType: site.rubric === 'hunan-2021-provincial' ? 'provincial' : 'city',
    ...(site.parentDomain ? { parentDomain: site.parentDomain } : {}),
  };
}

/** Thrown for unreadable or invalid sites files; `issues` are one line each (`file:line: path: message`). */
export class SitesConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly issues: string[] = [],
  ) {
    super(issues.length ? `${message}\n${issues.map((i) => `  ${i}`).join('\n')}` : message);
    this.name = 'SitesConfigError';
  }
}

function pathString(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out || '(根)';
}

/** Chinese messages for zod's generic issues (explicit per-field messages win). */
function zhMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? `缺少必填项（应为 ${iss.expected}）` : `类型错误：应为 ${iss.expected}`;
    case 'too_small':
      return `取值过小：最小为 ${String(iss.minimum)}`;
    case 'too_big':
      return `取值过大：最大为 ${String(iss.maximum)}`;
    case 'unrecognized_keys':
      return `未知字段：${(iss.keys as string[]).join(', ')}`;
    case 'invalid_value':
      return `取值无效：应为 ${(iss.values as unknown[]).map((v) => JSON.stringify(v)).join(' / ')}`;
    case 'invalid_format':
      return `格式错误（${String(iss.format)}）`;
    default:
      return undefined;
  }
}

function nodeLine(doc: Document | undefined, lc: LineCounter | undefined, p: readonly PropertyKey[]): number | undefined {
  if (!doc || !lc) return undefined;
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && Array.isArray(node.range)) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function validate(data: unknown, file: string, doc?: Document, lc?: LineCounter): SitesConfig {
  const r = SitesConfigSchema.safeParse(data ?? {}, { error: zhMessage });
  if (r.success) return r.data;
  const base = path.basename(file);
  const all: { path: readonly PropertyKey[]; message: string }[] = [...r.error.issues];
  for (const d of duplicateSiteIssues(data)) if (!all.some((i) => i.message === d.message)) all.push(d);
  const issues = all.map((iss) => {
    const line = nodeLine(doc, lc, iss.path);
    return `${base}${line ? `:${line}` : ''}: ${pathString(iss.path)}: ${iss.message}`;
  });
  throw new SitesConfigError(`站点配置文件 ${file} 校验失败`, file, issues);
}

function parseDoc(text: string, file: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length) {
    const base = path.basename(file);
    throw new SitesConfigError(
      `站点配置文件 ${file} 不是有效的 YAML`,
      file,
      doc.errors.map((e) => `${base}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  return { doc, lc };
}

/** Parses and validates sites-file text (no I/O). Relative `manual` paths are resolved against `baseDir` when given. */
export function parseSitesConfig(text: string, file = 'sites.yaml', baseDir?: string): SitesConfig {
  const { doc, lc } = parseDoc(text, file);
  const cfg = validate(doc.toJS(), file, doc, lc);
  if (baseDir) for (const s of cfg.sites) if (s.manual && !path.isAbsolute(s.manual)) s.manual = path.resolve(baseDir, s.manual);
  // 联动传播 lists (gather.linkage.files) are files beside the sites file too.
  if (baseDir) for (const s of cfg.sites) if (s.gather?.linkage && s.gather.linkage.baseDir === undefined) s.gather.linkage.baseDir = baseDir;
  return cfg;
}

/**
 * Reads and validates a sites file. Relative `manual` paths come back resolved against the file's directory.
 * A missing file is an error unless `allowMissing` (then the defaults with no sites).
 */
export function loadSitesConfig(file: string, opts: { allowMissing?: boolean } = {}): SitesConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && opts.allowMissing) return validate({}, file);
    throw new SitesConfigError(
      err.code === 'ENOENT' ? `找不到站点配置文件 ${file}（可用 govsite sites add 创建）` : `无法读取站点配置文件 ${file}：${err.message}`,
      file,
    );
  }
  return parseSitesConfig(text, file, path.dirname(path.resolve(file)));
}

const NEW_FILE_HEADER = ' govsite 监测站点配置（govsite sites add/remove 会保留本文件中的注释）';

function withLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        const st = fs.statSync(lock);
        if (Date.now() - st.mtimeMs > 30_000) {
          fs.rmSync(lock, { force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() > deadline) throw new SitesConfigError(`站点配置文件 ${file} 正被其他进程修改（锁文件 ${lock}）`, file);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export { writeFileAtomic };

function editFile<T>(file: string, edit: (doc: Document, cfg: SitesConfig) => T): { result: T; config: SitesConfig } {
  return withLock(file, () => {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SitesConfigError(`无法读取站点配置文件 ${file}：${(e as Error).message}`, file);
    }
    const { doc, lc } = parseDoc(text, file);
    if (doc.contents === null || doc.contents === undefined) {
      doc.contents = doc.createNode({ sites: [] }) as unknown as typeof doc.contents;
      doc.commentBefore = NEW_FILE_HEADER;
    }
    if (!isMap(doc.contents)) throw new SitesConfigError(`站点配置文件 ${file} 的顶层应为映射（mapping）`, file);
    const before = validate(doc.toJS(), file, doc, lc);
    const result = edit(doc, before);
    const out = doc.toString({ lineWidth: 0 });
    const { doc: check, lc: lc2 } = parseDoc(out, file);
    const config = validate(check.toJS(), file, check, lc2);
    writeFileAtomic(file, out);
    return { result, config };
  });
}

/** Validates one site entry on its own (clear errors before touching the file). */
export function validateSite(input: unknown, label = 'site'): SiteConfig {
  const r = SiteSchema.safeParse(input, { error: zhMessage });
  if (r.success) return r.data;
  throw new SitesConfigError(
    '网站配置无效',
    label,
    r.error.issues.map((i) => `${pathString(i.path)}: ${i.message}`),
  );
}

/**
 * Adds a site to the file (creating it when missing). Throws when the id exists, unless `replace` (then the
 * entry is replaced in place). Only the fields given are written.
 */
export function addSite(file: string, input: SiteInput, opts: { replace?: boolean } = {}): SiteConfig {
  const site = validateSite(input);
  const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const { result } = editFile(file, (doc, cfg) => {
    const idx = cfg.sites.findIndex((s) => s.id === site.id);
    if (idx >= 0 && !opts.replace) throw new SitesConfigError(`网站 id "${site.id}" 已存在（如需覆盖请使用 --replace）`, file);
    if (!isSeq(doc.get('sites', true))) doc.set('sites', doc.createNode([]));
    if (idx >= 0) doc.setIn(['sites', idx], doc.createNode(clean));
    else doc.addIn(['sites'], doc.createNode(clean));
    return site;
  });
  return result;
}

/** Removes a site by id; returns the removed entry. Throws when not found. */
export function removeSite(file: string, id: string): SiteConfig {
  const { result } = editFile(file, (doc, cfg) => {
    const idx = cfg.sites.findIndex((s) => s.id === id);
    if (idx < 0) throw new SitesConfigError(`站点配置文件中没有 id 为 "${id}" 的网站`, file);
    doc.deleteIn(['sites', idx]);
    return cfg.sites[idx];
  });
  return result;
}

/** The configured sites (validated). */
export function listSites(file: string): SiteConfig[] {
  return loadSitesConfig(file).sites;
}
