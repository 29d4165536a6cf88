/**
 * Reading a registry spreadsheet (XLSX or CSV) with the national 政务新媒体 report's Chinese headers into account and
 * website records. Pure apart from parsing the bytes it is given: no clock, no files.
 *
 * - The header row is found by its labels (title rows above it, notes below the table and extra sheets without such a
 *   header are skipped); labels may carry full-width spaces, `*` marks or notes in brackets (平台（微信/微博…）).
 * - Merged cells (单位名称 spanning its accounts' rows) read as their top-left value on every row they cover.
 * - Blank rows are skipped; every other row is either imported or reported with its sheet, row number and reason.
 * - 最近更新 may be a date cell, an Excel serial number or text (2021-06-10, 2021/6/10, 2021年6月10日, 20210610).
 * - Websites: a sheet whose header has 网站名称 / 网站地址, or an account row whose 平台 is 网站 / 政府网站 (its 主页地址 is
 *   the site's address). Closed ones (已关停 / 已报关停) are what the consolidation check probes.
 */
import ExcelJS from 'exceljs';
import { decodeCsv, parseCsv } from './csv.ts';
import { cleanText, foldWidth, nameKey, normalizePlatform, normalizeStatus, normalizeUnitName, normalizeUrl, parseRegistryDate, siteUrlKey } from './normalize.ts';
import { ACCOUNT_STATUSES, type AccountRecord, type WebsiteRecord } from './types.ts';

export type Field = 'unit' | 'name' | 'platform' | 'accountId' | 'subject' | 'status' | 'homepage' | 'feed' | 'updated' | 'siteName' | 'siteUrl' | 'movedTo';

/** Header label (normalised) → field. Order matters only for readability. */
const HEADER_ALIASES: Record<string, Field> = {};
const alias = (f: Field, ...labels: string[]) => {
  for (const l of labels) HEADER_ALIASES[headerKey(l)] = f;
};
alias('unit', '单位名称', '单位', '主办单位', '开办单位', '主管单位', '运营单位', '所属单位', '开设单位', '主办单位名称');
alias('name', '账号名称', '帐号名称', '新媒体名称', '政务新媒体名称', '账号', '帐号', '名称', '账号昵称');
alias('platform', '平台', '平台类型', '所属平台', '平台名称', '账号类型', '新媒体类型', '类型', '类别');
alias('accountId', '账号ID', '帐号ID', '账号id', 'ID', '微信号', '账号标识', '原始ID', '账号编号', 'UID');
alias('subject', '认证主体', '认证主体名称', '认证单位', '注册主体', '认证信息', '账号主体');
alias('status', '运营状态', '状态', '账号状态', '运行状态', '网站状态');
alias('homepage', '主页地址', '主页', '账号主页', '主页链接', '链接地址', '访问地址', '链接', '账号链接', '账号地址');
alias('feed', '订阅地址', 'RSS', 'RSS地址', '订阅源', 'Feed', 'Feed地址', '订阅链接');
alias('updated', '最近更新', '最近更新时间', '最近更新日期', '最新更新', '最后更新', '最后更新时间', '最新发布时间', '最近发布时间', '最后发布时间');
alias('siteName', '网站名称');
alias('siteUrl', '网站地址', '网站网址', '网站域名', '首页地址', '网址', '域名', '网站首页地址');
alias('movedTo', '迁移至', '迁移地址', '整合至', '上级网站', '迁移网站', '内容迁移至');

/** A header label for matching: no spaces, `*`, colons or notes in brackets; half-width; lower-case. */
export function headerKey(label: unknown): string {
  return foldWidth(cleanText(label))
    .replace(/[(（【\[][^)）】\]]*[)）】\]]/g, '')
    .replace(/[\s*＊:：]/g, '')
    .toLowerCase();
}

export interface RowIssue {
  sheet: string;
  /** 1-based row number as the spreadsheet shows it (CSV: the line the record starts on). */
  row: number;
  /** Chinese, for people. */
  reason: string;
}

export interface ImportedAccount extends AccountRecord {
  sheet: string;
  row: number;
}
export interface ImportedWebsite extends WebsiteRecord {
  sheet: string;
  row: number;
}

export interface SheetSummary {
  name: string;
  kind: 'accounts' | 'websites' | 'skipped';
  /** Data rows read (blank rows excluded). */
  rows: number;
  /** Why a sheet was skipped. */
  note?: string;
}

export interface ParsedRegistry {
  accounts: ImportedAccount[];
  websites: ImportedWebsite[];
  /** Rows not imported. */
  errors: RowIssue[];
  /** Rows imported with an assumption (blank 运营状态 read as 正常, a repeated row …). */
  warnings: RowIssue[];
  sheets: SheetSummary[];
}

