/**
 * Entry pages (引导页): some sites open on a welcome page — a picture and a 「进入网站」 / 「进入首页」 link — and keep
 * the portal one click further. Inspectors score the portal. Audited as the homepage, an entry page would lose every
 * homepage point at once (footer items, 找错 entry, page tags, required columns): the audit takes the page it enters
 * as the homepage instead, and says so.
 *
 * An entry page: almost no text (≤ 200 visible characters), at most 4 distinct links to pages of the site, and one of
 * them says it enters the site (进入首页, 进入网站, 点击进入, enter …), or is the only one and points at an index page. A
 * link to another language, the accessible or mobile version is never taken for the entry.
 */
import type { CheerioAPI } from 'cheerio';
import type { LinkRef } from '../model.ts';
import { normText } from './dom.ts';
import { bodyVisibleText } from './dates.ts';

const MAX_TEXT = 200;
const MAX_TARGETS = 4;
/** Words of an entry link (a bare 「首页」 is every site's navigation, not an entry). */
const ENTER = /进入|enter/i;
const NOT_ENTRY = /english|英文|无障碍|適老|适老|繁體|繁体|手机|移动版|wap|app/i;
const INDEX_PATH = /\/(?:(?:index|default|main|home|portal)\.[a-z]{2,6})?$/i;

/** The page an entry page leads to, or undefined when the page is not an entry page. */
export function entryPageTarget($: CheerioAPI, links: readonly LinkRef[], pageUrl: string, inScope: (url: string) => boolean): string | undefined {
  const own = links.filter((l) => (l.kind === 'a' || l.kind === 'iframe') && !l.inFooter && l.target !== pageUrl && inScope(l.target));
  const targets = new Set(own.map((l) => l.target));
  if (targets.size === 0 || targets.size > MAX_TARGETS) return undefined;
  if (normText(bodyVisibleText($)).length > MAX_TEXT) return undefined;
  const named = own.find((l) => ENTER.test(l.text) && !NOT_ENTRY.test(l.text));
  if (named) return named.target;
  if (targets.size === 1 && !NOT_ENTRY.test(own[0].text)) {
    try {
      if (INDEX_PATH.test(new URL(own[0].target).pathname)) return own[0].target;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
