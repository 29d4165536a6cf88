import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { servicesSeen } from '../src/analyze/services/observed.ts';

/**
 * 应提供办事服务却未提供办事服务或服务不实用 (veto clause 5 / 省直 clause 4) and the 在线申请 / 在线办事 rows a person must
 * try: the site shows no service entry at all (no 办事服务 / 政务服务 / 网上办事 link, no link into the province's
 * platform, no hall named in the sites file), or every service entry it shows is broken. Machine-assisted: every
 * finding waits for a reviewer's confirmation (a veto is never failed by the machine alone).
 */

const check: Check = {
  id: 'service-entry',
  title: '办事服务入口',
  description: 'No service entry (own hall, platform link, configured hall) or every service entry broken; confirm-required.',
  confirm: 'required',
  machineAssisted: true,
  run(ctx: AuditContext): CheckOutput {
    const got = servicesSeen(ctx);
    if ('out' in got) return got.out;
    const s = got.seen;
    const home = ctx.homepage?.url ?? ctx.site.url;
    if (!ctx.homepage) return { findings: [], scope: { status: 'unverified', reason: '首页未能读取，无法判断办事服务入口' } };
    const summary = `办事入口 ${s.entries.length} 个，办事大厅 ${s.halls.filter((h) => h.ok && h.items > 0).length} 个，办事事项 ${s.items.length} 个`;
    const findings: Finding[] = [];
    if (s.entries.length === 0 && s.items.length === 0) {
      findings.push({
        check: check.id,
        url: home,
        target: `${home}#service-entry`,
        detail: '首页及各页面未发现办事服务、政务服务、网上办事等入口，也未链接政务服务平台',
        message: '疑似未提供办事服务：网站未发现办事服务入口（办事服务、政务服务、网上办事等），也未链接湖南政务服务网，需人工确认。',
        evidence: { onHomepage: true, entries: 0, items: 0, pagesScanned: ctx.pages?.length ?? 0 },
      });
    } else if (s.entries.length > 0 && s.items.length === 0 && s.entries.every((e) => e.outcome === 'broken')) {
      findings.push({
        check: check.id,
        url: home,
        target: `${home}#service-entry`,
        detail: `办事服务入口 ${s.entries.length} 个均无法打开：` + s.entries.slice(0, 5).map((e) => `「${e.text}」${e.target}（${e.error ?? e.status ?? '无法打开'}）`).join('；'),
        message: `办事服务入口均无法打开（${s.entries.length} 个），疑似服务不实用，需人工确认。`,
        evidence: { onHomepage: true, entries: s.entries.map((e) => ({ page: e.page, text: e.text, target: e.target, outcome: e.outcome, status: e.status, error: e.error })) },
      });
    }
    return { findings, scope: { status: 'checked', summary: s.status.summary ?? summary } };
  },
};

export default check;
