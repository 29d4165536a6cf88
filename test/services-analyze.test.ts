import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSiteDir } from '../src/demo/server.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { extractLinks } from '../src/collect/links.ts';
import { readGuideHtml, readGuideJson } from '../src/analyze/services/guide.ts';
import { matchLabel, matchJsonField } from '../src/analyze/services/elements.ts';
import { labelPairs } from '../src/analyze/services/labels.ts';
import { missingFormat, splitNumbered } from '../src/analyze/services/materials.ts';
import { findVague } from '../src/analyze/services/vague.ts';
import { categoryMarks, extractServiceItems, isPlatformUrl, serviceEntries, serviceItemsFromJson } from '../src/analyze/services/entries.ts';
import { channelOf, identitySystem, loginLinks } from '../src/analyze/services/login.ts';
import { staticCompatMarkers } from '../src/analyze/services/compat.ts';
import { decodeBody } from '../src/collect/decode.ts';

const CITY = demoSiteDir('demo');
const PLATFORM_DIR = path.join(CITY, '..', 'demo-platform');
const S = 'http://127.0.0.1:8000';
const P = 'http://127.0.0.1:9000';
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8').split('{{PLATFORM}}').join(P);
const json = (id: string) => JSON.parse(fs.readFileSync(path.join(PLATFORM_DIR, '_data', `guide-${id}.json`), 'utf8'));
const guide = (body: string) => `<html><head><title>测试事项办事指南</title></head><body>${body}<div class="footer"><p>主办单位：某市人民政府办公室 联系电话：0739-0000000 网站标识码：4399000001</p></div></body></html>`;

describe('labels and elements', () => {
  it('maps labels to the ten elements, keeping 办理时限 apart from 办理时间 and 监督投诉 apart from 联系电话', () => {
    expect(matchLabel('事项名称')).toBe('name');
    expect(matchLabel('咨询方式')).toBe('phone');
    expect(matchLabel('咨询电话')).toBe('phone');
    expect(matchLabel('受理机构')).toBe('agency');
    expect(matchLabel('实施主体')).toBe('agency');
    expect(matchLabel('办理时间')).toBe('hours');
    expect(matchLabel('窗口办理时间')).toBe('hours');
    expect(matchLabel('办理时限')).toBe('timeLimit');
    expect(matchLabel('承诺办结时限')).toBe('timeLimit');
    expect(matchLabel('监督投诉电话')).toBe('complaint');
    expect(matchLabel('申请材料')).toBe('materials');
    expect(matchLabel('材料名称')).toBeNull();
    expect(matchLabel('本事项办理流程')).toBe('process');
    expect(matchLabel('联系我们')).toBeNull();
    expect(matchJsonField('acceptanceCondition')).toBe('conditions');
    expect(matchJsonField('according')).toBe('basis');
    expect(matchJsonField('materialList')).toBe('materials');
    expect(matchJsonField('promiseDay')).toBe('timeLimit');
    expect(matchJsonField('transact_time')).toBe('hours');
  });

  it('reads label/value pairs from tables, <dl>, "标签：值" lines, headings and tabs', () => {
    const $ = loadHtml(`<body>
      <table><tr><td>办理地点</td><td>一楼窗口</td><td>办理机构</td><td>市局</td></tr></table>
      <dl><dt>收费标准：</dt><dd>不收费</dd></dl>
      <p>咨询电话：0739-1</p>
      <h3>申请条件</h3><p>年满18周岁。</p><h3>办理流程</h3><p>申请—受理。</p>
      <ul class="t"><li><a href="#a">设定依据</a></li><li><a href="#b">办理材料</a></li></ul>
      <div id="a">《某条例》</div><div id="b"><ul><li>身份证原件1份</li></ul></div>
    </body>`);
    const pairs = labelPairs($, { accept: (n) => matchLabel(n) !== null }).map((p) => `${p.via}:${p.norm}=${p.value}`);
    expect(pairs).toEqual([
      'table:办理地点=一楼窗口',
      'table:办理机构=市局',
      'dl:收费标准=不收费',
      'tab:设定依据=《某条例》',
      'tab:办理材料=身份证原件1份',
      'inline:咨询电话=0739-1',
      'heading:申请条件=年满18周岁。',
      'heading:办理流程=申请—受理。',
    ]);
  });
});

