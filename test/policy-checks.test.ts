/**
 * The issue-13 checks on hand-made observations: every way a row can end (finding, confirm-required, unverified,
 * not-run) without a crawl.
 */
import { describe, expect, it } from 'vitest';
import { makeContext, makePage } from './helpers/page.ts';
import { observationSet, GATHER_STATUS_KIND, type AuditContext, type Observation } from '../src/model.ts';
import { runChecks } from '../src/checks.ts';
import annualReport from '../checks/annual-report.ts';
import serviceStatistics from '../checks/service-statistics.ts';
import topicsFew from '../checks/topics-few.ts';
import topicStale, { monthsBefore } from '../checks/topic-stale.ts';
import interpretationMissing from '../checks/interpretation-missing.ts';
import interpretationUnlinked from '../checks/interpretation-unlinked.ts';
import linkageMissing from '../checks/linkage-missing.ts';
import type { AnnualReport } from '../src/analyze/annual-report.ts';
import type { TopicFacts } from '../src/analyze/topics.ts';
import type { Check } from '../src/model.ts';

const H = 'http://www.qingshan.gov.cn';
const home = makePage(`${H}/`, '<html><body>首页</body></html>', { isHomepage: true });

function ctx(obs: Observation[], o: Partial<AuditContext> = {}): AuditContext {
  return makeContext([home], { observations: observationSet(obs), ...o });
}
const ok = (id: string): Observation => ({ kind: GATHER_STATUS_KIND, key: id, data: { status: 'ok' } });
const run = (c: Check, cx: AuditContext) => {
  const r = runChecks([c], cx);
  return { findings: r.findings, scope: r.scopes[c.id] };
};

describe('every issue-13 check without its gatherer', () => {
  it('is not-run with a Chinese reason, never a finding', () => {
    for (const c of [annualReport, serviceStatistics, topicsFew, topicStale, interpretationMissing, interpretationUnlinked, linkageMissing]) {
      const r = run(c, ctx([]));
      expect(r.findings, c.id).toEqual([]);
      expect(r.scope.status, c.id).toBe('not-run');
      expect(r.scope.reason, c.id).toMatch(/[\u4e00-\u9fa5]/);
    }
  });
  it('a failed gatherer makes the check unverified', () => {
    const r = run(annualReport, ctx([{ kind: GATHER_STATUS_KIND, key: 'annual-report', data: { status: 'failed', reason: '首页无法读取' } }]));
    expect(r.scope).toMatchObject({ status: 'unverified', reason: expect.stringContaining('首页无法读取') });
  });
});

describe('annual-report', () => {
  const scan = { kind: 'annual-report-scan', key: 'scan', data: { dueYear: 2020, homepage: `${H}/`, homepageLinks: [{ url: `${H}/ndbb/`, text: '政府网站工作年度报表', inFooter: true }], columns: [`${H}/ndbb/`] } };
  const report = (r: Partial<AnnualReport>): Observation => ({ kind: 'annual-report', key: r.url ?? 'x', data: { title: '青山市人民政府网站工作年度报表（2020年度）', url: `${H}/ndbb/t20210125_1.html`, year: 2020, date: '2021-01-25', dateSource: 'page', reach: 'homepage-column', pageRead: true, ...r } });
  const go = (...o: Observation[]) => run(annualReport, ctx([ok('annual-report'), scan, ...o]));

  it('on time: checked, no finding', () => {
    const r = go(report({}));
    expect(r.findings).toEqual([]);
    expect(r.scope).toMatchObject({ status: 'checked', summary: expect.stringContaining('2021-01-25 发布') });
  });
  it('late: a finding with the date and where it was read', () => {
    const r = go(report({ date: '2021-02-08', url: `${H}/ndbb/t20210208_1.html` }));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ url: `${H}/ndbb/t20210208_1.html`, message: expect.stringContaining('晚于规定的 2021-01-31'), evidence: { reportDate: '2021-02-08' } });
    expect(r.findings[0].evidence.confirm).toBeUndefined();
  });
  it('missing: confirm-required, with what was searched', () => {
    const r = go(report({ year: 2019, date: '2020-01-20' }));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ message: expect.stringContaining('未在首页找到2020年度'), evidence: { confirm: 'required' } });
    expect(r.findings[0].detail).toContain('首页链接 1 个');
  });
  it('image-only report (year from the title) is published; only found off the homepage → confirm-required', () => {
    expect(go(report({ imageOnly: true })).findings).toEqual([]);
    const r = go(report({ reach: 'elsewhere' }));
    expect(r.findings.map((f) => f.evidence.confirm)).toEqual(['required']);
  });
  it('no readable date: unverified', () => {
    expect(go(report({ date: undefined, dateSource: undefined })).scope.status).toBe('unverified');
  });
  it('as-of in January judges the year before last', () => {
    const r = run(annualReport, ctx([ok('annual-report'), scan, report({})], { asOf: '2021-01-20' }));
    expect(r.findings[0].message).toContain('2019年度');
  });
});

