/**
 * Cleaning the values people type into registry spreadsheets: full-width spaces, platform and status spellings,
 * dates as Excel serials or text, URLs, and whether a 认证主体 is a person. Pure; bad input returns null, never throws.
 */
import { normalizeYmd, toHalfWidth } from '../analyze/dates.ts';
import type { AccountStatus, Platform } from './types.ts';

/** Zero-width characters and the BOM, which survive copy-paste from web pages and Word. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/** A cell's text: invisible characters removed, every run of white space (full-width, NBSP, newlines) one space, trimmed. */
export function cleanText(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return s.replace(INVISIBLE, '').replace(/[\s\u00a0\u3000]+/g, ' ').trim();
}

/** A name for matching (单位名称, 账号名称): cleaned, with every space removed and full-width ASCII folded. */
export function nameKey(v: unknown): string {
  return foldWidth(cleanText(v)).replace(/\s+/g, '').toLowerCase();
}

/** Full-width ASCII letters, digits and punctuation (Ａ１（）) → half-width. */
export function foldWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** A unit name as stored: cleaned, spaces removed (Chinese names carry no meaningful spaces). */
export function normalizeUnitName(v: unknown): string {
  return cleanText(v).replace(/\s+/g, '');
}

const PLATFORM_ALIASES: [RegExp, Platform][] = [
  [/^(微信|微信公众号|微信公众平台|公众号|微信服务号|微信订阅号|wechat|weixin)$/i, '微信'],
  [/^(微博|新浪微博|政务微博|weibo)$/i, '微博'],
  [/^(抖音|抖音号|douyin|tiktok)$/i, '抖音'],
  [/^(今日头条|头条|头条号|toutiao)$/i, '今日头条'],
  [/^(快手|快手号|kuaishou)$/i, '快手'],
  [/^(app|移动客户端|客户端|手机客户端|移动应用|应用程序)$/i, 'App'],
  [/^(其他|其它)$/, '其他'],
];

/**
 * 平台 as written → the canonical platform and the label kept for display and duplicate grouping.
 * Another non-empty name (百家号, 视频号, 哔哩哔哩 …) is 其他 with its own label; empty → null.
 */
export function normalizePlatform(v: unknown): { platform: Platform; label: string } | null {
  const raw = foldWidth(cleanText(v)).replace(/\s+/g, '');
  if (!raw) return null;
  for (const [re, p] of PLATFORM_ALIASES) if (re.test(raw)) return { platform: p, label: p };
  // 其他（百家号） / 其他-视频号: the label is the part in brackets.
  const other = /^(?:其他|其它)[(（:：\-—]?\s*([^)）]+)[)）]?$/.exec(raw);
  if (other && other[1]) return { platform: '其他', label: other[1] };
  return { platform: '其他', label: raw.slice(0, 40) };
}

/** 运营状态 as written → the canonical status; empty or unknown → null. */
export function normalizeStatus(v: unknown): AccountStatus | null {
  const raw = cleanText(v).replace(/\s+/g, '');
  if (!raw) return null;
  if (/^(正常|正常运营|运营|运营中|在用|在运营|正常运行|运行中|开通|启用)$/.test(raw)) return '正常';
  if (/^(已?注销)$/.test(raw)) return '已注销';
  if (/^(已?报关停|已?申请关停|拟关停|关停申请中|已报停)$/.test(raw)) return '已报关停';
  if (/^(已?关停|已?关闭|已停用|已下线)$/.test(raw)) return '已关停';
  return null;
}

/** Excel's day 0 is 1899-12-30 for serials after 60 (Lotus's phantom 1900-02-29). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
/** Serials accepted as dates: 1970-01-01 … 2100-12-31. */
const MIN_SERIAL = 25_569;
const MAX_SERIAL = 73_415;

