import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody, normalizeCharset } from '../src/collect/decode.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const realPages = path.resolve(repoRoot, '../shared/real-pages');
const xiangtanDir = path.join(realPages, 'xiangtan');
const haveXiangtan = existsSync(xiangtanDir);
if (!haveXiangtan) console.warn(`[decode.test] ${xiangtanDir} is absent: real-page charset tests are skipped`);

const BODY = [
  '<div class="article"><h1>关于做好2021年防汛工作的通知</h1>',
  '<p class="info">发布时间：2021-06-10 来源：市应急管理局</p>',
  '<p>各县市区人民政府，市直各单位：为切实做好今年防汛抗旱工作，确保人民群众生命财产安全，现将有关事项通知如下。</p>',
  '<a href="/202106/t20210610_7001.html">上一篇：市政府常务会议召开</a>',
  '</div>',
  '<div class="footer"><p>主办：某市人民政府办公室 网站标识码：4303000099</p>',
  '<p>湘ICP备12345678号 湘公网安备 43030202000001号</p></div>',
].join('\n');

function page(headMeta: string): string {
  return `<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n${headMeta}\n<title>关于做好2021年防汛工作的通知_某市人民政府</title>\n<meta name="SiteIDCode" content="4303000099">\n</head>\n<body>\n${BODY}\n</body>\n</html>\n`;
}

const META_GB2312 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">';
const META_CHARSET_GBK = '<meta charset="GBK">';
const META_UTF8 = '<meta charset="utf-8">';

const enc = (text: string, charset: string): Uint8Array => new Uint8Array(iconv.encode(text, charset));
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

describe('charsetFromContentType', () => {
  it('extracts and normalises the charset parameter', () => {
    expect(charsetFromContentType('text/html; charset=UTF-8')).toBe('utf-8');
    expect(charsetFromContentType('text/html;charset=gb2312')).toBe('gb18030');
    expect(charsetFromContentType('text/html; charset="GBK"')).toBe('gb18030');
    expect(charsetFromContentType("text/html; charset='big5'")).toBe('big5');
    expect(charsetFromContentType('text/html; charset=ISO-8859-1')).toBe('windows-1252');
    expect(charsetFromContentType('text/html; Charset = utf8 ; foo=bar')).toBe('utf-8');
    expect(charsetFromContentType('text/html; charset=utf-16')).toBe('utf-16le');
  });
  it('returns undefined for absent or garbage labels', () => {
    expect(charsetFromContentType(undefined)).toBeUndefined();
    expect(charsetFromContentType(null)).toBeUndefined();
    expect(charsetFromContentType('')).toBeUndefined();
    expect(charsetFromContentType('text/html')).toBeUndefined();
    expect(charsetFromContentType('text/html; charset=')).toBeUndefined();
    expect(charsetFromContentType('text/html; charset=foo-bar-9')).toBeUndefined();
    expect(charsetFromContentType('text/html; charset=hz-gb-2312')).toBeUndefined();
  });
  it('normalizeCharset maps common aliases', () => {
    expect(normalizeCharset('GB_2312')).toBe('gb18030');
    expect(normalizeCharset('cp936')).toBe('gb18030');
    expect(normalizeCharset('x-gbk')).toBe('gb18030');
    expect(normalizeCharset('GB18030')).toBe('gb18030');
    expect(normalizeCharset('big5-hkscs')).toBe('big5');
    expect(normalizeCharset(' "utf-8"; ')).toBe('utf-8');
    expect(normalizeCharset('nonsense')).toBeUndefined();
  });
});

