/**
 * The footer, 找错 and site-name checks on real government pages (shared/real-pages, read in place, never copied).
 * Each page is audited as a one-page site (the page is the homepage). The Xiangtan article's footer is written by
 * its foot.js: the "rendered" DOM is built by inserting what foot.js document.writes after its <script> tag.
 */
import fs from 'node:fs';
import { findingsOf } from '../src/checks.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditContext, Check, Finding, RenderedPage } from '../src/model.ts';
import { loadHtml, normText } from '../src/analyze/dom.ts';
import { footerElements } from '../src/analyze/footer.ts';
import { documentWrites } from '../src/analyze/identifiers.ts';
import conac from '../checks/footer-conac-badge.ts';
import siteCode from '../checks/footer-site-code.ts';
import icp from '../checks/footer-icp.ts';
import police from '../checks/footer-police-filing.ts';
import sponsor from '../checks/footer-sponsor.ts';
import contact from '../checks/footer-contact.ts';
import errorEntry from '../checks/error-report-entry.ts';
import siteName from '../checks/site-name.ts';
import { makeContext, makePage } from './helpers/page.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REAL = path.resolve(repoRoot, '../shared/real-pages');
const present = fs.existsSync(REAL);
if (!present) console.warn(`[real-pages] ${REAL} not found: skipping the real-page tests`);

const CHECKS: Record<string, Check> = {
  'footer-conac-badge': conac,
  'footer-site-code': siteCode,
  'footer-icp': icp,
  'footer-police-filing': police,
  'footer-sponsor': sponsor,
  'footer-contact': contact,
  'error-report-entry': errorEntry,
  'site-name': siteName,
};

interface RealPage {
  file: string;
  url: string;
  /** Checks whose item the page visibly has: they must stay silent (site-name: no deduction-bearing finding). */
  visible: string[];
  /** The unit, to exercise the naming rule. */
  unit?: string;
}

const ALL_FOOTER = ['footer-conac-badge', 'footer-site-code', 'footer-icp', 'footer-police-filing', 'footer-sponsor', 'footer-contact'];

const PAGES: RealPage[] = [
  { file: 'shanxi.gov.cn-article.html', url: 'http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml', visible: [...ALL_FOOTER, 'error-report-entry', 'site-name'], unit: '山西省人民政府' },
  { file: 'www.gov.cn-gazette.html', url: 'https://www.gov.cn/gongbao/content/2007/content_711039.htm', visible: [...ALL_FOOTER, 'error-report-entry', 'site-name'] },
  // The 纠错 link is hidden with display:none: the entry is not visible.
  { file: 'fgw.zj.gov.cn-article.html', url: 'http://fzggw.zj.gov.cn/art/2019/11/20/art_1599546_40277880.html', visible: [...ALL_FOOTER, 'site-name'], unit: '浙江省发展和改革委员会' },
  // No conac badge, no 网站标识码, no 公网安备, no 找错 entry on this page.
  { file: 'cmse.gov.cn-page.html', url: 'http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html', visible: ['footer-icp', 'footer-sponsor', 'footer-contact', 'site-name'], unit: '中国载人航天工程办公室' },
  // Not a government site: no 网站标识码, no 找错 entry.
  { file: 'hunan-hospital-not-gov.html', url: 'http://www.zyyfy.com/nets/zyyy/page/pc/index/article/article_15070_1.shtml', visible: ['footer-conac-badge', 'footer-icp', 'footer-police-filing', 'footer-sponsor', 'footer-contact', 'site-name'] },
];

const XT_URL = 'http://www.xiangtan.gov.cn/109/171/174/content_1335045.html';
const FOOT_TAG = '<script src="static/js/foot.js" charset="gb2312"></script>';

function read(file: string): string {
  return fs.readFileSync(path.join(REAL, file), 'utf8');
}

function xiangtan(): { html: string; foot: string; rendered: string; writtenByEval: string } {
  const html = new TextDecoder('utf-16le').decode(fs.readFileSync(path.join(REAL, 'xiangtan/article-utf16-declared-gb2312.html')));
  const foot = new TextDecoder('gb18030').decode(fs.readFileSync(path.join(REAL, 'xiangtan/foot.js')));
  // A tiny fake document for the script's document.write calls.
  let writtenByEval = '';
  const fakeDocument = { write: (s: string) => { writtenByEval += s; }, writeln: (s: string) => { writtenByEval += s + '\n'; } };
  new Function('document', foot)(fakeDocument);
  const rendered = html.replace(FOOT_TAG, FOOT_TAG + writtenByEval);
  return { html, foot, rendered, writtenByEval };
}

