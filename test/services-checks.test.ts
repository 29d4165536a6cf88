import { describe, expect, it } from 'vitest';
import { makeContext, makePage } from './helpers/page.ts';
import { runChecks } from '../src/checks.ts';
import { observationSet, GATHER_STATUS_KIND, type AuditContext, type Check, type GatherStatus, type Observation } from '../src/model.ts';
import { readGuideHtml, readGuideJson } from '../src/analyze/services/guide.ts';
import { identitySystem } from '../src/analyze/services/login.ts';
import { staticCompatMarkers } from '../src/analyze/services/compat.ts';
import { sampleSet } from '../src/analyze/services/observed.ts';
import { COMPAT_KIND, SERVICE_KINDS, type CompatObs, type EntryObs, type GuideObs, type HallObs, type ItemObs, type LoginObs } from '../src/analyze/services/types.ts';
import serviceEntry from '../checks/service-entry.ts';
import guideMissing from '../checks/guide-missing.ts';
import guideElements from '../checks/guide-elements.ts';
import guideMaterialFormat from '../checks/guide-material-format.ts';
import guideVague from '../checks/guide-vague.ts';
import formsMissing from '../checks/forms-missing.ts';
import serviceClassification from '../checks/service-classification.ts';
import unifiedLogin from '../checks/unified-login.ts';
import browserCompat from '../checks/browser-compat.ts';

const S = 'http://www.qingshan.gov.cn';
const P = 'https://zwfw-new.hunan.gov.cn';
const HOME = makePage(`${S}/`, '<html><body><a href="/bsfw/">办事服务</a></body></html>', { isHomepage: true });

type Obs = Observation;
const status = (id: string, s: GatherStatus): Obs => ({ kind: GATHER_STATUS_KIND, key: id, data: s });
const ok = (summary = '办事入口 1 个', stats: Record<string, number> = {}): Obs => status('services', { status: 'ok', summary, stats });
const o = (kind: string, key: string, data: unknown): Obs => ({ kind, key, data });

function ctx(obs: Obs[], over: Partial<AuditContext> & { unitType?: 'city' | 'provincial' } = {}): AuditContext {
  const { unitType, ...rest } = over;
  return makeContext([HOME], { observations: observationSet(obs), runId: 7, site: { unitType: unitType ?? 'city' }, ...rest });
}

function run(c: Check, cx: AuditContext) {
  const r = runChecks([c], cx);
  expect(r.errors).toEqual({});
  return { findings: r.findings, scope: r.scopes[c.id] };
}

const entry = (target: string, over: Partial<EntryObs> = {}): Obs =>
  o(SERVICE_KINDS.entry, target, { page: `${S}/`, target, text: '网上办事大厅', kind: 'entry', inFooter: false, outcome: 'ok', where: 'site', ...over } satisfies EntryObs);
const item = (name: string, guideUrl: string | undefined, over: Partial<ItemObs> = {}): Obs => {
  const key = `${name}|${guideUrl ?? ''}`;
  return o(SERVICE_KINDS.item, key, { name, key, listedOn: `${S}/bsfw/`, where: 'site', ...(guideUrl ? { guideUrl } : {}), ...over } satisfies ItemObs);
};
const hall = (url: string, over: Partial<HallObs> = {}): Obs => o(SERVICE_KINDS.hall, url, { url, where: 'site', via: 'html', ok: true, items: 3, categories: {}, ...over } satisfies HallObs);
const guideObs = (g: Partial<GuideObs> & { url: string }): Obs => o(SERVICE_KINDS.guide, g.url, { key: g.url, where: 'site', via: 'html', ok: true, items: [], ...g } satisfies GuideObs);

const TABLE = (rows: [string, string][]) => `<html><head><title>某事项办事指南</title></head><body><h1>某事项办事指南</h1><table>${rows.map(([l, v]) => `<tr><td>${l}</td><td>${v}</td></tr>`).join('')}</table></body></html>`;
const COMPLETE: [string, string][] = [
  ['事项名称', '某事项'], ['设定依据', '《某条例》第三条'], ['申请条件', '年满18周岁'], ['办理材料', '<ol><li>身份证原件1份</li><li>户口簿复印件1份</li></ol>'],
  ['办理地点', '市政务服务中心一楼'], ['办理机构', '市某局'], ['收费标准', '不收费'], ['办理时间', '工作日9:00-17:00'], ['联系电话', '0739-1234567'], ['办理流程', '申请—受理—办结'],
];

