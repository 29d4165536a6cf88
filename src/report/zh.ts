/**
 * Chinese for everything a person reads. The collectors and checks keep stable machine values (error codes such as
 * `refused` or `http-404`, probe notes such as `deadline`, English `detail` strings that logs and rubrics use); every
 * renderer (text, HTML, XLSX, dashboard, CLI) shows them through this one table, with the code in parentheses where
 * it helps a technician ("连接被拒绝（ECONNREFUSED）").
 *
 * Adding a machine value: add it here; a value not in the table is shown as it is.
 */

/** Network / link-check error codes (src/collect/http.ts NetError, verdict.ts, linkcheck.ts, reach.ts). */
export const ERROR_CODE_ZH: Readonly<Record<string, string>> = Object.freeze({
  timeout: '访问超时',
  dns: '域名无法解析',
  'dns-temporary': '域名解析暂时失败',
  refused: '连接被拒绝',
  reset: '连接被重置',
  tls: '证书或加密连接错误',
  'tls-chain': '证书链在本机无法验证',
  'redirect-loop': '重定向循环',
  'too-many-redirects': '重定向次数过多',
  'invalid-redirect': '重定向地址无效',
  'bad-redirect': '重定向地址无效',
  'headers-too-large': '响应头过大',
  'invalid-url': '链接地址无效',
  'unsupported-scheme': '不支持的链接协议',
  network: '网络错误',
  'soft-404': '打开后为错误页面',
  offline: '本机网络不可达，未判定',
  'form-without-input': '表单地址（未填写内容时请求），未判定',
  'not-queried': '按配置不检查该主机',
  aborted: '检查中止，未检查',
  internal: '检查程序出错',
  budget: '请求数已达上限，未请求',
  'js-challenge': '防护网关脚本验证（浏览器可通过）',
  'error-page': '打开后为错误页面',
  'empty-body': '返回空白页面',
  'blank-body': '返回空白页面',
  deadline: '15 秒内未完整打开',
});

/** Node / libc error codes seen in probe notes and details. */
export const ERRNO_ZH: Readonly<Record<string, string>> = Object.freeze({
  ECONNREFUSED: '连接被拒绝',
  ECONNRESET: '连接被重置',
  ECONNABORTED: '连接被中断',
  EPIPE: '连接被重置',
  ENOTFOUND: '域名无法解析',
  ENODATA: '域名无解析记录',
  EAI_NONAME: '域名无法解析',
  EAI_FAIL: '域名无法解析',
  EAI_NODATA: '域名无解析记录',
  EAI_AGAIN: '域名解析暂时失败',
  ESERVFAIL: '域名服务器解析失败',
  EREFUSED: '域名服务器拒绝查询',
  ETIMEOUT: '域名解析超时',
  ETIMEDOUT: '访问超时',
  EHOSTUNREACH: '主机不可达',
  ENETUNREACH: '网络不可达',
  EHOSTDOWN: '主机无响应',
  EADDRNOTAVAIL: '本机无可用地址',
  EPROTO: '加密连接协议错误',
  ENOENT: '文件不存在',
  EACCES: '没有权限',
  EPERM: '没有权限',
  EISDIR: '是目录而不是文件',
  ENOTDIR: '路径不是目录',
  EEXIST: '文件已存在',
  ENOSPC: '磁盘空间不足',
  EROFS: '文件系统只读',
  EADDRINUSE: '端口已被占用',
  UND_ERR_SOCKET: '连接被关闭',
  UND_ERR_CLOSED: '连接被关闭',
  UND_ERR_CONNECT_TIMEOUT: '连接超时',
  UND_ERR_HEADERS_TIMEOUT: '等待响应超时',
  UND_ERR_BODY_TIMEOUT: '读取内容超时',
  UND_ERR_HEADERS_OVERFLOW: '响应头过大',
  CERT_HAS_EXPIRED: '证书已过期',
  DEPTH_ZERO_SELF_SIGNED_CERT: '自签名证书',
  SELF_SIGNED_CERT_IN_CHAIN: '证书链中含自签名证书',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: '无法验证证书（缺少中间证书）',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: '无法验证证书（本机不信任其颁发者）',
  ERR_TLS_CERT_ALTNAME_INVALID: '证书与域名不符',
});

/** HTTP status → what it means for a visitor. */
export const HTTP_STATUS_ZH: Readonly<Record<number, string>> = Object.freeze({
  400: '请求错误',
  401: '需要登录',
  403: '禁止访问',
  404: '页面不存在',
  405: '不允许的请求方式',
  408: '请求超时',
  410: '页面已删除',
  412: '访问被拦截',
  429: '请求过多被限流',
  500: '服务器内部错误',
  501: '服务器不支持',
  502: '网关错误',
  503: '服务暂不可用',
  504: '网关超时',
});

