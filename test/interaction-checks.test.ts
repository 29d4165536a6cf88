/**
 * The 互动交流 checks over synthetic observations: exact findings, the precision rules (no "unanswered" without an
 * explicit signal, no "unpublished" from a list that could not be read), scopes, and what the scoring engine makes of
 * them (单否 waits for a reviewer; a confirmed finding fails it).
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHECK_OPTIONS, GATHER_STATUS_KIND, observationSet, type AuditContext, type Observation } from '../src/model.ts';
import { loadChecks, runChecks } from '../src/checks.ts';
import { loadRubric } from '../src/score/rubric.ts';
import { scoreAudit } from '../src/score/engine.ts';
import { validateManual } from '../src/score/manual.ts';
import { OBS, seededOrder, type ActivityObs, type ChannelObs, type InquiryObs, type LetterObs } from '../src/analyze/interaction/observations.ts';
import { openDatabase } from '../src/store/db.ts';
import { addInquiry, InquiryError, listInquiries, setInquiryReply, withInquiries } from '../src/inquiry/store.ts';
import { matchInquiry, titleSimilarity } from '../src/analyze/interaction/inquiries.ts';

const ASOF = '2021-06-15';
const SITE = 'http://www.qs.gov.cn/';
const IDS = ['interaction-channel', 'messages-unpublished', 'message-fields', 'messages-stale', 'message-statistics', 'message-unanswered', 'consultation-activities', 'inquiry-reply'];
const checks = (await loadChecks()).filter((c) => IDS.includes(c.id));

function channel(p: Partial<ChannelObs> & { url: string; text: string }): ChannelObs {
  return {
    kind: 'mailbox', group: 'consult', role: 'entry', foundOn: [SITE], host: 'www.qs.gov.cn', otherHost: false, opened: true, listRead: 'read',
    letters: 0, lettersInYear: 0, pagesRead: 1, details: { tried: 0, read: 0, failed: 0 }, requests: 1, errors: [], ...p,
  };
}

function letter(p: Partial<LetterObs> & { title: string }): LetterObs {
  const url = p.url ?? `${SITE}ly/${encodeURIComponent(p.title)}.html`;
  return { fields: {}, source: 'table', key: url, url, channel: `${SITE}szxx/`, channelText: '市长信箱', listUrl: `${SITE}szxx/`, ...p };
}

const full = (title: string, askedAt: string, repliedAt: string, extra: Partial<LetterObs> = {}) =>
  letter({
    title, askedAt, repliedAt, replyUnit: '市教育局', replyText: '您好，已办理。', replyBlock: 'filled', status: 'answered', statusText: '已回复', detailRead: true, recognized: 6,
    fields: { askedAt: { label: '来信时间', value: askedAt, snippet: `来信时间：${askedAt}` }, status: { label: '状态', value: '已回复', snippet: '状态：已回复' } },
    ...extra,
  });

function ctx(o: { channels?: ChannelObs[]; letters?: LetterObs[]; activities?: ActivityObs[]; stats?: boolean; inquiries?: InquiryObs[]; status?: 'ok' | 'partial' | 'skipped' | null }): AuditContext {
  const obs: Observation[] = [];
  if (o.status !== null) obs.push({ kind: GATHER_STATUS_KIND, key: 'interaction', data: { status: o.status ?? 'ok', stats: { pagesScanned: 40 } } });
  for (const c of o.channels ?? []) obs.push({ kind: OBS.channel, key: c.url, data: c });
  for (const l of o.letters ?? []) obs.push({ kind: OBS.letter, key: l.key, data: l });
  for (const a of o.activities ?? []) obs.push({ kind: OBS.activity, key: a.key, data: a });
  if (o.stats) obs.push({ kind: OBS.statistics, key: 's', data: { url: `${SITE}tj.html`, received: 10, answered: 9, kind: 'text', snippet: '共收到来信10件，已办结9件', where: 'page' } });
  for (const q of o.inquiries ?? []) obs.push({ kind: OBS.inquiry, key: String(q.id), data: q });
  return {
    site: { url: SITE, host: 'www.qs.gov.cn', unitType: 'city' }, asOf: ASOF, runId: 7, pages: [], homepage: undefined, linkResults: new Map(),
    browser: { available: false, pages: new Map() }, observations: observationSet(obs), options: DEFAULT_CHECK_OPTIONS,
  };
}

const board = channel({ url: `${SITE}szxx/`, text: '市长信箱' });

describe('interaction-channel', () => {
  it('none, e-mail only, online, unreadable, not run', () => {
    let r = runChecks(checks, ctx({ channels: [channel({ url: `${SITE}xf/`, text: '网上信访', kind: 'petition', group: 'special' })] }), new Set(['interaction-channel']));
    expect(r.findings).toMatchObject([{ target: 'channels:none', evidence: { rule: 'none', confirm: 'required' } }]);
    expect(r.findings[0].message).toContain('仅有「网上信访」等专门渠道');
    r = runChecks(checks, ctx({ channels: [channel({ url: 'mailto:sz@qs.gov.cn', text: '市长信箱', email: 'sz@qs.gov.cn', opened: false, listRead: 'not-applicable' })] }), new Set(['interaction-channel']));
    expect(r.findings).toMatchObject([{ target: 'channels:email-only', evidence: { rule: 'email-only', confirm: 'required' } }]);
    r = runChecks(checks, ctx({ channels: [board] }), new Set(['interaction-channel']));
    expect(r.findings).toEqual([]);
    expect(r.scopes['interaction-channel']).toMatchObject({ status: 'checked' });
    r = runChecks(checks, ctx({ channels: [{ ...board, opened: false, error: 'HTTP 500' }] }), new Set(['interaction-channel']));
    expect(r.scopes['interaction-channel']).toMatchObject({ status: 'unverified' });
    r = runChecks(checks, ctx({ status: null }), new Set(IDS));
    expect(r.findings).toEqual([]);
    for (const id of IDS) expect(r.scopes[id].status, id).toBe('not-run');
  });
});

describe('messages-unpublished', () => {
  it('an empty list deducts; no list found or an unreadable list is 未核实; published letters are fine', () => {
    let r = runChecks(checks, ctx({ channels: [{ ...board, listRead: 'empty', placeholder: '暂无信件' }] }), new Set(['messages-unpublished']));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].message).toBe('咨询建言类栏目对所有网民留言都未公开：「市长信箱」（页面显示「暂无信件」）。');
    expect(r.findings[0].evidence.unverified).toBeUndefined();
    r = runChecks(checks, ctx({ channels: [{ ...board, listRead: 'none' }] }), new Set(['messages-unpublished']));
    expect(r.findings[0].evidence.unverified).toBe(true);
    expect(r.scopes['messages-unpublished'].status).toBe('unverified');
    r = runChecks(checks, ctx({ channels: [{ ...board, listRead: 'unreadable', scriptList: true }] }), new Set(['messages-unpublished']));
    expect(r.findings).toEqual([]);
    expect(r.scopes['messages-unpublished'].reason).toContain('列表由脚本加载');
    r = runChecks(checks, ctx({ channels: [board], letters: [full('咨询入学', '2021-06-01', '2021-06-02')] }), new Set(['messages-unpublished']));
    expect(r.findings).toEqual([]);
  });
});

describe('message-fields', () => {
  it('one finding per missing item of a sampled letter; an unlabeled date on the page makes a missing date 未核实', () => {
    const letters = [
      full('咨询甲', '2021-06-01', '2021-06-02', { sampleRank: 1 }),
      full('咨询乙', '2021-05-01', '2021-05-06', { sampleRank: 2, replyUnit: undefined, replyText: undefined, replyBlock: 'partial' }),
      full('咨询丙', '2021-04-01', '2021-04-02', { sampleRank: 3, askedAt: undefined, otherDates: ['2021-03-30'] }),
      full('咨询丁', '2021-03-01', '2021-03-02', { repliedAt: undefined }), // not sampled
    ];
    const r = runChecks(checks, ctx({ channels: [board], letters }), new Set(['message-fields']));
    expect(r.findings.map((f) => [f.target, f.evidence.field, f.evidence.unverified ?? false])).toEqual([
      [`${SITE}ly/${encodeURIComponent('咨询乙')}.html#replyUnit`, '答复单位', false],
      [`${SITE}ly/${encodeURIComponent('咨询乙')}.html#replyText`, '答复内容', false],
      [`${SITE}ly/${encodeURIComponent('咨询丙')}.html#askedAt`, '留言时间', true],
    ]);
    expect(r.scopes['message-fields']).toMatchObject({ status: 'checked', stats: { sampled: 3, letters: 4 } });
    const none = runChecks(checks, ctx({ channels: [board], letters: [full('x', '2021-06-01', '2021-06-02', { detailRead: false })] }), new Set(['message-fields']));
    expect(none.scopes['message-fields'].status).toBe('unverified');
  });

  it('the sample order is fixed by the run id', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}` }));
    const a = seededOrder(items, (x) => x.key, 7).slice(0, 5);
    expect(seededOrder([...items].reverse(), (x) => x.key, 7).slice(0, 5)).toEqual(a);
    expect(seededOrder(items, (x) => x.key, 8).slice(0, 5)).not.toEqual(a);
  });
});

describe('messages-stale and message-statistics', () => {
  it('newest letter older than two months deducts; an unreadable board makes it 未核实', () => {
    const old = [full('咨询甲', '2021-03-01', '2021-04-10')];
    let r = runChecks(checks, ctx({ channels: [board], letters: old }), new Set(['messages-stale']));
    expect(r.findings).toMatchObject([{ detail: '最新留言日期 2021-04-10，早于 2021-04-15' }]);
    r = runChecks(checks, ctx({ channels: [board, channel({ url: `${SITE}zx/`, text: '在线咨询', opened: false, error: 'HTTP 502' })], letters: old }), new Set(['messages-stale']));
    expect(r.findings).toEqual([]);
    expect(r.scopes['messages-stale'].status).toBe('unverified');
    r = runChecks(checks, ctx({ channels: [board], letters: [full('咨询乙', '2021-04-01', '2021-04-16')] }), new Set(['messages-stale']));
    expect(r.findings).toEqual([]);
  });

  it('statistics missing is a confirm-required finding; found is checked', () => {
    let r = runChecks(checks, ctx({ channels: [board], letters: [full('a', '2021-06-01', '2021-06-02')] }), new Set(['message-statistics']));
    expect(r.findings).toMatchObject([{ target: 'messages:statistics', evidence: { confirm: 'required', pagesScanned: 40 } }]);
    r = runChecks(checks, ctx({ channels: [board], stats: true }), new Set(['message-statistics']));
    expect(r.findings).toEqual([]);
    expect(r.scopes['message-statistics'].summary).toContain('共收到来信10件');
  });
});

describe('message-unanswered (单否 6)', () => {
  const pending = (title: string, askedAt: string, kind: 'not-answered' | 'in-progress' = 'not-answered', extra: Partial<LetterObs> = {}) =>
    letter({ title, askedAt, status: 'pending', statusKind: kind, statusText: kind === 'in-progress' ? '办理中' : '待回复', fields: { status: { label: '处理情况', value: '待回复', snippet: '处理情况：待回复' } }, ...extra });

  it('flags only letters with an explicit signal, in the window (1 year to 3 months before as-of)', () => {
    const letters = [
      pending('咨询公积金提取', '2021-01-04'), // flagged: status
      pending('反映路灯', '2021-03-14', 'in-progress'), // flagged: in progress for over 3 months
      pending('咨询营业执照', '2021-03-16', 'in-progress'), // too recent
      pending('咨询复工证明', '2020-06-14'), // older than a year
      pending('测试', '2021-02-01', 'not-answered', { test: true }), // test letter
      full('关于未回复问题的说明', '2021-02-10', '2021-02-11'), // look-alike title, answered
      letter({ title: '咨询落户', askedAt: '2021-02-01', replyBlock: 'empty', detailRead: true, fields: { replyText: { label: '回复内容', value: '', snippet: '回复内容：' } } }), // flagged: empty reply block
      letter({ title: '咨询社保', askedAt: '2021-02-02', replyBlock: 'absent', detailRead: true }), // no reply found by the parser: not a signal
      letter({ title: '咨询医保', askedAt: '2021-02-03', replyBlock: 'empty', detailRead: true, status: 'answered', statusText: '已办结' }), // status wins
    ];
    const r = runChecks(checks, ctx({ channels: [board], letters }), new Set(['message-unanswered']));
    expect(r.findings.map((f) => [f.evidence.letter && (f.evidence.letter as { title: string }).title, f.evidence.signal, f.evidence.confirm])).toEqual([
      ['咨询公积金提取', 'status', 'required'],
      ['反映路灯', 'status', 'required'],
      ['咨询落户', 'empty-reply', 'required'],
    ]);
    expect(r.scopes['message-unanswered'].summary).toContain('测试信件 1 条未计入');
  });

  it('a board that publishes only answered letters: nothing found, and the scope says so', () => {
    const r = runChecks(checks, ctx({ channels: [board], letters: [full('a', '2021-01-01', '2021-01-05'), full('b', '2021-05-01', '2021-05-07')] }), new Set(['message-unanswered']));
    expect(r.findings).toEqual([]);
    expect(r.scopes['message-unanswered']).toMatchObject({ status: 'checked', stats: { latencyCount: 2, latencyMedian: 2, latencyOver5Share: 0 } });
    expect(r.scopes['message-unanswered'].summary).toContain('不能据此证明不存在未回应留言');
  });

  it('the 单否 sub-item waits for a reviewer, fails once confirmed, and stays pending when nothing is found', () => {
    const rubric = loadRubric('hunan-2021-city');
    const r = runChecks(checks, ctx({ channels: [board], letters: [pending('咨询公积金提取', '2021-01-04'), full('a', '2021-05-01', '2021-05-06')], stats: true }), new Set(IDS));
    const sub = (s: ReturnType<typeof scoreAudit>) => s.veto.items!.find((v) => v.id === 'veto.website-health.6')!;
    const profile = { unitType: 'city' as const, hasPublicServices: true };
    let s = scoreAudit({ rubric, findings: r.findings, scopes: r.scopes, profile });
    expect(sub(s)).toMatchObject({ failed: false, pending: true });
    expect(s.veto.failed).toBe(false);
    const f = r.findings.find((x) => x.check === 'message-unanswered')!;
    s = scoreAudit({ rubric, findings: r.findings, scopes: r.scopes, profile, manual: validateManual({ site: 'qs', rubric: 'hunan-2021-city', decisions: [{ check: f.check, url: f.url, target: f.target, action: 'confirm', reviewer: '张三' }] }) });
    expect(sub(s).failed).toBe(true);
    expect(s.veto.failed).toBe(true);
    const clean = runChecks(checks, ctx({ channels: [board], letters: [full('a', '2021-05-01', '2021-05-06', { sampleRank: 1 })], stats: true }), new Set(IDS));
    s = scoreAudit({ rubric, findings: clean.findings, scopes: clean.scopes, profile });
    expect(sub(s)).toMatchObject({ failed: false, pending: true });
    // 留言公开 1/3/4 and 信息提交 1/3 are decided by the machine.
    const item = s.items.find((i) => i.id === 'interaction.message-disclosure')!;
    expect(item.pendingRules).toEqual(['interaction.message-disclosure.2b', 'interaction.message-disclosure.5a', 'interaction.message-disclosure.5b']);
  });
});

describe('consultation-activities (征集调查 bonus proposals)', () => {
  const survey = channel({ url: `${SITE}zjdc/`, text: '征集调查', kind: 'survey', group: 'survey' });
  const act = (i: number, start: string, end: string, result: ActivityObs['result']): ActivityObs => ({ key: `a${i}`, channel: survey.url, title: `征集活动${i}`, url: `${SITE}zjdc/${i}.html`, start, end, result, fields: {}, source: 'list' });
  const pub = (at: string): ActivityObs['result'] => ({ state: 'published', at });

  it('≥ 6 activities → count proposal; all results within a month → results proposal', () => {
    const acts = [
      act(1, '2020-07-01', '2020-07-31', pub('2020-08-20')),
      act(2, '2020-09-01', '2020-09-30', pub('2020-10-30')),
      act(3, '2020-11-01', '2020-11-30', pub('2020-12-05')),
      act(4, '2021-01-10', '2021-02-09', pub('2021-02-25')),
      act(5, '2021-03-01', '2021-03-31', pub('2021-04-09')),
      act(6, '2021-05-20', '2021-06-30', { state: 'unknown' }), // ongoing: not due
      act(7, '2020-02-01', '2020-02-29', { state: 'none' }), // older than a year
    ];
    const r = runChecks(checks, ctx({ channels: [survey], activities: acts }), new Set(['consultation-activities']));
    expect(r.findings.map((f) => [f.target, f.evidence.rule, f.evidence.confirm, f.evidence.unverified ?? false])).toEqual([
      ['consultation:count', 'count', 'required', false],
      ['consultation:results', 'results', 'required', false],
    ]);
    expect(r.scopes['consultation-activities'].stats).toMatchObject({ activities: 6, due: 5, onTime: 5 });
  });

  it('a result missing or late → no results proposal; a result that could not be read → 未核实 proposal; fewer than 6 → none', () => {
    const base = [act(1, '2021-01-10', '2021-02-09', pub('2021-02-25')), act(2, '2021-03-01', '2021-03-31', pub('2021-04-09'))];
    let r = runChecks(checks, ctx({ channels: [survey], activities: [...base, act(3, '2020-11-01', '2020-11-30', { state: 'none' })] }), new Set(['consultation-activities']));
    expect(r.findings).toEqual([]);
    expect(r.scopes['consultation-activities'].summary).toContain('「征集活动3」未公开反馈结果');
    r = runChecks(checks, ctx({ channels: [survey], activities: [...base, act(3, '2020-11-01', '2020-11-30', pub('2021-01-05'))] }), new Set(['consultation-activities']));
    expect(r.findings).toEqual([]);
    r = runChecks(checks, ctx({ channels: [survey], activities: [...base, act(3, '2020-11-01', '2020-11-30', { state: 'unknown' })] }), new Set(['consultation-activities']));
    expect(r.findings).toMatchObject([{ target: 'consultation:results', evidence: { unverified: true } }]);
    r = runChecks(checks, ctx({ channels: [board] }), new Set(['consultation-activities']));
    expect(r.scopes['consultation-activities'].status).toBe('unverified');
  });
});

describe('inquiry-reply (模拟咨询)', () => {
  const q = (p: Partial<InquiryObs>): InquiryObs => ({ id: 1, site: 'qs', channel: `${SITE}szxx/`, askedAt: '2021-06-01 10:00', title: '咨询公租房', ...p });
  it('late by hand deducts at once; late by matching, none found, and fast replies wait for a reviewer', () => {
    const one = (inq: InquiryObs) => runChecks(checks, ctx({ inquiries: [inq] }), new Set(['inquiry-reply']));
    let r = one(q({ repliedAt: '2021-06-09 10:00', repliedBy: 'manual', latency: 6 }));
    expect(r.findings).toMatchObject([{ target: 'inquiry:1', evidence: { rule: 'late', latencyWorkdays: 6 } }]);
    expect(r.findings[0].evidence.confirm).toBeUndefined();
    r = one(q({ repliedAt: '2021-06-09', repliedBy: 'published', latency: 6 }));
    expect(r.findings[0].evidence).toMatchObject({ rule: 'late', confirm: 'required' });
    r = one(q({ repliedAt: '2021-06-02 09:00', repliedBy: 'published', latency: 1 }));
    expect(r.findings[0].evidence).toMatchObject({ rule: 'fast', confirm: 'required' });
    r = one(q({ repliedAt: '2021-06-04 09:00', repliedBy: 'manual', latency: 3 }));
    expect(r.findings).toEqual([]);
    expect(r.scopes['inquiry-reply'].status).toBe('checked');
    r = one(q({}));
    expect(r.findings[0].evidence).toMatchObject({ rule: 'late', workdaysWaited: 9, confirm: 'required' });
    r = one(q({ askedAt: '2021-06-10 10:00' }));
    expect(r.findings).toEqual([]);
    expect(r.scopes['inquiry-reply'].status).toBe('unverified');
    expect(runChecks(checks, ctx({}), new Set(['inquiry-reply'])).scopes['inquiry-reply'].status).toBe('not-run');
  });

  it('matching a published letter by title and day; the record store validates its input', () => {
    expect(titleSimilarity('咨询公租房申请条件', '咨询公租房申请条件？')).toBe(1);
    const letters = [full('咨询公租房申请条件', '2021-06-01', '2021-06-02', { repliedTime: '09:30' }), full('咨询公租房申请条件', '2021-05-01', '2021-05-02')];
    expect(matchInquiry({ id: 1, site: 's', channel: '', askedAt: '2021-06-01 10:00', title: '咨询公租房申请条件' }, letters)).toMatchObject({ askedAt: '2021-06-01', repliedAt: '2021-06-02 09:30' });
    expect(matchInquiry({ id: 1, site: 's', channel: '', askedAt: '2021-06-20 10:00', title: '咨询公租房申请条件' }, letters)).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-inq-'));
    const db = openDatabase(path.join(dir, 'i.db'));
    try {
      const rec = addInquiry(db, { site: 'http://www.qs.gov.cn/', channel: 'http://www.qs.gov.cn/szxx/', askedAt: '2021-6-1 9:05', title: ' 咨询公租房 ' });
      expect(rec).toMatchObject({ id: 1, site: 'qs.gov.cn:80', askedAt: '2021-06-01 09:05', title: '咨询公租房' });
      expect(() => addInquiry(db, { site: 'qs', channel: 'ftp://x', askedAt: '2021-06-01 10:00', title: 'x' })).toThrow(InquiryError);
      expect(() => addInquiry(db, { site: 'qs', channel: 'http://x/', askedAt: '2021-02-30 10:00', title: 'x' })).toThrow(/YYYY-MM-DD HH:MM/);
      expect(() => setInquiryReply(db, 1, '2021-05-31 10:00')).toThrow(/早于提问时间/);
      expect(setInquiryReply(db, 1, '2021-06-02 10:00').repliedAt).toBe('2021-06-02 10:00');
      expect(listInquiries(db, ['http://www.qs.gov.cn/x'])).toHaveLength(1);
      expect(listInquiries(db, ['other'])).toHaveLength(0);
      expect(withInquiries(db, ['qs.gov.cn:80'], { interaction: { budget: 50 } })).toMatchObject({ interaction: { budget: 50, inquiries: [{ id: 1 }] } });
      expect(withInquiries(db, ['other'], undefined)).toBeUndefined();
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
