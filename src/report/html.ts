/**
 * Self-contained Chinese HTML report of an audit: inline CSS, no script, no external assets (the homepage
 * screenshot is embedded as a data URI). Every piece of crawled text is escaped; only http(s) URLs become links,
 * and a Content-Security-Policy forbids scripts and remote loads even if something slipped through.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '../model.ts';
import { interactionLines } from './interaction.ts';
import type { Rubric } from '../score/rubric.ts';
import type { ScoreResult } from '../score/types.ts';
import {
  type AuditReport,
  type SheetBasis,
  type SheetRow,
  bonusRows,
  checkTitle,
  cleanText,
  detailText,
  evidenceEntries,
  findingFlags,
  formatPoints,
  formatTime,
  groupFindingsByCheck,
  level1Spans,
  manualNotices,
  MANUAL_NOTICES_TITLE,
  messageHead,
  oneLine,
  overallVerdict,
  partitionFindings,
  pendingBreakdown,
  pendingCount,
  PENDING_TEXT,
  reportRubric,
  safeHttpUrl,
  type ScopeLine,
  scopeLines,
  scoreSheetRows,
  vetoVerdict,
} from './audit-report.ts';
import { zhText } from './zh.ts';

export interface RenderHtmlOptions {
  /** Reads the screenshot file; returns undefined/throws when unreadable. Default: fs.readFileSync. */
  readFile?: (path: string) => Uint8Array | undefined | null;
  /** Findings listed per check before "另有 N 条" (default 500). */
  maxFindingsPerCheck?: number;
  /** Findings linked per deduction in the score sheet (default 10). */
  maxFindingsPerDeduction?: number;
  /** Screenshots larger than this are not embedded (default 15 MB). */
  maxScreenshotBytes?: number;
  /** The rubric, for the rules' texts (default: loaded by the report's rubric id; without it rules read 第N条). */
  rubric?: Rubric;
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return cleanText(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const esc = escapeHtml;

/** A link to a crawled URL (http/https only); anything else is shown as plain text. */
function link(url: unknown, text?: unknown, max = 120): string {
  const label = oneLine(text ?? url, max);
  const href = safeHttpUrl(url);
  if (!href) return `<span class="nolink">${esc(label)}</span>`;
  return `<a href="${esc(href)}" rel="noopener noreferrer nofollow" target="_blank">${esc(label)}</a>`;
}

/** Multi-line crawled or rubric text: escaped, newlines kept by CSS (white-space: pre-wrap). */
function block(text: unknown, max = 4000): string {
  const s = cleanText(text);
  return esc(s.length > max ? s.slice(0, max) + '…' : s);
}

function sniffImage(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

function defaultReadFile(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:24px;font:14px/1.6 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;color:#1f2328;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;background:#fff;padding:24px 32px;border:1px solid #d8dee4;border-radius:6px}
h1{font-size:24px;margin:0 0 8px}
h2{font-size:19px;margin:32px 0 12px;padding-bottom:6px;border-bottom:2px solid #b42318}
h3{font-size:16px;margin:20px 0 8px}
a{color:#0b57d0;word-break:break-all}
.nolink{color:#57606a;word-break:break-all}
.site{font-size:16px;margin:0 0 12px}
dl.meta{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:4px 16px;margin:0}
dl.meta dt{color:#57606a}
dl.meta dd{margin:0}
.notes{background:#fff8e6;border-left:4px solid #d4a72c;padding:8px 12px;margin:16px 0 0}
.notes p{margin:2px 0}
.veto{border:2px solid #d8dee4;border-radius:6px;padding:12px 16px;margin-top:16px}
.veto.failed{border-color:#b42318;background:#fef3f2}
.veto.pending{border-color:#d4a72c;background:#fff8e6}
.veto.passed{border-color:#1a7f37;background:#f0fff4}
.veto .verdict{font-size:18px;font-weight:700;margin:0 0 6px}
.veto.failed .verdict{color:#b42318}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d8dee4;border-radius:6px;padding:10px 16px;min-width:140px}
.card .label{color:#57606a;font-size:13px}
.card .value{font-size:24px;font-weight:700}
.card.total .value{color:#b42318}
.provisional{color:#9a6700;font-weight:700}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f0f3f6;white-space:nowrap}
td.num{text-align:right;white-space:nowrap}
td.rules{white-space:pre-wrap;font-size:13px;color:#424a53;min-width:260px}
td.level1{font-weight:700;text-align:center;vertical-align:middle;width:7em}
td.level2{white-space:nowrap}
tr.pending td{background:#fffbe6}
tr.failed td{background:#fef3f2}
tr.skipped td{color:#8c959f}
tr.deducted td.num.deducted{color:#b42318;font-weight:700}
.tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:10px;border:1px solid;margin-left:4px;white-space:nowrap}
.tag.pending{color:#9a6700;border-color:#d4a72c;background:#fff8e6}
.tag.warn{color:#6e7781;border-color:#afb8c1;background:#f6f8fa}
.tag.bad{color:#b42318;border-color:#f04438;background:#fef3f2}
.tag.ok{color:#1a7f37;border-color:#4ac26b;background:#f0fff4}
.tag.info{color:#0b57d0;border-color:#8ab4f8;background:#eef4ff}
.basis > .tag:first-child{margin-left:0;margin-right:4px}
.rule-id{color:#8c959f;font-size:11px;margin-left:4px;font-family:ui-monospace,monospace}
.clauses{margin:6px 0 0;padding-left:18px}
.basis{margin:0 0 6px}
.basis ul,.evidence{margin:2px 0 0;padding-left:18px;font-size:13px}
.evidence{list-style:none;padding:0}
.evidence li{margin:1px 0;word-break:break-all}
.evidence .k{color:#57606a}
.more{color:#57606a;font-size:13px}
.empty{color:#57606a}
.shot img{max-width:100%;border:1px solid #d0d7de}
footer{margin-top:32px;color:#8c959f;font-size:12px}
@media print{body{background:#fff;padding:0}main{border:0;padding:0}a{color:inherit}}
@page{size:A4;margin:14mm 12mm}
@media print{main{max-width:none}#sheet,#bonus,#findings,#excluded,#unconfirmed,#screenshot,#manual-notices{break-before:page}h2,h3{break-after:avoid}tr,li,.card{break-inside:avoid}thead{display:table-header-group}.veto{break-inside:avoid}td.rules{min-width:0}.shot img{max-height:250mm;object-fit:contain}}
`;

export function renderHtml(report: AuditReport, opts: RenderHtmlOptions = {}): string {
  const maxPerCheck = opts.maxFindingsPerCheck ?? 500;
  const maxPerDeduction = opts.maxFindingsPerDeduction ?? 10;
  const siteName = oneLine(report.site?.name || '', 100);
  const title = `${siteName || oneLine(report.site?.url, 100)} 政府网站检查报告`;
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body><main>',
  );
  parts.push(header(report, siteName));
  const score = report.score;
  if (score) {
    const rubric = opts.rubric ?? reportRubric(report);
    const rows = scoreSheetRows(score, { rubric });
    parts.push(manualNoticesSection(score), vetoSection(score, rows), totalSection(score), sheetSection(score, rows, maxPerDeduction), bonusSection(score, bonusRows(score, { rubric })));
  } else {
    parts.push('<section id="score"><h2>评分</h2><p class="empty">本次检查未计算得分（未指定评分规则或评分未完成）。</p></section>');
  }
  const { active, excluded, awaiting, doubtful } = partitionFindings(report);
  parts.push(interactionSection(report));
  parts.push(findingsSection(active, maxPerCheck));
  parts.push(excludedSection(excluded));
  parts.push(unconfirmedSection(awaiting, doubtful));
  parts.push(scopeSection(report));
  parts.push(screenshotSection(report, opts));
  parts.push(
    `<footer>本报告由 govsite 自动生成。机器检测结果供检查人员参考，标注“未核实”“待监测”“待确认”“未经渲染确认”“待人工评分”的内容需人工确认或评分。</footer>`,
    '</main></body></html>',
  );
  return parts.join('\n');
}

function header(report: AuditReport, siteName: string): string {
  const s = report.stats ?? ({} as AuditReport['stats']);
  const meta: [string, string][] = [
    ['监测时间点', esc(report.asOf)],
    ['评分规则', esc(report.rubric)],
    ['开始时间', esc(formatTime(report.startedAt))],
    ['结束时间', esc(formatTime(report.finishedAt))],
    ['抓取页面', `${esc(s.pagesCrawled ?? 0)} 个`],
    ['检查链接', `${esc(s.linksChecked ?? 0)} 条`],
    ['无法打开链接', `${esc(s.brokenLinks ?? 0)} 条`],
  ];
  if (typeof s.unverifiedLinks === 'number') meta.push(['无法确认链接', `${esc(s.unverifiedLinks)} 条`]);
  if (typeof s.pagesFailed === 'number') meta.push(['抓取失败页面', `${esc(s.pagesFailed)} 个`]);
  if (report.browser) {
    meta.push([
      '浏览器渲染',
      report.browser.available ? '可用' : `不可用${report.browser.reason ? `（${esc(oneLine(zhText(report.browser.reason), 200))}）` : ''}`,
    ]);
  }
  if (typeof report.runId === 'number') meta.push(['运行编号', esc(report.runId)]);
  const notes = Array.isArray(report.notes) && report.notes.length
    ? `<div class="notes">${report.notes.map((n) => `<p>${esc(oneLine(zhText(n), 500))}</p>`).join('')}</div>`
    : '';
  return [
    '<header>',
    '<h1>政府网站检查报告</h1>',
    `<p class="site">${siteName ? `${esc(siteName)}　` : ''}${link(report.site?.url, report.site?.url, 200)}</p>`,
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`,
    notes,
    '</header>',
  ].join('\n');
}

function manualNoticesSection(score: ScoreResult): string {
  const mn = manualNotices(score);
  if (!mn.length) return '';
  return [
    '<section id="manual-notices" class="notes">',
    `<h2>${esc(MANUAL_NOTICES_TITLE)}（${esc(mn.length)} 条）</h2>`,
    `<ul>${mn.map((n) => `<li>${esc(oneLine(n, 500))}</li>`).join('')}</ul>`,
    '</section>',
  ].join('\n');
}

/** A state word as a tag: 不合格 / 未核实 / 待监测 / 待确认 / 待人工评分 / 未发现 … */
function stateTag(word: string): string {
  const cls = word === '不合格' ? 'bad' : word === '未发现' || word === '机器检测' || word === '加分' ? 'ok' : word === PENDING_TEXT || word === '待确认' ? 'pending' : word === '合计' || word === '检测范围' ? 'info' : 'warn';
  return `<span class="tag ${cls}">${esc(word)}</span>`;
}

/** Rule ids in small print, after the Chinese text they belong to. */
function ruleIds(ids: readonly string[] | undefined): string {
  return ids?.length ? `<span class="rule-id">${esc(ids.join(' '))}</span>` : '';
}

function vetoSection(score: ScoreResult, rows: readonly SheetRow[]): string {
  const v = vetoVerdict(score);
  const out = [`<section id="veto" class="veto ${v.state}">`, '<h2>单否项</h2>', `<p class="verdict">单否结论：${esc(v.text)}</p>`];
  const lines = (kinds: string[]) =>
    rows
      .filter((r) => r.kind === 'veto')
      .flatMap((r) => r.basis.filter((b) => kinds.includes(b.kind ?? '')).map((b) => ({ r, b })));
  const failed = lines(['failed']);
  if (failed.length) out.push(`<ul class="reasons">${failed.map(({ r, b }) => `<li>${esc(r.level2)}：${esc(b.text)}${ruleIds(b.ids)}</li>`).join('')}</ul>`);
  // Clauses the machine could not decide, with their reasons; those only a person can judge, by number per 二级指标
  // (their texts are in the score sheet below).
  const open = lines(['unverified', 'monitor', 'awaiting']).map(({ r, b }) => `<li>${stateTag(b.tag ?? PENDING_TEXT)}${esc(r.level2)}${esc(b.text)}${ruleIds(b.ids)}</li>`);
  const manual = new Map<string, { nos: string[]; ids: string[] }>();
  for (const { r, b } of lines(['pending'])) {
    const m = manual.get(r.level2) ?? { nos: [], ids: [] };
    m.nos.push(/^第(\S+?)项/.exec(b.text)?.[1] ?? '');
    m.ids.push(...(b.ids ?? []));
    manual.set(r.level2, m);
  }
  for (const [level2, m] of manual) open.push(`<li>${stateTag(PENDING_TEXT)}${esc(level2)}第${esc(m.nos.filter(Boolean).join('、'))}项${ruleIds(m.ids)}</li>`);
  if (open.length) out.push(`<p>尚未判定的单否指标：</p><ul class="veto-pending">${open.join('')}</ul>`);
  if (!failed.length && !open.length && v.state === 'passed') out.push('<p class="empty">机器检测与人工评分均未发现单否情形。</p>');
  out.push('</section>');
  return out.join('\n');
}

function totalSection(score: ScoreResult): string {
  const prov = score.provisional ? '<span class="provisional">（暂定）</span>' : '';
  const pc = pendingCount(score);
  const card = (cls: string, label: string, value: string, extra = '') =>
    `<div class="card ${cls}"><div class="label">${esc(label)}</div><div class="value">${value}${extra}</div></div>`;
  const cards = [
    card('total', '总分', esc(formatPoints(score.total)), prov),
    card('base', '基础分', esc(formatPoints(score.base))),
  ];
  if (typeof score.prorated === 'number') cards.push(card('prorated', '折合基础分', esc(formatPoints(score.prorated))));
  cards.push(card('bonus', '加分', esc(formatPoints(score.bonus))));
  cards.push(card('verdict', '结论', esc(overallVerdict(score))));
  cards.push(card('pending', '待定项', `${esc(pc.total)} 项`));
  const kinds = pendingBreakdown(score);
  const note = score.provisional
    ? `<p class="provisional">${pc.total ? `有 ${esc(pc.total)} 项待定（${esc(kinds)}）` : `有 ${esc(kinds || '机器发现')}待处理`}，总分为暂定值，人工评分、核实或确认后可能变化。</p>`
    : '';
  return ['<section id="total">', '<h2>得分</h2>', `<div class="cards">${cards.join('')}</div>`, note, '</section>'].join('\n');
}

const BASIS_EVIDENCE = new Set(['锚文本', '页面标题', '片段', '栏目', '最近更新', '状态码', '错误', '核实', '确认方式']);

function findingItem(f: Finding): string {
  const bits = [`${esc(messageHead(f, 200))}：`, link(f.url, f.url, 100)];
  if (f.target) bits.push(`→ ${link(f.target, f.target, 100)}`);
  const ev = evidenceEntries(f.evidence, 200)
    .filter((e) => BASIS_EVIDENCE.has(e.label))
    .map((e) => `<span class="k">${esc(e.label)}：</span>${esc(e.value)}`);
  return `<li>${bits.join(' ')}${ev.length ? `<br>${ev.join('；')}` : ''}</li>`;
}

function basisHtml(b: SheetBasis, maxPerDeduction: number): string {
  const items = b.findings.slice(0, maxPerDeduction).map(findingItem);
  const more = b.findings.length > maxPerDeduction ? `<li class="more">另有 ${esc(b.findings.length - maxPerDeduction)} 处，见问题清单</li>` : '';
  const manualEv = b.manual?.evidence
    ? `<ul><li><span class="k">人工评分依据：</span>${safeHttpUrl(b.manual.evidence) ? link(b.manual.evidence) : esc(oneLine(b.manual.evidence, 300))}</li></ul>`
    : '';
  return `<div class="basis">${basisHead(b)}${items.length || more ? `<ul>${items.join('')}${more}</ul>` : ''}${manualEv}</div>`;
}

/** A 扣分依据 line's head: its state tag, the Chinese text, the rule ids in small print. Shared with the dashboard. */
export function basisHead(b: SheetBasis): string {
  return `${b.tag ? stateTag(b.tag) : ''}${esc(b.text)}${ruleIds(b.ids)}`;
}

/**
 * The rows of a score sheet (一级/二级指标, 评分细则, 分值, 扣分, 得分, 扣分依据; the bonus table has no 扣分 column),
 * shared by this report and the dashboard's run page, which render the 扣分依据 cell and the state tags their own way.
 */
export function sheetRowsHtml(rows: SheetRow[], bonus: boolean, cell: { basis: (b: SheetBasis) => string; tag: (word: string) => string }): string {
  const spans = level1Spans(rows);
  const spanAt = new Map(spans.map((s) => [s.start, s]));
  const out: string[] = [];
  rows.forEach((r, i) => {
    const cls = [r.kind, r.pending ? 'pending' : '', r.skipped ? 'skipped' : '', r.failed ? 'failed' : '', (r.deducted ?? 0) > 0 ? 'deducted' : '']
      .filter(Boolean)
      .join(' ');
    const cells: string[] = [];
    const span = spanAt.get(i);
    if (span) cells.push(`<td class="level1"${span.count > 1 ? ` rowspan="${span.count}"` : ''}>${esc(span.label)}</td>`);
    cells.push(`<td class="level2">${esc(r.level2)}${r.tags.map(cell.tag).join('')}</td>`);
    cells.push(`<td class="rules">${block(r.rules)}</td>`);
    cells.push(`<td class="num max">${esc(r.maxText)}</td>`);
    if (!bonus) cells.push(`<td class="num deducted">${esc(r.deductedText)}</td>`);
    cells.push(`<td class="num score">${esc(r.scoreText)}</td>`);
    cells.push(`<td class="basis-cell">${r.basis.map(cell.basis).join('')}</td>`);
    out.push(`<tr class="${cls}" data-id="${esc(r.id)}">${cells.join('')}</tr>`);
  });
  return out.join('\n');
}

/** The report's own 扣分依据 cell and pending tag. */
function reportCell(maxPerDeduction: number) {
  return { basis: (b: SheetBasis) => basisHtml(b, maxPerDeduction), tag: (w: string) => `<span class="tag ${w === PENDING_TEXT || w === '待确认' ? 'pending' : 'warn'}">${esc(w)}</span>` };
}

function sheetSection(score: ScoreResult, rows: SheetRow[], maxPerDeduction: number): string {
  if (!rows.length) return '<section id="sheet"><h2>评分表</h2><p class="empty">无评分指标。</p></section>';
  return [
    '<section id="sheet">',
    '<h2>评分表</h2>',
    '<table class="sheet"><thead><tr><th>一级指标</th><th>二级指标</th><th>评分细则</th><th>分值</th><th>扣分</th><th>得分</th><th>扣分依据</th></tr></thead><tbody>',
    sheetRowsHtml(rows, false, reportCell(maxPerDeduction)),
    '</tbody>',
    `<tfoot><tr><td colspan="5">基础分${typeof score.prorated === 'number' ? `（折合 ${esc(formatPoints(score.prorated))}）` : ''}</td><td class="num">${esc(formatPoints(score.base))}</td><td></td></tr></tfoot>`,
    '</table>',
    '</section>',
  ].join('\n');
}

function bonusSection(score: ScoreResult, rows: SheetRow[]): string {
  if (!rows.length) return '<section id="bonus"><h2>加分项</h2><p class="empty">无加分项。</p></section>';
  return [
    '<section id="bonus">',
    '<h2>加分项</h2>',
    '<table class="bonus"><thead><tr><th>一级指标</th><th>二级指标</th><th>评分细则</th><th>分值</th><th>得分</th><th>加分依据</th></tr></thead><tbody>',
    sheetRowsHtml(rows, true, reportCell(10)),
    '</tbody>',
    `<tfoot><tr><td colspan="4">加分合计</td><td class="num">${esc(formatPoints(score.bonus))}</td><td></td></tr></tfoot>`,
    '</table>',
    '</section>',
  ].join('\n');
}

function evidenceList(f: Finding): string {
  const entries = evidenceEntries(f.evidence, 300);
  if (!entries.length) return '';
  return `<ul class="evidence">${entries.map((e) => `<li><span class="k">${esc(e.label)}：</span>${esc(e.value)}</li>`).join('')}</ul>`;
}

function findingRow(f: Finding, cols: { lead?: string; extra?: string } = {}): string {
  const flags = findingFlags(f).map((t) => `<span class="tag warn">${esc(t)}</span>`).join('');
  const { lead, extra } = cols;
  return (
    '<tr>' +
    (lead !== undefined ? `<td>${lead}</td>` : '') +
    `<td>${esc(oneLine(f.message, 500))}${flags}</td>` +
    `<td>${link(f.url, f.url, 120)}</td>` +
    `<td>${f.target ? link(f.target, f.target, 120) : ''}</td>` +
    `<td>${esc(detailText(f, 500))}</td>` +
    `<td>${evidenceList(f)}</td>` +
    (extra !== undefined ? `<td>${extra}</td>` : '') +
    '</tr>'
  );
}

const FINDING_HEAD = '<th>说明</th><th>页面</th><th>目标</th><th>详情</th><th>证据</th>';

function findingsSection(findings: Finding[], maxPerCheck: number): string {
  const out = ['<section id="findings">', `<h2>问题清单（${esc(findings.length)} 条）</h2>`];
  if (!findings.length) out.push('<p class="empty">机器检测未发现问题。</p>');
  for (const g of groupFindingsByCheck(findings)) {
    out.push(`<h3 data-check="${esc(g.check)}">${esc(g.title)}（${esc(g.findings.length)} 条）</h3>`);
    out.push(`<table class="findings"><thead><tr>${FINDING_HEAD}</tr></thead><tbody>`);
    for (const f of g.findings.slice(0, maxPerCheck)) out.push(findingRow(f));
    out.push('</tbody></table>');
    if (g.findings.length > maxPerCheck) {
      out.push(`<p class="more">另有 ${esc(g.findings.length - maxPerCheck)} 条未列出，完整清单见 JSON 或 Excel 报告。</p>`);
    }
  }
  out.push('</section>');
  return out.join('\n');
}

function excludedSection(excluded: { finding: Finding; reason: string; reviewer?: string }[]): string {
  if (!excluded.length) return '';
  const rows = excluded.map((e) => {
    const who = `${esc(oneLine(e.reason, 300))}${e.reviewer ? `（复核人：${esc(oneLine(e.reviewer, 60))}）` : ''}`;
    return findingRow(e.finding, { lead: esc(checkTitle(e.finding.check)), extra: who });
  });
  return [
    '<section id="excluded">',
    `<h2>复核排除（${esc(excluded.length)} 条）</h2>`,
    '<p>以下机器检测结果经人工复核排除，不计扣分。</p>',
    `<table class="findings"><thead><tr><th>检查项</th>${FINDING_HEAD}<th>排除理由</th></tr></thead><tbody>`,
    ...rows,
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

function unconfirmedSection(awaiting: Finding[], doubtful: Finding[]): string {
  const all = [...awaiting, ...doubtful];
  if (!all.length) return '';
  const table = (list: Finding[]) => [
    `<table class="findings"><thead><tr><th>检查项</th>${FINDING_HEAD}</tr></thead><tbody>`,
    ...list.map((f) => findingRow(f, { lead: esc(checkTitle(f.check)) })),
    '</tbody></table>',
  ];
  const out = ['<section id="unconfirmed">', `<h2>待确认与未核实（${esc(all.length)} 条）</h2>`];
  if (awaiting.length) out.push(`<h3>待确认（${esc(awaiting.length)} 条）</h3>`, '<p>以下机器发现需检查人员复核确认后才计入扣分（或加分）。</p>', ...table(awaiting));
  if (doubtful.length) out.push(`<h3>未核实（${esc(doubtful.length)} 条）</h3>`, '<p>以下结果机器无法核实（如未经浏览器渲染确认），不计扣分，供人工核实。</p>', ...table(doubtful));
  out.push('</section>');
  return out.join('\n');
}

/** 检测范围: what each check examined, or why it could not decide; what each gatherer read. */
function scopeSection(report: AuditReport): string {
  const lines = scopeLines(report);
  if (!lines.length) return '';
  const row = (l: ScopeLine) =>
    `<tr data-${l.kind}="${esc(l.id)}"><td>${esc(l.title)}</td><td><span class="tag ${l.ok ? 'ok' : 'warn'}">${esc(l.status)}</span></td><td>${esc(l.text)}</td></tr>`;
  const checks = lines.filter((l) => l.kind === 'check');
  const gatherers = lines.filter((l) => l.kind === 'gatherer');
  const out = ['<section id="scopes">', '<h2>检测范围</h2>', '<p>各检查项检测了什么；未核实、未运行的检查项所对应的评分细则不扣分，需人工核实。</p>'];
  if (checks.length) out.push('<table class="scopes"><thead><tr><th>检查项</th><th>状态</th><th>检测内容或原因</th></tr></thead><tbody>', ...checks.map(row), '</tbody></table>');
  if (gatherers.length) out.push('<h3>补充采集</h3><table class="scopes"><thead><tr><th>采集器</th><th>状态</th><th>采集内容或原因</th></tr></thead><tbody>', ...gatherers.map(row), '</tbody></table>');
  out.push('</section>');
  return out.join('\n');
}

function screenshotSection(report: AuditReport, opts: RenderHtmlOptions): string {
  if (!report.screenshot) return '';
  const maxBytes = opts.maxScreenshotBytes ?? 15 * 1024 * 1024;
  let bytes: Uint8Array | undefined | null;
  try {
    bytes = (opts.readFile ?? defaultReadFile)(report.screenshot);
  } catch {
    bytes = undefined;
  }
  const head = '<section id="screenshot" class="shot"><h2>首页截图</h2>';
  if (!bytes || bytes.length === 0) return `${head}<p class="empty">截图文件无法读取：${esc(report.screenshot)}</p></section>`;
  if (bytes.length > maxBytes) return `${head}<p class="empty">截图文件过大，未嵌入：${esc(report.screenshot)}</p></section>`;
  const mime = sniffImage(bytes);
  if (!mime) return `${head}<p class="empty">截图文件不是 PNG/JPEG 图片：${esc(report.screenshot)}</p></section>`;
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return `${head}<img src="data:${mime};base64,${b64}" alt="首页截图"></section>`;
}

/** 互动交流: channels, letters read, undecided parts and the reply-latency distribution (see report/interaction.ts). */
function interactionSection(report: AuditReport): string {
  const rows = interactionLines(report);
  if (!rows.length) return '';
  return [
    '<section id="interaction">',
    '<h2>互动交流</h2>',
    `<table class="interaction"><tbody>${rows.map((r) => `<tr${r.undecided ? ' class="pending"' : ''}><th>${esc(r.label)}</th><td>${esc(oneLine(r.text, 600))}</td></tr>`).join('')}</tbody></table>`,
    '</section>',
  ].join('\n');
}
