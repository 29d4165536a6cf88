/**
 * 联动传播: the inspector's lists of important items to relay (config `files`: YAML or XLSX, one per quarter; CLI
 * `--linkage FILE`), each item looked for among the crawled pages (article titles, list rows with their dates) and,
 * when not found on time, through the site's own search. Observations: linkage-item (per item, with what was searched).
 */
import { docFacts } from '../facts/doc.ts';
import path from 'node:path';
import type { Gatherer, GatherEnv } from './_types.ts';
import { addDays } from '../analyze/dates.ts';
import { articleTitle, findPublicationDate } from '../analyze/dates.ts';
import { loadHtml } from '../analyze/dom.ts';
import { extractListItems } from '../analyze/columns.ts';
import {
  DEFAULT_LINKAGE_DAYS, findLinkageItems, linkageMatch, readLinkageFile,
  type LinkageCandidate, type LinkageItem, type LinkageList,
} from '../analyze/linkage.ts';
import { findSearchForm, siteSearch, type SearchResult } from './_pages.ts';

function filesOf(config: Record<string, unknown>): string[] {
  const v = config.files ?? config.file;
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  const base = typeof config.baseDir === 'string' ? config.baseDir : process.cwd();
  return list.map((f) => String(f).trim()).filter(Boolean).map((f) => path.resolve(base, f));
}

const gatherer: Gatherer = {
  id: 'linkage',
  description: '联动传播: items of the configured relay lists looked for in the crawl and the site search.',
  async run(env: GatherEnv) {
    const files = filesOf(env.config);
    if (!files.length) {
      env.status({ status: 'skipped', reason: '未配置联动传播清单（sites 文件 gather.linkage.files，或 govsite audit --linkage 文件）' });
      return;
    }
    const sinceDays = typeof env.config.sinceDays === 'number' ? env.config.sinceDays : 365;
    const cfgDays = typeof env.config.withinDays === 'number' && env.config.withinDays > 0 ? env.config.withinDays : undefined;
    const since = addDays(env.asOf, -sinceDays);
    const items: LinkageItem[] = [];
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const f of files) {
      const list = await readLinkageFile(f);
      errors.push(...list.errors.map((e) => `${path.basename(f)}: ${e}`));
      for (const it of list.items) {
        const k = `${it.date}|${it.title}`;
        if (seen.has(k) || it.date > env.asOf || it.date < since) continue;
        seen.add(k);
        items.push({ ...it, withinDays: it.withinDays ?? cfgDays ?? list.withinDays });
      }
    }
    // A relay list is tens of items a quarter; a huge file is cut (each item is compared with every title crawled).
    const MAX_ITEMS = 300;
    if (items.length > MAX_ITEMS) {
      errors.push(`more than ${MAX_ITEMS} items in the period: only the first ${MAX_ITEMS} are searched`);
      items.length = MAX_ITEMS;
    }
    for (const e of errors.slice(0, 10)) env.note(`联动传播清单：${e}`);
    const list: LinkageList = { items, errors, withinDays: DEFAULT_LINKAGE_DAYS };
    // Titles seen in the crawl that match some item (article titles with their dates, list rows).
    const cands: LinkageCandidate[] = [];
    let pages = 0;
    for (const p of env.pages()) {
      pages++;
      if (!items.length || !docFacts(p).chars || p.status === null || p.status >= 400) continue;
      try {
        const $ = loadHtml(p.html);
        const t = articleTitle($);
        if (t && items.some((it) => linkageMatch(it, t))) {
          const d = findPublicationDate(p, p.html)?.date;
          cands.push({ title: t, url: p.url, ...(d ? { date: d } : {}), from: 'page' });
        }
        for (const li of extractListItems(p)) {
          if (items.some((it) => linkageMatch(it, li.title))) cands.push({ title: li.title, url: li.url, ...(li.date ? { date: li.date } : {}), from: 'list' });
        }
      } catch {
        /* an unreadable page is skipped */
      }
    }
    let results = findLinkageItems(list, cands, env.asOf);
    // Not found on time in the crawl: ask the site's search (one query per item).
    const form = findSearchForm(env.homepage);
    const searches = new Map<string, SearchResult>();
    for (const r of results) {
      if (r.status !== 'missing' && r.status !== 'late') continue;
      if (!form || env.signal.aborted) break;
      const q = r.item.keywords?.length ? r.item.keywords.join(' ') : r.item.title;
      const s = await siteSearch(env, env.homepage, q, env.asOf);
      if (!s) break;
      searches.set(`${r.item.date}|${r.item.title}`, s);
      for (const it of s.items) cands.push({ title: it.title, url: it.url, ...(it.date ? { date: it.date } : {}), from: 'search' });
    }
    if (searches.size) results = findLinkageItems(list, cands, env.asOf);
    for (const r of results) {
      const k = `${r.item.date}|${r.item.title}`;
      const s = searches.get(k);
      env.emit('linkage-item', k, {
        ...r,
        searched: {
          pages,
          files: files.map((f) => path.basename(f)),
          search: s ? { url: s.url, method: s.method, ok: s.ok, error: s.error, results: s.items.length } : form ? undefined : { available: false },
        },
      });
    }
    const count = (st: string) => results.filter((r) => r.status === st).length;
    const summary = `联动传播清单 ${items.length} 条（${files.map((f) => path.basename(f)).join('、')}）：按期转载 ${count('found')} 条，逾期 ${count('late')} 条，未找到 ${count('missing')} 条，未到期 ${count('not-due')} 条；检索抓取页面 ${pages} 个${searches.size ? `，站内搜索 ${searches.size} 次` : form ? '' : '（网站无可用的站内搜索）'}`;
    if (!items.length) env.status({ status: errors.length ? 'failed' : 'ok', summary, ...(errors.length ? { reason: `清单无法读取：${errors[0]}` } : {}) });
    else env.status({ status: errors.length ? 'partial' : 'ok', summary, ...(errors.length ? { reason: `清单部分条目无法读取：${errors.slice(0, 3).join('；')}` } : {}), stats: { items: items.length, found: count('found'), late: count('late'), missing: count('missing'), notDue: count('not-due') } });
  },
};

export default gatherer;
