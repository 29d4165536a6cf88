import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from '../dom.ts';
import { elementsNamed, isElement, textContent } from '../walk.ts';
import { footerElements } from '../footer.ts';
import { cellText } from './records.ts';

/**
 * Interaction channels (互动交流渠道) linked from a page, found by link text and URL shape: consultation and complaint
 * channels (领导信箱, 市长信箱, 咨询投诉, 在线咨询, 12345, 留言板, 我要写信 …), special channels the rubric leaves out
 * (网上信访, 纪检举报), survey and consultation channels (征集调查, 意见征集, 民意征集, 网上调查), online interviews,
 * the 互动交流 section itself, and e-mail-only channels (mailto: links, 信箱 addresses shown as text).
 */

export type ChannelKind =
  | 'mailbox' // 领导信箱, 市长信箱, 书记信箱 …
  | 'consult' // 咨询, 在线咨询, 问政
  | 'complaint' // 投诉
  | 'suggestion' // 建言献策
  | 'hotline' // 12345
  | 'board' // 留言板, 我要写信, 网民留言
  | 'petition' // 网上信访
  | 'discipline' // 纪检举报, 12388
  | 'survey' // 征集调查, 意见征集, 网上调查
  | 'interview' // 在线访谈
  | 'section'; // 互动交流 / 政民互动 / 公众参与 (a page of channels)

/** consult = 咨询建言类 (the rubric's channels); special = 网上信访/纪检举报 (excluded by the rubric). */
export type ChannelGroup = 'consult' | 'special' | 'survey' | 'interview' | 'section';

/** entry = the channel's home; submit = the form; list = published letters; stats = statistics; result = survey results. */
export type ChannelRole = 'entry' | 'submit' | 'list' | 'stats' | 'result';

export interface ChannelLink {
  /** Absolute http(s) URL, or `mailto:address` for e-mail channels. */
  url: string;
  text: string;
  kind: ChannelKind;
  group: ChannelGroup;
  role: ChannelRole;
  /** For e-mail channels. */
  email?: string;
  /** The page the link was found on. */
  foundOn: string;
  /** What recognised it. */
  by: 'text' | 'url' | 'both';
  snippet: string;
}

export function groupOf(kind: ChannelKind): ChannelGroup {
  if (kind === 'petition' || kind === 'discipline') return 'special';
  if (kind === 'survey') return 'survey';
  if (kind === 'interview') return 'interview';
  if (kind === 'section') return 'section';
  return 'consult';
}

const SECTION_RE = /^(?:互动交流|政民互动|公众参与|互动平台|互动服务|互动|政民互动平台|互动交流平台|参与互动|网上互动)$/;

/** Kind by link text (short texts only: an article title mentioning 市长信箱 is not a channel). Order matters. */
const TEXT_KINDS: [ChannelKind, RegExp][] = [
  ['discipline', /纪检|纪委|监委|违纪|廉政举报|12388|监督举报/],
  ['petition', /信访/],
  ['survey', /征集|调查|民意|问卷|投票|征求意见|意见箱/],
  ['interview', /访谈|直播间|在线直播/],
  ['hotline', /12345/],
  ['mailbox', /信箱/],
  ['complaint', /投诉/],
  ['consult', /咨询|问政|网上问答|在线问答|我要提问|有问必答|政策问答/],
  ['suggestion', /建言|献策|建议/],
  ['board', /留言|写信|来信|信件|诉求|问答/],
];

/** Kind by URL shape (path and query, lower-cased). */
const URL_KINDS: [ChannelKind, RegExp][] = [
  ['survey', /\/hdjlpt\/yjzj|\/(?:wsdc|mydc|yjzj|zjdc|dczj|myzj|wldc|wsyjzj|survey|vote|diaocha|zhengji|opinion|solicit)(?:[/._?]|$)/],
  ['interview', /\/(?:zxft|ftzb|interview|fangtan)(?:[/._?]|$)/],
  ['discipline', /12388|\/jjjb(?:[/._?]|$)/],
  ['petition', /\/(?:wsxf|xinfang|xfxx)(?:[/._?]|$)/],
  ['hotline', /12345/],
  ['mailbox', /mailpublist|mailpubdetail|\/jact\/front\/mail|\/webapp\/[^/]+\/(?:e?mail|letter)|\/(?:szxx|sjxx|ldxx|xzxx|qzxx|mayor|mailbox|leadermail)(?:[/._?]|$)/],
  ['board', /\/hdjlpt\/|\/(?:gbook|guestbook|liuyan|lyb|msgboard|message|letter|zxly|wyxx)(?:[/._?]|$)/],
  ['consult', /\/(?:zxzx|zxts|wszx|zxwd|consult)(?:[/._?]|$)/],
  ['section', /\/(?:hdjl|zmhd|gzcy|hudong|hdjlpt)\/(?:index\.[a-z]+)?$/],
];

