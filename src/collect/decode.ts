/**
 * Response body → text, for pages whose charset declarations cannot be trusted.
 *
 * Chinese government sites routinely declare one charset and send another (GBK bytes behind
 * `charset=utf-8`, UTF-8 bytes behind `<meta charset="gb2312">`, UTF-16 files declaring gb2312,
 * a Tomcat default `ISO-8859-1` header in front of GBK pages …). The decoder therefore treats every
 * declaration as a candidate that must agree with the bytes:
 *
 *   1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE) always wins;
 *   2. bytes that are visibly UTF-16 (NULs at alternate positions) are UTF-16, whatever is declared;
 *   3. otherwise the HTTP header charset, then the `<meta>` (or `<?xml encoding>`) charset of the first
 *      4 KB, are tried in that order and the first one the bytes do not contradict is used;
 *   4. when none fits (or nothing is declared) the bytes are sniffed: valid UTF-8 → utf-8, else gb18030.
 *
 * gb2312 and gbk are decoded as gb18030 (their superset). Statistics are computed on a bounded sample,
 * so a 10 MB body costs one linear decode. Nothing here throws.
 */

export interface Decoded {
  text: string;
  charset: string;
  source: 'bom' | 'header' | 'meta' | 'sniff' | 'default';
}

type Source = Decoded['source'];

interface Candidate {
  charset: string;
  source: 'header' | 'meta';
}

/** How many leading bytes are scanned for `<meta charset>` and for the UTF-16 pattern. */
const PRESCAN_BYTES = 4096;
/** Bodies up to this size are validated completely; larger ones are sampled in windows. */
const FULL_SCAN_LIMIT = 1024 * 1024;
const HEAD_WINDOW = 512 * 1024;
const MID_WINDOW = 128 * 1024;
const TAIL_WINDOW = 128 * 1024;

/** Frequent non-WHATWG spellings seen in the wild, mapped to a label TextDecoder knows. */
const LABEL_ALIASES: Record<string, string> = {
  utf_8: 'utf-8',
  'utf-8n': 'utf-8',
  'gb-2312': 'gb2312',
  'gb2312-80': 'gb2312',
  'gb-18030': 'gb18030',
  gb_18030: 'gb18030',
  'x-gb18030': 'gb18030',
  cp936: 'gbk',
  ms936: 'gbk',
  'windows-936': 'gbk',
  'zh-cn': 'gbk',
  'zh_cn': 'gbk',
  cp950: 'big5',
  ms950: 'big5',
  'windows-950': 'big5',
  'big-5': 'big5',
  'zh-tw': 'big5',
  'zh_tw': 'big5',
  'utf-16-le': 'utf-16le',
  'utf-16-be': 'utf-16be',
  unicode: 'utf-16le',
};

const SINGLE_BYTE = /^(?:windows-125\d|iso-8859-\d+|koi8-[ru]|ibm866|macintosh|x-mac-cyrillic|windows-874)$/;

const normalisedCache = new Map<string, string | undefined>();

/**
 * Normalises a charset label to the lower-case canonical name used for decoding
 * ('utf-8', 'gb18030', 'utf-16le', 'big5', 'windows-1252', 'shift_jis' …), or undefined when the
 * label is empty, unknown, or names an encoding we cannot decode. gb2312/gbk become 'gb18030'.
 */