/** An Excel serial day number → YYYY-MM-DD (the time part is dropped), or null outside 1970–2100. */
export function excelSerialToDay(n: number): string | null {
  if (!Number.isFinite(n) || n < MIN_SERIAL || n > MAX_SERIAL) return null;
  const d = new Date(EXCEL_EPOCH_MS + Math.floor(n) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/**
 * A date cell → YYYY-MM-DD. Accepts a Date (exceljs gives date-formatted cells as UTC wall-clock Dates), an Excel
 * serial number (or its text), and text: 2021-06-10, 2021/6/10, 2021.6.10, 2021年6月10日, 20210610, each optionally
 * followed by a time. Returns undefined for an empty cell and null for something that is not a date.
 */
export function parseRegistryDate(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) return null;
    const day = v.toISOString().slice(0, 10);
    return normalizeYmd(day.slice(0, 4), day.slice(5, 7), day.slice(8, 10));
  }
  if (typeof v === 'number') return excelSerialToDay(v);
  const s = toHalfWidth(cleanText(v));
  if (!s) return undefined;
  if (/^\d{5}(\.\d+)?$/.test(s)) return excelSerialToDay(Number(s));
  const compact = /^(\d{4})(\d{2})(\d{2})(?:\s.*)?$/.exec(s);
  if (compact) return normalizeYmd(compact[1], compact[2], compact[3]);
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[\sT]+\d{1,2}[:：时]\d{1,2}(?:[:：分]\d{1,2}(?:\.\d+)?)?\s*[秒分]?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) return normalizeYmd(m[1], m[2], m[3]);
  return null;
}

/** An http(s) URL as written (scheme added to a bare host like www.x.gov.cn/…), or null when it is not one. */
export function normalizeUrl(v: unknown): string | null | undefined {
  let s = foldWidth(cleanText(v)).replace(/\s+/g, '');
  if (!s) return undefined;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s) && /^[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(\/|$)/i.test(s)) s = `http://${s}`;
  try {
    const u = new URL(s);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

/** A site's key for matching: host without `www.` + path without a trailing index page or slash, lower-case. */
export function siteUrlKey(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname.toLowerCase().replace(/^www\./, '');
    const port = u.port && u.port !== '80' && u.port !== '443' ? `:${u.port}` : '';
    const p = u.pathname.replace(/\/(index|default)\.(s?html?|jsp|php|aspx?)$/i, '/').replace(/\/+$/, '');
    return `${host}${port}${p.toLowerCase()}`;
  } catch {
    return url.toLowerCase();
  }
}

/** Words that make a 认证主体 an organisation, not a person. */
const ORG_WORDS =
  /(政府|人民|委员会|委|办公室|办公厅|办|局|厅|部|署|院|所|站|中心|公司|集团|协会|学会|基金会|联合会|联社|研究会|商会|会|馆|台|社|报|团|队|处|科|室|组|街道|社区|镇|乡|村|区|县|市|省|州|旗|盟|医院|学校|大学|学院|中学|小学|幼儿园|银行|监狱|法院|检察|公安|派出所|消防|边检|海关|税务|邮政|气象|供电|水务|机关|党|支部|工委|纪委|监委|网信|宣传|融媒|电视|广播|工作|管理|服务|发展|建设|保障|事务|机构|单位|有限|股份)/;

/** Common single-character surnames (top ~120), enough to say "this looks like a person's name". */
const SURNAMES = new Set(
  Array.from(
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝',
  ),
);
const COMPOUND_SURNAMES = /^(欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|轩辕|令狐|钟离|端木|万俟|独孤|南宫)/;

/**
 * Does a 认证主体 say a person holds the account? 'explicit': it says so (个人, 个人认证, 自媒体);
 * 'name-like': 2–4 Chinese characters starting with a common surname and containing no organisation word
 * (a proposal only: a reviewer confirms); null: an organisation, blank or unknown.
 */
export function personSubject(subject: string | undefined): 'explicit' | 'name-like' | null {
  const s = cleanText(subject).replace(/\s+/g, '');
  if (!s) return null;
  if (/(^|[(（:：])个人($|[)）]|认证|主体|账号|帐号)|^个人|自媒体/.test(s)) return 'explicit';
  if (!/^[\u4e00-\u9fff·]{2,4}$/.test(s)) return null;
  if (ORG_WORDS.test(s)) return null;
  if (COMPOUND_SURNAMES.test(s) || SURNAMES.has(s[0])) return 'name-like';
  return null;
}
