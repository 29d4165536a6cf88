import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KNOWN_CHECK_IDS,
  knownCheckIds,
  REPO_ROOT,
  RubricError,
  indexRubric,
  listRubrics,
  loadRubric,
  parseRubric,
  resolveRubricPath,
  validateRubric,
  type Rubric,
} from '../src/score/rubric.ts';
import { rubricShow, rubricValidate } from '../src/cli/rubric-cmd.ts';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const seedFile = path.resolve(repoRoot, '../shared/seed/hunan-2021-inspection-indicators.txt');
const hasSeed = fs.existsSync(seedFile);
if (!hasSeed) console.warn(`[rubric.test] seed not found at ${seedFile}: seed-parsing tests are skipped (hard-coded counts still run)`);

const city = loadRubric('hunan-2021-city');
const prov = loadRubric('hunan-2021-provincial');

// ---------------------------------------------------------------------------------------------------------------
// The seed table, parsed from the text file: rows of 4 tab-started cells (一级指标, 二级指标, 评分细则, 分值).
// ---------------------------------------------------------------------------------------------------------------

interface SeedRow {
  level1: string;
  level2: string;
  text: string;
  points: string;
}

function seedTable(text: string, start: RegExp, end: RegExp | null): SeedRow[] {
  const from = text.search(start);
  expect(from).toBeGreaterThanOrEqual(0);
  const rest = text.slice(from);
  const body = end ? rest.slice(0, rest.search(end)) : rest;
  const cells: string[][] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('\t')) cells.push([line.slice(1)]);
    else if (cells.length) cells[cells.length - 1].push(line);
  }
  const flat = cells.map((c) => c.join('\n').trim());
  expect(flat.slice(0, 4).map(norm)).toEqual(['一级指标', '二级指标', '评分细则', '分值']);
  expect((flat.length - 4) % 4).toBe(0);
  const rows: SeedRow[] = [];
  let level1 = '';
  for (let i = 4; i < flat.length; i += 4) {
    const l1 = norm(flat[i]).replace(/（\d+分）$/, '');
    if (l1) level1 = l1;
    rows.push({ level1, level2: norm(flat[i + 1]), text: flat[i + 2], points: norm(flat[i + 3]) });
  }
  return rows;
}

/** Whitespace and Word artefacts out: the comparison is on the characters of the text. */
function norm(s: string): string {
  return s.replace(/\[bookmark:[^\]]*\]/g, '').replace(/[\s\u3000]+/g, '');
}

function seedRows(): { city: SeedRow[]; prov: SeedRow[]; note: string } {
  const text = fs.readFileSync(seedFile, 'utf8').replace(/\r/g, '');
  return {
    city: seedTable(text, /^2021年市州政府网站与政务新媒体$/m, /^2021年省直单位政府网站与政务新媒体$/m),
    prov: seedTable(text, /^2021年省直单位政府网站与政务新媒体$/m, /^备注/m),
    note: /^备注：(.*)$/m.exec(text)?.[1]?.trim() ?? '',
  };
}

/** The rubric's rows in table order: veto groups, items, bonus items. */
function rubricRows(r: Rubric): SeedRow[] {
  return [
    ...r.veto.map((g) => ({ level1: g.level1, level2: g.level2, text: g.text, points: '单否' })),
    ...r.items.map((i) => ({ level1: i.level1, level2: i.level2, text: i.text, points: String(i.max) })),
    ...r.bonus.items.map((b) => ({ level1: r.bonus.level1, level2: b.level2, text: b.text, points: String(b.max) })),
  ];
}

