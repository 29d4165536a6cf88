import type { LinkRef, PageObservation } from '../model.ts';
import { loadHtml, normText } from './dom.ts';
import { extractLinks } from './links.ts';
import { extractListItems } from './columns.ts';
import { articleBodyElements, articleTitle, findPublicationDate, toHalfWidth, urlDate, visibleText } from './dates.ts';
import { findElements } from './walk.ts';
import { classifyPage } from './classify.ts';

/**
 * 政府网站工作年度报表 (the yearly report every government website publishes by January 31, 国办函〔2018〕12号): the
 * homepage links to it (link text or a 年度报表 column, often in the footer), its year (…年度报表（2020年度）) and its
 * publication date (shown on the page or in the list, or in the CMS URL). The 政府信息公开工作年度报告 is another
 * report and never counts. Pure.
 */

/** A 政府网站（工作）年度报表 — not the 政府信息公开 annual report, not a 统计年报. */
export const REPORT_TEXT = /(?:网站|政府网站).{0,6}年度报表|^年度报表$|网站年报|年度报表[（(]\s*\d{4}/;
const NOT_REPORT = /信息公开|统计年报|统计公报|财政|预算|决算|审计|年度报告/;
const REPORT_URL = /zfwzgzndbb|zfgzndbb|wzgzndbb|zfwzndbb|wzndbb|\/ndbb\//i;

export function isReportText(t: string): boolean {
  const s = normText(t);
  return !!s && REPORT_TEXT.test(s) && !NOT_REPORT.test(s);
}

/** The year a report covers: （2020年度） / 2020年度 / 2020年 in the title. */
export function reportYear(title: string): number | undefined {
  const s = toHalfWidth(title);
  const m = /((?:19|20)\d{2})\s*年度/.exec(s) ?? /((?:19|20)\d{2})\s*年/.exec(s);
  return m ? +m[1] : undefined;
}

export interface AnnualReport {
  title: string;
  url: string;
  year?: number;
  /** Publication date (YYYY-MM-DD) and where it was read. */
  date?: string;
  dateSource?: 'page' | 'list' | 'url';
  /** How the homepage reaches it: a direct link, a column the homepage links to, or only found elsewhere. */
  reach: 'homepage-link' | 'homepage-column' | 'elsewhere';
  /** The figures are an image (the page shows little text besides images). */
  imageOnly?: boolean;
  /** The page itself was read (not only its list entry). */
  pageRead: boolean;
  /** The homepage link that leads to it. */
  via?: { url: string; text: string };
}

export interface AnnualReportScan {
  /** Homepage links that name the report or its column. */
  homepageLinks: { url: string; text: string; inFooter: boolean }[];
  reports: AnnualReport[];
  /** Report columns read (list pages). */
  columns: string[];
}

function key(u: string): string {
  try {
    const x = new URL(u);
    x.hash = '';
    return x.href.replace(/\/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$/i, '/');
  } catch {
    return u;
  }
}

function reportLinks(links: LinkRef[]): LinkRef[] {
  return links.filter((l) => (l.kind === 'a' || l.kind === 'attachment' || l.kind === 'img') && (isReportText(l.text) || (REPORT_URL.test(l.target) && !NOT_REPORT.test(l.text))));
}

/** Reads a report page: title, year, date, image-only. Undefined when the page is not a report. */
export function readReportPage(page: PageObservation, html: string = page.html ?? ''): Omit<AnnualReport, 'reach' | 'via'> | undefined {
  try {
    const $ = loadHtml(html);
    const title = normText(articleTitle($) ?? '');
    if (!isReportText(title)) return undefined;
    // A list of reports (the 年度报表 column) is not a report.
    if (classifyPage(page, html).kind === 'column' || extractListItems(page, { html }).filter((i) => isReportText(i.title)).length >= 2) return undefined;
    const pub = findPublicationDate(page, html);
    const bodies = [...articleBodyElements($)];
    const text = bodies.length ? normText(visibleText(bodies)) : '';
    const imgs = bodies.reduce((n, b) => n + findElements(b, (e) => e.name === 'img', 20).length, 0);
    return {
      title,
      url: page.url,
      year: reportYear(title),
      ...(pub?.date ? { date: pub.date, dateSource: pub.source === 'url' ? ('url' as const) : ('page' as const) } : {}),
      imageOnly: bodies.length > 0 && imgs > 0 && text.replace(/\s/g, '').length < 60,
      pageRead: true,
    };
  } catch {
    return undefined;
  }
}

/**
 * Finds the reports: homepage links naming the report (direct) or its column (the column's list entries), then any
 * crawled report page (reach 'elsewhere' when the homepage does not lead to it).
 */
export function scanAnnualReports(pages: PageObservation[], htmlOf: (p: PageObservation) => string = (p) => p.html ?? ''): AnnualReportScan {
  const home = pages.find((p) => p.isHomepage);
  const byKey = new Map<string, PageObservation>();
  for (const p of pages) {
    byKey.set(key(p.url), p);
    if (p.finalUrl) byKey.set(key(p.finalUrl), p);
  }
  const reports = new Map<string, AnnualReport>();
  const columns: string[] = [];
  const homepageLinks: AnnualReportScan['homepageLinks'] = [];
  const addReport = (r: AnnualReport) => {
    const k = key(r.url);
    const prev = reports.get(k);
    if (!prev) reports.set(k, r);
    else {
      const rank = { 'homepage-link': 0, 'homepage-column': 1, elsewhere: 2 };
      reports.set(k, {
        ...prev,
        ...(rank[r.reach] < rank[prev.reach] ? { reach: r.reach, via: r.via } : {}),
        ...(!prev.date && r.date ? { date: r.date, dateSource: r.dateSource } : {}),
        ...(prev.year === undefined && r.year !== undefined ? { year: r.year } : {}),
        pageRead: prev.pageRead || r.pageRead,
        imageOnly: prev.imageOnly ?? r.imageOnly,
      });
    }
  };
  if (home) {
    const html = htmlOf(home);
    const links = html === home.html && home.links?.length ? home.links : extractLinks(loadHtml(html), home.finalUrl || home.url, home.charset);
    for (const l of reportLinks(links)) {
      homepageLinks.push({ url: l.target, text: l.text, inFooter: l.inFooter });
      const target = byKey.get(key(l.target));
      const via = { url: l.target, text: l.text };
      if (!target) {
        // Not read: known only by the link (its year from the link text).
        if (reportYear(l.text) !== undefined) addReport({ title: l.text, url: l.target, year: reportYear(l.text), reach: 'homepage-link', pageRead: false, via, ...(urlDate(l.target) ? { date: urlDate(l.target), dateSource: 'url' as const } : {}) });
        continue;
      }
      const th = htmlOf(target);
      const page = readReportPage(target, th);
      if (page) {
        addReport({ ...page, reach: 'homepage-link', via });
        continue;
      }
      // A column: its list entries that name a report.
      columns.push(target.url);
      for (const it of extractListItems(target, { html: th })) {
        if (!isReportText(it.title)) continue;
        const linked = byKey.get(key(it.url));
        const read = linked ? readReportPage(linked, htmlOf(linked)) : undefined;
        addReport({
          ...(read ?? { title: it.title, url: it.url, year: reportYear(it.title), pageRead: false }),
          ...(it.date && it.dateSource !== 'url' ? { date: it.date, dateSource: 'list' as const } : !read?.date && it.date ? { date: it.date, dateSource: 'url' as const } : {}),
          ...(read?.date ? { date: read.date, dateSource: read.dateSource } : {}),
          year: read?.year ?? reportYear(it.title),
          reach: 'homepage-column',
          via,
        });
      }
    }
  }
  for (const p of pages) {
    if (p.isHomepage) continue;
    const r = readReportPage(p, htmlOf(p));
    if (r) addReport({ ...r, reach: 'elsewhere' });
  }
  return { homepageLinks, reports: [...reports.values()], columns };
}

/**
 * The year whose report is due at `asOf`: reports are due by January 31 of the next year, so from February 1 the
 * previous year's report is judged; until January 31 the report of the year before that.
 */
export function dueReportYear(asOf: string): number {
  const y = +asOf.slice(0, 4);
  return asOf.slice(5) > '01-31' ? y - 1 : y - 2;
}

/** The deadline for a year's report: January 31 of the next year. */
export function reportDeadline(year: number): string {
  return `${year + 1}-01-31`;
}
