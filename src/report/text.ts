/**
 * Short Chinese summary of an audit for the terminal. Crawled text is stripped of control characters so a page
 * cannot move the cursor or recolour the terminal; colours come only from this renderer (when `color` is on).
 */
import type { Finding } from '../model.ts';
import type { Rubric } from '../score/rubric.ts';
import {
  type AuditReport,
  bonusRows,
  checkTitle,
  evidenceEntries,
  findingFlags,
  findingKey,
  formatPoints,
  formatTime,
  groupFindingsByCheck,
  manualNotices,
  MANUAL_NOTICES_TITLE,
  messageHead,
  oneLine,
  overallVerdict,
  partitionFindings,
  pendingBreakdown,
  pendingCount,
  reportRubric,
  scoreSheetRows,
  vetoVerdict,
} from './audit-report.ts';
import { interactionLines } from './interaction.ts';
import { zhText } from './zh.ts';

export interface RenderTextOptions {
  /** ANSI colours (default false). */
  color?: boolean;
  /** Findings listed per check (default 3). */
  maxPerCheck?: number;
  /** Lines listed per 未核实 / 待确认 block (default 20). */
  maxOpen?: number;
  /** The rubric, for the rules' texts (default: loaded by the report's rubric id). */
  rubric?: Rubric;
}

const ANSI = { bold: '1', red: '31', green: '32', yellow: '33', dim: '2', cyan: '36' } as const;
type Style = keyof typeof ANSI;

