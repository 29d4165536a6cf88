import { createHash } from 'node:crypto';
import type { AuditContext, CheckOutput, GatherStatus } from '../../model.ts';
import { SERVICE_KINDS, type EntryObs, type GuideObs, type HallObs, type ItemObs, type LoginObs } from './types.ts';
import { ELEMENT_ZH, type ElementKey } from './elements.ts';

/**
 * What the `services` gatherer recorded, for the service checks (pure reads of ctx.observations), and the scope rules
 * they share: gatherer not run → not-run; unit without public services → not-run; gatherer failed → unverified.
 */

export interface ServicesSeen {
  status: GatherStatus;
  entries: EntryObs[];
  halls: HallObs[];
  items: ItemObs[];
  guides: GuideObs[];
  logins: LoginObs[];
  /** Guides by key (URL). */
  guideByUrl: Map<string, GuideObs>;
}

/** The observations, or the output a check returns when it cannot judge (not run, skipped, failed). */
export function servicesSeen(ctx: AuditContext): { seen: ServicesSeen } | { out: CheckOutput } {
  const obs = ctx.observations;
  const status = obs?.status('services');
  if (!obs || !status) return { out: { findings: [], scope: { status: 'not-run', reason: '未运行办事服务采集（services），未检查办事服务' } } };
  if (status.status === 'skipped') return { out: { findings: [], scope: { status: 'not-run', reason: status.reason ?? '办事服务采集未运行' } } };
  if (status.status === 'failed') return { out: { findings: [], scope: { status: 'unverified', reason: status.reason ?? '办事服务采集失败' } } };
  // One observation per key (the store keeps the last one emitted under a key; so do we).
  const guides = lastByKey(obs.list<GuideObs>(SERVICE_KINDS.guide), (g) => g.url);
  return {
    seen: {
      status,
      entries: obs.list<EntryObs>(SERVICE_KINDS.entry),
      halls: obs.list<HallObs>(SERVICE_KINDS.hall),
      items: lastByKey(obs.list<ItemObs>(SERVICE_KINDS.item), (i) => i.key),
      guides,
      logins: obs.list<LoginObs>(SERVICE_KINDS.login),
      guideByUrl: new Map(guides.map((g) => [g.url, g])),
    },
  };
}

/**
 * The guides the services gatherer read as guides, with the run's sample of them (the checks on guide contents start
 * here); `out` when the gatherer did not run or read no guide (the check's scope says why).
 */
export function guidesRead(ctx: AuditContext): { seen: ServicesSeen; read: GuideObs[]; sample: Set<string> } | { out: CheckOutput } {
  const got = servicesSeen(ctx);
  if ('out' in got) return got;
  const s = got.seen;
  const read = s.guides.filter((g) => g.reading?.isGuide);
  if (!read.length) return { out: { findings: [], scope: { status: 'unverified', reason: s.guides.length ? '办事指南均未能读取' : '未找到办事指南' } } };
  return { seen: s, read, sample: sampleSet(read.map((g) => sampleKey(g.url)), ctx.runId) };
}

function lastByKey<T>(list: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of list) {
    const k = key(x);
    m.delete(k);
    m.set(k, x);
  }
  return [...m.values()];
}

/** "本站" / "政务服务平台" for messages. */
export function whereZh(where: string): string {
  return where === 'site' ? '本站' : '政务服务平台';
}

/** Where a guide lives, for messages: the platform's guides are shared across the province. */
export function whereNote(where: string): string {
  return where === 'site' ? '（本站指南）' : '（政务服务平台上的指南，全省共用，问题在平台侧）';
}

export function guideTitle(g: GuideObs): string {
  return g.reading?.title || g.items[0] || g.url;
}

export function elementZh(k: ElementKey): string {
  return ELEMENT_ZH[k];
}

/** "已读取办事指南 6 / 8 个（本站 4 个、平台 2 个）". */
export function guidesSummary(s: ServicesSeen): string {
  const read = s.guides.filter((g) => g.reading?.isGuide);
  const site = read.filter((g) => g.where === 'site').length;
  const listed = Number(s.status.stats?.guidesListed ?? s.guides.length);
  return `已读取办事指南 ${read.length} / ${listed} 个（本站 ${site} 个、平台 ${read.length - site} 个）`;
}

/** Size of the rubric's random sample (随机抽查5个办事指南 / 办事服务事项，不足5个的检查全部). */
export const SAMPLE_SIZE = 5;

/**
 * The rubric's random sample, seeded by the run id (a rescore of the run samples the same): every key when there are
 * at most `n`, else the `n` keys whose hash with the seed is smallest. Findings outside the sample are listed for the
 * webmaster but do not deduct (evidence.sampled: false).
 */
export function sampleSet(keys: readonly string[], runId: number | undefined, n = SAMPLE_SIZE): Set<string> {
  const uniq = [...new Set(keys)];
  if (uniq.length <= n) return new Set(uniq);
  const seed = String(runId ?? 0);
  const scored = uniq.map((k) => ({ k, h: createHash('sha1').update(seed + '\n' + k).digest('hex') }));
  scored.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  return new Set(scored.slice(0, n).map((x) => x.k));
}

/**
 * What the sample is drawn on: a URL's path and query without its origin (a guide keeps its place in the sample when
 * the host or port changes — staging copies, the demo's loopback ports).
 */
export function sampleKey(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search + u.hash;
  } catch {
    return url;
  }
}

/** "随机抽查办事指南 5 个（共 12 个）" or "不足 5 个，检查全部 3 个". */
export function sampleNote(total: number, unit: string, n = SAMPLE_SIZE): string {
  return total > n ? `按检查细则随机抽查${unit} ${n} 个计分（共 ${total} 个，其余的问题列出备查、不扣分）` : `${unit}不足 ${n} 个，全部计分`;
}
