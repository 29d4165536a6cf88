/**
 * Recording freshness evidence an inspector gives: a pasted post URL (fetched once, its publication time read from
 * the page) or a manual entry with its evidence. Shared by `govsite newmedia set-post` and the dashboard.
 */
import { HttpClient } from '../collect/http.ts';
import { decodeBody } from '../collect/decode.ts';
import type { Db } from '../store/db.ts';
import { shanghaiDay } from '../monitor/time.ts';
import { nameKey, normalizeUrl, parseRegistryDate } from './normalize.ts';
import { parsePostPage, type PostPageTime } from './post-page.ts';
import { addPost, type StoredAccount } from './store.ts';

export interface PasteResult {
  ok: boolean;
  /** Chinese, for people. */
  message: string;
  time?: PostPageTime;
  postId?: number;
}

/** Fetches a post page (bounded: 15 s, 4 MB) and reads its publication time. */
export async function fetchPostTime(url: string, opts: { client?: HttpClient; timeoutMs?: number } = {}): Promise<{ ok: true; time: PostPageTime; finalUrl: string } | { ok: false; error: string }> {
  const client = opts.client ?? new HttpClient();
  try {
    const r = await client.fetch(url, { timeoutMs: opts.timeoutMs ?? 15_000, maxBytes: 4 * 1024 * 1024 });
    if (r.error) return { ok: false, error: `无法打开文章页面：${r.error}${r.errorDetail ? `（${r.errorDetail.slice(0, 80)}）` : ''}` };
    if (r.status !== null && r.status >= 400) return { ok: false, error: `文章页面返回 HTTP ${r.status}` };
    const { text } = decodeBody(r.body, r.headers['content-type']);
    const time = parsePostPage(text);
    if (!time) return { ok: false, error: '页面中未找到发布时间（可改用 --at 人工录入并注明依据）' };
    return { ok: true, time, finalUrl: r.finalUrl };
  } finally {
    if (!opts.client) await client.close();
  }
}

/**
 * Records a pasted post for an account. A page that names another account (WeChat's nickname) is refused unless
 * `force`: a post of another account must not make this one look fresh.
 */
export async function recordPastedPost(db: Db | PostWriter, account: StoredAccount, url: string, opts: { by: string; now?: () => Date; force?: boolean; client?: HttpClient } = { by: 'cli' }): Promise<PasteResult> {
  const u = normalizeUrl(url);
  if (!u) return { ok: false, message: `「${url}」不是有效网址` };
  const got = await fetchPostTime(u, { client: opts.client });
  if (!got.ok) return { ok: false, message: got.error };
  const t = got.time;
  if (t.accountName && !opts.force) {
    const a = nameKey(t.accountName);
    const b = nameKey(account.name);
    if (a !== b && !a.includes(b) && !b.includes(a)) {
      return { ok: false, time: t, message: `文章页面显示的账号为「${t.accountName}」，与「${account.name}」不一致，未记录（确认无误可加 --force）` };
    }
  }
  const now = (opts.now ?? (() => new Date()))();
  const post: NewPost = {
    source: 'post',
    publishedAt: t.publishedAt,
    day: t.day,
    url: got.finalUrl || u,
    ...(t.title ? { title: t.title } : {}),
    how: t.how,
    observedAt: now.toISOString(),
    by: opts.by,
  };
  const postId = typeof db === 'function' ? await db(account.id, post) : addPost(db, account.id, post);
  return { ok: true, time: t, postId, message: `已记录：${account.name}（${account.platformLabel}）最新发布 ${t.day}（${t.how}）` };
}

/** A piece of evidence to store for an account (addPost's input). */
export type NewPost = Parameters<typeof addPost>[2];

/** Stores a post for an account (the shared repository's addPost), returning its id. */
export type PostWriter = (account: number, p: NewPost) => Promise<number>;

/** Records a manual entry: the newest post's date and the inspector's evidence (required). */
export function recordManualEntry(db: Db, account: StoredAccount, at: string, evidence: string, opts: { by: string; now?: () => Date; url?: string }): PasteResult {
  const m = manualEntryPost(account, at, evidence, opts);
  if (!m.post) return m.result;
  return { ...m.result, postId: addPost(db, account.id, m.post) };
}

/** The post a manual entry stores, or why it cannot (the same rules on every backend). */
export function manualEntryPost(account: StoredAccount, at: string, evidence: string, opts: { by: string; now?: () => Date; url?: string }): { result: PasteResult; post?: NewPost } {
  const day = parseRegistryDate(at);
  if (!day) return { result: { ok: false, message: `「${at}」不是日期（应为 YYYY-MM-DD）` } };
  const ev = evidence.trim();
  if (ev.length < 2) return { result: { ok: false, message: '人工录入需注明依据（--evidence，例如“2021-06-15 登录微信公众平台查看，最新一篇为…”）' } };
  const now = (opts.now ?? (() => new Date()))();
  if (day > shanghaiDay(now)) return { result: { ok: false, message: `日期 ${day} 晚于今天` } };
  return {
    result: { ok: true, message: `已记录：${account.name}（${account.platformLabel}）最新发布 ${day}（人工录入：${ev.slice(0, 60)}）` },
    post: { source: 'manual', publishedAt: day, day, how: ev.slice(0, 500), ...(opts.url ? { url: opts.url } : {}), observedAt: now.toISOString(), by: opts.by, confirmed: true },
  };
}
