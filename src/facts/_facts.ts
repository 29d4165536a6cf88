import type { PageObservation } from '../model.ts';

/**
 * Per-page facts: what the checks and gatherers read from one page's static HTML, computed once per page where the
 * page is parsed for its links — on the store writer thread(s), while the crawl goes on — and stored with the page
 * (`pages.facts` / `pages.facts_bulk`, see packFacts in src/store/store.ts). Checks and gatherers then reduce over facts instead of parsing every page again;
 * a check that needs the DOM itself (a rendered page, the homepage) reads `page.html`, which the store loads lazily.
 *
 * A fact family is one module `src/facts/<id>.ts` (`index.ts` lists them; a file starting with `_` is not one) exporting
 * `default { id, extract, encode?, decode? }`: `extract(page)` is a pure function of the page (its URL, status,
 * headers, static HTML) and must give what the analysis helpers give when called on the page. Pages without stored
 * facts (in-memory stores, pages a gatherer fetched, runs stored before facts existed) get them computed on first
 * use, so a fact is always the same value whether it was stored or not.
 */
export interface FactFamily<T = unknown, J = unknown> {
  id: string;
  /** The fact of one page, from its static HTML (page.html). Pure. */
  extract(page: PageObservation): T;
  /** The JSON form stored with the page (default: the value itself, which must survive JSON). */
  encode?(v: T): J;
  decode?(j: J): T;
}

/** Facts already read (decoded or computed) per page object and family. */
const memo = new WeakMap<PageObservation, Map<string, unknown>>();

/** A page's fact of one family: stored with the page when the crawl computed it, else computed now (memoised). */
export function factOf<T, J>(page: PageObservation, family: FactFamily<T, J>): T {
  let m = memo.get(page);
  if (m?.has(family.id)) return m.get(family.id) as T;
  const stored = page.facts?.[family.id];
  const v = stored !== undefined ? (family.decode ? family.decode(stored as J) : (stored as T)) : family.extract(page);
  if (!m) memo.set(page, (m = new Map()));
  m.set(family.id, v);
  return v;
}

/** Every family's fact of a page, in stored form (a family that throws stores nothing: it is computed on use). */
export function extractFacts(page: PageObservation, families: readonly FactFamily[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of families) {
    try {
      const v = f.extract(page);
      out[f.id] = f.encode ? f.encode(v) : v;
    } catch {
      /* left to be computed on use */
    }
  }
  return out;
}
