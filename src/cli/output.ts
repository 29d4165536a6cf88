import { writeFileAtomic } from '../store/atomic.ts';
import type { AuditReport } from '../report/audit-report.ts';
import type { Format } from './options.ts';


/** Renders a report in the chosen format to --out or stdout. */
export async function writeOutput(report: AuditReport, format: Format, out?: string): Promise<void> {
  let data: string | Buffer;
  switch (format) {
    case 'json':
      data = JSON.stringify(report, null, 2) + '\n';
      break;
    case 'html': {
      const { renderHtml } = await import('../report/html.ts');
      data = renderHtml(report);
      break;
    }
    case 'xlsx': {
      const { renderXlsx } = await import('../report/xlsx.ts');
      data = await renderXlsx(report);
      break;
    }
    default: {
      const { renderText } = await import('../report/text.ts');
      data = renderText(report, { color: !out && process.stdout.isTTY });
    }
  }
  if (out) {
    writeFileAtomic(out, data);
    if (format !== 'json' || process.stdout.isTTY) process.stderr.write(`报告已写入 ${out}\n`);
  } else {
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (e) => (e ? reject(e) : resolve())));
  }
}
