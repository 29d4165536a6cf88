import { describe, expect, it } from 'vitest';
import { loadHtml } from '../src/analyze/dom.ts';
import { footerElements, inFooterPredicate } from '../src/analyze/footer.ts';
import {
  analyzeFooterItems,
  documentWrites,
  isValidSiteCode,
  jsUnescape,
  mayWriteContent,
  samplePages,
  scanErrorEntries,
} from '../src/analyze/identifiers.ts';
import { checkHeaderName, containsName, matchUnitName, nameCore, titleSiteName } from '../src/analyze/sitename.ts';
import { makeContext, makePage } from './helpers/page.ts';

/** A page whose footer holds the given HTML. */
function withFooter(inner: string, extraBody = ''): string {
  return `<html><head><title>t</title></head><body><div class="header"><img src="/logo.png" alt="示例市人民政府"></div>
<div class="main"><p>正文内容</p>${extraBody}</div><div class="footer">${inner}</div></body></html>`;
}

const items = (inner: string, extraBody = '') => analyzeFooterItems(withFooter(inner, extraBody));

describe('jsUnescape / documentWrites', () => {
  it('decodes %XX and %uXXXX and leaves broken sequences alone', () => {
    expect(jsUnescape('%3Cspan%3E%u4E3B%u529E%ZZ')).toBe('<span>主办%ZZ');
  });

  it('extracts constant strings written by document.write, with concatenation and unescape', () => {
    const js = `document.write('<p>a' + "b</p>");\ndocument.writeln(unescape("%3Ci%3Ec%3C/i%3E"));\nvar x = 1; document.write(x);`;
    expect(documentWrites(js)).toBe('<p>ab</p><i>c</i>');
  });

  it('handles escaped quotes, nested unknown calls and unterminated input', () => {
    expect(documentWrites(`document.write('<a href=\\'x\\'>it\\'s</a>' + foo(1, 2) + '!')`)).toBe(`<a href='x'>it's</a>!`);
    expect(documentWrites(`document.write('unterminated`)).toBe('');
    expect(documentWrites('')).toBe('');
  });
});

describe('site code', () => {
  it('accepts 10 digits and bm + 8 digits only', () => {
    expect(isValidSiteCode('4301000052')).toBe(true);
    expect(isValidSiteCode('bm01000001')).toBe(true);
    expect(isValidSiteCode('430100005')).toBe(false);
    expect(isValidSiteCode('43010000521')).toBe(false);
    expect(isValidSiteCode('bm0100001')).toBe(false);
  });

  it('reads the footer code in its real forms', () => {
    expect(items('<p>网站标识码：4301000052</p>').siteCode).toMatchObject({ state: 'present', value: '4301000052' });
    expect(items('<p>网站标识码: 4303000006</p>').siteCode).toMatchObject({ state: 'present', value: '4303000006' });
    expect(items('<p>网站标识码bm01000001　京ICP备05070218号</p>').siteCode).toMatchObject({ state: 'present', value: 'bm01000001' });
    expect(items('<span>网站标识码：</span><span>4399000003</span>').siteCode).toMatchObject({ state: 'present', value: '4399000003' });
  });

  it('reports a malformed code, and an image after the label as unverified', () => {
    expect(items('<p>网站标识码：430100005</p>').siteCode).toMatchObject({ state: 'malformed', value: '430100005' });
    expect(items('<p>网站标识码：暂无</p>').siteCode.state).toBe('malformed');
    expect(items('<p>网站标识码：<img src="/images/code.png"></p>').siteCode.state).toBe('unverified');
    expect(items('<p>主办单位：示例市人民政府</p>').siteCode.state).toBe('missing');
  });
});

describe('conac badge', () => {
  it('recognises link, script, marker and document.write(unescape()) forms', () => {
    expect(items('<a href="http://bszs.conac.cn/sitename?method=show&id=ABC"><img src="/images/red.png"></a>').conac).toMatchObject({ state: 'present', form: 'link' });
    expect(items('<script src="https://dcs.conac.cn/js/43/000/0000/1/CA43.js"></script>').conac).toMatchObject({ state: 'present', form: 'script' });
    expect(items(`<script>document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='http://dcs.conac.cn/js/x.js'%3E%3C/script%3E"));</script>`).conac.state).toBe('present');
  });

  it('calls a badge-like image without a conac link unverified, nothing at all missing', () => {
    expect(items('<img src="/images/dzjg.png">').conac.state).toBe('unverified');
    expect(items('<p>主办单位：示例市人民政府</p>').conac.state).toBe('missing');
  });
});

