import { normText } from '../dom.ts';

/**
 * Vague wording in a guide (表述含糊不清): the rubric's example "根据有关法律法规规定应提交的其他材料" and the
 * patterns inspectors flag — 其他(相关)材料, 有关部门, 相关部门, 规定的其他…. Read in the applicant-facing elements
 * (申请条件, 办理材料, 办理流程), never in 设定依据 (quoted law text says 有关部门 legitimately).
 */

export interface VagueHit {
  /** The vague phrase as written, e.g. 其他材料. */
  phrase: string;
  /** Its surroundings (≤ 60 chars) for evidence. */
  snippet: string;
  /** Which part of the guide: an element key or 'material'. */
  where: string;
}

const PATTERNS: { re: RegExp; kind: string }[] = [
  // "…规定应提交的其他材料", "规定的其他条件": one phrase, reported whole.
  { re: /(?:有关|相关)?(?:法律|法规|规章|规定)*规定(?:应|需|需要|应当)?(?:提交|提供|具备)?的其[他它](?:相关|有关|必要)?(?:材料|资料|文件|证明|条件|情形)?/g, kind: 'other-by-rule' },
  { re: /其[他它](?:相关|有关|必要的?|需要的?|所需的?)?(?:证明)?(?:材料|资料|证明文件|证件|文件)/g, kind: 'other-material' },
  { re: /(?:有关|相关)部门/g, kind: 'some-department' },
];

/** Vague phrases in a text, each with a snippet; overlapping matches count once (the longest). */
export function findVague(text: string, where: string): VagueHit[] {
  const t = normText(text);
  if (!t) return [];
  const spans: { start: number; end: number; phrase: string }[] = [];
  for (const { re } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(t); m; m = re.exec(t)) {
      if (m[0].length < 4) continue;
      spans.push({ start: m.index, end: m.index + m[0].length, phrase: m[0] });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: VagueHit[] = [];
  let lastEnd = -1;
  for (const s of spans) {
    if (s.start < lastEnd) continue;
    lastEnd = s.end;
    if (isExempt(t, s.start, s.end)) continue;
    const from = Math.max(0, s.start - 20);
    const to = Math.min(t.length, s.end + 20);
    out.push({ phrase: s.phrase, snippet: (from > 0 ? '…' : '') + t.slice(from, to) + (to < t.length ? '…' : ''), where });
  }
  return out;
}

/**
 * Not vague: a named department right before it ("市场监管等有关部门" still is; "经有关部门批准的文件" in a quoted law
 * title is not ours to judge) — only a phrase inside 《…》 (a document title) is exempt.
 */
function isExempt(t: string, start: number, end: number): boolean {
  const open = t.lastIndexOf('《', start);
  const close = t.lastIndexOf('》', start);
  if (open > close && t.indexOf('》', end) >= 0) return true;
  return false;
}
