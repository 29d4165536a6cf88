/**
 * Policy documents and their interpretations (政策文件 / 政策解读): the crawled pages, plus a deeper walk of the policy
 * and interpretation columns — their pagination, back to the year before the as-of date — fetching the documents the
 * crawl did not reach; then the matches between them. Pages whose relation block may be written by script are
 * rendered before a missing link is recorded. Observations: policy-document, policy-interpretation, policy-match.
 */
import type { PageObservation } from '../model.ts';
import type { Gatherer, GatherEnv } from './_types.ts';
import { columnKey, isLaterListPage } from '../analyze/classify.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts } from '../facts/gather.ts';
import { pageFacts } from '../facts/page.ts';
import { columnInfo } from '../analyze/columns.ts';
import { addDays } from '../analyze/dates.ts';
import { loadHtml } from '../analyze/dom.ts';
import { elementsNamed, findElements } from '../analyze/walk.ts';
import { analysePolicyPages, placeNamesOf } from '../analyze/policy/analyse.ts';
import { urlKey } from '../analyze/policy/extract.ts';
import { listItemsOf, nextListPages, PageSource } from './_pages.ts';

/** Pages worth reading: a 文号, an interpretation word, a policy-column word. */
const POLICY_COLUMN = /政策文件|规范性文件|政府文件|政策法规|文件发布|部门文件|本级文件|[市县区州省局委厅办]文件|^文件$|文件库|政府令|规章|最新文件|政策库/;
const INTERP_COLUMN = /解读|图解|答记者问|政策问答/;
/** A relation block a script may fill: an empty container named like one, or a script naming 解读 / 原文. */
const SCRIPTED_RELATION = /解读|原文|xgjd|zcjd|related|relate|glwj|xgwj|guanlian|关联/i;

