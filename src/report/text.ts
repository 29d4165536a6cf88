/**
 * Short Chinese summary of an audit for the terminal. Crawled text is stripped of control characters so a page
 * cannot move the cursor or recolour the terminal; colours come only from this renderer (when `color` is on).
 */
import {
  type AuditReport,
  evidenceEntries,
  findingFlags,
  formatPoints,
  formatTime,
  groupFindingsByCheck,
  manualNotices,
  MANUAL_NOTICES_TITLE,
  oneLine,
  overallVerdict,
  partitionFindings,
  pendingCount,
  PENDING_TEXT,
  vetoVerdict,
} from './audit-report.ts';
import { interactionLines } from './interaction.ts';

export interface RenderTextOptions {
  /** ANSI colours (default false). */
  color?: boolean;
  /** Findings listed per check (default 3). */
  maxPerCheck?: number;
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
    lines.push(paint(`浏览器：不可用${report.browser.reason ? `（${oneLine(report.browser.reason, 120)}）` : ''}`, 'yellow'));
  }

  const score = report.score;
  if (score) {
    lines.push('');
    const v = vetoVerdict(score);
    const prov = score.provisional ? '（暂定）' : '';
    lines.push(paint(`总分：${formatPoints(score.total)}${prov}`, 'bold', score.provisional ? 'yellow' : v.state === 'failed' ? 'red' : 'green'));
    let base = `基础分：${formatPoints(score.base)}`;
    if (typeof score.prorated === 'number') base += `（折合 ${formatPoints(score.prorated)}）`;
    lines.push(`${base}　加分：${formatPoints(score.bonus)}`);
    lines.push(paint(`单否：${v.text}`, v.state === 'failed' ? 'red' : v.state === 'pending' ? 'yellow' : 'green'));
    for (const r of score.veto?.reasons ?? []) lines.push(paint(`  - ${oneLine(r, 200)}`, 'red'));
    lines.push(`结论：${overallVerdict(score)}`);
    const pc = pendingCount(score);
    if (pc.total > 0) {
      const parts = [pc.items && `指标 ${pc.items} 项`, pc.bonus && `加分项 ${pc.bonus} 项`, pc.veto && `单否项 ${pc.veto} 项`].filter(Boolean);
      lines.push(paint(`${PENDING_TEXT}：${pc.total} 项（${parts.join('，')}）`, 'yellow'));
    } else {
      lines.push(`${PENDING_TEXT}：0 项`);
    }
    const mn = manualNotices(score);
    if (mn.length) {
      lines.push(paint(`${MANUAL_NOTICES_TITLE}：${mn.length} 条`, 'yellow', 'bold'));
      for (const n of mn) lines.push(paint(`  - ${oneLine(n, 300)}`, 'yellow'));
    }
  }

  const { active, excluded, unconfirmed } = partitionFindings(report);
  lines.push('');
  lines.push(paint(`发现问题：${active.length} 条`, 'bold'));
  for (const g of groupFindingsByCheck(active)) {
    lines.push(`  ${g.title}（${g.check}）：${g.findings.length} 条`);
    for (const f of g.findings.slice(0, maxPerCheck)) {
      const flags = findingFlags(f);
      const anchor = evidenceEntries(f.evidence, 40).find((e) => e.label === '锚文本');
      const target = f.target ? ` → ${oneLine(f.target, 200)}` : '';
      const extra = anchor ? `（${anchor.value}）` : '';
      lines.push(`    - ${oneLine(f.message, 120)}${flags.length ? `［${flags.join('，')}］` : ''}`);
      lines.push(paint(`      ${oneLine(f.url, 200)}${target}${extra}`, 'dim'));
    }
    if (g.findings.length > maxPerCheck) lines.push(paint(`    … 另有 ${g.findings.length - maxPerCheck} 条`, 'dim'));
  }
  if (excluded.length) lines.push(`复核排除：${excluded.length} 条（不计扣分）`);
  if (unconfirmed.length) lines.push(paint(`待确认：${unconfirmed.length} 条（人工确认后计入）`, 'yellow'));

  const hd = interactionLines(report);
  if (hd.length) {
    lines.push('');
    lines.push(paint('互动交流：', 'bold'));
    for (const l of hd) lines.push(paint(`  ${l.label}：${oneLine(l.text, 300)}`, ...(l.undecided ? (['yellow'] as Style[]) : [])));
  }

  const notes = Array.isArray(report.notes) ? report.notes : [];
  if (notes.length) {
    lines.push('');
    for (const n of notes) lines.push(paint(`注：${oneLine(n, 300)}`, 'yellow'));
  }
  return lines.join('\n') + '\n';
}
