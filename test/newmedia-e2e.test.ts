/**
 * The registry, the new-media gatherer and the six checks end to end: the example registry imported (its feed and
 * closed-site addresses pointing at a loopback fixture server), the demo city site audited as 青山市人民政府 on
 * 2021-06-15. Exact findings and the 单否 verdict.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../src/demo/server.ts';
import { runAudit } from '../src/audit/run.ts';
import { buildSampleRegistry } from '../src/newmedia/sample-registry.ts';
import { newmediaCommand } from '../src/cli/newmedia-main.ts';
import { openDatabase } from '../src/store/db.ts';
import { listAccounts, listPosts } from '../src/newmedia/store.ts';

const LOOP = path.join(import.meta.dirname, '..', 'fixtures', 'newmedia', 'loopback');
const NEW_MEDIA_CHECKS = ['new-media-stale', 'new-media-zombie', 'new-media-duplicate', 'new-media-registry', 'coverage-gap', 'consolidation'];

describe('new media: registry + demo city audit', () => {
  let demo: FixtureServer;
  let loop: FixtureServer;
  let dir: string;
  let report: Awaited<ReturnType<typeof runAudit>>;

  beforeAll(async () => {
    demo = await startFixtureServer(demoSiteDir('demo'));
    loop = await startFixtureServer(LOOP, { routes: { '/swj/': { redirect: `${demo.url}/`, status: 301 } } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-nm-e2e-'));
    const xlsx = path.join(dir, 'registry.xlsx');
    fs.writeFileSync(xlsx, await buildSampleRegistry({ feeds: loop.url, closed: loop.url, parent: demo.url }));
    const sites = path.join(dir, 'sites.yaml');
    fs.writeFileSync(
      sites,
      `sites:
  - { id: qingshan, name: 青山市人民政府, url: '${demo.url}/', rubric: hunan-2021-city }
  - { id: qs-fgw, name: 青山市发展和改革委员会, url: 'http://fgw.qingshan.gov.cn/', rubric: hunan-2021-city }
  - { id: qs-qsx, name: 青山县人民政府, url: 'http://qsx.qingshan.gov.cn/', rubric: hunan-2021-city }
`,
    );
    const db = path.join(dir, 'g.db');
    let out = '';
    expect(await newmediaCommand(['import', xlsx, '--config', sites, '--db', db], (s) => (out += s))).toBe(0);
    expect(out).toContain('网站 qingshan（青山市人民政府）→ 名录单位「青山市人民政府」（按单位名称匹配）');
    report = await runAudit({
      url: demo.url + '/',
      asOf: '2021-06-15',
      dbFile: db,
      browser: false,
      network: false,
      skipHosts: [...DEMO_SKIP_HOSTS],
      site: { name: '青山市人民政府', id: 'qingshan' },
    });
  });
  afterAll(async () => {
    await demo.close();
    await loop.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = () =>
    report.findings
      .filter((f) => NEW_MEDIA_CHECKS.includes(f.check))
      .map((f) => [f.check, f.target?.replace(loop.url, 'LOOP').replace(demo.url, 'DEMO'), f.evidence.confirm ?? null]);

  it('reports exactly the planted new-media findings', () => {
    expect(rows()).toEqual([
      ['consolidation', 'LOOP/lyj/', null],
      ['coverage-gap', 'http://jyj.qingshan.gov.cn/', 'required'],
      ['coverage-gap', 'http://dhq.qingshan.gov.cn/', 'required'],
      ['new-media-duplicate', `newmedia-duplicate:${encodeURIComponent('青山市人民政府')}/${encodeURIComponent('微信')}`, null],
      ['new-media-duplicate', 'https://www.toutiao.com/c/user/1700001/', 'required'],
      ['new-media-registry', `newmedia:${encodeURIComponent('微信')}/qsyingji`, 'required'],
      ['new-media-registry', `newmedia:${encodeURIComponent('抖音')}/qsfb2021`, 'required'],
      ['new-media-stale', 'https://weibo.com/u/6012345678', null],
      ['new-media-stale', 'https://www.douyin.com/user/demo-qsfb', null],
      ['new-media-zombie', 'https://www.douyin.com/user/demo-qsfb', 'required'],
    ]);
    const stale = report.findings.filter((f) => f.check === 'new-media-stale');
    expect(stale.map((f) => f.message)).toEqual([
      '政务新媒体「青山发布」（微博）监测时间点前2周内无更新：最新发布日期为 2021-05-26（订阅源），距 2021-06-15 已 20 天。',
      '政务新媒体「青山发布」（抖音）监测时间点前2周内无更新：最新发布日期为 2021-02-10（订阅源），距 2021-06-15 已 125 天。',
    ]);
    // The pinned post (06-13) and the repost (06-14) of the 微博 feed are not new posts.
    expect(stale[0].evidence.feedSkipped).toMatchObject({ pinned: 1, repost: 1 });
    const reg = report.findings.filter((f) => f.check === 'new-media-registry');
    expect(reg.map((f) => f.evidence.kind)).toEqual(['unregistered', 'mismatch']);
    expect(reg[1].message).toContain('账号ID：名录为「qsfb2020」，网站为「qsfb2021」');
    expect(reg[0].url).toBe(`${demo.url}/xmt/index.html`);
  });

  it('says what each check examined, and why the rest could not be decided', () => {
    const sc = report.scopes!;
    expect(sc['new-media-stale']).toMatchObject({ status: 'unverified', stats: { accounts: 6, fresh: 2, stale: 2, unverified: 2 } });
    expect(sc['new-media-stale'].reason).toContain('「青山政务」（微信）：订阅源无法读取：HTTP 500');
    expect(sc['new-media-stale'].reason).toContain('「指尖青山」（App）：未配置订阅源');
    expect(sc['new-media-duplicate']).toMatchObject({ status: 'checked' });
    expect(sc['new-media-registry']).toMatchObject({ status: 'checked', summary: expect.stringContaining('列出的 7 个账号') });
    expect(sc.consolidation).toMatchObject({ status: 'checked', summary: '已访问名录登记关停的网站 3 个：仍可访问 1 个，跳转至上级网站 1 个，显示关停或迁移公告 1 个' });
    expect(report.gather?.['new-media']).toMatchObject({ status: 'partial', stats: { accounts: 6, feedsRead: 4, feedsFailed: 1, matrixPages: 1, closedSites: 3 } });
  });

  it('fails the new-media veto on clause 5 and holds clause 6 for confirmation', () => {
    const v = report.score!.veto;
    expect(v.failed).toBe(true);
    const item = (id: string) => v.items!.find((i) => i.id === id)!;
    expect(item('veto.new-media-health.5')).toMatchObject({ failed: true, pending: false });
    expect(item('veto.new-media-health.5').reason).toContain('政务新媒体账号监测时间点前2周内无更新');
    expect(item('veto.new-media-health.6')).toMatchObject({ failed: false, pending: true, pendingKind: 'awaiting' });
    expect(report.score!.verdict).toMatch(/不合格/);
  });

  it('fills the 监管工作 rows where evidence exists', () => {
    const item = (id: string) => report.score!.items.find((i) => i.id === id)!;
    // 同一平台多个账号 counts (−2); the person-like 认证主体 waits for confirmation.
    expect(item('supervision.new-media').deducted).toBe(2);
    expect(item('supervision.consolidation').deducted).toBe(1);
    // Proposals only: nothing deducted until a reviewer confirms.
    expect(item('supervision.coverage').deducted).toBe(0);
    expect(report.score!.unconfirmed!.filter((f) => NEW_MEDIA_CHECKS.includes(f.check))).toHaveLength(6);
  });

  it('remembers the feed readings in the registry', () => {
    const db = openDatabase(path.join(dir, 'g.db'));
    try {
      const weibo = listAccounts(db, { unit: '青山市人民政府' }).find((a) => a.platform === '微博')!;
      expect(listPosts(db, [weibo.id])).toMatchObject([{ source: 'feed', ok: true, day: '2021-05-26', url: `${loop.url}/feeds/stale20.xml` }]);
    } finally {
      db.close();
    }
  });
});
