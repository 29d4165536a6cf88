import type { Check, Finding } from '../src/model.ts';
import { gatherMissing, interactionData, letterFacts, lettersRead } from '../src/analyze/interaction/assess.ts';
import type { LetterObs } from '../src/analyze/interaction/observations.ts';

/**
 * 留言公开 2 (市州 2a, 省直 2): of five published letters drawn at random (随机抽查5条; the draw is seeded by the run id,
 * so a rescore looks at the same letters), each one that does not show its 留言时间, 答复时间, 答复单位 or 答复内容 is
 * one deduction per missing item. Read by label on the letter's own page. A missing date while the page shows a date
 * no label explains is 未核实 (an unlabeled question date); quality of the answer stays a reviewer's call.
 */

const FIELDS: { key: 'askedAt' | 'repliedAt' | 'replyUnit' | 'replyText'; zh: string }[] = [
  { key: 'askedAt', zh: '留言时间' },
  { key: 'repliedAt', zh: '答复时间' },
  { key: 'replyUnit', zh: '答复单位' },
  { key: 'replyText', zh: '答复内容' },
];

function has(l: LetterObs, key: (typeof FIELDS)[number]['key']): boolean {
  switch (key) {
    case 'askedAt':
      return !!l.askedAt;
    case 'repliedAt':
      return !!(l.repliedAt || l.handledAt);
    case 'replyUnit':
      return !!l.replyUnit;
    case 'replyText':
      return l.replyBlock === 'filled';
  }
}

const check: Check = {
  id: 'message-fields',
  title: '留言公开要素不全',
  description: 'Seeded sample of 5 published letters: 留言时间, 答复时间, 答复单位, 答复内容 each shown on the letter page.',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const letters = d.letters.filter((l) => !l.test);
    if (!letters.length) return { findings: [], scope: { status: 'not-run', reason: '未读取到已公开的留言，无法抽查' } };
    const sample = letters.filter((l) => l.sampleRank).sort((a, b) => a.sampleRank! - b.sampleRank!);
    if (!sample.length) {
      const failed = letters.filter((l) => l.detailRead === false).length;
      return { findings: [], scope: { status: 'unverified', reason: `${lettersRead(d, letters)}，但未能打开留言详情页进行抽查${failed ? `（${failed} 个详情页无法读取）` : ''}` } };
    }
    const findings: Finding[] = [];
    for (const l of sample) {
      for (const f of FIELDS) {
        if (has(l, f.key)) continue;
        const read = l.fields[f.key === 'replyText' ? 'replyText' : f.key];
        // An unlabeled date on the page may be the missing date: shown, not deducted.
        const doubt = (f.key === 'askedAt' || f.key === 'repliedAt') && (l.otherDates?.length ?? 0) > 0;
        const shown = read ? `页面有「${read.label}」但内容为空` : '页面未显示该项';
        findings.push({
          check: check.id,
          url: l.url ?? l.listUrl,
          target: `${l.url ?? l.key}#${f.key}`,
          detail: `「${(l.title ?? '').slice(0, 40)}」未公开${f.zh}（${shown}）`,
          message: doubt
            ? `抽查留言「${(l.title ?? '').slice(0, 40)}」未识别出${f.zh}，页面另有未标注的日期（${l.otherDates!.join('、')}），需人工核实。`
            : `抽查留言「${(l.title ?? '').slice(0, 40)}」未公开${f.zh}（${shown}）。`,
          evidence: {
            field: f.zh,
            sampleRank: l.sampleRank,
            letter: letterFacts(l),
            ...(read ? { snippet: read.snippet } : {}),
            recognizedFields: Object.keys(l.fields),
            ...(doubt ? { unverified: true, otherDates: l.otherDates } : {}),
          },
        });
      }
    }
    return {
      findings,
      scope: {
        status: 'checked',
        summary: `随机抽查已公开留言 ${sample.length} 条（${lettersRead(d, letters)}；按本次检查编号抽样，重新评分时抽查同样的留言）`,
        stats: { sampled: sample.length, letters: letters.length },
      },
    };
  },
};

export default check;
