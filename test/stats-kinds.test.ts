/**
 * Two kinds of statistics that share words: 留言受理反馈情况统计 (互动交流: letters received and answered) and 办事统计
 * (办事服务: services accepted and completed). Each reader takes only its own kind: a services-handled table must not
 * pass `message-statistics`, and a letter statistics page must not pass `service-statistics`.
 */
import { describe, it, expect } from 'vitest';
import { findLetterStatistics } from '../src/analyze/interaction/statistics.ts';
import { readStatsPage } from '../src/analyze/service-stats.ts';
import { makePage } from './helpers/page.ts';

const U = 'http://www.qingshan.gov.cn/';
const page = (title: string, body: string) =>
  `<html><head><title>${title}_青山市人民政府</title><meta name="ColumnName" content="${title.includes('来信') ? '来信统计' : '办件统计'}"></head><body><h1>${title}</h1>${body}<p>发布时间：2021-06-05</p></body></html>`;

const services = page(
  '2021年5月全市政务服务办件统计',
  '<p>2021年5月，全市政务服务平台共受理办件15321件，办结15102件。</p><table><tr><th>单位</th><th>受理量</th><th>办结量</th></tr><tr><td>市行政审批服务局</td><td>6321</td><td>6102</td></tr></table>',
);
const letters = page(
  '2021年5月市长信箱来信办理情况统计',
  '<table><tr><th>月份</th><th>来信数</th><th>办结数</th><th>办结率</th></tr><tr><td>2021年5月</td><td>58</td><td>56</td><td>96.6%</td></tr></table>',
);
const lettersGeneric = page(
  '市长信箱来信办理情况统计',
  '<table><tr><th>月份</th><th>受理量</th><th>办结量</th></tr><tr><td>2021年5月</td><td>58</td><td>56</td></tr></table>',
);

describe('statistics kinds', () => {
  it('letter statistics: read from a letter page, never from a services-handled table', () => {
    expect(findLetterStatistics(letters, `${U}hdjl/tjsj/1.html`)).toMatchObject({ received: 58, answered: 56 });
    expect(findLetterStatistics(lettersGeneric, `${U}hdjl/tjsj/2.html`)).toMatchObject({ received: 58, answered: 56 });
    expect(findLetterStatistics(services, `${U}bjtj/1.html`)).toBeUndefined();
  });

  it('services-handled statistics: read from a 办件 page, never from a letter statistics page', () => {
    expect(readStatsPage(makePage(`${U}bjtj/202106/t20210605_1.html`, services))).toMatchObject({ accepted: true, completed: true, month: '2021-05' });
    expect(readStatsPage(makePage(`${U}hdjl/tjsj/202106/t20210605_2.html`, letters))).toBeUndefined();
  });
});
