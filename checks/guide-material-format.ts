import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { guideTitle, guidesRead, guidesSummary, sampleKey, sampleNote, whereNote } from '../src/analyze/services/observed.ts';
import { missingFormat } from '../src/analyze/services/materials.ts';

/**
 * 办理材料格式要求不明确 (办事指南 rule 3, 每发现一个存在该问题的事项): a guide whose materials do not say 原件/复印件
 * (or 纸质/电子) or 份数. One finding per guide, listing the materials and what each lacks.
 */

const MAX_MATERIALS = 80;

const check: Check = {
  id: 'guide-material-format',
  title: '办理材料格式要求不明确',
  description: 'Per guide: materials without 原件/复印件 or 纸质/电子, or without 份数.',
  run(ctx: AuditContext): CheckOutput {
    const got = guidesRead(ctx);
    if ('out' in got) return got.out;
    const { seen: s, read, sample } = got;
    const findings: Finding[] = [];
    let withMaterials = 0;
    for (const g of read) {
      const mats = g.reading!.materials ?? [];
      if (!mats.length || mats.length > MAX_MATERIALS) continue;
      withMaterials++;
      const bad = mats.map((m) => ({ m, miss: missingFormat(m) })).filter((x) => x.miss.length);
      if (!bad.length) continue;
      const title = guideTitle(g);
      const lack = (miss: string[]) => miss.map((x) => (x === 'form' ? '原件/复印件（纸质/电子）' : '份数')).join('和');
      findings.push({
        check: check.id,
        url: g.url,
        target: `${g.url}#materials`,
        detail: bad.slice(0, 8).map(({ m, miss }) => `「${m.name}」未说明${lack(miss)}`).join('；') + (bad.length > 8 ? `；等 ${bad.length} 项` : ''),
        message: `办事指南「${title}」的办理材料格式要求不明确：${bad.length} 项材料未说明原件/复印件或份数${whereNote(g.where)}。`,
        evidence: {
          sampled: sample.has(sampleKey(g.url)),
          guide: title,
          where: g.where,
          via: g.via,
          materials: bad.map(({ m, miss }) => ({ name: m.name, missing: miss, form: m.form, medium: m.medium, count: m.count })),
          materialCount: mats.length,
          items: g.items,
        },
      });
    }
    return { findings, scope: { status: 'checked', summary: `${guidesSummary(s)}；${sampleNote(read.length, '办事指南')}`, stats: { guides: read.length, withMaterials } } };
  },
};

export default check;
