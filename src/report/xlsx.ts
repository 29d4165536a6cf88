/**
 * Excel workbook of an audit (exceljs): 评分表 (the score sheet, laid out like the seed table, with a totals block),
 * 问题清单 (one row per finding) and 复核排除 (reviewer-excluded findings, when any).
 *
 * Crawled strings are always written as string cells (never formulas); strings that a spreadsheet would read as a
 * formula when re-typed or exported to CSV (leading = + - @ or tab) get a leading apostrophe.
 */
import ExcelJS from 'exceljs';
import type { Finding } from '../model.ts';
import type { ScoreResult } from '../score/types.ts';
import {
  type AuditReport,
  type SheetRow,
  basisLine,
  bonusRows,
  checkTitle,
  cleanText,
  detailText,
  evidenceSummary,
  findingFlags,
  formatTime,
  level1Spans,
  oneLine,
  overallVerdict,
  partitionFindings,
  pendingBreakdown,
  pendingCount,
  reportRubric,
  roundPoints,
  safeHttpUrl,
  scopeLines,
  scoreSheetRows,
  truncate,
  vetoVerdict,
} from './audit-report.ts';

/** Excel's limit for one cell's text. */
const MAX_CELL_CHARS = 32_000;

export const SCORE_SHEET = '评分表';
export const FINDINGS_SHEET = '问题清单';
export const EXCLUDED_SHEET = '复核排除';
export const SCOPES_SHEET = '检测范围';

export const SCORE_HEADERS = ['一级指标', '二级指标', '评分细则', '分值', '扣分', '得分', '扣分依据'] as const;
export const FINDINGS_HEADERS = ['检查项', '页面', '目标', '详情', '说明', '证据', '状态'] as const;
export const EXCLUDED_HEADERS = ['检查项', '页面', '目标', '详情', '说明', '证据', '排除理由', '复核人'] as const;
export const SCOPES_HEADERS = ['检查项', '状态', '检测内容或原因'] as const;

/** Row of the score sheet's column headers (rows 1–2 hold the title and the audit's identification). */
export const SCORE_HEADER_ROW = 3;

/**
 * Text safe for a spreadsheet cell: control characters removed, length capped, and a leading apostrophe when the
 * text would otherwise start a formula (= + - @, tab), so it stays inert if re-typed or exported to CSV.
 */
export function cellText(value: unknown): string {
  const s = truncate(cleanText(value), MAX_CELL_CHARS);
  return /^[\s\u3000]*[=+\-@\t]/.test(s) ? `'${s}` : s;
}

function num(v: number | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? roundPoints(v) : null;
}

/** A hyperlink cell for an http(s) URL; plain text otherwise. */
function urlCell(url: unknown): ExcelJS.CellValue {
  const text = cellText(oneLine(url, 2000));
  const href = safeHttpUrl(url);
  return href ? { text, hyperlink: href } : text;
}