describe('decodeBody: GBK pages', () => {
  it('GBK declared in the HTTP header', () => {
    const html = page('');
    const r = decodeBody(enc(html, 'gbk'), 'text/html; charset=GBK');
    expect(r).toMatchObject({ charset: 'gb18030', source: 'header' });
    expect(r.text).toBe(html);
  });

  it('GBK declared only in <meta http-equiv> (no header charset)', () => {
    const html = page(META_GB2312);
    const r = decodeBody(enc(html, 'gbk'), 'text/html');
    expect(r).toMatchObject({ charset: 'gb18030', source: 'meta' });
    expect(r.text).toBe(html);
  });

  it('GBK declared only in <meta charset>, after a commented-out utf-8 meta', () => {
    const html = page(`<!-- ${META_UTF8} -->\n${META_CHARSET_GBK}`);
    const r = decodeBody(enc(html, 'gbk'), null);
    expect(r).toMatchObject({ charset: 'gb18030', source: 'meta' });
    expect(r.text).toBe(html);
  });

  it('GBK declared wrongly as utf-8 (header and meta) is decoded as gb18030', () => {
    const html = page(META_UTF8);
    const r = decodeBody(enc(html, 'gbk'), 'text/html; charset=utf-8');
    expect(r).toMatchObject({ charset: 'gb18030', source: 'sniff' });
    expect(r.text).toBe(html);
    expect(r.text).not.toContain('\uFFFD');
  });

  it('header utf-8 (wrong) but meta gb2312 (right): the meta wins', () => {
    const html = page(META_GB2312);
    const r = decodeBody(enc(html, 'gbk'), 'text/html; charset=utf-8');
    expect(r).toMatchObject({ charset: 'gb18030', source: 'meta' });
    expect(r.text).toBe(html);
  });

  it('server-default ISO-8859-1 header in front of a GBK page with a gb2312 meta', () => {
    const html = page(META_GB2312);
    const r = decodeBody(enc(html, 'gbk'), 'text/html; charset=ISO-8859-1');
    expect(r).toMatchObject({ charset: 'gb18030', source: 'meta' });
    expect(r.text).toBe(html);
  });

  it('GBK with no declaration at all is sniffed', () => {
    const html = page('');
    const r = decodeBody(enc(html, 'gbk'));
    expect(r).toMatchObject({ charset: 'gb18030', source: 'sniff' });
    expect(r.text).toBe(html);
  });

  it('GB18030 four-byte sequences decode', () => {
    const html = page(META_GB2312) + '<p>𠀀€</p>';
    const bytes = enc(html, 'gb18030');
    const r = decodeBody(bytes, 'text/html; charset=gb2312');
    expect(r.charset).toBe('gb18030');
    expect(r.text).toBe(html);
  });

  it('GBK body truncated in the middle of a character still decodes as declared', () => {
    const full = enc(page(''), 'gbk');
    // cut after the first byte of the final two-byte character in the body
    let cut = full.length - 1;
    while (full[cut - 1] < 0x80) cut--;
    const bytes = full.subarray(0, cut - 1);
    const r = decodeBody(bytes, 'text/html; charset=gbk');
    expect(r.charset).toBe('gb18030');
    expect(r.text).toContain('关于做好2021年防汛工作的通知');
  });
});

describe('decodeBody: UTF-8 pages', () => {
  it('UTF-8 page declared gb2312 (header and meta) is decoded as utf-8', () => {
    const html = page(META_GB2312);
    const r = decodeBody(new TextEncoder().encode(html), 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'sniff' });
    expect(r.text).toBe(html);
  });

  it('UTF-8 page declared gb2312 with a summary cut mid-character is still utf-8', () => {
    const enc8 = new TextEncoder();
    const before = enc8.encode(page(META_GB2312).replace('<body>', '<body>\n<p class="summary">各县市区人民政府'));
    const broken = enc8.encode('通').subarray(0, 2); // a character cut by the CMS summary truncation
    const after = enc8.encode('…</p>');
    const r = decodeBody(cat(before, broken, after), 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'sniff' });
    expect(r.text).toContain('关于做好2021年防汛工作的通知');
    expect(r.text.match(/\uFFFD/g)).toHaveLength(1);
  });

  it('a short GBK title declared utf-8 is still recognised as GBK', () => {
    const html = '<html><head><meta charset="utf-8"><title>中国</title></head><body>首页</body></html>';
    expect(decodeBody(enc(html, 'gbk'), 'text/html; charset=utf-8')).toMatchObject({ charset: 'gb18030', text: html });
  });

  it('UTF-8 page declared utf-8 keeps the header as source', () => {
    const html = page(META_UTF8);
    const r = decodeBody(new TextEncoder().encode(html), 'text/html; charset=UTF-8');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'header' });
    expect(r.text).toBe(html);
  });

  it('UTF-8 behind a server-default ISO-8859-1 header', () => {
    const html = page('');
    const r = decodeBody(new TextEncoder().encode(html), 'text/html; charset=iso-8859-1');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'sniff' });
    expect(r.text).toBe(html);
  });

  it('UTF-8 with no declaration is sniffed; pure ASCII is the default', () => {
    const html = page('');
    expect(decodeBody(new TextEncoder().encode(html))).toMatchObject({ charset: 'utf-8', source: 'sniff', text: html });
    const ascii = '<html><head><title>index</title></head><body>ok</body></html>';
    expect(decodeBody(new TextEncoder().encode(ascii))).toMatchObject({ charset: 'utf-8', source: 'default', text: ascii });
  });

  it('UTF-8 BOM wins over a gb2312 declaration and is stripped', () => {
    const html = page(META_GB2312);
    const bytes = cat(new Uint8Array([0xef, 0xbb, 0xbf]), new TextEncoder().encode(html));
    const r = decodeBody(bytes, 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'bom' });
    expect(r.text).toBe(html);
    expect(r.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('UTF-8 truncated inside a multibyte character keeps its utf-8 declaration', () => {
    const full = new TextEncoder().encode(page('') + '结束');
    const bytes = full.subarray(0, full.length - 2); // cuts '束' (3 bytes) after its first byte
    const r = decodeBody(bytes, 'text/html; charset=utf-8');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'header' });
    expect(r.text).toContain('关于做好2021年防汛工作的通知');
  });

  it('unknown/garbage labels fall back to sniffing', () => {
    const html = page('<meta charset="x-no-such-charset">');
    const r = decodeBody(new TextEncoder().encode(html), 'text/html; charset=foo');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'sniff', text: html });
    const g = decodeBody(enc(html, 'gbk'), 'text/html; charset=foo');
    expect(g).toMatchObject({ charset: 'gb18030', source: 'sniff', text: html });
  });
});

