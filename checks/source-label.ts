import type { Check, Finding } from '../src/model.ts';
import { contentPages, pageFacts } from '../src/facts/page.ts';

/**
 * 非原创信息未准确标注信息来源 (machine-assisted): a content page that shows no source label (来源 / 信息来源 /
 * 文章来源 / 稿源 …, or 发布机构 in a 信息公开 table, or 本站原创), or shows the label with nothing after it.
 * Whether the item is original (and needs no source) is for the reviewer: every finding waits for confirmation.
 */

const check: Check = {
  id: 'source-label',
  title: '信息来源标注',
  description: 'Content pages that show no source label (来源/信息来源/文章来源/稿源); a reviewer confirms (original items need none).',
  needsHtml: true,
  machineAssisted: true,
  run(ctx) {
    const findings: Finding[] = [];
    for (const { page, rendered, facts } of contentPages(ctx)) {
      const labels = facts.sourceLabels;
      if (labels.some((l) => l.value)) continue;
      const metaSource = facts.meta.get('contentsource')?.value ?? pageFacts(page).meta.get('contentsource')?.value;
      // A script that writes the source (document.write(来源 …)) is only visible in a browser.
      const scripted = !rendered && facts.scriptMentionsSource;
      const blank = labels.length > 0;
      findings.push({
        check: check.id,
        url: page.url,
        detail: blank ? `「${labels[0].label}」后无内容` : '页面未显示信息来源（来源/信息来源/文章来源/稿源）',
        message: blank
          ? `内容页的信息来源为空（「${labels[0].label}：」后无内容），如为非原创信息需标注来源，待人工确认。`
          : '内容页未标注信息来源，如为非原创信息需标注来源，待人工确认。',
        evidence: {
          ...(metaSource ? { metaContentSource: metaSource } : {}),
          confirmation: rendered ? 'rendered' : scripted ? 'unconfirmed' : 'static',
        },
      });
    }
    return findings;
  },
};

export default check;
