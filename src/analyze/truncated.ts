import type { AuditContext, CheckScope, Finding, PageObservation } from '../model.ts';

/**
 * Pages cut at the crawler's read cap (5 MB, `PageObservation.truncated`): their end — the footer, later list items,
 * the 来源 line at the bottom of an article — was never read. A verdict that rests on something *not* being on such a
 * page is not a verdict: it is 未核实, unless the browser rendered the page (the rendered DOM is complete, and the
 * checks read it). Evidence found on the part that was read (a broken link, a wrongly formatted date) stands.
 *
 * The footer checks decide page by page (decidePageItem in identifiers.ts: a truncated page is neither missing nor
 * present there); every other finding about a truncated page goes through markTruncatedFindings.
 */

/** Checks whose findings are evidence found on the page (or not about page HTML at all): true on the part read. */
const EVIDENCE_FOUND = new Set(['broken-link', 'date-format', 'availability', 'ipv6', 'domain', 'homepage-empty']);
/** error-report-entry details that describe an entry found (hidden, wrong code), not a missing one. */
const ENTRY_FOUND = /^(入口被隐藏|code-mismatch)/;

/** Was the page cut at the read cap, and is its rendered DOM (complete) missing? */
export function truncatedUnrendered(ctx: AuditContext, page: PageObservation | undefined): boolean {
  if (!page?.truncated) return false;
  const r = ctx.browser?.pages?.get(page.url) ?? ctx.browser?.pages?.get(page.finalUrl);
  return !(r && typeof r.html === 'string' && r.html.length > 0);
}

/** The Chinese note for a finding judged on a truncated page. */
export function truncatedNoteZh(page: PageObservation): string {
  const mb = (page.bytes / 1048576).toFixed(1);
  return `该页面超过读取上限被截断（仅读取前 ${mb} MB，页面后部未读取），此项结论未核实，需人工核实`;
}

/**
 * Findings about a truncated, unrendered page whose verdict could rest on the unread part become 未核实
 * (`evidence.unverified`, `evidence.truncated`, the message says why). Pure: returns new finding objects.
 */
export function markTruncatedFindings(findings: Finding[], ctx: AuditContext): Finding[] {
  const truncated = new Map<string, PageObservation>();
  for (const p of ctx.pages ?? []) {
    if (!truncatedUnrendered(ctx, p)) continue;
    truncated.set(p.url, p);
    if (p.finalUrl) truncated.set(p.finalUrl, p);
  }
  if (ctx.homepage && truncatedUnrendered(ctx, ctx.homepage)) truncated.set(ctx.homepage.url, ctx.homepage);
  if (truncated.size === 0) return findings;
  return findings.map((f) => {
    const page = truncated.get(f.url);
    if (!page || f.evidence?.unverified === true) return f;
    if (EVIDENCE_FOUND.has(f.check) || f.check.startsWith('footer-')) return f;
    if (f.check === 'error-report-entry' && ENTRY_FOUND.test(f.detail ?? '')) return f;
    // Page tags live in <head>: a page cut after its head was read whole for them.
    if (f.check === 'page-tags' && /<\/head\s*>|<body[\s>]/i.test(page.html ?? '')) return f;
    return {
      ...f,
      message: `${f.message}（${truncatedNoteZh(page)}）`,
      evidence: { ...f.evidence, unverified: true, truncated: true, bytesRead: page.bytes },
    };
  });
}

/**
 * Findings and scopes of a check run with the truncation policy applied: findings as markTruncatedFindings, and every
 * check with a finding left undecided by a truncated page (`evidence.truncated`) is `unverified` — the rows it feeds
 * stay pending (未核实) until a reviewer looks at the whole page.
 */
export function applyTruncation<R extends { findings: Finding[]; scopes: Record<string, CheckScope> }>(result: R, ctx: AuditContext): R {
  const findings = markTruncatedFindings(result.findings, ctx);
  const scopes = { ...result.scopes };
  for (const f of findings) {
    if (f.evidence?.truncated !== true) continue;
    const sc = scopes[f.check];
    if (sc && sc.status !== 'checked') continue;
    const page = (ctx.pages ?? []).find((p) => p.url === f.url) ?? ctx.homepage;
    scopes[f.check] = { ...(sc ?? {}), status: 'unverified', reason: page ? `${page.url} ${truncatedNoteZh(page)}` : '页面超过读取上限被截断，需人工核实' };
  }
  return { ...result, findings, scopes };
}

/** The audit's note about truncated pages (Chinese), or null when none was cut. */
export function truncatedPagesNote(pages: PageObservation[]): string | null {
  const cut = pages.filter((p) => p.truncated);
  if (cut.length === 0) return null;
  const first = cut[0];
  return `${cut.length} 个页面超过 5 MB 读取上限被截断（如 ${first.url}），据其未读部分才能作出的判断（页脚标识、找错入口、栏目更新等）标为未核实`;
}
