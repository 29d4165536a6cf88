/**
 * The audit part of the site and run pages: score cards, 单否, the score sheet in the rubric's layout with each
 * deduction's evidence, the homepage screenshot, the findings with the reviewer's confirm / reject controls, and the
 * manual items (待人工评分) with their entry forms. Crawled text is always escaped.
 */
import type { Finding } from '../model.ts';
import type { RunRow } from '../store/store.ts';
import {
  type AuditReport,
  type SheetBasis,
  type SheetRow,
  bonusRows,
  checkTitle,
  detailText,
  evidenceEntries,
  findingFlags,
  findingKey as reportFindingKey,
  formatPoints,
  groupFindingsByCheck,
  manualNotices,
  MANUAL_NOTICES_TITLE,
  messageHead,
  oneLine,
  overallVerdict,
  pendingBreakdown,
  pendingCount,
  PENDING_TEXT,
  ruleCatalog,
  ruleRef,
  safeHttpUrl,
  scopeLines,
  scoreSheetRows,
  vetoVerdict,
} from '../report/audit-report.ts';
import { RUN_STATUS_ZH, zhText } from '../report/zh.ts';
import type { ScoreResult } from '../score/types.ts';
import { findingKey as manualFindingKey, parseFindingKey, type Decision, type ManualFile } from '../score/manual.ts';
import { indexRubric, type Rubric } from '../score/rubric.ts';
import { basisHead, sheetRowsHtml } from '../report/html.ts';
import { backField, csrfField, esc, href, link, when, type Viewer } from './layout.ts';

export interface ScoreRecord {
  id: number;
  computedAt: string;
  total: number;
  veto: boolean;
  provisional: boolean;
  manualFile: string | null;
}

export interface RunView {
  run: RunRow;
  report: AuditReport;
  viewer: Viewer;
  /** Where forms come back to. */
  back: string;
  manualFile?: string;
  manual?: ManualFile;
  manualError?: string;
  rubric?: Rubric;
  scores: ScoreRecord[];
  /** Findings listed per check on this page (the rest on the findings page). */
  perCheck?: number;
  /** Only this check's findings, from `offset` (the findings page). */
  onlyCheck?: string;
  offset?: number;
}

export function runStatusText(s: string): string {
  return RUN_STATUS_ZH[s] ?? s;
}

/** report findingKey (JSON identity) → index in report.findings (= store order). */
function indexFindings(report: AuditReport): Map<string, number> {
  const m = new Map<string, number>();
  report.findings.forEach((f, i) => {
    const k = reportFindingKey(f);
    if (!m.has(k)) m.set(k, i);
  });
  return m;
}

type FindingState = 'counted' | 'excluded' | 'waiting' | 'none';

interface States {
  state: Map<string, FindingState>;
  excluded: Map<string, { reason: string; reviewer?: string }>;
}

function findingStates(score: ScoreResult | undefined): States {
  const state = new Map<string, FindingState>();
  const excluded = new Map<string, { reason: string; reviewer?: string }>();
  if (!score) return { state, excluded };
  for (const it of score.items ?? []) for (const d of it?.deductions ?? []) for (const f of d?.findings ?? []) state.set(reportFindingKey(f), 'counted');
  for (const v of score.veto?.items ?? []) if (v?.failed) for (const f of v.findings ?? []) state.set(reportFindingKey(f), 'counted');
  for (const f of score.unconfirmed ?? []) state.set(reportFindingKey(f), 'waiting');
  for (const e of score.excluded ?? []) {
    if (!e?.finding) continue;
    const k = reportFindingKey(e.finding);
    state.set(k, 'excluded');
    excluded.set(k, { reason: e.reason, ...(e.reviewer ? { reviewer: e.reviewer } : {}) });
  }
  return { state, excluded };
}

/** The reviewer decision that applies to a finding (exact key first, then the page-wide one). */
function decisionFor(manual: ManualFile | undefined, f: Finding): Decision | undefined {
  if (!manual) return undefined;
  const key = manualFindingKey(f);
  let pageWide: Decision | undefined;
  for (const d of manual.decisions) {
    if (d.key !== undefined) {
      const k = parseFindingKey(d.key);
      if (`${k.check}|${k.url}|${k.target}` === key) return d;
    } else if (d.check === f.check && d.url === f.url) {
      if (d.target === undefined) pageWide ??= d;
      else if (d.target === (f.target ?? '')) return d;
    }
  }
  return pageWide;
}

