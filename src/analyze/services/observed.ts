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
  const guides = obs.list<GuideObs>(SERVICE_KINDS.guide);
  return {
    seen: {
      status,
      entries: obs.list<EntryObs>(SERVICE_KINDS.entry),
      halls: obs.list<HallObs>(SERVICE_KINDS.hall),
      items: obs.list<ItemObs>(SERVICE_KINDS.item),
      guides,
      logins: obs.list<LoginObs>(SERVICE_KINDS.login),
      guideByUrl: new Map(guides.map((g) => [g.url, g])),
    },
  };
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