function run(url: string, html: string, opts: { rendered?: string; unit?: string } = {}): Finding[] {
  const page = makePage(url, html, { isHomepage: true });
  const over: Partial<AuditContext> = {};
  if (opts.rendered) {
    const pages = new Map<string, RenderedPage>([[url, { url, html: opts.rendered, at: '2024-10-01T02:00:00.000Z' }]]);
    over.browser = { available: true, pages };
  }
  let ctx = makeContext([page], over);
  if (opts.unit) ctx = { ...ctx, site: { ...ctx.site, name: opts.unit } };
  return Object.values(CHECKS).flatMap((c) => findingsOf(c, ctx));
}

/** Findings that would cost points (not unverified, not unconfirmed). */
const deducting = (f: Finding) => f.evidence.unverified !== true && f.evidence.confirmation !== 'unconfirmed';

function expectSilentOnVisible(findings: Finding[], visible: string[]) {
  for (const id of visible) {
    const mine = findings.filter((f) => f.check === id);
    if (id === 'site-name') expect(mine.filter(deducting), `site-name on a page that shows its name`).toEqual([]);
    else expect(mine, `${id} must be silent: the page visibly has the item`).toEqual([]);
  }
}

describe.skipIf(!present)('real pages', () => {
  for (const p of PAGES) {
    describe(p.file, () => {
      it('finds the footer area', () => {
        const $ = loadHtml(read(p.file));
        const text = normText(footerElements($).map((e) => $(e).text()).join(' '));
        expect(text).toMatch(/ICP备/);
      });

      it('raises no finding for items the page visibly has', () => {
        expectSilentOnVisible(run(p.url, read(p.file), { unit: p.unit }), p.visible);
      });
    });
  }

  it('shanxi and www.gov.cn: silent on all eight checks', () => {
    expect(run(PAGES[0].url, read(PAGES[0].file), { unit: PAGES[0].unit })).toEqual([]);
    expect(run(PAGES[1].url, read(PAGES[1].file))).toEqual([]);
  });

  it('fgw.zj: only the hidden 找错 entry (and an unverifiable logo)', () => {
    const f = run(PAGES[2].url, read(PAGES[2].file), { unit: PAGES[2].unit });
    const entry = f.filter((x) => x.check === 'error-report-entry');
    expect(entry).toHaveLength(1);
    expect(entry[0].detail).toBe('入口被隐藏');
    // Static HTML with scripts and no browser: not certain enough to deduct.
    expect(entry[0].evidence.confirmation).toBe('unconfirmed');
    expect(f.filter((x) => x.check !== 'error-report-entry').every((x) => x.check === 'site-name' && x.evidence.unverified)).toBe(true);
  });

  it('cmse: reports the items it visibly lacks, all unconfirmed without a browser', () => {
    const f = run(PAGES[3].url, read(PAGES[3].file), { unit: PAGES[3].unit });
    const ids = f.filter((x) => x.check !== 'site-name').map((x) => x.check).sort();
    expect(ids).toEqual(['error-report-entry', 'footer-conac-badge', 'footer-police-filing', 'footer-site-code']);
    expect(f.filter((x) => x.check !== 'site-name').every((x) => x.evidence.confirmation === 'unconfirmed')).toBe(true);
  });

  it('hunan hospital (not a gov site): only 网站标识码 and 找错 are reported', () => {
    const f = run(PAGES[4].url, read(PAGES[4].file));
    expect(f.map((x) => `${x.check}:${x.detail}`).sort()).toEqual(['error-report-entry:missing', 'footer-site-code:missing']);
  });

  describe('xiangtan (UTF-16LE page, footer written by foot.js)', () => {
    it('our document.write extractor reads foot.js like a real document does', () => {
      const { foot, writtenByEval } = xiangtan();
      expect(documentWrites(foot)).toBe(writtenByEval);
      expect(writtenByEval).toContain('网站标识码');
    });

    it('rendered DOM: all eight checks silent (with the unit configured too)', () => {
      const { html, rendered } = xiangtan();
      expect(html).toContain(FOOT_TAG);
      expect(run(XT_URL, html, { rendered })).toEqual([]);
      expect(run(XT_URL, html, { rendered, unit: '湘潭市人民政府' })).toEqual([]);
    });

    it('static HTML without a browser: every footer item and the entry are only unconfirmed', () => {
      const { html } = xiangtan();
      const f = run(XT_URL, html);
      const footer = f.filter((x) => x.check !== 'site-name');
      expect(footer.map((x) => x.check).sort()).toEqual([...ALL_FOOTER, 'error-report-entry'].sort());
      expect(footer.every((x) => x.evidence.confirmation === 'unconfirmed')).toBe(true);
      expect(f.filter(deducting)).toEqual([]);
    });
  });
});
