import type { Check } from '../src/model.ts';
import { boards, gatherMissing, incompleteWhy, interactionData, letterFacts, lettersRead, nameOf, unreadableWhy } from '../src/analyze/interaction/assess.ts';
import { letterNewest, monthsBefore } from '../src/analyze/interaction/observations.ts';

/**
 * 留言公开 3 (市州): no letter published in the two months before as-of — the newest date any published letter carries
 * (question, reply or publication) is older than as-of minus two calendar months. A consultation channel that could
 * not be read leaves the rule 未核实 (its letters may be the fresh ones).
 */
const check: Check = {
  id: 'messages-stale',
  title: '留言未及时更新',
  description: 'Newest published letter (question, reply or publication date) older than two months before as-of.',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const letters = d.letters.filter((l) => !l.test);
    if (!letters.length) return { findings: [], scope: { status: 'not-run', reason: '未读取到已公开的留言' } };
    let newest = letters[0];
    let nd = letterNewest(newest);
    for (const l of letters) {
      const x = letterNewest(l);
      if (x && (!nd || x > nd)) {
        newest = l;
        nd = x;
      }
    }
    const limit = monthsBefore(ctx.asOf, 2);
    if (nd && nd >= limit) {
      return { findings: [], scope: { status: 'checked', summary: `最新留言日期 ${nd}（${newest.channelText || newest.channel}「${(newest.title ?? '').slice(0, 30)}」），${lettersRead(d, letters)}` } };
    }
    const unsure = boards(d).map((c) => unreadableWhy(c)).filter((x): x is string => !!x);
    if (unsure.length) return { findings: [], scope: { status: 'unverified', reason: `已读取的留言中最新日期为 ${nd ?? '（无日期）'}，但${unsure.join('；')}` } };
    if (!nd) return { findings: [], scope: { status: 'unverified', reason: `${lettersRead(d, letters)}，但留言均未显示日期` } };
    const partial = boards(d).map(incompleteWhy).filter(Boolean);
    return {
      findings: [
        {
          check: check.id,
          url: newest.listUrl || newest.channel,
          target: newest.url ?? newest.key,
          detail: `最新留言日期 ${nd}，早于 ${limit}`,
          message: `监测时间点前2个月内未更新留言信息：公开的最新留言日期为 ${nd}（${nameOf({ text: newest.channelText, url: newest.channel })}「${(newest.title ?? '').slice(0, 30)}」），早于 ${limit}。`,
          evidence: { newest: nd, limit, letter: letterFacts(newest), channels: boards(d).map((c) => ({ text: c.text, url: c.url, newest: c.newest, letters: c.letters })), ...(partial.length ? { note: partial.join('；') } : {}) },
        },
      ],
      scope: { status: 'checked', summary: lettersRead(d, letters) },
    };
  },
};

export default check;
