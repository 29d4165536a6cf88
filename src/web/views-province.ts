/**
 * The province views of the dashboard (server-rendered, Chinese, no script needed):
 *   /status          current status of every site: last probe, response-time sparkline, certificate expiry, IPv6
 *   /alerts          early-warning deliveries: which warning, when, through which channel, delivered or failed
 *   /rectification   findings across sites with their 整改 status (未整改 / 已整改 in run …)
 * and the site page's extra panels (status, maintenance windows, alerts, 整改). Crawled and configured text goes
 * through `esc` / `link`.
 */
import { CONDITION_LABELS, type WarningCondition } from '../monitor/warnings.ts';
import { OUTCOME_LABELS, type ProbeOutcome } from '../monitor/probe.ts';
import type { AlertRecord } from '../monitor/alert-log.ts';
import { MAINTENANCE_DECISION_ZH, type MaintenanceWindow } from '../monitor/maintenance.ts';
import { checkTitle } from '../report/audit-report.ts';
import { sparkline } from './chart.ts';
import { backField, csrfField, esc, href, link, oneLine, pager, when, type Viewer } from './layout.ts';
import { daysUntil, IPV6_LABELS, type RectResult, type RectRow, type SiteStatus } from './province.ts';
import type { SiteRecord } from './sites-index.ts';
import { rubricLabel } from './views.ts';

export interface ListParams {
  rubric?: string;
  region?: string;
  q?: string;
  page: number;
  size: number;
}

const CHANNEL_TYPES: Record<string, string> = { webhook: 'Webhook', dingtalk: '钉钉机器人', wecom: '企业微信机器人', email: '电子邮件' };

function filterForm(action: string, p: ListParams, facets: { regions: string[]; rubrics: string[] }, extra = ''): string {
  const sel = (name: string, label: string, values: [string, string][], current: string | undefined) =>
    `<label>${esc(label)}<select name="${name}"><option value="">全部</option>${values
      .map(([v, t]) => `<option value="${esc(v)}"${v === current ? ' selected' : ''}>${esc(t)}</option>`)
      .join('')}</select></label>`;
  return [
    `<form class="filters" method="get" action="${esc(action)}" data-autosubmit>`,
    `<label>搜索<input type="search" name="q" value="${esc(p.q ?? '')}" placeholder="名称、编号或网址" maxlength="100"></label>`,
    sel('rubric', '评分规则', facets.rubrics.map((x) => [x, rubricLabel(x)]), p.rubric),
    sel('region', '地区', facets.regions.map((x) => [x, x]), p.region),
    extra,
    '<button type="submit" class="primary">查询</button>',
    '</form>',
  ].join('');
}

function siteCell(s: { id: string; name: string | null; url?: string | null }, hash?: string): string {
  return `<a class="name" href="${esc(href(`/sites/${encodeURIComponent(s.id)}`, {}, hash))}">${esc(s.name ?? s.id)}</a><div class="id small muted">${esc(s.id)}</div>`;
}

function outcomeTag(outcome: string, failed: boolean): string {
  const label = OUTCOME_LABELS[outcome as ProbeOutcome] ?? outcome;
  return `<span class="tag ${failed ? 'bad' : 'ok'}">${esc(label)}</span>`;
}

/** The certificate cell: expiry date and days left (red when expired, amber within 30 days). */
export function certCell(st: SiteStatus, now: number): string {
  if (st.cert) {
    const days = daysUntil(st.cert.expires, now);
    const cls = days < 0 ? 'bad' : days < 30 ? 'warn' : 'ok';
    const text = days < 0 ? `已过期 ${-days} 天` : `剩余 ${days} 天`;
    return `<span class="nowrap">${esc(st.cert.expires.slice(0, 10))}</span> <span class="tag ${cls}" data-cert-days="${days}">${esc(text)}</span>`;
  }
  if (st.plainHttp) return '<span class="muted small">HTTP 网站（无证书）</span>';
  if (st.lastProbe?.outcome === 'tls') return `<span class="tag bad">证书错误</span><div class="small muted">${esc(oneLine(st.lastProbe.error ?? '', 60))}</div>`;
  return '<span class="muted small">未取得</span>';
}

