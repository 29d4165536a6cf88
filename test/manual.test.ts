import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRubric } from '../src/score/rubric.ts';
import {
  ManualError,
  checkManualAgainstRubric,
  findingKey,
  loadManual,
  parseFindingKey,
  parseManual,
  saveManual,
  validateManual,
} from '../src/score/manual.ts';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const fixture = (name: string) => path.join(repoRoot, 'fixtures/manual', name);
const city = loadRubric('hunan-2021-city');
const prov = loadRubric('hunan-2021-provincial');

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManualError) return e.errors;
    throw e;
  }
  throw new Error('expected a ManualError');
}

describe('loading', () => {
  it('the example files load and match their rubrics', () => {
    const m = loadManual(fixture('city-example.yaml'), { rubric: city });
    expect(m.rubric).toBe('hunan-2021-city');
    expect(m.reviewer).toBe('张三');
    expect(m.items.find((e) => e.rule === 'service.guides.2')).toEqual({
      rule: 'service.guides.2',
      count: 2,
      note: '两个办事指南缺少“办理时间”',
      evidence: 'fixtures/evidence/guides-2021-06-15.png',
    });
    expect(m.decisions[0]).toMatchObject({ action: 'reject', reason: '复核时链接可正常打开（临时故障）', target: 'https://www.example-city.gov.cn/old/zt2019.html' });
    expect(loadManual(fixture('provincial-no-services.yaml'), { rubric: prov }).items.length).toBeGreaterThan(10);
  });

  it('items and decisions default to empty lists', () => {
    expect(parseManual('site: https://www.example.gov.cn/\nrubric: hunan-2021-city\n')).toEqual({
      site: 'https://www.example.gov.cn/',
      rubric: 'hunan-2021-city',
      items: [],
      decisions: [],
    });
  });

  it('schema errors name the file, the line, the path and the reason', () => {
    const file = fixture('invalid-example.yaml');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const line = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(errorsOf(() => loadManual(file))).toEqual([
      `${file}:${line('points: 1')}: items[0].points: give only one of count, points`,
      `${file}:${line('date: 2021-13-40')}: items[1].date: not a real calendar date`,
      `${file}:${line('cnt: 1') - 1}: items[2]: unknown key(s) "cnt"`,
      `${file}:${line('cnt: 1') - 1}: items[2]: give one of count, points, awarded (bonus) or veto (单否)`,
      `${file}:${line('- check: broken-link')}: decisions[0].reason: a reject decision needs a reason (shown as 复核排除 reason)`,
      `${file}:${line('- key: ')}: decisions[1].points: an adjust decision needs points or weight`,
    ]);
  });

  it('YAML syntax errors, a missing file and a non-mapping are clear', () => {
    expect(errorsOf(() => parseManual('site: [x\n', 'm.yaml'))[0]).toMatch(/^m\.yaml:\d+: \(yaml\): /);
    const missing = path.join(os.tmpdir(), 'govsite-no-such-manual.yaml');
    expect(errorsOf(() => loadManual(missing))).toEqual([`${missing}: cannot read: ENOENT`]);
    expect(errorsOf(() => parseManual('- a\n- b\n', 'm.yaml'))).toEqual(['m.yaml: (root): expected a mapping with site, rubric, items, decisions']);
    expect(errorsOf(() => parseManual('rubric: hunan-2021-city\n', 'm.yaml'))).toEqual(['m.yaml:1: site: required: Invalid input: expected string']);
  });

  it('values are checked: half points, non-negative, whole counts, veto notes, decision identity', () => {
    const errs = errorsOf(() =>
      validateManual({
        site: 'x',
        rubric: 'hunan-2021-city',
        items: [
          { rule: 'a.b', points: 0.3 },
          { rule: 'a.c', points: -1 },
          { rule: 'a.d', count: 1.5 },
          { rule: 'veto.website-health.1', veto: true },
        ],
        decisions: [
          { check: 'broken-link', action: 'confirm' },
          { key: 'broken-link', action: 'confirm' },
          { key: 'a|b|c', check: 'broken-link', url: 'u', action: 'confirm' },
          { check: 'c', url: 'u', action: 'confirm', points: 1 },
          { check: 'c', url: 'u', action: 'adjust', points: 1, weight: 2 },
        ],
      }),
    );
    expect(errs).toEqual([
      '<manual>: items[0].points: must be a multiple of 0.5',
      '<manual>: items[1].points: must be ≥ 0 (deductions and awards are written as positive numbers)',
      '<manual>: items[2].count: count is a whole number',
      '<manual>: items[3].note: a veto: true entry needs a note saying what was found',
      '<manual>: decisions[0].url: required: url (or key)',
      '<manual>: decisions[1].key: a key reads "check|url|target" (target may be empty: "check|url|")',
      '<manual>: decisions[2].key: identify the finding by key or by check + url (+ target), not both',
      '<manual>: decisions[3].points: points only go with action: adjust',
      '<manual>: decisions[4].weight: give points or weight, not both',
    ]);
  });
});

