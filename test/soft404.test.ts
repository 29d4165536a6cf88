import { describe, expect, it } from 'vitest';
import { softErrorReason } from '../src/collect/soft404.ts';

/** A short working page (a unit's contact page, a homepage stub) around `body`. */
const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><div class="nav"><a href="/">首页</a> <a href="/xxgk/">信息公开</a></div>${body}<div class="footer">主办单位：青山市人民政府办公室</div></body></html>`;

describe('soft 404: an error page needs an error page\'s shape', () => {
  it('"404" in ordinary text is not an error page', () => {
    for (const html of [
      page('联系我们', '<p>办公地址：青山市人民路1号行政中心 404 室</p><p>电话：0739-1234567</p>'),
      page('联系我们', '<table><tr><td>房间号</td><td>404</td></tr></table>'),
      page('交通指南', '<p>乘坐公交 404 路到市政府站下车</p>'),
      page('关于印发办法的通知', '<p>湘政发〔2021〕404号</p>'),
      page('信息404', '<ul><li>信息404</li></ul>'),
      page('日历', '<a href="/cal?day=404">下一页</a> 404'),
      page('第404期 - 青山市人民政府', '<p>本期要目</p>'),
    ]) {
      expect(softErrorReason(html), html).toBeNull();
    }
  });

  it('link texts are never read: a short page whose links say "Not Found" or "404" works', () => {
    const home = page('青山市人民政府', '<a href="/nf.html">Not Found</a> <a href="/404.html">404</a> <h3><a href="/e.html">页面不存在</a></h3>');
    expect(softErrorReason(home)).toBeNull();
  });

  it('recognises error pages by title, heading or a short page that is the message', () => {
    expect(softErrorReason('<title>404</title><body>x</body>')).toMatch(/^title/);
    expect(softErrorReason('<title>提示</title><body><h1>您访问的页面不存在</h1></body>')).toMatch(/^heading/);
    expect(softErrorReason('<body><p>对不起，您访问的页面不存在或已被删除。</p></body>')).toMatch(/^text/);
    expect(softErrorReason(page('页面不存在 - 青山市人民政府', ''))).toMatch(/^title/);
    expect(softErrorReason('<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>')).toMatch(/^title/);
    expect(softErrorReason('<html><head><title>HTTP Status 404 – Not Found</title></head><body></body></html>')).toMatch(/^title/);
    expect(softErrorReason(page('青山市人民政府', '<div class="num">404</div><p>抱歉，您访问的页面走丢了</p>'))).toMatch(/^text/);
    expect(softErrorReason(page('青山市人民政府', '<div class="big">Error 404</div>'))).toMatch(/^text/);
  });

  it('does not flag articles that merely mention the words', () => {
    const article = `<title>关于规范网站 404 页面的通知</title><body><h1>关于规范网站错误页面的通知</h1>${'<p>各单位网站出现页面不存在时应提供友好提示。</p>'.repeat(40)}</body>`;
    expect(softErrorReason(article)).toBeNull();
    expect(softErrorReason('')).toBeNull();
  });

  it('stays linear on hostile markup (unclosed comments, headings, links)', () => {
    const hostile = '<title>x</title>' + '<!-- <h1>404 <a>'.repeat(20_000);
    expect(softErrorReason(hostile)).toBeNull();
  });
});
