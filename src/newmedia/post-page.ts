/**
 * The publication time of a post page an inspector pastes. WeChat article pages carry it in their scripts
 * (`var ct = "1623290400"`, `publish_time`, `create_time`) and in `<em id="publish_time">`; Toutiao and others in
 * JSON (`"publish_time": 1623290400`) or meta tags (article:published_time, og:release_date, pubdate), schema.org
 * `datePublished`, `<time datetime>`; any other page by its 发布时间 label. Also the account name the page shows
 * (WeChat `var nickname`, `#js_name`), so a post of another account is not taken for this one's. Pure.
 */
import { loadHtml, normText } from '../analyze/dom.ts';
import { elementsNamed, firstNamed, selectAll, textContent } from '../analyze/walk.ts';
import { metaContent, primaryPublicationLabel } from '../analyze/dates.ts';
import { shanghaiDay } from '../monitor/time.ts';
import { parseFeedTime } from './feeds.ts';

export interface PostPageTime {
  /** ISO UTC. */
  publishedAt: string;
  /** Asia/Shanghai day. */
  day: string;
  /** How it was read, e.g. `var ct`, `meta article:published_time`, `发布时间 label`. */
  how: string;
  title?: string;
  /** The account name the page shows, when it shows one. */
  accountName?: string;
}

const MAX_HTML = 4 * 1024 * 1024;

/** Script assignments holding the time: name, then a quoted or bare epoch / date. */
const SCRIPT_TIME: { re: RegExp; how: string }[] = [
  { re: /\bvar\s+ct\s*=\s*["']?(\d{10})["']?/, how: 'var ct' },
  { re: /\b(?:window\.)?ct\s*=\s*["'](\d{10})["']/, how: 'ct' },
  { re: /\bvar\s+publish_time\s*=\s*["']([^"']{8,25})["']/, how: 'var publish_time' },
  { re: /\bvar\s+create_time\s*=\s*["']?(\d{10}|\d{4}-\d{1,2}-\d{1,2}[^"']{0,9})["']?/, how: 'var create_time' },
  { re: /\bcreate_time\s*:\s*JsDecode\(\s*['"]([^'"]{8,25})['"]\s*\)/, how: 'create_time' },
  { re: /\bcreateTime\s*=\s*['"]([^'"]{8,25})['"]/, how: 'createTime' },
  { re: /"(?:publish_time|publishTime|create_time|createTime|pubDate|pub_time)"\s*:\s*"?(\d{10}|\d{13}|\d{4}-\d{2}-\d{2}[^"]{0,15})"?/, how: 'JSON publish_time' },
  { re: /"datePublished"\s*:\s*"([^"]{8,40})"/, how: 'schema.org datePublished' },
];

const NICKNAME: RegExp[] = [/\bvar\s+nickname\s*=\s*(?:htmlDecode\()?["']([^"']{1,60})["']/, /\bnick_name\s*[:=]\s*["']([^"']{1,60})["']/];

/** Reads the publication time of a pasted post page; undefined when the page does not show one. */
export function parsePostPage(html: string): PostPageTime | undefined {
  if (typeof html !== 'string' || !html) return undefined;
  const text = html.slice(0, MAX_HTML);
  let $: ReturnType<typeof loadHtml>;
  try {
    $ = loadHtml(text);
  } catch {
    return undefined;
  }
  // No $(selector) over the whole document: quadratic on pages with many top-level nodes (see walk.ts selectAll).
  const metaProperty = (prop: string) => elementsNamed($, 'meta').find((m) => m.attribs.property === prop)?.attribs.content;
  const firstText = (sel: string) => normText(textContent(selectAll($, sel)[0]));
  const title = metaContent($, ['og:title', 'twitter:title']) ?? (normText(metaProperty('og:title') ?? '') || normText(textContent(firstNamed($, 'h1'))) || normText(textContent(firstNamed($, 'title'))) || undefined);
  let accountName: string | undefined;
  for (const re of NICKNAME) {
    const m = re.exec(text);
    if (m && m[1].trim()) {
      accountName = m[1].trim();
      break;
    }
  }
  accountName ??= firstText('#js_name') || firstText('.profile_nickname') || undefined;
  const done = (raw: string | undefined, how: string): PostPageTime | undefined => {
    const at = parseFeedTime(raw);
    if (!at) return undefined;
    return { publishedAt: at, day: shanghaiDay(at), how, ...(title ? { title: title.slice(0, 200) } : {}), ...(accountName ? { accountName } : {}) };
  };
  const scripts = elementsNamed($, 'script')
    .map((s) => textContent(s))
    .join('\n');
  for (const { re, how } of SCRIPT_TIME) {
    const m = re.exec(scripts) ?? re.exec(text);
    const r = m ? done(m[1], how) : undefined;
    if (r) return r;
  }
  const em = firstText('#publish_time');
  if (em) {
    const r = done(em, '#publish_time');
    if (r) return r;
  }
  for (const prop of ['article:published_time', 'og:release_date', 'og:published_time']) {
    const v = metaProperty(prop);
    const r = done(v, `meta ${prop}`);
    if (r) return r;
  }
  const meta = metaContent($, ['pubdate', 'publishdate', 'publish_date', 'firstpublishedtime', 'article:published_time']);
  if (meta) {
    const r = done(meta, 'meta pubdate');
    if (r) return r;
  }
  const timeEl = elementsNamed($, 'time').find((t) => t.attribs.datetime !== undefined)?.attribs.datetime;
  if (timeEl) {
    const r = done(timeEl, '<time datetime>');
    if (r) return r;
  }
  try {
    const label = primaryPublicationLabel($);
    if (label?.shown) {
      const r = done(label.shown.replace(/\s+/g, ' '), `${label.label} 标签`);
      if (r) return r;
    }
  } catch {
    /* no label */
  }
  return undefined;
}