/** Thrown when the file as a whole cannot be read (not a spreadsheet, no recognisable header). */
export class RegistryFormatError extends Error {}

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_ROWS = 100_000;
const HEADER_SCAN_ROWS = 30;

type Cell = unknown;

/** A row of cells (0-based columns) and its 1-based number. */
interface RawRow {
  row: number;
  cells: Cell[];
}

/** The plain value of an exceljs cell value: rich text joined, hyperlink text (the link kept aside), formula result. */
function plainValue(v: unknown): { value: Cell; link?: string } {
  if (v === null || v === undefined) return { value: null };
  if (typeof v !== 'object' || v instanceof Date) return { value: v };
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return { value: (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('') };
  if (typeof o.hyperlink === 'string') {
    const inner = plainValue(o.text);
    return { value: inner.value, link: o.hyperlink };
  }
  if ('result' in o) return plainValue(o.result);
  if ('formula' in o || 'sharedFormula' in o) return { value: null };
  if ('error' in o) return { value: null };
  if (typeof o.text === 'string') return { value: o.text };
  return { value: null };
}

interface Sheet {
  name: string;
  rows: RawRow[];
  /** Hyperlink targets by "row:col" (a cell showing 点击访问 but linking to the account page). */
  links: Map<string, string>;
}

async function readXlsx(buf: Uint8Array): Promise<Sheet[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(buf) as unknown as ArrayBuffer);
  } catch (e) {
    throw new RegistryFormatError(`无法读取 XLSX 文件：${(e as Error).message}`);
  }
  const out: Sheet[] = [];
  for (const ws of wb.worksheets) {
    const rows: RawRow[] = [];
    const links = new Map<string, string>();
    const last = Math.min(ws.rowCount, MAX_ROWS + HEADER_SCAN_ROWS);
    for (let r = 1; r <= last; r++) {
      const row = ws.getRow(r);
      const cells: Cell[] = [];
      const width = Math.min(row.cellCount, 200);
      for (let c = 1; c <= width; c++) {
        // A merged cell reads as its master's value (exceljs resolves it), so 单位名称 spanning rows repeats; a merge
        // across columns (a title or note row) keeps its value in the first cell only.
        const cell = row.getCell(c);
        if (cell.isMerged && cell.master !== cell && Number(cell.master.row) === r) {
          cells.push(null);
          continue;
        }
        const { value, link } = plainValue(cell.value);
        cells.push(value);
        if (link) links.set(`${r}:${c - 1}`, link);
      }
      rows.push({ row: r, cells });
    }
    out.push({ name: ws.name, rows, links });
  }
  return out;
}

function readCsv(buf: Uint8Array, name: string): Sheet[] {
  const { text } = decodeCsv(buf);
  const records = parseCsv(text, MAX_ROWS + HEADER_SCAN_ROWS);
  return [{ name, rows: records.map((r) => ({ row: r.line, cells: r.cells })), links: new Map() }];
}

function isBlank(cells: Cell[]): boolean {
  return cells.every((c) => cleanText(c instanceof Date ? 'x' : c) === '');
}

/** Columns of a header row (field → column index), or null when the row is not a registry header. */
function headerColumns(cells: Cell[]): Map<Field, number> | null {
  const cols = new Map<Field, number>();
  cells.forEach((c, i) => {
    if (typeof c !== 'string') return;
    const f = HEADER_ALIASES[headerKey(c)];
    if (f && !cols.has(f)) cols.set(f, i);
  });
  if (!cols.has('unit')) return null;
  if ((cols.has('name') && cols.has('platform')) || cols.has('siteName') || cols.has('siteUrl')) return cols;
  return null;
}

/** A note line under the table (填表说明 / 注： / 备注) or a title row: one filled cell starting so. */
function isNoteRow(cells: Cell[]): boolean {
  const filled = cells.map((c) => cleanText(c instanceof Date ? '' : c)).filter(Boolean);
  return filled.length === 1 && /^(注|备注|说明|填表说明|填报说明|附[:：]|合计|总计)/.test(filled[0]);
}

const STATUS_HINT = ACCOUNT_STATUSES.join('/');