describe('guide reader: the demo city guides (static label/value pages)', () => {
  const g = (f: string) => readGuideHtml(read(CITY, `bsfw/bszn/${f}`), `${S}/bsfw/bszn/${f}`);

  it('a complete guide in a label/value table: ten elements, materials with format, 办理时限 and 监督投诉 read apart', () => {
    const r = g('gr001.html');
    expect(r.isGuide).toBe(true);
    expect(r.title).toBe('居民身份证换领');
    expect(r.missing).toEqual([]);
    expect(r.empty).toEqual([]);
    expect(r.aux).toEqual({ timeLimit: '60日', complaint: '0739-12345' });
    expect(r.elements.phone).toMatchObject({ label: '联系电话', value: '0739-1234610', via: 'table' });
    expect(r.materials.map((m) => [m.name, m.form, m.medium, m.count])).toEqual([
      ['原居民身份证', '原件', '纸质', '1'],
      ['居民户口簿', '原件', '纸质', '1'],
    ]);
    expect(r.materials.map(missingFormat)).toEqual([[], []]);
    expect(r.vague).toEqual([]);
  });

  it('<dl> guide: 收费标准「无」 is present; numbered materials without 原件/复印件 and 份数', () => {
    const r = g('gr002.html');
    expect(r.missing).toEqual([]);
    expect(r.elements.fee).toMatchObject({ value: '无', state: 'present', via: 'dl' });
    expect(r.materials.map((m) => m.name)).toEqual(['夫妻双方居民身份证', '结婚证', '户口簿']);
    expect(r.materials.map(missingFormat)).toEqual([['form', 'count'], ['form', 'count'], ['form', 'count']]);
  });

  it('tabbed guide with a four-column table: 收费标准 and 办理时间 missing (办理时限 is not 办理时间); the form has a download', () => {
    const r = g('fr001.html');
    expect(r.missing).toEqual(['fee', 'hours']);
    expect(r.aux.timeLimit).toBe('3个工作日');
    expect(r.elements.conditions?.via).toBe('tab');
    expect(r.forms).toEqual([{ text: '个体工商户设立登记申请书（空表）', url: `${S}/bsfw/bszn/files/gtgsh-sqs.doc`, kind: 'blank' }]);
    expect(r.formMaterials).toEqual(['个体工商户设立登记申请书（原件1份，纸质）']);
    expect(r.formsWithoutChannel).toEqual([]);
  });

  it('heading-sectioned guide: the vague phrases are quoted where they stand', () => {
    const r = g('fr002.html');
    expect(r.missing).toEqual([]);
    expect(r.vague.map((v) => [v.where, v.phrase])).toEqual([
      ['办理材料', '有关法律法规规定应提交的其他材料'],
      ['办理流程', '有关部门'],
    ]);
    expect(r.materials[0].forms.map((f) => f.url)).toEqual([`${S}/bsfw/bszn/files/sgxk-sqb.doc`]);
  });

  it('the site footer\'s 联系电话 is not the guide\'s; an empty cell is empty, not "无"', () => {
    const r = readGuideHtml(guide('<table><tr><td>事项名称</td><td>测试事项</td></tr><tr><td>办理地点</td><td></td></tr><tr><td>受理机构</td><td>某局</td></tr><tr><td>咨询方式</td><td>窗口咨询</td></tr></table>'), `${S}/g.html`);
    expect(r.elements.phone).toMatchObject({ label: '咨询方式', value: '窗口咨询' });
    expect(r.elements.agency?.label).toBe('受理机构');
    expect(r.empty).toEqual(['location']);
    expect(r.missing).toEqual(['basis', 'conditions', 'materials', 'fee', 'hours', 'process']);
    const noPhone = readGuideHtml(guide('<table><tr><td>事项名称</td><td>测试事项</td></tr><tr><td>办理地点</td><td>一楼</td></tr><tr><td>办理机构</td><td>某局</td></tr></table>'), `${S}/g.html`);
    expect(noPhone.missing).toContain('phone');
  });

  it('a form to fill in without a download or a stated channel; a window-collected form is fine; a 下载中心 menu is no channel', () => {
    const body = (mat: string) => guide(`<ul class="nav"><li><a href="/xzzx/">下载中心</a></li></ul><table><tr><td>事项名称</td><td>某许可</td></tr><tr><td>申请材料</td><td><ol><li>${mat}</li><li>营业执照复印件1份</li></ol></td></tr><tr><td>办理机构</td><td>某局</td></tr></table>`);
    expect(readGuideHtml(body('某许可申请表原件1份'), `${S}/g.html`).formsWithoutChannel).toEqual(['某许可申请表原件1份']);
    expect(readGuideHtml(body('某许可申请表原件1份（窗口领取）'), `${S}/g.html`).formsWithoutChannel).toEqual([]);
  });
});

