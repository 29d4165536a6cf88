import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { loadHtml, normText } from '../dom.ts';
import { bodyOrRoot, elementsNamed, findElements, textContent } from '../walk.ts';
import { toHalfWidth } from '../dates.ts';
import { footerElements } from '../footer.ts';
import { cellText } from './records.ts';

/**
 * Published statistics of letters received and answered (留言受理反馈情况统计): a sentence or widget giving both a
 * count of letters received (收到 / 受理 / 来信 …) and a count answered (办结 / 回复 / 答复), or a table whose header
 * names both. Found on the board pages, their statistics pages or any page of the site.
 */

export interface LetterStatistics {
  url: string;
  received?: number;
  answered?: number;
  /** The period stated near the numbers (2021年5月, 本月, 累计 …), when shown. */
  period?: string;
  kind: 'text' | 'table';
  snippet: string;
}

const RECEIVED_RE = /(?:共|累计|本月|今年|全年|本年度|当月|本周|今日)?(?:收到|受理|接收|接到|来信|留言|信件|来件|诉求|咨询)(?:(?:网民|群众|各类)?(?:来信|留言|信件|诉求|咨询|件|量|总数|总量|数))?\s*[:：]?\s*(?:共|累计)?\s*(\d{1,7})\s*(?:件|条|封|个|次|宗)/;
const ANSWERED_RE = /(?:已)?(?:办结|回复|答复|办理|处理|反馈|回应)(?:(?:来信|留言|信件|件|量|总数|数))?\s*[:：]?\s*(?:共|累计)?\s*(\d{1,7})\s*(?:件|条|封|个|次|宗)?/;
const PERIOD_RE = /((?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月)?(?:份)?|(?:19|20)\d{2}\s*年度|第[一二三四1-4]季度|本月|上月|累计|今年以来|本年度)/;

function footerSet($: CheerioAPI): Set<Element> {
  try {
    return new Set(footerElements($));
  } catch {
    return new Set();
  }
}

/** The statistics a page publishes, or undefined. */
export function findLetterStatistics(html: string, pageUrl: string): LetterStatistics | undefined {
  if (!html || !/办结|回复|答复|办理|处理|反馈|回应/.test(html)) return undefined;
  let $: CheerioAPI;
  try {
    $ = loadHtml(html);
  } catch {
    return undefined;
  }
  const footers = footerSet($);
  // 受理 / 办结 alone also head the statistics of services handled (办件统计): generic headers count only on a page
  // about letters (留言, 来信, 信箱 …) that is not about 办件 / 政务服务.
  const headings = findElements($.root().toArray(), (el) => el.name === 'title' || el.name === 'h1' || el.name === 'h2' || el.name === 'h3', 4);
  const head = normText(headings.map((el) => textContent(el, 300)).join(' '));
  const letterPage = /留言|来信|信件|信箱|诉求|网民|咨询投诉/.test(head) || (!/办件|政务服务|行政审批|审批服务/.test(head) && /留言|来信|信件|信箱|诉求/.test(html.slice(0, 200_000)));
  const generic = (t: string) => /^(?:受理|收到|接收)/.test(t) && !/来信|留言|信件|诉求/.test(t);
  // Tables: a header row naming received and answered counts.
  for (const tr of elementsNamed($, 'tr')) {
    const cells = tr.children.filter((c): c is Element => (c as Element).name === 'td' || (c as Element).name === 'th');
    if (cells.length < 2) continue;
    const texts = cells.map((c) => normText(cellText(c)).replace(/\s+/g, ''));
    const rec = texts.findIndex((t) => /^(?:来信|留言|信件|受理|收到|接收|诉求)(?:数|量|总数|总量|件数|数量)?(?:\(件\)|（件）)?$/.test(t) || /^(?:受理|收到)(?:来信|留言|信件)(?:数|量)?/.test(t));
    const ans = texts.findIndex((t) => /^(?:已)?(?:办结|回复|答复|反馈)(?:数|量|件数|数量|率)?(?:\(件\)|（件）|\(%\)|（%）)?$/.test(t));
    if (rec < 0 || ans < 0 || rec === ans) continue;
    if (generic(texts[rec]) && !letterPage) continue;
    let next = tr.next;
    while (next && (next as Element).name !== 'tr') next = next.next;
    const vcells = next ? (next as Element).children.filter((c): c is Element => (c as Element).name === 'td' || (c as Element).name === 'th') : [];
    const num = (i: number) => {
      const v = vcells[i] ? /\d{1,7}/.exec(toHalfWidth(cellText(vcells[i]))) : null;
      return v ? Number(v[0]) : undefined;
    };
    const received = num(rec);
    const answered = num(ans);
    if (received === undefined && answered === undefined) continue;
    return { url: pageUrl, received, answered, kind: 'table', snippet: `${texts.join(' | ')} / ${vcells.map((c) => cellText(c)).join(' | ')}`.slice(0, 200) };
  }
  // Text: both counts within a short span.
  const text = toHalfWidth(cellText(bodyOrRoot($)[0] ?? $.root()[0], (el) => footers.has(el))).slice(0, 1_000_000);
  const re = new RegExp(RECEIVED_RE.source, 'g');
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(text)) && guard++ < 200) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 120);
    const a = ANSWERED_RE.exec(after);
    if (!a || !a[1]) continue;
    if (generic(m[0].replace(/^(?:共|累计|本月|今年|全年|本年度|当月|本周|今日)/, '')) && !letterPage) continue;
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const period = PERIOD_RE.exec(before + m[0])?.[1];
    const snippet = text.slice(Math.max(0, m.index - 20), m.index + m[0].length + (a.index ?? 0) + a[0].length).trim();
    return { url: pageUrl, received: Number(m[1]), answered: Number(a[1]), period, kind: 'text', snippet: snippet.slice(0, 200) };
  }
  return undefined;
}
