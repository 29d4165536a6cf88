/**
 * Benchmark children: one tool per process, so that each one's peak RSS is its own.
 * Usage: node --import tsx bench/children.ts govsite|linkinator <url> <pages> <concurrency> <dbfile>
 * Prints one JSON line: { tool, pages, links, broken, ms, maxRssMb, cpuMs (user + system CPU of the whole process) }.
 */
import v8 from 'node:v8';

const [tool, url, pagesArg, concArg, dbFile] = process.argv.slice(2);
const pages = Number(pagesArg);
const concurrency = Number(concArg);

async function main() {
  // Modules load before the clock starts, for both tools: the figure is crawl throughput, not start-up time.
  const { runAudit } = tool === 'govsite' ? await import('../src/audit/run.ts') : { runAudit: null };
  const { LinkChecker } = tool === 'govsite' ? { LinkChecker: null } : await import('linkinator');
  const t0 = performance.now();
  // Memory trace on stderr: GOVSITE_BENCH_TRACE=1 (every second) or =<ms>. RSS, the main thread's heap and its big
  // spaces; run node with --expose-gc to see live sizes (a full GC before each line). Silent while code runs synchronously.
  if (process.env.GOVSITE_BENCH_TRACE) {
    setInterval(() => {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      process.stderr.write(`t=${((performance.now() - t0) / 1000).toFixed(0)}s rss=${Math.round(m.rss / 1048576)} heap=${Math.round(m.heapUsed / 1048576)}/${Math.round(m.heapTotal / 1048576)} ext=${Math.round(m.external / 1048576)} ab=${Math.round(m.arrayBuffers / 1048576)} ${v8.getHeapSpaceStatistics().filter((x) => x.space_used_size > 8 << 20).map((x) => `${x.space_name}=${Math.round(x.space_used_size / 1048576)}`).join(' ')}\n`);
    }, Number(process.env.GOVSITE_BENCH_TRACE) > 1 ? Number(process.env.GOVSITE_BENCH_TRACE) : 1000).unref();
  }
  if (tool === 'govsite') {
    const r = await runAudit!({
      url, maxPages: Math.ceil(pages * 1.2), maxDepth: 1_000_000, concurrency, perHost: concurrency, dbFile, browser: false, log: (await import('pino')).default({ level: process.env.GOVSITE_LOG ?? 'silent' }, (await import('pino')).default.destination(2)), network: false, rubric: 'hunan-2021-city', asOf: '2021-06-15',
    });
    const ms = performance.now() - t0;
    out({ tool, pages: r.stats.pagesCrawled, links: r.stats.linksChecked, broken: r.stats.brokenLinks, ms, crawlMs: r.stats.crawlMs, checksMs: r.stats.checksMs });
  } else {
    const checker = new LinkChecker!();
    const res = await checker.check({ path: url, recurse: true, concurrency, timeout: 15_000 });
    const ms = performance.now() - t0;
    const htmlPages = new Set(res.links.filter((l) => /\.html$|\/$/.test(l.url) && l.state === 'OK').map((l) => l.url));
    out({ tool, pages: htmlPages.size, links: res.links.length, broken: res.links.filter((l) => l.state === 'BROKEN').length, ms });
  }
}

function out(o: Record<string, unknown>) {
  const ru = process.resourceUsage();
  process.stdout.write(JSON.stringify({ ...o, maxRssMb: Math.round(ru.maxRSS / 1024), cpuMs: Math.round((ru.userCPUTime + ru.systemCPUTime) / 1000) }) + '\n');
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
