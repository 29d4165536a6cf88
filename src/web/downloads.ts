/**
 * File names of the dashboard's downloads: named by unit and date (青山市人民政府-2021-06-15-检查报告.xlsx), sent as
 * an RFC 6266 Content-Disposition with an RFC 5987 `filename*` (UTF-8) and a plain ASCII `filename` for old clients.
 */

/** A piece of a file name: no path separators, reserved or control characters; trimmed and bounded. */
export function fileNamePart(s: string, max = 60): string {
  const t = s
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*\u2028\u2029]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return [...t].slice(0, max).join('') || '网站';
}

/** RFC 5987 ext-value encoding (attr-char kept, everything else percent-encoded as UTF-8). */
export function rfc5987(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `attachment; filename="ascii"; filename*=UTF-8''…`. */
export function contentDisposition(fileName: string, asciiFallback: string): string {
  const ascii = asciiFallback.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(fileName)}`;
}

/** The unit's name for file names: the report's site name, else the host. */
export function unitName(site: { name?: string | null; url?: string | null }): string {
  if (site.name && site.name.trim()) return fileNamePart(site.name);
  try {
    return fileNamePart(new URL(site.url ?? '').hostname);
  } catch {
    return '网站';
  }
}

/** 青山市人民政府-2021-06-15-检查报告.xlsx (and its ASCII fallback govsite-run-12-2021-06-15.xlsx). */
export function reportFileName(o: { site: { name?: string | null; url?: string | null }; asOf: string; runId: number; ext: 'html' | 'xlsx' | 'json' }): { name: string; ascii: string } {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(o.asOf) ? o.asOf : 'undated';
  return { name: `${unitName(o.site)}-${day}-检查报告.${o.ext}`, ascii: `govsite-run-${o.runId}-${day}.${o.ext}` };
}
