import { describe, expect, it } from 'vitest';
import { compactLabels, FOOTER_LABELS, matchLabel, normalizeLabel, spacedLabelSource } from '../src/analyze/labels.ts';
import { analyzeFooterItems, scanErrorEntries } from '../src/analyze/identifiers.ts';
import { footerElements } from '../src/analyze/footer.ts';
import { loadHtml, normText } from '../src/analyze/dom.ts';
import sponsor from '../checks/footer-sponsor.ts';
import contact from '../checks/footer-contact.ts';
import siteCode from '../checks/footer-site-code.ts';
import { findingsOf } from '../src/checks.ts';
import { makeContext, makePage } from './helpers/page.ts';

/**
 * Labels spaced out for alignment (issue 10.5): 主&nbsp;办：, 主　办 (full-width spaces), 联 系 电 话, tags between the
 * characters, zero-width characters — read as the plain words by the footer recognisers, while the same characters
 * in running text (民主 办事, an article's 主办单位) are not footer labels.
 */

describe('normalizeLabel / matchLabel', () => {
  it('removes every kind of inner whitespace and zero-width characters', () => {
    expect(normalizeLabel('主\u00a0办')).toBe('主办'); // &nbsp;
    expect(normalizeLabel('主\u3000\u3000办')).toBe('主办'); // full-width spaces
    expect(normalizeLabel('联 系 电 话')).toBe('联系电话');
    expect(normalizeLabel(' 办\t事\n指\r\n南 ')).toBe('办事指南');
    expect(normalizeLabel('主\u2002办\u2003单\u2009位')).toBe('主办单位'); // &ensp; &emsp; thin space
    expect(normalizeLabel('主\u200b办\u200c单\u200d位\ufeff\u2060')).toBe('主办单位'); // zero-width
    expect(normalizeLabel('')).toBe('');
    expect(normalizeLabel(undefined as unknown as string)).toBe('');
  });

  it('matches a label exactly (decorations allowed), by prefix, or anywhere', () => {
    expect(matchLabel('我 要 留 言', ['我要留言', '留言'])).toBe('我要留言');
    expect(matchLabel('【办事指南】', ['办事指南'])).toBe('办事指南');
    expect(matchLabel('办　事　指　南：', ['办事指南'])).toBe('办事指南');
    expect(matchLabel('» 在线\u00a0留言 >>', ['在线留言'])).toBe('在线留言');
    expect(matchLabel('在线留言板', ['留言'])).toBeUndefined(); // exact: a longer name is another label
    expect(matchLabel('在线留言板', ['留言'], 'contains')).toBe('留言');
    expect(matchLabel('主 办：青山市人民政府', ['主办单位', '主办'], 'prefix')).toBe('主办');
    expect(matchLabel('青山市人民政府主办', ['主办'], 'prefix')).toBeUndefined();
    const re = /^(?:我要)?(?:留言|写信)$/;
    expect(matchLabel('我 要 写 信', [re])).toBe(re);
    expect(matchLabel('   ', ['留言'])).toBeUndefined();
  });

  it('spacedLabelSource matches the label with or without spacing', () => {
    const re = new RegExp(spacedLabelSource('主办单位'));
    for (const s of ['主办单位', '主 办 单 位', '主\u00a0办单位', '主\u3000\u3000办\u3000单位', '主\u200b办单位']) expect(re.test(s), s).toBe(true);
    expect(re.test('主办')).toBe(false);
  });

  it('compactLabels closes up labels that stand as labels, not words in a sentence', () => {
    expect(compactLabels('主 办 单 位：青山市人民政府办公室', FOOTER_LABELS)).toBe('主办单位：青山市人民政府办公室');
    expect(compactLabels('主\u3000\u3000办：青山市人民政府', FOOTER_LABELS)).toBe('主办：青山市人民政府');
    expect(compactLabels('联 系 电 话 0731-88665207', FOOTER_LABELS)).toBe('联系电话 0731-88665207');
    expect(compactLabels('地 址 ：青山市人民路1号', FOOTER_LABELS)).toBe('地址 ：青山市人民路1号');
    expect(compactLabels('坚持发扬民主 办事公开', FOOTER_LABELS)).toBe('坚持发扬民主 办事公开');
    expect(compactLabels('民主 管理', FOOTER_LABELS)).toBe('民主 管理');
    expect(compactLabels('主办单位：青山市', FOOTER_LABELS)).toBe('主办单位：青山市');
    expect(compactLabels('', FOOTER_LABELS)).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The footer identifiers

const page = (footer: string, body = '<div class="main"><ul><li><a href="/a.html">青山市召开全市经济工作会议</a></li></ul></div>') =>
  `<html><head><title>青山市人民政府</title></head><body><div class="header"><a href="/">首页</a></div>${body}<div class="footer">${footer}</div></body></html>`;
const items = (footer: string, body?: string) => analyzeFooterItems(page(footer, body));
const REST = ' ICP备12345678号 湘公网安备 43010002000001号';

describe('spaced footer labels are read', () => {
  it('主&nbsp;办：, 主　　办：, 主 办 单 位：, zero-width, tags between the characters', () => {
    for (const f of [
      '主&nbsp;办：青山市人民政府办公室',
      '主　　办：青山市人民政府办公室',
      '主 办 单 位：青山市人民政府办公室',
      '主&#8203;办单位：青山市人民政府办公室',
      '<span>主</span><span>办</span>：青山市人民政府办公室',
      '<table><tr><td>主</td><td>办</td><td>：青山市人民政府办公室</td></tr></table>',
      '<b>主&emsp;办：</b>&nbsp;&nbsp;青山市人民政府办公室',
    ]) {
      const r = items(f + REST).sponsor;
      expect(r.state, f).toBe('present');
      expect(r.value, f).toBe('青山市人民政府办公室');
    }
  });

  it('联 系 电 话 / 服 务 电 话 with a hotline, 地　址, 联 系 我 们 links', () => {
    expect(items('服 务 电 话：12345' + REST).contact).toMatchObject({ state: 'present', form: 'hotline', value: '12345' });
    expect(items('联&nbsp;系&nbsp;电&nbsp;话：12345' + REST).contact).toMatchObject({ state: 'present', value: '12345' });
    expect(items('地　　址：青山市人民路1号' + REST).contact).toMatchObject({ state: 'present', form: 'address' });
    expect(items('<a href="/lxwm/">联 系 我 们</a>' + REST).contact).toMatchObject({ state: 'present', form: 'link' });
  });

  it('网 站 标 识 码：… and a spaced 找错 entry', () => {
    expect(items('网&nbsp;站&nbsp;标&nbsp;识&nbsp;码：4399000001' + REST).siteCode).toMatchObject({ state: 'present', value: '4399000001' });
    expect(items('网站标识码：4399000001' + REST).siteCode).toMatchObject({ state: 'present', value: '4399000001' });
    const entries = scanErrorEntries(page('<a href="javascript:void(0)">我为政府网站&nbsp;找错</a>' + REST)).entries;
    expect(entries).toHaveLength(1);
  });

  it('the checks stay silent on a footer whose labels are all spaced', () => {
    const html = page('主　　办：青山市人民政府办公室　网&nbsp;站&nbsp;标&nbsp;识&nbsp;码：4399000001　联 系 电 话：0731-88665207' + REST);
    const ctx = makeContext([makePage('http://www.qingshan.gov.cn/', html, { isHomepage: true })]);
    expect([sponsor, contact, siteCode].flatMap((c) => findingsOf(c, ctx))).toEqual([]);
  });

  it('finds an unnamed trailing footer block by its spaced words', () => {
    const html =
      '<html><body><div><a href="/">首页</a></div><div><ul><li><a href="/a.html">青山市召开全市经济工作会议</a></li></ul></div>' +
      '<div>主　　办：青山市人民政府办公室　版 权 所 有</div></body></html>';
    const $ = loadHtml(html);
    expect(footerElements($).map((e) => normText($(e).text()))).toEqual(['主 办：青山市人民政府办公室 版 权 所 有']);
  });
});

describe('look-alikes that are not footer labels', () => {
  it('主办单位 in an article body is not the footer sponsor', () => {
    const body = '<div id="zoom"><p>本次活动主 办 单 位：青山市文化馆，承办单位：青山市图书馆。</p><p>主办单位：青山市文化馆</p></div>';
    const r = items('Copyright 2021' + REST, body).sponsor;
    expect(r.state).not.toBe('present');
    const ctx = makeContext([makePage('http://www.qingshan.gov.cn/', page('Copyright 2021' + REST, body), { isHomepage: true })]);
    expect(findingsOf(sponsor, ctx)).toHaveLength(1);
  });

  it('民主 办事 in the footer is not 主办', () => {
    expect(items('坚持发扬民主 办事公开透明' + REST).sponsor.state).toBe('missing');
    expect(items('坚持发扬民主　办事公开透明' + REST).sponsor.state).toBe('missing');
  });
});