describe.skipIf(!hasSeed)('rubrics encode every row of the seed table', () => {
  const seed = hasSeed ? seedRows() : { city: [], prov: [], note: '' };

  for (const [name, rubric, rows] of [
    ['hunan-2021-city', city, seed.city],
    ['hunan-2021-provincial', prov, seed.prov],
  ] as const) {
    it(`${name}: same rows, same order, same 一级指标/二级指标/分值 and 评分细则 text`, () => {
      const mine = rubricRows(rubric);
      expect(mine.length).toBe(rows.length);
      rows.forEach((row, i) => {
        const m = mine[i];
        expect({ i, level1: norm(m.level1), level2: norm(m.level2), points: m.points }).toEqual({
          i,
          level1: norm(row.level1),
          level2: row.level2,
          points: row.points,
        });
        expect(norm(m.text), `${name} row ${i} (${row.level2}) text`).toBe(norm(row.text));
      });
    });

    it(`${name}: points per 一级指标 match the seed`, () => {
      const fromSeed = new Map<string, number>();
      for (const row of rows) {
        if (row.points === '单否') continue;
        fromSeed.set(row.level1, (fromSeed.get(row.level1) ?? 0) + Number(row.points));
      }
      const fromRubric = new Map<string, number>(rubric.level1.map((l) => [norm(l.name), l.points]));
      fromRubric.set(norm(rubric.bonus.level1), rubric.bonus.items.reduce((s, b) => s + b.max, 0));
      expect(Object.fromEntries(fromRubric)).toEqual(Object.fromEntries(fromSeed));
    });
  }

  it('the 备注 (no public services → prorate) is carried as data in the provincial rubric', () => {
    expect(seed.note).toContain('不考核办事服务指标');
    const p = prov.profiles?.find((x) => x.id === 'no-public-services');
    expect(p?.text).toBe(seed.note);
    expect(p?.when).toEqual({ hasPublicServices: false });
    expect(p?.skipLevel1).toEqual(['政府网站办事服务']);
    expect(p?.prorate).toBe(true);
  });

  it('each numbered sub-rule of the seed has a sub-rule (or veto sub-item) with its number', () => {
    for (const [rubric, rows] of [
      [city, seed.city],
      [prov, seed.prov],
    ] as const) {
      const all = rubricRows(rubric);
      rows.forEach((row, i) => {
        const numbers = [...row.text.matchAll(/^(\d+)\.\s*/gm)].map((m) => m[1]);
        if (!numbers.length) return;
        const id = i < rubric.veto.length ? rubric.veto[i].id : i < rubric.veto.length + rubric.items.length ? rubric.items[i - rubric.veto.length].id : rubric.bonus.items[i - rubric.veto.length - rubric.items.length].id;
        const ruleIds =
          i < rubric.veto.length
            ? rubric.veto[i].subItems.map((s) => s.id)
            : i < rubric.veto.length + rubric.items.length
              ? rubric.items[i - rubric.veto.length].rules.map((r) => r.id)
              : rubric.bonus.items[i - rubric.veto.length - rubric.items.length].rules.map((r) => r.id);
        const ruleNumbers = new Set(ruleIds.map((r) => r.slice(id.length + 1).replace(/[a-z]$/, '')));
        expect([...ruleNumbers].sort(), `${all[i].level2}`).toEqual([...new Set(numbers)].sort());
      });
    }
  });
});

