/**
 * Bounds how deeply a page's elements nest before it is parsed. htmlparser2 keeps its stack of open elements with
 * `unshift`, and several analysis steps climb from an element to the root, so a hostile page of 200,000 nested
 * <div>s (1 MB) took minutes to analyse. Browsers bound nesting too (Chromium's parser stops nesting at 512 levels and
 * adds deeper elements as siblings); this does the same on the HTML text: an element that would open beyond `limit`
 * levels is closed at once (`<div>` → `<div></div>`), and its end tag is dropped; a link there keeps its content.
 * Text and attributes stay, links still resolve; only the excess nesting goes. Real pages nest a few dozen levels and come back unchanged.
 */

/** Elements without content, and ones the parser closes by itself when a sibling opens (they add no depth). */
const NO_DEPTH = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'thead', 'tbody', 'tfoot', 'rt', 'rp',
]);
/** Elements whose content is text to the parser (a "<div>" inside a script is not a tag). */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noscript']);

/** Nesting kept (Chromium's parser keeps 512). */
export const MAX_NESTING = 512;
/**
 * Pages with fewer tags are not scanned: they cannot nest deeply enough to cost much (4,000 levels at most), and the
 * scan would cost every ordinary page of a crawl a pass over its HTML.
 */
const SCAN_ABOVE_TAGS = 4000;

const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|<!--[\s\S]*?-->/g;

export function limitNesting(html: string, limit = MAX_NESTING, scanAbove = SCAN_ABOVE_TAGS): string {
  let tags = 0;
  const enough = Math.max(limit, scanAbove);
  for (let i = html.indexOf('<'); i !== -1 && tags <= enough; i = html.indexOf('<', i + 1)) tags++;
  if (tags <= enough) return html;

  let depth = 0;
  const excess = new Map<string, number>();
  let changed = false;
  let out = '';
  let last = 0;
  let raw: string | null = null;
  let deepAnchor = false;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    if (m[2] === undefined) continue; // a comment
    const name = m[2].toLowerCase();
    const closing = m[1] === '/';
    if (raw) {
      if (closing && name === raw) raw = null;
      continue;
    }
    if (!closing) {
      if (RAW_TEXT.has(name)) {
        raw = name;
        continue;
      }
      if (NO_DEPTH.has(name) || m[4] === '/') continue;
      if (depth < limit) {
        depth++;
        continue;
      }
      // One link beyond the bound keeps its content (its anchor text), one level more at most.
      if (name === 'a' && !deepAnchor) {
        deepAnchor = true;
        continue;
      }
      // Too deep: close it at once, drop its end tag later.
      excess.set(name, (excess.get(name) ?? 0) + 1);
      const end = m.index + m[0].length;
      out += html.slice(last, end) + `</${m[2]}>`;
      last = end;
      changed = true;
      continue;
    }
    if (NO_DEPTH.has(name)) continue;
    const n = excess.get(name) ?? 0;
    if (n > 0) {
      excess.set(name, n - 1);
      out += html.slice(last, m.index);
      last = m.index + m[0].length;
      continue;
    }
    if (name === 'a' && deepAnchor) {
      deepAnchor = false;
      continue;
    }
    if (depth > 0) depth--;
  }
  return changed ? out + html.slice(last) : html;
}
