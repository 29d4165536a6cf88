/**
 * Compares the interpretation matcher's title similarity with character bigrams (built in) and with a Chinese
 * segmenter (@node-rs/jieba, when it can be imported: it is not a dependency; pass its directory with
 * JIEBA_DIR=/path/to/node_modules/@node-rs/jieba). Prints precision and recall per threshold on
 * fixtures/policy/title-pairs.json. Asserts nothing.
 *
 *   node --import tsx bench/policy-similarity.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { scoreTitlePairs, type TitlePairs } from '../src/analyze/policy/evaluate.ts';
import { bigramTokenizer, type Tokenizer } from '../src/analyze/policy/similarity.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const set = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/policy/title-pairs.json'), 'utf8')) as TitlePairs;

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

for (const [name, tokenizer] of Object.entries(tokenizers)) {
  console.log(`\n${name}`);
  for (const similarity of [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]) {
    const s = scoreTitlePairs(set, { tokenizer, thresholds: { similarity } });
    console.log(`  threshold ${similarity.toFixed(2)}: precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})${s.wrong.length ? '  wrong: ' + s.wrong.join('; ') : ''}`);
  }
}