describe('rubric structure (hard-coded from the seed)', () => {
  it('市州: 2 veto rows, 28 items, 11 bonus items; level1 11+10+14+20+15+30; bonus 20', () => {
    expect(city.veto.map((g) => g.subItems.length)).toEqual([7, 9]);
    expect(city.items.length).toBe(28);
    expect(city.bonus.items.length).toBe(11);
    expect(city.level1.map((l) => [l.name, l.points])).toEqual([
      ['政府网站信息发布', 11],
      ['政府网站政策解读', 10],
      ['政府网站办事服务', 14],
      ['政府网站互动交流', 20],
      ['政府网站功能设计', 15],
      ['监管工作', 30],
    ]);
    for (const l of city.level1) expect(city.items.filter((i) => i.level1 === l.name).reduce((s, i) => s + i.max, 0)).toBe(l.points);
    expect(city.items.reduce((s, i) => s + i.max, 0)).toBe(100);
    expect(city.bonus.items.reduce((s, b) => s + b.max, 0)).toBe(20);
    expect(city.bonus.ceiling).toBe(20);
  });

  it('省直: 2 veto rows, 25 items, 4 bonus items; level1 15+20+20+15+30; bonus 20', () => {
    expect(prov.veto.map((g) => g.subItems.length)).toEqual([6, 9]);
    expect(prov.items.length).toBe(25);
    expect(prov.bonus.items.length).toBe(4);
    expect(prov.level1.map((l) => [l.name, l.points])).toEqual([
      ['政府网站信息发布', 15],
      ['政府网站办事服务', 20],
      ['政府网站互动交流', 20],
      ['政府网站功能设计', 15],
      ['监管工作', 30],
    ]);
    for (const l of prov.level1) expect(prov.items.filter((i) => i.level1 === l.name).reduce((s, i) => s + i.max, 0)).toBe(l.points);
    expect(prov.bonus.items.reduce((s, b) => s + b.max, 0)).toBe(20);
  });

  it('stable ids for items and sub-rules', () => {
    const ids = new Set(indexRubric(city).keys());
    for (const id of [
      'function.site-identity',
      'function.site-identity.1',
      'function.availability.1',
      'interaction.message-disclosure.2a',
      'veto.website-health.2',
      'bonus.smart-search.5',
      'release.columns.1',
    ])
      expect(ids.has(id), id).toBe(true);
    const pids = new Set(indexRubric(prov).keys());
    for (const id of ['release.policy.4', 'function.page-content.1b', 'veto.website-health.6', 'bonus.innovation.1b']) expect(pids.has(id), id).toBe(true);
  });

  it('every source names a known check; every sub-rule is machine-fed or manual', () => {
    for (const r of [city, prov]) {
      for (const item of r.items)
        for (const rule of item.rules) {
          expect(!!rule.sources !== !!rule.manual, rule.id).toBe(true);
          for (const s of rule.sources ?? []) expect([...knownCheckIds()]).toContain(s.check);
        }
    }
  });

  it('the check → rule mappings the issue asks for are data', () => {
    const rule = (r: Rubric, id: string) => {
      const t = indexRubric(r).get(id);
      if (t?.kind !== 'rule') throw new Error(id);
      return t.rule;
    };
    // 市州 可用性 1: homepage broken links weigh 1, others 0.5
    expect(rule(city, 'function.availability.1').sources).toEqual([
      expect.objectContaining({ check: 'broken-link', where: { 'evidence.onHomepage': true }, weight: 1 }),
      expect.objectContaining({ check: 'broken-link', weight: 0.5 }),
    ]);
    // source-label is machine-assisted
    expect(rule(city, 'function.availability.3').sources?.find((s) => s.check === 'source-label')?.confirm).toBe(true);
    expect(rule(prov, 'function.page-content.1b').sources?.[0].confirm).toBe(true);
    // 省直 stale columns: news → 动态要闻 2, policy → 政策文件 4, others → 其它栏目 2
    expect(rule(prov, 'release.news.2').sources?.[0].where).toEqual({ 'evidence.columnType': 'news' });
    expect(rule(prov, 'release.policy.4').sources?.[0].where).toEqual({ 'evidence.columnType': 'policy' });
    expect(rule(prov, 'release.other-columns.2').sources?.[0].where).toEqual({ 'evidence.columnType': { notIn: ['news', 'policy'] } });
    // 留言公开 2a has its own cap of 5
    expect(rule(city, 'interaction.message-disclosure.2a').cap).toBe(5);
    // availability veto only in the 市州 table
    expect(city.veto[0].subItems[1].triggers?.[0].sources[0]).toEqual({ check: 'availability', where: { 'evidence.veto': true } });
    expect(prov.veto.flatMap((g) => g.subItems.flatMap((s) => s.triggers ?? [])).some((t) => t.sources.some((s) => s.check === 'availability'))).toBe(false);
    // 单否 column thresholds
    const trig = city.veto[0].subItems[3].triggers!;
    expect(trig.map((t) => [t.sources[0].check, t.threshold])).toEqual([
      ['empty-column', 5],
      ['stale-column', 10],
    ]);
  });
});

