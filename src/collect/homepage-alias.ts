/**
 * The homepage under another address. Sites link their "首页" as `/index.html`, `/index.shtml`, `/default.aspx` … while
 * the audit started at `/`, or the other way round: the same document at two URLs. Analysed twice, every homepage
 * finding (page tags, 找错 entry, date formats …) would be counted twice — a false deduction. Such a page is the
 * homepage: its link is checked, but it is not stored or analysed as a page of its own, and the report says so.
 *
 * The crawler takes a page byte-identical to one already stored from the same directory, or ending at the same final
 * URL, as that page. This module adds the dynamic homepage, whose bytes differ from one request to the next (a clock,
 * a visit counter): an index file name (index.*, default.*) in the homepage's own directory, or that directory itself,
 * on the same site (www. or not, http or https), with the same <title>.
 */
import type { FetchResult } from './http.ts';

const INDEX_NAME = /^(?:index|default|home)\.(?:html?|shtml|jsp|jspx|php|aspx?|do|action)$/i;
/** The <title> as bytes (read as latin1, so that any charset compares byte for byte). */
const TITLE_RE = /<title[^>]*>([\s\S]{0,600}?)<\/title>/i;

export interface HomepageSignature {
  finalUrl: URL;
  title: string | undefined;
}

function titleBytes(body: Uint8Array): string | undefined {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 65_536)).toString('latin1');
  const m = TITLE_RE.exec(head);
  const t = m?.[1].replace(/\s+/g, ' ').trim();
  return t || undefined;
}

/** What later pages are compared with (read now: the response itself may be handed to another thread). */
export function homepageSignature(res: FetchResult): HomepageSignature | undefined {
  if (res.error || res.status === null || res.status < 200 || res.status >= 300 || !res.body?.byteLength || res.truncated) return undefined;
  let finalUrl: URL;
  try {
    finalUrl = new URL(res.finalUrl);
  } catch {
    return undefined;
  }
  return { finalUrl, title: titleBytes(res.body) };
}

function siteOf(u: URL): string {
  return `${u.hostname.toLowerCase().replace(/^www\./, '')}:${u.port}`;
}

function dirOf(pathname: string): string {
  return pathname.slice(0, pathname.lastIndexOf('/') + 1);
}

/** Whether a response at another address is the (dynamic) homepage itself (see the module's comment). */
export function isHomepageAlias(home: HomepageSignature | undefined, res: FetchResult): boolean {
  if (!home || res.error || res.status === null || res.status < 200 || res.status >= 300 || !res.body || res.truncated) return false;
  let u: URL;
  try {
    u = new URL(res.finalUrl);
  } catch {
    return false;
  }
  if (u.href === home.finalUrl.href) return false; // the same address is the crawler's own de-duplication
  // The same site: host with or without www., http or https (the crawl's scope takes them as one site).
  if (siteOf(u) !== siteOf(home.finalUrl)) return false;
  // The same directory's index name (or the directory itself), no query, the same title.
  if (u.search || home.finalUrl.search) return false;
  const dir = dirOf(home.finalUrl.pathname);
  const sameDir = dirOf(u.pathname) === dir;
  const homeIsDir = home.finalUrl.pathname === dir;
  const pageIsDir = u.pathname === dir;
  const pageName = u.pathname.slice(dir.length);
  const homeName = home.finalUrl.pathname.slice(dir.length);
  // (The same path on the other host name or scheme is the same page too.)
  const indexPair = sameDir && (pageName === homeName || (homeIsDir && INDEX_NAME.test(pageName)) || (pageIsDir && INDEX_NAME.test(homeName)));
  if (!indexPair) return false;
  const title = titleBytes(res.body);
  return !!title && title === home.title;
}
