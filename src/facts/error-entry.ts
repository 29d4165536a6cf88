import type { PageObservation } from '../model.ts';
import { loadHtml } from '../analyze/dom.ts';
import { scanErrorEntries, type ErrorEntryScan } from '../analyze/error-entry.ts';
import { footerFrames } from '../analyze/footer-items.ts';
import { factOf, type FactFamily } from './_facts.ts';

/**
 * Fact family `errorEntry`: the 我为政府网站找错 entries of a page's static HTML with their codes, visibility and place,
 * the footer's code (read only when the page has an entry: it is compared with the entries' codes) and the SiteIDCode
 * meta (src/analyze/error-entry.ts), and — when there is no entry — the frames that may hold the footer. Read by the
 * error-report-entry check.
 */
export interface ErrorEntryFacts extends ErrorEntryScan {
  /** footerFrames of the page, when it has no entry (else not computed). */
  frames?: string[];
}

const family: FactFamily<ErrorEntryFacts> = {
  id: 'errorEntry',
  extract(page) {
    const html = page.html ?? '';
    const scan: ErrorEntryFacts = scanErrorEntries(html, { footerCodeWithEntriesOnly: true });
    if (scan.entries.length === 0) {
      try {
        scan.frames = footerFrames(loadHtml(html));
      } catch {
        /* left undefined: computed again on use */
      }
    }
    return scan;
  },
};
export default family;

/** The 找错 entries of a page's static HTML. */
export function errorEntriesOf(page: PageObservation): ErrorEntryFacts {
  return factOf(page, family);
}
