import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { guideTitle, guidesRead, guidesSummary, sampleKey, sampleNote, whereNote } from '../src/analyze/services/observed.ts';

/**
 * 表格样式 (省直): a guide asks for an application form (申请表、申请书、登记表 …) but offers no way to get it — no blank
 * form or sample to download, no stated channel (窗口领取, 在线填写, 系统自动生成 …). One finding per form per guide.
 * Only the 省直 table has this row; for 市州 sites the check does not run.
 */

const check: Check = {
  id: 'forms-missing',
  title: '未提供表格下载',
  description: '省直: a guide requiring a form (申请表/申请书 …) without a download or a stated way to get it; one per form.',
  run(ctx: AuditContext): CheckOutput {
    if (ctx.site.unitType !== 'provincial') return { findings: [], scope: { status: 'not-run', reason: '市州指标无表格样式一项' } };
    const got = guidesRead(ctx);
    if ('out' in got) return got.out;
    const { seen: s, read, sample } = got;
    const findings: Finding[] = [];
    let asking = 0;
    for (const g of read) {
      const r = g.reading!;
      if (r.formMaterials?.length) asking++;
      const title = guideTitle(g);
      for (const name of r.formsWithoutChannel ?? []) {
        findings.push({
          check: check.id,
          url: g.url,
          target: `${g.url}#form:${name}`,
          detail: `办理材料「${name}」需申请人填写，指南未提供空表、样表下载，也未说明获取方式`,
          message: `办事指南「${title}」要求提供「${name}」，但未提供表格获取渠道${whereNote(g.where)}。`,
          evidence: { sampled: sample.has(sampleKey(g.url)), guide: title, where: g.where, via: g.via, form: name, formsOffered: r.forms?.length ?? 0, items: g.items },
        });
      }
    }
    return { findings, scope: { status: 'checked', summary: `${guidesSummary(s)}；${sampleNote(read.length, '办事指南')}`, stats: { guides: read.length, asking } } };
  },
};

export default check;
