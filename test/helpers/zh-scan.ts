/**
 * Scanners for text people read (reports, dashboard pages, CLI output): English sentences, bare rule ids and doubled
 * punctuation. Used by the report and dashboard language tests.
 */

/** Rule and veto ids of the rubrics (service.guides.2, veto.website-health.1, bonus.data-release.1). */
export const RULE_ID = /\b(?:veto|release|interpretation|service|interaction|function|supervision|bonus)\.[a-z-]+(?:\.\w+)*\b/g;

/** Visible text of an HTML page, with small-print id spans (`<span class="rule-id">…</span>`) removed. */
export function htmlText(html: string, opts: { keepIdSpans?: boolean } = {}): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<head\b[^>]*>[\s\S]*?<\/head>/i, (h) => (h.match(/<title>[\s\S]*?<\/title>/i)?.[0] ?? ' '));
  if (!opts.keepIdSpans) s = s.replace(/<(span|small|code)\b[^>]*class="[^"]*\brule-id\b[^"]*"[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  // title / placeholder / aria-label attributes are read by people too
  const attrs: string[] = [];
  s.replace(/\s(?:title|placeholder|aria-label|alt)="([^"]*)"/g, (_m, v: string) => {
    attrs.push(v);
    return '';
  });
  s = s.replace(/<[^>]+>/g, '\n');
  return decode([s, ...attrs].join('\n'));
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

/** Removes what may legitimately be ASCII: URLs, codes in parentheses, `编号 id` small print, file paths, options. */
function stripAllowed(text: string): string {
  return text
    .replace(/\bhttps?:\/\/[^\s<>"'）)，。；、]+/g, ' ')
    .replace(/[（(][^（）()\u3400-\u9fff]*[)）]/g, ' ')
    .replace(/编号[：:]?\s*[a-z][\w.-]*/g, ' ')
    .replace(/(?:^|\s)(?:--?[a-z][\w-]*|(?:\.{0,2}\/)?[\w.-]+\/[\w./-]+)/g, ' ');
}

/**
 * ASCII-only English sentences: runs of text without CJK holding ≥ 3 English words (outside URLs, codes in
 * parentheses, command-line options and paths).
 */
export function englishSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    for (const run of stripAllowed(line).split(/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+/)) {
      const words = run
        .split(/\s+/)
        .map((w) => w.replace(/^[,.;:!?"'“”‘’]+|[,.;:!?"'“”‘’]+$/g, ''))
        .filter((w) => /^[A-Za-z][A-Za-z'’-]*[A-Za-z]$/.test(w));
      if (words.length >= 3) out.push(run.trim());
    }
  }
  return out;
}

/** Rule ids standing in the text (callers remove small-print id spans first). */
export function bareRuleIds(text: string): string[] {
  return [...stripIdNotes(text).matchAll(RULE_ID)].map((m) => m[0]);
}

function stripIdNotes(text: string): string {
  return text.replace(/编号[：:]?\s*[a-z][\w.-]*/g, ' ');
}

/** Doubled punctuation such as "。：", "）。：", "，，", "：：", "。。". */
export function doubledPunctuation(text: string): string[] {
  return [...text.matchAll(/[。，；：、！？][。，；：、！？]+|[，；：、][)）]|[（(][，；：。、]/g)].map((m) => text.slice(Math.max(0, m.index! - 12), m.index! + 6));
}