describe('guide reader: platform JSON', () => {
  const url = (id: string) => `${P}/hnywtb/service/guide.html?id=${id}`;

  it('reads the platform fields (acceptanceCondition, according, materialList …) of a complete guide', () => {
    const r = readGuideJson(json('QS-P01'), url('QS-P01'));
    expect(r.source).toBe('json');
    expect(r.title).toBe('城乡居民基本养老保险参保登记');
    expect(r.missing).toEqual([]);
    expect(r.elements.conditions?.label).toBe('acceptanceCondition');
    expect(r.materials.map((m) => [m.name, m.form, m.medium, m.count, m.forms.length])).toEqual([
      ['居民身份证', '原件', '纸质', '1份', 0],
      ['城乡居民基本养老保险参保登记表', '原件', '纸质', '1份', 1],
    ]);
    expect(r.aux.timeLimit).toBe('即办');
  });

  it('a field absent is missing, a field with "" is empty, "无" is present', () => {
    const r = readGuideJson(json('QS-P02'), url('QS-P02'));
    expect(r.missing).toEqual(['process']);
    expect(r.empty).toEqual(['hours']);
    const d = readGuideJson(json('SL-P01'), url('SL-P01'));
    expect(d.missing).toEqual([]);
    expect(d.elements.fee).toMatchObject({ value: '无', state: 'present' });
  });

  it('an application form without a template is a form without a channel; one with template and sample is not', () => {
    expect(readGuideJson(json('SL-P02'), url('SL-P02')).formsWithoutChannel).toEqual(['示例行业许可证申请表']);
    const ok = readGuideJson(json('SL-P03'), url('SL-P03'));
    expect(ok.formsWithoutChannel).toEqual([]);
    expect(ok.forms.map((f) => [f.url, f.kind])).toEqual([
      [`${P}/files/SL-P03-sqs.doc`, 'blank'],
      [`${P}/files/SL-P03-sqs-yb.doc`, 'sample'],
    ]);
  });

  it('finds the guide object wherever the answer nests it, and survives junk', () => {
    expect(readGuideJson({ result: { list: [{ data: { taskName: '甲', according: '乙', linkTel: '1' } }] } }, url('x')).elements.basis?.value).toBe('乙');
    for (const junk of [null, 42, 'text', [], { a: { b: { c: {} } } }]) {
      const r = readGuideJson(junk, url('x'));
      expect(r.isGuide).toBe(false);
      expect(r.missing.length).toBe(10);
    }
  });
});

describe('vague wording and material lines', () => {
  it('quotes 其他材料, 有关部门 / 相关部门 and 规定的其他…; a phrase inside a document title is not vague', () => {
    expect(findVague('4.其他相关材料。', '办理材料').map((v) => v.phrase)).toEqual(['其他相关材料']);
    expect(findVague('经相关部门审核后办理', '办理流程').map((v) => v.phrase)).toEqual(['相关部门']);
    expect(findVague('符合规定的其他条件', '申请条件').map((v) => v.phrase)).toEqual(['规定的其他条件']);
    expect(findVague('依据《国务院有关部门实施办法》办理', '办理流程')).toEqual([]);
    expect(findVague('申请人身份证原件1份', '办理材料')).toEqual([]);
  });

  it('splits numbered lines', () => {
    expect(splitNumbered('1.身份证原件1份；2.户口簿复印件1份；（3）照片2张')).toEqual(['身份证原件1份', '户口簿复印件1份', '照片2张']);
    expect(splitNumbered('营业执照复印件')).toEqual(['营业执照复印件']);
  });
});

