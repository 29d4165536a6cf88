import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRegistry, RegistryFormatError } from '../src/newmedia/import.ts';
import { buildSampleRegistry } from '../src/newmedia/sample-registry.ts';
import { excelSerialToDay, normalizePlatform, normalizeStatus, parseRegistryDate, personSubject } from '../src/newmedia/normalize.ts';
import { openDatabase } from '../src/store/db.ts';
import { applyRecords, findAccounts, listAccounts, listWebsites, unitForSite, upsertAccount } from '../src/newmedia/store.ts';
import { syncSitesFile } from '../src/newmedia/sites-file.ts';
import { parseSitesConfig } from '../src/monitor/config.ts';
import { newmediaCommand } from '../src/cli/newmedia-main.ts';
import { startFixtureServer } from '../src/demo/server.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'newmedia', 'registry.xlsx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-nm-import-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('registry values', () => {
  it('reads platforms, statuses and dates as people write them', () => {
    expect(normalizePlatform('微信公众号')).toEqual({ platform: '微信', label: '微信' });
    expect(normalizePlatform(' 新浪微博\u3000')).toEqual({ platform: '微博', label: '微博' });
    expect(normalizePlatform('头条号')).toEqual({ platform: '今日头条', label: '今日头条' });
    expect(normalizePlatform('APP')).toEqual({ platform: 'App', label: 'App' });
    expect(normalizePlatform('百家号')).toEqual({ platform: '其他', label: '百家号' });
    expect(normalizePlatform('其他（视频号）')).toEqual({ platform: '其他', label: '视频号' });
    expect(normalizePlatform('')).toBeNull();
    expect(normalizeStatus('运营')).toBe('正常');
    expect(normalizeStatus('报关停')).toBe('已报关停');
    expect(normalizeStatus('关停')).toBe('已关停');
    expect(normalizeStatus('注销')).toBe('已注销');
    expect(normalizeStatus('暂停')).toBeNull();
    expect(parseRegistryDate(new Date(Date.UTC(2021, 5, 10)))).toBe('2021-06-10');
    expect(parseRegistryDate(44357)).toBe('2021-06-10');
    expect(parseRegistryDate('44357')).toBe('2021-06-10');
    expect(parseRegistryDate('2021/6/10 9:30')).toBe('2021-06-10');
    expect(parseRegistryDate('２０２１年６月１０日')).toBe('2021-06-10');
    expect(parseRegistryDate('20210610')).toBe('2021-06-10');
    expect(parseRegistryDate('2021-02-30')).toBeNull();
    expect(parseRegistryDate('上周')).toBeNull();
    expect(parseRegistryDate('  ')).toBeUndefined();
    expect(excelSerialToDay(12)).toBeNull();
  });

  it('tells a person from an organisation as 认证主体', () => {
    expect(personSubject('个人')).toBe('explicit');
    expect(personSubject('张三（个人认证）')).toBe('explicit');
    expect(personSubject('王晓明')).toBe('name-like');
    expect(personSubject('欧阳明')).toBe('name-like');
    expect(personSubject('青山市人民政府办公室')).toBeNull();
    expect(personSubject('青山市教育局')).toBeNull();
    expect(personSubject('青山发布')).toBeNull();
    expect(personSubject('')).toBeNull();
  });
});

