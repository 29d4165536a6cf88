/**
 * HTML helpers for the dashboard pages: escaping, the page shell, links to crawled URLs, pagers.
 * Everything that comes from a crawl, a config file or a visitor goes through `esc` (or `link`, which escapes too).
 */
import { escapeHtml } from '../report/html.ts';
import { formatTime, oneLine, safeHttpUrl } from '../report/audit-report.ts';
import type { Flash } from './auth.ts';

export const esc = escapeHtml;

/** Builds a local URL with a query string (empty values dropped). The result still needs `esc` in attributes. */
export function href(path: string, params: Record<string, string | number | undefined | null> = {}, hash?: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `${path}${s ? `?${s}` : ''}${hash ? `#${hash}` : ''}`;
}

/** A link to a crawled URL (http/https only, opened without referrer); anything else is plain text. */
export function link(url: unknown, text?: unknown, max = 100): string {
  const label = oneLine(text ?? url, max);
  const h = safeHttpUrl(url);
  if (!h) return `<span class="break">${esc(label)}</span>`;
  return `<a class="break" href="${esc(h)}" rel="noopener noreferrer nofollow" target="_blank">${esc(label)}</a>`;
}

/** "2.1%" (one decimal; "—" when there were no probes). */
export function pct(ratio: number | null | undefined, probes?: number): string {
  if (probes === 0 || ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

/** Shanghai time for people. */
export function when(iso: unknown): string {
  return formatTime(iso);
}

export interface Viewer {
  reviewer?: string;
  csrf?: string;
}

export interface PageOptions {
  title: string;
  body: string;
  viewer: Viewer;
  flash?: Flash;
  active?: 'overview' | 'site' | 'run' | 'login' | 'status' | 'alerts' | 'rectification' | 'queues';
  /** Path to come back to after login. */
  here?: string;
  banner?: string;
  /** The top navigation's tabs (default: the one-machine dashboard's). */
  tabs?: readonly ('overview' | 'status' | 'rectification' | 'alerts' | 'queues')[];
}

export function csrfField(viewer: Viewer): string {
  return viewer.csrf ? `<input type="hidden" name="_csrf" value="${esc(viewer.csrf)}">` : '';
}

export function backField(path: string): string {
  return `<input type="hidden" name="_back" value="${esc(path)}">`;
}

export function layout(o: PageOptions): string {
  const who = o.viewer.reviewer
    ? `<span>评审人：${esc(o.viewer.reviewer)}</span><form method="post" action="/logout">${csrfField(o.viewer)}<button type="submit">退出</button></form>`
    : `<a class="btn" href="${esc(href('/login', { next: o.here }))}">登录</a>`;
  const tab = (path: string, key: PageOptions['active'], label: string) => `<a href="${path}"${o.active === key ? ' class="active"' : ''}>${label}</a>`;
  const tabs = o.tabs ?? ['overview', 'status', 'rectification', 'alerts'];
  const TAB: Record<string, [string, string]> = { overview: ['/', '总览'], status: ['/status', '运行状态'], rectification: ['/rectification', '整改跟踪'], alerts: ['/alerts', '预警记录'], queues: ['/queues', '队列状态'] };
  const nav = `<nav>${tabs.map((k) => tab(TAB[k][0], k as PageOptions['active'], TAB[k][1])).join('')}</nav>`;
  const flash = o.flash ? `<div class="flash ${o.flash.kind}" role="status">${esc(o.flash.text)}</div>` : '';
  const banner = o.banner ? `<div class="banner">${esc(o.banner)}</div>` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="same-origin">',
    `<title>${esc(o.title)} · 政府网站监测看板</title>`,
    '<link rel="stylesheet" href="/static/app.css">',
    '<script src="/static/app.js" defer></script>',
    '</head><body>',
    `<header class="topbar"><a class="brand" href="/">政府网站监测看板</a>${nav}<div class="who">${who}</div></header>`,
    '<main>',
    banner,
    flash,
    o.body,
    '</main>',
    '<footer class="page">govsite · 机器检测结果供检查人员参考；“未核实”“待确认”“待人工评分”的内容需人工确认</footer>',
    '</body></html>',
  ].join('\n');
}

/** Pager links: « 上一页 1 … 4 [5] 6 … 300 下一页 ». */
export function pager(path: string, params: Record<string, string | number | undefined>, page: number, pages: number, param = 'page'): string {
  if (pages <= 1) return '';
  const at = (p: number, label: string, cls = '') =>
    p === page ? `<span class="current">${esc(label)}</span>` : `<a href="${esc(href(path, { ...params, [param]: p }))}"${cls ? ` class="${cls}"` : ''}>${esc(label)}</a>`;
  const out: string[] = [];
  if (page > 1) out.push(at(page - 1, '上一页', 'prev'));
  const shown = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((p) => p >= 1 && p <= pages));
  let last = 0;
  for (const p of [...shown].sort((a, b) => a - b)) {
    if (p - last > 1) out.push('<span class="muted">…</span>');
    out.push(at(p, String(p)));
    last = p;
  }
  if (page < pages) out.push(at(page + 1, '下一页', 'next'));
  return `<nav class="pager" aria-label="分页">${out.join(' ')}<span class="muted small">共 ${esc(pages)} 页</span></nav>`;
}

/** A simple error page body. */
export function messageBody(title: string, text: string, extra = ''): string {
  return `<section class="panel"><h1>${esc(title)}</h1><p>${esc(text)}</p>${extra}</section>`;
}

export { oneLine };
