/**
 * The dashboard's 新媒体 tab of a site (its unit in the new-media registry):
 *
 *   GET  /sites/:id/newmedia                         the unit's accounts (platform, newest post, source of that date,
 *                                                    status), the 政务新媒体健康状况 单否 clauses of the latest run with
 *                                                    their evidence or 待人工评分, the 监管工作 rows, closed websites
 *   GET  /api/sites/:id/newmedia                     the same as JSON
 *   POST /api/sites/:id/newmedia/accounts            add or edit an account (operator token)
 *   POST /api/sites/:id/newmedia/accounts/:aid/post  a pasted post URL or a manual entry with its evidence
 *   POST /api/sites/:id/newmedia/accounts/:aid/delete
 *
 * Accounts the sites file lists (`newMedia:`) are edited there; the tab shows them read-only. The registry is the
 * one-machine database file's or the shared repository's (`NewMediaRegistry`): both dashboards serve this tab.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditReport } from '../report/audit-report.ts';
import type { Observation } from '../model.ts';
import type { ItemScore, VetoResult } from '../score/types.ts';
import { shanghaiDay } from '../monitor/time.ts';
import { normalizePlatform, normalizeStatus, normalizeUnitName, normalizeUrl } from '../newmedia/normalize.ts';
import { ACCOUNT_STATUSES, PLATFORMS } from '../newmedia/types.ts';
import type { StoredAccount, StoredWebsite } from '../newmedia/store.ts';
import { unitOfSite } from '../newmedia/sites-file.ts';
import { statusesFromPosts, type AccountStatusRow } from '../newmedia/status.ts';
import { sourceZh } from '../newmedia/freshness.ts';
import { manualEntryPost, recordPastedPost, type PasteResult } from '../newmedia/paste.ts';
import type { NewMediaRegistry } from '../newmedia/registry.ts';
import { KIND, type ClosedObs } from '../newmedia/observations.ts';
import { ReviewError } from './review.ts';
import { backField, csrfField, esc, href, link, when, type Viewer } from './layout.ts';
import type { ConfigSnapshot } from './config-source.ts';
import type { SiteRecord } from './sites-index.ts';

export interface NewMediaDeps {
  registry: NewMediaRegistry;
  /** A site of the dashboard by id. */
  site(id: string): SiteRecord | undefined;
  /** The site's latest finished audit and its observations of some kinds. */
  latestRun(site: SiteRecord): Promise<{ id: number; report: AuditReport } | undefined>;
  observations(runId: number, kinds: readonly string[]): Promise<Observation[]>;
  config: () => ConfigSnapshot;
  clock: () => number;
  sendPage(req: FastifyRequest, reply: FastifyReply, title: string, body: string, status?: number, active?: 'overview' | 'site' | 'run' | 'login'): FastifyReply;
  fail(req: FastifyRequest, reply: FastifyReply, status: number, message: string): unknown;
  afterWrite(req: FastifyRequest, reply: FastifyReply, fallback: string, ok: () => { json: unknown; text: string }): unknown;
  viewerOf(req: FastifyRequest): Viewer;
  reviewerOf(req: FastifyRequest): string;
}

const VERDICT: Record<string, [string, string]> = {
  fresh: ['ok', '两周内有更新'],
  stale: ['bad', '两周内无更新'],
  unverified: ['warn', '未核实'],
  'not-applicable': ['grey', '不检查'],
};

/** The unit of a site: the sites file's newMediaUnit / name, else a registered website at its address. */
async function unitOf(deps: NewMediaDeps, site: SiteRecord): Promise<{ unit: string; matched: boolean; by?: string }> {
  const cfg = deps.config().byId.get(site.id);
  const m = await deps.registry.unitForSite({ url: site.url ?? '', ...(site.name ? { name: site.name } : {}), ...(cfg?.newMediaUnit ? { unit: cfg.newMediaUnit } : {}) });
  if (m) return { unit: m.unit, matched: true, by: m.by };
  return { unit: normalizeUnitName(cfg ? unitOfSite(cfg) : (site.name ?? site.id)), matched: false };
}

interface TabData {
  site: SiteRecord;
  unit: { unit: string; matched: boolean; by?: string };
  asOf: string;
  rows: AccountStatusRow[];
  websites: StoredWebsite[];
  closed: Map<string, ClosedObs>;
  run?: { id: number; asOf: string; veto?: VetoResult; items: ItemScore[] };
}

