import path from 'node:path';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../demo/server.ts';
import { auditArgs, intOpt, type AuditValues } from './options.ts';
import { auditCommand } from './audit-cmd.ts';

/** The demo's monitoring time point: the bundled site's dates are fixed around it. */
export const DEMO_AS_OF = '2021-06-15';

/**
 * The demo sites' stable identity: the same site id and port on every run, so the runs of `govsite demo` line up as
 * one site in the dashboard (history, 整改 from one run to the next) and a manual file's decisions keep matching.
 */
export const DEMO_SITES = {
  city: { dir: 'demo', id: 'demo', port: 8731, name: '青山市人民政府' },
  dept: { dir: 'demo-dept', id: 'demo-dept', port: 8732, name: '湖南省示例厅' },
} as const;

/** Serves the demo site on its port, or on a free one when that port is taken (and says so). */
export async function startDemoSite(dir: string, port: number, say: (s: string) => void): Promise<FixtureServer> {
  try {
    return await startFixtureServer(dir, { port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
    const server = await startFixtureServer(dir);
    say(`端口 ${port} 已被占用，示例网站改用端口 ${new URL(server.url).port}（网站编号不变；人工评分文件中按网址记录的复核决定可能不再对应）\n`);
    return server;
  }
}

/**
 * `govsite demo`: serves the bundled demo government site (青山市人民政府, fictional) on 127.0.0.1 and audits it
 * exactly as `govsite audit` would audit a real site, storing the run in the SQLite database.
 */
export async function demoCommand(values: Record<string, unknown>): Promise<number> {
  auditArgs(values as AuditValues, { asOfDefault: DEMO_AS_OF }); // every argument checked before the site starts
  const demo = values.rubric === 'hunan-2021-provincial' ? DEMO_SITES.dept : DEMO_SITES.city;
  const port = intOpt(values.port as string | undefined, 'port', 1, 65535) ?? demo.port;
  const { port: _port, ...auditValues } = values;
  const server = await startDemoSite(demoSiteDir(demo.dir), port, (s) => void process.stderr.write(s));
  try {
    process.stderr.write(`示例网站已在 ${server.url} 启动（网站编号 ${demo.id}，监测时间点默认 ${DEMO_AS_OF}）\n`);
    // The demo's 联动传播 list (not served by the fixture server).
    const linkage = [path.join(demoSiteDir(demo.dir), '_linkage', '2021Q2.yaml')];
    return await auditCommand(server.url, { name: demo.name, 'site-id': demo.id, 'skip-host': [...DEMO_SKIP_HOSTS], linkage, ...auditValues } as never, { asOfDefault: DEMO_AS_OF });
  } finally {
    await server.close();
  }
}