describe('service entries, items and categories', () => {
  it('finds the demo homepage\'s service entries (own hall and the platform)', () => {
    const links = extractLinks(loadHtml(read(CITY, 'index.html')), `${S}/`);
    expect(serviceEntries(`${S}/`, links).map((e) => [e.text, e.target, e.kind])).toEqual([
      ['网上办事大厅', `${S}/bsfw/index.html`, 'entry'],
      ['湖南政务服务网', `${P}/hnzwfw/1/5/439900/index.htm`, 'entry'],
    ]);
    expect(isPlatformUrl('https://zwfw-new.hunan.gov.cn/hnywtb/service/guide.html?id=1')).toBe(true);
    expect(isPlatformUrl('http://www.qingshan.gov.cn/xwzx/index.html')).toBe(false);
  });

  it('lists the city hall\'s items by tab (个人办事 / 法人办事), with guide and application links; one item has no guide', () => {
    const items = extractServiceItems(read(CITY, 'bsfw/index.html'), `${S}/bsfw/index.html`);
    expect(items.map((i) => [i.name, i.category, i.guideUrl?.replace(S, '').replace(P, 'P'), !!i.applyUrl])).toEqual([
      ['居民身份证换领', '个人办事', '/bsfw/bszn/gr001.html', true],
      ['生育登记', '个人办事', '/bsfw/bszn/gr002.html', true],
      ['城乡居民基本养老保险参保登记', '个人办事', 'P/hnywtb/service/guide.html?id=QS-P01', true],
      ['个体工商户设立登记', '法人办事', '/bsfw/bszn/fr001.html', true],
      ['建筑工程施工许可', '法人办事', '/bsfw/bszn/fr002.html', true],
      ['道路运输经营许可', '法人办事', 'P/hnywtb/service/guide.html?id=QS-P02', true],
      ['户外广告设置审批', '法人办事', undefined, true],
    ]);
    expect(categoryMarks(loadHtml(read(CITY, 'bsfw/index.html')))).toEqual({ person: ['个人办事'], legal: ['法人办事'] });
  });

  it('a hall without categories has items and no category marks', () => {
    const html = '<body><h2>办事服务</h2><ul><li>甲事项 <a href="/g/1.html">办事指南</a></li><li>乙事项 <a href="/g/2.html">办事指南</a></li></ul></body>';
    const items = extractServiceItems(html, `${S}/bs/`);
    expect(items.map((i) => [i.name, i.category, i.guideUrl])).toEqual([
      ['甲事项', undefined, `${S}/g/1.html`],
      ['乙事项', undefined, `${S}/g/2.html`],
    ]);
    expect(categoryMarks(loadHtml(html))).toEqual({});
  });

  it('reads a platform hall\'s JSON item list', () => {
    const j = JSON.parse(fs.readFileSync(path.join(PLATFORM_DIR, '_data', 'hall-4300000099.json'), 'utf8'));
    const hall = `${P}/portal/branch-hall?orgCode=4300000099`;
    expect(serviceItemsFromJson(j, hall, hall).map((i) => [i.name, i.categoryKind, i.guideUrl, i.applyUrl])).toEqual([
      ['示例从业人员资格认定', 'person', `${P}/hnywtb/service/guide.html?id=SL-P01`, `${P}/hnywtb/apply.html?id=SL-P01`],
      ['示例行业许可证核发', 'legal', `${P}/hnywtb/service/guide.html?id=SL-P02`, `${P}/hnywtb/apply.html?id=SL-P02`],
      ['示例设施备案', 'legal', `${P}/hnywtb/service/guide.html?id=SL-P03`, `${P}/hnywtb/apply.html?id=SL-P03`],
    ]);
  });
});

