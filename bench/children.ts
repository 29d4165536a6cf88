/**
 * Benchmark children: one tool per process, so that each one's peak RSS is its own.
 * Usage: node --import tsx bench/children.ts govsite|linkinator <url> <pages> <concurrency> <dbfile>
 * Prints one JSON line: { tool, pages, links, broken, ms, maxRssMb }.
 */
const [tool, url, pagesArg, concArg, dbFile] = process.argv.slice(2);
const pages = Number(pagesArg);
const concurrency = Number(concArg);

async function main() {
  // Modules load before the clock starts, for both tools: the figure is crawl throughput, not start-up time.
  const { runAudit } = tool === 'govsite' ? await import('../src/audit/run.ts') : { runAudit: null };
  const { LinkChecker } = tool === 'govsite' ? { LinkChecker: null } : await import('linkinator');
  const t0 = performance.now();
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
  process.stdout.write(JSON.stringify({ ...o, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
