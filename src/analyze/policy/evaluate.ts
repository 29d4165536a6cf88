import type { PolicyDocument, PolicyInterpretation } from './extract.ts';
import { bookTitles } from './extract.ts';
import { matchPolicies, type MatchOptions } from './match.ts';

/**
 * Precision and recall of the matcher on labelled title pairs (fixtures/policy/title-pairs.json): documents and
 * interpretations known only by their titles, so only the 《title》 rule and the title similarity can pair them.
 * Used by the tests and by bench/policy-similarity.ts (which compares tokenizers).
 */

export interface TitlePairs {
  placeNames?: string[];
  docs: { id: string; title: string }[];
  interps: { title: string; expect: string | null }[];
}

export interface PairScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  /** Wrong matches: interpretation title → document id matched. */
  wrong: string[];
  /** Missed pairs: interpretation title → expected document id. */
  missed: string[];
}

export function titleOnlyDocument(id: string, title: string): PolicyDocument {
  return { url: `fixture:${id}`, title, innerTitles: bookTitles(title), links: [], linkTargets: [], signals: [] };
}

export function titleOnlyInterpretation(i: number, title: string): PolicyInterpretation {
  return {
    url: `fixture:I${i}`, title, form: 'text', docNos: [], bodyDocNos: [], titleRefs: bookTitles(title), leadTitleRefs: [],
    links: [], anchors: [], linkTargets: [], imageOnly: false, signals: [],
  };
}

export function scoreTitlePairs(set: TitlePairs, opts: MatchOptions = {}): PairScore {
  const docs = set.docs.map((d) => titleOnlyDocument(d.id, d.title));
  const interps = set.interps.map((x, i) => titleOnlyInterpretation(i, x.title));
  const matches = matchPolicies(docs, interps, { placeNames: set.placeNames, ...opts });
  let tp = 0;
  let fp = 0;
  const wrong: string[] = [];
  const matched = new Set<string>();
  for (const m of matches) {
    const i = +m.interp.slice('fixture:I'.length);
    const docId = m.doc.slice('fixture:'.length);
    if (set.interps[i].expect === docId) {
      tp++;
      matched.add(m.interp);
    } else {
      fp++;
      wrong.push(`${set.interps[i].title} → ${docId} (${m.reason} ${m.score})`);
    }
  }
  const missed: string[] = [];
  set.interps.forEach((x, i) => {
    if (x.expect && !matched.has(`fixture:I${i}`)) missed.push(`${x.title} → ${x.expect}`);
  });
  const fn = missed.length;
  return { tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1, wrong, missed };
}
