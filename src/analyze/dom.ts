import { load } from 'cheerio/slim';
import type { CheerioAPI } from 'cheerio';
import { limitNesting } from './depth.ts';

/**
 * Parsed DOM of an HTML string, memoised per string object holder so that several checks reading
 * the same page parse it once. Pure: no I/O.
 */
const cache = new Map<string, CheerioAPI>();
const order: string[] = [];
const MAX_CACHED = 64;

/** Parses HTML for analysis (uncached): the one place pages are parsed, with the nesting bound of depth.ts. */
export function parseHtml(html: string): CheerioAPI {
  return load(limitNesting(html));
}

export function loadHtml(html: string): CheerioAPI {
  const hit = cache.get(html);
  if (hit) return hit;
  const $ = parseHtml(html);
  cache.set(html, $);
  order.push(html);
  if (order.length > MAX_CACHED) cache.delete(order.shift()!);
  return $;
}

/** Drops a document from the cache (the crawl analyses each page once: keeping it would only hold memory). */
export function forgetHtml(html: string): void {
  if (!cache.delete(html)) return;
  const i = order.lastIndexOf(html);
  if (i >= 0) order.splice(i, 1);
}

/** Collapse whitespace (including full-width spaces and &nbsp;) to single spaces and trim. */
export function normText(s: string): string {
  return s.replace(/[\s\u00a0\u3000]+/g, ' ').trim();
}
