/**
 * `govsite availability` over the shared store (PostgreSQL, or a SQLite file written by queue-mode workers): the weekly
 * ratios of confirmed failures (the same table, verdicts and JSON rows as the one-machine command), then each vantage
 * point's own ratio (first attempts; rounds of an impaired vantage are "not measured"; WAF answers are "blocked").
 */
import type { DbSpec } from '../repo/open.ts';
import { openRepo } from '../repo/open.ts';
import type { VantageRow } from '../repo/types.ts';
import type { SiteConfig, SitesConfig } from './config.ts';
import { loadSitesConfig } from './config.ts';
import { formatAvailabilityText, type AvailabilityCommandOptions, type AvailabilityJsonRow } from './commands.ts';
import { availabilityVerdict } from './ratios.ts';
import { dayProblem, weekProblem } from './time.ts';

function pct(r: number): string {
  return `${(r * 100).toFixed(2)}%`;
}

/** Per-vantage lines (Chinese) under the confirmed table. */
export function formatVantageText(rows: readonly VantageRow[], sites?: readonly SiteConfig[]): string {
  if (rows.length === 0) return '';
  const names = new Map(sites?.map((s) => [s.id, s.name]) ?? []);
  const lines = ['各监测点（首次探测；受损轮次不计入，记为未监测；WAF 拦截单列）：'];
  let site = '';
  for (const r of rows) {
    if (r.site !== site) {
      site = r.site;
      lines.push(`  ${names.get(site) ? `${names.get(site)}(${site})` : site}`);
    }
    lines.push(`    ${r.vantage.padEnd(16)} 探测 ${String(r.probes).padStart(5)}  失败 ${String(r.failures).padStart(4)}  失败占比 ${pct(r.ratio).padStart(7)}  拦截 ${r.blocked}  未监测 ${r.unmeasured}`);
  }
  lines.push('失败只有在同一轮次中另一监测点也失败（只有一个监测点时，立即重试也失败）才计入上表的失败次数。');
  return lines.join('\n');
}

export async function runAvailabilityRepoCommand(spec: DbSpec, opts: Omit<AvailabilityCommandOptions, 'db' | 'dbPath'>, io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
  const err = io.err ?? ((s: string) => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`));
  const now = opts.now ?? Date.now();
  const bad =
    (opts.week !== undefined ? weekProblem(opts.week, '--week', now) : undefined) ??
    (opts.from !== undefined ? dayProblem(opts.from, '--from', now) : undefined) ??
    (opts.to !== undefined ? dayProblem(opts.to, '--to', now) : undefined) ??
    (opts.week && (opts.from || opts.to) ? '--week 与 --from/--to 不能同时使用' : undefined);
  if (bad) {
    err(`错误：${bad}`);
    return 2;
  }
  let cfg: SitesConfig | undefined;
  try {
    if (opts.config) cfg = loadSitesConfig(opts.config);
  } catch (e) {
    err(`错误：${(e as Error).message}`);
    return 2;
  }
  const repo = await openRepo(spec);
  try {
    const rows = await repo.weeklyAvailability({
      siteId: opts.site, siteIds: cfg?.sites.map((s) => s.id), week: opts.week, from: opts.from, to: opts.to, groupBy: opts.group, now: opts.now,
    });
    const from = rows.length ? rows.map((r) => r.from).sort()[0] : undefined;
    const to = rows.length ? rows.map((r) => r.to).sort().at(-1) : undefined;
    const vantages = from && to ? await repo.vantageAvailability({ from, to, ...(opts.site ? { siteId: opts.site } : {}) }) : [];
    if (opts.format === 'json') {
      const json: (AvailabilityJsonRow & { vantages: Omit<VantageRow, 'site'>[] })[] = [];
      for (const r of rows) {
        const own = opts.group === 'range' || rows.filter((x) => x.site === r.site).length === 1 ? vantages.filter((v) => v.site === r.site) : (await repo.vantageAvailability({ from: r.from, to: r.to, siteId: r.site }));
        json.push({
          site: r.site, week: r.week, from: r.from, to: r.to, probes: r.probes, failures: r.failures, ratio: Math.round(r.ratio * 1e6) / 1e6, veto: r.veto,
          sufficient: r.sufficient, insufficientDays: r.insufficientDays, notMeasuredHours: r.notMeasuredHours, complete: r.complete, verdict: availabilityVerdict(r),
          vantages: own.map(({ site: _s, ...v }) => ({ ...v, ratio: Math.round(v.ratio * 1e6) / 1e6 })),
        });
      }
      out(JSON.stringify(json, null, 2));
      return 0;
    }
    out(`${formatAvailabilityText(rows, cfg?.sites)}\n（失败次数为经确认的失败：见下方各监测点）`);
    const v = formatVantageText(vantages, cfg?.sites);
    if (v) out(v);
    return 0;
  } finally {
    await repo.close();
  }
}