/** Article addresses of common CMSs (TRS t20210610_7001.html, Hanweb art_2003_2001.html): never a channel by URL alone. */
const CONTENT_URL_RE = /\/t\d{8}_\d+\.s?html?(?:$|\?)|\/art_\d+_\d+\.html|\/\d{4}[-/]?\d{2}\/[^/]+\.s?html?$/i;
/** Detail pages of boards and CMSs (mailpubdetail.do, detail.jsp?id=, /detail/123.html, view?id=). */
const ITEM_URL_RE = /(?:detail|pubdetail|view|show|content|article|xiangqing)[\w-]*(?:\.\w+)?(?:\?|\/\d+\.\w+$)|\/detail\/|[?&](?:id|transactid|mailid|letterid|infoid|articleid)=\w{3,}/i;
const LIST_TEXT_RE = /选登|公开|查询|列表|已办|已回复|回复$|办理结果|答复|查看|浏览|信件库|更多/;
const SUBMIT_TEXT_RE = /^我要|在线提交|发表留言|^写信$|提交(?:信件|留言|咨询)|^我要写信$/;
const STATS_TEXT_RE = /统计|情况通报|办理情况分析|数据分析/;
const RESULT_TEXT_RE = /结果|反馈|采纳情况/;
const LIST_URL_RE = /publist|publicList|pubList|\/list|list\.|mailList|letterlist|\/gk|gongkai|xjgk|lygk/i;
const SUBMIT_URL_RE = /write|submit|toadd|addmail|xiexin/i;

function roleOf(kind: ChannelKind, text: string, url: string): ChannelRole {
  if (STATS_TEXT_RE.test(text)) return 'stats';
  if (kind === 'survey' && RESULT_TEXT_RE.test(text)) return 'result';
  if (SUBMIT_TEXT_RE.test(text)) return 'submit';
  if (LIST_TEXT_RE.test(text)) return 'list';
  const path = url.toLowerCase();
  if (/mailpublist|publist/.test(path)) return 'list';
  if (LIST_URL_RE.test(path)) return 'list';
  if (SUBMIT_URL_RE.test(path)) return 'submit';
  return 'entry';
}

/** The kind a link text names, or undefined. */
export function kindByText(text: string): ChannelKind | undefined {
  const t = normText(text).replace(/\s+/g, '');
  if (!t || t.length > 14) return undefined;
  if (SECTION_RE.test(t)) return 'section';
  for (const [k, re] of TEXT_KINDS) if (re.test(t)) return k;
  return undefined;
}

/** The kind a URL's shape names, or undefined. */
export function kindByUrl(url: string): ChannelKind | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const s = (u.pathname + u.search).toLowerCase();
  for (const [k, re] of URL_KINDS) if (re.test(s)) return k;
  return undefined;
}

/** Classifies one link; undefined when it is not an interaction channel. */
export function classifyChannelLink(href: string, text: string, foundOn: string): ChannelLink | undefined {
  const t = normText(text);
  const raw = (href ?? '').trim();
  if (/^mailto:/i.test(raw)) {
    const email = decodeURIComponent(raw.slice(7).split('?')[0]).trim();
    if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email)) return undefined;
    const kind = kindByText(t) ?? 'mailbox';
    // An e-mail link counts as a channel only when its text says so (市长信箱 …) or it is the bare address
    // next to nothing else; a webmaster's address in a contact line is classified by the caller's context.
    if (!kindByText(t) && !/信箱|邮箱|来信|咨询|投诉|建议/.test(t)) return undefined;
    if (kind === 'section') return undefined;
    return { url: `mailto:${email}`, text: t, kind, group: groupOf(kind), role: 'entry', email, foundOn, by: 'text', snippet: `${t} <${email}>` };
  }
  let url: string;
  try {
    const u = new URL(raw || '#', foundOn);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    url = u.href;
  } catch {
    return undefined;
  }
  if (!raw || raw.startsWith('#')) return undefined;
  // Items (a letter, an article, an activity) are not channels: an item address with a title-like text.
  if (t.length > 8 && (CONTENT_URL_RE.test(url) || ITEM_URL_RE.test(url))) return undefined;
  if (/^关于.{4,}|的(?:咨询|建议|投诉|问题|反映)$/.test(t)) return undefined;
  const byText = kindByText(t);
  const byUrl = kindByUrl(url);
  if (!byText && !byUrl) return undefined;
  // The text decides the kind; the URL alone only for channel-shaped addresses with a short or empty text (an article
  // under /zjdc/ titled 关于…征求意见的公告 is an activity, not a channel).
  if (!byText && (t.length > 12 || CONTENT_URL_RE.test(url))) return undefined;
  const kind = byText ?? byUrl!;
  const by: ChannelLink['by'] = byText && byUrl ? 'both' : byText ? 'text' : 'url';
  return { url, text: t, kind, group: groupOf(kind), role: kind === 'section' ? 'entry' : roleOf(kind, t, url), foundOn, by, snippet: `${t || '（无文字）'} → ${url}`.slice(0, 200) };
}

