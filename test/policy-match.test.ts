import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDocNos, findRegNos, normalizeDocNo } from '../src/analyze/policy/docno.ts';
import { readFieldsFromText } from '../src/analyze/policy/fields.ts';
import { coreTitle, titleSimilarity } from '../src/analyze/policy/similarity.ts';
import { scoreTitlePairs, titleOnlyDocument, titleOnlyInterpretation, type TitlePairs } from '../src/analyze/policy/evaluate.ts';
import { matchPolicies, MATCH_THRESHOLDS } from '../src/analyze/policy/match.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('文号 and 统一登记号', () => {
  it('normalises brackets, full-width digits, spaces and leading zeros', () => {
    const forms = ['湘政办发〔2022〕12号', '湘政办发[2022]12号', '湘政办发［2022］12号', '湘政办发（2022）12号', '湘政办发(2022)012号', '湘政办发 〔２０２２〕 １２ 号', '湘政办发【2022】12号', '湘政办发﹝2022﹞12号'];
    for (const f of forms) expect(normalizeDocNo(f), f).toBe('湘政办发〔2022〕12号');
  });

  it('finds 文号 in running text and cuts the words in front of the code', () => {
    const hits = findDocNos('根据湘政发〔2021〕5号文件精神，市政府印发了青政发[2021]6号，（青政办函〔2021〕18号）');
    expect(hits.map((h) => h.norm)).toEqual(['湘政发〔2021〕5号', '青政发〔2021〕6号', '青政办函〔2021〕18号']);
    expect(findDocNos('青山市人民政府令第3号').map((h) => h.norm)).toEqual(['青山市人民政府令第3号']);
    expect(findDocNos('2021年（第3号）公告')).toEqual([]);
    expect(normalizeDocNo('无')).toBeUndefined();
  });

  it('finds 统一登记号 with any dash', () => {
    expect(findRegNos('统一登记号：HNPR—2022—01034；另见 HHCR-2023-01005、ＱＳＰＲ－２０２１－００００６')).toEqual(['HNPR-2022-01034', 'HHCR-2023-01005', 'QSPR-2021-00006']);
  });
});

describe('labelled fields', () => {
  it('reads label / value cells and inline labels', () => {
    const f = readFieldsFromText('索引号：\t439900001/2021-00123\t发布机构：\t青山市人民政府\n发文字号：\t青政发〔2021〕6号\t成文日期：\t2021-05-18\n统一登记号: QSPR-2021-00006');
    expect(f).toMatchObject({ indexNo: '439900001/2021-00123', issuer: '青山市人民政府', docNo: '青政发〔2021〕6号', written: '2021-05-18', regNo: 'QSPR-2021-00006' });
    expect(readFieldsFromText('文号：湘政发〔2021〕1号  发布机构：湖南省人民政府')).toMatchObject({ docNo: '湘政发〔2021〕1号', issuer: '湖南省人民政府' });
    expect(readFieldsFromText('本文号召大家积极参与')).toEqual({});
    expect(readFieldsFromText('索　引　号：\t4399/2021-1\n发 文 字 号：\t青政发〔2021〕6号')).toMatchObject({ indexNo: '4399/2021-1', docNo: '青政发〔2021〕6号' });
    // A value stops at a 【tool】 block, not at the brackets of a 文号.
    expect(readFieldsFromText('发布时间：2024-09-30 09:24 【字体:大 中 小】\n发文字号：\t绿政办发[2021]8号')).toMatchObject({ published: '2024-09-30 09:24', docNo: '绿政办发[2021]8号' });
  });
});

describe('title similarity', () => {
  it('reduces titles to their subject', () => {
    expect(coreTitle('青山市人民政府关于印发《青山市促进民营经济高质量发展若干措施》的通知', { placeNames: ['青山市'] })).toBe('促进民营经济高质量发展');
    expect(coreTitle('市人社局负责人就高校毕业生就业创业扶持政策答记者问')).toBe('高校毕业生就业创业扶持');
    expect(coreTitle('青山市人民政府关于调整城区集中供水价格的通知')).toBe('调整城区集中供水价格');
  });

  it('vetoes other years, other authorities and revisions', () => {
    expect(titleSimilarity('关于印发《青山市2020年重点民生实事工作方案》的通知', '一图看懂2021年重点民生实事').veto).toMatch(/numbers/);
    expect(titleSimilarity('关于印发《青山市“十三五”生态环境保护规划》的通知', '《青山市“十四五”生态环境保护规划》解读').veto).toMatch(/numbers/);
    expect(titleSimilarity('青山市人民政府关于印发《青山市促进民营经济高质量发展若干措施》的通知', '《湖南省促进民营经济高质量发展若干措施》解读', { placeNames: ['青山市'] }).veto).toMatch(/authorities/);
    expect(titleSimilarity('关于印发《青山市促进数字经济高质量发展若干措施》的通知', '《青山市促进数字经济高质量发展若干措施（2022年修订）》解读').veto).toMatch(/revision/);
  });
});

describe('matcher on the labelled title pairs (fixtures/policy/title-pairs.json)', () => {
  const set = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/policy/title-pairs.json'), 'utf8')) as TitlePairs;

  it('makes no wrong match (precision 1) and finds most pairs with the default thresholds', () => {
    const s = scoreTitlePairs(set);
    expect(s.wrong).toEqual([]);
    expect(s.precision).toBe(1);
    expect(s.recall).toBeGreaterThanOrEqual(0.85);
    // The two misses: a tie between 措施 and its 实施细则, and a paraphrase sharing too little.
    expect(s.missed).toEqual(['一图读懂：我市促进民营经济高质量发展20条 → D1', '数字经济新政解读：青山这样促进数字经济发展 → D2']);
  });

  it('a lower threshold starts guessing (the reason for the default)', () => {
    const s = scoreTitlePairs(set, { thresholds: { similarity: 0.6 } });
    expect(s.fp).toBeGreaterThan(0);
    expect(MATCH_THRESHOLDS.similarity).toBeGreaterThan(0.6);
  });

  it('keeps the reason and score of each match; a tie is no match', () => {
    const docs = [titleOnlyDocument('A', '青山市人民政府关于印发《青山市促进民营经济高质量发展若干措施》的通知'), titleOnlyDocument('B', '青山市人民政府关于印发《青山市促进民营经济高质量发展若干措施实施细则》的通知')];
    const m = matchPolicies(docs, [titleOnlyInterpretation(0, '《青山市促进民营经济高质量发展若干措施》政策解读'), titleOnlyInterpretation(1, '图解：我市促进民营经济高质量发展')], { placeNames: ['青山市'] });
    expect(m).toEqual([expect.objectContaining({ doc: 'fixture:A', interp: 'fixture:I0', reason: 'title', score: MATCH_THRESHOLDS.titleScore, detail: expect.stringContaining('《青山市促进民营经济高质量发展若干措施》') })]);
  });
});
