import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'cheerio/slim';
import type { AnyNode } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { analyzePage } from '../src/collect/page-process.ts';
import { limitNesting, MAX_NESTING } from '../src/analyze/depth.ts';
import { analyzeFooterItems } from '../src/analyze/identifiers.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function maxDepth(html: string): number {
  const $ = load(html);
  let max = 0;
  const stack: [AnyNode, number][] = [[$.root()[0], 0]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    for (const c of (n as { children?: AnyNode[] }).children ?? []) stack.push([c, d + 1]);
  }
  return max;
}

const hostile = (n: number) =>
  `<html><head><title>青山市人民政府</title><script>var s = "${'<div>'.repeat(50)}";</script></head><body>` +
  '<div>'.repeat(n) + '<a href="/deep.html">深处的链接</a>' + '</div>'.repeat(n) +
  '<div class="footer">主办单位：青山市人民政府办公室 网站标识码：4300000001 湘ICP备00000001号</div></body></html>';

describe('nesting bound for hostile pages', () => {
  it('leaves real pages untouched', () => {
    for (const f of ['fixtures/sites/demo/index.html', '../shared/real-pages/www.gov.cn-gazette.html']) {
      const file = path.join(ROOT, f);
      if (!fs.existsSync(file)) continue;
      const html = fs.readFileSync(file, 'utf8');
      expect(limitNesting(html)).toBe(html);
      expect(limitNesting(html, MAX_NESTING, 0)).toBe(html); // scanned, and still unchanged
    }
    const many = '<ul>' + '<li><a href="/x">条目</a></li>'.repeat(5000) + '</ul>'; // many tags, shallow
    expect(limitNesting(many)).toBe(many);
    expect(limitNesting(many, MAX_NESTING, 0)).toBe(many);
  });

  it('keeps at most the bound of nesting, and all the text, links and footer after the deep part', () => {
    const html = hostile(20_000);
    const bounded = limitNesting(html);
    expect(maxDepth(bounded)).toBeLessThanOrEqual(MAX_NESTING + 5);
    const $ = load(bounded);
    expect($('a[href="/deep.html"]').text()).toBe('深处的链接');
    expect($('.footer').text()).toContain('网站标识码');
    expect($('script').text()).toContain('<div>'); // script text is not markup
  });

  it('a page of 200,000 nested elements is crawled and analysed (link found, footer read)', () => {
    const body = Buffer.from(hostile(200_000));
    const { verdict } = analyzePage(
      { url: 'http://a.gov.cn/', depth: 0, res: { url: 'http://a.gov.cn/', finalUrl: 'http://a.gov.cn/', redirects: [], status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body, bytes: body.length, truncated: false, headersMs: 0, totalMs: 0, startedAt: '' } },
      () => true,
    );
    expect(verdict.targets).toContain('http://a.gov.cn/deep.html');
    expect(analyzeFooterItems(hostile(200_000)).siteCode.state).toBe('present');
  });
});
