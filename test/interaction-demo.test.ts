/**
 * 互动交流 on the bundled demo sites, end to end: the gatherer follows the 互动交流 section to three boards (one on a
 * second host name), reads letters back a year, the checks report exactly the planted cases, the score sheet fills the
 * rows (confirm-required ones 待确认), and the simulated-inquiry flow works from the CLI (add → audit → reply found →
 * reply entered by hand → rescore).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../src/demo/server.ts';
import { runAudit } from '../src/audit/run.ts';
import { Store } from '../src/store/store.ts';
import type { AuditReport } from '../src/report/audit-report.ts';
import { OBS, type ChannelObs, type LetterObs, type SummaryObs } from '../src/analyze/interaction/observations.ts';
import { renderText } from '../src/report/text.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'govsite.js');
const IDS = ['interaction-channel', 'messages-unpublished', 'message-fields', 'messages-stale', 'message-statistics', 'message-unanswered', 'consultation-activities', 'inquiry-reply'];

function run(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('互动交流 on the demo city site (as of 2021-06-15)', () => {
  let server: FixtureServer;
  let dir: string;
  let report: AuditReport;
  let store: Store;
  beforeAll(async () => {
    server = await startFixtureServer(demoSiteDir('demo'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-hdjl-'));
    report = await runAudit({ url: server.url + '/', asOf: '2021-06-15', dbFile: path.join(dir, 'g.db'), browser: false, skipHosts: [...DEMO_SKIP_HOSTS], site: { name: '青山市人民政府' } });
    store = Store.open(path.join(dir, 'g.db'));
  });
  afterAll(async () => {
    store?.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const local = (u?: string) => (u && u.startsWith(server.url) ? u.slice(server.url.length) : u);

  it('finds the channels of the 互动交流 section, one of them on another host name, and reads each board', () => {
    const ch = store.observations(report.runId!, [OBS.channel]).map((o) => o.data as ChannelObs);
    const by = (t: string) => ch.find((c) => c.text === t)!;
    expect(by('市长信箱')).toMatchObject({ kind: 'mailbox', group: 'consult', otherHost: true, opened: true, listRead: 'read', listKind: 'html', letters: 16, stoppedBy: 'year' });
    expect(by('市长信箱').url).toBe(`http://localhost:${server.port}/hdjl/webapp/qss/email/index.jsp`);
    expect(by('咨询投诉')).toMatchObject({ group: 'consult', listRead: 'read', listKind: 'hanweb', letters: 20, totalStated: 20, stoppedBy: 'year' });
    expect(by('在线咨询')).toMatchObject({ group: 'consult', listRead: 'read', listKind: 'json', letters: 12, stoppedBy: 'year' });
    expect(by('网上信访')).toMatchObject({ group: 'special' });
    expect(by('征集调查')).toMatchObject({ group: 'survey', listRead: 'read' });
    expect(by('在线访谈')).toMatchObject({ group: 'interview' });
    // The 市长信箱 list has three pages; the second reaches letters older than a year, so the third is never read.
    expect(by('市长信箱').pagesRead).toBe(2);
    expect(report.notes?.some((n) => n.includes(`localhost:${server.port}`))).toBe(true);
    expect(report.gather?.interaction?.status).toBe('ok');
  });

  it('reads the letters by label with their snippets, a year back, and their reply latency in working days', () => {
    const letters = store.observations(report.runId!, [OBS.letter]).map((o) => o.data as LetterObs);
    expect(letters.length).toBe(48);
    const gjj = letters.find((l) => l.title === '咨询公积金提取')!;
    expect(gjj).toMatchObject({ askedAt: '2021-01-04', status: 'pending', statusKind: 'not-answered', replyBlock: 'empty', detailRead: true });
    expect(gjj.fields.status?.snippet).toBe('处理情况：待回复');
    const look = letters.filter((l) => l.title === '关于未回复问题的说明');
    expect(look.map((l) => l.status)).toEqual([undefined, 'answered']);
    // 2020-09-30 → 2020-10-12 across 国庆/中秋 2020 (10-01..10-08 off, 10-10 a 调休 Saturday): 10-09, 10-10, 10-12.
    expect(letters.find((l) => l.title === '反映国庆期间景区停车难')?.latency).toBe(3);
    // 2021-04-28 → 2021-05-10 across 劳动节 (05-01..05-05 off, 05-08 a 调休 Saturday).
    expect(letters.find((l) => l.title === '反映城东菜市场占道经营')?.latency).toBe(6);
    expect(letters.filter((l) => l.sampleRank).map((l) => l.sampleRank).sort()).toEqual([1, 2, 3, 4, 5]);
    const summary = store.observations(report.runId!, [OBS.summary])[0].data as SummaryObs;
    expect(summary).toMatchObject({ letters: 47, oldest: '2020-01-10', newest: '2021-06-10', sampled: 5, activities: 8, statistics: 1 });
    expect(summary.latency).toMatchObject({ median: 2, max: 7 });
  });

  it('reports exactly the planted cases; the look-alikes stay clean', () => {
    const got = report.findings.filter((f) => IDS.includes(f.check)).map((f) => `${f.check} ${local(f.url)} ${local(f.target)}`);
    expect(got.sort()).toEqual([
      'consultation-activities /hdjl/zjdc/index.html consultation:count',
      'message-unanswered /hdjl/jact/front/mailpubdetail.do?sysid=1&transactId=9 /hdjl/jact/front/mailpubdetail.do?sysid=1&transactId=9',
    ]);
    for (const f of report.findings.filter((x) => IDS.includes(x.check))) expect(f.evidence.confirm).toBe('required');
    const un = report.findings.find((f) => f.check === 'message-unanswered')!;
    expect(un.message).toContain('咨询公积金提取');
    expect(un.evidence).toMatchObject({ signal: 'status', snippet: '处理情况：待回复', daysSinceAsked: 162 });
    const act = report.findings.find((f) => f.check === 'consultation-activities')!;
    expect(act.evidence).toMatchObject({ rule: 'count', count: 7 });
  });

  it('says what was examined (scopes) and carries the latency distribution', () => {
    const sc = report.scopes!;
    for (const id of IDS.filter((x) => x !== 'inquiry-reply')) expect(sc[id]?.status, id).toBe('checked');
    expect(sc['inquiry-reply']).toMatchObject({ status: 'not-run' });
    expect(sc['message-unanswered'].summary).toContain('已读取留言 47 条（2020-01-10 至 2021-06-10');
    expect(sc['message-unanswered'].stats).toMatchObject({ latencyMedian: 2, latencyCount: 37 });
    expect(sc['consultation-activities'].summary).toContain('「青山市公共交通服务满意度调查」未公开反馈结果');
    expect(sc['message-fields'].stats).toMatchObject({ sampled: 5 });
    const text = renderText(report);
    expect(text).toContain('互动交流：');
    expect(text).toMatch(/答复用时：37 条留言（监测时间点前1年内）答复用时中位数 2 个工作日/);
  });

  it('fills the 互动交流 rows of the score sheet; 单否 6 waits for a reviewer', () => {
    const s = report.score!;
    const item = (id: string) => s.items.find((i) => i.id === id)!;
    expect(item('interaction.submission').pendingRules).toEqual(['interaction.submission.2', 'interaction.submission.4']);
    expect(item('interaction.submission').deducted).toBe(0);
    expect(item('interaction.message-disclosure').deducted).toBe(0);
    expect(item('interaction.message-disclosure').pendingRules).toEqual(['interaction.message-disclosure.2b', 'interaction.message-disclosure.5a', 'interaction.message-disclosure.5b']);
    const v6 = s.veto.items!.find((v) => v.id === 'veto.website-health.6')!;
    expect(v6).toMatchObject({ failed: false, pending: true });
    expect(s.veto.failed).toBe(false);
    expect(s.unconfirmed?.filter((f) => IDS.includes(f.check)).map((f) => f.check).sort()).toEqual(['consultation-activities', 'message-unanswered']);
    const bonus = s.bonusItems.find((b) => b.id === 'bonus.consultation')!;
    expect(bonus.awarded).toBe(0);
    expect(bonus.pending).toBe(true);
  });
});

describe('互动交流 on the demo department site', () => {
  it('finds the 厅长信箱 and reports nothing', async () => {
    const server = await startFixtureServer(demoSiteDir('demo-dept'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-hdjl-dept-'));
    try {
      const r = await runAudit({ url: server.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'g.db'), browser: false, skipHosts: [...DEMO_SKIP_HOSTS] });
      expect(r.findings.filter((f) => IDS.includes(f.check))).toEqual([]);
      expect(r.scopes!['interaction-channel'].summary).toContain('「厅长信箱」');
      expect(r.scopes!['message-statistics'].summary).toContain('共收到来信37件，已答复37件');
      expect(r.scopes!['consultation-activities']).toMatchObject({ status: 'unverified' });
      const item = r.score!.items.find((i) => i.id === 'interaction.message-disclosure')!;
      expect(item).toMatchObject({ deducted: 0, pending: false });
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('govsite inquiry: add → audit → reply found → reply entered by hand → rescore', () => {
  it('works from the command line', async () => {
    const server = await startFixtureServer(demoSiteDir('demo'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-inquiry-'));
    try {
      const site = server.url + '/';
      let r = await run(['inquiry', 'add', '--site', site, '--channel', `${server.url}/hdjl/zxzx/index.html`, '--asked-at', '2021-06-09 10:00', '--title', '咨询电动自行车上牌流程', '--db', 'g.db'], dir);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('已录入模拟咨询 #1');
      expect(r.stdout).toContain('下次检查时将在已公开留言中查找答复');
      r = await run(['audit', site, '--as-of', '2021-06-15', '--no-browser', '--db', 'g.db', '--format', 'json', ...DEMO_SKIP_HOSTS.flatMap((h) => ['--skip-host', h])], dir);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as AuditReport;
      // The reply is found among the published letters (在线咨询: asked 06-09 10:00, answered 06-10 09:00): 1 working day.
      const fast = doc.findings.filter((f) => f.check === 'inquiry-reply');
      expect(fast).toHaveLength(1);
      expect(fast[0]).toMatchObject({ target: 'inquiry:1', evidence: { rule: 'fast', latencyWorkdays: 1, repliedBy: 'published', confirm: 'required' } });
      expect(doc.score!.bonusItems.find((b) => b.id === 'bonus.message-handling')).toMatchObject({ awarded: 0, pending: true });
      const before = doc.score!.total;

      r = await run(['inquiry', 'reply', '--id', '1', '--replied-at', '2021-06-18 10:00', '--db', 'g.db'], dir);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`检查 #${doc.runId}：答复 2021-06-18 10:00（人工录入），用时 6 个工作日`);
      r = await run(['score', '--run', String(doc.runId), '--db', 'g.db', '--format', 'json'], dir);
      const after = JSON.parse(r.stdout) as AuditReport;
      const late = after.findings.filter((f) => f.check === 'inquiry-reply');
      expect(late).toHaveLength(1);
      expect(late[0].evidence).toMatchObject({ rule: 'late', latencyWorkdays: 6, repliedBy: 'manual' });
      expect(late[0].evidence.confirm).toBeUndefined();
      const row = after.score!.items.find((i) => i.id === 'interaction.message-disclosure')!;
      expect(row.deducted).toBe(2);
      expect(after.score!.total).toBe(before - 2);
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
