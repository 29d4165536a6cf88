import type { AuditReport } from './audit-report.ts';

/**
 * The 互动交流 lines of a report: channels found, letters read (count, date range), what the machine could not read,
 * and the reply-latency distribution (median working days, share over 5 working days). From the stored check scopes,
 * so a stored run's report shows the same.
 */
export interface InteractionLine {
  label: string;
  text: string;
  /** The check could not decide (未核实 / 未检测). */
  undecided?: boolean;
}

const ROWS: [string, string][] = [
  ['interaction-channel', '互动交流渠道'],
  ['message-unanswered', '已读取留言'],
  ['message-fields', '留言抽查'],
  ['messages-stale', '留言更新'],
  ['message-statistics', '留言统计'],
  ['consultation-activities', '征集调查'],
  ['inquiry-reply', '模拟咨询'],
];

export function interactionLines(report: Pick<AuditReport, 'scopes'>): InteractionLine[] {
  const scopes = report.scopes;
  if (!scopes || !ROWS.some(([id]) => scopes[id])) return [];
  const out: InteractionLine[] = [];
  for (const [id, label] of ROWS) {
    const sc = scopes[id];
    if (!sc) continue;
    if (sc.status === 'checked') out.push({ label, text: sc.summary ?? '已检测' });
    else out.push({ label, text: `${sc.status === 'not-run' ? '未检测' : '未核实'}：${sc.reason ?? ''}${sc.summary ? `（${sc.summary}）` : ''}`, undecided: true });
  }
  const st = scopes['message-unanswered']?.stats;
  if (st && typeof st.latencyCount === 'number' && st.latencyCount > 0) {
    const share = typeof st.latencyOver5Share === 'number' ? `${Math.round(st.latencyOver5Share * 100)}%` : '—';
    out.push({ label: '答复用时', text: `${st.latencyCount} 条留言（监测时间点前1年内）答复用时中位数 ${st.latencyMedian} 个工作日，超过5个工作日的占 ${share}，最长 ${st.latencyMax} 个工作日（按法定节假日和调休计算）` });
  }
  return out;
}
