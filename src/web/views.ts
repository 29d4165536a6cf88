/**
 * Dashboard pages: overview (all sites, paged), site (availability charts + tables, probe log, latest audit,
 * history), run, findings list, login. Server-rendered, Chinese, complete without JavaScript.
 */
import { zhProbeNote, zhText } from '../report/zh.ts';
import { availabilityVerdict, countedNumbers, isVeto, maintenancePendingReason } from '../monitor/ratios.ts';
import type { AvailabilityRow, DailyAvailability } from '../monitor/ratios.ts';
import { CONDITION_LABELS, type WarningCondition } from '../monitor/warnings.ts';
import { OUTCOME_LABELS, type ProbeOutcome } from '../monitor/probe.ts';
import { formatPoints, oneLine } from '../report/audit-report.ts';
import { ratioBarChart, scoreLineChart, type Bar } from './chart.ts';
import { backField, csrfField, esc, href, link, pager, pct, when, type Viewer } from './layout.ts';
import { shiftWeek, type Flag, type OverviewResult, type SiteRecord, type SortKey, type WeekNumbers } from './sites-index.ts';
import { isValidWeek } from '../monitor/time.ts';
import { runBlock, runStatusText, type RunView } from './views-run.ts';
import type { Job } from './jobs.ts';
import type { InquiryRecord } from '../analyze/interaction/inquiries.ts';
import { inquiryBlock } from './views-inquiry.ts';
import { decisionsSection } from './views-review.ts';

export const RUBRIC_LABELS: Record<string, string> = {
  'hunan-2021-city': '市州',
  'hunan-2021-provincial': '省直',
};

export function rubricLabel(r: string | null | undefined): string {
  if (!r) return '—';
  return RUBRIC_LABELS[r] ?? r;
}

const FLAG_LABELS: Record<Flag, string> = {
  veto: '本周失败占比 ≥ 5%',
  warn: '有预警',
  insufficient: '采样不足',
  unaudited: '未检查或未评分',
  unconfigured: '仅在数据库中（未配置）',
  newmedia: '政务新媒体两周内无更新',
};

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

export interface AuditInfo {
  runId: number;
  asOf: string;
  finishedAt: string | null;
  total?: number;
  provisional?: boolean;
  veto?: boolean;
  vetoPending?: number;
  verdict?: string;
}

export interface WarningInfo {
  condition: WarningCondition;
  message: string;
  sent: boolean;
}

export interface OverviewRowView {
  site: SiteRecord;
  cur: WeekNumbers;
  prev: WeekNumbers;
  audit?: AuditInfo;
  warnings: WarningInfo[];
}

export interface OverviewParams {
  week: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
  rubric?: string;
  region?: string;
  q?: string;
  flag?: Flag;
  page: number;
  size: number;
}

function paramsOf(p: OverviewParams, over: Partial<OverviewParams> = {}): Record<string, string | number | undefined> {
  const x = { ...p, ...over };
  return {
    week: x.week,
    sort: x.sort === 'site' ? undefined : x.sort,
    dir: x.sort === 'site' && x.dir === 'asc' ? undefined : x.dir,
    rubric: x.rubric,
    region: x.region,
    q: x.q,
    flag: x.flag,
    size: x.size === 50 ? undefined : x.size,
    page: x.page === 1 ? undefined : x.page,
  };
}

