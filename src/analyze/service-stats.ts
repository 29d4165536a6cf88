import type { PageObservation } from '../model.ts';
import { loadHtml, normText } from './dom.ts';
import { bodyOrRoot } from './walk.ts';
import { articleTitle, findPublicationDate, metaContent, toHalfWidth, visibleText } from './dates.ts';
import { footerElements } from './footer.ts';
import { extractListItems, hasDynamicListScript } from './columns.ts';
import type { Element } from 'domhandler';

/**
 * 办事统计 (市州): published statistics of services handled — the overall figures, 受理 (accepted) and 办结 (completed)
 * counts, and the month they cover — read from pages titled or filed as 办件统计 / 办事统计 / 办件公示 / 政务服务数据.
 * Pure.
 */

const STATS_NAME = /办件统计|办事统计|办件数据|办件情况|办件公示|办理情况统计|政务服务数据|政务服务统计|审批(?:服务)?数据|数据统计|统计数据|好差评.{0,4}统计/;
const ACCEPTED = /(?:受理|收件|申请)(?:量|数|件数|办件|总量|总数)?[^0-9\n]{0,12}?\d[\d,，]*(?:\.\d+)?\s*(?:件|个|万件|次)?|受理量|受理数|受理件数/;
const COMPLETED = /(?:办结|办理完成|已办结)(?:量|数|件数|率|总量|总数)?[^0-9\n]{0,12}?\d[\d,，]*(?:\.\d+)?\s*(?:件|个|万件|次|%)?|办结量|办结数|办结件数|办结率/;

export interface StatsPage {
  url: string;
  title: string;
  /** YYYY-MM: the latest month the figures cover, read from the title or the text (2021年5月 / 1-5月). */
  month?: string;
  /** Where the month was read. */
  monthFrom?: 'title' | 'text' | 'list';
  date?: string;
  accepted: boolean;
  completed: boolean;
  /** A short excerpt with the figures. */
  snippet?: string;
  /** Lists or figures are filled by script (the static page may show nothing). */
  dynamic: boolean;
}

export interface StatsScan {
  pages: StatsPage[];
  /** Statistics columns (list pages) with their listed months. */
  columns: { url: string; name: string; months: string[] }[];
  latestMonth?: string;
  accepted: boolean;
  completed: boolean;
}

/** The latest month a text names: 2021年5月, 2021年1-5月, 2021年1月至5月, 2021.05; a bare 5月 takes `year`. */
export function statsMonth(text: string, year?: number): string | undefined {
  const s = toHalfWidth(text);
  let best: string | undefined;
  const put = (y: number, m: number) => {
    if (y < 2000 || y > 2100 || m < 1 || m > 12) return;
    const v = `${y}-${String(m).padStart(2, '0')}`;
    if (!best || v > best) best = v;
  };
  for (const m of s.matchAll(/((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*(?:月)?\s*(?:-|—|~|至|到)\s*)?(\d{1,2})\s*月(?:份)?/g)) put(+m[1], +m[3]);
  for (const m of s.matchAll(/((?:19|20)\d{2})[.\-/](\d{1,2})(?![\d.\-/])/g)) put(+m[1], +m[2]);
  if (!best && year) for (const m of s.matchAll(/(?<![\d年])(\d{1,2})\s*月(?:份)?/g)) put(year, +m[1]);
  return best;
}

/** Statistics of letters (来信办理情况统计, 留言统计) are 互动交流's, not services handled. */
const LETTER_STATS = /来信|留言|信件|信箱|诉求|网民|咨询投诉/;

function isStatsName(t: string | undefined): boolean {
  return !!t && STATS_NAME.test(t) && !LETTER_STATS.test(t);
}

/** Reads one page as a statistics page (undefined when it is not one). */
export function readStatsPage(page: PageObservation, html: string = page.html ?? ''): StatsPage | undefined {
  try {
    const $ = loadHtml(html);
    const title = normText(articleTitle($) ?? '');
    const column = metaContent($, ['columnname']);
    if (!isStatsName(title) && !isStatsName(column)) return undefined;
    const footers = new Set<Element>(footerElements($));
    const text = toHalfWidth(visibleText(bodyOrRoot($), (el) => footers.has(el))).slice(0, 100_000);
    const acc = ACCEPTED.exec(text);
    const com = COMPLETED.exec(text);
    const pub = findPublicationDate(page, html);
    const year = pub?.date ? +pub.date.slice(0, 4) : undefined;
    const tMonth = statsMonth(title, year);
    const xMonth = tMonth ? undefined : statsMonth(text.slice(0, 3000), year);
    const snippetAt = Math.max(0, Math.min(acc?.index ?? Infinity, com?.index ?? Infinity) - 20);
    return {
      url: page.url,
      title,
      ...(tMonth ? { month: tMonth, monthFrom: 'title' as const } : xMonth ? { month: xMonth, monthFrom: 'text' as const } : {}),
      ...(pub?.date ? { date: pub.date } : {}),
      accepted: !!acc,
      completed: !!com,
      ...(acc || com ? { snippet: normText(text.slice(snippetAt, snippetAt + 120)) } : {}),
      dynamic: hasDynamicListScript($),
    };
  } catch {
    return undefined;
  }
}

/** Statistics pages and columns among the pages. */
export function scanServiceStats(pages: PageObservation[], htmlOf: (p: PageObservation) => string = (p) => p.html ?? ''): StatsScan {
  const out: StatsPage[] = [];
  const columns: StatsScan['columns'] = [];
  for (const p of pages) {
    if (p.isHomepage || p.status === null || p.status >= 400) continue;
    const html = htmlOf(p);
    const r = readStatsPage(p, html);
    if (!r) continue;
    // A list of monthly statistics: the months its entries name.
    const items = extractListItems(p, { html }).filter((i) => isStatsName(i.title) || statsMonth(i.title));
    const months = items.map((i) => statsMonth(i.title, i.date ? +i.date.slice(0, 4) : undefined)).filter((m): m is string => !!m);
    if (items.length >= 2 && !r.accepted && !r.completed) {
      columns.push({ url: p.url, name: r.title, months: [...new Set(months)].sort().reverse() });
      continue;
    }
    if (items.length >= 2 && months.length >= 2) columns.push({ url: p.url, name: r.title, months: [...new Set(months)].sort().reverse() });
    out.push(r);
  }
  const monthsFromPages = out.filter((p) => p.accepted || p.completed).map((p) => p.month).filter((m): m is string => !!m);
  const latestMonth = [...monthsFromPages].sort().pop();
  return {
    pages: out,
    columns,
    ...(latestMonth ? { latestMonth } : {}),
    accepted: out.some((p) => p.accepted),
    completed: out.some((p) => p.completed),
  };
}

/** The month before the as-of date's month (YYYY-MM): monthly figures older than it are out of date. */
export function previousMonth(asOf: string): string {
  const y = +asOf.slice(0, 4);
  const m = +asOf.slice(5, 7);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
