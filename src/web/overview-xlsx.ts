/**
 * The province overview as one Excel workbook (exceljs): one row per unit — the table inspectors send upward.
 *
 * Week export (`?week=2021-W24`): availability this week and last week with the 单否 verdict of each (the one
 * verdict function, availabilityVerdict), the latest score (暂定 or not), the 单否 verdict and its reasons, warnings.
 * Quarter export (`?quarter=2021-Q2`): the latest audit whose monitoring time point falls in the quarter, the
 * quarter's availability, the weeks judged 单否 / 待定, and the warnings of the quarter.
 *
 * Strings are written as text cells (never formulas; a leading = + - @ gets an apostrophe, see report/xlsx.ts).
 */
import ExcelJS from 'exceljs';
import { cellText } from '../report/xlsx.ts';
import { availabilityVerdict, AVAILABILITY_VERDICT_ZH, countedNumbers, type AvailabilityRow } from '../monitor/ratios.ts';
import { CONDITION_LABELS, type WarningCondition } from '../monitor/warnings.ts';
import { formatPoints, oneLine } from '../report/audit-report.ts';
import type { ScoreResult } from '../score/types.ts';
import type { SiteRecord, WeekNumbers } from './sites-index.ts';
import { rubricLabel } from './views.ts';

export interface ExportAudit {
  runId: number;
  asOf: string;
  total?: number;
  provisional?: boolean;
  score?: Pick<ScoreResult, 'veto' | 'verdict'>;
}

export interface WeekExportRow {
  site: SiteRecord;
  cur: WeekNumbers;
  prev: WeekNumbers;
  audit?: ExportAudit;
  warnings: { condition: string; message: string; sent: boolean }[];
}