describe('ICP and police filing', () => {
  it('reads ICP numbers with or without 号, with a -N suffix, after a 备案号 label', () => {
    expect(items('湘ICP备10009181号-1').icp).toMatchObject({ state: 'present', value: '湘ICP备10009181号-1' });
    expect(items('湘ICP备05000618').icp).toMatchObject({ state: 'present', value: '湘ICP备05000618' });
    expect(items('备案号：<a href="https://beian.miit.gov.cn/">湘ICP备06012711号（备案管理系统）</a>').icp.state).toBe('present');
    expect(items('ICP备案号：湘ICP备12345678号-3').icp.value).toBe('湘ICP备12345678号-3');
    expect(items('<a href="https://beian.miit.gov.cn/"><img src="/icp.png"></a>').icp.state).toBe('unverified');
    expect(items('主办单位：示例市人民政府').icp.state).toBe('missing');
  });

  it('reads 公网安备 with and without space, 公安机关备案号, 公安网备号 and beian links', () => {
    expect(items('湘公网安备 43010202000001号').police).toMatchObject({ state: 'present', value: '43010202000001' });
    expect(items('京公网安备11010202000001号').police.value).toBe('11010202000001');
    expect(items('公安机关备案号：43010302000524').police.value).toBe('43010302000524');
    expect(items('湘公安网备号43010402000231号').police.value).toBe('43010402000231');
    expect(items('<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=43030402000164"><img src="/ga.png"></a>').police).toMatchObject({ state: 'present', form: 'link' });
    expect(items('<a href="https://beian.mps.gov.cn/#/query/webSearch?code=43990002000125"><img src="/ga.png"></a>').police.value).toBe('43990002000125');
    expect(items('湘ICP备10009181号').police.state).toBe('missing');
  });
});

describe('sponsor', () => {
  it('reads 主办单位：/主办：/主办方：/…主办 and stops at the next field', () => {
    expect(items('<span>主办单位：示例市人民政府</span><span>承办单位：示例市数据局</span>').sponsor.value).toBe('示例市人民政府');
    expect(items('主办：示例市人民政府办公厅&nbsp;©&nbsp;示例市人民政府网&nbsp;版权所有').sponsor.value).toBe('示例市人民政府办公厅');
    expect(items('<i>主办方：</i>示例工程办公室').sponsor.value).toBe('示例工程办公室');
    expect(items('主办单位:示例市财政局').sponsor.state).toBe('present');
    expect(items('示例市财政局主办　网站标识码：4399000003').sponsor).toMatchObject({ state: 'present', form: 'suffix', value: '示例市财政局' });
  });

  it('accepts a copyright line naming a unit; one naming only the website is unverified', () => {
    expect(items('中国·示例省发展和改革委员会 版权所有').sponsor).toMatchObject({ state: 'present', form: 'copyright', value: '示例省发展和改革委员会' });
    expect(items('版权所有：示例市人民政府网站').sponsor).toMatchObject({ state: 'unverified', form: 'copyright' });
    expect(items('网站地图 | 版权所有').sponsor.state).toBe('missing');
    expect(items('主办单位：').sponsor.state).toBe('missing');
  });

  it('does not take 承办单位 for the sponsor', () => {
    expect(items('承办单位：示例市数据局').sponsor.state).toBe('missing');
  });
});

describe('contact', () => {
  it('recognises phones, hotlines, e-mail, address and contact links', () => {
    expect(items('联系电话：0731-88665207').contact).toMatchObject({ state: 'present', value: '0731-88665207' });
    expect(items('电话：(0731)88665207').contact.state).toBe('present');
    expect(items('政务服务便民热线：12345').contact).toMatchObject({ state: 'present', form: 'hotline' });
    expect(items('电子邮箱：webmaster@shili.gov.cn').contact.form).toBe('email');
    expect(items('地址：示例市政务大道1号').contact.form).toBe('address');
    expect(items('<a href="/lxwm/">联系我们</a>').contact.form).toBe('link');
  });

  it('does not read a phone inside filing numbers or site codes', () => {
    expect(items('湘公网安备 43030402000164号 网站标识码：4303000006 湘ICP备06012711号').contact.state).toBe('missing');
  });

  it('calls a phone shown only as an image unverified', () => {
    expect(items('联系电话：<img src="/images/tel.png">').contact.state).toBe('unverified');
    expect(items('<img src="/images/footer_dianhua.png">').contact.state).toBe('unverified');
  });

  it('ignores contact words in the article body (only the footer counts)', () => {
    expect(items('主办单位：示例市人民政府', '<p>咨询电话：0739-1234567</p>').contact.state).toBe('missing');
  });
});