describe('registry spreadsheet', () => {
  it('imports the example file: merged 单位名称, full-width headers, serial and text dates, extra sheets; reports each bad row', async () => {
    const r = await parseRegistry(fs.readFileSync(FIXTURE), FIXTURE);
    expect(r.sheets).toEqual([
      { name: '政务新媒体', kind: 'accounts', rows: 13 },
      { name: '网站', kind: 'websites', rows: 5 },
      { name: '说明', kind: 'skipped', rows: 0, note: expect.stringContaining('未找到表头') },
    ]);
    expect(r.errors).toEqual([
      { sheet: '政务新媒体', row: 12, reason: '缺少平台' },
      { sheet: '政务新媒体', row: 13, reason: '运营状态「暂停」无法识别（应为 正常/已注销/已关停/已报关停）' },
      { sheet: '政务新媒体', row: 14, reason: '最近更新「上周」不是日期' },
      { sheet: '政务新媒体', row: 15, reason: '主页地址「见附件」不是有效网址' },
      { sheet: '政务新媒体', row: 16, reason: '缺少单位名称' },
      { sheet: '网站', row: 6, reason: '缺少网站地址' },
    ]);
    expect(r.warnings).toEqual([]);
    expect(r.accounts.map((a) => [a.row, a.unit, a.platform, a.name, a.accountId ?? null, a.status, a.registryUpdated ?? null])).toEqual([
      [3, '青山市人民政府', '微信', '青山发布', 'qingshanfabu', '正常', '2021-06-12'],
      [4, '青山市人民政府', '微博', '青山发布', '6012345678', '正常', '2021-05-26'],
      [5, '青山市人民政府', '抖音', '青山发布', 'qsfb2020', '正常', '2021-02-10'],
      [6, '青山市人民政府', '微信', '青山政务', 'qszhengwu', '正常', null],
      [7, '青山市人民政府', '今日头条', '青山市民之声', '1700001', '正常', '2021-06-04'],
      [8, '青山市人民政府', 'App', '指尖青山', null, '正常', '2021-06-10'],
      [10, '青山市教育局', '微信', '青山教育', 'qsjyj', '正常', '2021-06-01'],
      [11, '青山市旅游局', '微博', '青山旅游', '6099999999', '已注销', null],
    ]);
    expect(r.websites.map((w) => [w.row, w.name, w.status, new URL(w.url).pathname])).toEqual([
      [2, '青山市人民政府门户网站', '正常', '/'],
      [3, '青山市旅游局网站', '已关停', '/lyj/'],
      [4, '青山市商务局网站', '已报关停', '/swj/'],
      [5, '青山经济技术开发区网站', '已关停', '/kfq/'],
    ]);
  });

  it('the committed example file is what the generator writes', async () => {
    const fresh = await parseRegistry(await buildSampleRegistry(), 'x.xlsx');
    const committed = await parseRegistry(fs.readFileSync(FIXTURE), FIXTURE);
    expect(fresh).toEqual(committed);
  });

  it('reads CSV in GBK and UTF-8 with BOM, quoted fields, a title line and a repeated header', async () => {
    const csv = [
      '青山市政务新媒体名录,,,,',
      '单位名称,账号名称,平台,运营状态,最近更新',
      '青山市人民政府,"青山发布",微信,正常,2021/6/12',
      ',,,,',
      '单位名称,账号名称,平台,运营状态,最近更新',
      '"青山市人民政府","青山""政务""",微博,,44342',
      '青山市人民政府,坏行,抖音,正常,昨天',
    ].join('\r\n');
    for (const bytes of [iconv.encode(csv, 'gbk'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)])]) {
      const r = await parseRegistry(bytes, 'list.csv');
      expect(r.accounts.map((a) => [a.row, a.name, a.platform, a.status, a.registryUpdated])).toEqual([
        [3, '青山发布', '微信', '正常', '2021-06-12'],
        [6, '青山"政务"', '微博', '正常', '2021-05-26'],
      ]);
      expect(r.warnings).toEqual([{ sheet: 'list.csv', row: 6, reason: '运营状态为空，按“正常”导入' }]);
      expect(r.errors).toEqual([{ sheet: 'list.csv', row: 7, reason: '最近更新「昨天」不是日期' }]);
    }
  });

  it('refuses files that are not registries, with a reason', async () => {
    await expect(parseRegistry(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), 'old.xls')).rejects.toThrow(/另存为 \.xlsx/);
    await expect(parseRegistry(Buffer.from('hello'), 'x.xlsx')).rejects.toBeInstanceOf(RegistryFormatError);
    await expect(parseRegistry(Buffer.from('a,b\n1,2\n'), 'x.csv')).rejects.toThrow(/未找到政务新媒体名录表头/);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('空');
    await expect(parseRegistry(Buffer.from(await wb.xlsx.writeBuffer()), 'empty.xlsx')).rejects.toThrow(/未找到/);
  });

  it('keeps only the later of two rows for the same account and says so', async () => {
    const r = await parseRegistry(Buffer.from('单位名称,账号名称,平台,账号ID\n甲单位,甲发布,微信,jia\n甲单位,甲发布（新）,微信,jia\n'), 'dup.csv');
    expect(r.accounts.map((a) => a.name)).toEqual(['甲发布（新）']);
    expect(r.warnings).toEqual([{ sheet: 'dup.csv', row: 3, reason: '与 dup.csv 第 2 行为同一账号，以本行为准' }]);
  });
});

