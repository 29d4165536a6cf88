import type { PageObservation } from '../model.ts';
import { extractFacts, type FactFamily } from './_facts.ts';
import doc from './doc.ts';
import page from './page.ts';
import footer from './footer.ts';
import errorEntry from './error-entry.ts';
import gather from './gather.ts';

/**
 * The fact families computed for every crawled page (see _facts.ts), in this order (later families reuse the parse
 * and the memoised results of earlier ones). A new family is a module here and a line in this list.
 */
export const FACT_FAMILIES: readonly FactFamily[] = [doc, page, footer, errorEntry, gather] as FactFamily[];

/** Every family's fact of a crawled page, in stored form. */
export function crawlFacts(p: PageObservation): Record<string, unknown> {
  return extractFacts(p, FACT_FAMILIES);
}
