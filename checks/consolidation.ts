import type { Check, Finding } from '../src/model.ts';
import { newMediaInput, noUnitScope } from '../src/newmedia/check-input.ts';

/**
 * 集约整合 (网站已报关停未关停，或关停后内容未迁移至上级网站): each website the registry lists as 已关停 / 已报关停 for
 * the unit was requested once. Still answering with its own content → a finding. Nothing there (DNS, refused, 404,
 * an error or default page) and no redirect or notice → a proposal that the content did not move (a reviewer
 * confirms). A redirect to the parent site or a closure / migration notice is fine; a timeout, 5xx or a redirect to
 * another site leaves the row 未核实.
 */
const STATE_ZH: Record<string, string> = {
  'still-open': '仍可访问',
  redirected: '跳转至上级网站',
  notice: '显示关停或迁移公告',
  gone: '已无法访问且无迁移提示',
  'redirected-elsewhere': '跳转至其他网站',
  unverified: '无法判断',
};

const check: Check = {
  id: 'consolidation',
  title: '关停网站未迁移',
  description: 'Websites registered as closed that still answer with content, or vanished without a redirect or notice (confirm-required).',
  run(ctx) {
    const input = newMediaInput(ctx);
    if ('scope' in input) return { findings: [], scope: input.scope };
    const noUnit = noUnitScope(input);
    if (noUnit) return { findings: [], scope: noUnit };
    if (input.closed.length === 0) return { findings: [], scope: { status: 'checked', summary: `名录中「${input.unit.unit}」没有登记关停的网站` } };
    const findings: Finding[] = [];
    const undecided: string[] = [];
    const counts: Record<string, number> = {};
    for (const c of input.closed) {
      const w = c.website;
      const v = c.verdict;
      counts[v.state] = (counts[v.state] ?? 0) + 1;
      const name = w.name ? `「${w.name}」` : '';
      const ev = { state: v.state, registered: { name: w.name, url: w.url, status: w.status, ...(w.movedTo ? { movedTo: w.movedTo } : {}) }, ...(v.finalUrl ? { finalUrl: v.finalUrl } : {}), ...(v.status ? { status: v.status } : {}), ...(v.title ? { title: v.title } : {}), ...(v.snippet ? { snippet: v.snippet } : {}), at: c.fetchedAt };
      if (v.state === 'still-open') {
        findings.push({
          check: check.id,
          url: w.url,
          target: w.url,
          detail: v.detail,
          message: `名录登记为“${w.status}”的网站${name}（${w.url}）仍可访问并显示原有内容：网站已报关停未关停。`,
          evidence: ev,
        });
      } else if (v.state === 'gone') {
        findings.push({
          check: check.id,
          url: w.url,
          target: w.url,
          detail: v.detail,
          message: `名录登记为“${w.status}”的网站${name}（${w.url}）已无法访问，未见跳转至上级网站或迁移公告，内容是否已迁移至上级网站请复核确认。`,
          evidence: { ...ev, confirm: 'required' as const },
        });
      } else if (v.state === 'unverified' || v.state === 'redirected-elsewhere') {
        undecided.push(`${name || w.url}：${v.detail}`);
      }
    }
    const summary = `已访问名录登记关停的网站 ${input.closed.length} 个：${Object.keys(STATE_ZH).filter((s) => counts[s]).map((s) => `${STATE_ZH[s]} ${counts[s]} 个`).join('，')}`;
    if (undecided.length) return { findings, scope: { status: 'unverified', summary, reason: undecided.join('；') } };
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