export interface QuarterExportRow {
  site: SiteRecord;
  weeks: AvailabilityRow[];
  audit?: ExportAudit;
  /** Warnings delivered in the quarter: condition → count. */
  warnings: { condition: string; count: number }[];
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8ECF0' } };
const BAD_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDE2E1' } };
const WARN_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF6D6' } };
const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FFB0B7C0' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

function pct(r: number | null | undefined): string {
  return r === null || r === undefined || !Number.isFinite(r) ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

/** The unit's 单否 verdict and reasons: availability weeks first (a complete, sampled week at ≥ 5 %), then the audit's. */
export function vetoSummary(audit: ExportAudit | undefined, weeks: readonly { week: string; probes: number; failures: number; insufficientDays: number; maintenance?: WeekNumbers['maintenance'] }[]): {
  state: 'failed' | 'pending' | 'passed' | 'none';
  text: string;
  reasons: string[];
} {
  const reasons: string[] = [];
  for (const w of weeks) {
    if (availabilityVerdict(w) === 'veto') {
      const c = countedNumbers(w);
      reasons.push(`可用性：${w.week} 首页打不开 ${c.failures}/${c.probes} 次（${pct(c.ratio)}），达到 5%`);
    }
  }
  const v = audit?.score?.veto;
  for (const r of v?.reasons ?? []) reasons.push(oneLine(r, 300));
  if (reasons.length) return { state: 'failed', text: '不合格（单否）', reasons };
  if (!audit || audit.total === undefined) return { state: 'none', text: '未检查', reasons };
  const pending = v?.pending ?? [];
  if (pending.length) return { state: 'pending', text: `待定（${pending.length} 项单否指标待评）`, reasons: pending.map((p) => `待评：${p}`) };
  return { state: 'passed', text: '未触发', reasons };
}

function weekCell(w: WeekNumbers): string {
  if (w.probes === 0) return '未监测';
  const v = availabilityVerdict(w);
  const c = countedNumbers(w);
  const thin = w.complete ? w.insufficientDays : w.insufficientEndedDays;
  const m = w.maintenance;
  const notes = [
    v === 'veto' ? '单否' : v === 'pending' && c.probes > 0 && c.failures * 20 >= c.probes ? '≥5% 待定' : '',
    m?.pendingProbes ? `维护时段 ${m.pendingProbes} 次待决定` : '',
    m?.excludedProbes ? `不含维护时段 ${m.excludedProbes} 次` : '',
    thin ? `采样不足 ${thin} 天` : '',
    w.complete ? '' : '进行中',
  ].filter(Boolean);
  return `${pct(c.ratio)}（${c.failures}/${c.probes} 次）${notes.length ? ` ${notes.join('，')}` : ''}`;
}

function setup(wb: ExcelJS.Workbook, name: string, title: string, sub: string, headers: string[], widths: number[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 3, xSplit: 1 }], pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.mergeCells(1, 1, 1, headers.length);
  ws.getCell(1, 1).value = title;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.mergeCells(2, 1, 2, headers.length);
  ws.getCell(2, 1).value = sub;
  ws.getCell(2, 1).font = { color: { argb: 'FF57606A' } };
  const h = ws.getRow(3);
  headers.forEach((t, i) => {
    const c = h.getCell(i + 1);
    c.value = t;
    c.font = { bold: true };
    c.fill = HEADER_FILL;
    c.border = BORDER;
    c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  ws.autoFilter = { from: { row: 3, column: 1 }, to: { row: 3, column: headers.length } };
  return ws;
}

function addRow(ws: ExcelJS.Worksheet, values: ExcelJS.CellValue[], state: string): void {
  const row = ws.addRow(values.map((v) => (typeof v === 'string' ? cellText(v) : v)));
  row.eachCell({ includeEmpty: true }, (c) => {
    c.border = BORDER;
    c.alignment = { vertical: 'top', wrapText: true };
    if (state === 'failed') c.fill = BAD_FILL;
    else if (state === 'pending') c.fill = WARN_FILL;
  });
}

export const WEEK_HEADERS = [
  '单位名称', '网站编号', '网址', '地区', '评分规则', '最新检查（监测时间点）', '最新得分', '暂定', '单否结论', '单否理由',
  '本周失败占比', '本周可用性结论', '上周失败占比', '上周可用性结论', '预警',
];

export async function weekOverviewXlsx(o: { week: string; prevWeek: string; range: { from: string; to: string }; generatedAt: string; rows: WeekExportRow[] }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'govsite';
  const ws = setup(
    wb,
    '总览',
    `政府网站检查总览（${o.week}，${o.range.from} 至 ${o.range.to}）`,
    `共 ${o.rows.length} 个网站；生成于 ${o.generatedAt}（北京时间）；失败占比 = 超过 15 秒仍打不开的次数 ÷ 监测次数，达到 5% 为单项否决线；“暂定”表示仍有待人工评分或待确认的项目。`,
    WEEK_HEADERS,
    [22, 14, 30, 10, 8, 16, 9, 6, 16, 48, 24, 12, 24, 12, 36],
  );
  for (const r of o.rows) {
    const veto = vetoSummary(r.audit, [r.cur, r.prev]);
    const a = r.audit;
    addRow(
      ws,
      [
        r.site.name ?? r.site.id,
        r.site.id,
        r.site.url ?? '',
        r.site.region ?? '',
        rubricLabel(r.site.rubric),
        a ? `#${a.runId}（${a.asOf}）` : '未检查',
        a?.total !== undefined ? Number(formatPoints(a.total)) : '',
        a?.total !== undefined ? (a.provisional ? '是' : '否') : '',
        veto.text,
        veto.reasons.join('\n'),
        weekCell(r.cur),
        r.cur.probes ? AVAILABILITY_VERDICT_ZH[availabilityVerdict(r.cur)] : '待监测',
        weekCell(r.prev),
        r.prev.probes ? AVAILABILITY_VERDICT_ZH[availabilityVerdict(r.prev)] : '待监测',
        r.warnings.map((w) => `${CONDITION_LABELS[w.condition as WarningCondition] ?? w.condition}${w.sent ? '（已通知）' : ''}`).join('\n'),
      ],
      veto.state,
    );
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const QUARTER_HEADERS = [
  '单位名称', '网站编号', '网址', '地区', '评分规则', '季度内最新检查（监测时间点）', '得分', '暂定', '单否结论', '单否理由',
  '季度失败占比', '单否周', '待定周', '季度内预警',
];

export async function quarterOverviewXlsx(o: { quarter: string; range: { from: string; to: string }; generatedAt: string; rows: QuarterExportRow[] }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'govsite';
  const ws = setup(
    wb,
    '总览',
    `政府网站检查总览（${o.quarter}，${o.range.from} 至 ${o.range.to}）`,
    `共 ${o.rows.length} 个网站；生成于 ${o.generatedAt}（北京时间）；单否周：完整监测且失败占比达到 5% 的周；待定周：未监测完整或维护时段待决定而无法下结论的周。`,
    QUARTER_HEADERS,
    [22, 14, 30, 10, 8, 18, 9, 6, 16, 48, 22, 18, 18, 30],
  );
  for (const r of o.rows) {
    const veto = vetoSummary(r.audit, r.weeks);
    const a = r.audit;
    const probes = r.weeks.reduce((s, w) => s + countedNumbers(w).probes, 0);
    const failures = r.weeks.reduce((s, w) => s + countedNumbers(w).failures, 0);
    const vetoWeeks = r.weeks.filter((w) => availabilityVerdict(w) === 'veto').map((w) => w.week);
    const pendingWeeks = r.weeks.filter((w) => w.probes > 0 && availabilityVerdict(w) === 'pending').map((w) => w.week);
    addRow(
      ws,
      [
        r.site.name ?? r.site.id,
        r.site.id,
        r.site.url ?? '',
        r.site.region ?? '',
        rubricLabel(r.site.rubric),
        a ? `#${a.runId}（${a.asOf}）` : '季度内未检查',
        a?.total !== undefined ? Number(formatPoints(a.total)) : '',
        a?.total !== undefined ? (a.provisional ? '是' : '否') : '',
        veto.text,
        veto.reasons.join('\n'),
        probes ? `${pct(failures / probes)}（${failures}/${probes} 次）` : '未监测',
        vetoWeeks.join('、'),
        pendingWeeks.join('、'),
        r.warnings.map((w) => `${CONDITION_LABELS[w.condition as WarningCondition] ?? w.condition} ${w.count} 次`).join('\n'),
      ],
      veto.state,
    );
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
