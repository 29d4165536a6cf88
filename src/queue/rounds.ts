/**
 * Which sites a probe window holds (pure). The slots are the one-machine monitor's (scheduler.ts): N a day per site,
 * evenly spaced, each site shifted by a hash of its id — so moving to queue mode keeps every site's times.
 */
import { siteOffsetFraction } from '../monitor/scheduler.ts';
import { DAY_MS, SHANGHAI_OFFSET_MS } from '../monitor/time.ts';
import type { RoundSite } from './common.ts';

export interface SlotSite {
  id: string;
  url: string;
  probesPerDay: number;
}

interface Prepared {
  id: string;
  url: string;
  host: string;
  perDay: number;
  offsetFrac: number;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
}

/** Sites with their slot parameters, computed once per site list. */
export class SlotTable {
  private readonly sites: Prepared[];

  constructor(
    sites: readonly SlotSite[],
    private readonly dayMs = DAY_MS,
    private readonly origin = -SHANGHAI_OFFSET_MS,
    minPerDay = 20,
  ) {
    this.sites = sites.map((s) => ({ id: s.id, url: s.url, host: hostOf(s.url), perDay: Math.max(minPerDay, Math.floor(s.probesPerDay || 0)), offsetFrac: siteOffsetFraction(s.id) }));
  }

  get size(): number {
    return this.sites.length;
  }

  /** Slots of every site in [from, from + len), in time order. */
  window(from: number, len: number): RoundSite[] {
    const out: RoundSite[] = [];
    const to = from + len;
    for (const s of this.sites) {
      const interval = this.dayMs / s.perDay;
      const offset = s.offsetFrac * interval;
      let d = Math.floor((from - this.origin) / this.dayMs);
      for (let guard = 0; guard < 3; guard++, d++) {
        const dayStart = this.origin + d * this.dayMs;
        if (dayStart >= to) break;
        let k = Math.max(0, Math.ceil((from - dayStart - offset) / interval) - 1);
        for (; k < s.perDay; k++) {
          const at = Math.floor(dayStart + offset + k * interval);
          if (at >= to) break;
          if (at >= from) out.push({ id: s.id, url: s.url, host: s.host, slotAt: at });
        }
      }
    }
    return out.sort((a, b) => a.slotAt - b.slotAt);
  }
}
