import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { guideTitle, guidesRead, guidesSummary, sampleKey, sampleNote, whereNote } from '../src/analyze/services/observed.ts';

/**
 * 办事指南表述含糊不清 (办事指南 rule 4): "根据有关法律法规规定应提交的其他材料", 其他(相关)材料, 有关部门 / 相关部门,
 * 规定的其他… in a guide's 申请条件, 办理材料 or 办理流程 (not in 设定依据, where quoted law says 有关部门). One finding
 * per phrase per guide, the phrase quoted.
 */

const check: Check = {
  id: 'guide-vague',
  title: '办事指南表述含糊',
  description: 'Vague wording (其他材料, 有关部门, 规定的其他…) in conditions, materials and process; one per phrase per guide.',
  run(ctx: AuditContext): CheckOutput {
    const got = guidesRead(ctx);
    if ('out' in got) return got.out;
    const { seen: s, read, sample } = got;
    const findings: Finding[] = [];
    for (const g of read) {
      const title = guideTitle(g);
      for (const v of g.reading!.vague ?? []) {
        findings.push({
          check: check.id,
          url: g.url,
          target: `${g.url}#vague:${v.phrase}`,
          detail: `${v.where}：「${v.snippet}」`,
          message: `办事指南「${title}」的${v.where}表述含糊：「${v.phrase}」${whereNote(g.where)}。`,
          evidence: { sampled: sample.has(sampleKey(g.url)), guide: title, where: g.where, via: g.via, phrase: v.phrase, part: v.where, snippet: v.snippet, items: g.items },
        });
      }
    }
    return { findings, scope: { status: 'checked', summary: `${guidesSummary(s)}；${sampleNote(read.length, '办事指南')}` } };
  },
};

export default check;