describe('login links and identity systems', () => {
  it('the demo city\'s homepage login goes to the platform\'s OAuth service, the survey\'s to the site\'s own accounts', () => {
    const home = loginLinks(`${S}/`, extractLinks(loadHtml(read(CITY, 'index.html')), `${S}/`), channelOf(`${S}/`, '', true));
    expect(home.map((l) => [l.channel, l.text, identitySystem(l.target)?.key])).toEqual([['全站', '用户登录', '127.0.0.1:9000/oauth2']]);
    const zx = `${S}/zxdc/index.html`;
    const survey = loginLinks(zx, extractLinks(loadHtml(read(CITY, 'zxdc/index.html')), zx), channelOf(zx, '在线调查'));
    expect(survey.map((l) => [l.channel, l.text, identitySystem(l.target)?.key])).toEqual([['在线调查', '登录', '127.0.0.1:8000']]);
  });

  it('keys OAuth by server (any client id), knows the provincial service, and leaves 信访/举报 out', () => {
    const a = identitySystem('https://auth.zwfw.hunan.gov.cn/oauth2/authorize?client_id=a&response_type=code');
    const b = identitySystem('https://auth.zwfw.hunan.gov.cn/oauth2/authorize?client_id=b');
    expect(a).toEqual(b);
    expect(a?.provincial).toBe(true);
    expect(identitySystem('http://www.x.gov.cn/member/login.jsp')).toEqual({ key: 'x.gov.cn', label: 'www.x.gov.cn 自有账号', provincial: false });
    const links = [
      { target: 'http://xf.x.gov.cn/login', kind: 'a' as const, text: '网上信访登录', inFooter: false },
      { target: 'http://www.x.gov.cn/jubao/login.html', kind: 'a' as const, text: '登录', inFooter: false },
      { target: 'http://www.x.gov.cn/news/1.html', kind: 'a' as const, text: '关于注册资本登记的通知', inFooter: false },
    ];
    expect(loginLinks('http://www.x.gov.cn/', links, '全站')).toEqual([]);
    expect(channelOf('http://www.x.gov.cn/hdjl/index.html')).toBe('互动交流');
    expect(channelOf('http://www.x.gov.cn/bsfw/index.html')).toBe('办事服务');
  });
});

describe('old-browser markers', () => {
  it('the demo\'s IE-only appointment page: ActiveX control, IE-only content, "请使用IE浏览器"', () => {
    const m = staticCompatMarkers(read(CITY, 'bsfw/wsyy/index.html'));
    expect(m.map((x) => [x.kind, x.blocking])).toEqual([
      ['activex', true],
      ['ie-conditional', true],
      ['ie-only-text', false],
    ]);
  });

  it('look-alikes are clean: old-IE shims, "建议使用IE9以上" advice, Flash with a fallback image, downlevel-revealed comments', () => {
    expect(staticCompatMarkers(read(CITY, 'bsfw/index.html'))).toEqual([]);
    expect(staticCompatMarkers(read(CITY, 'index.html'))).toEqual([]);
    const flashFallback = '<body><object type="application/x-shockwave-flash" data="/a.swf" width="300" height="100"><img src="/a.png" alt="横幅" /></object><p>正文内容</p></body>';
    expect(staticCompatMarkers(flashFallback).map((x) => [x.kind, x.blocking])).toEqual([['flash', false]]);
    const flashBare = '<body><embed src="/banner.swf" width="1000" height="200" /></body>';
    expect(staticCompatMarkers(flashBare).map((x) => [x.kind, x.blocking])).toEqual([['flash', true]]);
    const revealed = '<body><!--[if !IE]><!--><p>所有浏览器都能看到的正文内容，所有浏览器都能看到的正文内容。</p><!--<![endif]--></body>';
    expect(staticCompatMarkers(revealed)).toEqual([]);
    const both = '<body><!--[if IE]><p>这一段正文在所有浏览器中都会显示，只是 IE 下多一个外框而已。</p><![endif]--><p>这一段正文在所有浏览器中都会显示，只是 IE 下多一个外框而已。</p></body>';
    expect(staticCompatMarkers(both)).toEqual([]);
  });
});

describe('endpoints a platform page calls', () => {
  it('completes the guide script\'s URL literal with the page\'s id, and the hall\'s with its orgCode', async () => {
    const { scriptEndpoints, scriptSources, candidateScripts, inlineScripts, parseJsonAnswer } = await import('../src/analyze/services/endpoints.ts');
    const guidePage = `${P}/hnywtb/service/guide.html?id=QS-P01`;
    const html = read(PLATFORM_DIR, 'hnywtb/service/guide.html');
    expect(candidateScripts(scriptSources(html, guidePage), guidePage)).toEqual([`${P}/js/guide.js`]);
    expect(scriptEndpoints(read(PLATFORM_DIR, 'js/guide.js'), guidePage)).toEqual([`${P}/hnywtb/unifyTaskToWt/getUnifyTaskInfo?unifyId=QS-P01`]);
    const hall = `${P}/portal/branch-hall?orgCode=4300000099`;
    expect(scriptEndpoints(inlineScripts(read(PLATFORM_DIR, 'portal/branch-hall.html')), hall)).toEqual([`${P}/portal/api/branchHallItems?orgCode=4300000099`]);
    // No parameter on the page to complete the literal with: nothing.
    expect(scriptEndpoints("x.open('GET', '/api/info?id=' + id)", `${P}/a.html`)).toEqual([]);
    expect(candidateScripts([`${P}/js/jquery.min.js`, 'http://other.example/a.js'], guidePage)).toEqual([]);
    expect(parseJsonAnswer('cb({"a":1});')).toEqual({ a: 1 });
    expect(parseJsonAnswer('<html>')).toBeUndefined();
  });
});

