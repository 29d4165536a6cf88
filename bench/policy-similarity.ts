/**
 * Compares the interpretation matcher's title similarity with character bigrams (built in) and with a Chinese
 * segmenter (@node-rs/jieba, when it can be imported: it is not a dependency; pass its directory with
 * JIEBA_DIR=/path/to/node_modules/@node-rs/jieba). Prints precision and recall per threshold on the labelled titles
 * (fixtures/policy/title-pairs.json) and on the pairs of the 绿水市 fixture site (fixtures/policy/site-pairs.json, the
 * whole matcher on real pages). Asserts nothing.
 *
 *   node --import tsx bench/policy-similarity.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { scoreTitlePairs, type TitlePairs } from '../src/analyze/policy/evaluate.ts';
import { bigramTokenizer, type Tokenizer } from '../src/analyze/policy/similarity.ts';
import { analysePolicyPages, placeNamesOf } from '../src/analyze/policy/analyse.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { extractLinks } from '../src/collect/links.ts';
import type { PageObservation } from '../src/model.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const set = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/policy/title-pairs.json'), 'utf8')) as TitlePairs;
const sitePairs = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/policy/site-pairs.json'), 'utf8')).pairs as { doc: string; interp: string }[];

const tokenizers: Record<string, Tokenizer> = { bigram: bigramTokenizer };
try {
  const req = createRequire(import.meta.url);
  const dir = process.env.JIEBA_DIR ?? '@node-rs/jieba';
  const { Jieba } = req(dir);
  const { dict } = req(dir + '/dict');
  const jieba = Jieba.withDict(dict);
  tokenizers.jieba = (core: string) => new Set<string>(jieba.cut(core, false).filter((w: string) => w.trim()));
  tokenizers['jieba+search'] = (core: string) => new Set<string>(jieba.cutForSearch(core, false).filter((w: string) => w.trim()));
} catch (e) {
  console.log(`jieba not available (${(e as Error).message.split('\n')[0]}): bigrams only`);
}

/** The fixture site's pages as crawled pages. */
function sitePages(dir: string, origin: string): PageObservation[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => {
      const rel = '/' + f.split(path.sep).join('/');
      const url = origin + (rel === '/index.html' ? '/' : rel);
      const html = fs.readFileSync(path.join(dir, f), 'utf8');
      return {
        url, finalUrl: url, redirects: [], status: 200, depth: 1, fetchedAt: '2021-06-10T02:00:00.000Z', timings: { headersMs: 0, totalMs: 0 },
        headers: {}, bytes: html.length, contentType: 'text/html', charset: 'utf-8', charsetSource: 'bench', html,
        links: extractLinks(loadHtml(html), url), isHomepage: rel === '/index.html',
      };
    });
}
const origin = 'http://www.lvshui.gov.cn';
const pages = sitePages(path.join(root, 'fixtures/sites/policy'), origin);
const expected = new Set(sitePairs.map((p) => `${p.doc}|${p.interp}`));

for (const [name, tokenizer] of Object.entries(tokenizers)) {
  console.log(`\n${name}`);
  for (const similarity of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9]) {
    const s = scoreTitlePairs(set, { tokenizer, thresholds: { similarity } });
    const a = analysePolicyPages(pages, { placeNames: placeNamesOf('绿水市人民政府'), tokenizer, thresholds: { similarity } });
    const got = new Set(a.matches.map((m) => `${m.doc.slice(origin.length)}|${m.interp.slice(origin.length)}`));
    const tp = [...got].filter((g) => expected.has(g)).length;
    const sp = got.size ? tp / got.size : 1;
    const sr = tp / expected.size;
    console.log(
      `  threshold ${similarity.toFixed(2)}: titles P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn}) | site pairs P ${sp.toFixed(3)} R ${sr.toFixed(3)} (${tp}/${expected.size}, ${got.size - tp} wrong)` +
        (s.wrong.length ? `  wrong: ${s.wrong.join('; ')}` : ''),
    );
  }
}
