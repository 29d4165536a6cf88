import type { AuditContext, CheckScope, GatherStatus } from '../model.ts';

/**
 * How a check fed by a gatherer says it could not decide: the gatherer did not run (not-run), was skipped, or failed
 * (unverified). Undefined when the gatherer ran (ok or partial) and its observations can be judged.
 */
export function gathererScope(ctx: AuditContext, gathererId: string, what: string): CheckScope | undefined {
  const st: GatherStatus | undefined = ctx.observations?.status(gathererId);
  if (!st) return { status: 'not-run', reason: `${what}采集未运行（--no-gather 或旧的检查记录）` };
  if (st.status === 'skipped') return { status: 'not-run', reason: st.reason ? `${what}：${st.reason}` : `${what}采集未运行` };
  if (st.status === 'failed') return { status: 'unverified', reason: `${what}采集失败${st.reason ? `：${st.reason}` : ''}` };
  return undefined;
}

/** The gatherer's own note on an incomplete read, for scope summaries. */
export function partialNote(ctx: AuditContext, gathererId: string): string {
  const st = ctx.observations?.status(gathererId);
  return st?.status === 'partial' && st.reason ? `（读取不完整：${st.reason}）` : '';
}
