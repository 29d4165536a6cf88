import type { Check, Finding } from '../src/model.ts';
import { gatherMissing, interactionData, nameOf, unreadableWhy } from '../src/analyze/interaction/assess.ts';
import { inYear, monthsBefore, rangeZh, type ActivityObs } from '../src/analyze/interaction/observations.ts';

/**
 * 加分项 征集调查: (1) an online survey channel (e-mail excluded) with at least 6 activities in the year before as-of;
 * (2) every activity of that year that ended at least a month before as-of published its result within one month of its
 * end. Each finding is a proposal to award (confirm-required); a proposal the machine could not fully verify says so
 * (未核实) and still waits for a reviewer. No proposal with the scope checked: not awarded, with what was read.
 */

function when(a: ActivityObs): string | undefined {
  return a.start ?? a.published ?? a.end;
}

/** Held within the year before as-of: started by as-of, and not ended before the year began. */
function inYearAct(a: ActivityObs, asOf: string): boolean {
  const s = a.start ?? a.published ?? a.end;
  const e = a.end ?? s;
  if (!s || !e) return false;
  return s <= asOf && (inYear(e, asOf) || inYear(s, asOf) || (s < asOf && e > asOf));
}

function plusMonth(d: string): string {
  // The day one month after d: d is monthsBefore(x, 1) for x = the returned day.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return d;
  let y = +m[1];
  let mo = +m[2] + 1;
  if (mo > 12) {
    mo = 1;
    y++;
  }
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return `${y}-${String(mo).padStart(2, '0')}-${String(Math.min(+m[3], last)).padStart(2, '0')}`;
}

function brief(a: ActivityObs): Record<string, unknown> {
  return { title: a.title, url: a.url, start: a.start, end: a.end, status: a.statusText, result: a.result };
}

const check: Check = {
  id: 'consultation-activities',
  title: '征集调查活动',
  description: 'Survey/consultation activities of the year (count ≥ 6) and results published within a month of their end: bonus proposals.',
  confirm: 'required',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const surveys = d.channels.filter((c) => c.group === 'survey' && !c.email);
    if (!surveys.length) return { findings: [], scope: { status: 'unverified', reason: '未找到在线调查征集渠道（征集调查、意见征集、网上调查等），需人工核实' } };
    const acts = d.activities.filter((a) => inYearAct(a, ctx.asOf));
    const unsure = surveys.map(unreadableWhy).filter((x): x is string => !!x);
    // The channel the activities were read from (its directory holds most of them), else the first one found.
    const dir = (u: string) => u.replace(/[?#].*$/, '').replace(/[^/]*$/, '');
    const held = (c: (typeof surveys)[number]) => acts.filter((a) => a.url?.startsWith(dir(c.url))).length;
    const ch = surveys.reduce((best, c) => (held(c) > held(best) ? c : best), surveys[0]);
    const findings: Finding[] = [];
    const dates = acts.map(when).filter((x): x is string => !!x).sort();
    if (acts.length >= 6) {
      findings.push({
        check: check.id,
        url: ch.url,
        target: 'consultation:count',
        detail: `监测时间点前1年内调查征集活动 ${acts.length} 次`,
        message: `提供在线调查征集渠道（${surveys.map(nameOf).join('、')}），监测时间点前1年内开展活动 ${acts.length} 次（≥6次），建议加分（待复核确认）。`,
        evidence: { rule: 'count', count: acts.length, activities: acts.map(brief) },
      });
    } else if (unsure.length) {
      findings.push({
        check: check.id,
        url: ch.url,
        target: 'consultation:count',
        detail: `读取到活动 ${acts.length} 次，部分栏目无法读取`,
        message: `监测时间点前1年内读取到调查征集活动 ${acts.length} 次，但${unsure.join('；')}，是否达到6次需人工核实。`,
        evidence: { rule: 'count', count: acts.length, activities: acts.map(brief), unverified: true },
      });
    }
    const due = acts.filter((a) => a.end && plusMonth(a.end) <= ctx.asOf);
    const onTime = due.filter((a) => a.result.state === 'published' && a.result.at && a.result.at <= plusMonth(a.end!));
    const late = due.filter((a) => a.result.state === 'published' && a.result.at && a.result.at > plusMonth(a.end!));
    const none = due.filter((a) => a.result.state === 'none');
    const unknown = due.filter((a) => !onTime.includes(a) && !late.includes(a) && !none.includes(a));
    const noEnd = acts.filter((a) => !a.end && a.status !== 'open');
    if (due.length && onTime.length === due.length && !noEnd.length) {
      findings.push({
        check: check.id,
        url: ch.url,
        target: 'consultation:results',
        detail: `结束满1个月的 ${due.length} 项活动均在1个月内公开反馈结果`,
        message: `监测时间点前1年内结束的调查征集活动 ${due.length} 项均在结束后1个月内公开反馈结果，建议加分（待复核确认）。`,
        evidence: { rule: 'results', activities: due.map(brief) },
      });
    } else if (due.length && !late.length && !none.length && (unknown.length || noEnd.length)) {
      const list = [...unknown, ...noEnd];
      findings.push({
        check: check.id,
        url: ch.url,
        target: 'consultation:results',
        detail: `${list.length} 项活动的反馈结果或结束日期未能读取`,
        message: `调查征集活动中 ${list.length} 项的反馈结果或结束日期未能读取（${list.slice(0, 3).map((a) => `「${a.title.slice(0, 24)}」`).join('、')}），是否均在1个月内公开反馈结果需人工核实。`,
        evidence: { rule: 'results', activities: due.map(brief), unknown: list.map(brief), unverified: true },
      });
    }
    const missingZh = [...none.map((a) => `「${a.title.slice(0, 24)}」未公开反馈结果`), ...late.map((a) => `「${a.title.slice(0, 24)}」结果 ${a.result.at} 公开，晚于结束后1个月`)];
    const summary =
      `监测时间点前1年内（自 ${monthsBefore(ctx.asOf, 12)}）调查征集活动 ${acts.length} 次（${rangeZh(dates[0], dates[dates.length - 1])}）` +
      `；结束满1个月的 ${due.length} 项中按时公开反馈结果 ${onTime.length} 项` +
      (missingZh.length ? `（${missingZh.join('；')}）` : '');
    return { findings, scope: { status: 'checked', summary, stats: { activities: acts.length, due: due.length, onTime: onTime.length, late: late.length, noResult: none.length, unknown: unknown.length } } };
  },
};

export default check;
