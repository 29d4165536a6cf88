import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import type { PolicyDocument, PolicyInterpretation } from '../src/analyze/policy/extract.ts';
import type { PolicyMatch } from '../src/analyze/policy/match.ts';
import { titleSimilarity } from '../src/analyze/policy/similarity.ts';
import { placeNamesOf } from '../src/analyze/policy/analyse.ts';
import { CATEGORY_ZH, inPeriod, issuedByUnit, policyPeriod } from '../src/analyze/policy/scope.ts';
import { gathererScope, partialNote } from '../src/analyze/gathered.ts';

/**
 * 应解读而未解读 (市州 解读比例 1, 省直 政策文件 2a): documents of the year before the as-of date, issued in the name of
 * the government or its office (市州) or by the department itself (省直), for which no interpretation was found.
 * Many documents need none, so each one is a candidate the reviewer confirms (confirm-required); 批复, 人事任免,
 * 转发, 表彰 and work-arrangement notices are left out and counted in the summary.
 */
const check: Check = {
  id: 'interpretation-missing',
  title: '政策文件未解读',
  description: 'Documents of the past year issued by the government (city) / the department (provincial) without a matched interpretation; candidates for the reviewer.',
  confirm: 'required',
  run(ctx: AuditContext): CheckOutput {
    const not = gathererScope(ctx, 'policy', '政策文件');
    if (not) return { findings: [], scope: not };
    const obs = ctx.observations!;
    const docs = obs.list<PolicyDocument>('policy-document');
    const interps = obs.list<PolicyInterpretation>('policy-interpretation');
    const matches = obs.list<PolicyMatch>('policy-match');
    const { since, until } = policyPeriod(ctx.asOf);
    if (!docs.length) return { findings: [], scope: { status: 'unverified', reason: `未读取到政策文件（期间 ${since} 至 ${until}）${partialNote(ctx, 'policy')}` } };
    const matched = new Map<string, PolicyMatch[]>();
    for (const m of matches) matched.set(m.doc, [...(matched.get(m.doc) ?? []), m]);
    const whose = ctx.site.unitType === 'city' ? '以政府或政府办公室（厅）名义印发' : '本部门印发';
    let own = 0;
    let withInterp = 0;
    let undated = 0;
    const usuallyNone: Record<string, number> = {};
    const findings: Finding[] = [];
    const places = placeNamesOf(ctx.site.name);
    for (const d of docs) {
      const p = inPeriod(d, ctx.asOf);
      if (p === undefined) {
        undated++;
        continue;
      }
      if (!p || !issuedByUnit(ctx, d, { forwardCounts: true })) continue;
      if (d.category) {
        usuallyNone[d.category] = (usuallyNone[d.category] ?? 0) + 1;
        continue;
      }
      own++;
      if (matched.has(d.url)) {
        withInterp++;
        continue;
      }
      const near = interps
        .map((i) => ({ i, s: titleSimilarity(d.title, i.title, { placeNames: places }).score }))
        .filter((x) => x.s >= 0.4)
        .sort((a, b) => b.s - a.s)
        .slice(0, 2)
        .map((x) => ({ title: x.i.title, url: x.i.url, similarity: x.s }));
      findings.push({
        check: check.id,
        url: d.url,
        target: d.url,
        detail: [d.docNo, d.date, d.issuer].filter(Boolean).join('，'),
        message: `政策文件「${d.title}」${d.docNo ? `（${d.docNo}）` : ''}未找到对应的解读材料，请确认该文件是否应解读。`,
        evidence: {
          title: d.title,
          docNo: d.docNo,
          issuer: d.issuer,
          date: d.date,
          column: d.column,
          period: `${since} 至 ${until}`,
          interpretationsRead: interps.length,
          ...(near.length ? { nearestInterpretations: near } : {}),
        },
      });
    }
    const none = Object.entries(usuallyNone).map(([k, n]) => `${CATEGORY_ZH[k as keyof typeof CATEGORY_ZH]} ${n} 件`).join('、');
    const summary =
      `已读取政策文件 ${docs.length} 件、解读 ${interps.length} 篇；${since} 至 ${until} ${whose}的文件 ${own} 件，其中 ${withInterp} 件找到解读、${own - withInterp} 件未找到（待确认）` +
      (none ? `；通常无需解读未列入：${none}` : '') +
      (undated ? `；${undated} 件无法读取日期未列入` : '') +
      partialNote(ctx, 'policy');
    return { findings, scope: { status: 'checked', summary, stats: { documents: docs.length, interpretations: interps.length, own, withInterpretation: withInterp, candidates: findings.length } } };
  },
};

export default check;
