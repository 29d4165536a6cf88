/**
 * 互动交流 gatherer: finds the site's interaction channels (homepage, the 互动交流 section pages, crawled pages first,
 * then fetched), follows each consultation channel — on the site's host or another one it links to as its own — with
 * its own request budget, reads the published letters (HTML lists, Hanweb dataproxy POST, JSON, or the rendered page)
 * back to one year before as-of, completes the letters it must judge from their detail pages (the seeded 随机抽查5条
 * sample, letters old enough to be overdue, letters without a reply date), reads survey channels' activities and
 * results, looks for published statistics, and matches the inspectors' simulated inquiries. Everything read is
 * emitted as observations (src/analyze/interaction/observations.ts); the checks judge.
 */
import type { Gatherer, GatherEnv } from './_types.ts';
import { findChannels, kindByUrl, type ChannelLink } from '../analyze/interaction/channels.ts';
import { findLetterStatistics } from '../analyze/interaction/statistics.ts';
import { latencyDistribution } from '../analyze/interaction/workdays.ts';
import { inquiryLatency, matchInquiry, normalizeDateTime, type InquiryRecord } from '../analyze/interaction/inquiries.ts';
import {
  OBS, STOP_ZH, inYear, letterDate, letterLatency, monthsBefore, rangeZh, samplePopulation, seededOrder, yearBefore,
  type ActivityObs, type ChannelObs, type InquiryObs, type LetterObs, type StatisticsObs, type SummaryObs,
} from '../analyze/interaction/observations.ts';
import { errText, newChannelObs, readBoard, readDetail, readSurvey, type BoardLimits, type PageSource } from './_interaction-board.ts';
import { loadHtml, normText } from '../analyze/dom.ts';
import { elementsNamed, textContent } from '../analyze/walk.ts';
import { mayWriteContent } from '../analyze/scripts.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts, INTERACTION_SECTION_HINT as SECTION_HINT } from '../facts/gather.ts';

const KEEP_HINT = /信箱|留言|咨询|投诉|写信|来信|征集|调查|信访|统计/;
const SAMPLE_SIZE = 5;

function num(v: unknown, def: number, min: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : def;
}

function hostOf(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return '';
  }
}

/** The directory of a section page (…/hdjl/index.html → …/hdjl/). */
function dirOf(u: string): string {
  try {
    const x = new URL(u);
    x.search = '';
    x.hash = '';
    x.pathname = x.pathname.replace(/[^/]*$/, '');
    return x.href;
  } catch {
    return u;
  }
}

function inquiriesOf(v: unknown): InquiryRecord[] {
  if (!Array.isArray(v)) return [];
  const out: InquiryRecord[] = [];
  for (const x of v) {
    const r = x as Partial<InquiryRecord>;
    const askedAt = typeof r.askedAt === 'string' ? normalizeDateTime(r.askedAt) : undefined;
    if (typeof r.id !== 'number' || !askedAt || typeof r.title !== 'string') continue;
    const repliedAt = typeof r.repliedAt === 'string' ? normalizeDateTime(r.repliedAt) : undefined;
    out.push({ id: r.id, site: String(r.site ?? ''), channel: String(r.channel ?? ''), askedAt, title: r.title, ...(r.note ? { note: String(r.note) } : {}), ...(repliedAt ? { repliedAt } : {}) });
  }
  return out;
}


