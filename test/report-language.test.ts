/**
 * Score sheets that explain themselves, in Chinese (issue 10.6–10.10). The demo audit and a synthetic score with
 * every state (deducted, capped, 未核实, 待监测, 待确认, 待人工评分, 单否 failed / pending / passed, bonus proposals) are
 * rendered to HTML, XLSX (read back with exceljs), text and the dashboard's run block, and scanned for English
 * sentences, bare rule ids and doubled punctuation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cheerio from 'cheerio';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckScope, Finding } from '../src/model.ts';
import { runAudit } from '../src/audit/run.ts';
import { DEMO_SKIP_HOSTS, demoSiteDir, startFixtureServer } from '../src/demo/server.ts';
import { type AuditReport, partitionFindings, scoreSheetRows } from '../src/report/audit-report.ts';
import { renderHtml } from '../src/report/html.ts';
import { renderText } from '../src/report/text.ts';
import { renderXlsx } from '../src/report/xlsx.ts';
import { zhErrorCode, zhProbeNote, zhPunct, zhText } from '../src/report/zh.ts';
import { scoreAudit, withDecisions } from '../src/score/engine.ts';
import { validateManual } from '../src/score/manual.ts';
import { loadRubric, type Rubric } from '../src/score/rubric.ts';
import type { RunRow } from '../src/store/store.ts';
import { runBlock } from '../src/web/views-run.ts';
import { bareRuleIds, doubledPunctuation, englishSentences, htmlText } from './helpers/zh-scan.ts';

const HOME = 'https://www.example.gov.cn/';

/** Every place a person reads: no English sentence, no bare rule id, no doubled punctuation. */
function expectReadable(label: string, text: string): void {
  expect(englishSentences(text), `${label}: English sentences`).toEqual([]);
  expect(bareRuleIds(text), `${label}: bare rule ids`).toEqual([]);
  expect(doubledPunctuation(text), `${label}: doubled punctuation`).toEqual([]);
}

async function xlsxText(buf: Buffer): Promise<{ text: string; wb: ExcelJS.Workbook }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.eachSheet((ws) =>
    ws.eachRow((row) =>
      row.eachCell((c) => {
        const v = c.value as unknown;
        out.push(v && typeof v === 'object' && 'text' in (v as object) ? String((v as { text: unknown }).text) : String(v ?? ''));
      }),
    ),
  );
  return { text: out.join('\n'), wb };
}

