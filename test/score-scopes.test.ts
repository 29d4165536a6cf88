/**
 * Verdicts an inspector can sign: what the checks examined (scopes) and machine-assisted findings (confirm-required)
 * in the scoring engine. Unmeasured is not passed; a proposal is not a deduction until a reviewer confirms it.
 */
import { describe, it, expect } from 'vitest';
import type { CheckScope, Finding } from '../src/model.ts';
import { loadRubric, parseRubric } from '../src/score/rubric.ts';
import { scoreAudit, withDecisions } from '../src/score/engine.ts';
import { validateManual } from '../src/score/manual.ts';
import { findingsOf, runChecks } from '../src/checks.ts';
import availability from '../checks/availability.ts';
import ipv6 from '../checks/ipv6.ts';
import type { AuditContext } from '../src/model.ts';
import { DEFAULT_CHECK_OPTIONS } from '../src/model.ts';

const city = loadRubric('hunan-2021-city');
const CITY = { unitType: 'city' as const, hasPublicServices: true };
const HOME = 'https://www.example.gov.cn/';

const f = (check: string, extra: Partial<Finding> = {}): Finding => ({ check, url: HOME, message: `${check} 问题`, evidence: {}, ...extra });
const veto = (r: ReturnType<typeof scoreAudit>, id: string) => r.veto.items!.find((i) => i.id === id)!;
const item = (r: ReturnType<typeof scoreAudit>, id: string) => r.items.find((i) => i.id === id)!;

/** Every check of the city rubric examined what it needed, except the ones overridden. */
function scopes(over: Record<string, CheckScope> = {}): Record<string, CheckScope> {
  const ids = ['availability', 'broken-link', 'date-format', 'domain', 'empty-column', 'error-report-entry', 'footer-conac-badge', 'footer-contact',
    'footer-icp', 'footer-police-filing', 'footer-site-code', 'footer-sponsor', 'homepage-stale', 'ipv6', 'page-tags', 'required-column', 'site-name',
    'source-label', 'stale-column'];
  return { ...Object.fromEntries(ids.map((id) => [id, { status: 'checked', summary: `已检测 ${id}` } as CheckScope])), ...over };
}

function ctx(over: Partial<AuditContext> = {}): AuditContext {
  return {
    site: { url: HOME, host: 'www.example.gov.cn', unitType: 'city' },
    asOf: '2021-06-15',
    pages: [],
    homepage: undefined,
    linkResults: new Map(),
    browser: { available: false, pages: new Map() },
    options: DEFAULT_CHECK_OPTIONS,
    ...over,
  };
}

describe('availability veto: unmeasured is not passed', () => {
  it('no probes: the clause is 待监测 and the verdict cannot be 合格, even with every manual clause filled', () => {
    const out = runChecks([availability], ctx());
    expect(out.findings).toEqual([]);
    expect(out.scopes.availability).toMatchObject({ status: 'not-run' });
    const allManualClear = validateManual({
      site: HOME,
      rubric: city.id,
      items: city.veto.flatMap((g) => g.subItems.filter((s) => s.manual).map((s) => ({ rule: s.id, veto: false }))),
    });
    const r = scoreAudit({ rubric: city, findings: [], profile: CITY, manual: allManualClear, scopes: scopes({ availability: out.scopes.availability }) });
    const v = veto(r, 'veto.website-health.2');
    expect(v).toMatchObject({ failed: false, pending: true, pendingKind: 'unverified' });
    expect(v.pendingReason).toContain('待监测');
    expect(r.verdict).toMatch(/^待定/);
    expect(r.verdict).toContain('未核实');
    expect(r.provisional).toBe(true);
  });

  it('an incomplete or thin week is 待监测 whatever its ratio', () => {
    const a = { site: 's', week: '2021-W24', probes: 60, failures: 1, ratio: 1 / 60, veto: false, insufficientDays: 5, notMeasuredHours: 0 };
    const out = runChecks([availability], ctx({ availability: a }));
    expect(out.scopes.availability.status).toBe('unverified');
    const r = scoreAudit({ rubric: city, findings: out.findings, profile: CITY, scopes: scopes({ availability: out.scopes.availability }) });
    expect(veto(r, 'veto.website-health.2')).toMatchObject({ failed: false, pending: true, pendingKind: 'unverified' });
    // ≥ 5 % on a thin week: an unverified finding, still not a veto
    const hi = runChecks([availability], ctx({ availability: { ...a, failures: 6, ratio: 0.1, veto: true } }));
    const r2 = scoreAudit({ rubric: city, findings: hi.findings, profile: CITY, scopes: scopes({ availability: hi.scopes.availability }) });
    expect(veto(r2, 'veto.website-health.2')).toMatchObject({ failed: false, pending: true });
    expect(r2.veto.failed).toBe(false);
  });

  it('a complete, fully sampled week at ≥ 5 % fails the site; below 5 % passes the clause with what was measured', () => {
    const full = { site: 's', week: '2021-W23', probes: 168, failures: 9, ratio: 9 / 168, veto: true, insufficientDays: 0, notMeasuredHours: 0 };
    const out = runChecks([availability], ctx({ availability: full }));
    const r = scoreAudit({ rubric: city, findings: out.findings, profile: CITY, scopes: scopes({ availability: out.scopes.availability }) });
    expect(veto(r, 'veto.website-health.2').failed).toBe(true);
    expect(r.verdict).toBe('不合格');
    const ok = runChecks([availability], ctx({ availability: { ...full, failures: 2, ratio: 2 / 168, veto: false } }));
    expect(ok.scopes.availability).toMatchObject({ status: 'checked' });
    expect(ok.scopes.availability.summary).toContain('168');
    const r3 = scoreAudit({ rubric: city, findings: ok.findings, profile: CITY, scopes: scopes({ availability: ok.scopes.availability }) });
    expect(veto(r3, 'veto.website-health.2')).toMatchObject({ failed: false, pending: false });
  });
});

