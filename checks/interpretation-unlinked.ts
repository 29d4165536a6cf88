import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import type { PolicyDocument, PolicyInterpretation } from '../src/analyze/policy/extract.ts';
import type { PolicyMatch } from '../src/analyze/policy/match.ts';
import { gathererScope, partialNote } from '../src/analyze/gathered.ts';

/**
 * 解读关联 (市州 1a / 1b, 省直 政策文件 2b): for every interpretation matched to its document, the interpretation must
 * link to the document (direction interp-to-doc → 1a) and the document to the interpretation (doc-to-interp → 1b);
 * each missing direction is its own finding. A pair matched only by title similarity or by a mention deep in the body
 * is a guess: its findings are confirm-required. A page whose relation block may be written by script and that could
 * not be rendered gives an unverified finding.
 */
const REASON_ZH: Record<string, string> = {
  link: '一方链接另一方',
  docno: '解读写明文号',
  title: '解读标题写明文件名称',
  'body-docno': '解读正文写明文号',
  'body-title': '解读正文写明文件名称',
  similarity: '标题相似',
};

const check: Check = {
  id: 'interpretation-unlinked',
  title: '解读与文件未关联',
  description: 'Matched document/interpretation pairs where one page does not link the other; one finding per missing direction.',
  run(ctx: AuditContext): CheckOutput {
    const not = gathererScope(ctx, 'policy', '政策文件与解读');
    if (not) return { findings: [], scope: not };
    const obs = ctx.observations!;
    const matches = obs.list<PolicyMatch & { relationScripted?: boolean }>('policy-match');
    const docs = new Map(obs.list<PolicyDocument>('policy-document').map((d) => [d.url, d]));
    const interps = new Map(obs.list<PolicyInterpretation>('policy-interpretation').map((i) => [i.url, i]));
    if (!interps.size) return { findings: [], scope: { status: 'unverified', reason: `未读取到解读材料${partialNote(ctx, 'policy')}` } };
    const findings: Finding[] = [];
    for (const m of matches) {
      const d = docs.get(m.doc);
      const i = interps.get(m.interp);
      if (!d || !i) continue;
      const guess = m.reason === 'similarity' || m.reason.startsWith('body-');
      const base = {
        docTitle: d.title,
        docUrl: d.url,
        docNo: d.docNo,
        interpretationTitle: i.title,
        interpretationUrl: i.url,
        matchReason: m.reason,
        matchScore: m.score,
        matchDetail: m.detail,
        ...(guess ? { confirm: 'required' as const } : {}),
        ...(m.relationScripted ? { unverified: true, confirmation: 'unconfirmed' as const, scripted: '关联区块可能由脚本生成，未能渲染确认' } : {}),
      };
      const how = `匹配依据：${m.detail}`;
      if (!m.interpLinksDoc) {
        findings.push({
          check: check.id,
          url: i.url,
          target: d.url,
          detail: `解读 ${i.url} 未链接文件 ${d.url}；${how}`,
          message: `解读材料「${i.title}」未与被解读的政策文件「${d.title}」相关联（解读页无指向该文件的链接）。`,
          evidence: { ...base, direction: 'interp-to-doc' },
        });
      }
      if (!m.docLinksInterp) {
        findings.push({
          check: check.id,
          url: d.url,
          target: i.url,
          detail: `文件 ${d.url} 未链接解读 ${i.url}；${how}`,
          message: `政策文件「${d.title}」未与其解读材料「${i.title}」相关联（文件页无指向该解读的链接）。`,
          evidence: { ...base, direction: 'doc-to-interp' },
        });
      }
    }
    // An interpretation matched to no document on this site and linking no original: the reviewer decides whether
    // it interprets a document at all (an unlinked interpretation of another authority's document counts too).
    const matchedInterps = new Set(matches.map((m) => m.interp));
    for (const i of interps.values()) {
      if (matchedInterps.has(i.url) || i.links.length) continue;
      findings.push({
        check: check.id,
        url: i.url,
        target: `${i.url}#original`,
        detail: `解读 ${i.url} 无原文链接，也未在本站找到其解读的文件${i.docNos.length ? `（文中文号：${i.docNos.join('、')}）` : ''}${i.titleRefs.length ? `（文中文件：《${i.titleRefs.join('》《')}》）` : ''}`,
        message: `解读材料「${i.title}」未链接被解读的政策文件（页面无原文链接，本站也未找到对应文件），请确认。`,
        evidence: { interpretationTitle: i.title, interpretationUrl: i.url, docNos: i.docNos, titleRefs: i.titleRefs, direction: 'interp-to-doc', confirm: 'required' },
      });
    }
    const reasons = new Map<string, number>();
    for (const m of matches) reasons.set(m.reason, (reasons.get(m.reason) ?? 0) + 1);
    const by = [...reasons].map(([r, n]) => `${REASON_ZH[r] ?? r} ${n}`).join('、');
    const summary = `已核对解读 ${interps.size} 篇，与文件匹配 ${matches.length} 对（${by || '无'}），缺少关联 ${findings.length} 处${partialNote(ctx, 'policy')}`;
    return { findings, scope: { status: 'checked', summary, stats: { interpretations: interps.size, matches: matches.length, unlinked: findings.length } } };
  },
};

export default check;