/** "页面不存在（HTTP 404）"; an unknown status: "HTTP 418". */
export function zhHttpStatus(status: number | string): string {
  const n = Number(status);
  const what = HTTP_STATUS_ZH[n] ?? (n >= 500 ? '服务器错误' : n >= 400 ? '请求被拒绝' : '');
  return what ? `${what}（HTTP ${status}）` : `HTTP ${status}`;
}

/**
 * An error code for people, with the code in parentheses: "连接被拒绝（refused）", "页面不存在（HTTP 404）",
 * "连接被拒绝（ECONNREFUSED）". Unknown codes are returned as they are.
 */
export function zhErrorCode(code: unknown): string {
  const c = String(code ?? '').trim();
  if (!c) return '';
  const http = /^(?:http-|HTTP\s*)(\d{3})$/i.exec(c);
  if (http) return zhHttpStatus(http[1]);
  if (Object.prototype.hasOwnProperty.call(ERROR_CODE_ZH, c)) return `${ERROR_CODE_ZH[c]}（${c}）`;
  if (Object.prototype.hasOwnProperty.call(ERRNO_ZH, c)) return `${ERRNO_ZH[c]}（${c}）`;
  return c;
}

/**
 * A probe's error or note (`ECONNREFUSED`, `deadline`, `HTTP 503`, `tls-chain:UNABLE_TO_VERIFY_LEAF_SIGNATURE`,
 * `large-headers:20480`, `redirects:12`, several joined with commas) for people.
 */
export function zhProbeNote(note: unknown): string {
  const s = String(note ?? '').trim();
  if (!s) return '';
  return s
    .split(/\s*,\s*/)
    .map((part) => {
      let m = /^tls-chain:(.+)$/.exec(part);
      if (m) return `证书链在本机无法验证，浏览器可打开（${m[1]}）`;
      m = /^large-headers:(\d+)$/.exec(part);
      if (m) return `响应头较大（约 ${Math.round(Number(m[1]) / 1024)} KB），浏览器可打开`;
      m = /^redirects:(\d+)$/.exec(part);
      if (m) return `经过 ${m[1]} 次重定向，浏览器可打开`;
      m = /^getaddrinfo (\w+)(?: (.+))?$/.exec(part);
      if (m) return `${ERRNO_ZH[m[1]] ?? '域名解析失败'}（${m[1]}${m[2] ? ` ${m[2]}` : ''}）`;
      return zhErrorCode(part);
    })
    .join('，');
}

type Rule = [RegExp, (...m: string[]) => string];

