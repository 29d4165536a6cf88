import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { guideTitle, guidesRead, guidesSummary, sampleKey, sampleNote, whereNote } from '../src/analyze/services/observed.ts';
import { ELEMENT_KEYS, ELEMENT_ZH, type ElementKey } from '../src/analyze/services/elements.ts';

/**
 * 办事指南重点要素缺失 (办事指南 rule 2): each guide read (the site's pages, the platform's JSON or rendered pages) is
 * checked for the ten elements — 事项名称、设定依据、申请条件、办理材料、办理地点、办理机构、收费标准、办理时间、联系电话、
 * 办理流程. One finding per missing element per guide (a guide linked from several pages counts once). A label shown
 * with "无" is present; a label with nothing after it is missing. When the guide's text still uses a word of the
 * element (收费, 电话 …) under a label the reader does not know, the finding waits for a reviewer (待确认).
 */

const check: Check = {
  id: 'guide-elements',
  title: '办事指南要素缺失',
  description: 'Each read guide: one finding per missing (or empty) key element; confirm-required when the text hints at it.',
  run(ctx: AuditContext): CheckOutput {
    const got = guidesRead(ctx);
    if ('out' in got) return got.out;
    const { seen: s, read, sample } = got;
    const findings: Finding[] = [];
    for (const g of read) {
      const r = g.reading!;
      const title = guideTitle(g);
      for (const k of ELEMENT_KEYS) {
        const state = r.elements[k]?.state;
        if (state === 'present') continue;
        const zh = ELEMENT_ZH[k];
        const empty = state === 'empty';
        const hint = empty ? undefined : r.hints?.[k];
        const extra = aside(k, r.aux);
        findings.push({
          check: check.id,
          url: g.url,
          target: `${g.url}#${k}`,
          detail: empty
            ? `「${r.elements[k]!.label}」一栏为空${extra}`
            : `未找到「${zh}」${extra}${hint ? `；指南中有相关文字「${hint}」，可能以其他标签列出，需人工确认` : ''}`,
          message: `办事指南「${title}」${empty ? `的「${zh}」为空` : `缺少「${zh}」`}${whereNote(g.where)}。`,
          evidence: {
            sampled: sample.has(sampleKey(g.url)),
            element: k,
            elementZh: zh,
            guide: title,
            where: g.where,
            via: g.via,
            state: empty ? 'empty' : 'missing',
            items: g.items,
            labelsSeen: r.labelsSeen,
            ...(hint ? { hint, confirm: 'required' as const } : {}),
          },
        });
      }
    }
    return { findings, scope: { status: 'checked', summary: `${guidesSummary(s)}；${sampleNote(read.length, '办事指南')}`, stats: { guides: read.length } } };
  },
};

/** What the guide shows beside a missing element (办理时限 is not 办理时间; 监督投诉 is not 联系电话). */
function aside(k: ElementKey, aux: Partial<Record<string, string>>): string {
  if (k === 'hours' && aux.timeLimit) return `（仅有办理时限「${aux.timeLimit}」，办理时限不是办理时间）`;
  if (k === 'phone' && aux.complaint) return `（仅有监督投诉电话「${aux.complaint}」）`;
  return '';
}

export default check;