export function normalizeCharset(label?: string | null): string | undefined {
  if (typeof label !== 'string') return undefined;
  let l = label.trim().replace(/^["']+|["';,]+$/g, '').trim().toLowerCase();
  if (!l || l.length > 40) return undefined;
  if (normalisedCache.has(l)) return normalisedCache.get(l);
  const key = l;
  l = LABEL_ALIASES[l] ?? l;
  let result: string | undefined;
  try {
    const enc = new TextDecoder(l).encoding.toLowerCase();
    result = enc === 'gbk' ? 'gb18030' : enc;
  } catch {
    result = undefined;
  }
  if (normalisedCache.size < 256) normalisedCache.set(key, result);
  return result;
}

/**
 * The charset declared by a Content-Type header value, normalised (see normalizeCharset):
 * `text/html; charset=GB2312` → 'gb18030'. Undefined when absent or not a known encoding.
 */
export function charsetFromContentType(ct?: string | null): string | undefined {
  if (typeof ct !== 'string' || !ct) return undefined;
  const m = /(?:^|[;\s])charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^;,\s"']+))/i.exec(ct);
  if (!m) return undefined;
  return normalizeCharset(m[1] ?? m[2] ?? m[3]);
}

/** Decodes an HTTP body to text. Never throws. */
export function decodeBody(bytes: Uint8Array, contentType?: string | null): Decoded {
  try {
    return decodeInner(toBytes(bytes), contentType);
  } catch {
    // Defensive: none of the steps above should throw, but a crawler must never die on a body.
    try {
      const b = toBytes(bytes);
      return { text: stripBom(new TextDecoder('utf-8').decode(b)), charset: 'utf-8', source: 'default' };
    } catch {
      return { text: '', charset: 'utf-8', source: 'default' };
    }
  }
}

function toBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return new Uint8Array(0);
}

function decodeInner(bytes: Uint8Array, contentType?: string | null): Decoded {
  const n = bytes.length;
  if (n === 0) return { text: '', charset: 'utf-8', source: 'default' };

  // 1. Byte-order mark.
  if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: decodeAs('utf-8', bytes.subarray(3)), charset: 'utf-8', source: 'bom' };
  }
  if (n >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: decodeAs('utf-16le', bytes.subarray(2)), charset: 'utf-16le', source: 'bom' };
  }
  if (n >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: decodeAs('utf-16be', bytes.subarray(2)), charset: 'utf-16be', source: 'bom' };
  }

  const header = charsetFromContentType(contentType);

  // 2. UTF-16 without BOM: the bytes speak louder than any declaration.
  const utf16 = sniffUtf16(bytes);
  if (utf16) {
    const meta = findMetaCharset(decodeAs(utf16, bytes.subarray(0, Math.min(n, PRESCAN_BYTES * 2))));
    let source: Source = 'sniff';
    if (header && header.startsWith('utf-16')) source = 'header';
    else if (meta && meta.startsWith('utf-16')) source = 'meta';
    return { text: decodeAs(utf16, bytes), charset: utf16, source };
  }

  // 3. Declared candidates, validated against the bytes.
  const candidates: Candidate[] = [];
  if (header) candidates.push({ charset: header, source: 'header' });
  const meta = findMetaCharset(latin1(bytes.subarray(0, Math.min(n, PRESCAN_BYTES))));
  if (meta) candidates.push({ charset: meta, source: 'meta' });

  const stats = new LazyStats(bytes);
  for (const c of candidates) {
    if (fits(c.charset, stats)) return { text: decodeAs(c.charset, bytes), charset: c.charset, source: c.source };
  }

  // 4. Sniff.
  const u = stats.utf8();
  if (u.invalid === 0 || strongUtf8(u, stats)) {
    const source: Source = u.multibyte > 0 || candidates.length > 0 ? 'sniff' : 'default';
    return { text: decodeAs('utf-8', bytes), charset: 'utf-8', source };
  }
  const g = stats.gbk();
  const source: Source = g.valid > 0 && g.invalid <= u.invalid ? 'sniff' : 'default';
  return { text: decodeAs('gb18030', bytes), charset: 'gb18030', source };
}

