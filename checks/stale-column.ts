import type { Check, Finding, PageObservation } from '../src/model.ts';
import { columnKey } from '../src/analyze/classify.ts';
import { columnPages, htmlPages, pageFacts } from '../src/facts/page.ts';
import { columnInfo, mainListItems, type ListItem } from '../src/analyze/columns.ts';
import { addDays, daysBetween } from '../src/analyze/dates.ts';

/**
 * 栏目应更新未更新: a column page whose newest item is older than the update period of its type (news 14 days,
 * notices and policy documents 183, personnel/plans/leaders/organisation/overview 365; ctx.options.stalePeriods).
 * Columns of an unknown type are not judged. Content pages of the same column found by the crawl count as items.
 */

const TYPE_ZH: Record<string, string> = {
  news: '动态要闻',
  notice: '通知公告',
  policy: '政策文件',
  personnel: '人事信息',
  plan: '规划计划',
  leader: '领导信息',
  organization: '机构职能',
  overview: '概况信息',
  interpretation: '政策解读',
  finance: '财政信息',
  statistics: '统计信息',
};

interface ContentRef {
  page: PageObservation;
  url: string;
  crumbKeys: Set<string>;
}

/** The run's content pages with the column keys their breadcrumbs link to (built once per run). */
function contentIndex(pages: PageObservation[]): ContentRef[] {
  const out: ContentRef[] = [];
  for (const p of pages) {
    try {
      const facts = pageFacts(p);
      if (facts.classification.kind !== 'content') continue;
      const url = p.finalUrl || p.url;
      const crumb = facts.crumb;
      const crumbKeys = new Set<string>();
      for (const c of crumb?.items ?? []) if (c.url) crumbKeys.add(columnKey(c.url));
      out.push({ page: p, url, crumbKeys });
    } catch {
      /* skip unparsable pages */
    }
  }
  return out;
}

/** Content pages of a column: under its directory, or with a breadcrumb link to it. */
function contentPagesOf(index: ContentRef[], key: string): PageObservation[] {
  let dirKey = key;
  try {
    const u = new URL(key);
    if (u.pathname === '/' || u.search) dirKey = '';
  } catch {
    dirKey = '';
  }
  return index.filter((r) => (dirKey && r.url.startsWith(dirKey) && r.url !== dirKey) || r.crumbKeys.has(key)).map((r) => r.page);
}

/**
 * Does an item URL belong to the column? Under the column's directory (TRS: ./202106/t…), or a Hanweb article of
 * the same column id (/col/col4501/ → /art/…/art_4501_…).
 */
function belongsTo(columnUrl: string, key: string): (itemUrl: string) => boolean {
  let dir = '';
  try {
    const u = new URL(key);
    if (u.pathname !== '/' && !u.search) dir = key;
  } catch {
    dir = '';
  }
  const col = /\/col\/col(\d+)\//i.exec(columnUrl)?.[1];
  return (itemUrl) => (dir !== '' && itemUrl.startsWith(dir) && itemUrl !== dir) || (!!col && new RegExp(`/art_${col}_\\d+`, 'i').test(itemUrl));
}

const check: Check = {
  id: 'stale-column',
  title: '栏目应更新未更新',
  description: 'Column pages whose newest item is older than the update period of the column type (ctx.options.stalePeriods).',
  needsHtml: true,
  run(ctx) {
    const findings: Finding[] = [];
    const pages = htmlPages(ctx);
    const notAfter = addDays(ctx.asOf, 1);
    let index: ContentRef[] | undefined;
    for (const { page, url, key, html, rendered, facts } of columnPages(ctx, pages)) {
      try {
        const info = rendered ? columnInfo(page, { kind: 'column', html }) : facts.column;
        const period = ctx.options?.stalePeriods?.[info.type];
        if (typeof period !== 'number' || !(period > 0)) continue;
        const all = facts.items;
        const main = mainListItems(all);
        const belongs = belongsTo(url, key);
        // The column's items: its main list, plus any other listed item that lives under the column (a parent
        // section shows several blocks of its own sub-columns).
        const pool = new Set<ListItem>([...main, ...all.filter((i) => belongs(i.url))]);
        const dated: { date: string; title: string; url: string; source: string; precision: string }[] = [...pool]
          .filter((i): i is ListItem & { date: string } => !!i.date && i.date <= notAfter)
          .map((i) => ({ date: i.date, title: i.title, url: i.url, source: i.dateSource, precision: i.precision ?? 'day' }));
        // Is the main list really this column's list (and not a sidebar while the real list loads by script)?
        const mainDated = main.filter((i) => i.date);
        const ownShare = mainDated.length ? mainDated.filter((i) => belongs(i.url)).length / mainDated.length : 0;
        const datedLists = new Set(all.filter((i) => i.date).map((i) => i.listKey)).size;
        const dynamic = !rendered && facts.dynamicList;
        const confident = ownShare >= 0.5 || (datedLists === 1 && !dynamic);
        index ??= contentIndex(pages);
        for (const p of contentPagesOf(index, key)) {
          const pub = pageFacts(p).publication;
          if (pub?.date && pub.date <= notAfter) dated.push({ date: pub.date, title: '', url: p.url, source: 'linked-page', precision: 'day' });
        }
        const typeZh = TYPE_ZH[info.type] ?? info.type;
        const name = info.name ?? '（未识别栏目名）';
        if (dated.length === 0) {
          if (main.length > 0) {
            findings.push({
              check: check.id,
              url: page.url,
              detail: `栏目「${name}」列出 ${main.length} 条信息但均无日期，无法判断是否按期（${period} 天）更新`,
              message: `栏目「${name}」的信息未标注日期，无法判断更新情况，需人工核实。`,
              evidence: {
                unverified: true,
                columnName: info.name,
                columnType: info.type,
                periodDays: period,
                itemsFound: main.length,
                confirmation: rendered ? 'rendered' : 'static',
              },
            });
          }
          continue;
        }
        const newest = dated.reduce((b, c) => (c.date > b.date ? c : b));
        const age = daysBetween(newest.date, ctx.asOf);
        if (!(age > period)) continue;
        const yearNote = newest.precision === 'month-day' ? '（未显示年份，按最近的可能年份计算）' : '';
        findings.push({
          check: check.id,
          url: page.url,
          target: newest.url,
          detail: `最新信息日期 ${newest.date}${yearNote}，距监测时间点 ${age} 天；${typeZh}类栏目更新周期 ${period} 天`,
          message: confident
            ? `栏目「${name}」应更新未更新：最新信息为 ${newest.date}，距监测时间点已 ${age} 天未更新（${typeZh}类栏目更新周期 ${period} 天）。`
            : `栏目「${name}」疑似未按期更新（最新可见信息为 ${newest.date}），但该列表可能不是本栏目的列表或由脚本加载，需人工核实。`,
          evidence: {
            columnName: info.name,
            columnType: info.type,
            newestItemUrl: newest.url,
            newestItemTitle: newest.title || undefined,
            newestDate: newest.date,
            dateSource: newest.source,
            precision: newest.precision,
            periodDays: period,
            ageDays: age,
            itemsChecked: dated.length,
            ownItemsShare: Math.round(ownShare * 100) / 100,
            confirmation: rendered ? 'rendered' : !confident && dynamic ? 'unconfirmed' : 'static',
            ...(confident ? {} : { unverified: true }),
          },
        });
      } catch {
        // Hostile markup must never break the run: this page is simply not judged.
      }
    }
    return findings;
  },
};

export default check;
