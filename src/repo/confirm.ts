/**
 * Confirmed outages (pure): what one settled probe window adds to the roll-ups.
 *
 * Every vantage point probes every site in the same rounds (windows of a few seconds; each site's slot falls in one).
 * A failure counts toward the weekly ratio only when it is confirmed within the same slot:
 *  - by a second vantage that failed too (with two or more vantages measuring, one failing alone is not confirmed —
 *    another vantage opened the site at the same time);
 *  - with one vantage measuring, by its immediate retry, which failed too.
 * A vantage whose round was impaired (its canaries failed, or an unusual share of its sites failed at once) did not
 * measure: its probes count neither as up nor as down ("not measured"). A WAF answer ("blocked") is a class of its
 * own: neither a success nor a failure, and a slot where every measuring vantage was blocked is not a probe.
 *
 * The confirmed counts go to `monitor_daily` (the table every availability query reads, as the one-machine monitor's
 * counts do); the raw first-attempt counts of each vantage go to `vantage_daily`.
 */
import { shanghaiDay } from '../monitor/time.ts';

export interface WindowRound {
  vantage: string;
  impaired: boolean;
}

export interface WindowProbe {
  siteId: string;
  vantage: string;
  slotAt: number;
  /** 0 = the scheduled probe, 1 = the immediate retry after a failure. */
  attempt: number;
  failed: boolean;
  blocked: boolean;
  /** ISO start time. */
  at: string;
}

export interface DailyIncrement {
  day: string;
  siteId: string;
  probes: number;
  failures: number;
  blocked: number;
  firstAt: string;
  lastAt: string;
}

export interface VantageIncrement extends DailyIncrement {
  vantage: string;
  /** Probes of an impaired round (not measured). */
  unmeasured: number;
}

export interface WindowVerdict {
  confirmed: DailyIncrement[];
  vantages: VantageIncrement[];
  /** Site slots measured by at least one vantage. */
  slots: number;
  /** Of those, confirmed failures. */
  confirmedFailures: number;
  /** Failures seen by some vantage that were not confirmed. */
  unconfirmedFailures: number;
  /** At least one vantage measured in this window (its minutes count as measured). */
  measured: boolean;
}

function bump<T extends DailyIncrement>(m: Map<string, T>, key: string, make: () => T, at: string, f: (x: T) => void): void {
  let x = m.get(key);
  if (!x) m.set(key, (x = make()));
  f(x);
  if (at < x.firstAt) x.firstAt = at;
  if (at > x.lastAt) x.lastAt = at;
}

/** Settles one window: its rounds (one per vantage that completed it) and their probes. */
export function settleWindow(rounds: readonly WindowRound[], probes: readonly WindowProbe[]): WindowVerdict {
  const impaired = new Map(rounds.map((r) => [r.vantage, r.impaired]));
  const bySlot = new Map<string, WindowProbe[]>();
  for (const p of probes) {
    if (!impaired.has(p.vantage)) continue; // a probe without its round row: the round was not recorded whole
    const k = `${p.siteId}\u0000${p.slotAt}`;
    let list = bySlot.get(k);
    if (!list) bySlot.set(k, (list = []));
    list.push(p);
  }
  const confirmed = new Map<string, DailyIncrement>();
  const vantages = new Map<string, VantageIncrement>();
  let slots = 0;
  let confirmedFailures = 0;
  let unconfirmedFailures = 0;
  for (const list of bySlot.values()) {
    const { siteId, slotAt } = list[0];
    const day = shanghaiDay(slotAt);
    const per = new Map<string, { first?: WindowProbe; retry?: WindowProbe }>();
    for (const p of list) {
      let v = per.get(p.vantage);
      if (!v) per.set(p.vantage, (v = {}));
      if (p.attempt === 0) v.first = p;
      else v.retry = p;
    }
    const measuring: string[] = [];
    const failing: string[] = [];
    let blockedAny = false;
    let firstAt = list[0].at;
    let lastAt = list[0].at;
    for (const [vantage, v] of per) {
      const first = v.first ?? v.retry!;
      if (first.at < firstAt) firstAt = first.at;
      if (first.at > lastAt) lastAt = first.at;
      const mk = (): VantageIncrement => ({ day, siteId, vantage, probes: 0, failures: 0, blocked: 0, unmeasured: 0, firstAt: first.at, lastAt: first.at });
      const key = `${day}\u0000${siteId}\u0000${vantage}`;
      if (impaired.get(vantage)) {
        bump(vantages, key, mk, first.at, (x) => x.unmeasured++);
        continue;
      }
      if (first.blocked) {
        blockedAny = true;
        bump(vantages, key, mk, first.at, (x) => x.blocked++);
        continue;
      }
      measuring.push(vantage);
      if (first.failed) failing.push(vantage);
      bump(vantages, key, mk, first.at, (x) => {
        x.probes++;
        if (first.failed) x.failures++;
      });
    }
    const mk = (): DailyIncrement => ({ day, siteId, probes: 0, failures: 0, blocked: 0, firstAt, lastAt });
    const key = `${day}\u0000${siteId}`;
    if (measuring.length === 0) {
      if (blockedAny) bump(confirmed, key, mk, firstAt, (x) => x.blocked++);
      continue;
    }
    slots++;
    let isConfirmed = false;
    if (failing.length >= 2) isConfirmed = true;
    else if (failing.length === 1 && measuring.length === 1) {
      const retry = per.get(failing[0])!.retry;
      isConfirmed = !!retry && retry.failed && !retry.blocked;
    }
    if (isConfirmed) confirmedFailures++;
    else if (failing.length > 0) unconfirmedFailures++;
    bump(confirmed, key, mk, firstAt, (x) => {
      x.probes++;
      if (isConfirmed) x.failures++;
    });
    const c = confirmed.get(key)!;
    if (lastAt > c.lastAt) c.lastAt = lastAt;
  }
  return {
    confirmed: [...confirmed.values()],
    vantages: [...vantages.values()],
    slots,
    confirmedFailures,
    unconfirmedFailures,
    measured: rounds.some((r) => !r.impaired),
  };
}

