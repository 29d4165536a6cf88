import type { Finding } from '../src/model.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { homepageUrl, makeFooterItemCheck, metaContent } from '../src/analyze/identifiers.ts';

/**
 * 网站标识 · 网站标识码: "网站标识码：4301000052" (10 digits, or bm + 8 digits for central departments) in the footer
 * of every page. A code of another shape is a finding of its own (detail "malformed: …"); a footer code that
 * disagrees with the page's SiteIDCode meta is reported as unverified (which of the two is wrong needs a person).
 */
export default makeFooterItemCheck({
  id: 'footer-site-code',
  kind: 'siteCode',
  title: '底部功能区：网站标识码',
  label: '网站标识码',
  description: 'The site identification code (网站标识码) is missing from the footer area, or malformed (not ^(\\d{10}|bm\\d{8})$).',
  extra(ctx, outcomes, pages) {
    const mismatches: { url: string; footer: string; meta: string }[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i];
      if (o.result.state !== 'present' || !o.result.value) continue;
      const meta = metaContent(loadHtml(pages[i].html), 'siteidcode');
      if (meta && meta.toLowerCase() !== o.result.value.toLowerCase()) mismatches.push({ url: o.url, footer: o.result.value, meta });
    }
    if (mismatches.length === 0) return [];
    const m = mismatches[0];
    const f: Finding = {
      check: 'footer-site-code',
      url: homepageUrl(ctx),
      detail: `mismatch: footer ${m.footer} vs SiteIDCode ${m.meta}`,
      message: `底部网站标识码（${m.footer}）与页面标签 SiteIDCode（${m.meta}）不一致，需人工核实`,
      evidence: {
        unverified: true,
        pagesChecked: outcomes.map((x) => x.url),
        onHomepage: mismatches.some((x) => x.url === ctx.homepage?.url),
        mismatches,
      },
    };
    return [f];
  },
});
