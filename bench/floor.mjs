/**
 * The floor under a full audit of the bench site, for bench/crawl.ts (run as a child process, plain JavaScript so that
 * no TypeScript loader adds to what it measures):
 *
 *   node bench/floor.mjs http <site url>             every request a complete crawl makes (the site server lists them at
 *                                                    /__urls), 32 at a time on one undici agent, bodies read, nothing parsed
 *   node bench/floor.mjs browser <url> <args JSON>   Chromium (playwright-core, the audit's flags) started, the homepage
 *                                                    rendered as the audit does (DOMContentLoaded, load, network idle, the
 *                                                    DOM read, a full-page screenshot), closed
 *
 * What an audit cannot do with less: fetch what it checks, and render the homepage. It prints one JSON line.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

const [mode, url, argsJson] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const t0 = performance.now();

if (mode === 'http') {
  const { Agent, request } = require('undici');
  const list = (await (await fetch(new URL('/__urls', url))).text()).split('\n').filter(Boolean);
  const agent = new Agent({ connections: 32 });
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < list.length) {
      const [method, p] = list[next++].split(' ');
      try {
        const r = await request(new URL(p, url), { method, dispatcher: agent });
        await r.body.arrayBuffer();
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await agent.close();
  console.log(JSON.stringify({ requests: list.length, failed, ms: Math.round(performance.now() - t0) }));
} else if (mode === 'browser') {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.GOVSITE_CHROMIUM || '/usr/bin/chromium', args: JSON.parse(argsJson || '[]'), headless: true });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle').catch(() => undefined);
  const html = await page.content();
  const shot = path.join(os.tmpdir(), `govsite-floor-${process.pid}.png`);
  await page.screenshot({ path: shot, type: 'png', fullPage: true });
  fs.rmSync(shot, { force: true });
  await browser.close();
  console.log(JSON.stringify({ htmlChars: html.length, ms: Math.round(performance.now() - t0) }));
} else {
  console.error('usage: node bench/floor.mjs http <site url> | browser <url> <args JSON>');
  process.exit(2);
}
