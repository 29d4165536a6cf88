import { describe, expect, it } from 'vitest';
import { resolveHref, urlParts } from '../src/runtime/url-parts.ts';

/** What the cache must always equal: the URL standard's own answer. */
function reference(ref: string, base: string): string | null {
  try {
    const u = new URL(ref, base);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

const BASES = [
  'http://www.example.gov.cn/',
  'http://www.example.gov.cn/a/b/page.html?x=1#top',
  'http://www.example.gov.cn/a/b/',
  'http://example.gov.cn:8080/a/c/page.html',
  'https://user:pw@example.gov.cn/a/b/page.shtml?p=2',
  'http://www.example.gov.cn/a/b/index.jsp;jsessionid=ab12?id=3',
  'https://xn--fiqs8s.cn/路径/页面.html',
  'http://[::1]:8731/x/y',
];

const REFS = [
  '/c/0/index.html', '/c/0/../1/./x.html', '//other.gov.cn/x', '/\\evil.example/x', '/\t/evil.example/x', '\\x\\y.html',
  'x.html', './x.html', '../x.html', '../../../../x.html', '?page=2', '?', '', '#frag', '#', 'x.html#frag',
  'http://other.gov.cn/A/../b', 'HTTP://Other.Gov.CN:80/', 'http:foo.html', 'https:foo.html', 'http://', 'http://exa mple/',
  'http://[::1', '//////', 'mailto:a@b.cn', 'javascript:void(0)', 'ftp://x/y', 'data:text/plain,hi', '下载/通知.doc',
  '/搜索?q=政府', 'a b.html', '%zz/x', '/x?y=1#z', ' /lead-space', 'page.html?', '..', '.', '/',
];

describe('url-parts', () => {
  it('resolves every reference exactly as new URL() does, from a cold and a warm cache', () => {
    for (let round = 0; round < 2; round++) {
      for (const base of BASES) for (const ref of REFS) expect(resolveHref(ref, base), `${ref} against ${base}`).toBe(reference(ref, base));
    }
  });

  it('keeps pages of one directory and of one site from sharing answers they must not share', () => {
    // Relative references resolve per directory; '?' per path; '' and '#' per path and query.
    expect(resolveHref('x.html', 'http://h.cn/a/p.html')).toBe('http://h.cn/a/x.html');
    expect(resolveHref('x.html', 'http://h.cn/b/p.html')).toBe('http://h.cn/b/x.html');
    expect(resolveHref('?page=2', 'http://h.cn/a/p.html?page=1')).toBe('http://h.cn/a/p.html?page=2');
    expect(resolveHref('?page=2', 'http://h.cn/a/q.html?page=1')).toBe('http://h.cn/a/q.html?page=2');
    expect(resolveHref('', 'http://h.cn/a/p.html?id=1')).toBe('http://h.cn/a/p.html?id=1');
    expect(resolveHref('', 'http://h.cn/a/p.html?id=2')).toBe('http://h.cn/a/p.html?id=2');
    expect(resolveHref('/x', 'http://h.cn:81/a')).toBe('http://h.cn:81/x');
    expect(resolveHref('/x', 'https://h.cn/a')).toBe('https://h.cn/x');
    expect(resolveHref('//o.cn/x', 'https://h.cn/a')).toBe('https://o.cn/x');
    expect(resolveHref('//o.cn/x', 'http://h.cn/a')).toBe('http://o.cn/x');
  });

  it('gives the parts of new URL(), and null for what it rejects', () => {
    for (const s of ['http://www.example.gov.cn:8080/a/b.html?x=1#y', 'https://例子.中国/路径', 'http://[::1]/']) {
      const u = new URL(s);
      const p = urlParts(s)!;
      for (const k of ['href', 'protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash', 'origin'] as const) expect(p[k]).toBe(u[k]);
      expect(urlParts(s)).toBe(p); // remembered
      expect(Object.isFrozen(p)).toBe(true);
    }
    expect(urlParts('not a url')).toBeNull();
    expect(urlParts('http://')).toBeNull();
  });

  it('stays bounded on a long crawl', () => {
    for (let i = 0; i < 20_000; i++) expect(resolveHref(`/p/${i}.html`, `http://h${i % 7}.cn/d/${i}/`)).toBe(`http://h${i % 7}.cn/p/${i}.html`);
    for (let i = 0; i < 20_000; i++) expect(urlParts(`http://h.cn/p/${i}.html`)!.pathname).toBe(`/p/${i}.html`);
  });
});