async function tabData(deps: NewMediaDeps, site: SiteRecord): Promise<TabData> {
  const unit = await unitOf(deps, site);
  const loaded = await deps.latestRun(site);
  const asOf = loaded?.report.asOf ?? shanghaiDay(deps.clock());
  const accounts = await deps.registry.listAccounts({ unit: unit.unit });
  const closed = new Map<string, ClosedObs>();
  if (loaded) {
    try {
      for (const o of await deps.observations(loaded.id, [KIND.closed])) if (o.kind === KIND.closed) closed.set((o.data as ClosedObs).website.url, o.data as ClosedObs);
    } catch {
      /* a run without observations */
    }
  }
  return {
    site,
    unit,
    asOf,
    rows: statusesFromPosts(accounts, await deps.registry.listPosts(accounts.map((a) => a.id)), asOf),
    websites: await deps.registry.listWebsites({ unit: unit.unit }),
    closed,
    ...(loaded
      ? { run: { id: loaded.id, asOf: loaded.report.asOf, ...(loaded.report.score?.veto ? { veto: loaded.report.score.veto } : {}), items: loaded.report.score?.items ?? [] } }
      : {}),
  };
}

function platformOptions(selected?: string): string {
  return PLATFORMS.map((p) => `<option${p === selected ? ' selected' : ''}>${esc(p)}</option>`).join('');
}
function statusOptions(selected?: string): string {
  return ACCOUNT_STATUSES.map((s) => `<option${s === selected ? ' selected' : ''}>${esc(s)}</option>`).join('');
}

function accountRow(r: AccountStatusRow, d: TabData, viewer: Viewer, here: string): string {
  const a = r.account;
  const f = r.freshness;
  const [cls, label] = VERDICT[f.verdict];
  const newest = f.newest;
  const date = newest ? `${esc(newest.day)}${f.ageDays !== undefined ? `<br><span class="small muted">${esc(f.ageDays)} 天前</span>` : ''}` : '—';
  const src = newest
    ? `${esc(sourceZh(newest.source))}${newest.url ? `<br>${link(newest.url, newest.title ?? newest.url, 40)}` : ''}${newest.how && newest.source === 'manual' ? `<br><span class="small">${esc(newest.how)}</span>` : ''}`
    : '—';
  const status = `<span class="tag ${cls}">${esc(label)}</span>${f.verdict === 'unverified' || f.verdict === 'stale' ? `<br><span class="small">${esc(f.reason)}</span>` : ''}${f.zombie ? '<br><span class="tag warn">超过3个月未更新</span>' : ''}`;
  const base = `/api/sites/${encodeURIComponent(d.site.id)}/newmedia/accounts/${a.id}`;
  let actions = '';
  if (viewer.reviewer) {
    actions =
      `<form method="post" action="${esc(base)}/post">${csrfField(viewer)}${backField(here)}` +
      `<input type="text" name="url" placeholder="粘贴最新文章网址" aria-label="最新文章网址"><button type="submit">读取发布时间</button></form>` +
      `<form method="post" action="${esc(base)}/post">${csrfField(viewer)}${backField(here)}` +
      `<input type="date" name="at" aria-label="最新发布日期"><input type="text" name="evidence" placeholder="依据（如：6月15日登录后台查看）" aria-label="依据"><button type="submit">人工录入</button></form>`;
    if (a.origin.startsWith('sites-file:')) actions += '<span class="small muted">账号信息在站点配置文件中维护</span>';
    else
      actions += `<form method="post" action="${esc(base)}/delete" class="inline">${csrfField(viewer)}${backField(here)}<button type="submit" class="danger">删除</button></form>`;
  }
  return (
    `<tr data-account="${a.id}"><td>${esc(a.platformLabel)}</td><td>${a.homepage ? link(a.homepage, a.name, 30) : esc(a.name)}${a.accountId ? `<br><span class="small muted">${esc(a.accountId)}</span>` : ''}</td>` +
    `<td>${esc(a.subject ?? '—')}</td><td>${esc(a.status)}</td><td class="nowrap">${date}</td><td>${src}</td><td class="status">${status}</td>` +
    (viewer.reviewer ? `<td>${actions}</td>` : '') +
    '</tr>'
  );
}

const VETO_GROUP = 'veto.new-media-health';

