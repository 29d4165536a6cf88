import { toHalfWidth } from '../dates.ts';

/**
 * 文号 (document numbers such as 湘政办发〔2022〕12号) and 统一登记号 (HNPR—2022—01034): finding them in text and
 * normalising them so that the forms real pages use compare equal — brackets 〔〕 [] ［］ （） () 【】 〖〗 ﹝﹞, full-width
 * digits, spaces, leading zeros of the serial number.
 */

const OPEN = '〔\\[［(（【〖﹝';
const CLOSE = '〕\\]］)）】〗﹞';

/**
 * A 文号: an issuer code of 1–10 CJK characters, a bracketed four-digit year, a serial number and 号.
 * The issuer code is cut at words that end a phrase before it (了, 的, 据, 和 …) so that "根据湘政发〔2021〕5号"
 * yields 湘政发〔2021〕5号.
 */
const DOCNO_RE = new RegExp(
  `([\\u4e00-\\u9fa5]{1,10})\\s*[${OPEN}]\\s*((?:19|20)\\d{2})\\s*[${CLOSE}]\\s*(?:第\\s*)?0*(\\d{1,5})\\s*号`,
  'g',
);
/** 政府令: 青山市人民政府令第3号 / 省政府令第301号. */
const DECREE_RE = /([\u4e00-\u9fa5]{0,12}政府令)\s*第\s*0*(\d{1,5})\s*号/g;

/** Characters after which the issuer code starts (the last one wins). */
const PREFIX_BREAK = /.*[了的据和及与按照依以为是由在将对经即和、，,。；;：:“”"《》〈〉（）()\s]/;

/** Words that are never an issuer code on their own (the text around a bracketed year). */
const NOT_ISSUER = /^(?:年|号|第|于|在|自|从|至|截至|截止)$/;

export interface DocNo {
  /** Canonical form: issuer code + 〔year〕 + serial + 号, e.g. 湘政办发〔2022〕12号. */
  norm: string;
  /** As found in the text. */
  raw: string;
  issuerCode: string;
  year: number;
  serial: number;
}

function cutPrefix(prefix: string): string {
  let p = prefix.replace(PREFIX_BREAK, '');
  // "印发湘政发" / "转发国办发": a verb in front of the code; the code is what follows the last one.
  const parts = p.split(/印发|转发|下发|发布|出台|制定|根据|依据|按照|参照|落实|贯彻|文件|文号|字号/);
  const last = parts[parts.length - 1];
  return last.length >= 1 ? last : p;
}

/** Every 文号 in a text, in order (duplicates kept once, by canonical form). */
export function findDocNos(text: string): DocNo[] {
  const s = toHalfWidth(String(text ?? '')).slice(0, 200_000);
  const out: DocNo[] = [];
  const seen = new Set<string>();
  DOCNO_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DOCNO_RE.exec(s))) {
    const issuerCode = cutPrefix(m[1]);
    if (!issuerCode || NOT_ISSUER.test(issuerCode) || /年$/.test(issuerCode)) continue;
    const year = +m[2];
    const serial = +m[3];
    const norm = `${issuerCode}〔${year}〕${serial}号`;
    if (seen.has(norm)) continue;
    seen.add(norm);
    out.push({ norm, raw: m[0].trim(), issuerCode, year, serial });
  }
  DECREE_RE.lastIndex = 0;
  while ((m = DECREE_RE.exec(s))) {
    const issuerCode = cutPrefix(m[1]) || m[1];
    const norm = `${issuerCode}第${+m[2]}号`;
    if (seen.has(norm)) continue;
    seen.add(norm);
    out.push({ norm, raw: m[0].trim(), issuerCode, year: 0, serial: +m[2] });
  }
  return out;
}

/** The canonical form of one 文号 as written (a label value), or undefined when it is not one. */
export function normalizeDocNo(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const hits = findDocNos(s);
  return hits[0]?.norm;
}

/** 统一登记号: four capital letters, the year, a five-digit serial (HNPR—2022—01034, HHCR-2023-01005). */
const REGNO_RE = /(?<![A-Z])([A-Z]{4})\s*[-—–－‐―]{1,2}\s*((?:19|20)\d{2})\s*[-—–－‐―]{1,2}\s*(\d{4,6})(?!\d)/g;

/** Every 统一登记号 in a text, canonical form AAAA-YYYY-NNNNN. */
export function findRegNos(text: string): string[] {
  const s = toHalfWidth(String(text ?? '')).replace(/[Ａ-Ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).slice(0, 200_000);
  const out = new Set<string>();
  REGNO_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = REGNO_RE.exec(s))) out.add(`${m[1]}-${m[2]}-${m[3]}`);
  return [...out];
}
