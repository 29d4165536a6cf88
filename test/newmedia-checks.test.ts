/**
 * The new-media checks on observations alone (pure), and what the scoring engine makes of them: clause 5 passes by
 * machine only when every account has a verified post within 14 days; a missing date is 未核实, never stale.
 */
import { describe, expect, it } from 'vitest';
import { GATHER_STATUS_KIND, observationSet, type AuditContext, type CheckScope, type Observation } from '../src/model.ts';
import { DEFAULT_CHECK_OPTIONS } from '../src/model.ts';
import { runChecks, loadChecks } from '../src/checks.ts';
import { loadRubric } from '../src/score/rubric.ts';
import { scoreAudit } from '../src/score/engine.ts';
import { judgeFreshness, type DatedEvidence } from '../src/newmedia/freshness.ts';
import { accountTarget, KIND, type AccountObs, type ClosedObs, type UnitObs } from '../src/newmedia/observations.ts';
import type { AccountRecord } from '../src/newmedia/types.ts';

const HOME = 'http://www.qingshan.gov.cn/';
const IDS = ['new-media-stale', 'new-media-zombie', 'new-media-duplicate', 'new-media-registry', 'coverage-gap', 'consolidation'];

function account(id: number, rec: Partial<AccountRecord>, entries: DatedEvidence[], registryUpdated?: string): AccountObs {
  const a: AccountRecord = { unit: '青山市人民政府', name: `账号${id}`, platform: '微信', platformLabel: '微信', status: '正常', ...rec };
  return { ...a, id, target: accountTarget(a), freshness: judgeFreshness({ asOf: '2021-06-15', status: a.status, entries, ...(registryUpdated ? { registryUpdated } : {}) }) };
}
const post = (day: string): DatedEvidence => ({ source: 'post', day, observedAt: '2021-06-15T03:00:00Z' });

function ctx(obs: Observation[]): AuditContext {
  return {
    site: { url: HOME, host: 'www.qingshan.gov.cn', unitType: 'city' },
    asOf: '2021-06-15',
    pages: [],
    homepage: undefined,
    linkResults: new Map(),
    browser: { available: false, pages: new Map() },
    options: DEFAULT_CHECK_OPTIONS,
    observations: observationSet(obs),
  };
}

function gathered(accounts: AccountObs[], extra: Observation[] = [], unit: Partial<UnitObs> = {}): Observation[] {
  return [
    { kind: GATHER_STATUS_KIND, key: 'new-media', data: { status: 'ok' } },
    { kind: KIND.unit, key: 'unit', data: { unit: '青山市人民政府', matchedBy: 'name', registryLoaded: true, accounts: accounts.length, websites: 0, ...unit } },
    { kind: KIND.registry, key: 'accounts', data: { unit: '青山市人民政府', accounts } },
    { kind: KIND.known, key: 'sites', data: { sites: [{ url: HOME, source: 'sites-file' }] } },
    ...accounts.map((a) => ({ kind: KIND.account, key: String(a.id), data: a })),
    ...extra,
  ];
}

async function run(obs: Observation[]) {
  const checks = (await loadChecks()).filter((c) => IDS.includes(c.id));
  return runChecks(checks, ctx(obs));
}

function score(findings: ReturnType<typeof runChecks>['findings'], scopes: Record<string, CheckScope>) {
  return scoreAudit({ rubric: loadRubric('hunan-2021-city'), findings, profile: { unitType: 'city', hasPublicServices: true }, scopes });
}
const vetoItem = (r: ReturnType<typeof scoreAudit>, id: string) => r.veto.items!.find((i) => i.id === id)!;