const gatherer: Gatherer = {
  id: 'interaction',
  description: 'Message boards, letters, surveys and statistics of 互动交流 (channels on other hosts followed with their own budget).',
  async run(env: GatherEnv) {
    const cfg = env.config ?? {};
    const limits: BoardLimits = { maxListPages: num(cfg.maxListPages, 100, 1, 1000), maxLetters: num(cfg.maxLetters, 10_000, 10, 50_000) };
    const maxDetails = num(cfg.maxDetails, 60, 0, 1000);
    const maxChannels = num(cfg.maxChannels, 20, 1, 100);
    const asOf = env.asOf;
    const siteHost = hostOf(env.site.url);
    const home = env.homepage;
    if (!home?.html) {
      env.status({ status: 'skipped', reason: '首页未能读取，无法查找互动交流渠道' });
      return;
    }

    // 1. The crawl's pages: sections, pages worth keeping (channel-like), statistics.
    const kept = new Map<string, string>();
    const sections: string[] = [];
    const statistics: StatisticsObs[] = [];
    let scanned = 0;
    for (const p of env.pages()) {
      if (env.signal.aborted) break;
      scanned++;
      const url = p.finalUrl || p.url;
      if (!docFacts(p).chars || (p.status !== null && p.status >= 400)) continue;
      // Kept (for channels found later, without a request): channel-shaped addresses and pages whose title names a
      // channel — not every page whose navigation does (that is every page). The rest is read from the page's facts.
      const facts = gatherFacts(p);
      const title = facts.title;
      const interesting = p.isHomepage || !!kindByUrl(url) || KEEP_HINT.test(title) || SECTION_HINT.test(title);
      if (interesting && kept.size < 400) {
        kept.set(p.url, p.html);
        kept.set(url, p.html);
      }
      if (facts.interactionSection && sections.length < 10) sections.push(url);
      if (statistics.length < 20 && facts.letterStatistics) statistics.push({ ...facts.letterStatistics, where: 'page' });
    }
    const src: PageSource = { crawled: (u) => kept.get(u) };

    // 2. Channels: homepage, section pages (crawled or fetched), crawled pages under the sections.
    const channels = new Map<string, ChannelObs>();
    const add = (list: ChannelLink[]) => {
      for (const c of list) {
        const prev = channels.get(c.url);
        if (prev) {
          if (prev.foundOn.length < 5 && !prev.foundOn.includes(c.foundOn)) prev.foundOn.push(c.foundOn);
          // A link named by its text wins over one found by its address only.
          continue;
        }
        channels.set(c.url, newChannelObs(c, siteHost));
      }
    };
    const homeUrl = home.finalUrl || home.url;
    add(findChannels(home.html, homeUrl));
    // Navigation written by script: when the static homepage shows no channel at all, look at the rendered page.
    let homepageRendered = false;
    let homepageScripted = false;
    if (![...channels.values()].some((c) => c.group === 'consult' || c.group === 'section')) {
      const r = await env.render(homeUrl);
      if (r?.html) {
        homepageRendered = true;
        add(findChannels(r.html, homeUrl));
      } else homepageScripted = mayWriteContent(home.html);
    }
    for (const c of [...channels.values()]) if (c.kind === 'section' && !sections.includes(c.url) && sections.length < 10) sections.push(c.url);
    let sectionRequests = 0;
    for (const s of sections.slice(0, 10)) {
      let html = kept.get(s);
      if (html === undefined && sectionRequests < 5) {
        sectionRequests++;
        const f = await env.fetch(s, { budget: 'interaction' });
        if (f.ok) html = f.text;
        const sc = channels.get(s);
        if (sc) {
          sc.opened = f.ok;
          if (!f.ok) sc.error = errText(f);
        }
      } else if (html !== undefined) {
        const sc = channels.get(s);
        if (sc) sc.opened = true;
      }
      if (html) add(findChannels(html, s));
    }
    const dirs = sections.map(dirOf).filter((d) => new URL(d).pathname !== '/');
    let under = 0;
    for (const [u, html] of kept) {
      if (under >= 60) break;
      if (!dirs.some((d) => u.startsWith(d))) continue;
      under++;
      add(findChannels(html, u));
    }

    // 3. Read the channels.
    const all = [...channels.values()];
    const consult = all.filter((c) => c.group === 'consult' && !c.email && c.role !== 'stats').slice(0, maxChannels);
    const surveys = all.filter((c) => c.group === 'survey' && !c.email && c.role !== 'result').slice(0, 5);
    const statLinks = all.filter((c) => c.role === 'stats' && !c.email).slice(0, 3);
    const letters: LetterObs[] = [];
    const seenLetters = new Set<string>();
    const total = { n: 0 };
    // Submission pages (我要写信) are read only when no other channel shows letters: they usually link to the same list.
    const boards = [...consult.filter((c) => c.role !== 'submit'), ...consult.filter((c) => c.role === 'submit')];
    for (const ch of boards) {
      if (env.signal.aborted) break;
      if (ch.role === 'submit' && letters.length) {
        await openOnly(env, src, ch);
        continue;
      }
      const r = await readBoard(env, src, ch, limits, total);
      for (const l of r.letters) {
        if (seenLetters.has(l.key)) continue;
        seenLetters.add(l.key);
        letters.push(l);
      }
      statistics.push(...r.statistics);
    }
    const activities: ActivityObs[] = [];
    for (const ch of surveys) {
      if (env.signal.aborted) break;
      activities.push(...(await readSurvey(env, src, ch, limits)));
    }
    for (const ch of statLinks) {
      if (env.signal.aborted) break;
      const st = await readStatisticsLink(env, src, ch);
      if (st) statistics.push(st);
    }
    // Petition, discipline, interview and e-mail channels are recorded as found (not requested).

    // 4. Details: the sample first, then letters old enough to be overdue, then letters without a reply date.
    const byChannel = new Map(consult.map((c) => [c.url, c]));
    const detailsUsed = new Map<string, number>();
    const detail = async (l: LetterObs): Promise<void> => {
      const ch = byChannel.get(l.channel);
      if (!ch || !l.url || l.detailRead !== undefined) return;
      const used = detailsUsed.get(ch.url) ?? 0;
      if (used >= maxDetails) return;
      detailsUsed.set(ch.url, used + 1);
      await readDetail(env, src, l, ch);
    };
    const order = seededOrder(samplePopulation(letters, asOf), (l) => l.key, env.runId);
    let rank = 0;
    let tries = 0;
    for (const l of order) {
      if (rank >= SAMPLE_SIZE || tries >= SAMPLE_SIZE * 4 || env.signal.aborted) break;
      tries++;
      await detail(l);
      if (l.url && l.detailRead !== true) continue;
      if (l.status === 'pending' || l.test) continue;
      l.sampleRank = ++rank;
    }
    const overdueFrom = yearBefore(asOf);
    const overdueTo = monthsBefore(asOf, 3);
    for (const l of letters) {
      if (env.signal.aborted) break;
      const d = letterDate(l);
      if (d && d >= overdueFrom && d < overdueTo && l.status !== 'answered') await detail(l);
    }
    for (const l of letters) {
      if (env.signal.aborted) break;
      if (!l.repliedAt && l.status !== 'pending' && inYear(letterDate(l), asOf)) await detail(l);
    }
    for (const l of letters) {
      const lat = letterLatency(l);
      if (lat !== undefined) l.latency = lat;
      if (l.replyText && l.replyText.length > 600) l.replyText = l.replyText.slice(0, 600) + '…';
      for (const f of Object.values(l.fields)) if (f && f.value.length > 600) f.value = f.value.slice(0, 600) + '…';
    }

    // 5. Simulated inquiries.
    const inquiries: InquiryObs[] = [];
    for (const q of inquiriesOf(cfg.inquiries)) {
      const match = matchInquiry(q, letters);
      const repliedAt = q.repliedAt ?? match?.repliedAt;
      const latency = inquiryLatency(q.askedAt, repliedAt);
      inquiries.push({
        id: q.id, site: q.site, channel: q.channel, askedAt: q.askedAt, title: q.title,
        ...(q.note ? { note: q.note } : {}),
        ...(q.repliedAt ? { repliedAt: q.repliedAt, repliedBy: 'manual' as const } : match?.repliedAt ? { repliedAt: match.repliedAt, repliedBy: 'published' as const } : {}),
        ...(match ? { match } : {}),
        ...(latency !== undefined ? { latency } : {}),
      });
    }

    // 6. Observations.
    for (const c of all) env.emit(OBS.channel, c.url, c, c.url.startsWith('mailto:') ? undefined : c.url);
    for (const l of letters) env.emit(OBS.letter, l.key, l, l.url);
    for (const a of activities) env.emit(OBS.activity, a.key, a, a.url);
    const statSeen = new Set<string>();
    for (const s of statistics) {
      if (statSeen.has(s.url)) continue;
      statSeen.add(s.url);
      env.emit(OBS.statistics, s.url, s, s.url);
    }
    for (const q of inquiries) env.emit(OBS.inquiry, String(q.id), q, q.channel || undefined);
    const consultLetters = letters.filter((l) => !l.test);
    const dates = consultLetters.map(letterDate).filter((d): d is string => !!d).sort();
    const lats = consultLetters.filter((l) => inYear(letterDate(l), asOf)).map((l) => l.latency).filter((x): x is number => x !== undefined);
    const requests = all.reduce((a, c) => a + c.requests, 0) + sectionRequests;
    const summary: SummaryObs = {
      asOf,
      yearFrom: yearBefore(asOf),
      channels: all.length,
      consultChannels: consult.length,
      letters: consultLetters.length,
      lettersInYear: consultLetters.filter((l) => inYear(letterDate(l), asOf)).length,
      oldest: dates[0],
      newest: dates[dates.length - 1],
      latency: latencyDistribution(lats, 5),
      sampled: rank,
      activities: activities.length,
      statistics: statSeen.size,
      requests,
      homepage: { rendered: homepageRendered, scripted: homepageScripted },
    };
    env.emit(OBS.summary, 'summary', summary);

    const unreadable = consult.filter((c) => c.listRead === 'unreadable' || !c.opened);
    const limited = consult.filter((c) => c.stoppedBy && ['page-limit', 'letter-limit', 'budget', 'error', 'stopped'].includes(c.stoppedBy));
    const parts = [`找到互动交流渠道 ${all.length} 个（咨询建言类 ${consult.length} 个）`, `读取留言 ${summary.letters} 条（${rangeZh(summary.oldest, summary.newest)}）`];
    if (activities.length) parts.push(`征集调查活动 ${activities.length} 项`);
    if (statSeen.size) parts.push(`留言统计 ${statSeen.size} 处`);
    const reasons = [
      ...unreadable.map((c) => `「${c.text || c.url}」${c.errors[0] ?? '列表无法读取'}`),
      ...limited.map((c) => `「${c.text || c.url}」${STOP_ZH[c.stoppedBy!] ?? c.stoppedBy}`),
    ];
    env.status({
      status: env.signal.aborted ? 'partial' : reasons.length ? 'partial' : 'ok',
      summary: parts.join('，'),
      ...(reasons.length ? { reason: reasons.slice(0, 5).join('；') } : {}),
      stats: { channels: all.length, consultChannels: consult.length, letters: summary.letters, lettersInYear: summary.lettersInYear, activities: activities.length, statistics: statSeen.size, requests, pagesScanned: scanned },
    });
    if (all.some((c) => c.otherHost && c.group === 'consult')) {
      const others = [...new Set(all.filter((c) => c.otherHost && c.group === 'consult').map((c) => c.host))];
      env.note(`互动交流渠道位于其他主机（${others.join('、')}），已按本站渠道读取`);
    }
  },
};

