/**
 * A small province for the dashboard's province-view tests: three configured units, two weeks of probes (HTTPS
 * with a certificate, a maintenance window with failures in it), two audits of 青山市 (so findings are seen again,
 * fixed, or new), reviewer decisions, and a delivery log with a failed channel.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../src/store/store.ts';
import { recordProbes, writeHeartbeats, type ProbeRecord } from '../../src/monitor/store.ts';
import { addDays, dayStartMs, weekRange } from '../../src/monitor/time.ts';
import { siteKey } from '../../src/collect/crawl.ts';
import { scoreStoredRun } from '../../src/audit/score-run.ts';
import { saveManual } from '../../src/score/manual.ts';
import { logAlertAttempt } from '../../src/monitor/alert-log.ts';
import { addMaintenanceWindow, parseShanghaiTime } from '../../src/monitor/maintenance.ts';
import { ensureMonitorSchema } from '../../src/monitor/schema.ts';
import type { Finding } from '../../src/model.ts';

export const NOW = Date.parse('2021-06-21T04:00:00Z'); // Monday of 2021-W25, noon in Shanghai
export const QS = 'https://www.qingshan.example/';
export const BS = 'http://www.baishui.example/';
export const DEPT = 'http://sft.hunan-demo.example/';
export const CERT_EXPIRES = '2021-06-30T12:00:00.000Z'; // 9 days after NOW

export const A: Finding = {
  check: 'broken-link',
  url: QS,
  target: `${QS}old.html`,
  detail: 'GET 404',
  message: '首页链接无法打开（HTTP 404）',
  evidence: { anchorText: '旧版网站入口', onHomepage: true, status: 404 },
};
export const B: Finding = {
  check: 'date-format',
  url: `${QS}202106/t20210601_7001.html`,
  message: '发布时间未按 YYYY-MM-DD 格式显示：“2021年6月1日”',
  evidence: { snippet: '发布时间：2021年6月1日' },
};
export const C: Finding = {
  check: 'ipv6',
  url: QS,
  detail: 'no-aaaa',
  message: '未按要求完成IPv6改造：站点域名 www.qingshan.example 没有 AAAA（IPv6）解析记录。',
  evidence: { host: 'www.qingshan.example', a: ['203.0.113.9'], aaaa: [], reasons: ['no-aaaa'] },
};
export const D: Finding = {
  check: 'broken-link',
  url: `${QS}zwgk/index.html`,
  target: `${QS}files/2021-plan.doc`,
  detail: 'GET 404',
  message: '链接无法打开（HTTP 404）',
  evidence: { anchorText: '2021年工作计划', status: 404 },
};
/** Many findings so the run page is long (the review loop must come back to the row). */
export const FILLER: Finding[] = Array.from({ length: 40 }, (_, i) => ({
  check: 'date-format',
  url: `${QS}202105/t202105${String(10 + (i % 20)).padStart(2, '0')}_${8000 + i}.html`,
  message: `发布时间未按 YYYY-MM-DD 格式显示：“2021年5月${10 + (i % 20)}日”`,
  evidence: { snippet: `发布时间：2021年5月${10 + (i % 20)}日` },
}));

function probes(siteId: string, url: string, week: string, failAt: { day: number; hours: number[] }[], o: { cert?: string; perDay?: number[] } = {}): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  const from = weekRange(week).from;
  for (let d = 0; d < 7; d++) {
    const n = o.perDay?.[d] ?? 24;
    const bad = new Set(failAt.filter((f) => f.day === d).flatMap((f) => f.hours));
    for (let h = 0; h < n; h++) {
      const failed = bad.has(h);
      out.push({
        siteId,
        result: {
          url,
          finalUrl: url,
          at: new Date(dayStartMs(addDays(from, d)) + Math.floor((h * 24 * 3_600_000) / n) + 90_000).toISOString(),
          outcome: failed ? 'timeout' : 'ok',
          ...(failed ? { error: 'deadline' } : { status: 200 }),
          ms: failed ? 15_000 : 300 + ((d * 37 + h * 53) % 400),
          phases: {},
          family: 4,
          address: '203.0.113.9',
          bytes: failed ? 0 : 25_000,
          redirects: 0,
          ...(o.cert && !failed ? { certExpires: o.cert } : {}),
        },
      });
    }
  }
  return out;
}