function vetoBlock(d: TabData): string {
  const out: string[] = ['<section class="panel" id="newmedia-veto"><h2>单否：政务新媒体健康状况</h2>'];
  if (!d.run?.veto?.items) {
    out.push('<p class="muted">尚无检查结果（立即检查或等待夜间巡检后显示）。</p></section>');
    return out.join('');
  }
  out.push(`<p class="small">检查 <a href="/runs/${d.run.id}">#${d.run.id}</a>，监测时间点 ${esc(d.run.asOf)}</p>`);
  out.push('<table class="veto-clauses"><thead><tr><th>单否项</th><th>结论</th><th>依据</th></tr></thead><tbody>');
  const items = d.run.veto.items.filter((i) => i.id.startsWith(`${VETO_GROUP}.`));
  for (const i of items) {
    const no = i.id.slice(VETO_GROUP.length + 1);
    let tag: string;
    let basis: string;
    if (i.failed) {
      tag = '<span class="tag bad">不合格</span>';
      basis = esc(i.reason ?? '');
    } else if (i.pending) {
      const word = i.pendingKind === 'awaiting' ? '待确认' : i.pendingKind === 'unverified' ? '未核实' : '待人工评分';
      tag = `<span class="tag warn">${esc(word)}</span>`;
      basis = esc(i.pendingReason ?? word);
    } else if (i.skipped) {
      tag = '<span class="tag grey">不考核</span>';
      basis = '';
    } else {
      tag = '<span class="tag ok">未发现否决情形</span>';
      basis = esc((i.checked ?? []).join('；') || '人工评定');
    }
    const ev = (i.findings ?? []).slice(0, 10).map((f) => `<li>${esc(f.message)}</li>`).join('');
    out.push(`<tr data-clause="${esc(no)}"><td>${esc(no)}. ${esc(i.rule)}</td><td>${tag}</td><td class="small">${basis}${ev ? `<ul class="evidence">${ev}</ul>` : ''}</td></tr>`);
  }
  out.push('</tbody></table>');
  const rows = d.run.items.filter((it) =>
    ['supervision.new-media', 'supervision.coverage', 'supervision.consolidation'].includes(it.id),
  );
  if (rows.length) {
    out.push('<h3>监管工作</h3><table class="sheet"><thead><tr><th>二级指标</th><th>分值</th><th>扣分</th><th>状态</th></tr></thead><tbody>');
    for (const r of rows) {
      out.push(
        `<tr data-item="${esc(r.id)}"><td>${esc(r.level2)}</td><td class="num">${esc(r.max)}</td><td class="num">${esc(r.deducted)}</td><td class="small">${r.pending ? '<span class="tag warn">待定</span> ' : ''}${esc(r.explain ?? (r.checked ?? []).join('；'))}${r.awaiting ? ` <span class="tag warn">${esc(r.awaiting)} 条待确认</span>` : ''}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');
  return out.join('');
}

export function newMediaTab(d: TabData, viewer: Viewer, here: string): string {
  const s = d.site;
  const out: string[] = [];
  out.push(`<p class="small"><a href="${esc(`/sites/${encodeURIComponent(s.id)}`)}">← 返回网站</a></p>`);
  out.push(`<h1>${esc(s.name ?? s.id)} <span class="muted small">${esc(s.id)}</span></h1>`);
  out.push(`<nav class="tabs"><a href="${esc(`/sites/${encodeURIComponent(s.id)}`)}">概况</a> <a class="active" href="${esc(here)}">新媒体</a></nav>`);
  out.push('<section class="panel" id="newmedia-accounts"><h2>政务新媒体账号</h2>');
  out.push(
    d.unit.matched
      ? `<p>名录单位「${esc(d.unit.unit)}」（${d.unit.by === 'website' ? '按名录登记的网站地址匹配' : '按单位名称匹配'}），按监测时间点 ${esc(d.asOf)} 判断更新情况。日期来源：订阅源、粘贴的文章页面、人工录入可作为判定依据；名录“最近更新”仅供参考。</p>`
      : `<p class="muted">名录中没有单位「${esc(d.unit.unit)}」：可用 <code>govsite newmedia import 名录.xlsx</code> 导入，或在站点配置文件的 newMedia 中登记，或在下方添加账号。</p>`,
  );
  if (d.rows.length) {
    out.push(
      `<table class="manual newmedia"><thead><tr><th>平台</th><th>账号</th><th>认证主体</th><th>运营状态</th><th>最新发布</th><th>日期来源</th><th>更新情况</th>${viewer.reviewer ? '<th>记录最新发布</th>' : ''}</tr></thead><tbody>`,
    );
    for (const r of d.rows) out.push(accountRow(r, d, viewer, here));
    out.push('</tbody></table>');
    const stale = d.rows.filter((r) => r.freshness.verdict === 'stale').length;
    const unv = d.rows.filter((r) => r.freshness.verdict === 'unverified').length;
    out.push(`<p class="small">共 ${d.rows.length} 个账号${stale ? `，<span class="tag bad">${stale} 个两周内无更新</span>` : ''}${unv ? `，<span class="tag warn">${unv} 个未核实</span>` : ''}</p>`);
  } else out.push('<p class="muted">名录中没有本单位的账号。</p>');
  if (viewer.reviewer) {
    out.push(
      `<h3>添加或修改账号</h3><form method="post" action="/api/sites/${esc(encodeURIComponent(s.id))}/newmedia/accounts" class="review">${csrfField(viewer)}${backField(here)}` +
        `<input type="text" name="name" placeholder="账号名称" aria-label="账号名称" required>` +
        `<select name="platform" aria-label="平台">${platformOptions()}</select>` +
        `<input type="text" name="accountId" placeholder="账号ID" aria-label="账号ID">` +
        `<input type="text" name="subject" placeholder="认证主体" aria-label="认证主体">` +
        `<select name="status" aria-label="运营状态">${statusOptions('正常')}</select>` +
        `<input type="text" name="homepage" placeholder="主页地址" aria-label="主页地址">` +
        `<input type="text" name="feed" placeholder="订阅地址（RSS/Atom/JSON Feed）" aria-label="订阅地址">` +
        `<button type="submit" class="primary">保存</button></form>`,
    );
  } else out.push(`<p class="small"><a href="${esc(href('/login', { next: here }))}">登录</a>后可添加账号、粘贴最新文章或人工录入最新发布日期。</p>`);
  out.push('</section>');
  out.push(vetoBlock(d));
  if (d.websites.length) {
    out.push('<section class="panel" id="newmedia-websites"><h2>名录中的网站</h2><table class="sheet"><thead><tr><th>网站名称</th><th>网址</th><th>运营状态</th><th>迁移至</th><th>最近一次访问</th></tr></thead><tbody>');
    for (const w of d.websites) {
      const c = d.closed.get(w.url);
      out.push(
        `<tr><td>${esc(w.name ?? '—')}</td><td>${link(w.url, w.url, 60)}</td><td>${esc(w.status)}</td><td>${w.movedTo ? link(w.movedTo, w.movedTo, 60) : '—'}</td><td class="small">${c ? `${esc(c.verdict.detail)}（${esc(when(c.fetchedAt))}）` : w.status === '正常' ? '—' : '尚未访问'}</td></tr>`,
      );
    }
    out.push('</tbody></table></section>');
  }
  return out.join('\n');
}

function str(v: unknown, max = 500): string {
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

/** Runs async work, then answers through the dashboard's afterWrite (which takes the outcome synchronously). */
async function answer(deps: NewMediaDeps, req: FastifyRequest, reply: FastifyReply, back: string, work: () => Promise<{ json: unknown; text: string }>) {
  let out: { ok: { json: unknown; text: string } } | { err: unknown };
  try {
    out = { ok: await work() };
  } catch (e) {
    out = { err: e };
  }
  return deps.afterWrite(req, reply, back, () => {
    if ('err' in out) throw out.err;
    return out.ok;
  });
}

export function registerNewMediaRoutes(app: FastifyInstance, deps: NewMediaDeps): void {
  let syncedVersion = -1;
  const sync = async () => {
    const snap = deps.config();
    if (snap.version === syncedVersion) return;
    syncedVersion = snap.version;
    try {
      await deps.registry.syncSitesFile(snap.config.sites, new Date(deps.clock()).toISOString(), { full: true });
    } catch {
      /* a read-only database: the tab still shows what is stored */
    }
  };
  const siteOf = (req: FastifyRequest): SiteRecord | undefined => deps.site((req.params as { id: string }).id);
  const pagePath = (site: SiteRecord) => `/sites/${encodeURIComponent(site.id)}/newmedia`;

  app.get('/sites/:id/newmedia', async (req, reply) => {
    const site = siteOf(req);
    if (!site) return deps.fail(req, reply, 404, `没有编号为 ${(req.params as { id: string }).id} 的网站`);
    await sync();
    const d = await tabData(deps, site);
    return deps.sendPage(req, reply, `${site.name ?? site.id} · 新媒体`, newMediaTab(d, deps.viewerOf(req), pagePath(site)), 200, 'site');
  });

  app.get('/api/sites/:id/newmedia', async (req, reply) => {
    const site = siteOf(req);
    if (!site) return deps.fail(req, reply, 404, `没有编号为 ${(req.params as { id: string }).id} 的网站`);
    await sync();
    const d = await tabData(deps, site);
    const veto = d.run?.veto?.items?.filter((i) => i.id.startsWith(`${VETO_GROUP}.`)) ?? [];
    return reply.header('cache-control', 'no-store').send({
      site: site.id,
      unit: d.unit.unit,
      matched: d.unit.matched,
      asOf: d.asOf,
      accounts: d.rows.map((r) => ({ ...r.account, freshness: r.freshness })),
      websites: d.websites.map((w) => ({ ...w, ...(d.closed.get(w.url) ? { lastVisit: d.closed.get(w.url) } : {}) })),
      ...(d.run ? { runId: d.run.id, veto } : {}),
    });
  });

  const body = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

  app.post('/api/sites/:id/newmedia/accounts', { config: { write: true } }, async (req, reply) => {
    const site = siteOf(req);
    if (!site) return deps.fail(req, reply, 404, '没有这个网站');
    await sync();
    return answer(deps, req, reply, pagePath(site), async () => {
      const b = body(req);
      const name = str(b.name, 60);
      if (!name) throw new ReviewError(400, '请填写账号名称');
      const platform = normalizePlatform(str(b.platform, 40));
      if (!platform) throw new ReviewError(400, '请选择平台');
      const status = str(b.status, 10) ? normalizeStatus(str(b.status, 10)) : '正常';
      if (!status) throw new ReviewError(400, `运营状态应为 ${ACCOUNT_STATUSES.join('、')}`);
      const homepage = normalizeUrl(str(b.homepage));
      const feed = normalizeUrl(str(b.feed));
      if (homepage === null) throw new ReviewError(400, '主页地址不是有效网址');
      if (feed === null) throw new ReviewError(400, '订阅地址不是有效网址');
      const unit = (await unitOf(deps, site)).unit;
      const accountId = str(b.accountId, 60).replace(/\s+/g, '');
      const subject = str(b.subject, 100);
      const r = await deps.registry.upsertAccount(
        { unit, name, platform: platform.platform, platformLabel: platform.label, status, ...(accountId ? { accountId } : {}), ...(subject ? { subject } : {}), ...(homepage ? { homepage } : {}), ...(feed ? { feed } : {}) },
        `dashboard:${deps.reviewerOf(req)}`,
        new Date(deps.clock()).toISOString(),
      );
      const verb = r.action === 'added' ? '已添加' : r.action === 'updated' ? '已更新' : '未变化';
      return { json: { ok: true, id: r.id, action: r.action }, text: `${verb}账号「${name}」（${platform.label}）` };
    });
  });

  const accountOf = async (req: FastifyRequest, site: SiteRecord): Promise<StoredAccount> => {
    const aid = (req.params as { aid: string }).aid;
    const a = /^\d{1,12}$/.test(aid) ? await deps.registry.getAccount(Number(aid)) : undefined;
    if (!a || a.unit !== (await unitOf(deps, site)).unit) throw new ReviewError(404, '本单位没有这个账号');
    return a;
  };

  app.post('/api/sites/:id/newmedia/accounts/:aid/delete', { config: { write: true } }, async (req, reply) => {
    const site = siteOf(req);
    if (!site) return deps.fail(req, reply, 404, '没有这个网站');
    return answer(deps, req, reply, pagePath(site), async () => {
      const a = await accountOf(req, site);
      if (a.origin.startsWith('sites-file:')) throw new ReviewError(400, '该账号在站点配置文件中登记，请在文件中删除');
      await deps.registry.deleteAccount(a.id);
      return { json: { ok: true, id: a.id }, text: `已删除账号「${a.name}」（${a.platformLabel}）` };
    });
  });

  app.post('/api/sites/:id/newmedia/accounts/:aid/post', { config: { write: true } }, async (req, reply) => {
    const site = siteOf(req);
    if (!site) return deps.fail(req, reply, 404, '没有这个网站');
    const b = body(req);
    const url = str(b.url, 2000);
    const at = str(b.at, 20);
    const by = `dashboard:${deps.reviewerOf(req)}`;
    return answer(deps, req, reply, pagePath(site), async () => {
      const account = await accountOf(req, site);
      if (!url && !at) throw new ReviewError(400, '请粘贴文章网址，或填写日期和依据');
      let r: PasteResult;
      if (url && !at) r = await recordPastedPost((id, p) => deps.registry.addPost(id, p), account, url, { by, now: () => new Date(deps.clock()), force: str(b.force, 5) === '1' });
      else {
        const m = manualEntryPost(account, at, str(b.evidence, 500), { by, now: () => new Date(deps.clock()) });
        r = m.post ? { ...m.result, postId: await deps.registry.addPost(account.id, m.post) } : m.result;
      }
      if (!r.ok) throw new ReviewError(400, r.message);
      return { json: { ok: true, account: account.id, ...(r.time ? { time: r.time } : {}) }, text: r.message };
    });
  });
}
