import { loadHtml } from './dom.ts';
import { elementsNamed, textContent } from './walk.ts';
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';

/**
 * Inline and external scripts of a page, read without running them: the HTML that `document.write` calls write
 * (constant parts only), and whether scripts may write content the static HTML lacks (the footer checks, the 找错
 * entry and site-name then need the rendered page). Pure: no I/O.
 */

// ───────────────────────────── small text helpers ─────────────────────────────

/** The legacy JS `unescape` (%XX and %uXXXX), tolerant of malformed sequences. */
export function jsUnescape(s: string): string {
  return s.replace(/%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g, (_, u: string | undefined, h: string | undefined) =>
    String.fromCharCode(parseInt((u ?? h)!, 16)),
  );
}

export const MAX_SCRIPT = 300_000;
export const MAX_WRITTEN = 600_000;

/** Reads one JS string literal starting at s[i] (a quote); returns [value, indexAfter] or null. */
function readStringLiteral(s: string, i: number): [string, number] | null {
  const q = s[i];
  if (q !== '"' && q !== "'" && q !== '`') return null;
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === q) return [out, j + 1];
    if (q === '`' && c === '$' && s[j + 1] === '{') return null; // template with expressions: not a constant
    if (c === '\\') {
      const n = s[j + 1];
      if (n === undefined) return null;
      if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else if (n === 'r') out += '\r';
      else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(j + 2, j + 4))) {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 4), 16));
        j += 4;
        continue;
      } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16));
        j += 6;
        continue;
      } else if (n === '\n') {
        /* line continuation */
      } else out += n;
      j += 2;
      continue;
    }
    if (c === '\n' && q !== '`') return null; // unterminated literal
    out += c;
    j++;
  }
  return null;
}

/**
 * Parses the argument list of a call starting right after its "(": concatenations of string literals,
 * `unescape(...)`, `decodeURIComponent(...)`, `decodeURI(...)`. Anything else (variables, calls) contributes
 * nothing. Returns [value, indexAfterClosingParen].
 */
function readArgs(s: string, i: number, depthLimit = 4): [string, number] {
  let out = '';
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === ')') return [out, j + 1];
    if (c === '"' || c === "'" || c === '`') {
      const lit = readStringLiteral(s, j);
      // An unterminated literal (or a template with expressions): give up on this call.
      if (!lit) return [out, j + 1];
      out += lit[0];
      j = lit[1];
      continue;
    }
    const fn = /^(unescape|decodeURIComponent|decodeURI|escape)\s*\(/.exec(s.slice(j, j + 40));
    if (fn && depthLimit > 0) {
      const [inner, after] = readArgs(s, j + fn[0].length, depthLimit - 1);
      let v = inner;
      if (fn[1] === 'unescape') v = jsUnescape(inner);
      else if (fn[1] !== 'escape') {
        try {
          v = decodeURIComponent(inner);
        } catch {
          v = jsUnescape(inner);
        }
      }
      out += v;
      j = after;
      continue;
    }
    if (c === '(') {
      // A nested call we do not understand: skip to its closing paren (bounded nesting).
      if (depthLimit <= 0) return [out, j + 1];
      const [, after] = readArgs(s, j + 1, depthLimit - 1);
      j = after;
      continue;
    }
    if (c === ';' || c === '}') return [out, j];
    j++;
  }
  return [out, j];
}

/** The HTML an inline script writes with document.write / document.writeln (constant parts only). */
export function documentWrites(script: string): string {
  if (!script || script.length > MAX_SCRIPT || !/document\s*\.\s*write/.test(script)) return '';
  const re = /document\s*\.\s*write(?:ln)?\s*\(/g;
  let out = '';
  let m: RegExpExecArray | null;
  while ((m = re.exec(script)) && out.length < MAX_WRITTEN) {
    const [v, after] = readArgs(script, m.index + m[0].length);
    out += v;
    re.lastIndex = Math.max(after, m.index + m[0].length);
  }
  return out;
}

function attr(el: Element, name: string): string {
  return (el.attribs?.[name] ?? '').trim();
}

/** HTML written by the page's inline scripts (document.write), concatenated. */
export function inlineWrittenHtml($: CheerioAPI): string {
  let out = '';
  for (const el of elementsNamed($, 'script')) {
    if (out.length > MAX_WRITTEN) break;
    if (el.attribs.src) continue;
    const type = (el.attribs.type ?? '').toLowerCase();
    if (type && !/javascript|ecmascript|^module$|^text\/jscript$/.test(type)) continue;
    out += documentWrites(textContent(el)) + '\n';
  }
  return out.trim();
}

/** Does the page load external scripts (any)? */
export function hasExternalScripts(html: string): boolean {
  try {
    return loadHtml(html)('script[src]').length > 0;
  } catch {
    return /<script[^>]+src=/i.test(html);
  }
}

/**
 * External scripts that never write a page's footer or header: the 找错 and conac widgets (they draw only their own
 * entry), common libraries, analytics, share and accessibility widgets.
 */
const INERT_SCRIPT = /jiucuo|conac\.cn|jquery|bootstrap|swiper|(^|\/)layer(\.min)?\.js|layui|(^|\/)vue(\.min)?\.js|react|echarts|lazyload|superslide|hm\.baidu\.com|cnzz|umeng|google-analytics|googletagmanager|gtag|ta\.trs\.cn|webdig\.js|share\.js|bdshare|bsstatic|bshare|qrcode|html5shiv|respond(\.min)?\.js|json2|polyfill|es5-shim|(^|\/)aria\.js|wxa11y|barrierfree/i;
const INLINE_DYNAMIC = /\.load\s*\(|\$\.(get|ajax|post|getJSON)\s*\(|ajax\s*\(|fetch\s*\(|XMLHttpRequest|innerHTML|insertAdjacentHTML|\.html\s*\(|\.append(To)?\s*\(|\.prepend\s*\(|\.after\s*\(|\.before\s*\(|\.replaceWith\s*\(/;

const mayWriteCache = new Map<string, boolean>();

/**
 * Could scripts change what the static HTML shows (write a footer, a header, an entry)? True when the page loads an
 * external script that is not a known inert one, or has an inline script that fetches or inserts markup (jQuery
 * .load/.html/.append, innerHTML, fetch …) or calls document.write with non-constant content.
 */
export function mayWriteContent(html: string): boolean {
  const hit = mayWriteCache.get(html);
  if (hit !== undefined) return hit;
  let res = false;
  try {
    const $ = loadHtml(html);
    for (const e of elementsNamed($, 'script')) {
      const src = attr(e, 'src');
      const type = attr(e, 'type').toLowerCase();
      if (type && !/javascript|ecmascript|^module$|jscript/.test(type)) continue;
      if (src) {
        if (!INERT_SCRIPT.test(src)) res = true;
      } else {
        const code = textContent(e);
        if (INLINE_DYNAMIC.test(code)) res = true;
        else if (/document\s*\.\s*write/.test(code)) {
          // document.write of something we cannot read (a variable, a computed string).
          const written = documentWrites(code);
          if (!written.trim()) res = true;
          // Scripts written by document.write are external scripts too.
          const $w = written ? loadHtml(written) : null;
          if ($w) for (const w of elementsNamed($w, 'script')) if (w.attribs.src !== undefined && !INERT_SCRIPT.test(attr(w, 'src'))) res = true;
        }
      }
      if (res) break;
    }
  } catch {
    res = /<script/i.test(html);
  }
  mayWriteCache.set(html, res);
  if (mayWriteCache.size > 128) mayWriteCache.delete(mayWriteCache.keys().next().value!);
  return res;
}