describe('machine rules whose checks could not decide stay pending (未核实), never 未扣分', () => {
  it('IPv6 not executed: 未核实 with the reason; checked with no finding: 未扣分 with what was examined', () => {
    const out = runChecks([ipv6], ctx());
    expect(out.scopes.ipv6.status).toBe('not-run');
    const r = scoreAudit({ rubric: city, findings: [], profile: CITY, scopes: scopes({ ipv6: out.scopes.ipv6 }) });
    const it6 = item(r, 'function.ipv6');
    expect(it6.pending).toBe(true);
    expect(it6.unverifiedRules?.[0].reason).toContain('IPv6 检测未执行');
    expect(it6.explain).toContain('未核实');
    const name = item(r, 'function.site-name');
    expect(name.pending).toBe(false);
    expect(name.explain).toBe('网站名称 未扣分：已检测 site-name，未发现问题');
    expect(name.checked).toEqual(['已检测 site-name']);
  });

  it('a check missing from a run with scopes is not-run; runs stored before scopes trust findings alone', () => {
    const partial = scopes();
    delete partial['footer-icp'];
    const r = scoreAudit({ rubric: city, findings: [], profile: CITY, scopes: partial });
    expect(item(r, 'function.site-identity').pending).toBe(true);
    const legacy = scoreAudit({ rubric: city, findings: [], profile: CITY });
    expect(item(legacy, 'function.site-identity').pending).toBe(false);
    expect(item(legacy, 'function.ipv6').pending).toBe(false);
    // …but a check that did not exist when the run was stored did not run: its rows stay pending, its veto undecided
    const nm = veto(legacy, 'veto.new-media-health.5');
    expect(nm.failed).toBe(false);
    expect(nm.pending).toBe(true);
  });

  it('a veto trigger with only unverified findings that would reach the threshold is 未核实, not passed', () => {
    const unsure = f('homepage-stale', { evidence: { unverified: true } });
    const r = scoreAudit({ rubric: city, findings: [unsure], profile: CITY, scopes: scopes() });
    expect(veto(r, 'veto.website-health.3')).toMatchObject({ failed: false, pending: true, pendingKind: 'unverified' });
  });
});