describe('scopes: the gatherer not run, skipped for a unit without services, failed', () => {
  const all = [serviceEntry, guideMissing, guideElements, guideMaterialFormat, guideVague, serviceClassification, unifiedLogin];
  it('not run → not-run; skipped (无对外服务职能) → not-run with its reason; failed → unverified', () => {
    for (const c of all) {
      expect(run(c, ctx([])).scope).toEqual({ status: 'not-run', reason: '未运行办事服务采集（services），未检查办事服务' });
      expect(run(c, ctx([status('services', { status: 'skipped', reason: '本单位无对外服务职能，不考核办事服务' })])).scope).toEqual({ status: 'not-run', reason: '本单位无对外服务职能，不考核办事服务' });
      expect(run(c, ctx([status('services', { status: 'failed', reason: '采集程序出错：x' })])).scope).toEqual({ status: 'unverified', reason: '采集程序出错：x' });
    }
    expect(run(formsMissing, ctx([ok()])).scope).toEqual({ status: 'not-run', reason: '市州指标无表格样式一项' });
    expect(run(browserCompat, ctx([])).scope.status).toBe('not-run');
  });
});

describe('service-entry (confirm-required)', () => {
  it('no entry and no item: one finding awaiting confirmation', () => {
    const { findings, scope } = run(serviceEntry, ctx([ok('办事入口 0 个')]));
    expect(findings.map((f) => [f.url, f.target, f.evidence.confirm])).toEqual([[`${S}/`, `${S}/#service-entry`, 'required']]);
    expect(findings[0].message).toContain('疑似未提供办事服务');
    expect(scope.status).toBe('checked');
  });

  it('every entry broken: a finding; one entry working, or items found: none', () => {
    const broken = [entry(`${S}/bsfw/`, { outcome: 'broken', status: 404 }), entry(`${P}/hnzwfw/1/5/439900/index.htm`, { outcome: 'broken', error: 'dns', where: 'platform' })];
    expect(run(serviceEntry, ctx([ok(), ...broken])).findings.map((f) => f.detail)).toEqual([
      `办事服务入口 2 个均无法打开：「网上办事大厅」${S}/bsfw/（404）；「网上办事大厅」${P}/hnzwfw/1/5/439900/index.htm（dns）`,
    ]);
    expect(run(serviceEntry, ctx([ok(), broken[0], entry(`${S}/zwfw/`)])).findings).toEqual([]);
    expect(run(serviceEntry, ctx([ok(), ...broken, item('甲', `${S}/g/1.html`)])).findings).toEqual([]);
  });
});

describe('guide-missing', () => {
  const url = (n: number) => `${S}/bsfw/bszn/${n}.html`;
  it('an item without a guide link, a 404 guide, a page with no element; a timeout and a script-only page are unverified', () => {
    const obs = [
      ok(),
      item('无指南事项', undefined, { applyUrl: `${P}/apply.html?id=1` }),
      item('指南已删除', url(2)),
      item('不是指南', url(3)),
      item('超时', url(4)),
      item('脚本生成', url(5)),
      item('正常', url(6)),
      guideObs({ url: url(2), ok: false, status: 404, error: 'http-404', via: 'none' }),
      guideObs({ url: url(3), reading: readGuideHtml('<html><body><p>欢迎访问</p></body></html>', url(3)) }),
      guideObs({ url: url(4), ok: false, error: 'timeout', via: 'none' }),
      guideObs({ url: url(5), dynamic: true, reading: readGuideHtml('<html><body><div id="app"></div><script src="/a.js"></script></body></html>', url(5)) }),
      guideObs({ url: url(6), reading: readGuideHtml(TABLE(COMPLETE), url(6)) }),
    ];
    const { findings, scope } = run(guideMissing, ctx(obs));
    expect(findings.map((f) => [f.evidence.item, f.target, !!f.evidence.unverified])).toEqual([
      ['无指南事项', `${S}/bsfw/#无指南事项`, false],
      ['指南已删除', url(2), false],
      ['不是指南', url(3), false],
      ['超时', url(4), true],
      ['脚本生成', url(5), true],
    ]);
    expect(scope.summary).toBe('办事事项 6 个，其中有办事指南链接 5 个；按检查细则随机抽查办事事项 5 个计分（共 6 个，其余的问题列出备查、不扣分）');
    expect(findings.filter((f) => f.evidence.sampled).length).toBeLessThanOrEqual(5);
    // The same item listed elsewhere with its guide is not "without a guide".
    expect(run(guideMissing, ctx([ok(), item('甲', undefined), item('甲', url(6)), guideObs({ url: url(6), reading: readGuideHtml(TABLE(COMPLETE), url(6)) })])).findings).toEqual([]);
  });

  it('no item list at all: unverified', () => {
    expect(run(guideMissing, ctx([ok()])).scope).toEqual({ status: 'unverified', reason: '未找到办事事项列表，无法检查办事指南是否齐全' });
  });
});