describe('scopes', () => {
  it('reads filing items anywhere on the page when the footer is not recognised', () => {
    const html = '<html><body><div class="x">正文</div><div class="y"><p>湘ICP备12345678号 网站标识码：4399000001</p><p>正文</p><p>正文</p></div><div class="z">a</div><div>b</div><div>c</div><div>d</div></body></html>';
    const r = analyzeFooterItems(html);
    expect(r.icp.state).toBe('present');
    expect(r.siteCode.state).toBe('present');
  });

  it('reads footers written by inline document.write', () => {
    const html = withFooter(`<script>document.write('<p>主办单位：示例县人民政府 湘ICP备87654321号</p>');</script>`);
    const r = analyzeFooterItems(html);
    expect(r.sponsor).toMatchObject({ state: 'present', where: 'script' });
    expect(r.icp.state).toBe('present');
  });

  it('ignores commented-out markup and script/style text', () => {
    const r = items('<!-- 湘ICP备12345678号 --><style>.icp:after{content:"湘ICP备1234号"}</style>');
    expect(r.icp.state).toBe('missing');
  });
});

describe('footerElements', () => {
  it('ignores a mid-page "bottom" box without footer words and finds the real footer', () => {
    const html = `<html><body><div class="news"><div class="news-bottom"><a href="/more">更多</a></div></div>
      ${'<p>正文</p>'.repeat(30)}<div class="copyright">版权所有 示例市人民政府</div></body></html>`;
    const $ = loadHtml(html);
    const els = footerElements($);
    expect(els.map((e) => $(e).attr('class'))).toEqual(['copyright']);
  });

  it('falls back to trailing blocks with footer words when nothing is named like a footer', () => {
    const html = `<html><body><div class="a">头部</div><div class="b">${'<p>正文</p>'.repeat(5)}</div>
      <div class="main_div_full"><table><tr><td>版权所有 示例医院 湘ICP备14002927号-5</td></tr></table></div></body></html>`;
    const $ = loadHtml(html);
    expect(footerElements($).map((e) => $(e).attr('class'))).toEqual(['main_div_full']);
  });

  it('keeps inFooterPredicate working on the result', () => {
    const $ = loadHtml(withFooter('<a href="/lxwm/">联系我们</a>'));
    const pred = inFooterPredicate(footerElements($));
    expect(pred($('a[href="/lxwm/"]')[0])).toBe(true);
    expect(pred($('.main p')[0])).toBe(false);
  });
});

describe('mayWriteContent', () => {
  it('ignores inert widgets and libraries but not a footer script', () => {
    expect(mayWriteContent('<html><body><script src="/js/jquery.min.js"></script><script id="_jiucuo_" sitecode="4399000001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></body></html>')).toBe(false);
    expect(mayWriteContent('<html><body><script src="/js/foot.js"></script></body></html>')).toBe(true);
    expect(mayWriteContent('<html><body><script>$("#foot").load("/foot.html")</script></body></html>')).toBe(true);
    expect(mayWriteContent('<html><body><script>document.write(footHtml)</script></body></html>')).toBe(true);
  });
});

describe('scanErrorEntries', () => {
  it('finds the script, link, image and own-copy forms with their codes', () => {
    const s = scanErrorEntries(withFooter('<script id="_jiucuo_" sitecode="4399000001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'));
    expect(s.entries).toEqual([expect.objectContaining({ form: 'script', code: '4399000001', hidden: false, inFooter: true })]);
    const l = scanErrorEntries(withFooter('<a href="https://pucha.kaipuyun.cn/exposure/jiucuo.html?site_code=4399000001&url=x"><img src="/images/jiucuo.png"></a>'));
    expect(l.entries).toHaveLength(1);
    expect(l.entries[0]).toMatchObject({ form: 'link', code: '4399000001' });
    const own = scanErrorEntries(withFooter('<script src="/common/js/jiucuo.js" sitecode="4399000001"></script>'));
    expect(own.entries[0]).toMatchObject({ form: 'script', code: '4399000001' });
  });

  it('marks entries hidden by inline style on themselves or an ancestor', () => {
    const s = scanErrorEntries(withFooter('<a style="display:none;" href="http://121.43.68.40/exposure/jiucuo.html?site_code=4399000001"><img src="/j.png"></a>'));
    expect(s.entries[0].hidden).toBe(true);
    const t = scanErrorEntries(withFooter('<div style="visibility: hidden"><script id="_jiucuo_" sitecode="4399000001" src="/jiucuo.js"></script></div>'));
    expect(t.entries[0].hidden).toBe(true);
    const c = scanErrorEntries(withFooter('<div class="hide"><script id="_jiucuo_" sitecode="4399000001" src="/jiucuo.js"></script></div>'));
    expect(c.entries[0].hidden).toBe(false); // CSS classes are not resolved: not certain
  });

  it('ignores entries in comments and reports footer / meta codes', () => {
    const html = `<html><head><meta name="SiteIDCode" content="4399000001"></head><body><div class="footer">网站标识码：4399000001
      <!--<script id="_jiucuo_" sitecode="4399000001" src="/jiucuo.js"></script>--></div></body></html>`;
    const s = scanErrorEntries(html);
    expect(s.entries).toEqual([]);
    expect(s.footerCode).toBe('4399000001');
    expect(s.metaCode).toBe('4399000001');
  });
});

