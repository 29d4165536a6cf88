import type { Check, Finding } from '../src/model.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { readMetaTags } from '../src/analyze/classify.ts';
import { docFacts, htmlPages, pageFacts, renderedFor } from '../src/facts/page.ts';

/**
 * 页面标签不完备 (政府网站发展指引 appendix): site tags (SiteName, SiteDomain, SiteIDCode) on every page; column
 * tags (ColumnName, ColumnDescription, ColumnKeywords, ColumnType) on column and content pages; content tags
 * (ArticleTitle, PubDate, ContentSource) on content pages. Tag names are matched case-insensitively, a blank value
 * counts as missing, and ColumnType values are not judged (real sites put free text there). Content tags are only
 * demanded when the page is a content page with high confidence.
 */

const SITE_TAGS = ['SiteName', 'SiteDomain', 'SiteIDCode'];
const COLUMN_TAGS = ['ColumnName', 'ColumnDescription', 'ColumnKeywords', 'ColumnType'];
const CONTENT_TAGS = ['ArticleTitle', 'PubDate', 'ContentSource'];

const check: Check = {
  id: 'page-tags',
  title: '页面标签',
  description: 'Site tags on every page, column tags on column/content pages, content tags on content pages; case-insensitive names, blank = missing.',
  needsHtml: true,
  run(ctx) {
    const findings: Finding[] = [];
    for (const page of htmlPages(ctx)) {
      try {
        if (!docFacts(page).document) continue;
        const facts = pageFacts(page);
        const cls = facts.classification;
        const required = [...SITE_TAGS];
        if (cls.kind === 'column' || cls.kind === 'content') required.push(...COLUMN_TAGS);
        const contentTagsDemanded = cls.kind === 'content' && cls.confidence === 'high';
        if (contentTagsDemanded) required.push(...CONTENT_TAGS);
        const meta = facts.meta;
        const { html: renderedHtml, rendered } = renderedFor(ctx, page);
        const metaRendered = rendered ? readMetaTags(loadHtml(renderedHtml)) : undefined;
        const has = (tag: string) => {
          const k = tag.toLowerCase();
          return meta.get(k)?.filled === true || metaRendered?.get(k)?.filled === true;
        };
        const missing = required.filter((t) => !has(t));
        if (missing.length === 0) continue;
        const blank = missing.filter((t) => meta.has(t.toLowerCase()) || metaRendered?.has(t.toLowerCase()));
        const absent = missing.filter((t) => !blank.includes(t));
        const kindZh = cls.kind === 'home' ? '首页' : cls.kind === 'column' ? '栏目页' : cls.kind === 'content' ? '内容页' : '页面';
        const parts: string[] = [];
        if (absent.length) parts.push(`缺少 ${absent.join('、')}`);
        if (blank.length) parts.push(`${blank.join('、')} 为空`);
        findings.push({
          check: check.id,
          url: page.url,
          detail: `${kindZh}标签不完备：${parts.join('；')}`,
          message: `${kindZh}页面标签不完备：${parts.join('；')}。`,
          evidence: {
            pageKind: cls.kind,
            missing,
            absent,
            blank,
            required,
            ...(cls.kind === 'content' && !contentTagsDemanded ? { contentTagsSkipped: 'page kind uncertain' } : {}),
            confirmation: rendered ? 'rendered' : 'static',
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