describe('guide-elements', () => {
  const g = (url: string, rows: [string, string][], where: 'site' | 'platform' = 'site') => guideObs({ url, where, reading: readGuideHtml(TABLE(rows), url), items: ['某事项'] });
  it('one finding per missing or empty element per guide; "无" is present; platform guides say where they live', () => {
    const rows = COMPLETE.filter(([l]) => l !== '收费标准' && l !== '办理时间').concat([['办理时限', '3个工作日'], ['办理地点', '']]);
    const noFee = COMPLETE.map(([l, v]) => [l, l === '收费标准' ? '无' : v] as [string, string]);
    const obs = [ok(), g(`${S}/g/1.html`, rows), g(`${P}/guide.html?id=2`, COMPLETE.filter(([l]) => l !== '联系电话'), 'platform'), g(`${S}/g/3.html`, noFee)];
    const { findings, scope } = run(guideElements, ctx(obs));
    expect(findings.map((f) => [f.target, f.evidence.state, f.evidence.confirm ?? null])).toEqual([
      [`${S}/g/1.html#fee`, 'missing', null],
      [`${S}/g/1.html#hours`, 'missing', null],
      [`${P}/guide.html?id=2#phone`, 'missing', null],
    ]);
    expect(findings[1].detail).toBe('未找到「办理时间」（仅有办理时限「3个工作日」，办理时限不是办理时间）');
    expect(findings[0].message).toBe('办事指南「某事项」缺少「收费标准」（本站指南）。');
    expect(findings[2].message).toBe('办事指南「某事项」缺少「联系电话」（政务服务平台上的指南，全省共用，问题在平台侧）。');
    expect(scope.summary).toBe('已读取办事指南 3 / 3 个（本站 2 个、平台 1 个）；办事指南不足 5 个，全部计分');
  });

  it('a label left empty is reported as empty', () => {
    const rows = COMPLETE.map(([l, v]) => [l, l === '办理地点' ? '' : v] as [string, string]);
    const f = run(guideElements, ctx([ok(), g(`${S}/g/1.html`, rows)])).findings;
    expect(f.map((x) => [x.target, x.evidence.state, x.detail])).toEqual([[`${S}/g/1.html#location`, 'empty', '「办理地点」一栏为空']]);
  });

  it('a missing element whose word still appears in the guide waits for a reviewer', () => {
    const rows: [string, string][] = [...COMPLETE.filter(([l]) => l !== '收费标准'), ['备注', '本事项免费办理']];
    const f = run(guideElements, ctx([ok(), g(`${S}/g/1.html`, rows)])).findings;
    expect(f.map((x) => [x.target, x.evidence.confirm])).toEqual([[`${S}/g/1.html#fee`, 'required']]);
    expect(f[0].evidence.hint).toContain('本事项免费办理');
    expect(f[0].detail).toContain('可能以其他标签列出，需人工确认');
  });

  it('counts once per guide however many pages link it, and scores a seeded sample of 5 guides', () => {
    const many = Array.from({ length: 8 }, (_, i) => g(`${S}/g/${i}.html`, COMPLETE.filter(([l]) => l !== '收费标准')));
    const { findings } = run(guideElements, ctx([ok(), ...many, ...many]));
    expect(findings.length).toBe(8);
    expect(findings.filter((f) => f.evidence.sampled).length).toBe(5);
    const again = run(guideElements, ctx([ok(), ...many])).findings.filter((f) => f.evidence.sampled).map((f) => f.url);
    expect(again).toEqual(findings.filter((f) => f.evidence.sampled).map((f) => f.url));
    expect([...sampleSet(['a', 'b', 'c'], 1)]).toEqual(['a', 'b', 'c']);
  });

  it('JSON guides: fields absent are missing, "" is empty; no readable guide → unverified', () => {
    const url = `${P}/guide.html?id=9`;
    const reading = readGuideJson({ data: { taskName: '某事项', according: '某条例', acceptanceCondition: '无', deptName: '某局', transactTime: '', linkTel: '1', chargeStandard: '无', transactAddr: '一楼', handleFlow: '申请', materialList: [] } }, url);
    const f = run(guideElements, ctx([ok(), guideObs({ url, where: 'platform', via: 'json', reading })])).findings;
    expect(f.map((x) => [x.target, x.evidence.state])).toEqual([
      [`${url}#materials`, 'empty'],
      [`${url}#hours`, 'empty'],
    ]);
    expect(run(guideElements, ctx([ok(), guideObs({ url, ok: false, via: 'none' })])).scope).toEqual({ status: 'unverified', reason: '办事指南均未能读取' });
  });
});