describe('loader and listing', () => {
  it('resolves ids to <repo>/rubrics/<id>.yaml and accepts paths', () => {
    expect(resolveRubricPath('hunan-2021-city')).toBe(path.join(REPO_ROOT, 'rubrics', 'hunan-2021-city.yaml'));
    expect(REPO_ROOT).toBe(repoRoot);
    const byPath = loadRubric(path.join(repoRoot, 'rubrics', 'hunan-2021-provincial.yaml'));
    expect(byPath.id).toBe('hunan-2021-provincial');
  });

  it('an unknown id says which rubrics exist', () => {
    expect(() => loadRubric('hunan-2099-city')).toThrow(/no rubric named "hunan-2099-city".*hunan-2021-city/);
  });

  it('listRubrics lists both rubrics', () => {
    const list = listRubrics();
    expect(list.map((r) => [r.id, r.unitType, r.errors])).toEqual([
      ['hunan-2021-city', 'city', undefined],
      ['hunan-2021-provincial', 'provincial', undefined],
    ]);
  });
});

describe('validator', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-rubric-'));
  const cityText = fs.readFileSync(path.join(repoRoot, 'rubrics', 'hunan-2021-city.yaml'), 'utf8');

  function broken(name: string, edit: (s: string) => string): string {
    const file = path.join(tmp, name);
    const text = edit(cityText);
    expect(text).not.toBe(cityText);
    fs.writeFileSync(file, text);
    return file;
  }

  it('the shipped rubrics validate', () => {
    for (const f of ['hunan-2021-city.yaml', 'hunan-2021-provincial.yaml'])
      expect(rubricValidate(path.join(repoRoot, 'rubrics', f))).toEqual({ ok: true, errors: [] });
  });

  it('reports wrong sums, odd deductions and unknown checks with file, line, path and reason', () => {
    const file = broken('sums.yaml', (s) =>
      s
        .replace('    level2: 栏目开设\n    max: 6', '    level2: 栏目开设\n    max: 7')
        .replace('        text: 存在空白栏目的，每发现一处扣1分\n        deduct: 1', '        text: 存在空白栏目的，每发现一处扣1分\n        deduct: 0.3')
        .replace('          - check: page-tags', '          - check: page-tag'),
    );
    const res = rubricValidate(file);
    expect(res.ok).toBe(false);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const deductLine = lines.findIndex((l) => l.includes('deduct: 0.3')) + 1;
    expect(res.errors).toContain(`${file}:${deductLine}: items[1].rules[0].deduct: must be a multiple of 0.5 (scores move in half points)`);
    // schema errors come first; fix the deduction and the semantic errors show
    const file2 = broken('sums2.yaml', (s) =>
      s.replace('    level2: 栏目开设\n    max: 6', '    level2: 栏目开设\n    max: 7').replace('          - check: page-tags', '          - check: page-tag'),
    );
    const res2 = rubricValidate(file2);
    expect(res2.ok).toBe(false);
    const text2 = fs.readFileSync(file2, 'utf8').split('\n');
    const line = (needle: string, after = 0) => text2.findIndex((l, i) => i >= after && l.includes(needle)) + 1;
    expect(res2.errors).toEqual(
      expect.arrayContaining([
        `${file2}:${line('points: 11')}: level1[0].points: items of "政府网站信息发布" add up to 12, declared 11`,
        expect.stringMatching(new RegExp(`^${escape(file2)}:\\d+: items: items add up to 101, totals.base is 100$`)),
        expect.stringMatching(
          new RegExp(`^${escape(file2)}:${line('check: page-tag')}: items\\[\\d+\\]\\.rules\\[3\\]\\.sources\\[0\\]\\.check: unknown check id "page-tag"`),
        ),
      ]),
    );
  });

  it('reports schema errors (missing field, unknown key, bad enum) with paths', () => {
    const file = broken('schema.yaml', (s) =>
      s
        .replace('        mode: per-occurrence\n        unit: 个\n        count: distinct-details', '        unit: 个\n        count: distinct-detail')
        .replace('    level2: 信息更新\n', '    level2: 信息更新\n    weight: 3\n'),
    );
    const res = rubricValidate(file);
    expect(res.ok).toBe(false);
    const joined = res.errors.join('\n');
    expect(joined).toMatch(new RegExp(`${escape(file)}:\\d+: items\\[0\\]\\.rules\\[0\\]\\.mode: required: `));
    expect(joined).toMatch(new RegExp(`${escape(file)}:\\d+: items\\[0\\]\\.rules\\[0\\]\\.count: `));
    expect(joined).toMatch(new RegExp(`${escape(file)}:\\d+: items\\[1\\]: unknown key\\(s\\) "weight"`));
  });

  it('rejects duplicate ids, rules that are both manual and machine-fed, and bad sub-rule prefixes', () => {
    const res = validateRubric(
      {
        ...structuredClone(city),
        items: city.items.map((it, i) =>
          i === 0
            ? { ...it, rules: [{ ...it.rules[0], manual: true as const }, { ...it.rules[0], id: 'other.prefix.1', sources: undefined }] }
            : i === 1
              ? { ...it, id: 'release.columns' }
              : it,
        ),
      },
      { file: 'x.yaml' },
    );
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors).toEqual(
      expect.arrayContaining([
        'x.yaml: items[0].rules[0]: a sub-rule has either sources or manual: true, not both',
        'x.yaml: items[0].rules[1]: a sub-rule needs sources (machine checks) or manual: true',
        'x.yaml: items[0].rules[1].id: sub-rule id "other.prefix.1" must start with "release.columns."',
        'x.yaml: items[1].id: duplicate id "release.columns" (also at items[0].id)',
      ]),
    );
  });

  it('YAML syntax errors carry the line', () => {
    expect(() => parseRubric('id: x\ntitle: [unclosed\n', '/tmp/bad.yaml')).toThrow(RubricError);
    try {
      parseRubric('id: x\ntitle: [unclosed\n', '/tmp/bad.yaml');
    } catch (e) {
      expect((e as RubricError).errors[0]).toMatch(/^\/tmp\/bad\.yaml:\d+: \(yaml\): /);
    }
  });

  it('a missing file is an error, not a crash', () => {
    const res = rubricValidate(path.join(tmp, 'nope.yaml'));
    expect(res).toEqual({ ok: false, errors: [`${path.join(tmp, 'nope.yaml')}: cannot read: ENOENT`] });
  });
});