/** A ratio cell: percentage, counts and the sampling/veto tags. */
export function ratioCell(w: WeekNumbers, kind: 'cur' | 'prev', warnRatio: number): string {
  if (w.probes === 0) return `<td class="num ratio-cell" data-week="${esc(w.week)}" data-probes="0"><span class="muted">未监测</span></td>`;
  const verdict = availabilityVerdict(w);
  // Probes of maintenance windows the inspector decided not to count are left out of the shown share.
  const c = countedNumbers(w);
  const cls = verdict === 'veto' ? 'bad' : c.ratio !== null && c.ratio >= warnRatio ? 'warn' : '';
  const tags: string[] = [];
  const maint = maintenancePendingReason(w);
  if (verdict === 'veto') tags.push('<span class="tag bad">≥5% 单否</span>');
  else if (maint) tags.push(`<span class="tag warn" data-maintenance="pending" title="${esc(maint)}">维护时段待决定</span>`);
  else if (verdict === 'pending' && isVeto(c.probes, c.failures)) tags.push('<span class="tag warn" title="监测周未结束或采样不足，单否结论待监测完成">≥5% 待监测</span>');
  if (w.maintenance?.excludedProbes) tags.push(`<span class="tag grey" data-maintenance="excluded">不含维护时段 ${esc(w.maintenance.excludedProbes)} 次</span>`);
  const thin = w.complete ? w.insufficientDays : w.insufficientEndedDays;
  if (thin > 0) tags.push(`<span class="tag warn" title="每天应监测 20 次以上">采样不足 ${esc(thin)} 天</span>`);
  if (!w.complete) tags.push('<span class="tag grey">本周进行中</span>');
  return (
    `<td class="num ratio-cell" data-week="${esc(w.week)}" data-kind="${kind}" data-probes="${c.probes}" data-failures="${c.failures}">` +
    `<span class="ratio ${cls}">${esc(pct(c.ratio, c.probes))}</span>` +
    `<div class="small muted">${esc(c.failures)} / ${esc(c.probes)} 次</div>${tags.join('')}</td>`
  );
}

/**
 * The site's 单否 cell: one verdict with the availability columns beside it — a complete, fully sampled week at ≥ 5 %
 * (the shown week or the one before) is 不合格 whatever the latest audit said; else the audit's 单否 verdict.
 */
function vetoCell(a: AuditInfo | undefined, weeks: readonly WeekNumbers[]): string {
  const availabilityVeto = weeks.find((w) => availabilityVerdict(w) === 'veto');
  if (availabilityVeto) return `<span class="tag bad" title="${esc(availabilityVeto.week)} 失败占比达到 5%">不合格（单否：可用性 ${esc(availabilityVeto.week)}）</span>`;
  if (!a || a.total === undefined) return '';
  return a.veto
    ? '<span class="tag bad">不合格（单否）</span>'
    : a.vetoPending
      ? `<span class="tag warn">待定（${esc(a.vetoPending)} 项待评）</span>`
      : '<span class="tag ok">未触发</span>';
}

function auditCells(a: AuditInfo | undefined, weeks: readonly WeekNumbers[] = []): string {
  if (!a) return `<td class="muted">未检查</td><td>${vetoCell(a, weeks)}</td><td></td>`;
  const score =
    a.total === undefined
      ? '<span class="muted">未评分</span>'
      : `<a href="/runs/${a.runId}" data-testid="site-score">${esc(formatPoints(a.total))}</a>${a.provisional ? ' <span class="provisional small">暂定</span>' : ''}`;
  const veto = vetoCell(a, weeks);
  return `<td class="num">${score}</td><td>${veto}</td><td class="nowrap"><a href="/runs/${a.runId}">${esc(a.asOf)}</a></td>`;
}

function warningCell(ws: WarningInfo[]): string {
  if (!ws.length) return '<td></td>';
  return `<td>${ws
    .map((w) => `<span class="tag ${w.condition === 'availability' ? 'bad' : 'warn'}" title="${esc(w.message)}">${esc(CONDITION_LABELS[w.condition])}${w.sent ? '（已通知）' : ''}</span>`)
    .join('')}</td>`;
}