/** A javascript: link or onclick that opens a URL (window.open('…'), location.href='…'). */
function scriptTarget(s: string): string | undefined {
  const m = /(?:window\.open|location(?:\.href)?\s*=|openWin\w*|openUrl\w*)\s*\(?\s*['"]([^'"]+)['"]/i.exec(s ?? '');
  return m?.[1];
}

const EMAIL_TEXT_RE = /([\u4e00-\u9fa5]{0,8}(?:信箱|邮箱|E-?mail|电子邮件))\s*[:：]?\s*([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/gi;

/**
 * Every interaction channel linked from a page (footer links excluded: a webmaster address is not a channel), in
 * document order, one per URL.
 */
export function findChannels(html: string, pageUrl: string): ChannelLink[] {
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return [];
  }
  let footers: Set<Element>;
  try {
    footers = new Set(footerElements($));
  } catch {
    footers = new Set();
  }
  const inFooter = (el: AnyNode): boolean => {
    for (let n: AnyNode | null = el; n; n = n.parent as AnyNode | null) if (isElement(n) && footers.has(n)) return true;
    return false;
  };
  const base = baseHref($, pageUrl);
  const out: ChannelLink[] = [];
  const seen = new Set<string>();
  for (const a of elementsNamed($, 'a')) {
    if (inFooter(a)) continue;
    const attrs = a.attribs ?? {};
    let href = attrs.href ?? '';
    if (/^javascript:/i.test(href.trim()) || (!href && attrs.onclick)) href = scriptTarget(href + ' ' + (attrs.onclick ?? '')) ?? '';
    const text = linkText(a);
    const c = classifyChannelLink(href, text, base);
    if (!c) continue;
    c.foundOn = pageUrl;
    if (seen.has(c.url)) continue;
    seen.add(c.url);
    out.push(c);
  }
  // Addresses shown as text (市长信箱：mayor@…), outside the footer.
  for (const el of elementsNamed($, 'body')) {
    const text = cellText(el, (e) => footers.has(e));
    EMAIL_TEXT_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    let guard = 0;
    while ((m = EMAIL_TEXT_RE.exec(text)) && guard++ < 50) {
      const label = m[1];
      if (!/信箱|咨询|投诉|来信|建议/.test(label) && !/^(?:信箱)$/.test(label)) continue;
      const url = `mailto:${m[2]}`;
      if (seen.has(url)) continue;
      seen.add(url);
      out.push({ url, text: label, kind: kindByText(label) === 'section' ? 'mailbox' : (kindByText(label) ?? 'mailbox'), group: 'consult', role: 'entry', email: m[2], foundOn: pageUrl, by: 'text', snippet: m[0].slice(0, 200) });
    }
  }
  return out;
}

function linkText(a: Element): string {
  const t = normText(textContent(a));
  if (t) return t.slice(0, 200);
  const title = normText(a.attribs?.title ?? '');
  if (title) return title.slice(0, 200);
  for (const img of elementsUnder(a, 'img')) {
    const alt = normText(img.attribs?.alt ?? img.attribs?.title ?? '');
    if (alt) return alt.slice(0, 200);
  }
  return '';
}

function elementsUnder(el: Element, name: string): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...el.children];
  while (stack.length && out.length < 20) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    if (n.name === name) out.push(n);
    stack.push(...n.children);
  }
  return out;
}

function baseHref($: CheerioAPI, pageUrl: string): string {
  const b = elementsNamed($, 'base')[0]?.attribs?.href;
  if (!b) return pageUrl;
  try {
    return new URL(b, pageUrl).href;
  } catch {
    return pageUrl;
  }
}

/** Is this page the 互动交流 section (by its column name, title or URL)? */
export function isInteractionSection(html: string, url: string): boolean {
  if (kindByUrl(url) === 'section') return true;
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return false;
  }
  for (const m of elementsNamed($, 'meta')) {
    const n = (m.attribs?.name ?? '').toLowerCase();
    if (n === 'columnname' && SECTION_RE.test(normText(m.attribs?.content ?? '').replace(/\s+/g, ''))) return true;
  }
  const t = elementsNamed($, 'title')[0];
  const title = t ? normText(textContent(t)) : '';
  const first = title.split(/[_|｜\-—]/)[0]?.trim() ?? '';
  return SECTION_RE.test(first.replace(/\s+/g, ''));
}
