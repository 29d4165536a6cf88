import type { Check } from '../src/model.ts';
import { boards, gatherMissing, interactionData, nameOf, unreadableWhy } from '../src/analyze/interaction/assess.ts';

/**
 * 留言公开 4 (市州) / 3 (省直): no published statistics of letters received and answered (留言受理反馈情况统计): no
 * page of the boards, their statistics links or the crawl states both a count received and a count answered.
 * Confirm-required (statistics can be an image or a PDF).
 */
const check: Check = {
  id: 'message-statistics',
  title: '未公开留言统计数据',
  description: 'No statistics of letters received and answered on the boards, their statistics pages or crawled pages.',
  confirm: 'required',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const list = boards(d);
    if (!list.length) return { findings: [], scope: { status: 'not-run', reason: '未找到咨询建言类栏目（见“互动交流渠道”）' } };
    if (d.statistics.length) {
      const s = d.statistics[0];
      return { findings: [], scope: { status: 'checked', summary: `已公开留言统计：${s.snippet}（${s.url}）` } };
    }
    const unsure = list.map(unreadableWhy).filter((x): x is string => !!x);
    if (unsure.length) return { findings: [], scope: { status: 'unverified', reason: `未发现留言统计数据，但${unsure.join('；')}` } };
    const scanned = Number(d.status?.stats?.pagesScanned ?? 0);
    const home = ctx.homepage?.url ?? ctx.site.url;
    return {
      findings: [
        {
          check: check.id,
          url: home,
          target: 'messages:statistics',
          detail: `检查了 ${list.length} 个留言渠道和 ${scanned} 个已抓取页面`,
          message: `未找到留言受理反馈情况统计数据：${list.map(nameOf).join('、')}的页面及已抓取的 ${scanned} 个页面中均未发现受理（来信）数与办结（答复）数。`,
          evidence: { channels: list.map((c) => ({ text: c.text, url: c.url, listUrl: c.listUrl })), pagesScanned: scanned },
        },
      ],
      scope: { status: 'checked', summary: `已检查留言渠道 ${list.length} 个及已抓取页面 ${scanned} 个` },
    };
  },
};

export default check;