export function overviewPage(o: {
  params: OverviewParams;
  result: OverviewResult;
  rows: OverviewRowView[];
  facets: { regions: string[]; rubrics: string[] };
  warnRatio: number;
  viewer: Viewer;
}): string {
  const { params: p, result: r } = o;
  const pages = Math.max(1, Math.ceil(r.total / p.size));
  const sortLink = (key: SortKey, label: string, defDir: 'asc' | 'desc' = 'asc') => {
    const active = p.sort === key;
    const dir = active ? (p.dir === 'asc' ? 'desc' : 'asc') : defDir;
    const arrow = active ? (p.dir === 'asc' ? ' ▲' : ' ▼') : '';
    return `<a href="${esc(href('/', paramsOf(p, { sort: key, dir, page: 1 })))}"${active ? ' class="sorted"' : ''}>${esc(label)}${arrow}</a>`;
  };
  const sel = (name: string, label: string, values: [string, string][], current: string | undefined) =>
    `<label>${esc(label)}<select name="${name}"><option value="">全部</option>${values
      .map(([v, t]) => `<option value="${esc(v)}"${v === current ? ' selected' : ''}>${esc(t)}</option>`)
      .join('')}</select></label>`;
  const card = (cls: string, label: string, value: string | number, key: string) =>
    `<div class="card ${cls}" data-card="${key}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div></div>`;
  const wk = r.week;
  const body: string[] = [];
  body.push(`<h1>网站可用性与检查总览 <span class="muted small">${esc(wk.cur.week)}（${esc(wk.cur.from)} 至 ${esc(wk.cur.to)}）</span></h1>`);
  body.push(
    `<form class="filters" method="get" action="/" data-autosubmit>`,
    `<label>监测周<input type="week" name="week" value="${esc(p.week)}" pattern="\\d{4}-W\\d{2}"></label>`,
    `<label>搜索<input type="search" name="q" value="${esc(p.q ?? '')}" placeholder="名称、编号或网址" maxlength="100"></label>`,
    sel('rubric', '评分规则', o.facets.rubrics.map((x) => [x, rubricLabel(x)]), p.rubric),
    sel('region', '地区', o.facets.regions.map((x) => [x, x]), p.region),
    sel('flag', '筛选', Object.entries(FLAG_LABELS) as [string, string][], p.flag),
    p.sort !== 'site' ? `<input type="hidden" name="sort" value="${esc(p.sort)}"><input type="hidden" name="dir" value="${esc(p.dir)}">` : '',
    `<button type="submit" class="primary">查询</button>`,
    `<a class="button" href="${esc(href('/', { week: shiftWeekLabel(p.week, -1) }))}">上一周</a>`,
    `<a class="button" href="${esc(href('/', { week: shiftWeekLabel(p.week, 1) }))}">下一周</a>`,
    '</form>',
  );
  body.push(
    '<div class="cards">',
    card('', '网站', r.summary.sites, 'sites'),
    card('', '本周已监测', r.summary.probed, 'probed'),
    card(r.summary.vetoCur ? 'bad' : '', '本周失败占比≥5%', r.summary.vetoCur, 'veto-cur'),
    card(r.summary.vetoPrev ? 'bad' : '', `上周（${wk.prev.week}）≥5%`, r.summary.vetoPrev, 'veto-prev'),
    card(r.summary.warnCur ? 'warn' : '', `本周失败占比≥${pct(o.warnRatio)}（预警）`, r.summary.warnCur, 'warn'),
    card(r.notMeasuredHours > 0 ? 'warn' : '', '监测中断（小时）', r.notMeasuredHours, 'not-measured'),
    '</div>',
  );
  body.push(
    `<p class="small muted">失败占比 = 超过 15 秒仍打不开的次数 ÷ 监测次数；达到 5% 为单项否决线（“监测1周，每天间隔性访问20次以上”）。每天少于 20 次的日子记为采样不足，此时的否决结论仅供参考。</p>`,
  );
  const rows = o.rows.map((x) => {
    const s = x.site;
    const name = s.name ?? s.id;
    return (
      `<tr data-site="${esc(s.id)}"${x.cur.veto ? ' class="veto"' : ''}>` +
      `<td class="site"><a class="name" href="${esc(href(`/sites/${encodeURIComponent(s.id)}`, { week: p.week }))}">${esc(name)}</a>` +
      `<div class="id">${esc(s.id)}${s.configured ? '' : ' <span class="tag grey">未配置</span>'}</div>${s.url ? `<div class="small">${link(s.url, s.url, 60)}</div>` : ''}</td>` +
      `<td>${esc(s.region ?? '—')}</td><td>${esc(rubricLabel(s.rubric))}</td>` +
      ratioCell(x.cur, 'cur', o.warnRatio) +
      ratioCell(x.prev, 'prev', o.warnRatio) +
      auditCells(x.audit, [x.cur, x.prev]) +
      warningCell(x.warnings) +
      '</tr>'
    );
  });
  body.push(
    '<table class="sites"><thead><tr>',
    `<th>${sortLink('name', '网站')}</th><th>${sortLink('region', '地区')}</th><th>${sortLink('rubric', '评分规则')}</th>`,
    `<th class="num">${sortLink('cur', `本周失败占比（${wk.cur.week}）`, 'desc')}</th><th class="num">${sortLink('prev', `上周（${wk.prev.week}）`, 'desc')}</th>`,
    `<th class="num">${sortLink('score', '最新得分', 'asc')}</th><th>单否</th><th>检查日期</th><th>预警</th>`,
    '</tr></thead><tbody>',
    rows.length ? rows.join('\n') : '<tr><td colspan="9" class="muted">没有符合条件的网站。</td></tr>',
    '</tbody></table>',
    pager('/', paramsOf(p), p.page, pages),
    `<p class="export"><a class="button" data-export="week" href="${esc(href('/export/overview.xlsx', { ...paramsOf(p), page: undefined, size: undefined }))}">导出本周总览（Excel）</a> <a class="button" data-export="quarter" href="${esc(href('/export/overview.xlsx', { quarter: quarterLabel(wk.cur.from), rubric: p.rubric, region: p.region, q: p.q }))}">导出 ${esc(quarterLabel(wk.cur.from))} 季度总览（Excel）</a></p>`,
    `<p class="small muted">共 ${esc(r.total)} 个网站，每页 ${esc(p.size)} 个。数据接口：<a href="${esc(href('/api/sites', paramsOf(p)))}">/api/sites</a>、<a href="${esc(href('/api/availability', { week: p.week }))}">/api/availability</a></p>`,
  );
  return body.join('\n');
}

