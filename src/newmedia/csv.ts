/**
 * CSV as registry spreadsheets come: UTF-8 with or without BOM, UTF-16 from Excel's "Unicode text", or GB18030/GBK
 * from a Chinese Excel's "CSV (逗号分隔)"; comma, tab or semicolon separated; quoted fields with "" escapes and line
 * breaks. Pure; bounded by the caller's row limit.
 */
import iconv from 'iconv-lite';

/** Decodes CSV bytes: BOM first, then strict UTF-8, then GB18030 (a superset of GBK and GB2312). */
export function decodeCsv(buf: Uint8Array): { text: string; encoding: string } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(buf.subarray(3)), encoding: 'utf-8' };
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)), encoding: 'utf-16le' };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(Buffer.from(buf.subarray(2)), 'utf-16be'), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(buf), 'gb18030'), encoding: 'gb18030' };
  }
}

/** The separator of the first non-blank line: tab or semicolon when they occur there and commas do not. */
function sniffSeparator(text: string): string {
  const first = text.split(/\r\n|\n|\r/).find((l) => l.trim()) ?? '';
  const count = (c: string) => first.split(c).length - 1;
  if (count(',') === 0 && count('\t') > 0) return '\t';
  if (count(',') === 0 && count(';') > 0) return ';';
  return ',';
}

/** One parsed record and the line it starts on (1-based). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** RFC 4180 records (quotes optional); at most maxRecords are returned. */
export function parseCsv(text: string, maxRecords = 100_000): CsvRecord[] {
  const sep = sniffSeparator(text);
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let atFieldStart = true;
  const endRecord = () => {
    cells.push(cell);
    out.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    atFieldStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === sep) {
      cells.push(cell);
      cell = '';
      atFieldStart = true;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      if (out.length >= maxRecords) return out;
    } else {
      cell += c;
      atFieldStart = false;
    }
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return out;
}
