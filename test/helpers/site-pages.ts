import fs from 'node:fs';
import path from 'node:path';
import { makePage } from './page.ts';
import type { PageObservation } from '../../src/model.ts';

/** Every HTML page of a fixture site directory as a crawled page under `origin` (index.html ↔ directory URL too). */
export function sitePages(dir: string, origin = 'http://www.lvshui.gov.cn'): PageObservation[] {
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html') && !f.split(path.sep).some((p) => p.startsWith('_')));
  return files.sort().map((f) => {
    const rel = '/' + f.split(path.sep).join('/');
    const url = origin + (rel === '/index.html' ? '/' : rel);
    const html = fs.readFileSync(path.join(dir, f), 'utf8');
    return makePage(url, html, { isHomepage: rel === '/index.html', depth: rel === '/index.html' ? 0 : 1 });
  });
}
