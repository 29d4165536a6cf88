import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openDatabase, type Db } from '../store/db.ts';
import { loadSitesConfig } from '../monitor/config.ts';
import { parseRegistry, RegistryFormatError, type ParsedRegistry } from '../newmedia/import.ts';
import { ensureNewMediaSchema, type ApplySummary } from '../newmedia/store.ts';
import { dbRegistry, type NewMediaRegistry } from '../newmedia/registry.ts';
import { statusesFromPosts } from '../newmedia/status.ts';
import { sourceZh } from '../newmedia/freshness.ts';
import { manualEntryPost, recordPastedPost } from '../newmedia/paste.ts';
import { openRepo, parseDbSpec } from '../repo/open.ts';
import { todayShanghai } from '../audit/run.ts';
import { checkAsOf } from './options.ts';
import { UsageError } from './usage.ts';

/**
 * `govsite newmedia import|list|set-post`: the 政务新媒体 registry. Chinese summaries on stdout; exit 0 when the job
 * ran (bad rows are reported, the rest imported), 1 when it could not (unreadable file, unknown account).
 */

export const NEWMEDIA_HELP = `govsite newmedia — 政务新媒体与网站名录

用法:
  govsite newmedia import FILE [--config sites.yaml] [--db FILE] [--format text|json]
      导入名录（XLSX 或 CSV，表头：单位名称、账号名称、平台、账号ID、认证主体、运营状态、主页地址、订阅地址、最近更新；
      网站表：单位名称、网站名称、网站地址、运营状态、迁移至）。有问题的行逐行报告（工作表、行号、原因），其余照常导入；
      重复导入按单位+平台+账号ID（无ID时按账号名称）更新，不会重复。--config 同时导入站点配置文件中的 newMedia / closedSites。
  govsite newmedia list [--unit 单位名称] [--as-of YYYY-MM-DD] [--db FILE] [--format text|json]
      列出账号、最新发布日期及其来源、更新情况（按已保存的证据，不联网）。
  govsite newmedia set-post --account 账号 --url 文章网址 [--force] [--db FILE]
  govsite newmedia set-post --account 账号 --at YYYY-MM-DD --evidence 依据 [--db FILE]
      记录账号最新发布：粘贴文章网址（读取页面中的发布时间，如微信文章的 var ct），或人工录入日期并注明依据。
      --account 可为账号编号、账号名称、账号ID，或“单位名称/平台/账号名称”。
  --db 默认为环境变量 GOVSITE_DB，否则 ./data/govsite.db；postgres://… 为多机共享数据库（队列模式）。
`;

type Out = (s: string) => void;

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, positionals = false) {
  return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
}

function fmt(v: string | undefined): 'text' | 'json' {
  if (v === undefined || v === 'text' || v === 'json') return (v ?? 'text') as 'text' | 'json';
  throw new UsageError(`--format 应为 text 或 json（收到“${v}”）`);
}

function openDb(file: string | undefined): Db {
  const db = openDatabase(file ?? path.join('data', 'govsite.db'));
  ensureNewMediaSchema(db);
  return db;
}

/** `--db` when given, else GOVSITE_DB, else ./data/govsite.db; PostgreSQL through the shared repository. */
async function withRegistry<T>(dbOpt: string | undefined, fn: (r: NewMediaRegistry) => Promise<T>): Promise<T> {
  const spec = parseDbSpec(dbOpt);
  if (spec.kind === 'postgres') {
    const repo = await openRepo(spec);
    try {
      return await fn(repo);
    } finally {
      await repo.close();
    }
  }
  const db = openDb(spec.file);
  try {
    return await fn(dbRegistry(db));
  } finally {
    db.close();
  }
}

function actionText(s: ApplySummary['accounts']): string {
  return `新增 ${s.added}，更新 ${s.updated}，未变 ${s.unchanged}`;
}

