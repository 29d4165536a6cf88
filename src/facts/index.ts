import type { PageObservation } from '../model.ts';
import { extractFacts, type FactFamily } from './_facts.ts';
import doc from './doc.ts';
import page from './page.ts';
import footer from './footer.ts';
import errorEntry from './error-entry.ts';
import gather from './gather.ts';

/**
 * The fact families computed for every crawled page (see _facts.ts), in this order (later families reuse the parse
 * and the memoised results of earlier ones). A new family is a module here and a line in one of these lists.
 */
export const FACT_FAMILIES: readonly FactFamily[] = [doc, page, errorEntry, gather] as FactFamily[];

/**
 * Families read on a few pages only (the footer checks sample ten): computed from the page's HTML when first used,
 * not for every crawled page.
 */
export const ON_DEMAND_FAMILIES: readonly FactFamily[] = [footer] as FactFamily[];

/** Every family's fact of a crawled page, in stored form. */
export function crawlFacts(p: PageObservation): Record<string, unknown> {
  return extractFacts(p, FACT_FAMILIES);
}
