import type { PolicyDocument, PolicyInterpretation } from './extract.ts';
import { normTitle, urlKey } from './extract.ts';
import { titleSimilarity, type Tokenizer } from './similarity.ts';

/**
 * Matching interpretations to the documents they interpret, strongest evidence first:
 *   1. links — either page links the other (by URL; or an anchor whose text is the other's title);
 *   2. 文号 — the interpretation names the document's 文号 in its title, a relation block or its first paragraphs;
 *   3. 《title》 — the interpretation's title or relation block names the document's title (关于印发《X》的通知 → X);
 *   4. body mentions — 《title》 in the first paragraphs, 文号 further down: only when 1–3 found nothing for the
 *      interpretation (further down, background documents are cited);
 *   5. title similarity — only when 1–4 found nothing, only the single best document, and only above the threshold
 *      with a margin over the runner-up.
 * An interpretation may match several documents (1–4); each match keeps its reason, score and a Chinese detail.
 */

/**
 * Thresholds, in one place. Chosen with bench/policy-similarity.ts on the labelled title pairs
 * (fixtures/policy/title-pairs.json: 18 pairs, 12 hard negatives — look-alike subjects, other years, other places,
 * revisions) and the 绿水市 site pairs (fixtures/policy/site-pairs.json). Bigram Dice makes no false match from 0.70 up
 * (recall 0.89 at 0.70–0.75, 0.83 from 0.80); jieba words (@node-rs/jieba) make one until 0.85 (recall 0.83 there), so
 * the bigrams are kept and no dependency is added. 0.75 leaves a step above the last threshold with a false match
 * (0.667); the margin keeps a guess off two near-identical documents (措施 / 其实施细则). The site pairs are all found by
 * both methods at every threshold tried.
 */
export const MATCH_THRESHOLDS: {
  similarity: number; namedSimilarity: number; margin: number; linkScore: number; docNoScore: number; titleScore: number; bodyScore: number;
} = {
  /** Dice of character bigrams of the two core titles. */
  similarity: 0.75,
  /**
   * When the interpretation names a 《title》 that equals no document, only a near-identical title may match (a
   * punctuation or 的 variant); a different 《title》 is a different document.
   */
  namedSimilarity: 0.9,
  /** The best document must beat the runner-up by this much. */
  margin: 0.15,
  /** Scores reported for the rule-based reasons. */
  linkScore: 1,
  docNoScore: 1,
  titleScore: 0.95,
  bodyScore: 0.8,
};

export type MatchReason = 'link' | 'docno' | 'title' | 'body-docno' | 'body-title' | 'similarity';

export interface PolicyMatch {
  doc: string;
  interp: string;
  reason: MatchReason;
  score: number;
  /** Chinese: why they were paired (for the inspector). */
  detail: string;
  /** The interpretation page links to the document (by URL, or an anchor carrying its title). */
  interpLinksDoc: boolean;
  /** The document page links to the interpretation. */
  docLinksInterp: boolean;
  /** The anchors that make the links, when any. */
  interpLink?: { url: string; text: string };
  docLink?: { url: string; text: string };
}

export interface MatchOptions {
  placeNames?: string[];
  tokenizer?: Tokenizer;
  /** Extra URL keys of a page (redirects, other copies): url → aliases. */
  aliases?: Map<string, string[]>;
  thresholds?: Partial<typeof MATCH_THRESHOLDS>;
}

/** The comparable forms of a document's title: full, without the issuer, the 《》 titles, without 关于 … 的通知. */
export function documentTitleForms(doc: Pick<PolicyDocument, 'title' | 'innerTitles'>): Set<string> {
  const out = new Set<string>();
  const t = doc.title;
  out.add(normTitle(t));
  const noIssuer = t.replace(/^.{2,30}?(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|局|厅)(?=关于)/, '');
  out.add(normTitle(noIssuer));
  out.add(normTitle(noIssuer.replace(/^关于/, '').replace(/的(?:通知|通告|公告)$/, '')));
  for (const i of doc.innerTitles) out.add(normTitle(i));
  out.delete('');
  return out;
}

function keysOf(url: string, aliases?: Map<string, string[]>): Set<string> {
  const s = new Set([urlKey(url)]);
  for (const a of aliases?.get(url) ?? []) s.add(urlKey(a));
  return s;
}

/** A page's outgoing links indexed by URL key and by anchor title. */
interface LinkIndex {
  byKey: Map<string, { url: string; text: string }>;
  byTitle: Map<string, { url: string; text: string }>;
}

function indexLinks(targets: string[], anchors: { url: string; text: string }[]): LinkIndex {
  const byKey = new Map<string, { url: string; text: string }>();
  const byTitle = new Map<string, { url: string; text: string }>();
  for (const a of anchors) {
    const k = urlKey(a.url);
    if (!byKey.has(k)) byKey.set(k, a);
    const n = normTitle(a.text);
    if (n.length >= 6 && !byTitle.has(n)) byTitle.set(n, a);
  }
  for (const t of targets) {
    const k = urlKey(t);
    if (!byKey.has(k)) byKey.set(k, { url: t, text: '' });
  }
  return { byKey, byTitle };
}

