/**
 * The new-media early warning (an account at 10 days without a post), through the nightly run and the same channels
 * as the availability warning; the nightly run also merges the sites file's newMedia lists into the registry.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSitesConfig } from '../src/monitor/config.ts';
import { runNightly, type AuditFn } from '../src/monitor/nightly.ts';
import { evaluateWarnings } from '../src/monitor/warnings.ts';
import { openDatabase } from '../src/store/db.ts';
import { listAccounts, listMonitored } from '../src/newmedia/store.ts';
import { newMediaFacts } from '../src/newmedia/gather-input.ts';
import { observationSet } from '../src/model.ts';
import { judgeFreshness } from '../src/newmedia/freshness.ts';
import { KIND } from '../src/newmedia/observations.ts';

let server: http.Server;
let base = '';
const received: { text: string; warnings: { condition: string; data: unknown }[] }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push(JSON.parse(data));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const site = { id: 'qingshan', name: '青山市人民政府', url: 'http://www.qingshan.gov.cn/' };

describe('new-media early warning', () => {
  it('warns for accounts whose newest verified post is more than 10 days old', () => {
    const newMedia = [
      { name: '青山发布', platform: '微信', day: '2021-06-12', source: 'feed' },
      { name: '青山市民之声', platform: '今日头条', day: '2021-06-04', source: 'feed' },
    ];
    const [w] = evaluateWarnings({ site, asOf: '2021-06-15', audit: { newMedia } });
    expect(w).toMatchObject({ condition: 'new-media-stale', week: '2021-W24' });
    expect(w.message).toBe('青山市人民政府（http://www.qingshan.gov.cn/）：政务新媒体 1 个账号超过 10 天未更新：「青山市民之声」（今日头条）最新发布 2021-06-04，已 11 天（监测时间点前 2 周内无更新将被单项否决）。');
    expect(evaluateWarnings({ site, asOf: '2021-06-14', audit: { newMedia } })).toEqual([]);
    expect(evaluateWarnings({ site, asOf: '2021-06-14', audit: { newMedia }, thresholds: { newMediaStaleDays: 5 } })).toHaveLength(1);
  });

  it('the audit facts list only verified dates of accounts in operation', () => {
    const acc = (name: string, status: '正常' | '已注销', entries: { day: string }[], registryUpdated?: string) => ({
      kind: KIND.account,
      key: name,
      data: {
        name,
        platformLabel: '微信',
        status,
        freshness: judgeFreshness({ asOf: '2021-06-15', status, entries: entries.map((e) => ({ source: 'post' as const, day: e.day, observedAt: '2021-06-15T00:00:00Z' })), ...(registryUpdated ? { registryUpdated } : {}) }),
      },
    });
    const facts = newMediaFacts({ observations: observationSet([acc('甲', '正常', [{ day: '2021-06-01' }]), acc('乙', '正常', [], '2021-06-01'), acc('丙', '已注销', [{ day: '2021-01-01' }])]) });
    expect(facts).toEqual([{ name: '甲', platform: '微信', day: '2021-06-01', source: 'post' }]);
  });

  it('the nightly run syncs the sites file into the registry and sends the warning once a week', async () => {
    const db = openDatabase(':memory:');
    const cfg = parseSitesConfig(`warnings:
  channels:
    - { type: webhook, name: hook, url: '${base}/hook' }
sites:
  - id: qingshan
    name: 青山市人民政府
    url: http://www.qingshan.gov.cn/
    rubric: hunan-2021-city
    newMedia:
      - { name: 青山发布, platform: 微信, id: qingshanfabu }
`);
    let seenAccounts = 0;
    const auditFn: AuditFn = async (s, o) => {
      seenAccounts = listAccounts(o.db, { unit: s.name }).length;
      return { runId: 1, findings: [], summary: { emptyColumns: 0, newMedia: [{ name: '青山发布', platform: '微信', day: '2021-06-01', source: 'feed' }] } };
    };
    const r = await runNightly({ db, sites: cfg.sites, auditFn, asOf: '2021-06-15', warnings: cfg.warnings, now: () => Date.parse('2021-06-15T18:00:00Z') });
    expect(seenAccounts).toBe(1);
    expect(listMonitored(db).map((m) => m.siteId)).toEqual(['qingshan']);
    expect(r.warnings).toMatchObject({ evaluated: 1, delivered: 1 });
    const msg = received.at(-1)!;
    expect(msg.warnings[0]).toMatchObject({ condition: 'new-media-stale', data: { threshold: 10 } });
    expect(msg.text).toContain('[政务新媒体长时间未更新]');
    // Once per condition per week.
    const again = await runNightly({ db, sites: cfg.sites, auditFn, asOf: '2021-06-16', warnings: cfg.warnings, now: () => Date.parse('2021-06-16T18:00:00Z') });
    expect(again.warnings).toMatchObject({ evaluated: 1, delivered: 0, skipped: 1 });
    db.close();
  });
});
