/**
 * A published run and a monitored week on the shared store, for the dashboard over PostgreSQL: site `qs` (青山市人民政府)
 * with a manual-items file path in sites.yaml, a finished audit (two broken links, one confirm-required source label,
 * the letter and inquiry observations), and 2021-W24 probed every hour from one vantage — ten failures, confirmed by
 * the immediate retry, on Wednesday 02:00–12:00 (5.95 %: a 单否 unless a maintenance window leaves them out).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProbeResult } from '../../src/monitor/probe.ts';
import { siteKey } from '../../src/collect/crawl.ts';
import { dayStartMs } from '../../src/monitor/time.ts';
import { inProcessRescorer } from '../../src/repo/rescore.ts';
import type { Repo, RoundProbe } from '../../src/repo/types.ts';

export const SITE_URL = 'http://www.qs.gov.test/';
export const MONDAY = dayStartMs('2021-06-14');
/** The failing hours (Shanghai) of Wednesday 2021-06-16. */
export const DOWN_FROM = MONDAY + 2 * 86_400_000 + 2 * 3_600_000;
export const DOWN_TO = DOWN_FROM + 10 * 3_600_000;

function result(at: number, outcome: ProbeResult['outcome']): ProbeResult {
  return { url: SITE_URL, finalUrl: SITE_URL, at: new Date(at).toISOString(), outcome, ...(outcome === 'ok' ? { status: 200 } : {}), ms: 80, phases: {}, bytes: 1000, redirects: 0 };
}

export async function seedCluster(repo: Repo, dir: string): Promise<{ runId: number; configFile: string; manualFile: string }> {
  const manualFile = path.join(dir, 'manual', 'qs.yaml');
  fs.mkdirSync(path.dirname(manualFile), { recursive: true });
  const configFile = path.join(dir, 'sites.yaml');
  fs.writeFileSync(
    configFile,
    `sites:\n  - id: qs\n    name: 青山市人民政府\n    url: ${SITE_URL}\n    rubric: hunan-2021-city\n    region: 青山市\n    manual: ${manualFile}\n`,
  );
  for (let d = 0; d < 7; d++) {
    const probes: RoundProbe[] = [];
    for (let h = 0; h < 24; h++) {
      const at = MONDAY + d * 86_400_000 + h * 3_600_000;
      const down = at >= DOWN_FROM && at < DOWN_TO;
      probes.push({ siteId: 'qs', slotAt: at, attempt: 0, result: result(at, down ? 'timeout' : 'ok') });
      if (down) probes.push({ siteId: 'qs', slotAt: at, attempt: 1, result: result(at + 500, 'timeout') });
    }
    await repo.recordRound({ vantage: 'changsha-1', roundAt: MONDAY + d * 86_400_000, worker: 'w', impaired: false, canaries: [], probes });
  }
  await repo.settle({ before: MONDAY + 8 * 86_400_000, windowMs: 86_400_000 });
  const runId = await repo.claimRun({ jobKey: 'audit:qs:2021-06-21', siteUrl: SITE_URL, siteKey: siteKey(SITE_URL), siteId: 'qs', siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-21', owner: 'seed' });
  await repo.publishRun(runId, {
    run: { status: 'done', finishedAt: '2021-06-21T02:00:00.000Z', stats: { pagesCrawled: 40, linksChecked: 300, brokenLinks: 2 }, error: null, network: null, browser: { available: false }, screenshot: null, notes: [], options: { manualFile } },
    findings: [
      { check: 'broken-link', url: `${SITE_URL}xxgk/`, target: `${SITE_URL}old/a.html`, message: '链接无法打开：旧通知（HTTP 404）', evidence: { status: 404, text: '旧通知' } },
      { check: 'broken-link', url: `${SITE_URL}xxgk/`, target: `${SITE_URL}old/b.html`, message: '链接无法打开：旧公告（HTTP 404）', evidence: { status: 404, text: '旧公告' } },
      { check: 'source-label', url: `${SITE_URL}xxgk/t1.html`, target: `${SITE_URL}xxgk/t1.html`, message: '信息未标注来源', evidence: { confirm: 'required' } },
    ],
    scopes: {
      'broken-link': { status: 'checked', summary: '已检查链接 300 条' },
      'source-label': { status: 'checked', summary: '已检查 40 个页面' },
      'inquiry-reply': { status: 'not-run', reason: '未登记模拟咨询' },
    },
    scores: [],
    observations: [{ kind: 'interaction.letter', key: 'L1', url: `${SITE_URL}hd/l1.html`, data: { title: '咨询居住证办理', askedAt: '2021-06-02 10:00' } }],
    rendered: [],
  });
  await inProcessRescorer(repo).rescore(runId, { manual: null, profile: { unitType: 'city', hasPublicServices: true } });
  return { runId, configFile, manualFile };
}
