/**
 * What belongs to the audited site: the start URL's host with "www." and without counted as one, on the same port.
 * Department subdomains are other sites.
 */
import { urlParts, type UrlParts } from '../runtime/url-parts.ts';

/** Site identity of a URL: host without a leading "www.", plus port. */
export function siteKey(url: string): string {
  const u = urlParts(url);
  return u ? u.hostname.toLowerCase().replace(/^www\./, '') + ':' + (u.port || (u.protocol === 'https:' ? '443' : '80')) : '';
}

function samePortOrDefault(a: UrlParts, b: UrlParts): boolean {
  const pa = a.port || (a.protocol === 'https:' ? '443' : '80');
  const pb = b.port || (b.protocol === 'https:' ? '443' : '80');
  return pa === pb || (!a.port && !b.port); // http and https of the same host are one site
}

export function makeScope(startUrl: string): (url: string) => boolean {
  const s = urlParts(startUrl);
  if (!s) throw new TypeError(`Invalid URL: ${startUrl}`);
  const host = s.hostname.toLowerCase().replace(/^www\./, '');
  return (url: string) => {
    const u = urlParts(url);
    return !!u && u.hostname.toLowerCase().replace(/^www\./, '') === host && samePortOrDefault(u, s);
  };
}
