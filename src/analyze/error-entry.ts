import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from './dom.ts';
import { normalizeLabel } from './labels.ts';
import { allElements, elementsNamed, textContent } from './walk.ts';
import { descendants } from './footer.ts';
import { documentWrites, MAX_SCRIPT } from './scripts.ts';
import { analyzeFooterItems, attr, footerScopeRoots, inBody, isLinkOrArea, metaContent } from './footer-items.ts';

/**
 * The 我为政府网站找错 entry of a page: `<script id="_jiucuo_" sitecode=… src=…/jiucuo.js>`, a link to
 * …/exposure/jiucuo.html?site_code=…, the jiucuo.png image, a site's own copy of jiucuo.js, an inline script or a
 * plain-text entry; each with its site code, whether inline markup hides it and whether it sits in the footer. Pure.
 */


export type EntryForm = 'script' | 'link' | 'image' | 'text' | 'inline-script' | 'onclick';

export interface ErrorEntry {
  form: EntryForm;
  /** The site code the entry carries (sitecode attribute or site_code parameter), when any. */
  code?: string;
  /** Hidden by an inline style (display:none / visibility:hidden) or the hidden attribute, on itself or an ancestor. */
  hidden: boolean;
  inFooter: boolean;
  snippet: string;
}

export interface ErrorEntryScan {
  entries: ErrorEntry[];
  /** The code printed in the footer (网站标识码), when valid. */
  footerCode?: string;
  /** The SiteIDCode meta, when non-blank. */
  metaCode?: string;
}

const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

function isHidden(el: AnyNode): boolean {
  let p: AnyNode | null = el;
  while (p && p.type !== 'root') {
    if (p.type === 'tag' || p.type === 'script') {
      const e = p as Element;
      if (e.name === 'body' || e.name === 'html') break;
      if (HIDDEN_STYLE.test(e.attribs?.style ?? '') || e.attribs?.hidden !== undefined) return true;
    }
    p = p.parent;
  }
  return false;
}

function codeFromUrl(u: string): string | undefined {
  const m = /[?&](?:site_?code|siteid|sitecode)=([^&#'"\s]*)/i.exec(u);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]).trim();
  } catch {
    return m[1].trim();
  }
}

const ENTRY_TEXT = /我为政府网站找错|政府网站找错|为政府网站找错/;

/**
 * Error-report (找错) entries of one HTML document. Never throws. `footerCodeWithEntriesOnly`: the footer's code (a
 * walk of its own) is read only when the page has an entry — the one use of it is comparing it with an entry's code.
 */
export function scanErrorEntries(html: string, o: { footerCodeWithEntriesOnly?: boolean } = {}): ErrorEntryScan {
  const out: ErrorEntryScan = { entries: [] };
  try {
    const $ = loadHtml(html);
    const footers = new Set<AnyNode>(footerScopeRoots($));
    const inFooter = (el: AnyNode) => {
      let p: AnyNode | null = el;
      while (p) {
        if (footers.has(p)) return true;
        p = p.parent;
      }
      return false;
    };
    const seen = new Set<AnyNode>();
    const add = (el: Element, form: EntryForm, code: string | undefined, snippet: string) => {
      if (seen.has(el)) return;
      seen.add(el);
      out.entries.push({ form, code: code || undefined, hidden: isHidden(el), inFooter: inFooter(el), snippet: snippet.slice(0, 160) });
    };
    for (const e of elementsNamed($, 'script')) {
      const src = attr(e, 'src');
      const id = attr(e, 'id');
      if (id === '_jiucuo_' || /jiucuo/i.test(src)) {
        add(e, 'script', attr(e, 'sitecode') || attr(e, 'site_code') || codeFromUrl(src), src || `script#${id}`);
        continue;
      }
      if (!src) {
        const code = textContent(e);
        if (code.length < MAX_SCRIPT && /jiucuo|找错/i.test(code)) {
          const written = documentWrites(code);
          const body = written || code;
          if (/jiucuo|找错/i.test(body)) {
            const c = /site_?code\s*(?:=|:)\s*\\?['"]?([A-Za-z0-9]+)/i.exec(body)?.[1];
            add(e, 'inline-script', c, 'inline script');
          }
        }
      }
    }
    const all = allElements($);
    for (const e of all) {
      if (!isLinkOrArea(e)) continue;
      const href = attr(e, 'href');
      const label = normText(textContent(e)) || attr(e, 'title');
      if (/jiucuo/i.test(href) || (/\/exposure\//i.test(href) && /site_?code/i.test(href)) || ENTRY_TEXT.test(normalizeLabel(label)) ||
        descendants(e, 2000).some((i) => i.name === 'img' && /jiucuo/i.test(attr(i, 'src')))) {
        add(e, 'link', codeFromUrl(href), href || label);
      }
    }
    imgs: for (const e of elementsNamed($, 'img')) {
      if (e.attribs.src === undefined || !/jiucuo/i.test(attr(e, 'src'))) continue;
      // Skip images already covered by their link.
      let p: AnyNode | null = e.parent;
      while (p && p.type === 'tag') {
        if (seen.has(p)) continue imgs;
        p = p.parent;
      }
      add(e, 'image', undefined, attr(e, 'src'));
    }
    for (const e of all) {
      if (e.attribs.onclick === undefined) continue;
      const oc = attr(e, 'onclick');
      if (/jiucuo/i.test(oc)) add(e, 'onclick', codeFromUrl(oc), oc);
    }
    // Plain text entry (e.g. a span with the wording and a handler set by a script).
    texts: for (const e of all) {
      if (seen.has(e) || e.name === 'script' || e.name === 'style' || !inBody(e)) continue;
      const own = (e.children ?? []).filter((c) => c.type === 'text').map((c) => (c as unknown as { data: string }).data).join('');
      if (ENTRY_TEXT.test(normalizeLabel(own))) {
        let p: AnyNode | null = e.parent;
        while (p && p.type === 'tag') {
          if (seen.has(p)) continue texts;
          p = p.parent;
        }
        add(e, 'text', undefined, normText(own));
      }
    }
    const items = o.footerCodeWithEntriesOnly && out.entries.length === 0 ? undefined : analyzeFooterItems(html);
    if (items?.siteCode.state === 'present' && items.siteCode.value) out.footerCode = items.siteCode.value;
    out.metaCode = metaContent($, 'siteidcode') || undefined;
  } catch {
    /* hostile input: report what was found so far */
  }
  return out;
}