function relationMayBeScripted(html: string): boolean {
  try {
    const $ = loadHtml(html);
    for (const s of elementsNamed($, 'script')) {
      const code = (s.children ?? []).map((c) => (c as unknown as { data?: string }).data ?? '').join('');
      if (code && SCRIPTED_RELATION.test(code) && /write|innerHTML|append|\.html\(|ajax|\$\.get|fetch\(/.test(code)) return true;
      if (s.attribs.src && /xgjd|zcjd|relat|glwj|xgwj|jiedu/i.test(s.attribs.src)) return true;
    }
    return findElements($.root().toArray(), (e) => /xgjd|zcjd|related|relate|glwj|xgwj|jiedu/i.test(`${e.attribs.id ?? ''} ${e.attribs.class ?? ''}`) && (e.children ?? []).length === 0, 5).length > 0;
  } catch {
    return false;
  }
}

const gatherer: Gatherer = {
  id: 'policy',
  description: 'Policy documents and interpretations: crawled pages plus the policy/interpretation columns walked back one year (pagination), then their matches.',
  async run(env: GatherEnv) {
    const since = addDays(env.asOf, -365);
    const maxListPages = num(env.config.maxListPages, 30);
    const maxFetch = num(env.config.maxDocuments, 200);
    const kept: PageObservation[] = [];
    const columns = new Map<string, { url: string; name: string; kind: 'policy' | 'interpretation' }>();
    let crawled = 0;
    for (const p of env.pages()) {
      crawled++;
      if (!docFacts(p).chars || p.status === null || p.status >= 400 || p.isHomepage) continue;
      if (!gatherFacts(p).policy) continue;
      const kind = docFacts(p).kind;
      if (kind === 'content') kept.push(p);
      else if (kind === 'column') {
        const info = pageFacts(p).column;
        const name = info.name ?? '';
        const k = INTERP_COLUMN.test(name) ? 'interpretation' : POLICY_COLUMN.test(name) ? 'policy' : undefined;
        if (k && !isLaterListPage(p.finalUrl || p.url)) columns.set(columnKey(p.finalUrl || p.url), { url: p.finalUrl || p.url, name, kind: k });
        if (k) kept.push(p);
      }
    }
    // Columns the homepage names but the crawl did not read.
    for (const l of env.homepage?.links ?? []) {
      if (l.kind !== 'a' || l.text.length > 12) continue;
      const k = INTERP_COLUMN.test(l.text) ? 'interpretation' : POLICY_COLUMN.test(l.text) ? 'policy' : undefined;
      if (!k) continue;
      try {
        if (new URL(l.target).hostname.replace(/^www\./, '') !== env.site.host.replace(/^www\./, '')) continue;
      } catch {
        continue;
      }
      const key = columnKey(l.target);
      if (!columns.has(key)) columns.set(key, { url: l.target, name: l.text, kind: k });
    }

    const src = new PageSource(env, kept);
    const listed = new Map<string, { url: string; date?: string; title: string }>();
    let listPages = 0;
    let olderReached = 0;
    const partial: string[] = [];
    for (const col of columns.values()) {
      let url: string | undefined = col.url;
      const seen = new Set<string>();
      let n = 0;
      while (url && !seen.has(urlKey(url)) && n < maxListPages && !env.signal.aborted) {
        seen.add(urlKey(url));
        const page = await src.get(url, { renderIfEmpty: true });
        if (!page) break;
        n++;
        listPages++;
        const items = listItemsOf(page, env.asOf);
        let older = false;
        for (const it of items) {
          if (it.date && it.date < since) older = true;
          else if (!listed.has(urlKey(it.url))) listed.set(urlKey(it.url), { url: it.url, date: it.date, title: it.title });
        }
        if (older) {
          olderReached++;
          break;
        }
        url = nextListPages(page)[0];
      }
      if (n >= maxListPages) partial.push(`栏目「${col.name}」超过 ${maxListPages} 页，未全部读取`);
    }
    // Documents and interpretations listed in the period that the crawl did not read.
    let fetchedDocs = 0;
    for (const it of listed.values()) {
      if (src.has(it.url) || env.signal.aborted) continue;
      if (fetchedDocs >= maxFetch) {
        partial.push(`期间内文件超过 ${maxFetch} 件，其余未读取`);
        break;
      }
      const p = await src.get(it.url);
      fetchedDocs++;
      if (p) kept.push(p);
    }

    const placeNames = placeNamesOf(env.site.name);
    let analysis = analysePolicyPages(kept, { placeNames });
    // A missing link on a page whose relation block may be written by script: look at the rendered page.
    const byUrl = new Map(kept.map((p) => [p.url, p]));
    const unsure = new Set<string>();
    let renderedForLinks = 0;
    const needRender = new Set<string>();
    for (const m of analysis.matches) {
      if (!m.interpLinksDoc) needRender.add(m.interp);
      if (!m.docLinksInterp) needRender.add(m.doc);
    }
    const replaced = new Map<string, PageObservation>();
    for (const u of needRender) {
      const p = byUrl.get(u);
      if (!p || !relationMayBeScripted(p.html)) continue;
      const r = env.signal.aborted ? null : await env.render(u);
      if (r?.html) {
        renderedForLinks++;
        replaced.set(u, { ...p, html: r.html, links: [] });
      } else unsure.add(u);
    }
    if (replaced.size) {
      const pages = kept.map((p) => replaced.get(p.url) ?? p);
      analysis = analysePolicyPages(pages, { placeNames });
    }
    for (const d of analysis.documents) env.emit('policy-document', d.url, d, d.url);
    for (const i of analysis.interpretations) env.emit('policy-interpretation', i.url, i, i.url);
    for (const m of analysis.matches) {
      const relationUnsure = (!m.interpLinksDoc && unsure.has(m.interp)) || (!m.docLinksInterp && unsure.has(m.doc));
      env.emit('policy-match', `${m.doc}|${m.interp}`, { ...m, ...(relationUnsure ? { relationScripted: true } : {}) });
    }
    const stats = {
      pagesCrawled: crawled,
      columns: columns.size,
      listPages,
      listedInPeriod: listed.size,
      fetched: src.fetched,
      rendered: src.rendered + renderedForLinks,
      documents: analysis.documents.length,
      interpretations: analysis.interpretations.length,
      matches: analysis.matches.length,
      since,
    };
    const summary = `读取政策文件 ${analysis.documents.length} 件、解读 ${analysis.interpretations.length} 篇（抓取页面 ${crawled} 个，栏目 ${columns.size} 个共 ${listPages} 页，补充读取 ${src.fetched} 页）`;
    if (src.failures.length) partial.push(`${src.failures.length} 个页面无法读取（如 ${src.failures[0].url}：${src.failures[0].error}）`);
    if (!columns.size && !analysis.documents.length) {
      env.status({ status: 'partial', summary, reason: '未找到政策文件或政策解读栏目', stats });
    } else if (partial.length) env.status({ status: 'partial', summary, reason: partial.join('；'), stats });
    else env.status({ status: 'ok', summary, stats });
  },
};

function num(v: unknown, d: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : d;
}

export default gatherer;
