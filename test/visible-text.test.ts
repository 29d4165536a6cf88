import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, parseHtml } from '../src/analyze/dom.ts';
import { articleBodyElements, bodyTextVariants, isNavLike, visibleText, visibleTexts } from '../src/analyze/dates.ts';
import { footerElements } from '../src/analyze/footer.ts';
import { bodyOrRoot } from '../src/analyze/walk.ts';

// visibleTexts walks once for several skip predicates; each of its texts must be exactly visibleText's, on every page
// we have (fixture sites, real government pages) and on the edge cases of the walk (hidden and skipped elements inside
// skipped ones, images, cells, the length cap hit in the middle of an element).
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const htmlFiles = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.s?html?$/.test(f)).map((f) => path.join(dir, f))
    : [];
const PAGES = [...htmlFiles(path.join(repoRoot, 'fixtures', 'sites')), ...htmlFiles(path.resolve(repoRoot, '..', 'shared', 'real-pages'))];

const EDGE = `<html><head><title>标题</title><style>.x{}</style></head><body>
<div class="top-nav"><a href="/">首页</a> <span>导航</span><img src="a.png" class="logo"></div>
<div id="main"><p>正文　第一段&nbsp;&nbsp;内容</p><p hidden>隐藏</p><p style="display: none">也隐藏</p>
<table><tr><td>单元格一</td><td>单元格二 <a href="/b">链接</a></td></tr></table>
<div class="TRS_Editor"><p>文章正文 <b>加粗</b>\t制表\r\n换行</p><div class="footer">正文里的 footer 类</div></div>
<ul><li>甲</li><li><span class="side-tip">侧栏</span>乙</li></ul><noscript>无脚本</noscript><button>按钮</button>
<header>页眉</header><nav>导航条</nav><img src="x.png"></div>
<div class="footer">主办单位：青山市人民政府办公室 <a href="/c">联系我们</a> 网站标识码 4300000001</div></body></html>`;

function predicates(html: string): { nodes: AnyNode[]; skips: ((el: Element) => boolean)[] } {
  const $ = loadHtml(html);
  const footers = new Set<Element>(footerElements($));
  const body = articleBodyElements($);
  return {
    nodes: bodyOrRoot($) as AnyNode[],
    skips: [
      (el) => footers.has(el),
      (el) => body.has(el) || footers.has(el),
      (el) => footers.has(el) || el.name === 'a' || el.name === 'header' || el.name === 'nav' || isNavLike(el),
      (el) => el.name === 'p' || el.name === 'td',
    ],
  };
}

describe('visibleTexts: one walk, the texts of several skip predicates', () => {
  it('equals visibleText for each predicate, on every fixture and real page', () => {
    expect(PAGES.length).toBeGreaterThan(100);
    for (const file of PAGES) {
      const html = fs.readFileSync(file, 'utf8');
      const { nodes, skips } = predicates(html);
      const together = visibleTexts(nodes, [undefined, ...skips]);
      expect(together[0], file).toBe(visibleText(nodes));
      skips.forEach((skip, i) => expect(together[i + 1], `${file} #${i + 1}`).toBe(visibleText(nodes, skip)));
    }
  });

  it('equals visibleText at the edges of the walk and wherever the length cap falls', () => {
    const { nodes, skips } = predicates(EDGE);
    for (const max of [1, 5, 12, 30, 64, 100, 400_000]) {
      const together = visibleTexts(nodes, [undefined, ...skips], max);
      expect(together[0], `max ${max}`).toBe(visibleText(nodes, undefined, max));
      skips.forEach((skip, i) => expect(together[i + 1], `max ${max} #${i + 1}`).toBe(visibleText(nodes, skip, max)));
    }
    // Fragments as well as documents, and deep nesting (iterative: no stack overflow).
    const deep = bodyOrRoot(parseHtml('<div>'.repeat(20_000) + '深<span>层</span>' + '</div>'.repeat(20_000))) as AnyNode[];
    const together = visibleTexts(deep, [undefined, (el) => el.name === 'span']);
    expect(together).toEqual([visibleText(deep), visibleText(deep, (el) => el.name === 'span')]);
    const nested = bodyOrRoot(loadHtml('<div>'.repeat(100) + '深<span>层</span>' + '</div>'.repeat(100))) as AnyNode[];
    expect(visibleTexts(nested, [undefined, (el) => el.name === 'span'])).toEqual(['\n深层\n', '\n深\n']);
  });

  it('reads a document without <body> (htmlparser2 adds none) instead of finding no text in it', () => {
    const $ = loadHtml('<html><head><title>栏目</title></head><div class="list"><p>暂无信息</p></div><div class="footer">主办单位：某某</div></html>');
    const v = bodyTextVariants($)!;
    expect(v.all).toBe('\n暂无信息\n主办单位：某某\n');
    expect(v.all).toBe(visibleText(bodyOrRoot($) as AnyNode[]));
    expect(v.outsideFooter).not.toContain('主办单位');
  });

  it('gives the page analyses the texts they computed on their own', () => {
    for (const file of PAGES.slice(0, 80)) {
      const $ = loadHtml(fs.readFileSync(file, 'utf8'));
      const v = bodyTextVariants($)!;
      const { nodes, skips } = predicates(fs.readFileSync(file, 'utf8'));
      expect(v.all).toBe(visibleText(nodes));
      expect(v.outsideFooter).toBe(visibleText(nodes, skips[0]));
      expect(v.outsideBodyAndFooter).toBe(visibleText(nodes, skips[1]));
      expect(v.substantive).toBe(visibleText(nodes, skips[2]));
    }
  });
});