/** Whether the bytes are compatible with a declared charset (see module comment). */
function fits(charset: string, stats: LazyStats): boolean {
  if (charset === 'utf-16le' || charset === 'utf-16be') return false; // the UTF-16 pattern was not seen
  if (!stats.hasHighBytes()) return true; // pure ASCII decodes the same under any ASCII-compatible charset
  const u = stats.utf8();
  if (charset === 'utf-8') {
    if (u.invalid === 0) return true;
    const g = stats.gbk();
    // Declared UTF-8 but GBK explains the bytes clearly better: the declaration is wrong.
    return !(g.valid > 0 && g.invalid * 2 < u.invalid);
  }
  if (SINGLE_BYTE.test(charset)) {
    // A server default such as ISO-8859-1 in front of UTF-8 or GBK content is far more common on
    // Chinese sites than genuine Latin-1 text with accents.
    if ((u.invalid === 0 && u.multibyte > 0) || strongUtf8(u, stats)) return false;
    return !gbkPlausible(stats.gbk());
  }
  // gb18030 (gb2312/gbk), big5, shift_jis, euc-kr …: reject only on a strong UTF-8 signal.
  return !strongUtf8(u, stats);
}

/**
 * Whether the bytes are clearly UTF-8: valid multi-byte UTF-8 with CJK is a strong signal (GBK text is
 * rarely valid UTF-8). A few broken sequences among many CJK characters (CMS summaries cut in the middle
 * of a character) do not spoil it, as long as GBK explains the bytes worse.
 */
function strongUtf8(u: Utf8Stats, stats: LazyStats): boolean {
  if (u.multibyte === 0) return false;
  if (u.invalid > 0) return u.cjk >= 20 && u.invalid * 50 <= u.cjk && stats.gbk().invalid > u.invalid;
  if (u.cjk >= 2) return true;
  if (u.cjk === 1 && u.multibyte === 1) return true;
  // Valid UTF-8 that does not even parse as GBK.
  return stats.gbk().invalid > 0;
}

function gbkPlausible(g: DbcsStats): boolean {
  return g.valid >= 2 && g.invalid * 20 <= g.valid;
}

// ---------------------------------------------------------------------------------------------
// UTF-16 pattern

/** 'utf-16le' / 'utf-16be' when the leading bytes show ASCII text in UTF-16 form, else undefined. */
function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const len = Math.min(bytes.length, PRESCAN_BYTES) & ~1;
  if (len < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < len; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = len / 2;
  // ASCII markup in UTF-16LE puts a NUL in every odd byte; CJK text has none, so a fifth is plenty.
  if (oddZeros >= pairs * 0.2 && evenZeros * 8 <= oddZeros) return 'utf-16le';
  if (evenZeros >= pairs * 0.2 && oddZeros * 8 <= evenZeros) return 'utf-16be';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// <meta> prescan

/** The first recognised charset of a `<meta>` tag (or an XML declaration) in the given head text. */
function findMetaCharset(head: string): string | undefined {
  const s = head.replace(/<!--[\s\S]*?-->/g, ' ');
  const metaRe = /<meta\b[^>]*>/gi;
  let m: RegExpExecArray | null;
  while ((m = metaRe.exec(s))) {
    const tag = m[0];
    const cs = /charset\s*=\s*["']?\s*([A-Za-z0-9_\-.:()]+)/i.exec(tag);
    if (!cs) continue;
    const norm = normalizeCharset(cs[1]);
    if (norm) return norm;
  }
  const xml = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']+)["']/i.exec(s);
  if (xml) return normalizeCharset(xml[1]);
  return undefined;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Byte statistics on a bounded sample

interface Utf8Stats {
  /** Invalid or broken sequences (a sequence cut by the end of the body does not count). */
  invalid: number;
  /** Valid multi-byte sequences. */
  multibyte: number;
  /** Valid sequences decoding to CJK ideographs / punctuation / full-width forms. */
  cjk: number;
}

interface DbcsStats {
  /** Valid double-byte (and GB18030 four-byte) characters. */
  valid: number;
  invalid: number;
}

interface SampleWindow {
  start: number;
  end: number;
}

class LazyStats {
  private readonly windows: SampleWindow[];
  private u?: Utf8Stats;
  private g?: DbcsStats;
  private high?: boolean;

  constructor(private readonly bytes: Uint8Array) {
    this.windows = sampleWindows(bytes);
  }

  hasHighBytes(): boolean {
    if (this.high === undefined) {
      this.high = false;
      outer: for (const w of this.windows) {
        for (let i = w.start; i < w.end; i++) {
          if (this.bytes[i] >= 0x80) {
            this.high = true;
            break outer;
          }
        }
      }
    }
    return this.high;
  }

  utf8(): Utf8Stats {
    if (!this.u) {
      const acc: Utf8Stats = { invalid: 0, multibyte: 0, cjk: 0 };
      for (const w of this.windows) scanUtf8(this.bytes, w, acc);
      this.u = acc;
    }
    return this.u;
  }

  gbk(): DbcsStats {
    if (!this.g) {
      const acc: DbcsStats = { valid: 0, invalid: 0 };
      for (const w of this.windows) scanGb18030(this.bytes, w, acc);
      this.g = acc;
    }
    return this.g;
  }
}

/** The whole body when small; else head, middle and tail windows re-synchronised on plain ASCII. */
function sampleWindows(bytes: Uint8Array): SampleWindow[] {
  const n = bytes.length;
  if (n <= FULL_SCAN_LIMIT) return [{ start: 0, end: n }];
  const mid = Math.floor(n / 2) - MID_WINDOW / 2;
  return [
    { start: 0, end: HEAD_WINDOW },
    { start: resync(bytes, mid, mid + MID_WINDOW), end: mid + MID_WINDOW },
    { start: resync(bytes, n - TAIL_WINDOW, n), end: n },
  ];
}

/**
 * First index at or after `from` holding a byte below 0x30: it can be neither a UTF-8 continuation
 * byte nor any byte of a GBK / GB18030 multi-byte character after the first, so decoding can start
 * right after it.
 */
function resync(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] < 0x30) return i;
  return to;
}

