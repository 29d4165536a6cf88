/**
 * A generated government-style site for benchmarks, served on 127.0.0.1 in its own process:
 * N pages /c/<col>/t<i>.html, each with ~20 links (nav, related pages, an image, an attachment), some missing.
 * Run: node --import tsx bench/site-server.ts <pages>; prints the port on stdout.
 * GET /__urls lists, one "METHOD path" a line, every request a complete crawl and link check of the site makes: the
 * pages and the missing pages (GET), attachments and the logo (HEAD). bench/floor.mjs sends exactly these.
 */
import http from 'node:http';

const N = Number(process.argv[2] ?? 3000);
const COLS = 10;

function pageUrl(i: number): string {
  return `/c/${i % COLS}/t2021${String(100000 + i)}.html`;
}

function page(i: number): string {
  const links: string[] = [];
  for (let c = 0; c < COLS; c++) links.push(`<li><a href="/c/${c}/index.html">栏目${c}</a></li>`);
  for (let k = 1; k <= 7; k++) {
    const j = (i * 7 + k * 131) % N;
    links.push(`<li><a href="${pageUrl(j)}">信息标题 ${j}</a><span>2021-06-${String((j % 28) + 1).padStart(2, '0')}</span></li>`);
  }
  if (i + 1 < N) links.push(`<li><a href="${pageUrl(i + 1)}">下一篇</a></li>`);
  if (i % 10 === 3) links.push(`<li><a href="/missing/${i}.html">失效链接</a></li>`);
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息 ${i} - 示例市人民政府</title>
<meta name="SiteName" content="示例市人民政府"><meta name="SiteIDCode" content="4399000001"></head><body>
<div class="header"><img src="/images/logo.png" alt="示例市人民政府"></div>
<ul class="nav">${links.join('\n')}</ul>
<div class="content"><h1>信息 ${i}</h1><p>发布时间：2021-06-10 来源：本网</p>${'<p>正文内容，政府信息公开。</p>'.repeat(20)}
<a href="/files/W020210610${String(i).padStart(6, '0')}.pdf">附件</a></div>
<div class="footer">主办单位：示例市人民政府办公室 网站标识码：4399000001 湘ICP备99000001号</div></body></html>`;
  return body;
}

function crawlRequests(): string {
  const out = ['GET /'];
  for (let c = 0; c < COLS; c++) out.push(`GET /c/${c}/index.html`);
  for (let i = 0; i < N; i++) {
    out.push(`GET ${pageUrl(i)}`, `HEAD /files/W020210610${String(i).padStart(6, '0')}.pdf`);
    if (i % 10 === 3) out.push(`GET /missing/${i}.html`);
  }
  out.push('HEAD /images/logo.png');
  return out.join('\n') + '\n';
}

const server = http.createServer((req, res) => {
  const u = req.url ?? '/';
  let m: RegExpExecArray | null;
  if (u === '/__urls') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(crawlRequests());
  } else if (u === '/__cpu') {
    // The server's own CPU seconds so far (user + system): the bench subtracts them from the machine's.
    const c = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(String((c.user + c.system) / 1e6));
  } else if (u === '/__connections') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(String(conns));
  } else if (u === '/' || u === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(0));
  } else if ((m = /^\/c\/\d+\/t2021(\d{6})\.html$/.exec(u))) {
    const i = Number(m[1]) - 100000;
    if (i >= 0 && i < N) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(i));
    } else {
      res.writeHead(404).end('not found');
    }
  } else if ((m = /^\/c\/(\d+)\/index\.html$/.exec(u))) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(Number(m[1])));
  } else if (u.startsWith('/images/') || u.startsWith('/files/')) {
    res.writeHead(200, { 'content-type': u.endsWith('.pdf') ? 'application/pdf' : 'image/png', 'content-length': '4' });
    res.end(req.method === 'HEAD' ? undefined : 'data');
  } else {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><head><title>404</title></head><body>页面不存在</body></html>');
  }
});
server.keepAliveTimeout = 30_000;
let conns = 0;
server.on('connection', () => {
  conns++;
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  if (a && typeof a === 'object') process.stdout.write(`${a.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