export function renderText(report: AuditReport, opts: RenderTextOptions = {}): string {
  const paint = (s: string, ...styles: Style[]) =>
    opts.color && styles.length ? `\x1b[${styles.map((st) => ANSI[st]).join(';')}m${s}\x1b[0m` : s;
  const maxPerCheck = Math.max(0, opts.maxPerCheck ?? 3);
  const lines: string[] = [];
  const s = report.stats ?? ({} as AuditReport['stats']);
  const name = oneLine(report.site?.name ?? '', 100);
  const url = oneLine(report.site?.url ?? '', 300);

  lines.push(paint(`政府网站检查：${name ? `${name} ` : ''}${url}`, 'bold'));
  lines.push(`监测时间点：${oneLine(report.asOf, 40)}　评分规则：${oneLine(report.rubric, 80)}`);
  lines.push(`检查时间：${formatTime(report.startedAt)} 至 ${formatTime(report.finishedAt)}`);
  let crawl = `抓取页面：${s.pagesCrawled ?? 0} 个`;
  if (typeof s.pagesFailed === 'number' && s.pagesFailed > 0) crawl += `（失败 ${s.pagesFailed} 个）`;
  lines.push(crawl);
  let links = `检查链接：${s.linksChecked ?? 0} 条，无法打开：${s.brokenLinks ?? 0} 条`;
  if (typeof s.unverifiedLinks === 'number' && s.unverifiedLinks > 0) links += `，无法确认：${s.unverifiedLinks} 条（不计扣分）`;
  lines.push((s.brokenLinks ?? 0) > 0 ? paint(links, 'yellow') : links);
  if (report.browser && !report.browser.available) {
    lines.push(paint(`浏览器：不可用${report.browser.reason ? `（${oneLine(zhText(report.browser.reason), 120)}）` : ''}`, 'yellow'));
  }

  const score = report.score;
  const { active, excluded, awaiting, doubtful } = partitionFindings(report);
  const maxOpen = Math.max(0, opts.maxOpen ?? 20);
  if (score) {
    lines.push('');
    const v = vetoVerdict(score);
    const prov = score.provisional ? '（暂定）' : '';
    lines.push(paint(`总分：${formatPoints(score.total)}${prov}`, 'bold', score.provisional ? 'yellow' : v.state === 'failed' ? 'red' : 'green'));
    let base = `基础分：${formatPoints(score.base)}`;
    if (typeof score.prorated === 'number') base += `（折合 ${formatPoints(score.prorated)}）`;
    lines.push(`${base}　加分：${formatPoints(score.bonus)}`);
    lines.push(paint(`单否：${v.text}`, v.state === 'failed' ? 'red' : v.state === 'pending' ? 'yellow' : 'green'));
    for (const r of score.veto?.reasons ?? []) lines.push(paint(`  - ${oneLine(zhText(r), 200)}`, 'red'));
    lines.push(`结论：${overallVerdict(score)}`);
    const pc = pendingCount(score);
    if (pc.total > 0) {
      const parts = [pc.items && `指标 ${pc.items} 项`, pc.bonus && `加分项 ${pc.bonus} 项`, pc.veto && `单否项 ${pc.veto} 项`].filter(Boolean);
      lines.push(paint(`待定：${pc.total} 项（${parts.join('，')}；其中${pendingBreakdown(score)}）`, 'yellow'));
    } else {
      lines.push('待定：0 项');
    }

    // Rows the machine could not decide, with the reasons (未核实 / 待监测): a person checks them.
    const rubric = opts.rubric ?? reportRubric(report);
    const rows = [...scoreSheetRows(score, { rubric }), ...bonusRows(score, { rubric })];
    const undecided = rows.flatMap((r) =>
      r.basis.filter((b) => b.kind === 'unverified' || b.kind === 'monitor').map((b) => `${b.tag} ${r.kind === 'veto' ? `${r.level2} 单否` : `${r.level2} `}${b.text}`),
    );
    if (undecided.length) {
      lines.push('');
      lines.push(paint(`未核实 / 待监测：${undecided.length} 项（机器无法判断，不扣分，需人工核实或补足监测）`, 'bold', 'yellow'));
      for (const u of undecided.slice(0, maxOpen)) lines.push(`  - ${oneLine(u, 300)}`);
      if (undecided.length > maxOpen) lines.push(paint(`  … 另有 ${undecided.length - maxOpen} 项`, 'dim'));
    }
    // Findings waiting for a reviewer (待确认), under the row they would change.
    if (awaiting.length) {
      const rowOf = new Map<string, string>();
      for (const r of rows) for (const b of r.basis) if (b.kind === 'awaiting' || b.kind === 'proposal') for (const f of b.findings) rowOf.set(findingKey(f), r.level2);
      lines.push('');
      lines.push(paint(`待确认：${awaiting.length} 条机器发现（复核确认后计入扣分或加分，确认前不计）`, 'bold', 'yellow'));
      for (const f of awaiting.slice(0, maxOpen)) {
        const row = rowOf.get(findingKey(f));
        lines.push(`  - ${row ? `${row} · ` : ''}${checkTitle(f.check)}：${messageHead(f, 160)}`);
        lines.push(paint(`      ${findingWhere(f)}`, 'dim'));
      }
      if (awaiting.length > maxOpen) lines.push(paint(`  … 另有 ${awaiting.length - maxOpen} 条`, 'dim'));
    }
    const mn = manualNotices(score);
    if (mn.length) {
      lines.push(paint(`${MANUAL_NOTICES_TITLE}：${mn.length} 条`, 'yellow', 'bold'));
      for (const n of mn) lines.push(paint(`  - ${oneLine(n, 300)}`, 'yellow'));
    }
  }

  lines.push('');
  lines.push(paint(`发现问题：${active.length} 条`, 'bold'));
  for (const g of groupFindingsByCheck(active)) {
    lines.push(`  ${g.title}（${g.check}）：${g.findings.length} 条`);
    for (const f of g.findings.slice(0, maxPerCheck)) {
      const flags = findingFlags(f);
      lines.push(`    - ${oneLine(f.message, 120)}${flags.length ? `［${flags.join('，')}］` : ''}`);
      lines.push(paint(`      ${findingWhere(f)}`, 'dim'));
    }
    if (g.findings.length > maxPerCheck) lines.push(paint(`    … 另有 ${g.findings.length - maxPerCheck} 条`, 'dim'));
  }
  if (excluded.length) lines.push(`复核排除：${excluded.length} 条（不计扣分）`);
  if (awaiting.length && !score) lines.push(paint(`待确认：${awaiting.length} 条（人工确认后计入）`, 'yellow'));
  if (doubtful.length) lines.push(paint(`未核实的机器发现：${doubtful.length} 条（不计扣分，详见 HTML 或 Excel 报告）`, 'yellow'));

  const hd = interactionLines(report);
  if (hd.length) {
    lines.push('');
    lines.push(paint('互动交流：', 'bold'));
    for (const l of hd) lines.push(paint(`  ${l.label}：${oneLine(l.text, 300)}`, ...(l.undecided ? (['yellow'] as Style[]) : [])));
  }

  const notes = Array.isArray(report.notes) ? report.notes : [];
  if (notes.length) {
    lines.push('');
    for (const n of notes) lines.push(paint(`注：${oneLine(zhText(n), 300)}`, 'yellow'));
  }
  return lines.join('\n') + '\n';
}

/** "页面 → 目标（锚文本）" of a finding, one line. */
function findingWhere(f: Finding): string {
  const anchor = evidenceEntries(f.evidence, 40).find((e) => e.label === '锚文本');
  const target = f.target ? ` → ${oneLine(f.target, 200)}` : '';
  return `${oneLine(f.url, 200)}${target}${anchor ? `（${anchor.value}）` : ''}`;
}