/** Parses a registry spreadsheet. `fileName` decides the format (.csv / .txt → CSV; else XLSX by its bytes). */
export async function parseRegistry(buf: Uint8Array, fileName: string): Promise<ParsedRegistry> {
  if (buf.length > MAX_FILE_BYTES) throw new RegistryFormatError(`文件过大（${Math.round(buf.length / 1048576)} MB，上限 ${MAX_FILE_BYTES / 1048576} MB）`);
  const isZip = buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
  const isOle = buf.length >= 4 && buf[0] === 0xd0 && buf[1] === 0xcf && buf[2] === 0x11 && buf[3] === 0xe0;
  if (isOle) throw new RegistryFormatError('不支持 Excel 97-2003（.xls）格式：请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再导入');
  const csv = /\.(csv|txt|tsv)$/i.test(fileName) && !isZip;
  if (!csv && !isZip) throw new RegistryFormatError('文件不是 XLSX 工作簿，也不是 .csv 文件');
  const sheets = csv ? readCsv(buf, fileName.replace(/^.*[\\/]/, '')) : await readXlsx(buf);
  return parseSheets(sheets);
}

function parseSheets(sheets: Sheet[]): ParsedRegistry {
  const result: ParsedRegistry = { accounts: [], websites: [], errors: [], warnings: [], sheets: [] };
  const seenAccounts = new Map<string, { sheet: string; row: number; index: number }>();
  const seenSites = new Map<string, { sheet: string; row: number; index: number }>();
  for (const sheet of sheets) {
    let header: Map<Field, number> | null = null;
    let headerRow = -1;
    for (const r of sheet.rows.slice(0, HEADER_SCAN_ROWS)) {
      header = headerColumns(r.cells);
      if (header) {
        headerRow = r.row;
        break;
      }
    }
    if (!header) {
      const filled = sheet.rows.some((r) => !isBlank(r.cells));
      result.sheets.push({ name: sheet.name, kind: 'skipped', rows: 0, note: filled ? '未找到表头（需要“单位名称”以及“账号名称”“平台”或“网站名称/网站地址”列）' : '空工作表' });
      continue;
    }
    const websiteSheet = !header.has('name') || !header.has('platform');
    // An account sheet whose address column is labelled 网址 / 首页地址: that column is the accounts' 主页地址.
    if (!websiteSheet && !header.has('homepage') && header.has('siteUrl')) header.set('homepage', header.get('siteUrl')!);
    const summary: SheetSummary = { name: sheet.name, kind: websiteSheet ? 'websites' : 'accounts', rows: 0, ...(header.has('status') ? {} : { note: '没有“运营状态”列，均按“正常”导入' }) };
    result.sheets.push(summary);
    const get = (cells: Cell[], f: Field): Cell => (header!.has(f) ? cells[header!.get(f)!] : null);
    const link = (row: number, f: Field): string | undefined => (header!.has(f) ? sheet.links.get(`${row}:${header!.get(f)!}`) : undefined);
    for (const r of sheet.rows) {
      if (r.row <= headerRow) continue;
      if (isBlank(r.cells) || isNoteRow(r.cells)) continue;
      if (headerColumns(r.cells)) continue; // the header repeated (a printed table's page break)
      const filled = r.cells.filter((c) => cleanText(c instanceof Date ? 'x' : c) !== '');
      if (filled.length === 1 && typeof filled[0] === 'string' && filled[0].length > 1) {
        result.warnings.push({ sheet: sheet.name, row: r.row, reason: `只有一个单元格有内容（「${cleanText(filled[0]).slice(0, 20)}」，标题或说明行），已跳过` });
        continue;
      }
      if (summary.rows >= MAX_ROWS) {
        result.errors.push({ sheet: sheet.name, row: r.row, reason: `行数超过上限 ${MAX_ROWS}，其后的行未导入` });
        break;
      }
      summary.rows++;
      const issue = (reason: string) => result.errors.push({ sheet: sheet.name, row: r.row, reason });
      const warn = (reason: string) => result.warnings.push({ sheet: sheet.name, row: r.row, reason });

      const unit = normalizeUnitName(get(r.cells, 'unit'));
      const platformCell = get(r.cells, 'platform');
      const isWebsiteRow = websiteSheet || /^(网站|政府网站|门户网站|部门网站)$/.test(cleanText(platformCell).replace(/\s+/g, ''));
      const statusRaw = get(r.cells, 'status');
      const status = normalizeStatus(statusRaw);
      const problems: string[] = [];
      if (!unit) problems.push('缺少单位名称');
      if (cleanText(statusRaw) && !status) problems.push(`运营状态「${cleanText(statusRaw).slice(0, 20)}」无法识别（应为 ${STATUS_HINT}）`);

      if (isWebsiteRow) {
        const urlCell = websiteSheet ? get(r.cells, 'siteUrl') : get(r.cells, 'homepage') ?? get(r.cells, 'siteUrl');
        const url = normalizeUrl(urlCell) ?? (link(r.row, websiteSheet ? 'siteUrl' : 'homepage') ? normalizeUrl(link(r.row, websiteSheet ? 'siteUrl' : 'homepage')) : undefined);
        if (url === undefined) problems.push('缺少网站地址');
        else if (url === null) problems.push(`网站地址「${cleanText(urlCell).slice(0, 60)}」不是有效网址`);
        const movedRaw = get(r.cells, 'movedTo');
        const movedTo = normalizeUrl(movedRaw);
        if (movedTo === null) problems.push(`迁移至「${cleanText(movedRaw).slice(0, 60)}」不是有效网址`);
        if (problems.length) {
          issue(problems.join('；'));
          continue;
        }
        if (!status && header.has('status')) warn('运营状态为空，按“正常”导入');
        const name = cleanText(websiteSheet ? get(r.cells, 'siteName') : (get(r.cells, 'name') ?? get(r.cells, 'siteName'))) || undefined;
        const rec: ImportedWebsite = { unit, url: url!, status: status ?? '正常', ...(name ? { name } : {}), ...(movedTo ? { movedTo } : {}), sheet: sheet.name, row: r.row };
        const key = siteUrlKey(rec.url);
        const prev = seenSites.get(key);
        if (prev) {
          warn(`与 ${prev.sheet} 第 ${prev.row} 行为同一网站，以本行为准`);
          result.websites[prev.index] = rec;
          seenSites.set(key, { sheet: sheet.name, row: r.row, index: prev.index });
        } else {
          seenSites.set(key, { sheet: sheet.name, row: r.row, index: result.websites.length });
          result.websites.push(rec);
        }
        continue;
      }

      const name = cleanText(get(r.cells, 'name'));
      const platform = normalizePlatform(platformCell);
      if (!name) problems.push('缺少账号名称');
      if (!platform) problems.push('缺少平台');
      const updatedRaw = get(r.cells, 'updated');
      const updated = parseRegistryDate(updatedRaw);
      if (updated === null) problems.push(`最近更新「${cleanText(updatedRaw instanceof Date ? '' : updatedRaw).slice(0, 30)}」不是日期`);
      const homepageRaw = get(r.cells, 'homepage');
      let homepage = normalizeUrl(homepageRaw);
      if (homepage === null && link(r.row, 'homepage')) homepage = normalizeUrl(link(r.row, 'homepage'));
      if (homepage === null) problems.push(`主页地址「${cleanText(homepageRaw).slice(0, 60)}」不是有效网址`);
      const feedRaw = get(r.cells, 'feed');
      let feed = normalizeUrl(feedRaw);
      if (feed === null && link(r.row, 'feed')) feed = normalizeUrl(link(r.row, 'feed'));
      if (feed === null) problems.push(`订阅地址「${cleanText(feedRaw).slice(0, 60)}」不是有效网址`);
      if (problems.length) {
        issue(problems.join('；'));
        continue;
      }
      if (!status && header.has('status')) warn('运营状态为空，按“正常”导入');
      const accountId = cleanText(get(r.cells, 'accountId')).replace(/\s+/g, '') || undefined;
      const subject = cleanText(get(r.cells, 'subject')) || undefined;
      const rec: ImportedAccount = {
        unit,
        name,
        platform: platform!.platform,
        platformLabel: platform!.label,
        status: status ?? '正常',
        ...(accountId ? { accountId } : {}),
        ...(subject ? { subject } : {}),
        ...(homepage ? { homepage } : {}),
        ...(feed ? { feed } : {}),
        ...(updated ? { registryUpdated: updated } : {}),
        sheet: sheet.name,
        row: r.row,
      };
      const key = accountFileKey(rec);
      const prev = seenAccounts.get(key);
      if (prev) {
        warn(`与 ${prev.sheet} 第 ${prev.row} 行为同一账号，以本行为准`);
        result.accounts[prev.index] = rec;
        seenAccounts.set(key, { sheet: sheet.name, row: r.row, index: prev.index });
      } else {
        seenAccounts.set(key, { sheet: sheet.name, row: r.row, index: result.accounts.length });
        result.accounts.push(rec);
      }
    }
  }
  if (!result.sheets.some((s) => s.kind !== 'skipped')) {
    throw new RegistryFormatError(
      '未找到政务新媒体名录表头：需要“单位名称”“账号名称”“平台”列（网站名录需要“单位名称”“网站名称”或“网站地址”列）',
    );
  }
  return result;
}

/** Identity of an account inside one file: unit + platform label + (账号ID, else 账号名称). */
function accountFileKey(a: AccountRecord): string {
  return [nameKey(a.unit), a.platformLabel, a.accountId ? `id:${a.accountId.toLowerCase()}` : `name:${nameKey(a.name)}`].join('\u0000');
}
