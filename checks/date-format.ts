import type { Check, Finding } from '../src/model.ts';
import { contentPages } from '../src/facts/page.ts';
import { isIsoDateDisplay } from '../src/analyze/dates.ts';

/**
 * 页面内容未按格式YYYY-MM-DD显示发布时间: on a content page, the date shown after the publication-time label
 * (发布时间 / 发布日期 / 发表时间 …, or a bare 时间： / 日期： after the title) is not YYYY-MM-DD. A time after the
 * date is fine (2021-06-03 09:30). Dates in the article body are not the publication time and are ignored; so are
 * 成文日期 / 发文日期 in 信息公开 tables (the date a document was signed, not when the site published it).
 */

const check: Check = {
  id: 'date-format',
  title: '发布时间格式',
  description: 'Content pages must show their publication time as YYYY-MM-DD (label outside the article body; 成文日期 is not a publication time).',
  needsHtml: true,
  run(ctx) {
    const findings: Finding[] = [];
    for (const { page, rendered, facts } of contentPages(ctx)) {
      const pub = facts.publication;
      if (!pub || pub.source !== 'label' || !pub.date || !pub.label) continue;
      if (pub.wellFormed || isIsoDateDisplay(pub.shown)) continue;
      const label = { label: pub.label, shown: pub.shown, date: pub.date };
      findings.push({
        check: check.id,
        url: page.url,
        detail: `${label.label}：${label.shown}`,
        message: `发布时间未按 YYYY-MM-DD 格式显示：页面显示「${label.label}：${label.shown}」（应为 ${label.date}）。`,
        evidence: {
          label: label.label,
          shown: label.shown,
          normalized: label.date,
          snippet: `${label.label}：${label.shown}`,
          confirmation: rendered ? 'rendered' : 'static',
        },
      });
    }
    return findings;
  },
};

export default check;