describe('new-media checks', () => {
  it('every account verified fresh: no finding, clause 5 passes by machine, clause 6 still needs a reviewer', async () => {
    const out = await run(gathered([account(1, { name: '青山发布' }, [post('2021-06-12')]), account(2, { name: '指尖青山', platform: 'App', platformLabel: 'App' }, [post('2021-06-02')])]));
    expect(out.findings).toEqual([]);
    expect(out.scopes['new-media-stale']).toMatchObject({ status: 'checked', summary: '已核实「青山市人民政府」2/2 个账号的最新发布日期（粘贴的文章页面 2 个）：2 个两周内有更新' });
    const r = score(out.findings, out.scopes);
    expect(vetoItem(r, 'veto.new-media-health.5')).toMatchObject({ failed: false, pending: false });
    expect(vetoItem(r, 'veto.new-media-health.6')).toMatchObject({ failed: false, pending: true, pendingKind: 'manual' });
    expect(r.items.find((i) => i.id === 'supervision.new-media')!.deducted).toBe(0);
  });

  it('a missing date is 未核实, never stale: clause 5 stays pending with the account named', async () => {
    const out = await run(gathered([account(1, { name: '青山发布' }, [post('2021-06-12')]), account(2, { name: '青山政务' }, [], '2021-01-01')]));
    expect(out.findings.filter((f) => f.check === 'new-media-stale')).toEqual([]);
    expect(out.scopes['new-media-stale'].status).toBe('unverified');
    const r = score(out.findings, out.scopes);
    const v = vetoItem(r, 'veto.new-media-health.5');
    expect(v).toMatchObject({ failed: false, pending: true, pendingKind: 'unverified' });
    expect(v.pendingReason).toContain('「青山政务」（微信）');
    // The registry's old 最近更新 makes a zombie proposal, not a verdict.
    const z = out.findings.filter((f) => f.check === 'new-media-zombie');
    expect(z.map((f) => [f.evidence.basis, f.evidence.confirm])).toEqual([['registry', 'required']]);
    expect(vetoItem(r, 'veto.new-media-health.6')).toMatchObject({ failed: false, pending: true, pendingKind: 'awaiting' });
    expect(r.verdict).not.toMatch(/^合格/);
  });

  it('a verified stale account fails clause 5 even when another is unverified', async () => {
    const out = await run(gathered([account(1, { name: '青山发布' }, [post('2021-05-20')]), account(2, { name: '青山政务' }, [])]));
    expect(out.findings.filter((f) => f.check === 'new-media-stale').map((f) => f.evidence.newestDate)).toEqual(['2021-05-20']);
    const r = score(out.findings, out.scopes);
    expect(vetoItem(r, 'veto.new-media-health.5')).toMatchObject({ failed: true });
    expect(r.veto.failed).toBe(true);
  });

  it('duplicates: closed accounts and different 其他 platforms do not count', async () => {
    const out = await run(
      gathered([
        account(1, { name: '青山发布' }, [post('2021-06-12')]),
        account(2, { name: '青山旧号', status: '已注销' }, []),
        account(3, { name: '青山视频', platform: '其他', platformLabel: '视频号' }, [post('2021-06-12')]),
        account(4, { name: '青山百家', platform: '其他', platformLabel: '百家号', subject: '个人' }, [post('2021-06-12')]),
      ]),
    );
    const d = out.findings.filter((f) => f.check === 'new-media-duplicate');
    expect(d.map((f) => [f.evidence.kind, f.evidence.confirm ?? null])).toEqual([['person', null]]);
    expect(d[0].message).toBe('政务新媒体「青山百家」（百家号）以个人名义开设（认证主体：个人）。');
  });

  it('without the gatherer or the unit\'s registry the checks have not run (pending, no finding)', async () => {
    const none = await run([]);
    expect(none.findings).toEqual([]);
    for (const id of IDS) expect(none.scopes[id]).toMatchObject({ status: 'not-run' });
    const noUnit = await run(gathered([], [], { unit: undefined, reason: '名录中没有与本网站对应的单位' }));
    expect(noUnit.scopes['new-media-stale']).toMatchObject({ status: 'not-run', reason: '名录中没有与本网站对应的单位' });
    const r = score(noUnit.findings, noUnit.scopes);
    expect(vetoItem(r, 'veto.new-media-health.5')).toMatchObject({ pending: true, pendingKind: 'unverified' });
    expect(r.items.find((i) => i.id === 'supervision.coverage')!.pending).toBe(true);
  });

  it('consolidation: a timeout leaves the row 未核实; a redirect to the parent is fine', async () => {
    const closed = (state: string, url: string): Observation<ClosedObs> => ({
      kind: KIND.closed,
      key: url,
      data: { website: { unit: '青山市人民政府', url, status: '已关停' }, verdict: { state: state as never, detail: state }, fetchedAt: '2021-06-15T01:00:00Z' },
    });
    const out = await run(gathered([account(1, {}, [post('2021-06-12')])], [closed('redirected', 'http://a.example/'), closed('unverified', 'http://b.example/')]));
    expect(out.findings.filter((f) => f.check === 'consolidation')).toEqual([]);
    expect(out.scopes.consolidation).toMatchObject({ status: 'unverified', reason: 'http://b.example/：unverified' });
    const ok = await run(gathered([account(1, {}, [post('2021-06-12')])], [closed('redirected', 'http://a.example/'), closed('notice', 'http://c.example/')]));
    expect(ok.scopes.consolidation).toMatchObject({ status: 'checked' });
    const r = score(ok.findings, ok.scopes);
    expect(r.items.find((i) => i.id === 'supervision.consolidation')).toMatchObject({ deducted: 0, pending: false });
  });
});