/** Opens a channel page only (is the channel there?), without reading a list. */
async function openOnly(env: GatherEnv, src: PageSource, ch: ChannelObs): Promise<void> {
  if (src.crawled(ch.url) !== undefined) {
    ch.opened = true;
    return;
  }
  const f = await env.fetch(ch.url, { budget: `interaction:${ch.url}` });
  ch.requests++;
  ch.opened = f.ok;
  if (!f.ok) {
    ch.error = errText(f);
    ch.errors.push(`渠道页面无法打开：${ch.error}`);
  }
}

/** A statistics link (来信统计, 办理情况统计): the page itself, else the first articles it lists. */
async function readStatisticsLink(env: GatherEnv, src: PageSource, ch: ChannelObs): Promise<StatisticsObs | undefined> {
  const budget = `interaction:${ch.url}`;
  const get = async (u: string) => {
    const c = src.crawled(u);
    if (c !== undefined) return c;
    const f = await env.fetch(u, { budget });
    ch.requests++;
    return f.ok ? f.text : undefined;
  };
  const html = await get(ch.url);
  ch.opened = html !== undefined;
  if (!html) return undefined;
  const st = findLetterStatistics(html, ch.url);
  if (st) return { ...st, where: 'stats-link' };
  const links: string[] = [];
  try {
    const $ = loadHtml(html);
    for (const a of elementsNamed($, 'a')) {
      const t = normText(textContent(a));
      if (t.length >= 6 && /统计|情况|通报|分析/.test(t)) {
        try {
          links.push(new URL(a.attribs?.href ?? '', ch.url).href);
        } catch {
          /* ignore */
        }
      }
    }
  } catch {
    /* ignore */
  }
  for (const u of links.slice(0, 3)) {
    const h = await get(u);
    const s2 = h ? findLetterStatistics(h, u) : undefined;
    if (s2) return { ...s2, where: 'stats-link' };
  }
  return undefined;
}

export default gatherer;
