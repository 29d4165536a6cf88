/**
 * Parsed URLs, remembered. The same addresses are parsed again and again during an audit: every page of a site links
 * the same navigation, and several analyses of a page (link kinds, scope, URL dates, service and login links) each
 * read the parts of every link target. `new URL()` costs a few microseconds each time; a hit here is one map lookup.
 *
 * The parts are those of `new URL(url)` (a pure function of the string), read-only: a caller that wants to change a
 * URL builds its own. The cache is bounded (cleared when full): a long crawl keeps at most MAX entries. No imports:
 * the store writer threads use it too.
 */
export interface UrlParts {
  readonly href: string;
  readonly protocol: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  readonly origin: string;
}

const MAX = 8_192;
/** Longer strings are parsed but not kept (data: URLs, hostile hrefs). */
const MAX_KEY = 2_048;
const parsed = new Map<string, UrlParts | null>();

/** The parts of `new URL(url)`, or null when it throws. */
export function urlParts(url: string): UrlParts | null {
  const hit = parsed.get(url);
  if (hit !== undefined) return hit;
  let v: UrlParts | null;
  try {
    const u = new URL(url);
    v = Object.freeze({ href: u.href, protocol: u.protocol, host: u.host, hostname: u.hostname, port: u.port, pathname: u.pathname, search: u.search, hash: u.hash, origin: u.origin });
  } catch {
    v = null;
  }
  if (url.length <= MAX_KEY) {
    if (parsed.size >= MAX) parsed.clear();
    parsed.set(url, v);
  }
  return v;
}

/** Results of resolveHref: per scope (the part of the base a reference depends on), per reference. */
const resolved = new Map<string, Map<string, string | null>>();
let resolvedCount = 0;

/** The scopes of the last base asked about (a page's links are resolved against one base, one after another). */
let last: { base: string; origin: string; dir: string; path: string; full: string } | null = null;

function scopesOf(base: string, b: UrlParts): NonNullable<typeof last> {
  if (last && last.base === base) return last;
  const path = b.href.slice(0, b.href.length - b.search.length - b.hash.length);
  last = { base, origin: path.slice(0, path.length - b.pathname.length), dir: path.slice(0, path.lastIndexOf('/') + 1), path, full: path + b.search };
  return last;
}

/**
 * `new URL(ref, base).href` with the fragment dropped, or null when it throws (remembered). A reference that starts
 * with one '/' depends only on the base's scheme and authority; one that starts with '?' on the base without its
 * query; an empty one or a fragment on the base without its fragment; any other (relative path, `//host`, absolute
 * URL) on the base up to the last '/' of its path — which is what the entries are kept by, so that the pages of one
 * directory (or of one site) share them.
 */
export function resolveHref(ref: string, base: string): string | null {
  const b = urlParts(base);
  if (!b || ref.length > MAX_KEY) return resolveUncached(ref, base);
  const s = scopesOf(base, b);
  const scope =
    ref.startsWith('/') && ref[1] !== '/' && ref[1] !== '\\' ? s.origin : ref === '' || ref.startsWith('#') ? s.full : ref.startsWith('?') ? s.path : s.dir;
  let table = resolved.get(scope);
  const hit = table?.get(ref);
  if (hit !== undefined) return hit;
  const v = resolveUncached(ref, base);
  if (resolvedCount >= MAX) {
    resolved.clear();
    resolvedCount = 0;
    table = undefined;
  }
  if (!table) resolved.set(scope, (table = new Map()));
  table.set(ref, v);
  resolvedCount++;
  return v;
}

function resolveUncached(ref: string, base: string): string | null {
  try {
    const u = new URL(ref, base);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}
