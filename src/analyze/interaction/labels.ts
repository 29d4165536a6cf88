import { normalizeLabel as bareLabel } from '../labels.ts';

/**
 * Field labels of message boards (互动交流): what a label shown on a page means, by its words and never by its
 * position or class name. Spacing and zero-width characters are removed by the shared label helper
 * (src/analyze/labels.ts); brackets, bullets and a trailing colon around the label are removed here.
 */

/** A label as written (`标　题：`, `【回复时间】`, `来信时间:`) → its bare words (`标题`, `回复时间`, `来信时间`). */
export function normalizeLabel(s: string): string {
  return bareLabel(String(s ?? '').replace(/\u2063/g, ''))
    .replace(/^[【\[［〔(（<《]+|[】\]］〕)）>》]+$/g, '')
    .replace(/[:：]+$/, '')
    .replace(/^[·•*＊※]+/, '')
    .slice(0, 40);
}

/** The fields of a letter (网民留言) that boards show. */
export type LetterField =
  | 'title'
  | 'askedAt'
  | 'repliedAt'
  | 'handledAt'
  | 'acceptedAt'
  | 'publishedAt'
  | 'replyUnit'
  | 'acceptUnit'
  | 'addressedTo'
  | 'replyText'
  | 'status'
  | 'statusOrReply'
  | 'asker'
  | 'content'
  | 'number'
  | 'satisfaction'
  | 'category';

/** Whole-label patterns (on normalizeLabel output), first match wins. */
const LETTER_LABELS: [LetterField, RegExp][] = [
  ['title', /^(?:信件|留言|来信|咨询|投诉|建议|诉求|问题|事项|信访)?(?:标题|主题)(?:名称)?$/],
  ['askedAt', /^(?:留言|来信|写信|提交|咨询|投诉|提问|信件|发信|来件|诉求|反映|登记|建议|发帖|来电|求助)(?:时间|日期)$/],
  ['repliedAt', /^(?:回复|答复|办结|反馈|回答|回复办结|答复办结|领导回复|部门回复)(?:时间|日期)$/],
  ['handledAt', /^(?:处理|办理)(?:时间|日期)$/],
  ['acceptedAt', /^(?:受理|转办|交办)(?:时间|日期)$/],
  ['publishedAt', /^(?:发布|公开)(?:时间|日期)$/],
  ['replyUnit', /^(?:回复|答复|办理|承办|处理|办结|反馈|回复办理)(?:单位|部门|机构|机关)(?:名称)?$/],
  ['acceptUnit', /^(?:受理)(?:单位|部门|机构|机关)$/],
  ['addressedTo', /^(?:提交|收件|收信|来信|写信|信件|留言)(?:单位|部门|对象)$/],
  ['replyText', /^(?:(?:回复|答复|办理|处理|反馈|领导|部门)(?:内容|意见|结果)|回复|答复|办理结果|处理结果|回复详情|答复详情|回复信息|答复信息|领导回复|部门回复|回复正文)$/],
  ['status', /^(?:(?:处理|办理|办件|回复|答复|信件|当前|办结|受理)(?:状态|情况)|状态|是否(?:回复|答复|办结))$/],
  ['asker', /^(?:来信人|留言人|写信人|提问人|咨询人|投诉人|反映人|发信人|建议人|网民|姓名|昵称|留言者)$/],
  ['content', /^(?:(?:来信|留言|咨询|投诉|信件|问题|诉求|建议|反映)(?:内容|描述|详情|正文)|内容|问题描述)$/],
  ['number', /^(?:办件|信件|留言|受理|来信|诉求|业务)?(?:编号|编码|单号)$/],
  ['satisfaction', /^(?:满意度|满意程度|满意情况|评价|评价结果|群众评价|网民评价|满意度评价)$/],
  ['category', /^(?:信件|留言|来信|诉求|咨询|问题)?(?:类型|类别|分类)$/],
];

/** The letter field a label names, or undefined. */
export function matchLetterLabel(label: string): LetterField | undefined {
  const n = normalizeLabel(label);
  if (!n || n.length > 12) return undefined;
  for (const [field, re] of LETTER_LABELS) if (re.test(n)) return field;
  return undefined;
}