/** The import report people read. */
export function importText(file: string, parsed: ParsedRegistry, applied: ApplySummary, extra: string[] = []): string {
  const lines: string[] = [`名录文件：${file}`];
  for (const s of parsed.sheets) {
    lines.push(`  工作表「${s.name}」：${s.kind === 'accounts' ? `账号表，${s.rows} 行` : s.kind === 'websites' ? `网站表，${s.rows} 行` : `已跳过（${s.note ?? ''}）`}${s.kind !== 'skipped' && s.note ? `（${s.note}）` : ''}`);
  }
  lines.push(`账号：导入 ${parsed.accounts.length} 个（${actionText(applied.accounts)}）`);
  lines.push(`网站：导入 ${parsed.websites.length} 个（${actionText(applied.websites)}）`);
  if (parsed.errors.length) {
    lines.push(`未导入的行（${parsed.errors.length}）：`);
    for (const e of parsed.errors) lines.push(`  ${e.sheet} 第 ${e.row} 行：${e.reason}`);
  } else lines.push('没有未导入的行。');
  if (parsed.warnings.length) {
    lines.push(`提示（${parsed.warnings.length}）：`);
    for (const w of parsed.warnings) lines.push(`  ${w.sheet} 第 ${w.row} 行：${w.reason}`);
  }
  lines.push(...extra);
  return lines.join('\n') + '\n';
}

export async function runNewMediaImport(o: { file: string; config?: string; db?: string; format: 'text' | 'json'; out: Out; now?: () => Date }): Promise<number> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(o.file);
  } catch (e) {
    throw new Error(`无法读取名录文件 ${o.file}：${(e as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : (e as Error).message}`);
  }
  let parsed: ParsedRegistry;
  try {
    parsed = await parseRegistry(buf, o.file);
  } catch (e) {
    if (e instanceof RegistryFormatError) throw new Error(`名录文件 ${o.file} 无法导入：${e.message}`);
    throw e;
  }
  const cfg = o.config ? loadSitesConfig(o.config) : undefined;
  return withRegistry(o.db, async (reg) => {
    const now = (o.now ?? (() => new Date()))().toISOString();
    const base = path.basename(o.file);
    const applied = await reg.applyRecords(
      {
        accounts: parsed.accounts.map((a) => ({ ...a, origin: `import:${base}#${a.sheet}!${a.row}` })),
        websites: parsed.websites.map((w) => ({ ...w, origin: `import:${base}#${w.sheet}!${w.row}` })),
      },
      `import:${base}`,
      now,
      { keepMissing: true },
    );
    const extra: string[] = [];
    let synced: ApplySummary & { removed: number } | undefined;
    const matches: { site: string; unit?: string; by?: string }[] = [];
    if (cfg) {
      synced = await reg.syncSitesFile(cfg.sites, now, { full: true });
      extra.push(`站点配置文件 ${o.config}：账号 ${actionText(synced.accounts)}；网站 ${actionText(synced.websites)}；移除 ${synced.removed}`);
      for (const s of cfg.sites) {
        const m = await reg.unitForSite({ name: s.name, unit: s.newMediaUnit, url: s.url });
        matches.push({ site: s.id, ...(m ? { unit: m.unit, by: m.by } : {}) });
        extra.push(`  网站 ${s.id}（${s.name}）${m ? `→ 名录单位「${m.unit}」（按${m.by === 'website' ? '名录网站地址' : '单位名称'}匹配）` : '：名录中没有对应单位'}`);
      }
    }
    if (o.format === 'json') o.out(JSON.stringify({ file: o.file, sheets: parsed.sheets, accounts: parsed.accounts.length, websites: parsed.websites.length, applied, errors: parsed.errors, warnings: parsed.warnings, ...(synced ? { sitesFile: synced, matches } : {}) }, null, 2) + '\n');
    else o.out(importText(o.file, parsed, applied, extra));
    return 0;
  });
}

export async function runNewMediaList(o: { unit?: string; asOf?: string; db?: string; format: 'text' | 'json'; out: Out }): Promise<number> {
  return withRegistry(o.db, async (reg) => {
    const asOf = o.asOf ?? todayShanghai();
    const accounts = await reg.listAccounts(o.unit ? { unit: o.unit } : {});
    const rows = statusesFromPosts(accounts, await reg.listPosts(accounts.map((a) => a.id)), asOf);
    const websites = await reg.listWebsites(o.unit ? { unit: o.unit } : {});
    if (o.format === 'json') {
      o.out(JSON.stringify({ asOf, accounts: rows.map((r) => ({ ...r.account, freshness: r.freshness })), websites }, null, 2) + '\n');
      return 0;
    }
    if (accounts.length === 0 && websites.length === 0) {
      o.out(o.unit ? `名录中没有单位「${o.unit}」的账号或网站。\n` : '名录为空（可用 govsite newmedia import 导入）。\n');
      return 0;
    }
    const verdictZh = { fresh: '两周内有更新', stale: '两周内无更新', unverified: '未核实', 'not-applicable': '不检查' } as const;
    const lines = [`监测时间点 ${asOf}`, '编号 | 单位 | 平台 | 账号名称 | 账号ID | 运营状态 | 最新发布 | 来源 | 更新情况'];
    for (const r of rows) {
      const a = r.account;
      const n = r.freshness.newest;
      lines.push(
        [a.id, a.unit, a.platformLabel, a.name, a.accountId ?? '-', a.status, n?.day ?? '-', n ? sourceZh(n.source) : '-', `${verdictZh[r.freshness.verdict]}${r.freshness.verdict === 'unverified' ? `（${r.freshness.reason}）` : ''}`].join(' | '),
      );
    }
    if (websites.length) {
      lines.push('', '网站：单位 | 网站名称 | 网址 | 运营状态 | 迁移至');
      for (const w of websites) lines.push([w.unit, w.name ?? '-', w.url, w.status, w.movedTo ?? '-'].join(' | '));
    }
    o.out(lines.join('\n') + '\n');
    return 0;
  });
}

