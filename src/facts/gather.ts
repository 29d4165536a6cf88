import type { PageObservation } from '../model.ts';
import { isTopicSectionPage } from '../analyze/topics.ts';
import { readStatsPage } from '../analyze/service-stats.ts';
import { staticCompatMarkers, type CompatMarker } from '../analyze/services/compat.ts';
import { isInteractionSection } from '../analyze/interaction/channels.ts';
import { findLetterStatistics, type LetterStatistics } from '../analyze/interaction/statistics.ts';
import { extractListedAccounts, extractPlatformLinks, matrixLabel, MATRIX_LABEL } from '../newmedia/matrix.ts';
import { isGuideUrl, serviceEntries, type ServiceEntry } from '../analyze/services/entries.ts';
import { channelOf, loginLinks, type LoginLink } from '../analyze/services/login.ts';
import { factOf, type FactFamily } from './_facts.ts';

/**
 * Fact family `gather`: what the gatherers (src/gather/) look for in every crawled page before they decide which
 * pages to read — the cheap tests and per-page extractions of policy, topics, annual-report, service-statistics,
 * interaction, render-compat and new-media — so that a gatherer walks the run's facts and reads the HTML of the
 * few pages it keeps. Each field is exactly what the gatherer computed from the page itself before (same functions).
 */
export interface GatherFacts {
  /** policy: the page mentions 解读 / 文号 / 政策文件 … (its PREFILTER). */
  policy: boolean;
  /** annual-report: 年度报表 / ndbb / 年报 in the page. */
  annualReport: boolean;
  /** topics: the page is a 专题专栏 section page (isTopicSectionPage). */
  topicSection: boolean;
  /** service-statistics: the page reads as a 办件统计 page (PREFILTER and readStatsPage). */
  serviceStats: boolean;
  /** render-compat: old-browser markers of the static HTML (ActiveX, Flash, IE-only …). */
  compatMarkers: CompatMarker[];
  /** interaction: the page's <title> text (first 200 characters, raw). */
  title: string;
  /** interaction: a 互动交流 section page (SECTION_HINT and isInteractionSection). */
  interactionSection: boolean;
  /** interaction: letter statistics shown on the page (findLetterStatistics), when any. */
  letterStatistics?: LetterStatistics | null;
  /** new-media: the page's 政务新媒体矩阵 label, the accounts it lists, its links to platform accounts, and whether it may list the region's own sites. */
  matrixLabel?: string | null;
  listedAccounts?: ReturnType<typeof extractListedAccounts>;
  platformLinks?: ReturnType<typeof extractPlatformLinks>;
  ownListHint: boolean;
  /**
   * services: the page's service entries and login links (serviceEntries, loginLinks with the page's channel) and
   * whether it is a candidate service page (办事服务 channel, or two guide links); absent when none of them.
   */
  services?: { entries: ServiceEntry[]; logins: LoginLink[]; serviceish: boolean };
}

/** Links to 办事指南 pages (by address or text) among a page's links. */
export function guideLinkCount(links: PageObservation['links']): number {
  return links.filter((l) => l.kind === 'a' && (isGuideUrl(l.target) || /指南/.test(l.text))).length;
}

export const POLICY_PREFILTER = /解读|图解|答记者问|一图|文号|字号|登记号|[〔［\[(（【]\s*(?:19|20)\d\d\s*[〕］\])）】]\s*\d+\s*号|政策文件|规范性文件|政府文件|政府令/;
export const ANNUAL_REPORT_PREFILTER = /年度报表|ndbb|年报/;
export const SERVICE_STATS_PREFILTER = /办件|办事统计|受理|办结|政务服务数据|数据统计/;
export const COMPAT_MARKER_HINT = /<object\b|<embed\b|<applet\b|\[if\s+[^\]]*IE|vbscript|IE\s*浏览器|兼容模式|Internet\s*Explorer|IE\s*内核/i;
export const LETTER_STAT_HINT = /(?:来信|留言|信件|受理|收到|诉求)[^<]{0,24}?\d+\s*(?:件|条|封)[\s\S]{0,200}?(?:办结|回复|答复)|(?:来信|留言|受理)(?:数|量)[\s\S]{0,200}?(?:办结|回复|答复)(?:数|量|率)/;
export const INTERACTION_SECTION_HINT = /互动交流|政民互动|公众参与|互动平台|hdjl|zmhd|gzcy|hudong/i;
export const PLATFORM_HOSTS = /weibo\.(com|cn)|mp\.weixin\.qq\.com|douyin\.com|toutiao\.com|kuaishou\.com|bilibili\.com|baijiahao\.baidu\.com/i;
export const OWN_LIST_HINT = /部门网站|部门站点|县市区|县区|区县|乡镇|街道|政府网站群|市直|省直|市州/;
/** new-media: pages larger than this are not read. */
export const NEWMEDIA_MAX_PAGE_CHARS = 3_000_000;

const family: FactFamily<GatherFacts> = {
  id: 'gather',
  extract(page: PageObservation): GatherFacts {
    const html = page.html ?? '';
    const url = page.finalUrl || page.url;
    const head = html.slice(0, 20_000);
    const nm = html && html.length <= NEWMEDIA_MAX_PAGE_CHARS;
    const label = nm && MATRIX_LABEL.test(html) ? matrixLabel(html) : undefined;
    return {
      policy: POLICY_PREFILTER.test(html),
      annualReport: ANNUAL_REPORT_PREFILTER.test(html),
      topicSection: html ? isTopicSectionPage(page) : false,
      serviceStats: SERVICE_STATS_PREFILTER.test(html) && !!readStatsPage(page),
      compatMarkers: COMPAT_MARKER_HINT.test(html) ? staticCompatMarkers(html) : [],
      title: /<title[^>]*>([^<]{0,200})/i.exec(head)?.[1] ?? '',
      interactionSection: INTERACTION_SECTION_HINT.test(head) && isInteractionSection(html, url),
      ...(LETTER_STAT_HINT.test(html) ? { letterStatistics: findLetterStatistics(html, url) ?? null } : {}),
      ...(label ? { matrixLabel: label, listedAccounts: extractListedAccounts(html, url) } : {}),
      ...(nm && PLATFORM_HOSTS.test(html) ? { platformLinks: extractPlatformLinks(html, url) } : {}),
      ownListHint: !!nm && OWN_LIST_HINT.test(html),
      ...servicesOf(page),
    };
  },
};
export default family;

function servicesOf(page: PageObservation): Pick<GatherFacts, 'services'> {
  const links = page.links ?? [];
  const entries = serviceEntries(page.url, links);
  const logins = loginLinks(page.url, links, channelOf(page.url, '', page.isHomepage));
  const serviceish = channelOf(page.url) === '办事服务' || guideLinkCount(links) >= 2;
  return entries.length || logins.length || serviceish ? { services: { entries, logins, serviceish } } : {};
}

/** A page's gatherer facts (see GatherFacts). */
export function gatherFacts(page: PageObservation): GatherFacts {
  return factOf(page, family);
}