export function ipv6Cell(st: SiteStatus): string {
  const cls = st.ipv6.state === 'ok' ? 'ok' : st.ipv6.state === 'failed' ? 'bad' : st.ipv6.state === 'unverified' ? 'warn' : 'grey';
  const run = st.ipv6.runId ? ` <a class="small" href="/runs/${st.ipv6.runId}">#${st.ipv6.runId}</a>` : '';
  return `<span class="tag ${cls}" title="${esc(oneLine(st.ipv6.text, 200))}" data-ipv6="${st.ipv6.state}">${esc(IPV6_LABELS[st.ipv6.state])}</span>${run}`;
}

function lastProbeCell(st: SiteStatus): string {
  const lp = st.lastProbe;
  if (!lp) return '<span class="muted">未监测</span>';
  const fam = lp.family ? ` · IPv${lp.family}` : '';
  return `<span class="nowrap">${esc(when(lp.at))}</span><br>${outcomeTag(lp.outcome, lp.failed)} <span class="small">${lp.status ? `HTTP ${esc(lp.status)} · ` : ''}${esc((lp.ms / 1000).toFixed(1))} 秒${esc(fam)}</span>${lp.failed && lp.error ? `<div class="small muted">${esc(oneLine(lp.error, 60))}</div>` : ''}`;
}

function sparkCell(st: SiteStatus, id: string): string {
  const ok = st.spark.filter((p) => !p.failed);
  const avg = ok.length ? Math.round(ok.reduce((a, p) => a + p.ms, 0) / ok.length) : undefined;
  const fails = st.spark.length - ok.length;
  const title = `最近 ${st.spark.length} 次监测：${avg !== undefined ? `平均响应 ${(avg / 1000).toFixed(2)} 秒` : '无成功记录'}，打不开 ${fails} 次`;
  return `${sparkline(st.spark, { title, id: `spark-${id}` })}<div class="small muted">${esc(avg !== undefined ? `均 ${(avg / 1000).toFixed(2)} 秒` : '')}${fails ? ` · <span class="ratio bad">失败 ${esc(fails)}</span>` : ''}</div>`;
}

export interface StatusRowView {
  site: SiteRecord;
  status: SiteStatus;
  maintenance: { active: number; pending: number };
}

export function statusPage(o: { params: ListParams; rows: StatusRowView[]; total: number; facets: { regions: string[]; rubrics: string[] }; now: number }): string {
  const p = o.params;
  const pages = Math.max(1, Math.ceil(o.total / p.size));
  const body: string[] = [`<h1>网站运行状态 <span class="muted small">共 ${esc(o.total)} 个网站</span></h1>`, filterForm('/status', p, o.facets)];
  body.push(
    '<p class="small muted">最近一次可用性监测、最近 48 次监测的响应时间（红色竖线为打不开的监测）、HTTPS 证书到期时间（取自最近的监测）和最近一次检查的 IPv6 结论。</p>',
  );
  const rows = o.rows.map((r) => {
    const m = r.maintenance;
    const maint = m.active || m.pending ? `<a href="${esc(href(`/sites/${encodeURIComponent(r.site.id)}`, {}, 'maintenance'))}">${m.pending ? `<span class="tag warn">${esc(m.pending)} 个待决定</span>` : ''}${m.active ? `<span class="tag info">${esc(m.active)} 个</span>` : ''}</a>` : '';
    return (
      `<tr data-site="${esc(r.site.id)}">` +
      `<td class="site" data-label="网站">${siteCell(r.site)}</td>` +
      `<td data-label="地区">${esc(r.site.region ?? '—')}</td>` +
      `<td data-label="最近监测">${lastProbeCell(r.status)}</td>` +
      `<td data-label="响应时间">${sparkCell(r.status, r.site.id)}</td>` +
      `<td data-label="证书到期" data-col="cert">${certCell(r.status, o.now)}</td>` +
      `<td data-label="IPv6" data-col="ipv6">${ipv6Cell(r.status)}</td>` +
      `<td data-label="维护时段">${maint}</td>` +
      '</tr>'
    );
  });
  body.push(
    '<div class="table-wrap"><table class="status stack"><thead><tr><th>网站</th><th>地区</th><th>最近监测</th><th>响应时间（最近 48 次）</th><th>证书到期</th><th>IPv6</th><th>维护时段</th></tr></thead><tbody>',
    rows.length ? rows.join('\n') : '<tr><td colspan="7" class="muted">没有符合条件的网站。</td></tr>',
    '</tbody></table></div>',
    pager('/status', { rubric: p.rubric, region: p.region, q: p.q }, p.page, pages),
    `<p class="small muted">数据接口：<a href="${esc(href('/api/status', { rubric: p.rubric, region: p.region, q: p.q }))}">/api/status</a></p>`,
  );
  return body.join('\n');
}