const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FFB0B7C0' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8ECF0' } };
const PENDING_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF6D6' } };
const FAILED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDE2E1' } };
const WRAP_TOP: Partial<ExcelJS.Alignment> = { wrapText: true, vertical: 'top' };

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.eachCell((c) => {
    c.fill = HEADER_FILL;
    c.border = BORDER;
    c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
}

function basisText(r: SheetRow): string {
  const lines: string[] = [];
  for (const b of r.basis) {
    lines.push(basisLine(b));
    const shown = b.findings.slice(0, 20);
    for (const f of shown) {
      const target = f.target ? ` → ${oneLine(f.target, 300)}` : '';
      const anchor = typeof f.evidence?.anchorText === 'string' && f.evidence.anchorText ? `（${oneLine(f.evidence.anchorText, 60)}）` : '';
      lines.push(`  · ${oneLine(f.url, 300)}${target}${anchor}`);
    }
    if (b.findings.length > shown.length) lines.push(`  · 另有 ${b.findings.length - shown.length} 处，见问题清单`);
    if (b.manual?.evidence) lines.push(`  · 人工评分依据：${oneLine(b.manual.evidence, 300)}`);
  }
  return lines.join('\n');
}

function addScoreSheet(wb: ExcelJS.Workbook, report: AuditReport): void {
  const ws = wb.addWorksheet(SCORE_SHEET, {
    views: [{ state: 'frozen', ySplit: SCORE_HEADER_ROW }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  });
  ws.columns = [{ width: 14 }, { width: 16 }, { width: 60 }, { width: 8 }, { width: 12 }, { width: 10 }, { width: 60 }];
  const name = oneLine(report.site?.name ?? '', 100);
  ws.mergeCells(1, 1, 1, SCORE_HEADERS.length);
  ws.getCell(1, 1).value = cellText(`${name || oneLine(report.site?.url, 200)} 政府网站检查评分表`);
  ws.getCell(1, 1).font = { bold: true, size: 16 };
  ws.getCell(1, 1).alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 28;
  ws.mergeCells(2, 1, 2, SCORE_HEADERS.length);
  ws.getCell(2, 1).value = cellText(
    `网址：${oneLine(report.site?.url, 300)}　监测时间点：${oneLine(report.asOf, 40)}　评分规则：${oneLine(report.rubric, 80)}　检查时间：${formatTime(report.startedAt)} 至 ${formatTime(report.finishedAt)}`,
  );
  ws.getCell(2, 1).alignment = { wrapText: true, vertical: 'middle' };
  const header = ws.getRow(SCORE_HEADER_ROW);
  header.values = [...SCORE_HEADERS];
  styleHeader(header);

  const score = report.score;
  if (!score) {
    ws.mergeCells(SCORE_HEADER_ROW + 1, 1, SCORE_HEADER_ROW + 1, SCORE_HEADERS.length);
    ws.getCell(SCORE_HEADER_ROW + 1, 1).value = '本次检查未计算得分（未指定评分规则或评分未完成）';
    return;
  }
  const rubric = reportRubric(report);
  const rows = [...scoreSheetRows(score, { rubric }), ...bonusRows(score, { rubric })];
  const first = SCORE_HEADER_ROW + 1;
  rows.forEach((r, i) => {
    const row = ws.getRow(first + i);
    const isVeto = r.kind === 'veto';
    const isBonus = r.kind === 'bonus';
    row.getCell(2).value = cellText(r.level2 + (r.tags.length ? `（${r.tags.join('、')}）` : ''));
    row.getCell(3).value = cellText(r.rules);
    row.getCell(4).value = isVeto ? '单否' : num(r.max);
    // 扣分: a number for scored items; empty for veto, bonus and skipped rows; the word for pending items.
    row.getCell(5).value = isVeto || isBonus || r.skipped ? null : r.pending && !r.partialPending ? r.deductedText : num(r.deducted);
    // 得分: 否决/通过/待人工评分 for veto rows, 不考核 for skipped items, else a number.
    row.getCell(6).value = isVeto || r.skipped ? r.scoreText : num(r.score);
    row.getCell(7).value = cellText(basisText(r));
    for (let c = 1; c <= SCORE_HEADERS.length; c++) {
      const cell = row.getCell(c);
      cell.border = BORDER;
      cell.alignment = c >= 4 && c <= 6 ? { vertical: 'top', horizontal: 'center', wrapText: true } : WRAP_TOP;
      if (c > 1 && (r.failed || r.pending || r.tags.length)) cell.fill = r.failed ? FAILED_FILL : PENDING_FILL;
    }
    if ((r.deducted ?? 0) > 0) row.getCell(5).font = { bold: true, color: { argb: 'FFB42318' } };
  });
  for (const s of level1Spans(rows)) {
    const top = first + s.start;
    const bottom = top + s.count - 1;
    if (s.count > 1) ws.mergeCells(top, 1, bottom, 1);
    const cell = ws.getCell(top, 1);
    cell.value = cellText(s.label);
    cell.font = { bold: true };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.border = BORDER;
  }
  totalsBlock(ws, score, first + rows.length + 1);
}

/** Totals: label in column A, value in column B. Starts one blank row below the sheet. */
function totalsBlock(ws: ExcelJS.Worksheet, score: ScoreResult, start: number): void {
  const pc = pendingCount(score);
  const v = vetoVerdict(score);
  const lines: [string, ExcelJS.CellValue, string?][] = [['基础分', num(score.base)]];
  if (typeof score.prorated === 'number') lines.push(['折合基础分', num(score.prorated)]);
  lines.push(['加分', num(score.bonus)]);
  lines.push(['总分', num(score.total), score.provisional ? '暂定' : undefined]);
  lines.push(['单否结论', v.text]);
  if (score.veto?.reasons?.length) lines.push(['单否理由', cellText(score.veto.reasons.map((r) => oneLine(r, 500)).join('\n'))]);
  lines.push(['结论', cellText(overallVerdict(score))]);
  const kinds = pendingBreakdown(score);
  lines.push(['待定项', pc.total, pc.total ? `指标 ${pc.items} 项，加分项 ${pc.bonus} 项，单否项 ${pc.veto} 项${kinds ? `（${kinds}）` : ''}` : kinds || undefined]);
  lines.forEach(([label, value, note], i) => {
    const row = ws.getRow(start + i);
    row.getCell(1).value = label;
    row.getCell(1).font = { bold: true };
    row.getCell(2).value = value;
    row.getCell(2).alignment = WRAP_TOP;
    if (note) row.getCell(3).value = note;
    for (let c = 1; c <= 2; c++) row.getCell(c).border = BORDER;
    if (label === '总分') row.getCell(2).font = { bold: true, size: 14, color: { argb: 'FFB42318' } };
    if (label === '单否结论' && v.state === 'failed') row.getCell(2).font = { bold: true, color: { argb: 'FFB42318' } };
  });
}

function findingCells(f: Finding): ExcelJS.CellValue[] {
  return [
    cellText(checkTitle(f.check)),
    urlCell(f.url),
    f.target ? urlCell(f.target) : null,
    cellText(detailText(f, 2000)),
    cellText(oneLine(f.message, 1000)),
    cellText(evidenceSummary(f.evidence, 500)),
  ];
}

function addTable(ws: ExcelJS.Worksheet, headers: readonly string[], widths: number[], rows: ExcelJS.CellValue[][]): void {
  ws.columns = widths.map((width) => ({ width }));
  const header = ws.getRow(1);
  header.values = [...headers];
  styleHeader(header);
  rows.forEach((values, i) => {
    const row = ws.getRow(i + 2);
    values.forEach((v, c) => {
      const cell = row.getCell(c + 1);
      cell.value = v;
      cell.alignment = WRAP_TOP;
      cell.border = BORDER;
    });
  });
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + rows.length, column: headers.length } };
}