describe('site names', () => {
  it('extracts the site part of a title', () => {
    expect(titleSiteName('市政府召开常务会议_示例市人民政府门户网站')).toBe('示例市人民政府门户网站');
    expect(titleSiteName('关于预算公开的说明 - 示例市财政局')).toBe('示例市财政局');
    expect(titleSiteName('1-10月全市固定资产投资结构趋稳')).toBeUndefined();
    expect(titleSiteName('示例市人民政府', true)).toBe('示例市人民政府');
  });

  it('matches declared names against the unit name', () => {
    expect(nameCore('示例市人民政府门户网站')).toBe('示例市政府');
    expect(matchUnitName('示例市政府门户网站', '示例市人民政府')).toBe('match');
    expect(matchUnitName('示例市人民政府网', '示例市人民政府')).toBe('match');
    expect(matchUnitName('示例省发改委', '示例省发展和改革委员会')).toBe('match');
    expect(matchUnitName('中国示例', '示例市人民政府')).toBe('match');
    expect(matchUnitName('示例市政务服务网', '示例市财政局')).toBe('partial');
    expect(matchUnitName('智慧城市服务平台', '示例市财政局')).toBe('mismatch');
  });

  it('finds the name in header text, alt, aria-label or hidden logo text; logo images are unverified', () => {
    const names = ['示例市人民政府门户网站'];
    const page = (header: string) => loadHtml(`<html><body><div class="header">${header}</div>${'<p>正文</p>'.repeat(20)}<div class="footer">版权所有</div></body></html>`);
    expect(checkHeaderName(page('<h1>示例市人民政府</h1>'), names).state).toBe('shown');
    expect(checkHeaderName(page('<a href="/" aria-label="示例市人民政府门户网站"><img src="/l.png" alt=""></a>'), names).state).toBe('shown');
    expect(checkHeaderName(page('<h1><a href="/"><span class="hide">示例市人民政府网站</span></a></h1>'), names).state).toBe('shown');
    expect(checkHeaderName(page('<a href="/"><img src="/images/logo.png"></a>'), names).state).toBe('unverified');
    expect(checkHeaderName(page('<script src="/js/top.js"></script>'), names).state).toBe('unverified');
    expect(checkHeaderName(page('<ul><li><a href="/">首页</a></li><li><a href="/en/">English</a></li></ul>'), names).state).toBe('missing');
  });

  it('accepts order-keeping abbreviations in the header', () => {
    expect(containsName('欢迎访问示例省发改委', '示例省发展和改革委员会')).toBe(true);
    expect(containsName('示例省政务服务网', '示例省发展和改革委员会')).toBe(false);
  });
});

describe('samplePages', () => {
  it('takes the homepage and at most 10 pages of various kinds', () => {
    const home = makePage('http://www.shili.gov.cn/', '<html><body>home</body></html>', { isHomepage: true });
    const others = [];
    for (let i = 0; i < 20; i++) others.push(makePage(`http://www.shili.gov.cn/zwdt/202106/t20210610_${7000 + i}.html`, '<html><body>a</body></html>', { depth: 2 }));
    for (let i = 0; i < 5; i++) others.push(makePage(`http://www.shili.gov.cn/col${i}/index.html`, '<html><body>l</body></html>', { depth: 1 }));
    others.push(makePage('http://www.shili.gov.cn/broken.html', '', { status: 404 }));
    const sample = samplePages(makeContext([home, ...others]));
    expect(sample).toHaveLength(10);
    expect(sample[0].url).toBe(home.url);
    expect(sample.some((p) => p.url.includes('/col'))).toBe(true);
    expect(sample.some((p) => p.url.includes('t20210610_'))).toBe(true);
    expect(sample.some((p) => p.url.includes('broken'))).toBe(false);
  });
});

describe('frames and text outside the footer', () => {
  it('a footer loaded in an iframe makes missing items unverified', () => {
    const html = `<html><body><div class="header">示例</div>${'<p>正文</p>'.repeat(10)}<iframe src="/include/foot.html" width="100%"></iframe></body></html>`;
    const r = analyzeFooterItems(html);
    expect(r.icp).toMatchObject({ state: 'unverified', form: 'iframe', value: '/include/foot.html' });
    expect(r.contact.state).toBe('unverified');
  });

  it('a malformed code in article text (outside the footer) is only unverified', () => {
    const html = `<html><body><div class="content"><p>什么是网站标识码？网站标识码是每个政府网站的唯一编号。</p></div>${'<p>正文</p>'.repeat(10)}<div class="footer">主办单位：示例市人民政府 湘ICP备12345678号</div></body></html>`;
    expect(analyzeFooterItems(html).siteCode.state).toBe('unverified');
  });
});