// Real government pages (../shared/real-pages): articles and portal pages, no service guide among them. Nothing here
// may read as a guide, an item list, an old-browser page or a login.
const REAL = path.resolve(import.meta.dirname, '..', '..', 'shared', 'real-pages');
const REAL_FILES = ['cmse.gov.cn-page.html', 'fgw.zj.gov.cn-article.html', 'hunan-hospital-not-gov.html', 'shanxi.gov.cn-article.html', 'www.gov.cn-gazette.html', 'xiangtan/article-utf16-declared-gb2312.html'];
const haveReal = fs.existsSync(REAL);
if (!haveReal) console.warn(`[services-analyze.test] ${REAL} is absent: real-page tests are skipped`);

describe.skipIf(!haveReal)('real government pages', () => {
  it('no guide, no item, no old-browser marker, no login; the Zhejiang article links its province\'s service platform', () => {
    for (const f of REAL_FILES) {
      const html = decodeBody(fs.readFileSync(path.join(REAL, f)), 'text/html').text;
      const url = `http://www.example.gov.cn/a/${path.basename(f)}`;
      const links = extractLinks(loadHtml(html), url);
      const g = readGuideHtml(html, url);
      expect([f, g.isGuide, g.vague, g.materials]).toEqual([f, false, [], []]);
      expect([f, staticCompatMarkers(html)]).toEqual([f, []]);
      expect([f, extractServiceItems(html, url)]).toEqual([f, []]);
      expect([f, loginLinks(url, links, channelOf(url))]).toEqual([f, []]);
      expect([f, serviceEntries(url, links).map((e) => e.text)]).toEqual([f, f.startsWith('fgw.zj') ? ['浙江政务服务网'] : []]);
    }
  });
});

describe('hostile inputs', () => {
  it('huge tables, deep nesting, deep JSON and endless conditional comments are read within bounds', async () => {
    const { scriptEndpoints } = await import('../src/analyze/services/endpoints.ts');
    const rows = Array.from({ length: 5_000 }, (_, i) => `<tr><td>办理材料</td><td>材料${i}</td></tr>`).join('');
    const deep = '<div><span>申请条件：'.repeat(1000) + '年满18周岁' + '</span></div>'.repeat(1000);
    const r = readGuideHtml(`<html><body><table>${rows}</table>${deep}</body></html>`, `${S}/g.html`);
    expect(r.elements.materials?.value).toBe('材料0');
    let o: Record<string, unknown> = { taskName: '甲', according: '乙' };
    for (let i = 0; i < 50_000; i++) o = { data: o };
    expect(readGuideJson(o, `${S}/g.html`).isGuide).toBe(false);
    const comments = '<!--[if IE]><p>只在IE中显示的一段很长很长很长很长很长很长很长很长很长的正文内容</p><![endif]-->'.repeat(2_000);
    expect(staticCompatMarkers(`<body>${comments}</body>`).length).toBeLessThanOrEqual(200);
    expect(scriptEndpoints("'/a?x=' + ".repeat(100_000), `${S}/g.html?id=1`).length).toBe(1);
  });
});

describe('spaced labels', () => {
  it('办 理 地 点 / 联\u3000系\u3000电\u3000话 / zero-width characters read as the plain labels', () => {
    const html = '<body><table><tr><td>事 项 名 称</td><td>某事项</td></tr><tr><td>办&nbsp;理&nbsp;地&nbsp;点：</td><td>一楼</td></tr><tr><td>联\u3000系\u3000电\u3000话</td><td>0739-1</td></tr><tr><td>收\u200b费标准</td><td>不收费</td></tr></table></body>';
    const r = readGuideHtml(html, `${S}/g.html`);
    expect([r.elements.location?.value, r.elements.phone?.value, r.elements.fee?.value, r.elements.name?.value]).toEqual(['一楼', '0739-1', '不收费', '某事项']);
  });
});