/** Does a page link to a target page: by URL (`byUrl`), else by an anchor carrying the target's title? */
function linksTo(ix: LinkIndex, keys: Set<string>, titleForms: Set<string>): { link: { url: string; text: string }; byUrl: boolean } | undefined {
  for (const k of keys) {
    const hit = ix.byKey.get(k);
    if (hit) return { link: hit, byUrl: true };
  }
  for (const f of titleForms) {
    const hit = ix.byTitle.get(f);
    if (hit) return { link: hit, byUrl: false };
  }
  return undefined;
}

export function matchPolicies(docs: PolicyDocument[], interps: PolicyInterpretation[], opts: MatchOptions = {}): PolicyMatch[] {
  const th = { ...MATCH_THRESHOLDS, ...opts.thresholds };
  const docForms = new Map(docs.map((d) => [d.url, documentTitleForms(d)]));
  const docKeys = new Map(docs.map((d) => [d.url, keysOf(d.url, opts.aliases)]));
  const docIndex = new Map(docs.map((d) => [d.url, indexLinks(d.linkTargets, d.links)]));
  const byDocNo = new Map<string, PolicyDocument[]>();
  for (const d of docs) if (d.docNo) byDocNo.set(d.docNo, [...(byDocNo.get(d.docNo) ?? []), d]);
  const out: PolicyMatch[] = [];

  for (const it of interps) {
    const itKeys = keysOf(it.url, opts.aliases);
    const itForm = new Set([normTitle(it.title)]);
    const itIndex = indexLinks(it.linkTargets, [...it.links, ...it.anchors]);
    const found = new Map<string, PolicyMatch>();
    const linkState = (d: PolicyDocument) => ({
      il: linksTo(itIndex, docKeys.get(d.url)!, docForms.get(d.url)!),
      dl: linksTo(docIndex.get(d.url)!, itKeys, itForm),
    });
    const add = (d: PolicyDocument, reason: MatchReason, score: number, detail: string) => {
      if (found.has(d.url)) return;
      const { il, dl } = linkState(d);
      found.set(d.url, {
        doc: d.url, interp: it.url, reason, score, detail,
        interpLinksDoc: !!il, docLinksInterp: !!dl,
        ...(il ? { interpLink: il.link } : {}), ...(dl ? { docLink: dl.link } : {}),
      });
    };

    // 1. Links, either way.
    for (const d of docs) {
      const { il, dl } = linkState(d);
      if (il?.byUrl) add(d, 'link', th.linkScore, '解读页链接到该文件');
      else if (dl?.byUrl) add(d, 'link', th.linkScore, '文件页链接到该解读');
      else if (il) add(d, 'link', th.linkScore, `解读页有以文件标题为名的链接「${il.link.text.slice(0, 40)}」`);
    }
    // 2. 文号 in the title, a relation block or the first paragraphs.
    for (const no of it.docNos) for (const d of byDocNo.get(no) ?? []) add(d, 'docno', th.docNoScore, `解读写明文号 ${no}`);
    // 3. 《title》 in the title or a relation block.
    for (const ref of it.titleRefs) {
      const n = normTitle(ref);
      if (n.length < 4) continue;
      for (const d of docs) if (docForms.get(d.url)!.has(n)) add(d, 'title', th.titleScore, `解读标题写明《${ref}》`);
    }
    // 4. Body mentions, only when nothing stronger.
    if (found.size === 0) {
      for (const ref of it.leadTitleRefs) {
        const n = normTitle(ref);
        if (n.length < 4) continue;
        for (const d of docs) if (docForms.get(d.url)!.has(n)) add(d, 'body-title', th.bodyScore, `解读正文开头写明《${ref}》`);
      }
      for (const no of it.bodyDocNos) for (const d of byDocNo.get(no) ?? []) add(d, 'body-docno', th.bodyScore, `解读正文写明文号 ${no}`);
    }
    // 5. Title similarity: the single clear best, only when nothing else.
    if (found.size === 0 && docs.length > 0) {
      const scored = docs
        .map((d) => ({ d, s: titleSimilarity(d.title, it.title, { placeNames: opts.placeNames, tokenizer: opts.tokenizer }) }))
        .sort((a, b) => b.s.score - a.s.score);
      const best = scored[0];
      const second = scored[1]?.s.score ?? 0;
      const threshold = it.titleRefs.length ? Math.max(th.similarity, th.namedSimilarity) : th.similarity;
      if (best.s.score >= threshold && best.s.score - second >= th.margin) {
        add(best.d, 'similarity', best.s.score, `标题相似度 ${best.s.score.toFixed(2)}（「${best.s.docCore}」/「${best.s.interpCore}」），需人工确认`);
      }
    }
    out.push(...found.values());
  }
  return out;
}
