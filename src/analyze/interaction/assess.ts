import type { AuditContext, CheckOutput, GatherStatus } from '../../model.ts';
import {
  INTERACTION_GATHERER, OBS, STOP_ZH, letterDate, rangeZh,
  type ActivityObs, type ChannelObs, type InquiryObs, type LetterObs, type StatisticsObs, type SummaryObs,
} from './observations.ts';

/**
 * What the 互动交流 checks share: the gatherer's observations of a run, typed, and the Chinese wording of what was read
 * (scope summaries) or why nothing could be decided (scope reasons).
 */

export interface InteractionData {
  status: GatherStatus | undefined;
  channels: ChannelObs[];
  letters: LetterObs[];
  activities: ActivityObs[];
  statistics: StatisticsObs[];
  summary: SummaryObs | undefined;
  inquiries: InquiryObs[];
}

export function interactionData(ctx: AuditContext): InteractionData {
  const o = ctx.observations;
  return {
    status: o?.status(INTERACTION_GATHERER),
    channels: o?.list<ChannelObs>(OBS.channel) ?? [],
    letters: o?.list<LetterObs>(OBS.letter) ?? [],
    activities: o?.list<ActivityObs>(OBS.activity) ?? [],
    statistics: o?.list<StatisticsObs>(OBS.statistics) ?? [],
    summary: o?.list<SummaryObs>(OBS.summary)[0],
    inquiries: o?.list<InquiryObs>(OBS.inquiry) ?? [],
  };
}

/** The scope when the gatherer did not run or could not start; undefined when it ran. */
export function gatherMissing(d: InteractionData): CheckOutput | undefined {
  if (!d.status) return { findings: [], scope: { status: 'not-run', reason: '互动交流采集未运行（已关闭采集器或未执行），留言类指标未检测' } };
  if (d.status.status === 'skipped') return { findings: [], scope: { status: 'not-run', reason: d.status.reason ?? '互动交流采集未执行' } };
  if (d.status.status === 'failed' && !d.channels.length) return { findings: [], scope: { status: 'unverified', reason: d.status.reason ?? '互动交流采集出错' } };
  return undefined;
}

/** Consultation channels (咨询建言类, e-mail and special channels excluded) that show letters or should. */
export function boards(d: InteractionData): ChannelObs[] {
  return d.channels.filter((c) => c.group === 'consult' && !c.email && c.role !== 'stats' && c.role !== 'submit');
}

/** A channel's name for people: its link text, else its address. */
export function nameOf(c: { text?: string; url: string }): string {
  return c.text ? `「${c.text}」` : c.url;
}

/** Why a channel's letters could not be (fully) read, in Chinese; undefined when they were. */
export function unreadableWhy(c: ChannelObs): string | undefined {
  if (!c.opened) return `${nameOf(c)}无法打开（${c.error ?? c.errors[0] ?? '无响应'}）`;
  if (c.listRead === 'unreadable') return `${nameOf(c)}的留言列表无法读取（${c.errors[0] ?? (c.scriptList ? '列表由脚本加载，浏览器不可用' : '未识别')}）`;
  return undefined;
}

/** Letters a channel walk left unread because it stopped early (limits, errors), in Chinese; undefined when complete. */
export function incompleteWhy(c: ChannelObs): string | undefined {
  if (c.stoppedBy && ['page-limit', 'letter-limit', 'budget', 'error', 'stopped'].includes(c.stoppedBy)) return `${nameOf(c)}${STOP_ZH[c.stoppedBy]}`;
  return undefined;
}

/** "已读取留言 N 条（A 至 B，渠道：…）" */
export function lettersRead(d: InteractionData, letters = d.letters): string {
  const dates = letters.map(letterDate).filter((x): x is string => !!x).sort();
  const names = [...new Set(letters.map((l) => l.channelText || l.channel))].slice(0, 5).join('、');
  return `已读取留言 ${letters.length} 条（${rangeZh(dates[0], dates[dates.length - 1])}${names ? `，渠道：${names}` : ''}）`;
}

/** Compact letter facts for evidence. */
export function letterFacts(l: LetterObs): Record<string, unknown> {
  return {
    title: l.title,
    url: l.url,
    channel: l.channelText || l.channel,
    askedAt: l.askedAt,
    repliedAt: l.repliedAt,
    replyUnit: l.replyUnit,
    status: l.statusText,
    ...(l.latency !== undefined ? { latencyWorkdays: l.latency } : {}),
  };
}