export interface ProvinceSeed {
  dir: string;
  dbFile: string;
  configFile: string;
  manualQs: string;
  run1: number;
  run2: number;
  runBs: number;
  windowId: number;
}

export function seedProvince(): ProvinceSeed {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-province-'));
  const dbFile = path.join(dir, 'govsite.db');
  const configFile = path.join(dir, 'sites.yaml');
  fs.mkdirSync(path.join(dir, 'manual'));
  const manualQs = path.join(dir, 'manual', 'qingshan.yaml');
  const manualBs = path.join(dir, 'manual', 'baishui.yaml');
  fs.writeFileSync(
    configFile,
    [
      'sites:',
      '  - id: qingshan',
      '    name: 青山市人民政府',
      `    url: ${QS}`,
      '    rubric: hunan-2021-city',
      '    region: 青山市',
      '    manual: manual/qingshan.yaml',
      '  - id: baishui',
      '    name: 白水市人民政府',
      `    url: ${BS}`,
      '    rubric: hunan-2021-city',
      '    region: 白水市',
      '    manual: manual/baishui.yaml',
      '  - id: demo-dept',
      '    name: 湖南省示例厅',
      `    url: ${DEPT}`,
      '    rubric: hunan-2021-provincial',
      '    region: 省直',
      '    hasPublicServices: false',
      '',
    ].join('\n'),
  );
  const store = Store.open(dbFile);
  ensureMonitorSchema(store.db);
  recordProbes(store.db, [
    ...probes('qingshan', QS, '2021-W23', [{ day: 2, hours: [5] }], { cert: CERT_EXPIRES }),
    ...probes('qingshan', QS, '2021-W24', [{ day: 1, hours: [9] }, { day: 4, hours: [3, 4] }], { cert: CERT_EXPIRES }),
    ...probes('baishui', BS, '2021-W23', [{ day: 0, hours: [2] }, { day: 3, hours: [7] }]),
    // 8 failures in the announced upgrade night (window Wednesday 00:30–09:00) + 1 on Friday: 9 / 168 = 5.4 %
    ...probes('baishui', BS, '2021-W24', [{ day: 2, hours: [1, 2, 3, 4, 5, 6, 7, 8] }, { day: 4, hours: [10] }]),
    ...probes('demo-dept', DEPT, '2021-W24', [], { perDay: [24, 24, 12, 12, 24, 24, 24] }),
  ]);
  writeHeartbeats(store.db, Math.floor(dayStartMs('2021-06-07') / 60_000), Math.floor(dayStartMs('2021-06-21') / 60_000) - 1);
  const win = addMaintenanceWindow(store.db, {
    siteId: 'baishui',
    startsAt: parseShanghaiTime('2021-06-16 00:30')!,
    endsAt: parseShanghaiTime('2021-06-16 09:00')!,
    note: 'http://www.baishui.example/tzgg/20210610.html',
    createdBy: '李四',
    now: Date.parse('2021-06-15T02:00:00Z'),
  });

  const opts = { unitType: 'city', hasPublicServices: true, manualFile: manualQs };
  const profile = { unitType: 'city' as const, hasPublicServices: true };
  const run1 = store.createRun({ siteUrl: QS, siteKey: siteKey(QS), siteId: 'qingshan', siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-08', options: opts });
  store.saveFindings(run1, [A, B, C]);
  store.finishRun(run1, 'done', { stats: { pagesCrawled: 40, linksChecked: 300, brokenLinks: 1 } });
  store.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run('2021-06-08T18:00:00.000Z', run1);
  const run2 = store.createRun({ siteUrl: QS, siteKey: siteKey(QS), siteId: 'qingshan', siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', options: opts });
  store.saveFindings(run2, [A, D, ...FILLER]);
  store.saveCheckScopes(run2, { ipv6: { status: 'checked', summary: '已检测 AAAA 记录、首页及二三级页面的 IPv6 访问' }, 'broken-link': { status: 'checked', summary: '已检测 300 条链接' } });
  store.finishRun(run2, 'done', { stats: { pagesCrawled: 48, linksChecked: 310, brokenLinks: 2 } });
  store.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run('2021-06-15T18:00:00.000Z', run2);
  saveManual(manualQs, {
    site: QS,
    rubric: 'hunan-2021-city',
    items: [],
    decisions: [{ key: `broken-link|${D.url}|${D.target}`, action: 'reject', reason: '附件已恢复，复核可下载', reviewer: '张三', date: '2021-06-17' }],
  });
  scoreStoredRun(store, run1, { rubric: 'hunan-2021-city', profile });
  scoreStoredRun(store, run2, { rubric: 'hunan-2021-city', manualFile: manualQs, profile });

  saveManual(manualBs, { site: BS, rubric: 'hunan-2021-city', items: [], decisions: [] });
  const runBs = store.createRun({ siteUrl: BS, siteKey: siteKey(BS), siteId: 'baishui', siteName: '白水市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', options: { ...opts, manualFile: manualBs } });
  store.saveFindings(runBs, [{ check: 'date-format', url: `${BS}xwzx/1.html`, message: '发布时间未按 YYYY-MM-DD 格式显示', evidence: {} }]);
  store.finishRun(runBs, 'done', { stats: { pagesCrawled: 20, linksChecked: 100, brokenLinks: 0 } });
  scoreStoredRun(store, runBs, { rubric: 'hunan-2021-city', manualFile: manualBs, profile });

  // Deliveries: a webhook and a failing DingTalk robot for 白水市, an e-mail for 青山市.
  const w = (siteId: string, condition: string, week: string, message: string) => ({ siteId, condition, week, message });
  const bsWarn = w('baishui', 'availability', '2021-W24', '白水市人民政府（http://www.baishui.example/）：本周（2021-W24）截至目前首页超过 15 秒仍打不开 9 次，共监测 120 次，失败占比 7.5%。');
  logAlertAttempt(store.db, { name: '省平台', type: 'webhook' }, [bsWarn], { ok: true, at: Date.parse('2021-06-18T01:00:00Z') });
  store.db.prepare('INSERT INTO monitor_warnings (site_id, condition, week, channel, sent_at, message) VALUES (?, ?, ?, ?, ?, ?)').run('baishui', 'availability', '2021-W24', '省平台', '2021-06-18T01:00:00.000Z', bsWarn.message);
  for (const h of [1, 2, 3]) logAlertAttempt(store.db, { name: '钉钉值班群', type: 'dingtalk' }, [bsWarn], { ok: false, error: 'robot error 310000: keywords not in content', at: Date.parse(`2021-06-18T0${h}:00:00Z`) });
  const qsWarn = w('qingshan', 'homepage-stale', '2021-W23', '青山市人民政府：首页最新信息日期为 2021-05-25，截至 2021-06-08 已 14 天未更新。');
  logAlertAttempt(store.db, { name: '青山市网站办邮箱', type: 'email' }, [qsWarn], { ok: true, at: Date.parse('2021-06-09T00:30:00Z') });
  store.db.prepare('INSERT INTO monitor_warnings (site_id, condition, week, channel, sent_at, message) VALUES (?, ?, ?, ?, ?, ?)').run('qingshan', 'homepage-stale', '2021-W23', '青山市网站办邮箱', '2021-06-09T00:30:00.000Z', qsWarn.message);
  store.close();
  return { dir, dbFile, configFile, manualQs, run1, run2, runBs, windowId: win.id };
}
