import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/report/audit-report.ts';
import { cellText, renderXlsx } from '../src/report/xlsx.ts';

const SAMPLE = new URL('../fixtures/reports/sample-audit.json', import.meta.url);
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

function sample(): AuditReport {
  return JSON.parse(readFileSync(SAMPLE, 'utf8')) as AuditReport;
}

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

function rowValues(ws: ExcelJS.Worksheet, r: number, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ws.getCell(r, i + 1).value);
}

/** Every cell of every sheet: no formula anywhere. */
function assertNoFormulas(wb: ExcelJS.Workbook): void {
  wb.eachSheet((ws) =>
    ws.eachRow({ includeEmpty: false }, (row) =>
      row.eachCell({ includeEmpty: false }, (cell) => {
        expect(cell.type, `${ws.name}!${cell.address}`).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.formula, `${ws.name}!${cell.address}`).toBeFalsy();
      }),
    ),
  );
}

describe('renderXlsx: the sample audit', () => {
  let wb: ExcelJS.Workbook;
  let ws: ExcelJS.Worksheet;
  beforeAll(async () => {
    const buf = await renderXlsx(sample());
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf.subarray(0, 2).toString()).toBe('PK');
    wb = await load(buf);
    ws = wb.getWorksheet('评分表')!;
  });

  it('has the sheets 评分表, 问题清单, 复核排除', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(['评分表', '问题清单', '复核排除']);
  });

  it('has a title, the audit identification and the column headers', () => {
    expect(ws.getCell('A1').value).toBe('湘南市人民政府 政府网站检查评分表');
    expect(String(ws.getCell('A2').value)).toContain('监测时间点：2021-06-15');
    expect(rowValues(ws, 3, 7)).toEqual(['一级指标', '二级指标', '评分细则', '分值', '扣分', '得分', '扣分依据']);
  });

  it('merges 一级指标 cells as in the seed table', () => {
    const merges = [...(ws.model.merges as string[])].sort();
    expect(merges).toEqual(
      ['A1:G1', 'A2:G2', 'A4:A5', 'A6:A8', 'A9:A10', 'A11:A15', 'A16:A17', 'A18:A23', 'A24:A33', 'A34:A44'].sort(),
    );
    const labels: [string, string][] = [
      ['A4', '健康状况'],
      ['A6', '政府网站信息发布（11分）'],
      ['A9', '政府网站政策解读（10分）'],
      ['A11', '政府网站办事服务（14分）'],
      ['A16', '政府网站互动交流（20分）'],
      ['A18', '政府网站功能设计（15分）'],
      ['A24', '监管工作（30分）'],
      ['A34', '加分项（20分）'],
    ];
    for (const [addr, label] of labels) expect(ws.getCell(addr).value, addr).toBe(label);
    // A merged slave cell reports its master.
    expect(ws.getCell('A7').isMerged).toBe(true);
    expect(ws.getCell('A7').master.address).toBe('A6');
  });

  it('writes veto rows with 单否 and the verdict', () => {
    expect(rowValues(ws, 4, 6)).toEqual(['健康状况', '政府网站健康状况', expect.stringContaining('3.首页超过2周不更新'), '单否', null, '否决']);
    expect(String(ws.getCell('G4').value)).toContain('不合格：第3项「3.首页超过2周不更新；」');
    expect(String(ws.getCell('G4').value)).toContain('首页超过2周不更新（首页最近更新 2021-05-20');
    expect(String(ws.getCell('G4').value)).toContain('未发现：第1项');
    expect(rowValues(ws, 5, 6).slice(1)).toEqual(['政务新媒体健康状况（待人工评分）', expect.any(String), '单否', null, '待定']);
  });

  it('writes scores as numbers, cell by cell', () => {
    const byLevel2 = new Map<string, number>();
    for (let r = 4; r <= 44; r++) byLevel2.set(String(ws.getCell(r, 2).value), r);
    const check = (level2: string, max: number, deducted: number | string | null, score: number) => {
      const r = byLevel2.get(level2)!;
      expect(r, level2).toBeDefined();
      expect(ws.getCell(r, 4).value, `${level2} 分值`).toBe(max);
      expect(ws.getCell(r, 5).value, `${level2} 扣分`).toBe(deducted);
      expect(ws.getCell(r, 6).value, `${level2} 得分`).toBe(score);
      expect(ws.getCell(r, 4).type).toBe(ExcelJS.ValueType.Number);
      expect(ws.getCell(r, 6).type).toBe(ExcelJS.ValueType.Number);
    };
    check('栏目开设', 6, 1, 5);
    check('信息更新', 2, 2, 0);
    check('专题专栏', 3, 0, 3);
    check('办事指南', 5, 1, 4);
    check('网站标识', 3, 0.5, 2.5);
    check('可用性', 3, 2.5, 0.5);
    check('IPv6改造', 1, 0, 1);
    check('域名规范', 2, 0, 2);
    check('留言公开（待人工评分）', 15, '待人工评分', 15);
    // Bonus rows: 分值 and 得分, no 扣分.
    check('数据发布', 2, null, 1);
    check('智能搜索', 3, null, 0.5);
    check('创新发展（待人工评分）', 2, null, 0);
    expect(ws.getCell(byLevel2.get('可用性')!, 3).value).toEqual(expect.stringContaining('1.首页链接无法打开的'));
    const basis = String(ws.getCell(byLevel2.get('可用性')!, 7).value);
    expect(basis).toContain('首页链接无法打开 1 处（−1）');
    expect(basis).toContain('http://www.xiangnan.gov.cn/ → http://www.xiangnan.gov.cn/zwgk/tzgg/202103/t20210301_6512.html');
    expect(basis).toContain(HOSTILE);
    expect(String(ws.getCell(byLevel2.get('信息更新')!, 7).value)).toContain('合计 −3，按本条分值 2 分计');
  });

  it('writes the totals block below the sheet', () => {
    expect(ws.getCell('A45').value).toBeNull();
    expect(rowValues(ws, 46, 2)).toEqual(['基础分', 93]);
    expect(rowValues(ws, 47, 2)).toEqual(['加分', 1.5]);
    expect(rowValues(ws, 48, 3)).toEqual(['总分', 94.5, '暂定']);
    expect(rowValues(ws, 49, 2)).toEqual(['单否结论', '不合格（触发单否项）']);
    expect(ws.getCell('A50').value).toBe('单否理由');
    expect(String(ws.getCell('B50').value)).toContain('首页超过2周不更新');
    expect(rowValues(ws, 51, 2)).toEqual(['结论', '不合格']);
    expect(rowValues(ws, 52, 2)).toEqual(['待定项', 3]);
    expect(ws.getCell('B46').type).toBe(ExcelJS.ValueType.Number);
  });

  it('lists findings in 问题清单 (excluded ones left out, unconfirmed ones marked)', () => {
    const fws = wb.getWorksheet('问题清单')!;
    expect(rowValues(fws, 1, 7)).toEqual(['检查项', '页面', '目标', '详情', '说明', '证据', '状态']);
    expect(fws.rowCount).toBe(1 + 10 + 2);
    // Row 2 = first finding (homepage-stale), row 3 = the broken homepage link with the hostile anchor text.
    expect(fws.getCell('A2').value).toBe('首页超过2周未更新');
    expect(fws.getCell('A3').value).toBe('链接无法打开');
    expect(fws.getCell('B3').value).toEqual({ text: 'http://www.xiangnan.gov.cn/', hyperlink: 'http://www.xiangnan.gov.cn/' });
    expect(fws.getCell('C3').value).toEqual({
      text: 'http://www.xiangnan.gov.cn/zwgk/tzgg/202103/t20210301_6512.html',
      hyperlink: 'http://www.xiangnan.gov.cn/zwgk/tzgg/202103/t20210301_6512.html',
    });
    expect(fws.getCell('D3').value).toBe('GET 请求返回页面不存在（HTTP 404）');
    expect(fws.getCell('E3').value).toBe('首页链接无法打开（HTTP 404）');
    expect(String(fws.getCell('F3').value)).toContain(`锚文本：${HOSTILE}`);
    // javascript: targets are text, not hyperlinks.
    const jsRow = [...Array(fws.rowCount).keys()].map((i) => i + 1).find((r) => String(fws.getCell(r, 3).value).startsWith('javascript:'));
    expect(jsRow).toBeDefined();
    expect(typeof fws.getCell(jsRow!, 3).value).toBe('string');
    const checks = Array.from({ length: 12 }, (_, i) => fws.getCell(i + 2, 1).value);
    expect(checks).not.toContain('页面标签不完备');
    // Awaiting a reviewer (待确认) first, then what the machine could not verify (未核实).
    expect(fws.getCell('A12').value).toBe('未标注信息来源');
    expect(String(fws.getCell('G12').value)).toContain('待确认');
    expect(fws.getCell('A13').value).toBe('缺少党政机关网站标识');
    expect(String(fws.getCell('G13').value)).toContain('未核实');
    expect(String(fws.getCell('G13').value)).toContain('未经渲染确认');
  });

  it('lists reviewer exclusions in 复核排除', () => {
    const ews = wb.getWorksheet('复核排除')!;
    expect(rowValues(ews, 1, 8)).toEqual(['检查项', '页面', '目标', '详情', '说明', '证据', '排除理由', '复核人']);
    expect(ews.rowCount).toBe(2);
    expect(ews.getCell('A2').value).toBe('页面标签不完备');
    expect(String(ews.getCell('G2').value)).toContain('机器误判');
    expect(ews.getCell('H2').value).toBe('李复核');
  });

  it('contains no formula cells', () => {
    assertNoFormulas(wb);
  });
});

