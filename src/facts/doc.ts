import type { PageObservation } from '../model.ts';
import { mayWriteContent } from '../analyze/scripts.ts';
import { classifyPage, type Classification, type PageKind } from '../analyze/classify.ts';
import { factOf, type FactFamily } from './_facts.ts';

/**
 * Fact family `doc`: the shape of a page's static HTML that decides which analyses apply — its length (an empty body
 * is no HTML page), whether it has a `<script>` tag at all, looks like a whole document (head, title or meta), has its
 * head read whole, whether its scripts may write content the static HTML lacks (src/analyze/scripts.ts), and its kind
 * (home / column / content / other, with the confidence) — what gatherers test on every page, kept small.
 */
export interface DocFacts {
  /** page.html.length */
  chars: number;
  /** A `<script` tag anywhere (pages the browser may have to render). */
  script: boolean;
  /** A whole HTML document, not a fragment (page-tags). */
  document: boolean;
  /** `</head>` or `<body` was read (a truncated page's tags are whole). */
  headRead: boolean;
  /** mayWriteContent(page.html) */
  mayWrite: boolean;
  /** The page's kind and how sure (classifyPage on the static HTML; its reasons are in the `page` family). */
  kind: PageKind;
  confidence: Classification['confidence'];
}

const family: FactFamily<DocFacts> = {
  id: 'doc',
  extract(page) {
    const html = page.html ?? '';
    return {
      chars: html.length,
      script: /<script\b/i.test(html),
      document: /<(?:head|title|meta)[\s>]/i.test(html.slice(0, 200_000)),
      headRead: /<\/head\s*>|<body[\s>]/i.test(html),
      mayWrite: html ? mayWriteContent(html) : false,
      ...(({ kind, confidence }) => ({ kind, confidence }))(classifyPage(page)),
    };
  },
};
export default family;

export function docFacts(page: PageObservation): DocFacts {
  return factOf(page, family);
}

/** A fetched HTML page with status 2xx and a non-empty body (the content checks' pages: classify.ts isHtmlPage). */
export function isHtmlPageFact(page: PageObservation): boolean {
  if (page.status === null || page.status < 200 || page.status >= 300) return false;
  const ct = (page.contentType || page.headers?.['content-type'] || '').toLowerCase();
  if (ct && !/html|xml|text\/plain/.test(ct)) return false;
  return docFacts(page).chars > 0;
}

/** A page fit for the footer and 找错 checks: fetched, HTML, non-empty (identifiers isHtmlPage). */
export function isIdentifierPage(p: PageObservation): boolean {
  if (!p) return false;
  if (p.status !== null && (p.status < 200 || p.status >= 300)) return false;
  if (p.error) return false;
  const ct = (p.contentType || '').toLowerCase();
  if (ct && !ct.includes('html') && !ct.includes('xml')) return false;
  return docFacts(p).chars > 0;
}
