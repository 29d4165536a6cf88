import type { PageObservation } from '../../model.ts';
import { extractPolicyPage, urlKey, type PolicyDocument, type PolicyInterpretation } from './extract.ts';
import { matchPolicies, type MatchOptions, type PolicyMatch } from './match.ts';

/**
 * Documents, interpretations and their matches over a set of pages (the crawl plus the gatherer's deeper walk).
 * Pure. Pages are deduplicated by URL identity; a page the crawler reached under two URLs counts once.
 */

export interface PolicyAnalysis {
  documents: PolicyDocument[];
  interpretations: PolicyInterpretation[];
  matches: PolicyMatch[];
}

export interface AnalyseOptions extends MatchOptions {
  /** The HTML to read for a page (e.g. the rendered DOM), default page.html. */
  htmlOf?: (page: PageObservation) => string | undefined;
}

/** 青山市人民政府 → [青山市, 青山]; 湖南省示例厅 → [湖南省, 湖南]. */
export function placeNamesOf(siteName: string | undefined): string[] {
  const m = /^(.{2,8}?(?:自治州|自治县|省|市|州|县|区|盟))/.exec(siteName ?? '');
  if (!m) return [];
  const full = m[1];
  const short = full.replace(/(?:自治州|自治县|省|市|州|县|区|盟)$/, '');
  return short.length >= 2 ? [full, short] : [full];
}

export function analysePolicyPages(pages: Iterable<PageObservation>, opts: AnalyseOptions = {}): PolicyAnalysis {
  const documents: PolicyDocument[] = [];
  const interpretations: PolicyInterpretation[] = [];
  const seen = new Set<string>();
  const aliases = new Map<string, string[]>(opts.aliases ?? []);
  for (const page of pages) {
    const key = urlKey(page.finalUrl || page.url);
    if (seen.has(key)) continue;
    seen.add(key);
    const html = opts.htmlOf?.(page) ?? page.html;
    const r = extractPolicyPage(page, html ?? '');
    if (!r) continue;
    const all = [page.url, page.finalUrl, ...(page.redirects ?? [])].filter((u): u is string => !!u && u !== page.url);
    if (all.length) aliases.set(page.url, [...(aliases.get(page.url) ?? []), ...all]);
    if (r.kind === 'document') documents.push(r.doc);
    else interpretations.push(r.interp);
  }
  const matches = matchPolicies(documents, interpretations, { ...opts, aliases });
  return { documents, interpretations, matches };
}