const ACTION_TEXT: Record<string, string> = { confirm: '已确认', reject: '已排除', adjust: '已调整' };

/** Where a form returns to: the page it was on, at the element it was posted from (anchor). */
function backTo(v: RunView, anchor: string): string {
  return `${v.back.replace(/#.*$/, '')}#${anchor}`;
}

/** The decision applied to a finding in the run's score (who, when, why), for display. */
function appliedDecision(v: RunView, f: Finding): Decision | undefined {
  const key = manualFindingKey(f);
  const d = (v.report.score?.decisions ?? []).find((x) => x.key === key);
  return d ? ({ key: d.key, action: d.action, ...(d.reviewer ? { reviewer: d.reviewer } : {}), ...(d.date ? { date: d.date } : {}), ...(d.reason ? { reason: d.reason } : {}) } as Decision) : undefined;
}

function stateTag(s: FindingState): string {
  switch (s) {
    case 'counted':
      return '<span class="tag bad">计入扣分</span>';
    case 'excluded':
      return '<span class="tag grey">复核排除</span>';
    case 'waiting':
      return '<span class="tag warn">待确认（暂不扣分）</span>';
    default:
      return '<span class="tag info">不计分</span>';
  }
}

function evidenceList(runId: number, f: Finding, index: number | undefined): string {
  const entries = evidenceEntries(f.evidence, 300).filter((e) => e.label !== '截图');
  const items = entries.map((e) => `<li><span class="k">${esc(e.label)}：</span>${esc(e.value)}</li>`);
  if (typeof f.evidence?.screenshot === 'string' && f.evidence.screenshot && index !== undefined) {
    items.push(`<li><span class="k">截图：</span><a href="/runs/${runId}/evidence/${index}/screenshot" target="_blank" rel="noopener">查看截图</a></li>`);
  }
  const pages = f.evidence?.pagesChecked;
  if (Array.isArray(pages) && pages.length) {
    const shown = pages.slice(0, 5).map((p) => link(p, p, 80));
    items.push(`<li><span class="k">检查的页面：</span>${shown.join('、')}${pages.length > 5 ? ` 等 ${esc(pages.length)} 个` : ''}</li>`);
  }
  return items.length ? `<ul class="evidence">${items.join('')}</ul>` : '';
}

function basisHtml(v: RunView, b: SheetBasis, idx: Map<string, number>): string {
  const max = 8;
  const items = b.findings.slice(0, max).map((f) => {
    const i = idx.get(reportFindingKey(f));
    const bits = [`${esc(messageHead(f, 200))}：`, link(f.url, f.url, 90)];
    if (f.target) bits.push(`→ ${link(f.target, f.target, 90)}`);
    if (i !== undefined) bits.push(`<a class="small" href="#f-${i}">证据与复核</a>`);
    const ev = evidenceEntries(f.evidence, 160)
      .filter((e) => e.label === '片段' || e.label === '锚文本' || e.label === '页面标题' || e.label === '状态码' || e.label === '最近更新')
      .map((e) => `<span class="k">${esc(e.label)}：</span>${esc(e.value)}`);
    return `<li>${bits.join(' ')}${ev.length ? `<br><span class="evidence">${ev.join('；')}</span>` : ''}</li>`;
  });
  if (b.findings.length > max) items.push(`<li class="muted">另有 ${esc(b.findings.length - max)} 处，见下方问题清单</li>`);
  const manualEv = b.manual?.evidence
    ? `<ul><li><span class="k">人工评分依据：</span>${safeHttpUrl(b.manual.evidence) ? link(b.manual.evidence) : esc(oneLine(b.manual.evidence, 300))}</li></ul>`
    : '';
  return `<div class="basis">${basisHead(b)}${items.length ? `<ul>${items.join('')}</ul>` : ''}${manualEv}</div>`;
}