describe('renderXlsx: formula injection and hostile text', () => {
  it('writes = + - @ strings as inert text', async () => {
    const r = sample();
    r.findings = [
      {
        check: 'broken-link',
        url: '@SUM(1+1)*cmd|\' /C calc\'!A0',
        target: '-2+3+cmd|\' /C calc\'!A0',
        detail: '=HYPERLINK("http://evil.example/","x")',
        message: '+1+1',
        evidence: { snippet: 'a\u0000b\u001b[31mc\u0007' },
      },
    ];
    r.score!.excluded = [];
    r.score!.unconfirmed = [];
    r.site.name = '=1+1';
    const wb = await load(await renderXlsx(r));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['评分表', '问题清单']);
    const fws = wb.getWorksheet('问题清单')!;
    expect(fws.rowCount).toBe(2);
    const cells = ['B2', 'C2', 'D2', 'E2'].map((a) => fws.getCell(a));
    for (const c of cells) {
      expect(c.type, c.address).toBe(ExcelJS.ValueType.String);
      expect(String(c.value).startsWith("'"), c.address).toBe(true);
    }
    expect(fws.getCell('D2').value).toBe('\'=HYPERLINK("http://evil.example/","x")');
    expect(fws.getCell('F2').value).toBe('片段：ab[31mc'); // control characters (NUL, ESC, BEL) removed
    expect(wb.getWorksheet('评分表')!.getCell('A1').value).toBe("'=1+1 政府网站检查评分表");
    assertNoFormulas(wb);
  });

  it('cellText leaves ordinary text alone', () => {
    expect(cellText('首页链接无法打开')).toBe('首页链接无法打开');
    expect(cellText('=1')).toBe("'=1");
    expect(cellText(' @x')).toBe("' @x");
    expect(cellText('\t=1')).toBe("'\t=1");
    expect(cellText('x'.repeat(40_000)).length).toBe(32_000);
  });

  it('renders a report without a score', async () => {
    const r = sample();
    delete r.score;
    const wb = await load(await renderXlsx(r));
    const ws = wb.getWorksheet('评分表')!;
    expect(String(ws.getCell('A4').value)).toContain('未计算得分');
    expect(wb.getWorksheet('问题清单')!.rowCount).toBe(1 + 13);
    expect(wb.getWorksheet('复核排除')).toBeUndefined();
  });
});