describe('guide-material-format, guide-vague, forms-missing', () => {
  it('one finding per guide with unclear materials, listing each', () => {
    const url = `${S}/g/1.html`;
    const rows = COMPLETE.map(([l, v]) => [l, l === '办理材料' ? '<ol><li>身份证原件1份</li><li>结婚证</li><li>营业执照2份</li><li>近期免冠照片2张</li></ol>' : v] as [string, string]);
    const f = run(guideMaterialFormat, ctx([ok(), guideObs({ url, reading: readGuideHtml(TABLE(rows), url) })])).findings;
    expect(f.map((x) => [x.target, x.detail])).toEqual([[`${url}#materials`, '「结婚证」未说明原件/复印件（纸质/电子）和份数；「营业执照2份」未说明原件/复印件（纸质/电子）']]);
    expect(run(guideMaterialFormat, ctx([ok(), guideObs({ url, reading: readGuideHtml(TABLE(COMPLETE), url) })])).findings).toEqual([]);
  });

  it('one finding per vague phrase per guide, quoted; 设定依据 quoting 有关部门 is not vague', () => {
    const url = `${S}/g/1.html`;
    const rows = COMPLETE.map(([l, v]) => [l, l === '办理材料' ? '<ol><li>身份证原件1份</li><li>其他相关材料原件1份</li></ol>' : l === '设定依据' ? '国务院有关部门规定' : l === '办理流程' ? '经相关部门审核后办结' : v] as [string, string]);
    const f = run(guideVague, ctx([ok(), guideObs({ url, reading: readGuideHtml(TABLE(rows), url) })])).findings;
    expect(f.map((x) => [x.target, x.evidence.phrase, x.evidence.part])).toEqual([
      [`${url}#vague:其他相关材料`, '其他相关材料', '办理材料'],
      [`${url}#vague:相关部门`, '相关部门', '办理流程'],
    ]);
  });

  it('forms-missing (省直): a form to fill without a download or channel; a form id in the platform JSON is a channel', () => {
    const url = `${P}/guide.html?id=1`;
    const json = (m: Record<string, unknown>) => ({ data: { taskName: '某许可', according: '某条例', acceptanceCondition: '企业', materialList: [{ materialName: '某许可申请表', materialType: '原件', num: 1, ...m }] } });
    const without = readGuideJson(json({}), url);
    const withId = readGuideJson(json({ blankTableFileId: 'a81f0c' }), url);
    const f = run(formsMissing, ctx([ok(), guideObs({ url, where: 'platform', via: 'json', reading: without })], { unitType: 'provincial' })).findings;
    expect(f.map((x) => [x.target, x.message])).toEqual([[`${url}#form:某许可申请表`, '办事指南「某许可」要求提供「某许可申请表」，但未提供表格获取渠道（政务服务平台上的指南，全省共用，问题在平台侧）。']]);
    expect(run(formsMissing, ctx([ok(), guideObs({ url, where: 'platform', via: 'json', reading: withId })], { unitType: 'provincial' })).findings).toEqual([]);
  });
});

describe('service-classification', () => {
  it('items on halls without 个人/法人, 主题 or 部门: one finding; with categories, or too few items: none', () => {
    const items = ['甲', '乙', '丙'].map((n, i) => item(n, `${S}/g/${i}.html`));
    const f = run(serviceClassification, ctx([ok(), hall(`${S}/bsfw/`), ...items])).findings;
    expect(f.map((x) => [x.url, x.evidence.confirm ?? null])).toEqual([[`${S}/bsfw/`, null]]);
    expect(f[0].message).toBe('办事服务事项未分类展示：3 个事项未按个人/法人、主题或部门分类（本站）。');
    expect(run(serviceClassification, ctx([ok(), hall(`${S}/bsfw/`, { categories: { theme: ['按主题'] } }), ...items])).findings).toEqual([]);
    expect(run(serviceClassification, ctx([ok(), hall(`${S}/bsfw/`), ...items.slice(0, 2)])).findings).toEqual([]);
    // Read from a platform's JSON: a person confirms.
    expect(run(serviceClassification, ctx([ok(), hall(`${P}/hall`, { via: 'json', where: 'platform' }), ...items])).findings[0].evidence.confirm).toBe('required');
  });
});