export function alertChannelText(a: AlertRecord): string {
  return `${a.channel}${a.channelType ? `（${CHANNEL_TYPES[a.channelType] ?? a.channelType}）` : ''}`;
}

function alertRows(rows: AlertRecord[], names: Map<string, string>, withSite: boolean): string {
  return rows
    .map((a) => {
      const result = a.ok
        ? '<span class="tag ok">已送达</span>'
        : `<span class="tag bad">发送失败</span>${a.attempts > 1 ? ` <span class="small">已尝试 ${esc(a.attempts)} 次</span>` : ''}<div class="small muted break">${esc(oneLine(a.error ?? '', 160))}</div>`;
      const label = CONDITION_LABELS[a.condition as WarningCondition] ?? a.condition;
      return (
        `<tr data-alert="${a.ok ? 'sent' : 'failed'}">` +
        `<td class="nowrap" data-label="时间">${esc(when(a.lastAt))}${a.lastAt !== a.at ? `<div class="small muted">首次 ${esc(when(a.at))}</div>` : ''}</td>` +
        (withSite ? `<td data-label="网站">${siteCell({ id: a.siteId, name: names.get(a.siteId) ?? null }, 'alerts')}</td>` : '') +
        `<td data-label="预警"><span class="tag ${a.condition === 'availability' ? 'bad' : 'warn'}">${esc(label)}</span><div class="small muted">${esc(a.week)}</div></td>` +
        `<td data-label="通道">${esc(alertChannelText(a))}</td>` +
        `<td data-label="结果">${result}</td>` +
        `<td class="small" data-label="内容">${esc(oneLine(a.message, 300))}</td>` +
        '</tr>'
      );
    })
    .join('\n');
}

export function alertsPage(o: {
  params: ListParams & { status?: 'failed' | 'sent'; site?: string; week?: string };
  rows: AlertRecord[];
  total: number;
  names: Map<string, string>;
  facets: { regions: string[]; rubrics: string[] };
}): string {
  const p = o.params;
  const pages = Math.max(1, Math.ceil(o.total / p.size));
  const statusSel = `<label>结果<select name="status"><option value="">全部</option><option value="sent"${p.status === 'sent' ? ' selected' : ''}>已送达</option><option value="failed"${p.status === 'failed' ? ' selected' : ''}>发送失败</option></select></label><label>监测周<input type="week" name="week" value="${esc(p.week ?? '')}"></label>`;
  return [
    `<h1>预警记录 <span class="muted small">共 ${esc(o.total)} 条</span></h1>`,
    filterForm('/alerts', p, o.facets, statusSel + (p.site ? `<input type="hidden" name="site" value="${esc(p.site)}">` : '')),
    '<p class="small muted">每条预警每个网站每周每个通道只发送一次；发送失败的会在下次检查时重试（重试合并为一条记录）。</p>',
    '<div class="table-wrap"><table class="alerts stack"><thead><tr><th>时间</th><th>网站</th><th>预警</th><th>通道</th><th>结果</th><th>内容</th></tr></thead><tbody>',
    o.rows.length ? alertRows(o.rows, o.names, true) : '<tr><td colspan="6" class="muted">没有预警记录。</td></tr>',
    '</tbody></table></div>',
    pager('/alerts', { rubric: p.rubric, region: p.region, q: p.q, status: p.status, site: p.site, week: p.week }, p.page, pages),
    `<p class="small muted">数据接口：<a href="${esc(href('/api/alerts', { status: p.status, site: p.site, week: p.week }))}">/api/alerts</a></p>`,
  ].join('\n');
}

