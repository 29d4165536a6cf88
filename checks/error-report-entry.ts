import type { AuditContext, Check, Finding, PageObservation } from '../src/model.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import {
  footerFrames,
  missingConfirmation,
  renderedHtml,
  scanErrorEntries,
  type Confirmation,
  type ErrorEntry,
  type ErrorEntryScan,
} from '../src/analyze/identifiers.ts';
import { isIdentifierPage } from '../src/facts/doc.ts';
import { errorEntriesOf } from '../src/facts/error-entry.ts';
import { footerItemsOf } from '../src/facts/footer.ts';

/**
 * 我为政府网站找错: every page (homepage and other pages; the 省直 rubric deducts per page) must carry the entry in
 * its bottom functional area: `<script id="_jiucuo_" sitecode=… src=…/jiucuo.js>`, a link to
 * …/exposure/jiucuo.html?site_code=…, the jiucuo.png image, or a site's own copy of jiucuo.js.
 *
 * Findings (one per page, url = that page):
 * - detail 'missing': no entry at all (rendered DOM when the browser rendered the page; otherwise static HTML,
 *   'unconfirmed' when the page loads external scripts that may draw the entry);
 * - detail '入口被隐藏': every entry found is hidden by an inline style (display:none / visibility:hidden) or the
 *   hidden attribute on itself or an ancestor. Only inline markup counts as certain: CSS classes are not resolved;
 * - detail 'code-mismatch': the entry's site code differs from the footer's 网站标识码 or the SiteIDCode meta.
 * An entry anywhere on the page counts (a floating entry is still an entry); `evidence.inFooter` says where it was.
 */
const check: Check = {
  id: 'error-report-entry',
  title: '我为政府网站找错入口',
  description: 'The 我为政府网站找错 entry is missing from a page, hidden by inline style, or carries a site code that disagrees with the footer code / SiteIDCode meta.',
  needsHtml: true,
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    const homeUrl = ctx.homepage?.url;
    const pages = (ctx.pages ?? []).filter(isIdentifierPage);
    for (const page of pages) {
      try {
        const f = checkPage(ctx, page, page.url === homeUrl || page.isHomepage);
        if (f) out.push(f);
      } catch {
        /* a page that cannot be analysed yields nothing */
      }
    }
    return out;
  },
};

function mergeScans(a: ErrorEntryScan, b: ErrorEntryScan | undefined): ErrorEntryScan {
  if (!b) return a;
  return {
    entries: [...b.entries, ...a.entries],
    footerCode: b.footerCode ?? a.footerCode,
    metaCode: a.metaCode ?? b.metaCode,
  };
}

function checkPage(ctx: AuditContext, page: PageObservation, onHomepage: boolean): Finding | null {
  const rendered = renderedHtml(ctx, page);
  const staticFacts = errorEntriesOf(page);
  const renderedScan = rendered ? scanErrorEntries(rendered) : undefined;
  // The stored scan reads the footer's code only on pages with an entry; an entry the rendered page shows is compared
  // with the static footer's code too.
  const staticScan: ErrorEntryScan = renderedScan && staticFacts.entries.length === 0 ? { ...staticFacts, footerCode: footerCodeOf(page) } : staticFacts;
  const scan = mergeScans(staticScan, renderedScan);
  const confirmation: Confirmation = rendered ? 'rendered' : 'static';

  if (scan.entries.length === 0) {
    const frames = rendered ? footerFrames(loadHtml(rendered)) : (staticFacts.frames ?? footerFrames(loadHtml(page.html)));
    if (frames.length) {
      return {
        check: 'error-report-entry',
        url: page.url,
        detail: 'unverified: footer may be in a frame',
        message: '页面底部由框架（iframe）加载，无法确认是否有“我为政府网站找错”入口，需人工核实',
        evidence: { onHomepage, unverified: true, confirmation, frame: frames[0] },
      };
    }
    return {
      check: 'error-report-entry',
      url: page.url,
      detail: 'missing',
      message: onHomepage ? '首页底部未发现“我为政府网站找错”入口' : '页面底部未发现“我为政府网站找错”入口',
      evidence: { onHomepage, confirmation: missingConfirmation(ctx, page) },
    };
  }

  const visible = scan.entries.filter((e) => !e.hidden);
  if (visible.length === 0) {
    const e = scan.entries[0];
    // Hidden in static HTML only: a script the browser did not run might reveal it.
    const conf: Confirmation = rendered ? 'rendered' : missingConfirmation(ctx, page) === 'unconfirmed' ? 'unconfirmed' : 'static';
    return {
      check: 'error-report-entry',
      url: page.url,
      detail: '入口被隐藏',
      message: '“我为政府网站找错”入口被隐藏（display:none），页面上不可见',
      evidence: { onHomepage, confirmation: conf, snippet: e.snippet, entryForm: e.form, entries: summarize(scan.entries) },
    };
  }

  const references = [scan.footerCode, scan.metaCode].filter((c): c is string => !!c);
  const bad = visible.find((e) => e.code && references.some((r) => r.toLowerCase() !== e.code!.toLowerCase()));
  if (bad && !visible.some((e) => e.code && references.every((r) => r.toLowerCase() === e.code!.toLowerCase()))) {
    const ref = references.find((r) => r.toLowerCase() !== bad.code!.toLowerCase())!;
    return {
      check: 'error-report-entry',
      url: page.url,
      detail: 'code-mismatch',
      message: `“我为政府网站找错”入口的网站标识码（${bad.code}）与本站标识码（${ref}）不一致`,
      evidence: {
        onHomepage,
        confirmation,
        entryCode: bad.code,
        footerCode: scan.footerCode,
        metaCode: scan.metaCode,
        snippet: bad.snippet,
      },
    };
  }
  return null;
}

/** The 网站标识码 of the page's static footer, when present and valid. */
function footerCodeOf(page: PageObservation): string | undefined {
  const code = footerItemsOf(page).siteCode;
  return code.state === 'present' && code.value ? code.value : undefined;
}

function summarize(entries: ErrorEntry[]) {
  return entries.slice(0, 5).map((e) => ({ form: e.form, code: e.code, hidden: e.hidden, inFooter: e.inFooter }));
}

export default check;