function quarterLabel(day: string): string {
  const [y, m] = day.split('-').map(Number);
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

export function shiftWeekLabel(week: string, n: number): string {
  return isValidWeek(week) ? shiftWeek(week, n) : week;
}


export interface ProbeLogRow {
  at: string;
  outcome: string;
  failed: boolean;
  status: number | null;
  ms: number;
  error: string | null;
  address: string | null;
  family: number | null;
  excluded: boolean;
  /** Queue mode: the vantage point, and 1 for the immediate retry after a failure. */
  vantage?: string;
  attempt?: number;
}

export interface HistoryRow {
  runId: number;
  asOf: string;
  startedAt: string;
  status: string;
  total?: number;
  provisional?: boolean;
  veto?: boolean;
}

export interface SitePageData {
  site: SiteRecord;
  configured: boolean;
  week: string;
  weekRange: { from: string; to: string };
  weeks: AvailabilityRow[];
  days: DailyAvailability[];
  probes: { rows: ProbeLogRow[]; total: number; page: number; size: number; filter: 'failed' | 'all' };
  run?: RunView;
  history: HistoryRow[];
  jobs: Job[];
  viewer: Viewer;
  warnRatio: number;
  minPerDay: number;
  /** The site's simulated inquiries (模拟咨询). */
  inquiries?: InquiryRecord[];
  /** Panels of the province views (routes-province.ts): after the site's head, and at the end. */
  extra?: { top?: string; bottom?: string };
  /** Offer 立即检查 (default true; the dashboard over the shared store leaves audits to the scheduler and workers). */
  runNow?: boolean;
  /** Show the 新媒体 tab (default true). */
  newMediaTab?: boolean;
}

function dayBars(days: DailyAvailability[], minPerDay: number): Bar[] {
  return days.map((d) => {
    const dow = (new Date(d.day + 'T00:00:00Z').getUTCDay() + 6) % 7;
    const thin = d.probes > 0 && d.probes < minPerDay;
    return {
      key: d.day,
      label: d.day.slice(5),
      sublabel: `周${WEEKDAYS[dow]} ${d.probes}次`,
      probes: d.probes,
      failures: d.failures,
      thin,
      title: `${d.day}：监测 ${d.probes} 次，打不开 ${d.failures} 次，失败占比 ${pct(d.ratio, d.probes)}${thin ? '（采样不足 20 次）' : ''}`,
    };
  });
}

function weekBars(rows: AvailabilityRow[]): Bar[] {
  return rows.map((w) => ({
    key: w.week,
    label: w.week.slice(5),
    sublabel: `${w.probes}次`,
    probes: w.probes,
    failures: w.failures,
    thin: w.probes > 0 && w.insufficientDays > 0,
    title: `${w.week}（${w.from} 至 ${w.to}）：监测 ${w.probes} 次，打不开 ${w.failures} 次，失败占比 ${pct(w.ratio, w.probes)}${w.insufficientDays ? `，采样不足 ${w.insufficientDays} 天` : ''}`,
  }));
}

export function sitePage(d: SitePageData): string {
  const s = d.site;
  const here = href(`/sites/${encodeURIComponent(s.id)}`, { week: d.week });
  const out: string[] = [];
  out.push(`<p class="small"><a href="${esc(href('/', { week: d.week }))}">← 返回总览</a></p>`);
  out.push(`<h1>${esc(s.name ?? s.id)} <span class="muted small">${esc(s.id)}</span></h1>`);
  if (d.newMediaTab !== false) out.push(`<nav class="tabs"><a class="active" href="${esc(here)}">概况</a> <a href="${esc(`/sites/${encodeURIComponent(s.id)}/newmedia`)}">新媒体</a></nav>`);
  const meta: [string, string][] = [
    ['网址', s.url ? link(s.url, s.url, 100) : '—'],
    ['地区', esc(s.region ?? '—')],
    ['评分规则', esc(rubricLabel(s.rubric))],
    ['配置', d.configured ? '已在 sites.yaml 中配置' : '未配置（仅有数据库记录）'],
  ];
  out.push(`<section class="panel"><dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`);
  if (d.configured && d.runNow !== false) {
    if (d.viewer.reviewer)
      out.push(
        `<form method="post" action="/api/sites/${esc(encodeURIComponent(s.id))}/run" class="inline">${csrfField(d.viewer)}${backField(here)}<p><button type="submit" class="primary">立即检查</button> <span class="small muted">按 sites.yaml 中的设置抓取并评分，需要几分钟</span></p></form>`,
      );
    else out.push(`<p class="small"><a href="${esc(href('/login', { next: here }))}">登录</a>后可立即检查该网站。</p>`);
  }
  for (const j of d.jobs.slice(0, 3)) {
    const st = j.status === 'queued' ? '排队中' : j.status === 'running' ? '检查中' : j.status === 'done' ? '已完成' : '失败';
    const live = j.status === 'queued' || j.status === 'running' ? ` data-job="${esc(j.id)}"` : '';
    out.push(
      `<p class="job">${esc(when(j.createdAt))} ${esc(j.requestedBy)} 发起的检查：<span${live}>${esc(st)}${j.error ? `：${esc(oneLine(zhText(j.error), 200))}` : ''}${j.runId ? `（<a href="/runs/${j.runId}">#${j.runId}</a>）` : ''}</span></p>`,
    );
  }
  out.push('</section>');
  if (d.extra?.top) out.push(d.extra.top);

  // Availability
  const cur = d.weeks[d.weeks.length - 1];
  out.push(`<section class="panel" id="availability"><h2>可用性监测</h2>`);
  out.push(
    `<form class="filters" method="get" action="/sites/${esc(encodeURIComponent(s.id))}" data-autosubmit><label>监测周<input type="week" name="week" value="${esc(d.week)}"></label><button type="submit">查看</button>` +
      `<a class="button" href="${esc(href(`/sites/${encodeURIComponent(s.id)}`, { week: shiftWeekLabel(d.week, -1) }))}">上一周</a>` +
      `<a class="button" href="${esc(href(`/sites/${encodeURIComponent(s.id)}`, { week: shiftWeekLabel(d.week, 1) }))}">下一周</a></form>`,
  );
  if (cur) {
    const tags: string[] = [];
    const verdict = availabilityVerdict(cur);
    const maint = maintenancePendingReason(cur);
    if (verdict === 'veto') tags.push('<span class="tag bad">失败占比达到 5%，单项否决（不合格）</span>');
    else if (maint) tags.push(`<span class="tag warn" data-maintenance="pending">待定：${esc(maint)}（见下方“维护时段”）</span>`);
    else if (cur.veto) tags.push('<span class="tag warn">失败占比已达 5%，监测周未结束或采样不足，待监测完成后判定</span>');
    else if (verdict === 'pending') tags.push('<span class="tag grey">待监测（监测周未结束、采样不足或无数据）</span>');
    if (cur.insufficientDays > 0) tags.push(`<span class="tag warn">采样不足 ${esc(cur.insufficientDays)} 天${cur.complete ? '' : '（含未结束的日子）'}</span>`);
    if (cur.notMeasuredHours > 0) tags.push(`<span class="tag grey">监测中断 ${esc(cur.notMeasuredHours)} 小时</span>`);
    const cm = cur.maintenance;
    if (cm && !maint && (cm.excludedProbes || cm.countedProbes || cm.pendingProbes))
      tags.push(`<span class="tag info" data-maintenance="${cm.pendingProbes ? 'pending' : 'decided'}">维护时段内监测 ${esc(cm.pendingProbes + cm.excludedProbes + cm.countedProbes)} 次${cm.excludedProbes ? `，其中 ${esc(cm.excludedProbes)} 次不计入` : ''}</span>`);
    out.push(
      `<p data-testid="week-summary">${esc(cur.week)}（${esc(cur.from)} 至 ${esc(cur.to)}）：监测 <b>${esc(cur.probes)}</b> 次，打不开 <b>${esc(cur.failures)}</b> 次，失败占比 <b class="ratio ${cur.veto ? 'bad' : ''}">${esc(pct(cur.ratio, cur.probes))}</b> ${tags.join('')}</p>`,
    );
  }
  out.push(
    '<div class="charts">',
    `<figure>${ratioBarChart(dayBars(d.days, d.minPerDay), { id: 'daily', title: `${d.week} 每日失败占比`, warnRatio: d.warnRatio })}<figcaption class="small muted">${esc(d.week)} 每日失败占比（虚线为 5% 否决线）</figcaption></figure>`,
    `<figure>${ratioBarChart(weekBars(d.weeks), { id: 'weekly', title: '最近 8 周失败占比', warnRatio: d.warnRatio })}<figcaption class="small muted">最近 8 周每周失败占比</figcaption></figure>`,
    '</div>',
  );
  out.push(
    '<h3>每日数据</h3><table class="days" data-table="daily"><thead><tr><th>日期</th><th class="num">监测次数</th><th class="num">打不开次数</th><th class="num">失败占比</th><th>采样</th></tr></thead><tbody>',
    d.days
      .map((x) => {
        const dow = (new Date(x.day + 'T00:00:00Z').getUTCDay() + 6) % 7;
        return `<tr data-day="${esc(x.day)}"><td>${esc(x.day)}（周${WEEKDAYS[dow]}）</td><td class="num">${esc(x.probes)}</td><td class="num">${esc(x.failures)}</td><td class="num">${esc(pct(x.ratio, x.probes))}</td><td>${x.probes === 0 ? '<span class="muted">无数据</span>' : x.sufficient ? '<span class="tag ok">充足</span>' : `<span class="tag warn">不足 ${esc(d.minPerDay)} 次</span>`}</td></tr>`;
      })
      .join(''),
    '</tbody></table>',
    '<h3>最近 8 周</h3><table class="weeks" data-table="weekly"><thead><tr><th>周</th><th>日期</th><th class="num">监测次数</th><th class="num">打不开次数</th><th class="num">失败占比</th><th>结论</th></tr></thead><tbody>',
    d.weeks
      .map(
        (w) =>
          `<tr data-week="${esc(w.week)}"><td><a href="${esc(href(`/sites/${encodeURIComponent(s.id)}`, { week: w.week }))}">${esc(w.week)}</a></td><td>${esc(w.from)} 至 ${esc(w.to)}</td><td class="num">${esc(w.probes)}</td><td class="num">${esc(w.failures)}</td><td class="num">${esc(pct(w.ratio, w.probes))}</td><td>${w.probes === 0 ? '<span class="muted">未监测</span>' : availabilityVerdict(w) === 'veto' ? '<span class="tag bad">≥5% 单否</span>' : availabilityVerdict(w) === 'pending' ? (maintenancePendingReason(w) ? '<span class="tag warn">维护时段待决定</span>' : `<span class="tag warn">${w.veto ? '≥5% ' : ''}待监测</span>`) : '<span class="tag ok">未达否决线</span>'}${w.probes > 0 && w.insufficientDays ? ` <span class="tag warn">采样不足 ${esc(w.insufficientDays)} 天</span>` : ''}${w.complete ? '' : ' <span class="tag grey">进行中</span>'}</td></tr>`,
      )
      .join(''),
    '</tbody></table>',
  );
  // Probe log
  const pl = d.probes;
  const plPages = Math.max(1, Math.ceil(pl.total / pl.size));
  const plBase = `/sites/${encodeURIComponent(s.id)}`;
  out.push(
    `<h3 id="probes">监测记录（${esc(d.week)}，${pl.filter === 'failed' ? '仅打不开的' : '全部'} ${esc(pl.total)} 条）</h3>`,
    `<p class="small">${pl.filter === 'failed' ? `<a href="${esc(href(plBase, { week: d.week, probes: 'all' }, 'probes'))}">显示全部记录</a>` : `<a href="${esc(href(plBase, { week: d.week }, 'probes'))}">只看打不开的</a>`}</p>`,
  );
  if (pl.rows.length) {
    out.push(
      '<table class="probes"><thead><tr><th>时间</th><th>结果</th><th class="num">状态码</th><th class="num">耗时</th><th>原因</th><th>地址</th></tr></thead><tbody>',
      pl.rows
        .map(
          (r) =>
            `<tr${r.failed ? ' class="veto"' : ''}><td class="nowrap">${esc(when(r.at))}</td><td>${r.failed ? `<span class="tag bad">${esc(OUTCOME_LABELS[r.outcome as ProbeOutcome] ?? r.outcome)}</span>` : `<span class="tag ok">${esc(OUTCOME_LABELS[r.outcome as ProbeOutcome] ?? r.outcome)}</span>`}${r.excluded ? ' <span class="tag grey" title="监测端网络故障，不计入">不计入</span>' : ''}</td><td class="num">${esc(r.status ?? '—')}</td><td class="num">${esc((r.ms / 1000).toFixed(1))} 秒</td><td class="break">${esc(oneLine(zhProbeNote(r.error ?? ''), 200))}</td><td class="small">${r.vantage ? `监测点 ${esc(r.vantage)}${r.attempt ? '（立即重试）' : ''} · ` : ''}${esc(r.address ?? '')}${r.family ? ` (IPv${esc(r.family)})` : ''}</td></tr>`,
        )
        .join(''),
      '</tbody></table>',
      pager(plBase, { week: d.week, probes: pl.filter === 'all' ? 'all' : undefined }, pl.page, plPages, 'ppage'),
    );
  } else out.push('<p class="muted">本周没有符合条件的监测记录。</p>');
  out.push('</section>');

  // Audit
  if (d.run) out.push(runBlock(d.run));
  else out.push('<section class="panel" id="audit"><h2>检查与评分</h2><p class="muted">尚无已完成的检查。</p></section>');

  if (d.inquiries) out.push(inquiryBlock(s.id, d.inquiries, d.viewer, here, s.url ?? undefined));

  // History
  out.push('<section class="panel" id="history"><h2>历次检查得分</h2>');
  const scored = d.history.filter((h) => h.total !== undefined).slice().reverse();
  if (scored.length > 1)
    out.push(
      scoreLineChart(
        scored.map((h) => ({ key: String(h.runId), label: h.asOf.slice(5), total: h.total!, provisional: !!h.provisional, title: `${h.asOf} 检查 #${h.runId}：${formatPoints(h.total)} 分${h.provisional ? '（暂定）' : ''}` })),
        { id: 'history', title: '历次检查得分' },
      ),
    );
  if (d.history.length) {
    out.push(
      '<table class="history"><thead><tr><th>检查</th><th>监测时间点</th><th>开始时间</th><th>状态</th><th class="num">得分</th><th>单否</th></tr></thead><tbody>',
      d.history
        .map(
          (h) =>
            `<tr data-run="${h.runId}"><td><a href="/runs/${h.runId}">#${h.runId}</a></td><td>${esc(h.asOf)}</td><td>${esc(when(h.startedAt))}</td><td>${esc(runStatusText(h.status))}</td><td class="num">${h.total === undefined ? '—' : `${esc(formatPoints(h.total))}${h.provisional ? ' <span class="provisional small">暂定</span>' : ''}`}</td><td>${h.veto ? '<span class="tag bad">单否</span>' : ''}</td></tr>`,
        )
        .join(''),
      '</tbody></table>',
    );
  } else out.push('<p class="muted">尚无检查记录。</p>');
  out.push('</section>');
  if (d.extra?.bottom) out.push(d.extra.bottom);
  return out.join('\n');
}

export function runPage(v: RunView, site: SiteRecord | undefined): string {
  const back = site ? `<a href="/sites/${esc(encodeURIComponent(site.id))}">← ${esc(site.name ?? site.id)}</a>` : '<a href="/">← 返回总览</a>';
  const name = v.report.site.name ?? site?.name ?? v.report.site.url;
  return [
    `<p class="small">${back}</p>`,
    `<h1>${esc(name)} · 检查 #${esc(v.run.id)} <span class="muted small">${esc(v.report.asOf)}</span></h1>`,
    `<p class="small">${link(v.report.site.url, v.report.site.url, 100)}</p>`,
    runBlock(v),
    decisionsSection(v.report, v.run.id),
  ].join('\n');
}

export function findingsPage(v: RunView, title: string): string {
  return [
    `<p class="small"><a href="/runs/${v.run.id}#findings">← 返回检查 #${esc(v.run.id)}</a></p>`,
    `<h1>${esc(title)} <span class="muted small">检查 #${esc(v.run.id)}</span></h1>`,
  ].join('\n');
}

export function loginPage(o: { next: string; error?: string; viewer: Viewer; reviewer?: string }): string {
  if (o.viewer.reviewer)
    return `<section class="login"><h1>已登录</h1><p>当前评审人：${esc(o.viewer.reviewer)}</p><p><a href="${esc(o.next)}">继续</a></p></section>`;
  return [
    '<section class="login"><h1>评审登录</h1>',
    '<p class="small muted">输入看板的操作口令（启动 govsite serve 时由 --token-file 或环境变量 GOVSITE_TOKEN 指定）。复核、人工评分和立即检查需要登录。</p>',
    o.error ? `<div class="flash error">${esc(o.error)}</div>` : '',
    '<form method="post" action="/login">',
    `<input type="hidden" name="next" value="${esc(o.next)}">`,
    // After a wrong token the name stays filled in and the token field takes the focus.
    `<label for="reviewer">评审人姓名</label><input id="reviewer" type="text" name="reviewer" required maxlength="60" autocomplete="name" value="${esc(o.reviewer ?? '')}">`,
    `<label for="token">操作口令</label><input id="token" type="password" name="token" required autocomplete="current-password"${o.error && o.reviewer ? ' autofocus' : ''}>`,
    '<button type="submit" class="primary">登录</button>',
    '</form></section>',
  ].join('\n');
}