function sheetRows(v: RunView, rows: SheetRow[], idx: Map<string, number>, bonus: boolean): string {
  return sheetRowsHtml(rows, bonus, { basis: (b) => basisHtml(v, b, idx), tag: (w) => `<br><span class="tag warn">${esc(w)}</span>` });
}

function scoreCards(score: ScoreResult): string {
  const vv = vetoVerdict(score);
  const pc = pendingCount(score);
  const card = (cls: string, label: string, value: string, attrs = '') =>
    `<div class="card ${cls}"${attrs}><div class="label">${esc(label)}</div><div class="value">${value}</div></div>`;
  const cards = [
    card(
      vv.state === 'failed' ? 'bad' : '',
      '总分',
      `<span data-testid="score-total">${esc(formatPoints(score.total))}</span>${score.provisional ? ' <span class="provisional small">暂定</span>' : ''}`,
    ),
    card('', '基础分', esc(formatPoints(score.base))),
  ];
  if (typeof score.prorated === 'number') cards.push(card('', '折合基础分', esc(formatPoints(score.prorated))));
  cards.push(card('', '加分', esc(formatPoints(score.bonus))));
  cards.push(card(vv.state === 'failed' ? 'bad' : vv.state === 'pending' ? 'warn' : '', '结论', `<span class="verdict ${vv.state}">${esc(overallVerdict(score))}</span>`));
  cards.push(card(pc.total ? 'warn' : '', '待定项', `${esc(pc.total)} 项`, pc.total ? ` title="${esc(pendingBreakdown(score))}"` : ''));
  return `<div class="cards score-head">${cards.join('')}</div>`;
}

function vetoBlock(score: ScoreResult): string {
  const vv = vetoVerdict(score);
  const reasons = (score.veto?.reasons ?? []).map((r) => `<li>${esc(oneLine(zhText(r), 400))}</li>`).join('');
  return `<p>单否结论：<span class="verdict ${vv.state}" data-testid="veto-verdict">${esc(vv.text)}</span></p>${reasons ? `<ul>${reasons}</ul>` : ''}`;
}

function reviewControls(v: RunView, f: Finding, decision: Decision | undefined, index: number): string {
  const d = decision
    ? `<p class="decision">${esc(ACTION_TEXT[decision.action] ?? decision.action)}${decision.reviewer ? `（${esc(decision.reviewer)}` : '（'}${decision.date ? ` ${esc(decision.date)}` : ''}）${decision.reason ? `：${esc(oneLine(decision.reason, 300))}` : ''}</p>`
    : '';
  if (!v.viewer.reviewer) return `${d}<a class="small" href="${esc(href('/login', { next: backTo(v, `f-${index}`) }))}">登录后可复核</a>`;
  if (!v.manualFile) return `${d}<span class="small muted">未配置人工评分文件，无法复核</span>`;
  if (v.run.status !== 'done') return d;
  const key = manualFindingKey(f);
  return (
    d +
    `<form class="review" method="post" action="/api/runs/${v.run.id}/decisions">${csrfField(v.viewer)}${backField(backTo(v, `f-${index}`))}` +
    `<input type="hidden" name="key" value="${esc(key)}">` +
    `<input type="text" name="reason" maxlength="500" placeholder="理由（排除时必填）" aria-label="复核理由">` +
    `<button type="submit" name="action" value="confirm" class="ok">确认</button>` +
    `<button type="submit" name="action" value="reject" class="danger">排除</button>` +
    (decision ? `<button type="submit" name="action" value="clear">撤销</button>` : '') +
    '</form>'
  );
}