function dashboard(report: AuditReport, rubric: Rubric): string {
  const run = {
    id: report.runId ?? 1, siteUrl: report.site.url, siteKey: 'k', siteId: 's', siteName: report.site.name ?? null, rubric: report.rubric,
    asOf: report.asOf, startedAt: report.startedAt, finishedAt: report.finishedAt, status: 'done', options: {}, stats: {}, error: null,
    network: null, browser: report.browser ?? null, screenshot: null, notes: report.notes ?? [],
  } as RunRow;
  return runBlock({
    run, report, rubric, viewer: { reviewer: '王检查', csrf: 'x' }, back: '/runs/1', manualFile: '/tmp/manual.yaml',
    manual: { site: report.site.url, rubric: rubric.id, items: [{ rule: 'release.topics.1', count: 1, note: '专栏未更新' }], decisions: [] } as never,
    scores: [],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// A synthetic score with every state

/** The city rubric with machine sources where helpers add them (new media, interaction, bonus proposals). */
function rubricWithMachineRows(): Rubric {
  const r = structuredClone(loadRubric('hunan-2021-city')) as Rubric;
  const sub = (id: string) => r.veto.flatMap((g) => g.subItems).find((s) => s.id === id)!;
  sub('veto.new-media-health.5').triggers = [{ label: '政务新媒体2周内无更新', sources: [{ check: 'new-media-stale' }] }];
  sub('veto.website-health.6').triggers = [{ label: '未提供网上有效咨询建言渠道', sources: [{ check: 'interaction-channel' }] }];
  const bonus = (id: string) => r.bonus.items.flatMap((i) => i.rules).find((x) => x.id === id)!;
  bonus('bonus.consultation.1').sources = [{ check: 'consultation-activities', confirm: true }];
  bonus('bonus.message-handling.1').sources = [{ check: 'message-unanswered' }];
  return r;
}

function scopesFor(r: Rubric, over: Record<string, CheckScope>): Record<string, CheckScope> {
  const ids = new Set<string>();
  for (const it of r.items) for (const ru of it.rules) for (const s of ru.sources ?? []) ids.add(s.check);
  for (const g of r.veto) for (const s of g.subItems) for (const t of s.triggers ?? []) for (const x of t.sources) ids.add(x.check);
  for (const it of r.bonus.items) for (const ru of it.rules) for (const s of ru.sources ?? []) ids.add(s.check);
  return { ...Object.fromEntries([...ids].map((id) => [id, { status: 'checked', summary: '已检测 40 个页面' } as CheckScope])), ...over };
}

function syntheticReport(): { report: AuditReport; rubric: Rubric } {
  const rubric = rubricWithMachineRows();
  const link = (n: number, error: string, detail: string, status?: number): Finding => ({
    check: 'broken-link',
    url: HOME,
    target: `${HOME}old/${n}.html`,
    detail,
    message: `首页上的链接无法打开（${zhErrorCode(error).replace(/（.*$/, '')}）：旧栏目${n}`,
    evidence: { anchorText: `旧栏目${n}`, linkKind: 'a', onHomepage: true, error, ...(status ? { status } : {}) },
  });
  const findings: Finding[] = [
    link(1, 'redirect-loop', `redirect loop via ${HOME}old/1.html`, 301),
    link(2, 'soft-404', 'status 200 but an error page (title: 页面不存在)', 200),
    link(3, 'dns', 'DNS lookup failed (ENOTFOUND)'),
    link(4, 'refused', 'connection refused; failed again when checked a second time'),
    { check: 'required-column', url: HOME, detail: '政策解读', message: '未开设「政策解读」栏目。', evidence: {} },
    { check: 'source-label', url: `${HOME}xwzx/1.html`, message: '内容页未标注信息来源，待人工确认。', evidence: { snippet: '转自新华社' } },
    { check: 'footer-icp', url: HOME, message: '页面底部未发现ICP备案编号（页面含脚本，未经浏览器渲染确认）。', evidence: { confirmation: 'unconfirmed' } },
    { check: 'homepage-stale', url: HOME, message: '首页最近一条信息发布于 2021-05-20，距监测时间点已超过2周未更新。', evidence: { lastUpdate: '2021-05-20' } },
    { check: 'new-media-stale', url: 'https://weibo.example/qingshan', target: 'https://weibo.example/qingshan', message: '政务微博「青山发布」2周内无更新。', evidence: { confirm: 'required' } },
    { check: 'consultation-activities', url: `${HOME}hdjl/zjdc/`, target: `${HOME}hdjl/zjdc/1.html`, message: '征集调查：2021年预算草案意见征集。', evidence: {} },
    { check: 'consultation-activities', url: `${HOME}hdjl/zjdc/`, target: `${HOME}hdjl/zjdc/2.html`, message: '征集调查：城市规划问卷调查。', evidence: {} },
  ];
  const scopes = scopesFor(rubric, {
    availability: { status: 'not-run', reason: '待监测：尚无可用性监测数据（需连续监测1周，每天访问20次以上）' },
    ipv6: { status: 'not-run', reason: 'IPv6 检测未执行（未启用网络检测）' },
    // 可用性 2 (浏览器能否正常显示) could not be judged: the row is partly pending
    'browser-compat': { status: 'unverified', reason: '浏览器不可用，未能渲染页面' },
    'interaction-channel': { status: 'unverified', reason: '未找到留言渠道' },
    'message-unanswered': { status: 'unverified', reason: '留言列表无法读取：HTTP 500' },
  });
  const manual = validateManual({
    site: HOME,
    rubric: rubric.id,
    reviewer: '王检查',
    items: [
      { rule: 'release.topics.1', count: 1, note: '专栏未更新' },
      { rule: 'bonus.data-release.1a', count: 1, note: '数据发布栏目 3 个月内有更新' },
      { rule: 'veto.website-health.1', veto: false },
    ],
    decisions: [{ check: 'required-column', url: HOME, action: 'confirm' }],
  });
  const score = scoreAudit({ rubric, findings, manual, profile: { unitType: 'city', hasPublicServices: true }, scopes });
  const report: AuditReport = {
    site: { url: HOME, name: '青山市人民政府' },
    rubric: rubric.id,
    asOf: '2021-06-15',
    startedAt: '2021-06-15T01:00:00.000Z',
    finishedAt: '2021-06-15T01:20:00.000Z',
    runId: 7,
    stats: { pagesCrawled: 40, linksChecked: 300, brokenLinks: 4, unverifiedLinks: 2 },
    findings: withDecisions(findings, score),
    score,
    browser: { available: false, reason: 'disabled by --no-browser' },
    notes: ['本机网络不可达：not judged: this machine cannot reach the outside network (all 3 external hosts tried failed DNS or connect, none answered)'],
    scopes,
    gather: { interaction: { status: 'partial', summary: '已读取留言 120 条（2020-06-16 至 2021-06-10）', reason: '第 3 页无法读取：HTTP 500' } },
  };
  return { report, rubric };
}

describe('a synthetic score with every state', () => {
  const { report, rubric } = syntheticReport();
  const score = report.score!;
  const rows = scoreSheetRows(score, { withBonus: true, rubric });
  const row = (id: string) => rows.find((r) => r.id === id || r.id.split(',').includes(id))!;
  const lines = (id: string) => row(id).basis.map((b) => `${b.tag ?? ''}：${b.text}`).join('\n');

  it('is what the test means: every state occurs', () => {
    expect(score.veto.failed).toBe(true);
    const kinds = new Set(score.veto.items!.map((i) => (i.failed ? 'failed' : i.pending ? i.pendingKind : 'passed')));
    expect([...kinds].sort()).toEqual(['awaiting', 'failed', 'manual', 'passed', 'unverified']);
    expect(score.items.find((i) => i.id === 'function.availability')!.awaiting).toBe(1);
    expect(score.bonusItems.find((b) => b.id === 'bonus.consultation')!.proposals?.[0].findings).toHaveLength(2);
  });

  it('10.6: says what was checked when nothing was deducted; 未核实 with the reason; 待确认 with count and findings', () => {
    expect(lines('function.site-name')).toContain('机器检测：已检测 40 个页面，未发现问题');
    for (const r of rows) for (const b of r.basis) expect(b.text).not.toContain('无机器检测数据');
    const ipv6 = row('function.ipv6');
    expect(ipv6.deductedText).toBe('未核实');
    expect(ipv6.tags).toEqual(['未核实']);
    expect(lines('function.ipv6')).toContain('未核实：第1条「未按照要求完成IPv6改造的，扣1分」：IPv6 检测未执行（未启用网络检测）');
    const avail = row('function.availability');
    expect(avail.tags).toEqual(['待确认', '未核实']);
    const awaiting = avail.basis.find((b) => b.kind === 'awaiting')!;
    expect(awaiting.text).toBe('1 条机器发现待复核确认，确认后计入扣分，目前不扣分');
    expect(awaiting.findings.map((f) => f.check)).toEqual(['source-label']);
    // a footer finding the browser could not confirm: 未核实, not 未发现问题
    expect(lines('function.site-identity')).toContain('未核实：1 条机器发现未经浏览器渲染确认，不计扣分');
    expect(lines('function.site-identity')).not.toContain('未发现问题');
    expect(row('function.site-identity').tags).toEqual(['未核实']);
  });

  it('10.6: the 单否 block shows each clause: 不合格, 未发现, 待确认, 未核实 / 待监测, 待人工评分', () => {
    const site = lines('veto.website-health.1');
    expect(site).toMatch(/未发现：第1项「出现严重表述错误[^」]*」：未发现否决情形（人工评分，评分人：王检查）/);
    expect(site).toContain('待监测：第2项「监测1周');
    expect(site).toContain('尚无可用性监测数据');
    expect(site).toContain('不合格：第3项「首页超过2周不更新」：首页超过2周不更新');
    expect(site).toContain('未发现：第4项「空白栏目超过（含）5个或应更新未更新栏目超过（含）10个」：已检测 40 个页面，未发现否决情形');
    expect(site).toContain('未核实：第6项「未提供网上有效咨询建言渠道');
    expect(site).toContain('：未找到留言渠道');
    expect(site).toContain('待人工评分：第7项「在国务院办公厅检查中被判定为不合格」');
    const media = lines('veto.new-media-health.1');
    expect(media).toContain('待确认：第5项「监测时间点前2周内无更新」：政务新媒体2周内无更新（1 条机器发现待复核确认），确认前不判定');
    expect(row('veto.new-media-health.1').basis.find((b) => b.kind === 'awaiting')!.findings).toHaveLength(1);
  });

  it('10.7: deductions above the cap show the arithmetic, also on a partly pending row', () => {
    const avail = row('function.availability');
    expect(avail.partialPending).toBe(true);
    expect(avail.deductedText).toBe('3');
    expect(lines('function.availability')).toContain('：合计 −4，按本条分值 3 分计');
    expect(lines('function.availability')).toContain('首页链接无法打开 4 处（−4）');
  });

  it('10.8: 加分项 rows carry their 评分细则, awards and machine proposals', () => {
    const c = row('bonus.consultation');
    expect(c.rules).toContain('在线调查征集渠道');
    expect(c.tags).toContain('待确认');
    expect(lines('bonus.consultation')).toContain('待确认：第1条「');
    expect(lines('bonus.consultation')).toContain('2 条机器发现建议加分，复核确认后加 1 分');
    expect(lines('bonus.data-release')).toContain('第1a条「');
    expect(lines('bonus.data-release')).toContain('+1（人工评分');
    expect(lines('bonus.message-handling')).toContain('未核实：第1条「');
    expect(lines('bonus.message-handling')).toContain('留言列表无法读取：HTTP 500');
  });

  it('HTML: readable, 评分细则 in the bonus table, rule ids only in small print', () => {
    const html = renderHtml(report, { rubric });
    expectReadable('html', htmlText(html));
    const $ = cheerio.load(html);
    expect($('table.bonus thead th').map((_, el) => $(el).text()).get()).toEqual(['一级指标', '二级指标', '评分细则', '分值', '得分', '加分依据']);
    expect($('table.bonus tr[data-id="bonus.consultation"] td.rules').text()).toContain('在线调查征集渠道');
    expect($('.rule-id').first().text()).toMatch(/^[a-z]/);
    // ids with their Chinese text: every small-print id follows text in the same element
    $('.rule-id').each((_, el) => expect($(el).parent().text().replace($(el).text(), '').trim().length).toBeGreaterThan(0));
    expect($('#veto .verdict').text()).toBe('单否结论：不合格（触发单否项）');
    expect($('#total .card.verdict .value').text()).toBe('不合格');
    expect($('#unconfirmed h3').map((_, el) => $(el).text()).get()).toEqual(['待确认（4 条）', '未核实（1 条）']);
    expect($('#findings').text()).toContain('重定向循环（经过 https://www.example.gov.cn/old/1.html）');
    expect($('#findings').text()).toContain('状态码 200，但打开的是错误页面（页面标题：页面不存在）');
    expect($('#findings').text()).toContain('域名解析失败（ENOTFOUND）');
    expect($('#findings').text()).toContain('连接被拒绝；复查时仍然失败');
    expect($('#findings').text()).toContain('错误：域名无法解析（dns）');
    expect($('header').text()).toContain('不可用（已按 --no-browser 关闭）');
    // 检测范围: every check's scope, and the gatherers
    expect($('#scopes tr[data-check="ipv6"]').text()).toBe('IPv6改造未运行IPv6 检测未执行（未启用网络检测）');
    expect($('#scopes tr[data-check="broken-link"]').text()).toBe('链接无法打开已检测已检测 40 个页面');
    expect($('#scopes tr[data-gatherer="interaction"]').text()).toContain('部分完成已读取留言 120 条（2020-06-16 至 2021-06-10）；第 3 页无法读取：HTTP 500');
  });

  it('XLSX: readable; bonus rows carry their 评分细则 in column C', async () => {
    const { text, wb } = await xlsxText(await renderXlsx(report));
    expectReadable('xlsx', text);
    const ws = wb.getWorksheet('评分表')!;
    let found = 0;
    ws.eachRow((r) => {
      if (String(r.getCell(2).value).startsWith('征集调查')) {
        found++;
        expect(String(r.getCell(3).value)).toContain('在线调查征集渠道');
        expect(String(r.getCell(7).value)).toContain('建议加分');
      }
    });
    expect(found).toBe(1);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['评分表', '问题清单', '检测范围']);
  });

  it('text: lists the 待确认 findings and the 未核实 rows with their reasons', () => {
    const text = renderText(report, { rubric });
    expectReadable('text', text);
    expect(text).toContain('单否：不合格（触发单否项）');
    expect(text).toContain('结论：不合格\n');
    expect(text).toMatch(/未核实 \/ 待监测：\d+ 项/);
    expect(text).toContain('  - 待监测 政府网站健康状况 单否第2项「');
    expect(text).toContain('  - 未核实 IPv6改造 第1条「未按照要求完成IPv6改造的，扣1分」：IPv6 检测未执行（未启用网络检测）');
    expect(text).toContain('  - 未核实 留言办理 第1条「');
    expect(text).toContain('待确认：4 条机器发现（复核确认后计入扣分或加分，确认前不计）');
    expect(text).toContain('  - 政务新媒体健康状况 · 政务新媒体2周内无更新：政务微博「青山发布」2周内无更新');
    expect(text).toContain('  - 可用性 · 未标注信息来源：内容页未标注信息来源，待人工确认');
    expect(text).toContain('  - 征集调查 · 征集调查活动：征集调查：2021年预算草案意见征集');
    expect(text).toContain('注：本机网络不可达：未判定：本机无法访问外部网络（尝试的 3 个外部网站均无法解析或连接，无一应答）');
  });

  it('dashboard run block: readable, forms name rules by 二级指标 and text', () => {
    const html = dashboard(report, rubric);
    expectReadable('dashboard', htmlText(html));
    const $ = cheerio.load(html);
    expect($('tr[data-pending="function.ipv6.1"] td').first().text()).toContain('IPv6改造 第1条');
    expect($('select[name="rule"] option[value="veto.website-health.2"]').text()).toMatch(/^政府网站健康状况 单否 第2项：监测1周/);
    expect($('select[name="field"] option[value="veto"]').text()).toBe('单否（填“是”或“否”）');
    expect($('tr[data-rule="release.topics.1"] td').first().text()).toContain('专题专栏 第1条');
  });

  it('partitions waiting findings into 待确认 and 未核实', () => {
    const p = partitionFindings(report);
    expect(p.awaiting.map((f) => f.check).sort()).toEqual(['consultation-activities', 'consultation-activities', 'new-media-stale', 'source-label']);
    expect(p.doubtful.map((f) => f.check)).toEqual(['footer-icp']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The demo audit

describe('the demo audit, as a person reads it', () => {
  let dir: string;
  let report: AuditReport;
  let close: () => Promise<void>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-lang-'));
    const server = await startFixtureServer(demoSiteDir('demo'));
    close = () => server.close();
    report = await runAudit({
      url: server.url + '/',
      dbFile: path.join(dir, 'g.db'),
      browser: false,
      asOf: '2021-06-15',
      skipHosts: [...DEMO_SKIP_HOSTS],
      site: { name: '青山市人民政府' },
    });
  }, 120_000);
  afterAll(async () => {
    await close?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('HTML has no English sentence, bare rule id or doubled punctuation', () => {
    const html = renderHtml(report);
    expectReadable('demo html', htmlText(html));
    const $ = cheerio.load(html);
    // the clauses and items the machine examined say so
    expect($('table.sheet tr.veto').first().text()).toMatch(/第3项「首页超过2周不更新」：[^「]*，未发现否决情形/);
    expect($('table.sheet tr[data-id="function.site-name"]').text()).toContain('未发现问题');
    expect($('table.sheet tr[data-id="function.ipv6"] td.deducted').text()).toBe('未核实');
  });

  it('XLSX has none either', async () => {
    const { text } = await xlsxText(await renderXlsx(report));
    expectReadable('demo xlsx', text);
    expect(text).toContain('合计 −7，按本条分值 3 分计');
  });

  it('text has none either, and lists 待确认 and 未核实', () => {
    const text = renderText(report);
    expectReadable('demo text', text);
    expect(text).toContain('未核实 / 待监测：');
    expect(text).toContain('待确认：');
    expect(text).toMatch(/已 \d+ 天未更新/);
  });

  it('the dashboard run block has none either', () => {
    const html = dashboard(report, loadRubric(report.rubric));
    expectReadable('demo dashboard', htmlText(html));
  });
});

describe('the translation table', () => {
  it('error codes, probe notes, details and punctuation', () => {
    expect(zhErrorCode('http-404')).toBe('页面不存在（HTTP 404）');
    expect(zhErrorCode('soft-404')).toBe('打开后为错误页面（soft-404）');
    expect(zhErrorCode('refused')).toBe('连接被拒绝（refused）');
    expect(zhProbeNote('deadline')).toBe('15 秒内未完整打开（deadline）');
    expect(zhProbeNote('ECONNREFUSED')).toBe('连接被拒绝（ECONNREFUSED）');
    expect(zhProbeNote('HTTP 503')).toBe('服务暂不可用（HTTP 503）');
    expect(zhText('DNS lookup failed (ENOTFOUND)')).toBe('域名解析失败（ENOTFOUND）');
    expect(zhText('redirected to an error page https://x.gov.cn/404.html')).toBe('被重定向到错误页面 https://x.gov.cn/404.html');
    expect(zhText('timed out (3 attempts)')).toBe('访问超时（共尝试 3 次）');
    expect(zhText('栏目「人事信息」无任何信息')).toBe('栏目「人事信息」无任何信息');
    expect(zhPunct('首页链接无法打开 1 处 (−1), 其他页面 1 处 (−0.5)')).toBe('首页链接无法打开 1 处（−1），其他页面 1 处（−0.5）');
    expect(zhPunct('可用性 −1.5: 首页 (累计扣分不超过本条分值3分); 待人工评分: 第2条')).toBe('可用性 −1.5：首页（累计扣分不超过本条分值3分）；待人工评分：第2条');
    expect(zhPunct('HTTP 404, ENOTFOUND (x) https://a.gov.cn/?a=1,2')).toBe('HTTP 404, ENOTFOUND (x) https://a.gov.cn/?a=1,2');
  });

  it('the scanners find what they look for', () => {
    expect(englishSentences('状态：status 200 but an error page')).toEqual(['status 200 but an error page']);
    expect(englishSentences('错误（DNS lookup failed）https://www.example.gov.cn/a b c')).toEqual([]);
    expect(bareRuleIds('待人工评分：veto.website-health.1')).toEqual(['veto.website-health.1']);
    expect(bareRuleIds(htmlText('<p>第1项<span class="rule-id">veto.website-health.1</span></p>'))).toEqual([]);
    expect(doubledPunctuation('均未找到）。：http')).toHaveLength(1);
  });
});
