import type { Check, Finding } from '../src/model.ts';
import { isContentUrl } from '../src/analyze/classify.ts';
import { columnPages, pageFacts } from '../src/facts/page.ts';

/**
 * 空白栏目: a column page that shows no item at all and a placeholder (暂无信息, 该栏目暂无内容, 正在建设中 …).
 * A column page without items but with running text (a 领导之窗 page of biographies, a 机构职能 page) is a
 * single-page column, not a blank one. A placeholder in a list that scripts fill after load is reported as
 * unverified until the rendered DOM confirms it.
 */

/** Running text above this many characters means the page shows content. */
const SUBSTANTIVE_LIMIT = 150;

const check: Check = {
  id: 'empty-column',
  title: '空白栏目',
  description: 'Column pages with no items and a placeholder text (暂无信息 …); single-page columns with text are not blank.',
  needsHtml: true,
  run(ctx) {
    const findings: Finding[] = [];
    for (const { page, rendered, facts } of columnPages(ctx)) {
      try {
        if (facts.items.length > 0) continue;
        const placeholder = facts.placeholder;
        if (!placeholder) continue;
        const substantive = facts.substantiveChars;
        if (substantive >= SUBSTANTIVE_LIMIT) continue;
        // Links to articles (image links, short titles the list rules skip) mean the page does show content.
        const contentLinks = (page.links ?? []).filter((l) => l.kind === 'a' && !l.inFooter && isContentUrl(l.target)).length;
        if (contentLinks >= 3) continue;
        const info = rendered ? facts.column : pageFacts(page).column;
        const dynamic = !rendered && facts.dynamicList;
        const name = info.name ?? '（未识别栏目名）';
        findings.push({
          check: check.id,
          url: page.url,
          detail: `栏目「${name}」无任何信息，页面显示「${placeholder.line}」`,
          message: dynamic
            ? `栏目「${name}」疑似空白栏目（静态页面显示「${placeholder.text}」，列表可能由脚本加载，需浏览器或人工确认）。`
            : `栏目「${name}」为空白栏目：页面显示「${placeholder.text}」，无任何信息。`,
          evidence: {
            columnName: info.name,
            columnType: info.type,
            placeholder: placeholder.text,
            snippet: placeholder.line,
            substantiveChars: substantive,
            confirmation: rendered ? 'rendered' : dynamic ? 'unconfirmed' : 'static',
            ...(dynamic ? { unverified: true } : {}),
          },
        });
      } catch {
        // Hostile markup: the page is not judged.
      }
    }
    return findings;
  },
};

export default check;