/** The key of `table` whose pattern matches the whole normalised label. */
export function matchLabelKey<K extends string>(label: string, table: readonly (readonly [K, RegExp])[]): K | undefined {
  const n = normalizeLabel(label);
  if (!n) return undefined;
  for (const [k, re] of table) if (re.test(n)) return k;
  return undefined;
}

/** Fields of a survey / consultation activity (征集调查). */
export type ActivityField = 'title' | 'start' | 'end' | 'range' | 'published' | 'status' | 'result' | 'resultAt' | 'unit';

export const ACTIVITY_LABELS: readonly (readonly [ActivityField, RegExp])[] = [
  ['title', /^(?:征集|调查|活动|问卷)?(?:标题|主题|名称)$/],
  ['range', /^(?:征集|调查|活动|意见征集|投票|问卷)?(?:时间|期限|起止时间|起止日期|时间范围|日期)$/],
  ['start', /^(?:征集|调查|活动|投票)?(?:开始|起始)(?:时间|日期)$/],
  ['end', /^(?:征集|调查|活动|投票)?(?:结束|截止)(?:时间|日期)$/],
  ['published', /^(?:发布|公布)(?:时间|日期)$/],
  ['status', /^(?:征集|调查|活动)?状态$/],
  ['resultAt', /^(?:结果|反馈)(?:公布|发布|反馈)?(?:时间|日期)$/],
  ['result', /^(?:征集|调查|反馈|意见)?(?:结果|反馈结果|结果反馈|采纳情况|反馈情况|意见采纳情况|结果公布|答复)$/],
  ['unit', /^(?:征集|发布|主办|调查)(?:单位|部门|机关)$/],
];

/** What a letter's status text says: answered, not answered (yet), or nothing we can read. */
export type LetterState = 'answered' | 'pending' | 'unknown';

/** Status words that mean answered (the whole status value, brackets and counts stripped). */
const ANSWERED_RE = /^(?:已(?:回复|答复|办结|处理|反馈|完成|解决|办理|回应|公开)|办结|已办|办理完毕|处理完毕|回复完毕|答复完毕|完结|结案|已评价|已回复已评价)$/;
/** Not answered yet, said in so many words (未回复 …). */
const NOT_ANSWERED_RE = /^(?:(?:未|待|尚未|暂未|没有)(?:回复|答复|办结|处理|办理|反馈|回应)|无回复)$/;
/** In progress: accepted or forwarded but not answered (办理中 …). */
const IN_PROGRESS_RE = /^(?:(?:正在)?(?:办理|处理|受理|转办|交办|审核|回复|答复)中|正在(?:办理|处理)|已(?:受理|转办|交办|签收|分办)|待审核|审核中|待受理|已接收)$/;

export interface StatusReading {
  state: LetterState;
  /** For pending: said "not answered" outright, or "in progress". */
  kind?: 'not-answered' | 'in-progress';
  text: string;
}

/** Reads a status value as a whole word (never a substring of a sentence: 关于未回复问题的说明 is no status). */
export function readStatus(value: string): StatusReading {
  const text = (value ?? '').replace(/[\s\u00a0\u3000]+/g, ' ').trim().slice(0, 60);
  const n = text
    .replace(/[\s【】\[\]［］()（）〔〕<>「」"'“”]/g, '')
    .replace(/\d+$/, '')
    .replace(/[。.!！]$/, '');
  if (!n || n.length > 8) return { state: 'unknown', text };
  if (ANSWERED_RE.test(n)) return { state: 'answered', text };
  if (NOT_ANSWERED_RE.test(n)) return { state: 'pending', kind: 'not-answered', text };
  if (IN_PROGRESS_RE.test(n)) return { state: 'pending', kind: 'in-progress', text };
  return { state: 'unknown', text };
}

/** Is this short text a status word (as an unlabeled list cell or span)? */
export function isStatusWord(value: string): boolean {
  return readStatus(value).state !== 'unknown';
}
