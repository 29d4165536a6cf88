import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { MARKER_ZH } from '../src/analyze/services/compat.ts';
import { COMPAT_KIND, type CompatObs } from '../src/analyze/services/types.ts';

/**
 * 使用主流浏览器访问，不能正常显示页面内容 (市州 可用性 rule 2 / 省直 兼容性 1), judged on the homepage and a sample of
 * column and content pages plus every crawled page that needs an old browser:
 *  - content Chromium cannot show at all: an ActiveX control or Flash/plugin object without fallback, text that exists
 *    only inside `<!--[if IE]>` comments → a finding;
 *  - the rendered page shows far less text than its HTML carries (scripts that break or blank the page), or throws and
 *    shows nothing → a finding a reviewer confirms (待确认), with the screenshot;
 *  - a "请使用IE浏览器" notice or VBScript alone → shown, not deducted (the page may still display).
 */

const COLLAPSE_MIN_STATIC = 300;
const COLLAPSE_RATIO = 0.3;

const check: Check = {
  id: 'browser-compat',
  title: '浏览器兼容性',
  description: 'Pages needing an old browser (ActiveX, Flash, IE-only content) or whose rendered text collapses in Chromium.',
  run(ctx: AuditContext): CheckOutput {
    const obs = ctx.observations;
    const status = obs?.status('render-compat');
    if (!obs || !status) return { findings: [], scope: { status: 'not-run', reason: '未运行浏览器兼容性采集（render-compat）' } };
    if (status.status === 'skipped') return { findings: [], scope: { status: 'not-run', reason: status.reason ?? '浏览器兼容性采集未运行' } };
    const pages = obs.list<CompatObs>(COMPAT_KIND);
    const findings: Finding[] = [];
    for (const p of pages) {
      const base = {
        pageKind: p.pageKind,
        sampledAs: p.sampled,
        staticChars: p.staticChars,
        ...(p.renderedChars !== undefined ? { renderedChars: p.renderedChars } : {}),
        markers: p.markers,
        ...(p.screenshot ? { screenshot: p.screenshot } : {}),
        ...(p.pageErrors?.length ? { pageErrors: p.pageErrors } : {}),
        onHomepage: p.sampled === 'homepage',
      };
      const blocking = p.markers.filter((m) => m.blocking);
      if (blocking.length) {
        findings.push({
          check: check.id,
          url: p.url,
          target: p.url,
          detail: blocking.map((m) => `${MARKER_ZH[m.kind]}：${m.snippet}`).join('；'),
          message: `页面内容需旧版 IE 浏览器才能显示（${[...new Set(blocking.map((m) => MARKER_ZH[m.kind]))].join('、')}），主流浏览器中无法正常显示。`,
          evidence: { ...base, confirmation: p.rendered ? 'rendered' : 'static' },
        });
        continue;
      }
      if (p.rendered && p.renderedChars !== undefined) {
        const collapsed = p.staticChars >= COLLAPSE_MIN_STATIC && p.renderedChars < p.staticChars * COLLAPSE_RATIO;
        const blank = p.renderedChars < 50 && (p.pageErrors?.length ?? 0) > 0;
        if (collapsed || blank) {
          findings.push({
            check: check.id,
            url: p.url,
            target: p.url,
            detail: `静态页面文字 ${p.staticChars} 字，浏览器渲染后 ${p.renderedChars} 字${p.pageErrors?.length ? `；脚本错误：${p.pageErrors[0]}` : ''}`,
            message: `浏览器渲染后页面内容明显缺失（${p.staticChars} 字 → ${p.renderedChars} 字），疑似主流浏览器不能正常显示，需人工确认。`,
            evidence: { ...base, confirm: 'required', confirmation: 'rendered' },
          });
          continue;
        }
      }
      const soft = p.markers.filter((m) => !m.blocking);
      if (soft.length) {
        findings.push({
          check: check.id,
          url: p.url,
          target: p.url,
          detail: soft.map((m) => `${MARKER_ZH[m.kind]}：${m.snippet}`).join('；'),
          message: `页面提示或使用旧版浏览器技术（${[...new Set(soft.map((m) => MARKER_ZH[m.kind]))].join('、')}），内容是否正常显示未核实。`,
          evidence: { ...base, unverified: true },
        });
      }
    }
    const rendered = pages.filter((p) => p.rendered).length;
    const deciding = findings.filter((f) => !f.evidence.unverified);
    if (!rendered && !deciding.length) {
      return { findings, scope: { status: 'unverified', reason: pages.length ? '浏览器不可用，未能渲染页面，无法判断显示是否正常' : '未抽取到可渲染的页面' } };
    }
    return { findings, scope: { status: 'checked', summary: status.summary ?? `已渲染页面 ${rendered} 个` } };
  },
};

export default check;
