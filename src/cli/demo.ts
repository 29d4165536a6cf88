import path from 'node:path';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS } from '../demo/server.ts';
import { auditArgs, auditCommand, type AuditValues } from './main.ts';

/** The demo's monitoring time point: the bundled site's dates are fixed around it. */
export const DEMO_AS_OF = '2021-06-15';

/**
 * `govsite demo`: serves the bundled demo government site (青山市人民政府, fictional) on 127.0.0.1 and audits it
 * exactly as `govsite audit` would audit a real site, storing the run in the SQLite database.
 */
export async function demoCommand(values: Record<string, unknown>): Promise<number> {
  auditArgs(values as AuditValues, { asOfDefault: DEMO_AS_OF }); // every argument checked before the site starts
  const dept = values.rubric === 'hunan-2021-provincial';
  const server = await startFixtureServer(demoSiteDir(dept ? 'demo-dept' : 'demo'));
  try {
    process.stderr.write(`示例网站已在 ${server.url} 启动（监测时间点默认 ${DEMO_AS_OF}）\n`);
    // The demo's 联动传播 list (not served by the fixture server).
    const linkage = [path.join(demoSiteDir(dept ? 'demo-dept' : 'demo'), '_linkage', '2021Q2.yaml')];
    return await auditCommand(server.url, { name: dept ? '湖南省示例厅' : '青山市人民政府', 'skip-host': [...DEMO_SKIP_HOSTS], linkage, ...values } as never, { asOfDefault: DEMO_AS_OF });
  } finally {
    await server.close();
  }
}