const RECT_TAGS: Record<string, [string, string]> = {
  unverified: ['grey', '未核实（不扣分）'],
  waiting: ['warn', '待确认'],
  rejected: ['grey', '复核排除'],
  confirmed: ['info', '已确认'],
};

function rectStatusCell(r: RectRow): string {
  if (r.status === 'fixed')
    return `<span class="tag ok">已整改</span><div class="small">检查 <a href="/runs/${esc(r.fixedRunId)}">#${esc(r.fixedRunId)}</a>（${esc(r.fixedAsOf ?? '')}）未再发现</div>`;
  const since = r.firstRunId && r.firstRunId !== r.runId ? `<div class="small">自 <a href="/runs/${esc(r.firstRunId)}">#${esc(r.firstRunId)}</a>（${esc(r.firstAsOf ?? '')}）起，连续 ${esc(r.seenRuns ?? 1)} 次检查发现</div>` : '<div class="small">本次检查新发现</div>';
  return `<span class="tag bad">未整改</span>${since}`;
}

function rectRowsHtml(rows: RectRow[], withSite: boolean): string {
  return rows
    .map((r) => {
      const tag = r.tag ? `<span class="tag ${RECT_TAGS[r.tag][0]}">${esc(RECT_TAGS[r.tag][1])}${r.reviewer ? `：${esc(r.reviewer)}` : ''}</span>` : '';
      return (
        `<tr data-rect="${r.status}" data-check="${esc(r.check)}" data-site="${esc(r.siteId)}">` +
        (withSite ? `<td data-label="网站">${siteCell({ id: r.siteId, name: r.siteName }, 'rectification')}${r.region ? `<div class="small muted">${esc(r.region)}</div>` : ''}</td>` : '') +
        `<td data-label="问题"><div class="small muted">${esc(checkTitle(r.check))}</div>${esc(oneLine(r.message, 300))} ${tag}</td>` +
        `<td data-label="页面 / 目标">${link(r.url, r.url, 70)}${r.target ? `<br>→ ${link(r.target, r.target, 70)}` : ''}</td>` +
        `<td data-label="整改状态">${rectStatusCell(r)}</td>` +
        `<td data-label="证据"><a class="small" href="${esc(href(`/runs/${r.runId}/findings`, { check: r.check }))}">检查 #${esc(r.runId)}（${esc(r.asOf)}）</a></td>` +
        '</tr>'
      );
    })
    .join('\n');
}