describe('rubricShow', () => {
  it('prints a Chinese table with ids, points, methods and sources', () => {
    const out = rubricShow('hunan-2021-city');
    expect(out).toContain('2021年市州政府网站与政务新媒体检查指标（hunan-2021-city，市州）');
    expect(out).toContain('【单否指标】');
    expect(out).toContain('【政府网站功能设计】15 分');
    expect(out).toMatch(/function\.site-identity\.1\s+每项扣0\.5分/);
    expect(out).toContain('broken-link[onHomepage=true]');
    expect(out).toContain('source-label(需复核确认)');
    expect(out).toContain('【加分项】上限 20 分');
    const p = rubricShow(path.join(repoRoot, 'rubrics', 'hunan-2021-provincial.yaml'));
    expect(p).toContain('【单位类型规则】');
    expect(p).toContain('不考核「政府网站办事服务」');
  });

  it('throws RubricError for an unknown rubric', () => {
    expect(() => rubricShow('no-such-rubric')).toThrow(RubricError);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('loadRubric remembers a parse while the file is unchanged', () => {
  it('gives every caller its own copy, and reads the file again once it changed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-rubric-cache-'));
    try {
      const file = path.join(dir, 'copy.yaml');
      const original = fs.readFileSync(resolveRubricPath('hunan-2021-city'), 'utf8');
      fs.writeFileSync(file, original);
      const a = loadRubric(file);
      const b = loadRubric(file);
      expect(b).toEqual(a);
      expect(b).not.toBe(a);
      (a as { title: string }).title = 'changed by a caller';
      expect(loadRubric(file).title).toBe(b.title);
      fs.writeFileSync(file, original.replace(/^title: .*$/m, 'title: 另一个标题的评分细则'));
      expect(loadRubric(file).title).toBe('另一个标题的评分细则');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
