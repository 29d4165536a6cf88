/**
 * Issue 11.11: a manual file's problems (unknown rule ids, a file written for another rubric, decisions matching no
 * finding) were only English lines in the JSON's score.warnings. They are now `score.manualNotices` (Chinese) and are
 * shown by the text report, the HTML report and the dashboard's run page.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreStoredRun } from '../src/audit/score-run.ts';
import { storedReport } from '../src/audit/stored-report.ts';
import { siteKey } from '../src/collect/crawl.ts';
import type { Finding } from '../src/model.ts';
import { renderHtml } from '../src/report/html.ts';
import { renderText } from '../src/report/text.ts';
import { scoreAudit } from '../src/score/engine.ts';
import { parseManual, saveManual } from '../src/score/manual.ts';
import { loadRubric } from '../src/score/rubric.ts';
import { Store } from '../src/store/store.ts';
import { createDashboard, type Dashboard } from '../src/web/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'govsite.js');
const HOME = 'http://www.qs.gov.cn/';
const FINDINGS: Finding[] = [
  { check: 'broken-link', url: HOME, target: 'http://www.qs.gov.cn/old.html', detail: 'HTTP 404', message: '首页链接无法打开', evidence: { onHomepage: true, linkKind: 'a' } },
];
/** A file for the provincial rubric, an unknown id (with markup in it), and a decision for a finding that does not exist. */
const MANUAL = {
  site: HOME,
  rubric: 'hunan-2021-provincial',
  items: [{ rule: 'no.such.rule<script>', count: 1 }],
  decisions: [{ check: 'broken-link', url: 'http://www.qs.gov.cn/nowhere.html', action: 'confirm' as const }],
};

describe('score.manualNotices', () => {
  it('says in Chinese which entries were not counted and why', () => {
    const rubric = loadRubric('hunan-2021-city');
    const manual = parseManual(JSON.stringify(MANUAL));
    const s = scoreAudit({ rubric, findings: FINDINGS, manual, profile: { unitType: 'city', hasPublicServices: true } });
    expect(s.warnings?.length).toBe(3); // the English lines stay for the JSON's readers
    expect(s.manualNotices).toEqual([
      '人工评分文件写的是评分细则 "hunan-2021-provincial"，本次评分使用 "hunan-2021-city"：请核对是否用错了文件（编号不存在的条目未计入）',
      '第 1 条人工评分（items[0]，no.such.rule<script>）未计入：评分细则 hunan-2021-city 中没有编号 "no.such.rule<script>"',
      '第 1 条复核决定（decisions[0]，确认 broken-link|http://www.qs.gov.cn/nowhere.html）未生效：本次检查没有与之对应的问题',
    ]);
    const clean = scoreAudit({ rubric, findings: FINDINGS, manual: parseManual(`site: ${HOME}\nrubric: hunan-2021-city\n`), profile: { unitType: 'city', hasPublicServices: true } });
    expect(clean.manualNotices).toBeUndefined();
  });
});

describe('reports and the dashboard show the manual file problems', () => {
  let dir: string;
  let dbFile: string;
  let runId: number;
  let manualFile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-notices-'));
    dbFile = path.join(dir, 'g.db');
    manualFile = path.join(dir, 'manual.yaml');
    saveManual(manualFile, MANUAL);
    const store = Store.open(dbFile);
    try {
      runId = store.createRun({ siteUrl: HOME, siteKey: siteKey(HOME), siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', options: { unitType: 'city', hasPublicServices: true } });
      store.saveFindings(runId, FINDINGS);
      store.finishRun(runId, 'done', { stats: { pagesCrawled: 1, linksChecked: 1, brokenLinks: 1 } });
      scoreStoredRun(store, runId, { rubric: 'hunan-2021-city', manualFile, profile: { unitType: 'city', hasPublicServices: true } });
    } finally {
      store.close();
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('text report (govsite score) and HTML report', async () => {
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'score', '--run', String(runId), '--db', dbFile, '--manual', manualFile]);
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('人工评分文件的问题：3 条');
    expect(out.stdout).toContain('评分细则 hunan-2021-city 中没有编号 "no.such.rule<script>"');
    expect(out.stdout).toContain('人工评分文件写的是评分细则 "hunan-2021-provincial"');

    const store = Store.open(dbFile);
    try {
      const report = storedReport(store, runId)!;
      expect(renderText(report)).toContain('第 1 条复核决定（decisions[0]，确认');
      const html = renderHtml(report);
      expect(html).toContain('<section id="manual-notices" class="notes">');
      expect(html).toContain('人工评分文件的问题（3 条）');
      expect(html).toContain('no.such.rule&lt;script&gt;');
      expect(html).not.toContain('no.such.rule<script>');
    } finally {
      store.close();
    }
  }, 30_000);

  it("the dashboard's run page", async () => {
    fs.writeFileSync(path.join(dir, 'sites.yaml'), 'sites: []\n');
    const dash: Dashboard = await createDashboard({ dbFile, configFile: path.join(dir, 'sites.yaml'), token: 'test-operator-token-0123456789' });
    try {
      const base = await dash.listen(0, '127.0.0.1');
      const page = await new Promise<string>((resolve, reject) => {
        http.get(`${base}/runs/${runId}`, (res) => {
          let t = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (t += c));
          res.on('end', () => resolve(t));
        }).on('error', reject);
      });
      expect(page).toContain('id="manual-notices"');
      expect(page).toContain('人工评分文件的问题（3 条）');
      expect(page).toContain('中没有编号 &quot;no.such.rule&lt;script&gt;&quot;');
    } finally {
      await dash.close();
    }
  });

  it('an old stored score (English warnings only) still shows its manual-file lines', () => {
    const store = Store.open(dbFile);
    try {
      const report = storedReport(store, runId)!;
      const { manualNotices: _, ...old } = report.score!;
      void _;
      const text = renderText({ ...report, score: old });
      expect(text).toContain('人工评分文件的问题：3 条');
      expect(text).toMatch(/manual items\[0\]\.rule: unknown rule or item id/);
    } finally {
      store.close();
    }
  });
});