describe('registry store', () => {
  it('re-import updates, never duplicates; an ID added later fills the same row', async () => {
    const db = openDatabase(path.join(tmp, 'a.db'));
    const parsed = await parseRegistry(fs.readFileSync(FIXTURE), FIXTURE);
    const first = applyRecords(db, parsed, 'import:a', '2021-06-15T00:00:00Z', { keepMissing: true });
    expect(first.accounts).toEqual({ added: 8, updated: 0, unchanged: 0 });
    expect(first.websites).toEqual({ added: 4, updated: 0, unchanged: 0 });
    const again = applyRecords(db, parsed, 'import:a', '2021-06-16T00:00:00Z', { keepMissing: true });
    expect(again.accounts).toEqual({ added: 0, updated: 0, unchanged: 8 });
    expect(again.websites).toEqual({ added: 0, updated: 0, unchanged: 4 });
    // 青山发布 微博 changes status; the 教育局 account loses its row's ID in a later file (kept by name).
    const changed = {
      accounts: parsed.accounts.map((a) => (a.platform === '微博' && a.name === '青山发布' ? { ...a, status: '已报关停' as const } : a.accountId === 'qsjyj' ? { ...a, accountId: undefined } : a)),
      websites: parsed.websites,
    };
    const third = applyRecords(db, changed, 'import:b', '2021-06-17T00:00:00Z', { keepMissing: true });
    expect(third.accounts).toEqual({ added: 0, updated: 1, unchanged: 7 });
    expect(listAccounts(db)).toHaveLength(8);
    expect(findAccounts(db, 'qsjyj').map((a) => a.name)).toEqual(['青山教育']);
    // A new account by name only, later registered with its ID: one row.
    upsertAccount(db, { unit: '青山市教育局', name: '青山招考', platform: '微博', platformLabel: '微博', status: '正常' }, 'cli', '2021-06-18T00:00:00Z');
    const r = upsertAccount(db, { unit: '青山市　教育局', name: '青山招考', platform: '微博', platformLabel: '微博', status: '正常', accountId: '777' }, 'cli', '2021-06-19T00:00:00Z');
    expect(r.action).toBe('updated');
    expect(findAccounts(db, '青山市教育局/微博/青山招考').map((a) => a.accountId)).toEqual(['777']);
    expect(findAccounts(db, '青山发布')).toHaveLength(3);
    db.close();
  });

  it('matches an audited site to its unit by name, then by the registered website address', async () => {
    const db = openDatabase(path.join(tmp, 'b.db'));
    applyRecords(db, await parseRegistry(fs.readFileSync(FIXTURE), FIXTURE), 'import:a', '2021-06-15T00:00:00Z');
    expect(unitForSite(db, { name: '青山市 人民政府', url: 'http://x.example/' })).toEqual({ unit: '青山市人民政府', by: 'name' });
    expect(unitForSite(db, { name: '别的名字', unit: '青山市教育局', url: 'http://x.example/' })).toEqual({ unit: '青山市教育局', by: 'unit' });
    expect(unitForSite(db, { url: 'http://127.0.0.1:8080/index.html' })).toEqual({ unit: '青山市人民政府', by: 'website' });
    // A closed website does not make its address the unit's site.
    expect(unitForSite(db, { url: 'http://127.0.0.1:8091/lyj/' })).toBeUndefined();
    db.close();
  });

  it('merges the sites file\'s newMedia and closedSites lists and drops entries removed from it', () => {
    const db = openDatabase(path.join(tmp, 'c.db'));
    const yaml = (extra: string) => `sites:
  - id: qingshan
    name: 青山市人民政府
    url: http://www.qingshan.gov.cn/
    rubric: hunan-2021-city
    newMedia:
      - { name: 青山发布, platform: 微信公众号, id: qingshanfabu, feed: 'http://127.0.0.1:9/feed.xml', updated: '2021-06-01' }
${extra}    closedSites:
      - { name: 青山市旅游局网站, url: 'http://lyj.qingshan.gov.cn/', status: 已关停, movedTo: 'http://www.qingshan.gov.cn/' }
`;
    const cfg1 = parseSitesConfig(yaml('      - { name: 指尖青山, platform: APP }\n'));
    expect(syncSitesFile(db, cfg1.sites, '2021-06-15T00:00:00Z')).toMatchObject({ accounts: { added: 2 }, websites: { added: 1 }, removed: 0 });
    expect(listAccounts(db, { unit: '青山市人民政府' }).map((a) => [a.platform, a.name, a.origin, a.registryUpdated ?? null])).toEqual([
      ['App', '指尖青山', 'sites-file:qingshan', null],
      ['微信', '青山发布', 'sites-file:qingshan', '2021-06-01'],
    ]);
    const cfg2 = parseSitesConfig(yaml(''));
    expect(syncSitesFile(db, cfg2.sites, '2021-06-16T00:00:00Z')).toMatchObject({ accounts: { unchanged: 1 }, removed: 1 });
    expect(listWebsites(db).map((w) => [w.name, w.status])).toEqual([['青山市旅游局网站', '已关停']]);
    expect(() => parseSitesConfig(yaml('      - { name: 坏, platform: 微信, status: 暂停 }\n'))).toThrow(/运营状态应为/);
    db.close();
  });
});

