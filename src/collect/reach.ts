import type { LinkResult } from '../model.ts';
import { urlParts } from '../runtime/url-parts.ts';

/**
 * Is the outside reachable from this machine? When the auditing machine cannot reach other hosts at all (a monitor in
 * a closed network, a resolver that is down, a firewall), every external link fails with a DNS or connection error —
 * that is our network, not the site's fault: such links are unverified, not broken.
 *
 * The rule (decided once, after the crawl and the second look at transient failures):
 * - with canary URLs configured, they decide: when none of them can be reached (DNS or connection failure) the
 *   machine is offline; when one answers (any HTTP status) it is online;
 * - without canaries: offline when at least MIN_FAILED_HOSTS distinct external host names were tried, every one of
 *   them failed with a DNS or connection error, and not a single external host answered (any HTTP status, a TLS
 *   handshake, a redirect). One external host that answers proves the outside reachable, and then dead external
 *   sites stay broken.
 * Only failures that say "no connection was made" are re-judged; an HTTP 404 from an external host is never touched.
 * Pure bookkeeping: the crawler feeds results and fetches the canaries.
 */

/** External host names that must all fail (and none answer) before the machine is judged offline without a canary. */
export const MIN_FAILED_HOSTS = 3;

const NO_CONNECTION = new Set(['dns', 'dns-temporary', 'refused', 'timeout', 'network', 'reset']);

/** A failure where no answer came from the host: its name did not resolve, or no connection was made or kept. */
export function noConnection(r: LinkResult): boolean {
  return r.outcome === 'broken' && r.status === undefined && r.redirects.length === 0 && NO_CONNECTION.has(r.error ?? '');
}

/** The host answered: an HTTP status (any), a redirect, or a TLS handshake that got as far as a certificate. */
export function answered(r: LinkResult): boolean {
  if (r.outcome === 'ok' || r.status !== undefined || r.redirects.length > 0) return true;
  return r.error === 'tls' || r.error === 'tls-chain' || r.error === 'headers-too-large';
}

function hostnameOf(url: string): string {
  return urlParts(url)?.hostname.toLowerCase() ?? '';
}

export interface OfflineVerdict {
  /** What decided: the external hosts tried, or the configured canaries. */
  basis: 'hosts' | 'canary';
  /** Distinct external host names that failed without an answer (a few of them in `sample`). */
  failedHosts: number;
  sample: string[];
  /** The canaries that failed, with their errors (basis 'canary'). */
  canaries?: { url: string; error: string }[];
}

export class OutsideReach {
  private readonly reached = new Set<string>();
  private readonly failed = new Set<string>();
  /** Latest result of each external target that failed without an answer (what is re-judged when offline). */
  private readonly pending = new Map<string, LinkResult>();

  /**
   * `isOutside`: is a target outside the audited site? `keepAll`: keep candidates even after an external host answered
   * (canaries configured: they decide, not the hosts).
   */
  constructor(
    private readonly isOutside: (url: string) => boolean,
    private readonly keepAll = false,
  ) {}

  /** Feeds a link result (a first result, or one replacing it after a second look). */
  note(r: LinkResult): void {
    const host = hostnameOf(r.target);
    if (!host || !this.isOutside(r.target)) return;
    if (answered(r)) {
      this.reached.add(host);
      this.pending.delete(r.target);
    } else if (noConnection(r)) {
      this.failed.add(host);
      if (this.keepAll || this.reached.size === 0) this.pending.set(r.target, r);
    } else {
      this.pending.delete(r.target);
    }
    // Without canaries one answering host settles it: the candidates are not needed any more.
    if (!this.keepAll && this.reached.size > 0 && this.pending.size > 0) this.pending.clear();
  }

  /** Is there anything the verdict would change? */
  get candidates(): number {
    return this.pending.size;
  }

  /** Distinct external host names that answered / failed without an answer. */
  get hostsReached(): number {
    return this.reached.size;
  }

  get hostsFailed(): number {
    return [...this.failed].filter((h) => !this.reached.has(h)).length;
  }

  /** The verdict from the external hosts alone (no canary). */
  byHosts(): OfflineVerdict | null {
    if (this.reached.size > 0 || this.pending.size === 0) return null;
    const failed = [...this.failed];
    if (failed.length < MIN_FAILED_HOSTS) return null;
    return { basis: 'hosts', failedHosts: failed.length, sample: failed.slice(0, 3) };
  }

  /** The verdict from the canaries' results: offline when none answered and at least one failed without an answer. */
  byCanaries(results: LinkResult[]): OfflineVerdict | null {
    if (this.pending.size === 0 || results.length === 0) return null;
    if (results.some(answered)) return null;
    const down = results.filter(noConnection);
    if (down.length === 0) return null;
    const failed = [...this.failed].filter((h) => !this.reached.has(h));
    return { basis: 'canary', failedHosts: failed.length, sample: failed.slice(0, 3), canaries: down.map((r) => ({ url: r.target, error: r.error ?? 'network' })) };
  }

  /** The failed external results, re-judged as unverified because this machine cannot reach the outside. */
  unverified(v: OfflineVerdict): LinkResult[] {
    const why =
      v.basis === 'canary'
        ? `the configured canary ${v.canaries!.map((c) => `${c.url} (${c.error})`).join(', ')} cannot be reached either`
        : `all ${v.failedHosts} external hosts tried failed DNS or connect, none answered`;
    return [...this.pending.values()].map((r) => ({
      ...r,
      outcome: 'unverified' as const,
      error: 'offline',
      detail: `not judged: this machine cannot reach the outside network (${why}); ${r.detail}`,
    }));
  }
}