/** English phrases of machine details and reasons → Chinese. Applied in order, each everywhere in the text. */
const PHRASES: Rule[] = [
  // reach.ts: this machine cannot reach the outside
  [/all (\d+) external hosts tried failed DNS or connect, none answered/g, (_m, n) => `尝试的 ${n} 个外部网站均无法解析或连接，无一应答`],
  [/the configured canary (.+?) cannot be reached either/g, (_m, list) => `配置的外网检测地址 ${list} 也无法访问`],
  [/not judged: this machine cannot reach the outside network/g, () => '未判定：本机无法访问外部网络'],
  // linkcheck.ts
  [/; failed again when checked a second time/g, () => '；复查时仍然失败'],
  [/ \((\d+) attempts\)/g, (_m, n) => `（共尝试 ${n} 次）`],
  [/certificate chain cannot be verified on this machine \(([^;()]*); an intermediate certificate not sent by the server, or a root this machine does not trust\)/g,
    (_m, code) => `证书链在本机无法验证（${code}；服务器未发送中间证书，或本机不信任其根证书）`],
  [/opens when the certificate is not checked/g, () => '不验证证书时可以打开'],
  [/ ?\(form action requested without the visitor's input\)/g, () => '（表单地址在未填写内容时请求）'],
  [/host excluded from checking by configuration/g, () => '该主机按配置不检查'],
  [/audit aborted before this link was checked/g, () => '审计中止，该链接未检查'],
  [/check failed: /g, () => '检查出错：'],
  // verdict.ts
  [/HTTP (\d{3}): access refused or rate-limited \(WAF \/ login\), not judged/g, (_m, s) => `HTTP ${s}：访问被拒绝或限流（防火墙或需登录），未判定`],
  [/HTTP (\d{3}) without a usable Location/g, (_m, s) => `HTTP ${s} 重定向但未给出有效地址`],
  [/redirected to an error page /g, () => '被重定向到错误页面 '],
  [/status (\d{3}) but an error page/g, (_m, s) => `状态码 ${s}，但打开的是错误页面`],
  [/\s*\((title|heading|text): ([^()]*)\)/g, (_m, k, v) => `（${k === 'title' ? '页面标题' : k === 'heading' ? '页面大标题' : '页面文字'}：${v}）`],
  // http.ts
  [/redirect loop via (\S+)/g, (_m, u) => `重定向循环（经过 ${u}）`],
  [/more than (\d+) redirects/g, (_m, n) => `重定向超过 ${n} 次`],
  [/invalid redirect location: /g, () => '重定向地址无效：'],
  [/invalid URL: /g, () => '网址无效：'],
  [/unsupported scheme (\S+)/g, (_m, p) => `不支持的协议 ${p}`],
  [/temporary DNS failure \((\w+)\)/g, (_m, c) => `域名解析暂时失败（${c}）`],
  [/DNS lookup failed \((\w+)\)/g, (_m, c) => `域名解析失败（${c}）`],
  [/response headers larger than (\d+) KB \(browsers refuse them too\)/g, (_m, n) => `响应头超过 ${n} KB（浏览器同样无法打开）`],
  [/connection refused/g, () => '连接被拒绝'],
  [/connection reset \((\w+)\)/g, (_m, c) => `连接被重置（${c}）`],
  [/TLS failure \(/g, () => '证书或加密连接错误（'],
  [/unreachable \((\w+)\)/g, (_m, c) => `网络不可达（${c}）`],
  [/^timed out\b/g, () => '访问超时'],
  [/^aborted\b/g, () => '已中止'],
  // the audit
  [/homepage cannot be opened: /g, () => '首页无法打开：'],
  [/crawl failed: /g, () => '抓取失败：'],
  [/only http and https URLs can be audited: /g, () => '只能检查 http 或 https 网址：'],
  [/invalid --as-of date: (\S+) \(expected YYYY-MM-DD\)/g, (_m, d) => `--as-of 日期无效：${d}（应为 YYYY-MM-DD）`],
  // files, databases, configuration (CLI and dashboard errors)
  [/\b(E[A-Z]+): [a-z][^,\n]*, (\w+) '([^'\n]*)'(?: -> '([^'\n]*)')?/g, (_m, c, _sys, p) => `${ERRNO_ZH[c] ?? '操作失败'}（${c}：${p}）`],
  [/cannot create data directory (\S+): /g, (_m, p) => `无法创建数据目录 ${p}：`],
  [/cannot open database (\S+): /g, (_m, p) => `无法打开数据库 ${p}：`],
  [/cannot write database (\S+): /g, (_m, p) => `无法写入数据库 ${p}：`],
  [/unable to open database file/g, () => '无法打开数据库文件'],
  [/attempt to write a readonly database/g, () => '数据库为只读，无法写入'],
  [/file is not a database/g, () => '文件不是数据库'],
  [/cannot read: (\w+)/g, (_m, c) => `无法读取：${ERRNO_ZH[c] ? `${ERRNO_ZH[c]}（${c}）` : c}`],
  [/^(\d+) rubric errors:/g, (_m, n) => `评分细则有 ${n} 处错误：`],
  [/^(\d+) errors in the manual-items file:/g, (_m, n) => `人工评分文件有 ${n} 处错误：`],
  [/\(root\): expected a mapping with site, rubric, items, decisions/g, () => '（根）应为包含 site、rubric、items、decisions 的映射'],
  [/rubric: no rubric named "([^"]*)" in (\S+)(?: \(available: ([^)]*)\))?/g, (_m, id, dir, list) => `评分细则：${dir} 中没有名为“${id}”的评分细则${list ? `（可用：${list}）` : ''}`],
  [/rubric: "([^"]*)" is neither a rubric id nor a \.yaml path/g, (_m, id) => `评分细则：“${id}”既不是评分细则编号，也不是 .yaml 文件`],
  [/rubric: empty rubric id or path/g, () => '评分细则：编号或路径为空'],
  [/not an audit report: site\.url, rubric, asOf, stats and findings\[\] are required/g, () => '不是审计报告：缺少 site.url、rubric、asOf、stats 或 findings[]'],
  // browser
  [/^disabled by --no-browser$/g, () => '已按 --no-browser 关闭'],
  [/chromium not found or not executable at (\S+) \(install: apt-get install -y chromium, or set GOVSITE_CHROMIUM\)/g,
    (_m, p) => `未找到 Chromium 或无法运行：${p}（安装：apt-get install -y chromium，或设置 GOVSITE_CHROMIUM）`],
  [/chromium at (\S+) failed to start: /g, (_m, p) => `Chromium（${p}）无法启动：`],
  [/browser crashed too often; giving up/g, () => '浏览器多次崩溃，已停止渲染'],
  [/renderer closed/g, () => '浏览器已关闭'],
  [/synthetic demo run/g, () => '示例数据，未运行浏览器'],
  // checks' machine details
  [/^(\d{4}-W\d{2}): (\d+)\/(\d+) probes failed \(([\d.]+%)\), veto threshold 5%; /g,
    (_m, w, f, p, r) => `${w}：${p} 次访问中 ${f} 次打不开（${r}），单否线 5%；`],
  [/sampling sufficient/g, () => '采样充足'],
  [/(\d+) day\(s\) with fewer than 20 probes/g, (_m, n) => `${n} 天访问不足 20 次`],
  [/host (\S+) is an IP address or loopback name: domain rules not applicable \(test or demo\)/g,
    (_m, h) => `网站地址 ${h} 为 IP 地址或本机名称，不适用域名规范（测试或演示环境）`],
  [/^site host unknown or malformed$/g, () => '网站主机名未知或格式错误'],
  [/department site without a configured parent portal domain: subdomain rule not checked/g, () => '部门网站未配置本级政府门户网站域名，未检查下级域名规则'],
  [/(\S+) is not under \.gov\.cn\/\.政务/g, (_m, h) => `${h} 不是 .gov.cn 或 .政务 域名`],
  [/(\S+) is not under (\S+)/g, (_m, h, p) => `${h} 不是 ${p} 的下级域名`],
  [/^unverified: footer may be in a frame$/g, () => '未核实：页脚可能位于框架（frame）中'],
  [/^missing$/g, () => '未找到'],
  [/^code-mismatch$/g, () => '入口中的网站标识码与本网站不一致'],
  [/^mismatch: footer (\S+) vs SiteIDCode (\S+)$/g, (_m, a, b) => `不一致：页面底部为 ${a}，页面标签 SiteIDCode 为 ${b}`],
  [/^no-aaaa: the host has A records but no AAAA record$/g, () => '无 AAAA 记录：域名有 IPv4（A）记录，没有 IPv6（AAAA）记录'],
  [/host does not resolve \(no A and no AAAA\)/g, () => '域名无法解析（A、AAAA 记录均无）'],
  [/host does not resolve \(/g, () => '域名无法解析（'],
  [/AAAA lookup failed \(/g, () => 'AAAA 记录查询失败（'],
  [/homepage over IPv6 not measurable \(/g, () => '首页 IPv6 访问无法测试（'],
  [/homepage does not load over IPv6 \(/g, () => '首页无法通过 IPv6 打开（'],
  [/internal links over IPv6 not measurable \(no local IPv6\)/g, () => '内部链接 IPv6 访问无法测试（本机无 IPv6 网络）'],
  [/only (\d+) internal links measured \((\d+) ok\): sample too small/g, (_m, n, ok) => `仅测得 ${n} 个内部链接（${ok} 个可打开），样本过少`],
  [/(\d+)\/(\d+) sampled internal links load over IPv6 \(([\d.]+%) < ([\d.]+%)\)/g,
    (_m, ok, n, a, b) => `抽查的 ${n} 个内部链接中 ${ok} 个可通过 IPv6 打开（${a}，低于 ${b}）`],
  [/^naming: partial resemblance$/g, () => '网站名称与单位名称仅部分相符'],
  [/^naming: not named after the unit$/g, () => '网站未以本单位名称命名'],
  [/^header: name not shown$/g, () => '页面头部未显示网站名称'],
  [/^header: unverified \(/g, () => '页面头部：未核实（'],
  [/no header area found/g, () => '未找到页面头部区域'],
  [/header shows images \(logo\) whose text cannot be read/g, () => '页头为图片（标志），文字无法读取'],
  [/header written by scripts not rendered/g, () => '页头由脚本生成，未经渲染'],
  [/logo drawn with CSS \(background image\)/g, () => '标志为样式背景图片'],
  [/empty header area/g, () => '页头区域为空'],
  [/images at the top of the page \(a logo\?\) cannot be read/g, () => '页面顶部为图片（可能是标志），文字无法读取'],
  [/top of the page written by scripts not rendered/g, () => '页面顶部由脚本生成，未经渲染'],
  [/^status (\d{3})$/g, (_m, s) => `状态码 ${s}`],
  // a status line ("GET 500 Internal Server Error")
  [/\b(GET|HEAD|POST) (\d{3})(?: [A-Z][A-Za-z' -]*)?$/g, (_m, m, st) => `${m} 请求返回${zhHttpStatus(st)}`],
  [/^failed$/g, () => '失败'],
];

/**
 * Machine text (a finding's `detail`, a link result's detail, a browser reason, a run's error) for people: known
 * English phrases are replaced by Chinese, codes are kept in parentheses. Chinese text passes unchanged.
 */
export function zhText(value: unknown): string {
  let s = String(value ?? '');
  if (!/[A-Za-z]{2}/.test(s)) return s;
  for (const [re, fn] of PHRASES) {
    re.lastIndex = 0;
    s = s.replace(re, (...args) => fn(...(args.slice(0, -2) as string[])));
  }
  return zhPunct(s);
}

/**
 * Full-width punctuation in Chinese text: the scoring engine's explanations use ASCII separators
 * ("首页链接无法打开 1 处 (−1), 其他页面 1 处 (−0.5)"); people read "首页链接无法打开 1 处（−1），其他页面 1 处（−0.5）".
 * ASCII punctuation between ASCII words (URLs, codes, "HTTP 404") is kept; doubled punctuation is collapsed.
 */
export function zhPunct(value: unknown): string {
  const s = String(value ?? '');
  const cjk = (c: string | undefined) => !!c && /[^\x00-\x7f]/.test(c);
  return (
    s
      // " (−1)", " (累计…)", " (含复核调整)" → "（−1）": a bracket not attached to an ASCII word (a code, a call)
      .replace(/\s*\(([−+\-]?\d[\d.]*|[−+][^()]*|[^()\x00-\x7f][^()]*)\)/g, (m, inner: string, off: number) =>
        /[A-Za-z_]/.test(s[off - 1] ?? '') && !/^\s/.test(m) ? m : `（${inner}）`,
      )
      // , ; : touching Chinese (or a full-width bracket) on either side → ， ； ：
      .replace(/\s*([,;])\s*/g, (m, p: string, off: number, str: string) => {
        const before = str[off - 1];
        const after = str[off + m.length];
        if (!cjk(before) && !cjk(after)) return m;
        return p === ',' ? '，' : '；';
      })
      .replace(/:\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s*:\s*/g, '：')
      // doubled punctuation ("。：", "；；") keeps the last mark, except a full stop before a bracket
      .replace(/[。，；：、]+(?=[。，；：、])/g, '')
  );
}

/** Ends a Chinese clause before appending punctuation: "…未找到）。" + "：" must not read "）。：". */
export function trimEndPunct(s: string): string {
  return s.replace(/[\s。．.，,；;：:、]+$/u, '');
}

/** Evidence `confirm` states for people. */
export const CONFIRM_ZH: Readonly<Record<string, string>> = Object.freeze({
  required: '待确认',
  confirmed: '已确认',
  rejected: '已排除',
  adjusted: '已调整',
});

/** Check scope statuses for people. */
export const SCOPE_STATUS_ZH: Readonly<Record<string, string>> = Object.freeze({
  checked: '已检测',
  unverified: '未核实',
  'not-run': '未运行',
});

/** Gatherer statuses for people. */
export const GATHER_STATUS_ZH: Readonly<Record<string, string>> = Object.freeze({
  ok: '已完成',
  partial: '部分完成',
  failed: '失败',
  skipped: '未运行',
});

/** Run statuses (runs table, nightly runs, dashboard jobs). */
export const RUN_STATUS_ZH: Readonly<Record<string, string>> = Object.freeze({
  running: '进行中',
  done: '已完成',
  failed: '失败',
  interrupted: '中断',
  queued: '排队中',
  pending: '等待中',
  skipped: '已跳过',
  ok: '成功',
});

/**
 * Node's parseArgs errors ("Unknown option '--x'. To specify a positional argument starting with a '-', place it at
 * the end of the command after '--', as in '-- \"--x\"", "Option '--out <value>' argument missing") in Chinese.
 */
export function zhArgError(code: string | undefined, message: string): string {
  const opt = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `未知选项 ${opt ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message) ? `选项 ${opt ?? ''} 缺少取值`.replace('  ', ' ') : `选项 ${opt ?? ''} 不接受取值`.replace('  ', ' ');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1];
      return `多余的参数${arg ? ` ${arg}` : ''}`;
    }
    default:
      return zhText(message);
  }
}