export interface ImpairmentRule {
  /** Failure share of the round's probes at which the vantage is presumed cut off (default 0.8). */
  ratio: number;
  /** Distinct failing hosts needed (default 10). */
  minHosts: number;
  /** Probes in the round needed (default 20). */
  minProbes: number;
}

export const DEFAULT_IMPAIRMENT: ImpairmentRule = { ratio: 0.8, minHosts: 10, minProbes: 20 };

/**
 * Is a vantage impaired in a round? When canaries are configured and none of them could be opened; or when an
 * unusual share of its sites failed at once (≥ ratio of ≥ minProbes probes, on ≥ minHosts distinct hosts).
 */
export function judgeRound(
  firstAttempts: readonly { host: string; failed: boolean; blocked: boolean }[],
  canaries: readonly { ok: boolean }[],
  rule: ImpairmentRule = DEFAULT_IMPAIRMENT,
): { impaired: boolean; reason?: string } {
  if (canaries.length > 0 && canaries.every((c) => !c.ok)) return { impaired: true, reason: 'canaries' };
  const counted = firstAttempts.filter((p) => !p.blocked);
  const failed = counted.filter((p) => p.failed);
  const hosts = new Set(failed.map((p) => p.host));
  if (counted.length >= rule.minProbes && failed.length >= rule.ratio * counted.length && hosts.size >= rule.minHosts) {
    return { impaired: true, reason: 'share' };
  }
  return { impaired: false };
}

/** A probe of one slot as stored, with whether its round was impaired (`excluded`). */
export interface SlotProbe extends WindowProbe {
  excluded: boolean;
}

/** The vantage id of probes copied from a one-machine database (`store migrate`): they were counted as that monitor counted them. */
export const LOCAL_VANTAGE = 'local';

/**
 * One slot of one site as the weekly ratio counts it (`counted`: a probe; `failed`: a confirmed failure) — the same
 * rules as `settleWindow`, for reading stored probes again (maintenance windows). Probes copied from a one-machine
 * database (vantage `local`) count as that monitor counted them: every probe not left out, failed or not.
 */
export function confirmedSlot(probes: readonly SlotProbe[]): { counted: boolean; failed: boolean } {
  if (probes.length === 0) return { counted: false, failed: false };
  if (probes.every((p) => p.vantage === LOCAL_VANTAGE)) {
    const first = probes.find((p) => p.attempt === 0 && !p.excluded);
    return first ? { counted: true, failed: first.failed } : { counted: false, failed: false };
  }
  const impaired = new Map<string, boolean>();
  for (const p of probes) impaired.set(p.vantage, (impaired.get(p.vantage) ?? true) && p.excluded);
  const v = settleWindow([...impaired].map(([vantage, imp]) => ({ vantage, impaired: imp })), probes);
  const c = v.confirmed[0];
  return { counted: !!c && c.probes > 0, failed: !!c && c.failures > 0 };
}