export function rectificationPage(o: {
  params: ListParams & { status: 'open' | 'fixed' | 'all'; check?: string };
  result: RectResult;
  checks: string[];
  facets: { regions: string[]; rubrics: string[] };
}): string {
  const p = o.params;
  const r = o.result;
  const pages = Math.max(1, Math.ceil(r.total / p.size));
  const statusSel =
    `<label>整改状态<select name="status">${(
      [
        ['open', '未整改'],
        ['fixed', '已整改'],
        ['all', '全部'],
      ] as const
    )
      .map(([v, t]) => `<option value="${v}"${p.status === v ? ' selected' : ''}>${t}</option>`)
      .join('')}</select></label>` +
    `<label>检查项<select name="check"><option value="">全部</option>${o.checks
      .map((c) => `<option value="${esc(c)}"${c === p.check ? ' selected' : ''}>${esc(checkTitle(c))}</option>`)
      .join('')}</select></label>`;
  const card = (cls: string, label: string, value: number, key: string, st: string) =>
    `<a class="card ${cls}" data-card="${key}" href="${esc(href('/rectification', { rubric: p.rubric, region: p.region, q: p.q, check: p.check, status: st }))}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div></a>`;
  return [
    '<h1>问题整改跟踪</h1>',
    filterForm('/rectification', p, o.facets, statusSel),
    '<div class="cards">',
    card(r.counts.open ? 'bad' : '', '未整改（最近一次检查仍发现）', r.counts.open, 'open', 'open'),
    card('', '已整改（上次发现、最近一次未再发现）', r.counts.fixed, 'fixed', 'fixed'),
    '</div>',
    '<p class="small muted">同一问题（检查项 + 页面 + 目标相同）在下一次检查中再次发现即为未整改；不再发现即为已整改，并注明是哪一次检查。“未核实”“待确认”“复核排除”的问题不扣分，仅供参考。</p>',
    '<div class="table-wrap"><table class="rect stack"><thead><tr><th>网站</th><th>问题</th><th>页面 / 目标</th><th>整改状态</th><th>证据</th></tr></thead><tbody>',
    r.rows.length ? rectRowsHtml(r.rows, true) : '<tr><td colspan="5" class="muted">没有符合条件的问题。</td></tr>',
    '</tbody></table></div>',
    pager('/rectification', { rubric: p.rubric, region: p.region, q: p.q, status: p.status, check: p.check }, p.page, pages),
    `<p class="small muted">数据接口：<a href="${esc(href('/api/rectification', { rubric: p.rubric, region: p.region, q: p.q, status: p.status, check: p.check }))}">/api/rectification</a></p>`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Site page panels

export function siteStatusPanel(st: SiteStatus, now: number, id: string): string {
  const meta: [string, string][] = [
    ['最近监测', lastProbeCell(st)],
    ['响应时间', sparkCell(st, id)],
    ['证书到期', certCell(st, now)],
    ['IPv6', `${ipv6Cell(st)}<div class="small muted">${esc(oneLine(st.ipv6.text, 160))}</div>`],
  ];
  return `<section class="panel" id="status"><h2>当前状态</h2><dl class="meta status-meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl></section>`;
}

export interface MaintenanceView extends MaintenanceWindow {
  probes: number;
  failures: number;
}

export function maintenanceSection(o: { siteId: string; windows: MaintenanceView[]; viewer: Viewer; back: string }): string {
  const can = !!o.viewer.reviewer;
  const back = `${o.back.replace(/#.*$/, '')}#maintenance`;
  const out: string[] = ['<section class="panel" id="maintenance"><h2>维护时段（计划停机）</h2>'];
  out.push(
    '<p class="small muted">单位事先公告的停机维护时段。其间的监测照常记录，在此单独列出；由检查人员决定是否计入可用性。未决定时，若是否计入会改变单否结论，该周结论为“待定”。</p>',
  );
  if (o.windows.length) {
    out.push('<table class="maintenance stack"><thead><tr><th>时段</th><th>公告 / 依据</th><th class="num">其间监测</th><th>决定</th><th></th></tr></thead><tbody>');
    for (const w of o.windows) {
      const dec = w.decision;
      const decided = dec === 'pending' ? '' : `<div class="small muted">${esc(w.decidedBy ?? '')} ${esc(when(w.decidedAt ?? ''))}${w.reason ? `：${esc(oneLine(w.reason, 200))}` : ''}</div>`;
      const form = can
        ? `<form class="review" method="post" action="/api/maintenance/${w.id}">${csrfField(o.viewer)}${backField(back)}` +
          '<input type="text" name="reason" maxlength="500" placeholder="理由" aria-label="理由">' +
          '<button type="submit" name="decision" value="count">计入</button>' +
          '<button type="submit" name="decision" value="exclude" class="ok">不计入</button>' +
          (dec !== 'pending' ? '<button type="submit" name="decision" value="pending">撤销决定</button>' : '') +
          '<button type="submit" name="remove" value="1" class="danger">删除</button></form>'
        : '';
      out.push(
        `<tr data-window="${w.id}" data-decision="${dec}">` +
          `<td class="nowrap" data-label="时段">${esc(when(w.startsAt).slice(0, 16))}<br>至 ${esc(when(w.endsAt).slice(0, 16))}</td>` +
          `<td class="break" data-label="公告">${w.note ? (/^https?:\/\//.test(w.note) ? link(w.note, w.note, 80) : esc(oneLine(w.note, 300))) : '<span class="muted">—</span>'}<div class="small muted">${esc(w.createdBy ?? '')} 登记于 ${esc(when(w.createdAt))}</div></td>` +
          `<td class="num" data-label="其间监测">${esc(w.probes)} 次<br><span class="${w.failures ? 'ratio bad' : 'muted'}">打不开 ${esc(w.failures)} 次</span></td>` +
          `<td data-label="决定"><span class="tag ${dec === 'pending' ? 'warn' : dec === 'exclude' ? 'info' : 'grey'}">${esc(MAINTENANCE_DECISION_ZH[dec])}</span>${decided}</td>` +
          `<td data-label="">${form}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  } else out.push('<p class="muted">没有登记维护时段。</p>');
  if (can)
    out.push(
      `<h3>登记维护时段</h3><form class="filters" method="post" action="/api/sites/${esc(encodeURIComponent(o.siteId))}/maintenance">${csrfField(o.viewer)}${backField(back)}` +
        '<label>开始（北京时间）<input type="datetime-local" name="from" required></label>' +
        '<label>结束<input type="datetime-local" name="to" required></label>' +
        '<label>公告 / 依据<input type="text" name="note" maxlength="500" placeholder="公告网址或说明"></label>' +
        '<button type="submit" class="primary">登记</button></form>',
    );
  else out.push(`<p class="small"><a href="${esc(href('/login', { next: back }))}">登录</a>后可登记维护时段并决定是否计入。</p>`);
  out.push('</section>');
  return out.join('\n');
}

export function siteAlertsSection(siteId: string, rows: AlertRecord[], total: number): string {
  const more = total > rows.length ? `<p class="small"><a href="${esc(href('/alerts', { site: siteId }))}">查看全部 ${esc(total)} 条</a></p>` : '';
  return (
    `<section class="panel" id="alerts"><h2>预警记录（${esc(total)} 条）</h2>` +
    (rows.length
      ? `<table class="alerts stack"><thead><tr><th>时间</th><th>预警</th><th>通道</th><th>结果</th><th>内容</th></tr></thead><tbody>${alertRows(rows, new Map(), false)}</tbody></table>${more}`
      : '<p class="muted">没有预警记录。</p>') +
    '</section>'
  );
}

export function siteRectSection(siteId: string, r: RectResult): string {
  const more =
    r.counts.open + r.counts.fixed > r.rows.length
      ? `<p class="small"><a href="${esc(href('/rectification', { site: siteId, status: 'all' }))}">查看全部</a></p>`
      : '';
  return (
    `<section class="panel" id="rectification"><h2>问题整改（未整改 ${esc(r.counts.open)} 条，最近一次检查已整改 ${esc(r.counts.fixed)} 条）</h2>` +
    (r.rows.length
      ? `<table class="rect stack"><thead><tr><th>问题</th><th>页面 / 目标</th><th>整改状态</th><th>证据</th></tr></thead><tbody>${rectRowsHtml(r.rows, false)}</tbody></table>${more}`
      : '<p class="muted">最近两次检查没有发现问题。</p>') +
    '</section>'
  );
}