/** Renders the workbook as an .xlsx buffer. */
export async function renderXlsx(report: AuditReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'govsite';
  const finished = new Date(report.finishedAt);
  if (!Number.isNaN(finished.getTime())) {
    wb.created = finished;
    wb.modified = finished;
  }
  addScoreSheet(wb, report);

  const { active, excluded, awaiting, doubtful } = partitionFindings(report);
  const state = (lead: string, f: Finding) => cellText([lead, ...findingFlags(f).filter((x) => !lead.startsWith(x))].filter(Boolean).join('，'));
  const findingRows: ExcelJS.CellValue[][] = [
    ...active.map((f) => [...findingCells(f), state('', f)]),
    ...awaiting.map((f) => [...findingCells(f), state('待确认（复核确认后计入）', f)]),
    ...doubtful.map((f) => [...findingCells(f), state('未核实（不计扣分）', f)]),
  ];
  const fws = wb.addWorksheet(FINDINGS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  addTable(fws, FINDINGS_HEADERS, [18, 50, 50, 30, 40, 60, 18], findingRows);

  const scopes = scopeLines(report);
  if (scopes.length) {
    const sws = wb.addWorksheet(SCOPES_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    addTable(sws, SCOPES_HEADERS, [24, 12, 90], scopes.map((l) => [cellText(l.kind === 'gatherer' ? `补充采集：${l.title}` : l.title), cellText(l.status), cellText(l.text)]));
  }
  if (excluded.length) {
    const ews = wb.addWorksheet(EXCLUDED_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    addTable(
      ews,
      EXCLUDED_HEADERS,
      [18, 50, 50, 30, 40, 60, 40, 12],
      excluded.map((e) => [...findingCells(e.finding), cellText(oneLine(e.reason, 1000)), cellText(oneLine(e.reviewer ?? '', 60))]),
    );
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.isBuffer(out) ? out : Buffer.from(out as ArrayBuffer);
}