function findingsTable(v: RunView, list: { f: Finding; i: number }[], states: States): string {
  const rows = list.map(({ f, i }) => {
    const k = reportFindingKey(f);
    const st = states.state.get(k) ?? 'none';
    const ex = states.excluded.get(k);
    const flags = findingFlags(f).map((t) => `<span class="tag warn">${esc(t)}</span>`).join('');
    const cls = st === 'excluded' ? 'excluded' : st === 'waiting' ? 'waiting' : '';
    return (
      `<tr id="f-${i}" class="${cls}" data-finding="${i}" data-check="${esc(f.check)}">` +
      `<td class="msg">${esc(oneLine(f.message, 400))}${flags}${f.detail ? `<div class="small muted break">${esc(detailText(f, 300))}</div>` : ''}</td>` +
      `<td>${link(f.url, f.url, 80)}${f.target ? `<br>→ ${link(f.target, f.target, 80)}` : ''}</td>` +
      `<td>${evidenceList(v.run.id, f, i)}</td>` +
      `<td>${stateTag(st)}${ex ? `<div class="small">${esc(oneLine(ex.reason, 200))}</div>` : ''}</td>` +
      `<td class="review">${reviewControls(v, f, decisionFor(v.manual, f) ?? appliedDecision(v, f), i)}</td>` +
      '</tr>'
    );
  });
  return `<table class="findings"><thead><tr><th>说明</th><th>页面 / 目标</th><th>证据</th><th>状态</th><th>复核</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

export function findingsSection(v: RunView): string {
  const report = v.report;
  const states = findingStates(report.score);
  const perCheck = v.perCheck ?? 30;
  const indexed = report.findings.map((f, i) => ({ f, i }));
  const out: string[] = [`<section class="panel" id="findings"><h2>问题清单与复核（${esc(report.findings.length)} 条）</h2>`];
  if (!v.viewer.reviewer) out.push(`<p class="muted small">复核（确认 / 排除）需要登录。排除后该条问题不再扣分，评分随即重新计算。</p>`);
  if (!report.findings.length) out.push('<p class="muted">机器检测未发现问题。</p>');
  for (const g of groupFindingsByCheck(report.findings)) {
    if (v.onlyCheck !== undefined && g.check !== v.onlyCheck) continue;
    const list = indexed.filter((x) => x.f.check === g.check);
    const from = v.onlyCheck !== undefined ? (v.offset ?? 0) : 0;
    const shown = list.slice(from, from + perCheck);
    out.push(`<h3 data-check="${esc(g.check)}">${esc(g.title)}（${esc(list.length)} 条）</h3>`);
    out.push(findingsTable(v, shown, states));
    if (list.length > from + perCheck) {
      out.push(
        `<p><a href="${esc(href(`/runs/${v.run.id}/findings`, { check: g.check, offset: from + perCheck }))}">查看其余 ${esc(list.length - from - perCheck)} 条</a></p>`,
      );
    }
  }
  out.push('</section>');
  return out.join('\n');
}

function manualValue(e: ManualFile['items'][number]): string {
  if (e.count !== undefined) return `次数 ${e.count}`;
  if (e.points !== undefined) return `扣 ${formatPoints(e.points)} 分`;
  if (e.awarded !== undefined) return `加 ${formatPoints(e.awarded)} 分`;
  if (e.veto !== undefined) return e.veto ? '否决' : '未发现否决情形';
  return '';
}

interface RuleInfo {
  id: string;
  /** 二级指标 and number: "可用性 第2条", "政府网站健康状况 单否第1项". */
  label: string;
  text: string;
  kind: string;
  /** Input for the value. */
  field: 'count' | 'points' | 'awarded' | 'veto';
  fixed?: { points: number; verb: '扣' | '加' };
}

function ruleInfo(rubric: Rubric, id: string): RuleInfo | undefined {
  const t = indexRubric(rubric).get(id);
  if (!t) return undefined;
  const label = ruleRef(ruleCatalog(undefined, rubric), id, { withLevel2: true, text: false });
  switch (t.kind) {
    case 'rule':
      return { id, label, text: t.rule.text, kind: 'rule', field: 'count', ...(t.rule.mode === 'fixed' ? { fixed: { points: t.rule.deduct, verb: '扣' as const } } : {}) };
    case 'item':
      return { id, label: `${t.item.level2}（整项）`, text: t.item.text, kind: 'item', field: 'points' };
    case 'veto-sub':
      return { id, label, text: t.sub.text, kind: 'veto', field: 'veto' };
    case 'veto-group':
      return { id, label: `${t.group.level2}（单否，整项）`, text: t.group.text, kind: 'veto', field: 'veto' };
    case 'bonus-rule':
      return { id, label: `加分项 ${label}`, text: t.rule.text, kind: 'bonus', field: 'count', ...(t.rule.mode === 'fixed' ? { fixed: { points: t.rule.points, verb: '加' as const } } : {}) };
    case 'bonus-item':
      return { id, label: `加分项 ${t.item.level2}（整项）`, text: t.item.text, kind: 'bonus', field: 'awarded' };
  }
}

/** A rule for people: 二级指标 and number, its text, the id in small print. */
function ruleCell(info: RuleInfo | undefined, id: string, max = 80): string {
  if (!info) return `<span class="rule-id">${esc(id)}</span>`;
  return `${esc(info.label)}<span class="rule-id small muted">${esc(id)}</span><div class="small muted">${esc(oneLine(info.text, max))}</div>`;
}

function valueInput(r: RuleInfo): string {
  // Selects start empty: a verdict is the reviewer's choice, never a default that one click saves.
  const none = '<option value="" selected disabled>请选择</option>';
  if (r.field === 'veto')
    return `<select name="value" required aria-label="单否结论">${none}<option value="false">未发现否决情形</option><option value="true">发现，单项否决</option></select>`;
  if (r.fixed)
    return `<select name="value" required aria-label="评定">${none}<option value="0">不${r.fixed.verb}分</option><option value="1">${r.fixed.verb} ${esc(formatPoints(r.fixed.points))} 分</option></select>`;
  if (r.field === 'count') return '<input type="number" name="value" min="0" step="1" value="0" aria-label="发现次数" title="发现次数">';
  return `<input type="number" name="value" min="0" step="0.5" value="0" aria-label="${r.field === 'points' ? '扣分' : '加分'}" title="${r.field === 'points' ? '扣分' : '加分'}">`;
}

/** A rule's text for reading: whitespace runs collapsed, bounded (the rubric's own wording). */
function cleanRuleText(t: string): string {
  return oneLine(t, 1000);
}

interface PendingGroupRow {
  level1: string;
  level2: string;
  /** The 二级指标's 评分细则 (items) or the veto group's text. */
  itemText?: string;
  info: RuleInfo;
}

/** Pending rule ids in the rubric's order (单否 first, then the items, then 加分项), with their 一级/二级指标. */
function groupPending(rubric: Rubric, ids: string[]): PendingGroupRow[] {
  const want = new Set(ids);
  const out: PendingGroupRow[] = [];
  const add = (level1: string, level2: string, id: string, itemText?: string) => {
    if (!want.has(id)) return;
    const info = ruleInfo(rubric, id);
    if (info) out.push({ level1, level2, ...(itemText ? { itemText } : {}), info });
    want.delete(id);
  };
  for (const g of rubric.veto) {
    add(g.level1, g.level2, g.id, g.text);
    for (const sub of g.subItems) add(g.level1, g.level2, sub.id, g.text);
  }
  for (const it of rubric.items) {
    add(it.level1, it.level2, it.id);
    for (const r of it.rules) add(it.level1, it.level2, r.id);
  }
  for (const it of rubric.bonus.items) {
    add(rubric.bonus.level1, it.level2, it.id, it.text);
    for (const r of it.rules) add(rubric.bonus.level1, it.level2, r.id, it.text);
  }
  for (const id of want) {
    const info = ruleInfo(rubric, id);
    if (info) out.push({ level1: '其他', level2: id, info });
  }
  return out;
}

function pendingIds(score: ScoreResult, rubric: Rubric): string[] {
  const out: string[] = [];
  for (const v of score.veto?.pending ?? []) out.push(v);
  for (const it of score.items ?? []) for (const r of it.pendingRules ?? []) out.push(r);
  for (const b of score.bonusItems ?? []) {
    if (!b.pending) continue;
    const item = rubric.bonus.items.find((x) => x.id === b.id);
    if (item) for (const r of item.rules) out.push(r.id);
  }
  return [...new Set(out)];
}

export function manualSection(v: RunView): string {
  const out: string[] = ['<section class="panel" id="manual"><h2>人工评分</h2>'];
  out.push(
    `<p class="small muted">人工评分文件：${v.manualFile ? esc(v.manualFile) : '未配置（请在 sites.yaml 中为该网站设置 manual）'}。看板与命令行（govsite score --manual）读写同一文件。</p>`,
  );
  if (v.manualError) out.push(`<div class="flash error">${esc(v.manualError)}</div>`);
  const items = v.manual?.items ?? [];
  if (items.length) {
    out.push('<h3>已录入的人工评分</h3><table class="manual"><thead><tr><th>细则</th><th>评定</th><th>说明 / 依据</th><th>评分人</th><th></th></tr></thead><tbody>');
    for (const e of items) {
      const info = v.rubric ? ruleInfo(v.rubric, e.rule) : undefined;
      const del =
        v.viewer.reviewer && v.manualFile && v.run.status === 'done'
          ? `<form method="post" action="/api/runs/${v.run.id}/manual">${csrfField(v.viewer)}${backField(backTo(v, 'manual'))}<input type="hidden" name="rule" value="${esc(e.rule)}"><input type="hidden" name="remove" value="1"><button type="submit">删除</button></form>`
          : '';
      out.push(
        `<tr id="m-${esc(e.rule)}" data-rule="${esc(e.rule)}"><td>${ruleCell(info, e.rule)}</td>` +
          `<td class="nowrap">${esc(manualValue(e))}</td>` +
          `<td>${esc(oneLine(e.note ?? '', 300))}${e.evidence ? `<div class="small">${safeHttpUrl(e.evidence) ? link(e.evidence) : esc(oneLine(e.evidence, 200))}</div>` : ''}</td>` +
          `<td class="nowrap">${esc(e.reviewer ?? v.manual?.reviewer ?? '')} ${esc(e.date ?? '')}</td><td>${del}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  const score = v.report.score;
  if (!score || !v.rubric) {
    out.push('</section>');
    return out.join('\n');
  }
  const canWrite = !!v.viewer.reviewer && !!v.manualFile && v.run.status === 'done';
  const pend = pendingIds(score, v.rubric);
  const entered = new Set(items.map((e) => e.rule));
  out.push(`<h3>${esc(PENDING_TEXT)}（${esc(pend.length)} 条细则）</h3>`);
  if (!pend.length) out.push('<p class="muted">没有待人工评分的细则。</p>');
  else {
    if (!v.viewer.reviewer) out.push(`<p class="small"><a href="${esc(href('/login', { next: backTo(v, 'manual') }))}">登录</a>后可录入人工评分。</p>`);
    // Grouped by 一级指标 / 二级指标, in the rubric's order, each sub-rule with its full text.
    let level1 = '';
    let level2 = '';
    let open = false;
    for (const g of groupPending(v.rubric, pend)) {
      if (g.level1 !== level1) {
        if (open) out.push('</tbody></table>');
        open = false;
        out.push(`<h4 class="level1" data-level1="${esc(g.level1)}">${esc(g.level1)}</h4>`);
        level1 = g.level1;
        level2 = '';
      }
      if (g.level2 !== level2) {
        if (open) out.push('</tbody></table>');
        out.push(`<table class="manual grouped" data-level2="${esc(g.level2)}"><caption>${esc(g.level2)}${g.itemText ? `<div class="small muted rule-text">${esc(oneLine(g.itemText, 400))}</div>` : ''}</caption><thead><tr><th>细则</th><th>评分细则原文</th><th>录入</th></tr></thead><tbody>`);
        open = true;
        level2 = g.level2;
      }
      const r = g.info;
      const form = canWrite
        ? `<form method="post" action="/api/runs/${v.run.id}/manual">${csrfField(v.viewer)}${backField(backTo(v, `m-${r.id}`))}<input type="hidden" name="rule" value="${esc(r.id)}"><input type="hidden" name="field" value="${r.field}">${valueInput(r)}<input type="text" name="note" maxlength="500" placeholder="说明" aria-label="说明"><input type="text" name="evidence" maxlength="1000" placeholder="依据（网址）" aria-label="依据"><button type="submit" class="primary">保存</button></form>`
        : '';
      out.push(
        `<tr${entered.has(r.id) ? '' : ` id="m-${esc(r.id)}"`} data-pending="${esc(r.id)}"><td class="nowrap">${esc(r.label)}${r.kind === 'veto' ? ' <span class="tag bad">单否</span>' : r.kind === 'bonus' ? ' <span class="tag ok">加分</span>' : ''}<span class="rule-id small muted">${esc(r.id)}</span></td><td class="rule-text">${esc(cleanRuleText(r.text))}</td><td>${form}</td></tr>`,
      );
    }
    if (open) out.push('</tbody></table>');
  }
  if (canWrite) {
    const options: string[] = [];
    const opt = (id: string) => {
      const info = ruleInfo(v.rubric!, id);
      return `<option value="${esc(id)}">${esc(info?.label ?? id)}：${esc(oneLine(info?.text ?? '', 40))}</option>`;
    };
    for (const g of v.rubric.veto) for (const s of g.subItems) options.push(opt(s.id));
    for (const it of v.rubric.items) for (const r of it.rules) options.push(opt(r.id));
    for (const it of v.rubric.bonus.items) for (const r of it.rules) options.push(opt(r.id));
    out.push(
      '<h3>录入或修改任一细则</h3>',
      `<form method="post" action="/api/runs/${v.run.id}/manual" class="filters">${csrfField(v.viewer)}${backField(backTo(v, 'manual'))}`,
      `<label>细则<select name="rule">${options.join('')}</select></label>`,
      '<label>评定方式<select name="field"><option value="count">次数</option><option value="points">扣分</option><option value="awarded">加分</option><option value="veto">单否（填“是”或“否”）</option></select></label>',
      '<label>数值<input type="text" name="value" size="6" value="0"></label>',
      '<label>说明<input type="text" name="note" maxlength="500"></label>',
      '<label>依据<input type="text" name="evidence" maxlength="1000"></label>',
      '<button type="submit" class="primary">保存</button></form>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

export function scoreRecords(v: RunView): string {
  if (!v.scores.length) return '';
  const rows = v.scores.map(
    (s) =>
      `<tr data-score="${s.id}"><td>${esc(when(s.computedAt))}</td><td class="num">${esc(formatPoints(s.total))}${s.provisional ? ' <span class="provisional small">暂定</span>' : ''}</td><td>${s.veto ? '<span class="tag bad">单否</span>' : ''}</td><td class="small break">${esc(s.manualFile ?? '')}</td></tr>`,
  );
  return `<section class="panel" id="scores"><h2>本次检查的评分记录</h2><p class="small muted">每次复核或人工评分后重新计算，最新一条为当前得分。</p><table><thead><tr><th>计算时间</th><th class="num">总分</th><th>单否</th><th>人工评分文件</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Summary, score and sheet of one run. */
export function runSummary(v: RunView): string {
  const r = v.report;
  const s = r.stats ?? ({} as AuditReport['stats']);
  const meta: [string, string][] = [
    ['检查编号', `<a href="/runs/${v.run.id}">#${esc(v.run.id)}</a>`],
    ['状态', esc(runStatusText(v.run.status))],
    ['监测时间点', esc(r.asOf)],
    ['评分规则', esc(r.rubric)],
    ['开始时间', esc(when(r.startedAt))],
    ['结束时间', esc(when(v.run.finishedAt ?? ''))],
    ['抓取页面', `${esc(s.pagesCrawled ?? 0)} 个`],
    ['检查链接', `${esc(s.linksChecked ?? 0)} 条（无法打开 ${esc(s.brokenLinks ?? 0)} 条）`],
  ];
  if (r.browser) meta.push(['浏览器渲染', r.browser.available ? '可用' : `不可用${r.browser.reason ? `（${esc(oneLine(zhText(r.browser.reason), 120))}）` : ''}`]);
  const downloads =
    `<p>下载报告：<a href="/runs/${v.run.id}/report.html">HTML 评分表</a> · <a href="/runs/${v.run.id}/report.xlsx">Excel（XLSX）</a> · ` +
    `<a href="/api/runs/${v.run.id}">JSON</a></p>`;
  const notes = (r.notes ?? []).length ? `<div class="banner">${(r.notes ?? []).map((n) => esc(oneLine(zhText(n), 300))).join('<br>')}</div>` : '';
  const err = v.run.error ? `<div class="flash error">${esc(oneLine(zhText(v.run.error), 500))}</div>` : '';
  const out = [`<dl class="meta">${meta.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${val}</dd>`).join('')}</dl>`, downloads, notes, err];
  const score = r.score;
  if (!score) {
    out.push('<p class="muted">本次检查没有评分结果。</p>');
    return out.join('\n');
  }
  const mn = manualNotices(score);
  if (mn.length) {
    out.push(`<div class="banner" id="manual-notices"><strong>${esc(MANUAL_NOTICES_TITLE)}（${esc(mn.length)} 条）</strong><ul>${mn.map((n) => `<li>${esc(oneLine(n, 500))}</li>`).join('')}</ul></div>`);
  }
  out.push(scoreCards(score), vetoBlock(score));
  if (score.provisional) {
    const n = pendingCount(score).total;
    const kinds = pendingBreakdown(score);
    out.push(`<p class="provisional small">${n ? `有 ${esc(n)} 项待定（${esc(kinds)}）` : `有${esc(kinds || '机器发现')}待处理`}，总分为暂定值。</p>`);
  }
  return out.join('\n');
}

export function sheetSection(v: RunView): string {
  const score = v.report.score;
  if (!score) return '';
  const idx = indexFindings(v.report);
  const rows = scoreSheetRows(score, { rubric: v.rubric });
  const bonus = bonusRows(score, { rubric: v.rubric });
  const out = [
    '<section class="panel" id="sheet"><h2>评分表</h2>',
    '<table class="sheet"><thead><tr><th>一级指标</th><th>二级指标</th><th>评分细则</th><th>分值</th><th>扣分</th><th>得分</th><th>扣分依据与证据</th></tr></thead><tbody>',
    sheetRows(v, rows, idx, false),
    `</tbody><tfoot><tr><td colspan="5">基础分${typeof score.prorated === 'number' ? `（折合 ${esc(formatPoints(score.prorated))}）` : ''}</td><td class="num">${esc(formatPoints(score.base))}</td><td></td></tr></tfoot></table>`,
  ];
  if (bonus.length) {
    out.push(
      '<h3>加分项</h3><table class="sheet"><thead><tr><th>一级指标</th><th>二级指标</th><th>评分细则</th><th>分值</th><th>得分</th><th>加分依据</th></tr></thead><tbody>',
      sheetRows(v, bonus, idx, true),
      `</tbody><tfoot><tr><td colspan="4">加分合计</td><td class="num">${esc(formatPoints(score.bonus))}</td><td></td></tr></tfoot></table>`,
    );
  }
  out.push('</section>');
  return out.join('\n');
}

export function screenshotSection(v: RunView): string {
  if (!v.run.screenshot) return '';
  return (
    `<section class="panel" id="screenshot"><h2>首页截图</h2>` +
    `<p class="small muted">浏览器渲染于 ${esc(when(v.run.finishedAt ?? v.run.startedAt))}。<a href="/runs/${v.run.id}/screenshot" target="_blank" rel="noopener">打开原图</a></p>` +
    `<div class="shot"><img src="/runs/${v.run.id}/screenshot" alt="首页截图" loading="lazy"></div></section>`
  );
}

/** 检测范围: what each check examined or why it could not decide, what each gatherer read. */
export function scopesSection(v: RunView): string {
  const lines = scopeLines(v.report);
  if (!lines.length) return '';
  const rows = lines.map(
    (l) =>
      `<tr data-${l.kind}="${esc(l.id)}"><td>${l.kind === 'gatherer' ? '补充采集：' : ''}${esc(l.title)}</td><td><span class="tag ${l.ok ? 'ok' : 'warn'}">${esc(l.status)}</span></td><td class="small">${esc(l.text)}</td></tr>`,
  );
  return `<section class="panel" id="scopes"><h2>检测范围</h2><p class="small muted">未核实、未运行的检查项所对应的评分细则不扣分，需人工核实。</p><table><thead><tr><th>检查项</th><th>状态</th><th>检测内容或原因</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** The complete audit block of a run. */
export function runBlock(v: RunView): string {
  return [
    `<section class="panel" id="audit"><h2>检查与评分</h2>${runSummary(v)}</section>`,
    sheetSection(v),
    scopesSection(v),
    screenshotSection(v),
    findingsSection(v),
    manualSection(v),
    scoreRecords(v),
  ].join('\n');
}

export { checkTitle };