describe('unified-login', () => {
  const login = (page: string, target: string, channels: LoginObs['channels'], over: Partial<LoginObs> = {}): Obs =>
    o(SERVICE_KINDS.login, target, { page, channel: channels[0], text: '登录', target, system: identitySystem(target)!, channels, ...over } satisfies LoginObs);
  const AUTH = 'https://auth.zwfw.hunan.gov.cn/oauth2/authorize?client_id=qs&response_type=code';
  it('two account systems: one finding naming both; one system (any client ids): none; no login at all: checked', () => {
    const f = run(unifiedLogin, ctx([ok(), login(`${S}/`, AUTH, ['全站', '办事服务']), login(`${S}/hdjl/`, `${S}/member/login.jsp`, ['互动交流'])])).findings;
    expect(f.map((x) => [x.url, x.target])).toEqual([[`${S}/`, `${S}/#unified-login`]]);
    expect(f[0].message).toBe('网站各渠道未实现统一注册登录：登录入口指向 2 套不同的账号体系（统一身份认证（auth.zwfw.hunan.gov.cn）、www.qingshan.gov.cn 自有账号）。');
    const same = [login(`${S}/`, AUTH, ['全站']), login(`${S}/hdjl/`, 'https://auth.zwfw.hunan.gov.cn/oauth2/authorize?client_id=hd', ['互动交流'])];
    expect(run(unifiedLogin, ctx([ok(), ...same])).findings).toEqual([]);
    expect(run(unifiedLogin, ctx([ok()])).scope).toEqual({ status: 'checked', summary: '未发现具有登录功能的渠道' });
  });

  it('a local login page that hands over to the unified service counts as that service', () => {
    const obs = [ok(), login(`${S}/`, AUTH, ['全站']), login(`${S}/hdjl/`, `${S}/member/login.jsp`, ['互动交流'], { delegatesTo: 'auth.zwfw.hunan.gov.cn/oauth2' })];
    const r = run(unifiedLogin, ctx(obs));
    expect(r.findings).toEqual([]);
    expect(r.scope.summary).toBe('登录入口 2 个，涉及账号体系 1 套：全站、互动交流 → 统一身份认证（auth.zwfw.hunan.gov.cn）');
  });
});

describe('browser-compat', () => {
  const page = (url: string, html: string, over: Partial<CompatObs> = {}): Obs =>
    o(COMPAT_KIND, url, { url, pageKind: 'content', sampled: 'content', markers: staticCompatMarkers(html), staticChars: 1000, rendered: true, renderedChars: 980, ...over } satisfies CompatObs);
  const compatOk = status('render-compat', { status: 'ok', summary: '浏览器渲染页面 3 个' });
  const ACTIVEX = '<body><object classid="clsid:11111111-2222-3333-4444-555555555555" width="600" height="400"></object></body>';
  const IE_TEXT = '<body><p>本系统请使用IE浏览器访问。</p><p>正文</p></body>';

  it('ActiveX without fallback deducts; collapsed rendering waits for a reviewer; "请使用IE浏览器" alone is unverified; a fine page is clean', () => {
    const obs = [
      compatOk,
      page(`${S}/a.html`, ACTIVEX, { screenshot: '/tmp/a.png' }),
      page(`${S}/b.html`, '<body><p>正文</p></body>', { staticChars: 2000, renderedChars: 120 }),
      page(`${S}/c.html`, IE_TEXT),
      page(`${S}/d.html`, '<body><p>正文</p></body>'),
    ];
    const { findings, scope } = run(browserCompat, ctx(obs));
    expect(findings.map((f) => [f.url, f.evidence.confirm ?? null, !!f.evidence.unverified])).toEqual([
      [`${S}/a.html`, null, false],
      [`${S}/b.html`, 'required', false],
      [`${S}/c.html`, null, true],
    ]);
    expect(findings[0].evidence.screenshot).toBe('/tmp/a.png');
    expect(findings[0].message).toBe('页面内容需旧版 IE 浏览器才能显示（ActiveX 控件），主流浏览器中无法正常显示。');
    expect(scope).toEqual({ status: 'checked', summary: '浏览器渲染页面 3 个' });
  });

  it('no browser: blocking markers still decide; otherwise unverified', () => {
    const none = status('render-compat', { status: 'partial', reason: '浏览器不可用' });
    expect(run(browserCompat, ctx([none, page(`${S}/d.html`, '<body></body>', { rendered: false, renderedChars: undefined })])).scope).toEqual({
      status: 'unverified',
      reason: '浏览器不可用，未能渲染页面，无法判断显示是否正常',
    });
    const r = run(browserCompat, ctx([none, page(`${S}/a.html`, ACTIVEX, { rendered: false, renderedChars: undefined })]));
    expect(r.findings.map((f) => f.evidence.confirmation)).toEqual(['static']);
    expect(r.scope.status).toBe('checked');
  });
});
