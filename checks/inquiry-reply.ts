import type { Check, Finding } from '../src/model.ts';
import { interactionData } from '../src/analyze/interaction/assess.ts';
import { inquiryLatency } from '../src/analyze/interaction/inquiries.ts';
import { addWorkingDays, workingDaysBetween } from '../src/analyze/interaction/workdays.ts';

/**
 * 模拟咨询 (simulated inquiry): the question an inspector asked as a user (govsite inquiry add) and its reply — entered
 * by hand, or found by the gatherer among the published letters (same title, same days). Counted in Chinese working
 * days: more than 5 → 市州 留言公开 5a / 省直 办理答复 1 (a reply found by matching, or none found, waits for a
 * reviewer; a reply time entered by hand counts at once); within 1 → the 留言办理 bonus rule 1, a proposal a reviewer
 * confirms (the answer must also be accurate). Quality of the answer stays a reviewer's call.
 */
const check: Check = {
  id: 'inquiry-reply',
  title: '模拟咨询答复时限',
  description: 'Simulated inquiries: reply within 5 working days (deduction otherwise) and within 1 working day (bonus proposal).',
  run(ctx) {
    const d = interactionData(ctx);
    const inqs = d.inquiries.filter((q) => q.askedAt.slice(0, 10) <= ctx.asOf);
    if (!inqs.length) return { findings: [], scope: { status: 'not-run', reason: '未录入模拟咨询记录（govsite inquiry add），由检查人员模拟提问后录入' } };
    const findings: Finding[] = [];
    const open: string[] = [];
    const lines: string[] = [];
    for (const q of inqs) {
      const url = q.channel || ctx.site.url;
      const target = `inquiry:${q.id}`;
      const title = q.title.slice(0, 40);
      const latency = q.latency ?? inquiryLatency(q.askedAt, q.repliedAt);
      const how = q.repliedBy === 'manual' ? '人工录入的答复时间' : q.repliedBy === 'published' ? `已公开留言中找到的答复（${q.match?.url ?? q.match?.title ?? ''}）` : '';
      const base = { inquiry: { id: q.id, title: q.title, askedAt: q.askedAt, repliedAt: q.repliedAt, channel: q.channel }, repliedBy: q.repliedBy, match: q.match, deadline5: addWorkingDays(q.askedAt.slice(0, 10), 5), deadline1: addWorkingDays(q.askedAt.slice(0, 10), 1) };
      if (q.repliedAt && latency !== undefined) {
        lines.push(`「${title}」${q.askedAt} 提问，${q.repliedAt} 答复，用时 ${latency} 个工作日`);
        if (latency > 5) {
          findings.push({
            check: check.id, url, target,
            detail: `答复用时 ${latency} 个工作日（${q.askedAt} → ${q.repliedAt}）`,
            message: `模拟咨询「${title}」未在5个工作日内收到答复：${q.askedAt} 提问，${q.repliedAt} 答复（${how}），用时 ${latency} 个工作日。`,
            evidence: { ...base, rule: 'late', latencyWorkdays: latency, ...(q.repliedBy === 'manual' ? {} : { confirm: 'required' as const }) },
          });
        } else if (latency <= 1) {
          findings.push({
            check: check.id, url, target,
            detail: `答复用时 ${latency} 个工作日（${q.askedAt} → ${q.repliedAt}）`,
            message: `模拟咨询「${title}」在1个工作日内收到答复（${q.askedAt} 提问，${q.repliedAt} 答复），如答复内容准确可加分（待复核确认）。`,
            evidence: { ...base, rule: 'fast', latencyWorkdays: latency, confirm: 'required' },
          });
        }
        continue;
      }
      const waited = workingDaysBetween(q.askedAt.slice(0, 10), ctx.asOf);
      if (Number.isFinite(waited) && waited > 5) {
        lines.push(`「${title}」${q.askedAt} 提问，至 ${ctx.asOf} 已 ${waited} 个工作日未见答复`);
        findings.push({
          check: check.id, url, target,
          detail: `${q.askedAt} 提问，至 ${ctx.asOf} 已 ${waited} 个工作日，未发现答复`,
          message: `模拟咨询「${title}」未在5个工作日内收到答复：${q.askedAt} 提问，至监测时间点已 ${waited} 个工作日，已公开留言中未找到答复，也未录入答复时间。`,
          evidence: { ...base, rule: 'late', workdaysWaited: waited, confirm: 'required' },
        });
      } else {
        open.push(`「${title}」${q.askedAt} 提问，尚未满5个工作日`);
      }
    }
    const summary = `模拟咨询 ${inqs.length} 次：${[...lines, ...open].join('；')}`;
    if (open.length && !findings.length) return { findings, scope: { status: 'unverified', summary, reason: `${open.join('；')}，暂无法判断` } };
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
