import type { Check } from '../src/model.ts';
import { boards, gatherMissing, interactionData, lettersRead, nameOf, unreadableWhy } from '../src/analyze/interaction/assess.ts';

/**
 * 留言公开 1: the consultation channels (咨询建言类; 网上信访 and 纪检举报 excluded) publish none of the letters they
 * receive. Decided only when every such channel was opened and its list read: a list that says it is empty (暂无信件)
 * deducts; a channel where no list could be found at all is reported as 未核实 (the list may be elsewhere).
 */
const check: Check = {
  id: 'messages-unpublished',
  title: '网民留言未公开',
  description: 'Consultation channels that publish no letters at all (empty lists); unreadable or missing lists are unverified.',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const list = boards(d);
    if (!list.length) return { findings: [], scope: { status: 'not-run', reason: '未找到咨询建言类栏目（见“互动交流渠道”）' } };
    if (d.letters.length) return { findings: [], scope: { status: 'checked', summary: `咨询建言类栏目已公开留言：${lettersRead(d)}` } };
    const unsure = list.map(unreadableWhy).filter((x): x is string => !!x);
    if (unsure.length) return { findings: [], scope: { status: 'unverified', reason: `未读取到已公开的留言：${unsure.join('；')}` } };
    const none = list.filter((c) => c.listRead === 'none');
    const home = ctx.homepage?.url ?? ctx.site.url;
    const channels = list.map((c) => ({ text: c.text, url: c.url, listRead: c.listRead, listUrl: c.listUrl, placeholder: c.placeholder }));
    const what = list.map((c) => `${nameOf(c)}${c.placeholder ? `（页面显示「${c.placeholder}」）` : '（未找到留言列表）'}`).join('、');
    return {
      findings: [
        {
          check: check.id,
          url: list[0].url || home,
          target: 'messages:none-published',
          detail: what,
          message: none.length
            ? `咨询建言类栏目疑似未公开网民留言：${what}；未找到留言列表，需人工核实。`
            : `咨询建言类栏目对所有网民留言都未公开：${what}。`,
          evidence: { channels, snippet: list.find((c) => c.placeholder)?.placeholder, ...(none.length ? { unverified: true } : {}) },
        },
      ],
      scope: none.length
        ? { status: 'unverified', reason: `${none.map(nameOf).join('、')}未找到留言列表` }
        : { status: 'checked', summary: `已读取咨询建言类栏目 ${list.length} 个的留言列表` },
    };
  },
};

export default check;
