/**
 * 专题专栏: the topics of the homepage block and the section page (专题专栏 / 往期专题), the pages under each topic's
 * directory from the crawl, and the topic pages the crawl did not reach (front page, its sub-columns and list pages,
 * fetched within the budget; rendered when the list is written by script). Observations: topic (per topic, its facts)
 * and topic-section (where the section was found).
 */
import type { PageObservation } from '../model.ts';
import type { Gatherer, GatherEnv } from './_types.ts';
import { findTopics, isTopicSectionPage, topicDir, topicFacts } from '../analyze/topics.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts } from '../facts/gather.ts';
import { loadHtml, normText } from '../analyze/dom.ts';
import { documentBase, resolveUrl } from '../collect/links.ts';
import { findElements, textContent } from '../analyze/walk.ts';
import { nextListPages, PageSource } from './_pages.ts';

const TOPIC_URL = /\/(?:ztzl|zt|ztlm|special|topic|zhuanti)\//i;
const SECTION_LINK = /^(?:专题专栏|专题|专栏|更多专题|专题栏目|热点专题|往期专题)(?:\s*[>》»]+)?$/;

/** Links on a topic's front page to its own sub-columns ("更多" of each block, side menus) under its directory. */
function subColumns(page: PageObservation, dir: string): string[] {
  const out = new Set<string>();
  try {
    const $ = loadHtml(page.html);
    const base = documentBase($, page.finalUrl || page.url);
    for (const a of findElements($.root().toArray(), (e) => e.name === 'a' && e.attribs.href !== undefined, 5_000)) {
      const u = resolveUrl(a.attribs.href, base);
      if (!u || !u.startsWith(dir)) continue;
      const t = normText(textContent(a));
      if (/更多|more/i.test(t) || /\/(?:index|default)(?:_\d+)?\.\w+$|\/$/.test(new URL(u).pathname)) out.add(u);
    }
  } catch {
    return [];
  }
  return [...out].slice(0, 8);
}

const gatherer: Gatherer = {
  id: 'topics',
  description: '专题专栏: topics of the homepage block and the section page with their first/newest item dates (crawl + fetched topic pages).',
  async run(env: GatherEnv) {
    if (env.site.unitType !== 'city') {
      env.status({ status: 'skipped', reason: '省直单位指标不含专题专栏' });
      return;
    }
    const maxPagesPerTopic = typeof env.config.maxPagesPerTopic === 'number' ? env.config.maxPagesPerTopic : 12;
    const pool: PageObservation[] = [];
    let crawled = 0;
    for (const p of env.pages()) {
      crawled++;
      if (!docFacts(p).chars || p.status === null || p.status >= 400) continue;
      if (p.isHomepage || TOPIC_URL.test(p.finalUrl || p.url) || gatherFacts(p).topicSection) pool.push(p);
    }
    const home = pool.find((p) => p.isHomepage) ?? env.homepage;
    if (home && !pool.includes(home)) pool.push(home);
    const src = new PageSource(env, pool);
    // The section page the homepage links to (专题专栏 / 更多专题), when the crawl did not read it.
    for (const l of home?.links ?? []) {
      if (l.kind !== 'a' || !SECTION_LINK.test(l.text)) continue;
      if (src.has(l.target)) continue;
      const p = await src.get(l.target);
      if (p) pool.push(p);
    }
    const entries = findTopics(pool);
    // Each topic's pages: front page, its sub-columns, their later list pages.
    for (const e of entries) {
      if (e.external || env.signal.aborted) continue;
      const dir = topicDir(e.url);
      if (!dir) continue;
      let read = 0;
      const queue = [e.url];
      const seen = new Set<string>();
      while (queue.length && read < maxPagesPerTopic && !env.signal.aborted) {
        const u = queue.shift()!;
        if (seen.has(u)) continue;
        seen.add(u);
        const had = src.has(u);
        const p = await src.get(u, { renderIfEmpty: true });
        if (!p) continue;
        if (!had) pool.push(p);
        read++;
        if (u === e.url) for (const s of subColumns(p, dir)) queue.push(s);
        for (const n of nextListPages(p)) queue.push(n);
      }
    }
    const facts = entries.map((e) => topicFacts(e, pool, env.asOf));
    for (const f of facts) env.emit('topic', f.url, f, f.url);
    const sections = pool.filter((p) => !p.isHomepage && isTopicSectionPage(p)).map((p) => p.url);
    env.emit('topic-section', 'section', { homepageBlock: facts.some((f) => f.source === 'homepage'), sectionPages: sections, homepage: home?.url });
    const summary = `找到专题 ${facts.length} 个（首页区块 ${facts.filter((f) => f.source === 'homepage').length} 个，外站链接 ${facts.filter((f) => f.external).length} 个，往期 ${facts.filter((f) => f.finished).length} 个；补充读取 ${src.fetched} 页）`;
    const stats = { pagesCrawled: crawled, topics: facts.length, fetched: src.fetched, rendered: src.rendered };
    if (src.failures.length) env.status({ status: 'partial', summary, reason: `${src.failures.length} 个专题页面无法读取（如 ${src.failures[0].url}：${src.failures[0].error}）`, stats });
    else env.status({ status: 'ok', summary, stats });
  },
};

export default gatherer;
