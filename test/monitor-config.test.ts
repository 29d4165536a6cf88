import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSitesAddCommand, runSitesListCommand, runSitesRemoveCommand } from '../src/monitor/commands.ts';
import { SitesConfigError, addSite, channelName, listSites, loadSitesConfig, parseSitesConfig, removeSite, toSiteInfo } from '../src/monitor/config.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-sites-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): SitesConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SitesConfigError) return e;
    throw e;
  }
  throw new Error('expected a SitesConfigError');
}

describe('sites.yaml validation', () => {
  it('the example file is valid and gets defaults', () => {
    const cfg = loadSitesConfig(path.join(repoRoot, 'fixtures/sites.example.yaml'));
    expect(cfg.nightly).toMatchObject({ cron: '0 2 * * *', timezone: 'Asia/Shanghai', concurrency: 2, enabled: true });
    expect(cfg.probes.perDay).toBe(24);
    expect(cfg.warnings.failureRatio).toBe(0.03);
    expect(cfg.warnings.channels.map((c) => c.type)).toEqual(['dingtalk', 'wecom', 'webhook', 'email']);
    expect(cfg.sites.map((s) => s.id)).toEqual(['xiangtan', 'hunan-fgw', 'hunan-dfzb']);
    const dfz = cfg.sites[2];
    expect(dfz.hasPublicServices).toBe(false);
    expect(toSiteInfo(dfz)).toEqual({ url: 'http://dfz.hunan.gov.cn/', host: 'dfz.hunan.gov.cn', name: '湖南省地方志编纂院', unitType: 'provincial', parentDomain: 'hunan.gov.cn' });
    expect(cfg.sites[0].hasPublicServices).toBe(true);
    expect(path.isAbsolute(cfg.sites[0].manual!)).toBe(true);
    expect(channelName(cfg.warnings.channels[0])).toBe('省政务服务局值班群');
  });

  it('reports the file, line and path of each problem, in Chinese', () => {
    const text = `sites:
  - id: ok
    name: 甲
    url: http://a.gov.cn/
    rubric: hunan-2021-city
  - id: bad
    name: 乙
    url: ftp://b.gov.cn/
    rubric: hunan-2021-county
    probesPerDay: 12
    colour: red
  - id: ok
    name: 丙
    url: http://c.gov.cn/
    rubric: hunan-2021-city
`;
    const e = errorOf(() => parseSitesConfig(text, '/x/sites.yaml'));
    const lines = e.issues.join('\n');
    expect(lines).toMatch(/sites\.yaml:8: sites\[1\]\.url: 应为 http/);
    expect(lines).toMatch(/sites\.yaml:9: sites\[1\]\.rubric: rubric 应为 hunan-2021-city 或 hunan-2021-provincial/);
    expect(lines).toMatch(/sites\.yaml:10: sites\[1\]\.probesPerDay: .*不得少于 20/);
    expect(lines).toMatch(/sites\[1\]: 未知字段：colour/);
    expect(lines).toMatch(/sites\.yaml:12: sites\[2\]\.id: 网站 id "ok" 重复/);
  });

  it('rejects broken YAML and a bad cron expression', () => {
    expect(errorOf(() => parseSitesConfig('sites: [\n  - {id: a', 's.yaml')).message).toContain('不是有效的 YAML');
    const e = errorOf(() => parseSitesConfig("nightly:\n  cron: 'every night'\n", 's.yaml'));
    expect(e.issues[0]).toMatch(/s\.yaml:2: nightly\.cron: .*cron/);
  });

  it('a missing file is a clear error', () => {
    expect(errorOf(() => loadSitesConfig(path.join(dir, 'none.yaml'))).message).toContain('找不到站点配置文件');
  });
});