export async function runNewMediaSetPost(o: { account: string; url?: string; at?: string; evidence?: string; force?: boolean; db?: string; format: 'text' | 'json'; out: Out; now?: () => Date }): Promise<number> {
  if (!o.url === !o.at) throw new UsageError('set-post 需要 --url（一条发文）或 --at 日期 --evidence 依据（人工录入），二者选一');
  if (o.at && !o.evidence) throw new UsageError('set-post --at 需要 --evidence（日期的依据）');
  return withRegistry(o.db, async (reg) => {
    const found = await reg.findAccounts(o.account);
    if (found.length === 0) throw new Error(`名录中没有账号「${o.account}」（可用 govsite newmedia list 查看编号）`);
    if (found.length > 1) throw new Error(`「${o.account}」对应多个账号：${found.map((a) => `${a.id} ${a.unit}/${a.platformLabel}/${a.name}`).join('；')}。请用编号或“单位名称/平台/账号名称”指定`);
    const account = found[0];
    let r;
    if (o.url) r = await recordPastedPost((id, p) => reg.addPost(id, p), account, o.url, { by: 'cli', force: o.force, ...(o.now ? { now: o.now } : {}) });
    else {
      const m = manualEntryPost(account, o.at!, o.evidence!, { by: 'cli', ...(o.now ? { now: o.now } : {}) });
      r = m.post ? { ...m.result, postId: await reg.addPost(account.id, m.post) } : m.result;
    }
    if (o.format === 'json') o.out(JSON.stringify({ account: { id: account.id, unit: account.unit, platform: account.platformLabel, name: account.name }, ...r }, null, 2) + '\n');
    else o.out(r.message + '\n');
    return r.ok ? 0 : 1;
  });
}

export async function newmediaCommand(args: string[], out: Out = (s) => process.stdout.write(s)): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '-h' || sub === '--help') {
    out(NEWMEDIA_HELP);
    return sub ? 0 : 2;
  }
  switch (sub) {
    case 'import': {
      const { values, positionals } = parse(rest, { config: { type: 'string' }, db: { type: 'string' }, format: { type: 'string' } }, true);
      if (values.help) return (out(NEWMEDIA_HELP), 0);
      if (positionals.length !== 1) throw new UsageError('newmedia import 只接受一个文件：govsite newmedia import 文件.xlsx');
      return runNewMediaImport({ file: positionals[0], config: values.config, db: values.db, format: fmt(values.format), out });
    }
    case 'list': {
      const { values } = parse(rest, { unit: { type: 'string' }, 'as-of': { type: 'string' }, db: { type: 'string' }, format: { type: 'string' } });
      if (values.help) return (out(NEWMEDIA_HELP), 0);
      return runNewMediaList({ unit: values.unit, asOf: checkAsOf(values['as-of']), db: values.db, format: fmt(values.format), out });
    }
    case 'set-post': {
      const { values } = parse(rest, { account: { type: 'string' }, url: { type: 'string' }, at: { type: 'string' }, evidence: { type: 'string' }, force: { type: 'boolean' }, db: { type: 'string' }, format: { type: 'string' } });
      if (values.help) return (out(NEWMEDIA_HELP), 0);
      if (!values.account) throw new UsageError('set-post 需要 --account');
      return runNewMediaSetPost({ account: values.account, url: values.url, at: values.at, evidence: values.evidence, force: values.force, db: values.db, format: fmt(values.format), out });
    }
    default:
      throw new UsageError(`newmedia 的子命令：import | list | set-post（收到“${sub}”）`);
  }
}
