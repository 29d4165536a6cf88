/**
 * Who decided what on a run's findings: the run page's 复核记录 and the review fields of `GET /api/runs/:id`.
 * Both read `score.decisions` — the reviewer decisions that matched findings of the run when it was last scored.
 */
import type { AuditReport } from '../report/audit-report.ts';
import { checkTitle, oneLine } from '../report/audit-report.ts';
import { findingKey } from '../score/manual.ts';
import type { DecisionRecord } from '../score/types.ts';
import { esc, link } from './layout.ts';

const ACTION_ZH: Record<DecisionRecord['action'], string> = { confirm: '确认', reject: '排除', adjust: '调整' };

/** `GET /api/runs/:id`: the audit document, each decided finding with `review`, and the decisions listed. */
export function apiRunDocument(report: AuditReport): AuditReport & { decisions: (DecisionRecord & { findingIndex?: number })[] } {
  const decisions = report.score?.decisions ?? [];
  const byKey = new Map(decisions.map((d) => [d.key, d]));
  const index = new Map<string, number>();
  const findings = report.findings.map((f, i) => {
    const k = findingKey(f);
    if (!index.has(k)) index.set(k, i);
    const d = byKey.get(k);
    if (!d) return f;
    return {
      ...f,
      review: { action: d.action, ...(d.reviewer ? { reviewer: d.reviewer } : {}), ...(d.date ? { date: d.date } : {}), ...(d.reason ? { reason: d.reason } : {}), ...(d.points !== undefined ? { points: d.points } : {}) },
    };
  });
  return { ...report, findings, decisions: decisions.map((d) => ({ ...d, ...(index.has(d.key) ? { findingIndex: index.get(d.key) } : {}) })) };
}

/** The run page's 复核记录: every decision applied to this run, linking to its finding. */
export function decisionsSection(report: AuditReport, runId: number): string {
  const decisions = report.score?.decisions ?? [];
  if (!decisions.length) return '';
  const index = new Map<string, number>();
  report.findings.forEach((f, i) => {
    const k = findingKey(f);
    if (!index.has(k)) index.set(k, i);
  });
  const rows = decisions.map((d) => {
    const i = index.get(d.key);
    const what = `${esc(checkTitle(d.check))}：${link(d.url, d.url, 70)}${d.target ? ` → ${link(d.target, d.target, 70)}` : ''}`;
    return (
      `<tr data-decision="${esc(d.action)}"><td data-label="问题">${what}${i !== undefined ? ` <a class="small" href="#f-${i}">查看</a>` : ''}</td>` +
      `<td data-label="决定"><span class="tag ${d.action === 'reject' ? 'grey' : 'info'}">${esc(ACTION_ZH[d.action] ?? d.action)}</span>${d.points !== undefined ? ` ${esc(d.points)} 分` : ''}</td>` +
      `<td data-label="复核人">${esc(d.reviewer ?? '—')}</td><td class="nowrap" data-label="日期">${esc(d.date ?? '')}</td>` +
      `<td data-label="理由">${esc(oneLine(d.reason ?? '', 300))}</td></tr>`
    );
  });
  return (
    `<section class="panel" id="decisions"><h2>复核记录（${esc(decisions.length)} 条）</h2>` +
    `<p class="small muted">本次评分采用的复核决定：哪些问题被确认或排除、由谁、何时、理由。JSON：<a href="/api/runs/${esc(runId)}">/api/runs/${esc(runId)}</a>（decisions 与每条问题的 review）。</p>` +
    `<table class="decisions stack"><thead><tr><th>问题</th><th>决定</th><th>复核人</th><th>日期</th><th>理由</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`
  );
}
