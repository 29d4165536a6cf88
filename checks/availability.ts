/**
 * 健康状况（单否）: "监测1周，每天间隔性访问20次以上，超过（含）15秒网站仍打不开的次数累计占比超过（含）5%".
 *
 * Reads `ctx.availability` (the monitored week judged at asOf, filled by the runner from the monitor's roll-ups:
 * the week containing asOf when it is complete, else the last complete week before it).
 * A finding only when the week's failure share reaches 5 %. Unmeasured is not passed: without probes the clause is
 * 待监测 (scope not-run); with a week not over or a day under 20 probes it is not decided either way (scope
 * unverified; a ≥ 5 % share is then an `unverified` finding) — a verdict on thin data would be a guess.
 */
import type { Check, Finding } from '../src/model.ts';
import { countedNumbers, maintenancePendingReason } from '../src/monitor/ratios.ts';

function pct(r: number): string {
  return `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

const check: Check = {
  id: 'availability',
  title: '网站可用性（首页打不开次数占比）',
  description: 'Weekly homepage availability from monitor probes (15 s deadline, ≥20 probes/day): veto when failures reach 5 % of probes.',
  run(ctx) {
    const a = ctx.availability;
    if (!a || !(a.probes > 0) || !(a.failures >= 0))
      return { findings: [], scope: { status: 'not-run', reason: '待监测：尚无可用性监测数据（需连续监测1周，每天访问20次以上）' } };
    // Maintenance windows the inspector decided not to count are left out; undecided ones must not change the verdict.
    const counted = countedNumbers({ probes: a.probes, failures: Math.min(a.failures, a.probes), ...(a.maintenance ? { maintenance: a.maintenance } : {}) });
    const probes = counted.probes;
    const failures = counted.failures;
    if (!(probes > 0))
      return { findings: [], scope: { status: 'unverified', reason: `待监测：监测周 ${a.week} 的监测全部在不计入的维护时段内` } };
    const veto = failures * 20 >= probes;
    const ratio = failures / probes;
    const insufficientDays = Number.isFinite(a.insufficientDays) ? Math.max(0, a.insufficientDays) : 7;
    const maintenance = maintenancePendingReason({ probes: a.probes, failures: Math.min(a.failures, a.probes), insufficientDays, ...(a.maintenance ? { maintenance: a.maintenance } : {}) });
    const sufficient = insufficientDays === 0 && !maintenance;
    const notMeasured = Number.isFinite(a.notMeasuredHours) ? a.notMeasuredHours : 0;
    const m = a.maintenance;
    const gap =
      (notMeasured > 0 ? `，另有 ${notMeasured} 小时监测程序未运行（不计入）` : '') +
      (m && m.excludedProbes > 0 ? `，维护时段内 ${m.excludedProbes} 次经检查人员决定不计入` : '') +
      (m && m.countedProbes > 0 ? `，维护时段内 ${m.countedProbes} 次经检查人员决定计入` : '');
    const stats = { week: a.week, probes, failures, insufficientDays, notMeasuredHours: notMeasured, ...(m ? { maintenancePending: m.pendingProbes, maintenanceExcluded: m.excludedProbes } : {}) };
    const measured = `监测周 ${a.week} 共访问 ${probes} 次，打不开 ${failures} 次，占比 ${pct(ratio)}`;
    const scope = sufficient
      ? { status: 'checked' as const, summary: `${measured}${gap}`, stats }
      : maintenance && insufficientDays === 0
        ? { status: 'unverified' as const, reason: `待定：${measured}；${maintenance}${gap}`, stats }
        : { status: 'unverified' as const, reason: `待监测：${measured}，但有 ${insufficientDays} 天访问不足 20 次或监测周未结束${gap}`, stats };
    if (!veto) return { findings: [], scope };
    const message = sufficient
      ? `监测周 ${a.week} 每天访问 20 次以上，共 ${probes} 次，超过（含）15 秒首页仍打不开 ${failures} 次，占比 ${pct(ratio)}，达到（含）5%，单项否决${gap}。`
      : maintenance && insufficientDays === 0
        ? `监测周 ${a.week} 共访问 ${probes} 次，首页打不开 ${failures} 次，占比 ${pct(ratio)}，已达 5%；但${maintenance}${gap}。`
        : `监测周 ${a.week} 共访问 ${probes} 次，首页打不开 ${failures} 次，占比 ${pct(ratio)}，已达 5%；但有 ${insufficientDays} 天访问不足 20 次（或监测周未结束），监测不充分，需补足监测或人工确认${gap}。`;
    const finding: Finding = {
      check: 'availability',
      url: ctx.homepage?.url ?? ctx.site.url,
      detail: `${a.week}: ${failures}/${probes} probes failed (${pct(ratio)}), veto threshold 5%; ${sufficient ? 'sampling sufficient' : maintenance && insufficientDays === 0 ? 'maintenance window undecided' : `${insufficientDays} day(s) with fewer than 20 probes`}`,
      message,
      evidence: {
        veto: true,
        week: a.week,
        probes,
        failures,
        ratio,
        threshold: 0.05,
        insufficientDays,
        notMeasuredHours: notMeasured,
        sampling: insufficientDays === 0 ? 'sufficient' : 'insufficient',
        ...(m ? { maintenance: m } : {}),
        ...(sufficient ? {} : { unverified: true }),
      },
    };
    return { findings: [finding], scope };
  },
};

export default check;