describe('checks against the rubric', () => {
  it('unknown ids, wrong field for the kind, fixed counts, caps, duplicates, item+rule mixes, rubric mismatch', () => {
    const m = validateManual({
      site: 'x',
      rubric: 'hunan-2021-provincial',
      items: [
        { rule: 'no.such.rule', count: 1 },
        { rule: 'function.ipv6.1', veto: false },
        { rule: 'function.ipv6.1', count: 1 },
        { rule: 'function.site-name.1', count: 2 },
        { rule: 'interaction.message-disclosure.2a', points: 6 },
        { rule: 'veto.website-health.1', count: 1 },
        { rule: 'bonus.data-release.1a', points: 1 },
        { rule: 'bonus.interpretation-forms', awarded: 2 },
        { rule: 'release.topics', count: 1 },
        { rule: 'service.guides', points: 1 },
        { rule: 'service.guides.1', count: 1 },
      ],
    });
    expect(checkManualAgainstRubric(m, city)).toEqual([
      'rubric: the file is for rubric "hunan-2021-provincial", scoring uses "hunan-2021-city"',
      'items[0].rule: unknown rule or item id "no.such.rule" in rubric hunan-2021-city',
      'items[1].veto: "function.ipv6.1" is a deduction rule: use count or points',
      'items[2].rule: duplicate entry for "function.ipv6.1" (also items[1]); put all occurrences in one entry',
      'items[3].count: "function.site-name.1" is a fixed deduction (扣1分): count is 0 or 1',
      'items[4].points: points 6 exceed what "interaction.message-disclosure.2a" can deduct (5)',
      'items[5].rule: "veto.website-health.1" is a 单否 item: give veto: true or veto: false',
      'items[6].points: "bonus.data-release.1a" is a bonus rule: give awarded (points) or count',
      'items[7].awarded: awarded 2 exceeds the bonus item\'s max 1',
      'items[8].count: "release.topics" is an item: give points (the item\'s manual deduction), or enter its sub-rules',
      'items[9].rule: "service.guides" has an item-level entry and sub-rule entries (items[10]); use one or the other',
    ]);
  });

  it('loadManual with a rubric throws those issues with file and line', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-manual-'));
    const file = path.join(tmp, 'm.yaml');
    fs.writeFileSync(file, 'site: x\nrubric: hunan-2021-city\nitems:\n  - rule: function.ipv6.9\n    count: 1\n');
    expect(errorsOf(() => loadManual(file, { rubric: city }))).toEqual([
      `${file}:4: items[0].rule: unknown rule or item id "function.ipv6.9" in rubric hunan-2021-city`,
    ]);
  });
});

describe('finding keys', () => {
  it('findingKey is check|url|target', () => {
    expect(findingKey({ check: 'broken-link', url: 'https://a.gov.cn/', target: 'https://a.gov.cn/x' })).toBe('broken-link|https://a.gov.cn/|https://a.gov.cn/x');
    expect(findingKey({ check: 'footer-icp', url: 'https://a.gov.cn/' })).toBe('footer-icp|https://a.gov.cn/|');
  });

  it('parseFindingKey copes with "|" inside the url', () => {
    expect(parseFindingKey('broken-link|https://a.gov.cn/?q=a|b|https://a.gov.cn/t')).toEqual({
      check: 'broken-link',
      url: 'https://a.gov.cn/?q=a|b',
      target: 'https://a.gov.cn/t',
    });
  });
});

describe('saveManual', () => {
  it('writes YAML atomically that loads back to the same data', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-manual-'));
    const file = path.join(tmp, 'sub', 'site.yaml');
    const data = loadManual(fixture('city-example.yaml'));
    saveManual(file, data);
    expect(loadManual(file, { rubric: city })).toEqual(data);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['site.yaml']);
  });

  it('refuses invalid data and leaves the existing file untouched', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-manual-'));
    const file = path.join(tmp, 'site.yaml');
    saveManual(file, { site: 'https://www.example.gov.cn/', rubric: 'hunan-2021-city', items: [{ rule: 'function.ipv6.1', count: 1 }] });
    const before = fs.readFileSync(file, 'utf8');
    expect(() =>
      saveManual(file, { site: 'https://www.example.gov.cn/', rubric: 'hunan-2021-city', decisions: [{ check: 'x', url: 'u', action: 'reject' }] }),
    ).toThrow(ManualError);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(tmp)).toEqual(['site.yaml']);
  });
});