function scanUtf8(b: Uint8Array, w: SampleWindow, acc: Utf8Stats): void {
  const end = w.end;
  let i = w.start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else {
      acc.invalid++;
      i++;
      continue;
    }
    let j = i + 1;
    let ok = true;
    let cut = false;
    for (let k = 0; k < need; k++, j++) {
      if (j >= end) {
        cut = true;
        break;
      }
      const d = b[j];
      if (d < lo || d > hi) {
        ok = false;
        break;
      }
      lo = 0x80;
      hi = 0xbf;
      cp = (cp << 6) | (d & 0x3f);
    }
    // A sequence cut by the end of the body (or of a sample window) is truncation, not evidence.
    if (cut) break;
    if (!ok) {
      acc.invalid++;
      i = j; // WHATWG: the offending byte is reprocessed
      continue;
    }
    acc.multibyte++;
    if (
      (cp >= 0x3000 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xff00 && cp <= 0xffef) ||
      (cp >= 0x20000 && cp <= 0x3ffff)
    ) {
      acc.cjk++;
    }
    i = j;
  }
}

function scanGb18030(b: Uint8Array, w: SampleWindow, acc: DbcsStats): void {
  const end = w.end;
  let i = w.start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c === 0x80 || c === 0xff) {
      acc.invalid++;
      i++;
      continue;
    }
    if (i + 1 >= end) break; // cut lead byte at the end: truncation
    const d = b[i + 1];
    if ((d >= 0x40 && d <= 0x7e) || (d >= 0x80 && d <= 0xfe)) {
      acc.valid++;
      i += 2;
      continue;
    }
    if (d >= 0x30 && d <= 0x39) {
      if (i + 3 >= end) break; // cut four-byte sequence
      const e = b[i + 2];
      const f = b[i + 3];
      if (e >= 0x81 && e <= 0xfe && f >= 0x30 && f <= 0x39) {
        acc.valid++;
        i += 4;
        continue;
      }
    }
    acc.invalid++;
    i++; // the second byte (often ASCII) is reprocessed
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

function decodeAs(charset: string, bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder(charset, { ignoreBOM: true }).decode(bytes);
  } catch {
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  }
  return stripBom(text);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