describe('govsite newmedia', () => {
  it('import prints each bad row and the counts; a second import changes nothing', async () => {
    const db = path.join(tmp, 'cli.db');
    let out = '';
    expect(await newmediaCommand(['import', FIXTURE, '--db', db], (s) => (out += s))).toBe(0);
    expect(out).toContain('账号：导入 8 个（新增 8，更新 0，未变 0）');
    expect(out).toContain('政务新媒体 第 13 行：运营状态「暂停」无法识别');
    expect(out).toContain('网站 第 6 行：缺少网站地址');
    out = '';
    expect(await newmediaCommand(['import', FIXTURE, '--db', db, '--format', 'json'], (s) => (out += s))).toBe(0);
    const j = JSON.parse(out);
    expect(j.applied.accounts).toEqual({ added: 0, updated: 0, unchanged: 8 });
    expect(j.errors).toHaveLength(6);
    await expect(newmediaCommand(['import', path.join(tmp, 'missing.xlsx'), '--db', db])).rejects.toThrow(/文件不存在/);
    out = '';
    expect(await newmediaCommand(['list', '--db', db, '--unit', '青山市人民政府', '--as-of', '2021-06-15'], (s) => (out += s))).toBe(0);
    expect(out).toContain('青山市人民政府 | 抖音 | 青山发布 | qsfb2020 | 正常 | 2021-02-10 | 名录“最近更新” | 未核实');
    expect(out).toContain('订阅源尚未读取');
  });

  it('set-post records a dated manual entry with its evidence and refuses one without', async () => {
    const db = path.join(tmp, 'cli2.db');
    await newmediaCommand(['import', FIXTURE, '--db', db], () => undefined);
    let out = '';
    const code = await newmediaCommand(['set-post', '--account', '青山市人民政府/App/指尖青山', '--at', '2021-06-14', '--evidence', '2021-06-15 打开客户端查看，首页最新文章为 6 月 14 日', '--db', db], (s) => (out += s));
    expect(code).toBe(0);
    expect(out).toContain('最新发布 2021-06-14（人工录入');
    await expect(newmediaCommand(['set-post', '--account', '指尖青山', '--at', '2021-06-14', '--db', db])).rejects.toThrow(/--evidence/);
    await expect(newmediaCommand(['set-post', '--account', '青山发布', '--at', '2021-06-14', '--evidence', 'x y', '--db', db])).rejects.toThrow(/对应多个账号/);
    await expect(newmediaCommand(['set-post', '--account', '不存在', '--at', '2021-06-14', '--evidence', 'x y', '--db', db])).rejects.toThrow(/名录中没有账号/);
    out = '';
    await newmediaCommand(['list', '--db', db, '--unit', '青山市人民政府', '--as-of', '2021-06-15', '--format', 'json'], (s) => (out += s));
    const app = JSON.parse(out).accounts.find((a: { name: string }) => a.name === '指尖青山');
    expect(app.freshness).toMatchObject({ verdict: 'fresh', newest: { source: 'manual', day: '2021-06-14' } });
  });
});

describe('govsite newmedia set-post --url', () => {
  it('reads a pasted WeChat article\'s publish time and refuses a post of another account', async () => {
    const server = await startFixtureServer(path.join(import.meta.dirname, '..', 'fixtures', 'newmedia', 'loopback'));
    try {
      const db = path.join(tmp, 'paste.db');
      await newmediaCommand(['import', FIXTURE, '--db', db], () => undefined);
      let out = '';
      expect(await newmediaCommand(['set-post', '--account', '青山市人民政府/微信/青山发布', '--url', `${server.url}/posts/wechat-qsfb.html`, '--db', db], (s) => (out += s))).toBe(0);
      expect(out).toBe('已记录：青山发布（微信）最新发布 2021-06-12（var ct）\n');
      out = '';
      expect(await newmediaCommand(['set-post', '--account', 'qingshanfabu', '--url', `${server.url}/posts/wechat-other.html`, '--db', db], (s) => (out += s))).toBe(1);
      expect(out).toContain('文章页面显示的账号为「青山应急」，与「青山发布」不一致，未记录');
      out = '';
      expect(await newmediaCommand(['set-post', '--account', 'qingshanfabu', '--url', `${server.url}/posts/missing.html`, '--db', db], (s) => (out += s))).toBe(1);
      expect(out).toContain('HTTP 404');
      out = '';
      await newmediaCommand(['list', '--db', db, '--unit', '青山市人民政府', '--as-of', '2021-06-15', '--format', 'json'], (s) => (out += s));
      const a = JSON.parse(out).accounts.find((x: { accountId?: string }) => x.accountId === 'qingshanfabu');
      expect(a.freshness).toMatchObject({ verdict: 'fresh', newest: { source: 'post', day: '2021-06-12', how: 'var ct' } });
    } finally {
      await server.close();
    }
  });
});
