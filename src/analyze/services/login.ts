import { normText } from '../dom.ts';
import type { LinkRef } from '../../model.ts';
import { urlParts } from '../../runtime/url-parts.ts';

/**
 * Login links of a site's channels (办事服务, 互动交流, 在线调查/征集, the site header) and the identity system each
 * goes to: the province's unified identity service (auth.zwfw.hunan.gov.cn/oauth2/authorize …) or a channel's own
 * account system. 网上信访 and 纪检举报 are special channels the rubric leaves out. Pure.
 */

const LOGIN_TEXT_RE = /^(?:用户|个人|法人|统一身份认证|统一)?(?:登录|登陆|注册|登录\/注册|登录注册|注册\/登录|登录\|注册)$|^(?:个人中心|用户中心|我的空间|会员登录|用户登录|统一身份认证登录|实名登录|请登录)$/;
const LOGIN_URL_RE = /(?:^|[/._-])(?:login|logon|signin|sign-in|oauth2?|authorize|sso|cas|passport|uc|register|reg)(?:[/._?-]|$)|member\/login|user\/login/i;
/** Channels the rubric excludes from 统一登录. */
export const SPECIAL_CHANNEL_RE = /信访|纪检|举报|监察|12388|xinfang|jubao|jjjc|\/xf\//i;

export type Channel = '全站' | '办事服务' | '互动交流' | '在线调查' | '其他';

export interface LoginLink {
  page: string;
  channel: Channel;
  text: string;
  target: string;
}

/** Identity system of a login URL: the unified provincial service, or a host's own accounts. */
export interface IdentitySystem {
  key: string;
  /** Chinese label for people. */
  label: string;
  provincial: boolean;
}

const PROVINCIAL_AUTH_RE = /(?:^|\.)auth\.zwfw\.hunan\.gov\.cn$|(?:^|\.)zwfw(?:-new)?\.hunan\.gov\.cn$/i;

/**
 * The identity system a login URL belongs to. OAuth/CAS/SSO endpoints are keyed by host and endpoint path (one
 * authorisation server, whatever the client id); other login pages by host (the channel's own accounts).
 * `provincialHosts` adds hosts of the unified identity service (a sites-file option, fixtures).
 */
export function identitySystem(url: string, provincialHosts: readonly string[] = []): IdentitySystem | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.host.toLowerCase().replace(/^www\./, '');
  const provincial = PROVINCIAL_AUTH_RE.test(u.hostname) || provincialHosts.some((h) => h.toLowerCase().replace(/^www\./, '') === host || u.hostname.toLowerCase() === h.toLowerCase());
  const m = /^(.*?\/(?:oauth2?|cas|sso|idp|auth))(?:\/|$)/i.exec(u.pathname);
  const key = m ? `${host}${m[1].toLowerCase()}` : host;
  const label = provincial ? `统一身份认证（${u.host}）` : m ? `${u.host} 认证服务` : `${u.host} 自有账号`;
  return { key, label, provincial };
}

/** Which channel a page belongs to, by its URL and the page's column name. */
export function channelOf(pageUrl: string, columnName = '', isHomepage = false): Channel {
  if (isHomepage) return '全站';
  const u = urlParts(pageUrl);
  const path = u ? (u.hostname + u.pathname + u.search).toLowerCase() : pageUrl.toLowerCase();
  const name = columnName;
  if (/调查|征集|问卷|投票/.test(name) || /zxdc|diaocha|survey|yjzj|zjdc|vote|wjdc|questionnaire/.test(path)) return '在线调查';
  if (/互动|留言|信箱|咨询|投诉|建议|问政/.test(name) || /hdjl|hudong|interact|jact|email|mailbox|wlwz|ldxx|zxts|letter|liuyan|message|gbook|zxzx/.test(path)) return '互动交流';
  if (/办事|政务服务|便民/.test(name) || /bsfw|zwfw|wsbs|bsdt|banshi|service|hall/.test(path)) return '办事服务';
  return '其他';
}

/** Login anchors among a page's links. */
export function loginLinks(pageUrl: string, links: readonly LinkRef[], channel: Channel): LoginLink[] {
  const out: LoginLink[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    if (l.kind !== 'a' || !/^https?:/i.test(l.target)) continue;
    const text = normText(l.text ?? '').replace(/\s+/g, '');
    const u = urlParts(l.target);
    if (!u) continue;
    const byUrl = LOGIN_URL_RE.test(u.pathname) || /[?&](?:response_type|client_id)=/.test(u.search);
    const byText = LOGIN_TEXT_RE.test(text);
    if (!byText && !(byUrl && text.length <= 12 && /登|注册|认证|账号|帐号|个人中心|用户/.test(text))) continue;
    if (SPECIAL_CHANNEL_RE.test(text) || SPECIAL_CHANNEL_RE.test(l.target)) continue;
    if (seen.has(l.target)) continue;
    seen.add(l.target);
    out.push({ page: pageUrl, channel, text, target: l.target });
  }
  return out;
}