describe('confirm-required findings (machine-assisted): 待确认 until a reviewer decides', () => {
  const RUBRIC = parseRubric(`
id: test-assisted
title: t
unitType: city
totals: { base: 4, bonus: 2 }
level1: [{ name: 互动交流, points: 4 }]
veto:
  - id: veto.w
    level1: 健康状况
    level2: 政府网站健康状况
    text: 6.超过3个月未回应有效留言
    subItems:
      - id: veto.w.6
        text: 超过3个月未回应有效留言
        manual: true
        triggers:
          - label: 超过3个月未回应的留言
            sources: [{ check: message-unanswered }]
items:
  - id: i.disclosure
    level1: 互动交流
    level2: 留言公开
    max: 4
    text: 未公开的扣分
    rules:
      - { id: i.disclosure.1, text: 未公开留言时间等，每处扣1分, deduct: 1, mode: per-occurrence, sources: [{ check: message-fields }] }
bonus:
  level1: 加分项
  ceiling: 2
  items:
    - id: b.survey
      level2: 征集调查
      max: 2
      text: 开展活动超过6次得1分
      rules:
        - { id: b.survey.1, text: 开展活动超过6次得1分, points: 1, mode: fixed, sources: [{ check: consultation-activities }] }
        - { id: b.survey.2, text: 均公开反馈结果得1分, points: 1, mode: fixed }
`, 'inline', { knownChecks: null });
  const sc = (over: Record<string, CheckScope> = {}) => ({
    'message-unanswered': { status: 'checked', summary: '已读取留言 120 条' } as CheckScope,
    'message-fields': { status: 'checked', summary: '抽查留言 5 条' } as CheckScope,
    'consultation-activities': { status: 'checked', summary: '征集调查 7 次' } as CheckScope,
    ...over,
  });
  const unanswered = f('message-unanswered', { target: 'https://x/letter/1', evidence: { confirm: 'required' } });
  const fields = f('message-fields', { target: 'https://x/letter/2', evidence: { confirm: 'required' } });
  const award = f('consultation-activities', { evidence: { confirm: 'required', count: 7 } });

  it('an unconfirmed unanswered letter neither fails nor passes the veto; the score is provisional; nothing is deducted', () => {
    const r = scoreAudit({ rubric: RUBRIC, findings: [unanswered, fields, award], profile: CITY, scopes: sc() });
    expect(veto(r, 'veto.w.6')).toMatchObject({ failed: false, pending: true, pendingKind: 'awaiting' });
    expect(r.verdict).toContain('待确认');
    const it1 = item(r, 'i.disclosure');
    expect(it1).toMatchObject({ deducted: 0, awaiting: 1 });
    expect(it1.explain).toContain('待确认');
    expect(r.bonusItems[0]).toMatchObject({ awarded: 0, awaiting: 1, pending: true });
    expect(r.provisional).toBe(true);
    expect(r.unconfirmed).toHaveLength(3);
  });

  it('confirmed: the veto fails, the deduction and the award count; JSON findings carry the decision', () => {
    const m = validateManual({
      site: HOME,
      rubric: RUBRIC.id,
      reviewer: '张三',
      decisions: [
        { key: `message-unanswered|${HOME}|https://x/letter/1`, action: 'confirm' },
        { key: `message-fields|${HOME}|https://x/letter/2`, action: 'confirm' },
        { key: `consultation-activities|${HOME}|`, action: 'confirm' },
      ],
    });
    const r = scoreAudit({ rubric: RUBRIC, findings: [unanswered, fields, award], profile: CITY, scopes: sc(), manual: m });
    expect(veto(r, 'veto.w.6').failed).toBe(true);
    expect(r.verdict).toBe('不合格');
    expect(item(r, 'i.disclosure').deducted).toBe(1);
    expect(r.bonusItems[0].awarded).toBe(1);
    expect(r.decisions?.map((d) => [d.check, d.action, d.reviewer])).toEqual([
      ['message-unanswered', 'confirm', '张三'],
      ['message-fields', 'confirm', '张三'],
      ['consultation-activities', 'confirm', '张三'],
    ]);
    const shown = withDecisions([unanswered, fields, award, f('broken-link')], r);
    expect(shown.map((x) => x.evidence.confirm)).toEqual(['confirmed', 'confirmed', 'confirmed', undefined]);
  });

  it('a rejected proposal drops out; the veto then needs the reviewer to pass it (manual + triggers)', () => {
    const m = validateManual({ site: HOME, rubric: RUBRIC.id, decisions: [{ key: `message-unanswered|${HOME}|https://x/letter/1`, action: 'reject', reason: '已在线下回复' }] });
    const r = scoreAudit({ rubric: RUBRIC, findings: [unanswered], profile: CITY, scopes: sc(), manual: m });
    const v = veto(r, 'veto.w.6');
    expect(v).toMatchObject({ failed: false, pending: true, pendingKind: 'manual' });
    expect(v.pendingReason).toContain('已读取留言 120 条');
    const m2 = validateManual({ site: HOME, rubric: RUBRIC.id, items: [{ rule: 'veto.w.6', veto: false }] });
    expect(veto(scoreAudit({ rubric: RUBRIC, findings: [], profile: CITY, scopes: sc(), manual: m2 }), 'veto.w.6').pending).toBe(false);
  });

  it('bonus: no proposal and the check examined → not awarded (not pending); check not run → 未核实', () => {
    const r = scoreAudit({ rubric: RUBRIC, findings: [], profile: CITY, scopes: sc() });
    expect(r.bonusItems[0].awarded).toBe(0);
    expect(r.bonusItems[0].explain).toContain('第1条 不得分');
    expect(r.bonusItems[0].unverifiedRules).toBeUndefined();
    const r2 = scoreAudit({ rubric: RUBRIC, findings: [], profile: CITY, scopes: sc({ 'consultation-activities': { status: 'not-run', reason: '未找到征集调查渠道' } }) });
    expect(r2.bonusItems[0].unverifiedRules?.[0]).toEqual({ rule: 'b.survey.1', reason: '未找到征集调查渠道' });
    expect(r2.bonusItems[0].explain).toContain('未核实（未找到征集调查渠道）');
  });

  it('checks with confirm: required metadata get evidence.confirm stamped by the runner', () => {
    const chk = { id: 'x-assisted', title: 't', description: 'd', confirm: 'required' as const, run: () => [f('x-assisted')] };
    expect(findingsOf(chk, ctx())[0].evidence.confirm).toBe('required');
  });
});
