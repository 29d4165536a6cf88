import fs from 'node:fs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/model.ts';
import { CHECK_TITLES, checkTitle, formatPoints, formatTime, groupFindingsByCheck, safeHttpUrl, type AuditReport } from '../src/report/audit-report.ts';
import { renderText } from '../src/report/text.ts';

const SAMPLE = new URL('../fixtures/reports/sample-audit.json', import.meta.url);

function sample(): AuditReport {
  return JSON.parse(readFileSync(SAMPLE, 'utf8')) as AuditReport;
}

describe('renderText', () => {
  const text = renderText(sample());

  it('summarises the site, the monitoring time point and the crawl', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('政府网站检查：湘南市人民政府 http://www.xiangnan.gov.cn/');
    expect(text).toContain('监测时间点：2021-06-15');
    expect(text).toContain('检查时间：2021-06-15 09:00:03 至 2021-06-15 09:42:51');
    expect(text).toContain('抓取页面：412 个（失败 2 个）');
    expect(text).toContain('检查链接：6310 条，无法打开：3 条，无法确认：17 条（不计扣分）');
    expect(text).toContain('浏览器：不可用（未找到可用的 Chromium 浏览器）');
  });

  it('shows the score: 总分 (暂定), 基础分, 加分, 单否 verdict and 待人工评分 count', () => {
    expect(text).toContain('总分：94.5（暂定）');
    expect(text).toContain('基础分：93　加分：1.5');
    expect(text).toContain('单否：不合格（触发单否项）');
    expect(text).toContain('  - 政府网站健康状况：首页超过2周不更新');
    expect(text).toContain('结论：不合格');
    expect(text).toContain('待定：3 项（指标 1 项，加分项 1 项，单否项 1 项；其中待人工评分 3 项）');
  });

  it('lists findings by check with Chinese titles and the first few URLs', () => {
    expect(text).toContain('发现问题：10 条');
    expect(text).toContain('  链接无法打开（broken-link）：3 条');
    expect(text).toContain('  栏目应更新未更新（stale-column）：2 条');
    expect(text).toContain('  首页超过2周未更新（homepage-stale）：1 条');
    expect(text).toContain('    - 首页链接无法打开（HTTP 404）');
    expect(text).toContain('      http://www.xiangnan.gov.cn/ → http://www.xiangnan.gov.cn/zwgk/tzgg/202103/t20210301_6512.html');
    expect(text).not.toContain('页面标签不完备（page-tags）');
    expect(text).toContain('复核排除：1 条（不计扣分）');
    // The finding awaiting a reviewer is listed; the one the machine could not verify is counted.
    expect(text).toContain('待确认：1 条机器发现（复核确认后计入扣分或加分，确认前不计）');
    expect(text).toContain('  - 未标注信息来源：疑似转载信息未标注信息来源，请人工确认');
    expect(text).toContain('未核实的机器发现：1 条（不计扣分');
    expect(text).toContain('注：浏览器不可用，页脚类问题未经渲染确认');
    expect(text.indexOf('链接无法打开（broken-link）')).toBeGreaterThan(text.indexOf('首页超过2周未更新（homepage-stale）'));
  });

  it('limits findings per check', () => {
    const r = sample();
    r.score = undefined;
    r.findings = Array.from({ length: 5 }, (_, i): Finding => ({
      check: 'broken-link',
      url: `http://www.xiangnan.gov.cn/202106/t20210610_700${i}.html`,
      target: `http://www.xiangnan.gov.cn/files/${i}.pdf`,
      message: '页面附件无法打开（HTTP 404）',
      evidence: {},
    }));
    const out = renderText(r, { maxPerCheck: 2 });
    expect(out).toContain('链接无法打开（broken-link）：5 条');
    expect(out.match(/页面附件无法打开/g)?.length).toBe(2);
    expect(out).toContain('… 另有 3 条');
    expect(out).not.toContain('总分');
  });

  it('has no escape sequences without color, and only its own with color', () => {
    expect(text).not.toContain('\x1b');
    const r = sample();
    r.findings[1].message = '首页链接无法打开\x1b[2J\x1b]0;pwned\x07';
    r.findings[1].evidence.anchorText = '\x1b[31mred\x1b[0m';
    r.site.name = '湘南市\u009b31m人民政府';
    const plain = renderText(r);
    expect(plain).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(plain).toContain('首页链接无法打开[2J]0;pwned');
    const colored = renderText(r, { color: true });
    expect(colored).toContain('\x1b[1m');
    // Every ESC in the coloured output starts one of our SGR sequences.
    expect(colored.match(/\x1b(?!\[[0-9;]*m)/g)).toBeNull();
    expect(colored).not.toContain('\x1b[2J');
  });

  it('treats a provisional-free, veto-free score accordingly', () => {
    const r = sample();
    r.score!.provisional = false;
    r.score!.veto = { failed: false, reasons: [] };
    r.score!.items = r.score!.items.map((i) => ({ ...i, pending: false }));
    r.score!.bonusItems = r.score!.bonusItems.map((b) => ({ ...b, pending: false }));
    r.score!.verdict = '合格';
    const out = renderText(r);
    expect(out).toContain('总分：94.5\n');
    expect(out).toContain('单否：未触发单否项');
    expect(out).toContain('待定：0 项');
  });
});

describe('audit-report helpers', () => {
  it('maps every check id to its Chinese title', () => {
    expect(checkTitle('broken-link')).toBe('链接无法打开');
    expect(checkTitle('footer-conac-badge')).toBe('缺少党政机关网站标识');
    expect(checkTitle('ipv6')).toBe('IPv6改造');
    expect(checkTitle('domain')).toBe('域名不规范');
    expect(checkTitle('availability')).toBe('网站可用性');
    expect(checkTitle('unknown-check')).toBe('unknown-check');
    expect(checkTitle('constructor')).toBe('constructor');
    // every check of checks/ has a Chinese title
    const ids = fs.readdirSync(new URL('../checks/', import.meta.url)).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    for (const id of ids) expect(Object.keys(CHECK_TITLES), id).toContain(id);
  });

  it('groups findings in report order, unknown checks last', () => {
    const f = (check: string): Finding => ({ check, url: 'http://a.gov.cn/', message: 'x', evidence: {} });
    expect(groupFindingsByCheck([f('zzz'), f('ipv6'), f('broken-link'), f('ipv6')]).map((g) => [g.check, g.findings.length])).toEqual([
      ['broken-link', 1],
      ['ipv6', 2],
      ['zzz', 1],
    ]);
  });

  it('formats points, times and URLs', () => {
    expect(formatPoints(0.1 + 0.2)).toBe('0.3');
    expect(formatPoints(-0)).toBe('0');
    expect(formatPoints(undefined)).toBe('—');
    expect(formatTime('2021-06-14T16:30:00.000Z')).toBe('2021-06-15 00:30:00');
    expect(formatTime('昨天')).toBe('昨天');
    expect(safeHttpUrl('https://www.hunan.gov.cn/a b')).toBe('https://www.hunan.gov.cn/a%20b');
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl(' JAVASCRIPT:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('/relative')).toBeUndefined();
    expect(safeHttpUrl(42)).toBeUndefined();
  });
});