describe('decodeBody: UTF-16', () => {
  const html = page(META_GB2312);

  it('UTF-16LE with BOM declared gb2312', () => {
    const bytes = cat(new Uint8Array([0xff, 0xfe]), enc(html, 'utf-16le'));
    const r = decodeBody(bytes, 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-16le', source: 'bom' });
    expect(r.text).toBe(html);
  });

  it('UTF-16LE without BOM declared gb2312 (header and meta)', () => {
    const r = decodeBody(enc(html, 'utf-16le'), 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-16le', source: 'sniff' });
    expect(r.text).toBe(html);
  });

  it('UTF-16BE with and without BOM', () => {
    const be = enc(html, 'utf-16be');
    expect(decodeBody(cat(new Uint8Array([0xfe, 0xff]), be), 'text/html; charset=gb2312')).toMatchObject({
      charset: 'utf-16be',
      source: 'bom',
      text: html,
    });
    expect(decodeBody(be, null)).toMatchObject({ charset: 'utf-16be', source: 'sniff', text: html });
  });

  it('UTF-16LE whose meta (in UTF-16) declares utf-16 reports the meta', () => {
    const h = page('<meta charset="utf-16">');
    expect(decodeBody(enc(h, 'utf-16le'), 'text/html')).toMatchObject({ charset: 'utf-16le', source: 'meta', text: h });
  });

  it('a utf-16 declaration on ASCII-compatible bytes is ignored', () => {
    const h = page('<meta charset="utf-16">');
    expect(decodeBody(new TextEncoder().encode(h), 'text/html; charset=utf-16')).toMatchObject({
      charset: 'utf-8',
      source: 'sniff',
      text: h,
    });
  });
});

describe('decodeBody: other charsets', () => {
  it('Big5 declared in the header', () => {
    const html = [
      '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">',
      '<title>關於做好防汛工作的通知</title></head><body>',
      '<p>各縣市政府、各機關：為切實做好今年防汛工作，確保民眾生命財產安全，現將有關事項通知如下。</p>',
      '<a href="/202106/t20210610_7001.html">上一篇：政府會議召開</a>',
      '</body></html>',
    ].join('\n');
    const bytes = enc(html, 'big5');
    expect(iconv.decode(Buffer.from(bytes), 'big5')).toBe(html); // every character is in Big5
    const r = decodeBody(bytes, 'text/html; charset=Big5');
    expect(r).toMatchObject({ charset: 'big5', source: 'header' });
    expect(r.text).toBe(html);
    expect(r.text).toContain('關於做好');
  });

  it('Big5 declared only in meta', () => {
    const html = '<html><head><meta charset="big5"><title>臺灣政府網站</title></head><body>資訊公開</body></html>';
    expect(decodeBody(enc(html, 'big5'), 'text/html')).toMatchObject({ charset: 'big5', source: 'meta', text: html });
  });
});

describe('decodeBody: hostile input', () => {
  it('empty input', () => {
    expect(decodeBody(new Uint8Array(0))).toEqual({ text: '', charset: 'utf-8', source: 'default' });
    expect(decodeBody(new Uint8Array(0), 'text/html; charset=gbk')).toMatchObject({ text: '' });
    expect(decodeBody(Buffer.alloc(0), null).text).toBe('');
  });

  it('tiny inputs (one or two bytes, lone BOM) do not throw', () => {
    for (const arr of [[0x00], [0xff], [0xfe, 0xff], [0xff, 0xfe], [0xef, 0xbb, 0xbf], [0xe4], [0xd6], [0x3c, 0x00]]) {
      const r = decodeBody(new Uint8Array(arr), 'text/html; charset=gb2312');
      expect(typeof r.text).toBe('string');
      expect(r.text.charCodeAt(0)).not.toBe(0xfeff);
    }
  });

  it('random binary bytes do not throw', () => {
    let seed = 20210610;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (const size of [1, 7, 100, 4096, 70_000]) {
      for (const ct of [undefined, 'text/html; charset=utf-8', 'text/html; charset=gbk', 'text/html; charset=utf-16', 'x']) {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = rnd() & 0xff;
        const r = decodeBody(bytes, ct);
        expect(typeof r.text).toBe('string');
        expect(['bom', 'header', 'meta', 'sniff', 'default']).toContain(r.source);
        expect(r.charset).toMatch(/^[a-z0-9_-]+$/);
      }
    }
  });

  it('non-Uint8Array input does not throw', () => {
    expect(decodeBody(undefined as unknown as Uint8Array).text).toBe('');
    expect(decodeBody(new TextEncoder().encode('abc').buffer as unknown as Uint8Array).text).toBe('abc');
  });

  it('a 10 MB GBK body declared utf-8 is sampled and decoded whole', () => {
    const chunk = Buffer.from(iconv.encode(BODY + '\n', 'gbk'));
    const parts: Buffer[] = [Buffer.from(iconv.encode(page(''), 'gbk'))];
    let size = parts[0].length;
    while (size < 10 * 1024 * 1024) {
      parts.push(chunk);
      size += chunk.length;
    }
    const bytes = new Uint8Array(Buffer.concat(parts));
    const r = decodeBody(bytes, 'text/html; charset=utf-8');
    expect(r.charset).toBe('gb18030');
    expect(r.text.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(r.text.endsWith('湘公网安备 43030202000001号</p></div>\n')).toBe(true);
    expect(r.text).not.toContain('\uFFFD');
  });

  it('a 10 MB valid UTF-8 body declared gb2312 is decoded as utf-8', () => {
    const one = new TextEncoder().encode(BODY + '\n');
    const count = Math.ceil((10 * 1024 * 1024) / one.length);
    const bytes = new Uint8Array(one.length * count);
    for (let i = 0; i < count; i++) bytes.set(one, i * one.length);
    const r = decodeBody(bytes, 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-8', source: 'sniff' });
    expect(r.text.length).toBe(count * (BODY.length + 1));
  });
});

describe.skipIf(!haveXiangtan)('decodeBody: real Xiangtan pages (shared/real-pages/xiangtan)', () => {
  it('the UTF-16LE article declaring gb2312 decodes', () => {
    const bytes = new Uint8Array(readFileSync(path.join(xiangtanDir, 'article-utf16-declared-gb2312.html')));
    for (const ct of ['text/html; charset=gb2312', 'text/html', null]) {
      const r = decodeBody(bytes, ct);
      expect(r.charset).toBe('utf-16le');
      expect(r.source).toBe('bom'); // this copy starts with FF FE
      expect(r.text).toContain('湘潭');
      expect(r.text).toContain('<meta name="SiteIDCode"');
      expect(r.text.charCodeAt(0)).not.toBe(0xfeff);
    }
  });

  it('the same article without its BOM is still detected as UTF-16LE', () => {
    const bytes = new Uint8Array(readFileSync(path.join(xiangtanDir, 'article-utf16-declared-gb2312.html')));
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const r = decodeBody(bytes.subarray(2), 'text/html; charset=gb2312');
    expect(r).toMatchObject({ charset: 'utf-16le', source: 'sniff' });
    expect(r.text).toContain('湘潭');
    expect(r.text).toContain('<meta name="SiteIDCode"');
  });

  it('the GB18030 foot.js decodes (served with and without a charset)', () => {
    const bytes = new Uint8Array(readFileSync(path.join(xiangtanDir, 'foot.js')));
    for (const ct of ['application/javascript', 'application/javascript; charset=gb2312', 'application/javascript; charset=utf-8']) {
      const r = decodeBody(bytes, ct);
      expect(r.charset).toBe('gb18030');
      expect(r.text).toContain('网站标识码');
      expect(r.text).toContain('湘ICP备');
      expect(r.text).not.toContain('\uFFFD');
    }
  });
});