describe('sites add / list / remove', () => {
  it('creates the file, keeps comments and other entries, refuses duplicates', () => {
    const file = path.join(dir, 'sites.yaml');
    fs.writeFileSync(
      file,
      `# 我们的站点（注释要保留）
nightly:
  cron: '30 1 * * *'  # 凌晨一点半
sites:
  # 市州
  - id: xiangtan
    name: 湘潭市人民政府
    url: http://www.xiangtan.gov.cn/
    rubric: hunan-2021-city
`,
    );
    addSite(file, { id: 'hunan-fgw', name: '湖南省发展和改革委员会', url: 'http://fgw.hunan.gov.cn/', rubric: 'hunan-2021-provincial', parentDomain: 'hunan.gov.cn' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# 我们的站点（注释要保留）');
    expect(text).toContain('# 凌晨一点半');
    expect(text).toContain('# 市州');
    expect(listSites(file).map((s) => s.id)).toEqual(['xiangtan', 'hunan-fgw']);
    expect(() => addSite(file, { id: 'xiangtan', name: 'x', url: 'http://x.gov.cn/', rubric: 'hunan-2021-city' })).toThrow(/已存在/);
    addSite(file, { id: 'xiangtan', name: '湘潭市人民政府', url: 'https://www.xiangtan.gov.cn/', rubric: 'hunan-2021-city' }, { replace: true });
    expect(listSites(file).find((s) => s.id === 'xiangtan')!.url).toBe('https://www.xiangtan.gov.cn/');
    expect(removeSite(file, 'xiangtan').id).toBe('xiangtan');
    expect(listSites(file).map((s) => s.id)).toEqual(['hunan-fgw']);
    expect(fs.readFileSync(file, 'utf8')).toContain('# 凌晨一点半');
    expect(() => removeSite(file, 'nope')).toThrow(/没有 id 为 "nope"/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('validates before writing: an invalid site leaves the file untouched', () => {
    const file = path.join(dir, 'sites.yaml');
    addSite(file, { id: 'a', name: '甲', url: 'http://a.gov.cn/', rubric: 'hunan-2021-city' });
    const before = fs.readFileSync(file, 'utf8');
    expect(() => addSite(file, { id: 'b', name: '乙', url: 'http://b.gov.cn/', rubric: 'hunan-2021-city', probesPerDay: 10 })).toThrow(SitesConfigError);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('CLI functions print Chinese text or JSON and return exit codes', () => {
    const file = path.join(dir, 'sites.yaml');
    let out = '';
    let err = '';
    const cio = { out: (s: string) => (out += `${s}\n`), err: (s: string) => (err += `${s}\n`) };
    expect(runSitesAddCommand({ config: file, id: 'cs', name: '长沙市人民政府', url: 'http://www.changsha.gov.cn/', rubric: 'hunan-2021-city', region: '长沙市' }, cio)).toBe(0);
    expect(out).toContain('已添加网站 cs');
    out = '';
    expect(runSitesListCommand({ config: file }, cio)).toBe(0);
    expect(out).toContain('长沙市人民政府');
    expect(out).toContain('共 1 个网站');
    out = '';
    expect(runSitesListCommand({ config: file, format: 'json' }, cio)).toBe(0);
    expect(JSON.parse(out)[0]).toMatchObject({ id: 'cs', hasPublicServices: true, region: '长沙市' });
    expect(runSitesAddCommand({ config: file, id: 'bad id', name: 'x', url: 'http://x.gov.cn/', rubric: 'hunan-2021-city' }, cio)).toBe(2);
    expect(err).toContain('id 只能包含');
    // values straight from the command line (strings) are converted
    expect(runSitesAddCommand({ config: file, id: 'dfz', name: '湖南省地方志编纂院', url: 'http://dfz.hunan.gov.cn/', rubric: 'hunan-2021-provincial', probesPerDay: '48', hasPublicServices: 'false' }, cio)).toBe(0);
    expect(listSites(file).find((s) => s.id === 'dfz')).toMatchObject({ probesPerDay: 48, hasPublicServices: false });
    expect(runSitesRemoveCommand({ config: file, id: 'cs' }, cio)).toBe(0);
    expect(runSitesRemoveCommand({ config: file, id: 'cs' }, cio)).toBe(2);
  });
});
