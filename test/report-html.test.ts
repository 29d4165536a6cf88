import { readFileSync } from 'node:fs';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/report/audit-report.ts';
import { escapeHtml, renderHtml } from '../src/report/html.ts';

const SAMPLE = new URL('../fixtures/reports/sample-audit.json', import.meta.url);
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';
// 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

function sample(): AuditReport {
  return JSON.parse(readFileSync(SAMPLE, 'utf8')) as AuditReport;
}

/** Every attribute of every element: none may be an event handler, no URL may use a script scheme. */
function assertInert(html: string): cheerio.CheerioAPI {
  const $ = cheerio.load(html);
  expect($('script').length).toBe(0);
  expect($('iframe, object, embed, base, form, link[rel="import"]').length).toBe(0);
  $('*').each((_, el) => {
    if (el.type !== 'tag') return;
    for (const [name, value] of Object.entries(el.attribs)) {
      expect(name.toLowerCase().startsWith('on'), `${el.name}[${name}]`).toBe(false);
      if (name === 'href') expect(value, `${el.name}[href]`).toMatch(/^https?:\/\//);
      if (name === 'src') expect(value, `${el.name}[src]`).toMatch(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/);
    }
  });
  // The only img is the embedded screenshot (if any); crawled <img> text never becomes an element.
  $('img').each((_, el) => expect($(el).attr('alt')).toBe('首页截图'));
  return $;
}

describe('renderHtml: escaping', () => {
  it('renders the hostile title/anchor text of the sample as text, never as markup', () => {
    const html = renderHtml(sample(), { readFile: () => undefined });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/<[^>]*\sonerror=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    const $ = assertInert(html);
    // The text survives, visible to the reader.
    expect($('#findings').text()).toContain(HOSTILE);
    expect($('#sheet').text()).toContain(HOSTILE);
  });

  it('does not link non-http(s) targets', () => {
    const $ = assertInert(renderHtml(sample(), { readFile: () => undefined }));
    expect($('a[href*="javascript" i]').length).toBe(0);
    const span = $('span.nolink').filter((_, el) => $(el).text().startsWith('javascript:'));
    expect(span.length).toBeGreaterThan(0);
    // Page links are real links.
    expect($('#findings a[href="http://www.xiangnan.gov.cn/zwgk/tzgg/202103/t20210301_6512.html"]').length).toBe(1);
  });

  it('keeps hostile site names, notes, reasons, URLs and control characters inert', () => {
    const r = sample();
    r.site = { url: 'javascript:alert(document.domain)', name: `${HOSTILE}"'><svg onload=alert(3)>` };
    r.rubric = '<style>body{display:none}</style>';
    r.notes = ['<a href="javascript:alert(4)">点我</a>', 'x\u001b[2J\u0000y'];
    r.browser = { available: false, reason: '<iframe src="http://evil.example/"></iframe>' };
    r.findings.push({
      check: '<b onmouseover=alert(5)>x</b>',
      url: 'data:text/html,<script>alert(6)</script>',
      target: 'vbscript:msgbox(7)',
      message: '"><script>alert(8)</script>',
      detail: "' onfocus='alert(9)' autofocus '",
      evidence: { snippet: '</td></tr></table><script>alert(10)</script>', anchorText: '<svg/onload=alert(11)>', at: '2021-06-15' },
    });
    r.score!.veto.reasons.push('<img src=x onerror=alert(12)>');
    r.score!.excluded![0].reviewer = '<script>alert(13)</script>';
    r.score!.items[0].deductions[0].manual = { rule: 'x', note: '<script>alert(14)</script>', evidence: 'javascript:alert(15)' };
    const html = renderHtml(r, { readFile: () => undefined });
    const $ = assertInert(html);
    expect($('style').length).toBe(1); // only our own stylesheet
    expect($('svg, b, iframe').length).toBe(0);
    expect(html).not.toContain('\u001b');
    expect(html).not.toContain('\u0000');
    expect($('title').text()).toContain(HOSTILE);
    expect($('#findings').text()).toContain('"><script>alert(8)</script>');
  });

  it('escapes all five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('declares a CSP forbidding scripts and remote loads', () => {
    const $ = cheerio.load(renderHtml(sample(), { readFile: () => undefined }));
    const csp = $('meta[http-equiv="Content-Security-Policy"]').attr('content') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
  });
});

