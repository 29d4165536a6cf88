import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { sampleKey, sampleNote, sampleSet, servicesSeen, whereZh } from '../src/analyze/services/observed.ts';
import { ELEMENT_KEYS } from '../src/analyze/services/elements.ts';

/**
 * 事项无办事指南 (办事指南 rule 1): a listed service item without a guide — no guide link in its row, a guide link that
 * answers 404/410, or a page that shows none of the ten elements although it was read whole (its JSON or the rendered
 * page). A guide that could not be read (timeouts, scripts without endpoint or browser) is shown as unverified, never
 * deducted. One finding per item.
 */

const GONE = new Set([404, 410]);

const check: Check = {
  id: 'guide-missing',
  title: '事项无办事指南',
  description: 'Listed service items without a guide link, with a 404/410 guide, or with a page showing no guide element.',
  run(ctx: AuditContext): CheckOutput {
    const got = servicesSeen(ctx);
    if ('out' in got) return got.out;
    const s = got.seen;
    if (!s.items.length) return { findings: [], scope: { status: 'unverified', reason: '未找到办事事项列表，无法检查办事指南是否齐全' } };
    const named = new Map<string, boolean>();
    for (const it of s.items) if (it.guideUrl) named.set(it.name, true);
    const itemKey = (i: { name: string; guideUrl?: string }) => `${i.name}|${i.guideUrl ? sampleKey(i.guideUrl) : ''}`;
    const sample = sampleSet(s.items.map(itemKey), ctx.runId);
    const findings: Finding[] = [];
    let judged = 0;
    for (const it of s.items) {
      const where = whereZh(it.where);
      if (!it.guideUrl) {
        if (named.get(it.name)) continue; // the same item is listed elsewhere with its guide
        judged++;
        findings.push({
          check: check.id,
          url: it.listedOn,
          target: `${it.listedOn}#${it.name}`,
          detail: `事项「${it.name}」（${it.category ?? '未分类'}）在${where}事项列表中没有办事指南链接${it.applyUrl ? `，仅有在线办理链接 ${it.applyUrl}` : ''}`,
          message: `事项「${it.name}」无办事指南（${where}事项列表 ${it.listedOn}）。`,
          evidence: { sampled: sample.has(itemKey(it)), item: it.name, where: it.where, listedOn: it.listedOn, applyUrl: it.applyUrl, category: it.category },
        });
        continue;
      }
      const g = s.guideByUrl.get(it.guideUrl);
      if (!g) continue; // not read (budget): counted in the summary, not judged
      judged++;
      const base = { sampled: sample.has(itemKey(it)), item: it.name, where: g.where, listedOn: it.listedOn, guideUrl: g.url, status: g.status, via: g.via };
      if (!g.ok) {
        const gone = g.status !== undefined && GONE.has(g.status);
        findings.push({
          check: check.id,
          url: it.listedOn,
          target: g.url,
          detail: `事项「${it.name}」的办事指南链接${gone ? `返回 HTTP ${g.status}` : `无法打开（${g.error ?? g.status}）`}：${g.url}`,
          message: gone ? `事项「${it.name}」的办事指南不存在（HTTP ${g.status}）。` : `事项「${it.name}」的办事指南暂时无法打开，未核实。`,
          evidence: { ...base, error: g.error, ...(gone ? {} : { unverified: true }) },
        });
        continue;
      }
      const labelled = g.reading ? ELEMENT_KEYS.filter((k) => g.reading!.elements[k] && g.reading!.elements[k]!.via !== 'title').length : 0;
      if (labelled > 0) continue;
      const readWhole = g.via === 'json' || g.via === 'rendered' || !g.dynamic;
      findings.push({
        check: check.id,
        url: it.listedOn,
        target: g.url,
        detail: readWhole
          ? `事项「${it.name}」的办事指南链接页面未显示任何办事指南要素（${g.via === 'rendered' ? '浏览器渲染后' : g.via === 'json' ? '平台数据接口' : '页面'}）：${g.url}`
          : `事项「${it.name}」的办事指南页面由脚本生成，未能读取（无数据接口、浏览器不可用）：${g.url}`,
        message: readWhole ? `事项「${it.name}」的办事指南链接页面不是办事指南（未显示任何要素）。` : `事项「${it.name}」的办事指南未能读取，未核实。`,
        evidence: { ...base, ...(readWhole ? {} : { unverified: true }) },
      });
    }
    const withGuide = s.items.filter((i) => i.guideUrl).length;
    return {
      findings,
      scope: { status: 'checked', summary: `办事事项 ${s.items.length} 个，其中有办事指南链接 ${withGuide} 个；${sampleNote(s.items.length, '办事事项')}`, stats: { items: s.items.length, judged } },
    };
  },
};

export default check;