describe('service-statistics', () => {
  const scan = (s: Record<string, unknown>): Observation => ({ kind: 'service-stats', key: 'scan', data: { pages: [], columns: [], accepted: false, completed: false, homepageLinks: [], ...s } });
  const page = (p: Record<string, unknown>) => ({ url: `${H}/bjtj/t1.html`, title: '2021年5月办件统计', month: '2021-05', accepted: true, completed: true, dynamic: false, ...p });
  const go = (s: Observation, o: Partial<AuditContext> = {}) => run(serviceStatistics, ctx([ok('service-statistics'), s], o));

  it('up to date with both figures: no finding', () => {
    expect(go(scan({ pages: [page({})], latestMonth: '2021-05', accepted: true, completed: true })).findings).toEqual([]);
  });
  it('nothing published: 1, 2a, 2b and 3, all confirm-required', () => {
    const r = go(scan({}));
    expect(r.findings.map((f) => [f.evidence.rule, f.evidence.confirm])).toEqual([['1', 'required'], ['2a', 'required'], ['2b', 'required'], ['3', 'required']]);
  });
  it('no 办结 figures and April only: 2b and 3', () => {
    const r = go(scan({ pages: [page({ month: '2021-04', completed: false })], latestMonth: '2021-04', accepted: true, completed: false }));
    expect(r.findings.map((f) => f.evidence.rule)).toEqual(['2b', '3']);
    expect(r.findings.every((f) => f.evidence.confirm === undefined)).toBe(true);
  });
  it('a scripted statistics page is unverified; a 省直 site is not-run', () => {
    expect(go(scan({ pages: [page({ accepted: false, completed: false, dynamic: true })] })).scope.status).toBe('unverified');
    expect(go(scan({}), { site: { url: `${H}/`, host: 'www.qingshan.gov.cn', unitType: 'provincial' } }).scope.status).toBe('not-run');
  });
});

describe('topics', () => {
  const topic = (t: Partial<TopicFacts>): Observation => ({ kind: 'topic', key: t.url ?? t.name ?? 'x', data: { name: 't', url: `${H}/ztzl/${t.name}/`, source: 'homepage', external: false, finished: false, pagesRead: 3, items: 3, dynamic: false, morePages: false, onSiteShare: 1, ...t } });
  const go = (c: Check, ...t: Observation[]) => run(c, ctx([ok('topics'), ...t]));

  it('two new topics: no finding; one new, one old: one confirm-required finding', () => {
    expect(go(topicsFew, topic({ name: 'a', firstDate: '2021-01-01', newestDate: '2021-06-01' }), topic({ name: 'b', firstDate: '2020-08-01', newestDate: '2021-06-01' })).findings).toEqual([]);
    const r = go(topicsFew, topic({ name: 'a', firstDate: '2021-01-01' }), topic({ name: 'b', firstDate: '2019-01-01' }), topic({ name: 'c', external: true, pagesRead: 0 }));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].evidence.confirm).toBe('required');
  });
  it('no topic section at all: unverified, no proposal', () => {
    expect(go(topicsFew)).toMatchObject({ findings: [], scope: { status: 'unverified', reason: expect.stringContaining('未找到专题专栏') } });
  });
  it('a readable topic without dates counts as possibly new; an unreadable one does not', () => {
    expect(go(topicsFew, topic({ name: 'a', firstDate: '2021-01-01' }), topic({ name: 'b', dynamic: true })).findings).toEqual([]);
    expect(go(topicsFew, topic({ name: 'a', firstDate: '2021-01-01' }), topic({ name: 'b', pagesRead: 0 })).findings).toHaveLength(1);
  });
  it('stale: newest item older than 3 months, unless finished or external', () => {
    expect(monthsBefore('2021-06-15', 3)).toBe('2021-03-15');
    expect(monthsBefore('2021-05-31', 3)).toBe('2021-02-28');
    const r = go(topicStale, topic({ name: 'old', newestDate: '2021-03-14' }), topic({ name: 'fresh', newestDate: '2021-03-15' }), topic({ name: 'done', newestDate: '2020-01-01', finished: true }), topic({ name: 'ext', external: true, newestDate: '2019-01-01' }));
    expect(r.findings.map((f) => f.evidence.topic)).toEqual(['old']);
  });
});

describe('linkage lists in the sites file', () => {
  it('files are read relative to the sites file', async () => {
    const { loadSitesConfig } = await import('../src/monitor/config.ts');
    const path = await import('node:path');
    const file = path.resolve(import.meta.dirname, '../fixtures/sites.example.yaml');
    const cfg = loadSitesConfig(file);
    const xt = cfg.sites.find((s) => s.id === 'xiangtan')!;
    expect(xt.gather?.linkage).toMatchObject({ files: ['linkage/2021Q1.yaml', 'linkage/2021Q2.xlsx'], withinDays: 7, baseDir: path.dirname(file) });
  });
});

describe('linkage-missing', () => {
  const item = (status: string, extra: Record<string, unknown> = {}): Observation => ({
    kind: 'linkage-item', key: status, data: { item: { title: `事项${status}`, date: '2021-05-20', withinDays: 7 }, status, deadline: '2021-05-27', searched: { pages: 50, files: ['q2.yaml'] }, ...extra },
  });
  it('late is a finding; missing is confirm-required unless the site search answered', () => {
    const r = run(linkageMissing, ctx([ok('linkage'), item('found', { hit: { url: `${H}/a.html`, title: '事项found', date: '2021-05-21', from: 'page', how: 'title', score: 1 } }), item('late', { hit: { url: `${H}/b.html`, title: '事项late', date: '2021-06-01', from: 'list', how: 'title', score: 1 } }), item('missing'), item('not-due')]));
    expect(r.findings.map((f) => [f.target, f.evidence.confirm ?? ''])).toEqual([['linkage:2021-05-20:事项late', ''], ['linkage:2021-05-20:事项missing', 'required']]);
    const s = run(linkageMissing, ctx([ok('linkage'), item('missing', { searched: { pages: 50, files: [], search: { ok: true, results: 0 } } })]));
    expect(s.findings[0].evidence.confirm).toBeUndefined();
  });
  it('no list configured: not-run', () => {
    const r = run(linkageMissing, ctx([{ kind: GATHER_STATUS_KIND, key: 'linkage', data: { status: 'skipped', reason: '未配置联动传播清单' } }]));
    expect(r.scope).toMatchObject({ status: 'not-run', reason: expect.stringContaining('未配置') });
  });
});
