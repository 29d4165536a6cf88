/**
 * The new-media registry (政务新媒体 and the region's websites) as data: what the spreadsheet, the sites file and the
 * dashboard describe, and the post dates (with their source) that decide freshness.
 *
 * Field names appear in observations, findings' evidence and the JSON API: treat them as a contract.
 */

/** Platforms as the national 政务新媒体 report names them. */
export const PLATFORMS = ['微信', '微博', '抖音', '今日头条', '快手', 'App', '其他'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** 运营状态. 已报关停 = closure reported (to be closed), 已关停 = closed, 已注销 = account deleted. */
export const ACCOUNT_STATUSES = ['正常', '已注销', '已关停', '已报关停'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** One registered new-media account. */
export interface AccountRecord {
  /** 单位名称 (normalised: spaces removed at the ends, inner runs of spaces collapsed). */
  unit: string;
  /** 账号名称. */
  name: string;
  platform: Platform;
  /** The platform as written (百家号, 视频号 … for 其他; the canonical name otherwise). */
  platformLabel: string;
  /** 账号ID (微信号, 微博 UID, 抖音号 …), when given. */
  accountId?: string;
  /** 认证主体. */
  subject?: string;
  status: AccountStatus;
  /** 主页地址. */
  homepage?: string;
  /** 订阅地址: an RSS 2.0 / Atom / JSON Feed URL (e.g. a self-hosted RSSHub route). */
  feed?: string;
  /** 最近更新 from the spreadsheet (YYYY-MM-DD): shown, never decides a verdict on its own. */
  registryUpdated?: string;
}

/** One website in the registry (normally open, or reported closed: 已报关停 / 已关停). */
export interface WebsiteRecord {
  unit: string;
  /** 网站名称. */
  name?: string;
  url: string;
  status: AccountStatus;
  /** 迁移至: where the content went (the parent site), when given. */
  movedTo?: string;
}

/** Where a post date came from, most to least trusted for a verdict (see freshness.ts). */
export type PostSource = 'feed' | 'post' | 'manual' | 'registry';

/** One piece of freshness evidence for an account. */
export interface PostEvidence {
  source: PostSource;
  /** Publication time: ISO 8601 with offset when known, else YYYY-MM-DD. */
  publishedAt: string;
  /** Asia/Shanghai day of publishedAt. */
  day: string;
  /** The post (pasted URL, feed item link) or the feed URL. */
  url?: string;
  title?: string;
  /** How the date was read (`var ct`, `<pubDate>`, the inspector's note …). Chinese or code-ish, short. */
  how?: string;
  /** When govsite observed it (ISO). For a feed, the fetch time; for a pasted post, the paste time. */
  observedAt: string;
  /** A manual entry counts only when confirmed (entered by a logged-in reviewer or the CLI with evidence). */
  confirmed?: boolean;
}
