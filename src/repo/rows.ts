/** Stored rows (either backend) as the objects the rest of the code reads. */
import type { ProbeLogRow } from './types.ts';

/** A stored probe (either backend) as the site page's log shows it. */
export function probeLogRow(x: Record<string, unknown>): ProbeLogRow {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string));
  return {
    at: iso(x.at),
    outcome: x.outcome as string,
    failed: Number(x.failed) === 1,
    status: (x.status as number | null) ?? null,
    ms: Number(x.ms),
    error: (x.error as string | null) ?? null,
    address: (x.address as string | null) ?? null,
    family: (x.family as number | null) ?? null,
    excluded: Number(x.excluded) === 1,
    ...(x.vantage ? { vantage: x.vantage as string } : {}),
    ...(x.attempt ? { attempt: Number(x.attempt) } : {}),
  };
}