describe('renderHtml: content', () => {
  const html = renderHtml(sample(), { readFile: () => undefined });
  const $ = cheerio.load(html);

  it('puts the veto block first, then the total, the score sheet, bonus, findings, 复核排除, 待确认', () => {
    const order = ['id="veto"', 'id="total"', 'id="sheet"', 'id="bonus"', 'id="findings"', 'id="excluded"', 'id="unconfirmed"'].map((s) =>
      html.indexOf(s),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect($('#veto').hasClass('failed')).toBe(true);
    expect($('#veto .verdict').text()).toContain('不合格');
    expect($('#veto .reasons').text()).toContain('首页超过2周不更新');
    expect($('#veto .veto-pending').text()).toContain('政务新媒体健康状况');
  });

  it('shows total, base, bonus and 暂定', () => {
    expect($('#total .card.total .value').text()).toBe('94.5（暂定）');
    expect($('#total .card.base .value').text()).toBe('93');
    expect($('#total .card.bonus .value').text()).toBe('1.5');
    expect($('#total .card.pending .value').text()).toBe('3 项');
    expect($('#total .card.prorated').length).toBe(0);
  });

  it('lays out the score sheet with 一级指标 merged by rowspan, as in the seed table', () => {
    const head = $('table.sheet thead th').map((_, el) => $(el).text()).get();
    expect(head).toEqual(['一级指标', '二级指标', '评分细则', '分值', '扣分', '得分', '扣分依据']);
    const rows = $('table.sheet tbody tr');
    expect(rows.length).toBe(2 + 28);
    const spans = $('table.sheet tbody td.level1')
      .map((_, el) => ({ label: $(el).text(), rowspan: Number($(el).attr('rowspan') ?? 1) }))
      .get();
    expect(spans).toEqual([
      { label: '健康状况', rowspan: 2 },
      { label: '政府网站信息发布（11分）', rowspan: 3 },
      { label: '政府网站政策解读（10分）', rowspan: 2 },
      { label: '政府网站办事服务（14分）', rowspan: 5 },
      { label: '政府网站互动交流（20分）', rowspan: 2 },
      { label: '政府网站功能设计（15分）', rowspan: 6 },
      { label: '监管工作（30分）', rowspan: 10 },
    ]);
    // Rows that open a span have 7 cells, the others 6: the table is rectangular.
    let remaining = 0;
    rows.each((_, tr) => {
      const cells = $(tr).children('td');
      const lead = $(tr).children('td.level1');
      if (remaining === 0) {
        expect(lead.length).toBe(1);
        remaining = Number(lead.attr('rowspan') ?? 1);
        expect(cells.length).toBe(7);
      } else {
        expect(lead.length).toBe(0);
        expect(cells.length).toBe(6);
      }
      remaining--;
    });
    expect(remaining).toBe(0);
  });

  it('shows the numbers of each item and the evidence of its deductions', () => {
    const cells = (id: string) =>
      $(`table.sheet tr[data-id="${id}"]`)
        .children('td:not(.level1)')
        .map((_, el) => $(el).text())
        .get();
    const avail = cells('func-availability');
    expect(avail.slice(0, 1)).toEqual(['可用性']);
    expect(avail.slice(2, 5)).toEqual(['3', '2.5', '0.5']);
    expect(avail[5]).toContain('首页链接无法打开 1 处（−1）');
    expect(avail[5]).toContain('http://www.xiangnan.gov.cn/uploadfiles/202106/20210610093512.doc');
    expect($('table.sheet tr[data-id="func-availability"] a[href="http://www.xiangnan.gov.cn/"]').length).toBeGreaterThan(0);

    const updates = cells('info-updates');
    expect(updates.slice(2, 5)).toEqual(['2', '2', '0']);
    expect(updates[5]).toContain('合计 −3，按本条分值 2 分计');

    expect(cells('func-footer').slice(2, 5)).toEqual(['3', '0.5', '2.5']);
    const guide = cells('service-guide');
    expect(guide.slice(2, 5)).toEqual(['5', '1', '4']);
    expect(guide[5]).toContain('评分人：王检查');
    expect($('tfoot').first().text()).toContain('93');
  });

  it('marks 待人工评分 items and veto rows', () => {
    const row = $('table.sheet tr[data-id="interact-public"]');
    expect(row.hasClass('pending')).toBe(true);
    expect(row.find('td.level2 .tag.pending').text()).toBe('待人工评分');
    expect(row.find('td.deducted').text()).toBe('待人工评分');
    const veto = $('table.sheet tr.veto');
    expect(veto.first().find('td.max').text()).toBe('单否');
    expect(veto.first().find('td.score').text()).toBe('否决');
    expect(veto.eq(1).find('td.score').text()).toBe('待定');
  });

  it('renders the bonus table', () => {
    const rows = $('table.bonus tbody tr');
    expect(rows.length).toBe(11);
    expect($('table.bonus td.level1').attr('rowspan')).toBe('11');
    expect($('table.bonus td.level1').text()).toBe('加分项（20分）');
    const data = $('table.bonus tr[data-id="bonus-data"] td.num').map((_, el) => $(el).text()).get();
    expect(data).toEqual(['2', '1']);
    expect($('table.bonus tr[data-id="bonus-innovation"]').hasClass('pending')).toBe(true);
    expect($('table.bonus tfoot').text()).toContain('1.5');
  });

  it('groups findings by check with Chinese titles; excluded and unconfirmed findings have their own sections', () => {
    const titles = $('#findings h3').map((_, el) => $(el).attr('data-check')).get();
    expect(titles).toEqual(['homepage-stale', 'broken-link', 'empty-column', 'stale-column', 'required-column', 'date-format', 'footer-police-filing']);
    expect($('#findings h3[data-check="broken-link"]').text()).toBe('链接无法打开（3 条）');
    expect($('#findings h2').text()).toBe('问题清单（10 条）');
    expect($('#findings').text()).not.toContain('页面标签不完备');
    expect($('#excluded').text()).toContain('页面标签不完备');
    expect($('#excluded').text()).toContain('<head>'); // the reviewer's reason, as text
    expect($('#excluded').text()).toContain('李复核');
    expect($('#unconfirmed tbody tr').length).toBe(2);
    expect($('#unconfirmed').text()).toContain('未经渲染确认');
    expect($('#findings').text()).not.toContain('疑似转载信息未标注信息来源');
  });

  it('shows the header: site, 监测时间点, stats, notes', () => {
    const head = $('header').text();
    expect(head).toContain('湘南市人民政府');
    expect(head).toContain('2021-06-15');
    expect(head).toContain('412 个');
    expect(head).toContain('6310 条');
    expect(head).toContain('2021-06-15 09:00:03');
    expect($('header .notes').text()).toContain('浏览器不可用，页脚类问题未经渲染确认');
  });
});

describe('renderHtml: screenshot', () => {
  it('embeds the PNG read through the injected readFile as a data URI', () => {
    const r = sample();
    r.screenshot = '/data/screenshots/run-42/home.png';
    const seen: string[] = [];
    const html = renderHtml(r, { readFile: (p) => (seen.push(p), PNG) });
    expect(seen).toEqual(['/data/screenshots/run-42/home.png']);
    const $ = assertInert(html);
    expect($('#screenshot img').attr('src')).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(html.indexOf('id="screenshot"')).toBeGreaterThan(html.indexOf('id="unconfirmed"'));
  });

  it('does not embed missing or non-image files', () => {
    const r = sample();
    r.screenshot = '/nonexistent/dir/home.png';
    const $missing = cheerio.load(renderHtml(r)); // default reader: file absent
    expect($missing('#screenshot img').length).toBe(0);
    expect($missing('#screenshot').text()).toContain('截图文件无法读取');
    const $text = cheerio.load(renderHtml(r, { readFile: () => Buffer.from('<script>alert(1)</script>') }));
    expect($text('#screenshot img').length).toBe(0);
    const $throws = cheerio.load(renderHtml(r, { readFile: () => { throw new Error('EACCES'); } }));
    expect($throws('#screenshot img').length).toBe(0);
  });
});

describe('renderHtml: without a score', () => {
  it('renders findings and says the score was not computed', () => {
    const r = sample();
    delete r.score;
    const html = renderHtml(r, { readFile: () => undefined });
    const $ = assertInert(html);
    expect($('#veto, #sheet, #bonus').length).toBe(0);
    expect($('#score').text()).toContain('未计算得分');
    // Without reviewer decisions every finding stands.
    expect($('#findings h2').text()).toBe('问题清单（13 条）');
  });

  it('survives an almost empty report', () => {
    const html = renderHtml({ site: { url: 'http://a.gov.cn/' }, rubric: 'x', asOf: '2021-06-15', startedAt: '', finishedAt: '', stats: { pagesCrawled: 0, linksChecked: 0, brokenLinks: 0 }, findings: [] });
    expect(cheerio.load(html)('#findings').text()).toContain('机器检测未发现问题');
  });
});

describe('renderers: malformed input', () => {
  it('never throw on partial or odd documents', async () => {
    const { renderText } = await import('../src/report/text.ts');
    const { renderXlsx } = await import('../src/report/xlsx.ts');
    const r = sample() as any;
    r.findings.push(null, { check: 'broken-link', evidence: null }, { check: 42, url: 7, message: { x: 1 }, evidence: { at: 5, pagesChecked: 'x' } });
    r.stats = {};
    r.notes = 'not an array';
    r.score.items.push({ id: 'x', level1: undefined, level2: null, max: NaN, deducted: 'a', score: Infinity, pending: false, deductions: [null, { rule: 'r', points: 1, count: 1, findings: [null] }] });
    r.score.veto.items.push(null, { id: 'v', level2: '政府网站健康状况', rule: 'x', failed: true, pending: false, findings: [null] });
    r.score.bonusItems.push(null);
    r.score.excluded.push(null);
    r.score.unconfirmed.push(null);
    const html = renderHtml(r, { readFile: () => undefined });
    assertInert(html);
    expect(renderText(r)).toContain('总分');
    const buf = await renderXlsx(r);
    expect(buf.length).toBeGreaterThan(1000);
  });
});
