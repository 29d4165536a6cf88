import type { CrawlSummary } from '../collect/crawl.ts';

/**
 * The report's notes (Chinese) about the network side of a crawl: this machine could not reach the outside, the
 * homepage needed a second attempt, responses a browser opens although stricter clients refuse them. Notices, never
 * findings: nothing here deducts.
 */

const ERROR_ZH: Record<string, string> = {
  reset: '连接被重置',
  timeout: '访问超时',
  network: '网络错误',
  'dns-temporary': '域名解析暂时失败',
  dns: '域名无法解析',
  refused: '连接被拒绝',
};

function errorZh(e: string): string {
  const code = e.split(':')[0].trim();
  return ERROR_ZH[code] ?? code;
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1024)} KB`;
}

/** The note that goes first: the machine could not reach the outside, so external links were not judged. */
export function offlineNote(s: CrawlSummary): string | null {
  const o = s.offline;
  if (!o) return null;
  const hosts = o.sample.join('、');
  const basis =
    o.basis === 'canary'
      ? `配置的外网检测地址 ${o.canaries!.map((c) => `${c.url}（${errorZh(c.error)}）`).join('、')} 无法连接`
      : `本次检查访问的 ${o.failedHosts} 个外部网站（如 ${hosts}）均无法解析或连接，没有一个有应答`;
  return `本机网络不可达：${basis}，判断为检查所用机器无法访问外部网络；${o.links} 个外部链接记为“未核实（本机网络不可达）”，不计为链接无法打开。请在能访问外网的机器上复查外部链接。`;
}

/** Other notes about the crawl's network side, in the order they should appear. */
export function networkNotes(s: CrawlSummary): string[] {
  const notes: string[] = [];
  const retried = s.homepage.retried ?? [];
  if (retried.length && s.homepage.ok) {
    notes.push(`首页${retried.length === 1 ? '第 1 次请求' : `前 ${retried.length} 次请求`}失败（${retried.map(errorZh).join('、')}），重试后打开（共请求 ${retried.length + 1} 次）`);
  }
  const big = s.notices['large-headers'];
  if (big) {
    notes.push(`有 ${big.count} 个地址的响应头超过 16 KB（最大约 ${kb(big.max)}，如 ${big.example}）：浏览器可以打开，已按正常处理；部分客户端和代理会拒绝过大的响应头（多为过大的 Cookie）`);
  }
  const chain = s.notices['long-redirect-chain'];
  if (chain) {
    notes.push(`有 ${chain.count} 个地址经过 10 次以上重定向才打开（最多 ${chain.max} 次，如 ${chain.example}）：浏览器可以打开（最多跟随 20 次），已按正常处理`);
  }
  if (s.aliases?.count) {
    const home = s.aliases.examples.find((e) => e.of === s.homepage.finalUrl || e.of === s.homepage.url);
    const ex = home ?? s.aliases.examples[0];
    const what = home ? `如 ${ex.url} 即首页` : `如 ${ex.url} 即 ${ex.of}`;
    notes.push(`有 ${s.aliases.count} 个地址打开的是已抓取的同一页面（${what}）：已检查其链接可以打开，页面只检查一次，不重复计问题`);
  }
  return notes;
}
