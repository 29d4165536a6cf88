/**
 * The dashboard's 立即检查 of the demo site audits it as `govsite demo` does (issue 10 item 3): the demo's monitoring
 * time point (2021-06-15) and its skipped hosts — not today's date and every footer badge host queried (which gave a
 * false 不合格 with 122 "broken" links).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedDemo, DEMO_AS_OF } from '../src/web/demo-seed.ts';
import { makeAuditRunner } from '../src/web/jobs.ts';
import { DEMO_SKIP_HOSTS } from '../src/demo/server.ts';
import { loadSitesConfig, SiteSchema } from '../src/monitor/config.ts';
import { Store } from '../src/store/store.ts';
import type { AuditOptions } from '../src/audit/run.ts';
import type { AuditReport } from '../src/report/audit-report.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('run now on the demo dashboard', () => {
  it('the demo sites file carries the as-of date and skipped hosts, and run-now passes them to the audit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-runnow-'));
    dirs.push(dir);
    const demo = await seedDemo({ dir, crawl: false });
    try {
      const cfg = loadSitesConfig(demo.configFile);
      const qingshan = cfg.sites.find((s) => s.id === 'qingshan')!;
      expect(qingshan.asOf).toBe(DEMO_AS_OF);
      expect(qingshan.skipHosts).toEqual([...DEMO_SKIP_HOSTS]);

      const seen: AuditOptions[] = [];
      const runner = makeAuditRunner(async (o) => {
        seen.push(o);
        return { runId: 7 } as AuditReport;
      });
      const store = Store.open(':memory:');
      try {
        const r = await runner({ site: qingshan, store, dbFile: ':memory:', signal: new AbortController().signal });
        expect(r).toEqual({ runId: 7 });
      } finally {
        store.close();
      }
      expect(seen[0]).toMatchObject({ url: qingshan.url, asOf: '2021-06-15', skipHosts: [...DEMO_SKIP_HOSTS] });
    } finally {
      await demo.close();
    }
  });

  it('a live site without asOf is audited as of today; asOf must be a real date', () => {
    const base = { id: 'x', name: '某市人民政府', url: 'http://www.x.gov.cn/', rubric: 'hunan-2021-city' };
    expect(SiteSchema.parse(base).asOf).toBeUndefined();
    expect(SiteSchema.safeParse({ ...base, asOf: '2021-02-30' }).success).toBe(false);
    expect(SiteSchema.safeParse({ ...base, asOf: '2021/06/15' }).success).toBe(false);
  });
});
