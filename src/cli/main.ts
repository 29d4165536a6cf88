import { parseArgs } from 'node:util';
import fs from 'node:fs';
import { AuditError } from '../audit/run.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { zhArgError, zhText } from '../report/zh.ts';
import { USAGE, UsageError } from './usage.ts';
import { guardStdio } from '../runtime/log-stream.ts';
import { AUDIT_OPTIONS } from './options.ts';
import { auditCommand } from './audit-cmd.ts';

/**
 * govsite command line. Every command prints Chinese summaries for people; logs go to stderr in English (pino).
 * Exit codes: 0 = the job ran (findings or not); 1 = it could not run (one-line reason); 2 = bad arguments.
 * This module only dispatches: the shared options live in options.ts, the audit command in audit-cmd.ts.
 */

export { auditArgs, auditUrlArg, checkAsOf, formatOpt, gatherOpt, intOpt, makeLogger, manualArg, outArg, rubricArg, withLinkage, type AuditValues, type Format } from './options.ts';
export { auditCommand } from './audit-cmd.ts';

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || (cmd === 'help' && !rest.length)) {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  // `govsite <command> [<sub>] --help` and `govsite help <command> [<sub>]`: that command's own usage.
  const { helpRequested, unknownCommandMessage } = await import('./help.ts');
  const usage = await helpRequested(argv);
  if (usage !== undefined) {
    process.stdout.write(usage);
    return 0;
  }
  if (cmd === 'help') throw new UsageError(unknownCommandMessage(rest[0]));
  if (cmd === '--version' || cmd === '-V') {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`govsite ${pkg.version}\n`);
    return 0;
  }
  switch (cmd) {
    case 'audit': {
      const { values, positionals } = parseArgs({ args: rest, options: AUDIT_OPTIONS, allowPositionals: true, strict: true });
      if (values.help) return help();
      if (positionals.length > 1) throw new UsageError(`audit 只接受一个网址（收到 ${positionals.length} 个）`);
      return auditCommand(positionals[0], values);
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { ...AUDIT_OPTIONS, port: { type: 'string' } }, allowPositionals: false, strict: true });
      if (values.help) return help();
      const { demoCommand } = await import('./demo.ts');
      return demoCommand(values);
    }
    case 'score': {
      const { scoreCommand } = await import('./score-cmd.ts');
      return scoreCommand(rest);
    }
    case 'rubric': {
      const { rubricCommand } = await import('./rubric-main.ts');
      return rubricCommand(rest);
    }
    case 'probe':
    case 'monitor':
    case 'availability':
    case 'run-now':
    case 'sites': {
      const { monitorCommands } = await import('./monitor-main.ts');
      return monitorCommands(cmd, rest);
    }
    case 'inquiry': {
      const { inquiryCommand } = await import('./inquiry-cmd.ts');
      return inquiryCommand(rest);
    }
    case 'serve': {
      const { serveCommand } = await import('./serve-main.ts');
      return serveCommand(rest);
    }
    case 'newmedia': {
      const { newmediaCommand } = await import('./newmedia-main.ts');
      return newmediaCommand(rest);
    }
    case 'worker': {
      const { workerCommand } = await import('./queue-main.ts');
      return workerCommand(rest);
    }
    case 'store': {
      const { storeCommand } = await import('./queue-main.ts');
      return storeCommand(rest);
    }
    default:
      throw new UsageError(unknownCommandMessage(cmd));
  }
}

function help(): number {
  process.stdout.write(USAGE);
  return 0;
}

export type { AuditReport };

const LONG_RUNNING = new Set(['monitor', 'serve', 'worker']);

export async function runCli(argv: string[]): Promise<void> {
  // A reader of stdout/stderr that has gone (EPIPE) must not turn a clean stop into an uncaught exception.
  guardStdio();
  try {
    process.exitCode = await main(argv);
    // Commands end here even if a library left a keep-alive socket, timer or a log write to a stalled pipe behind
    // (long-running ones get a little longer: they have just shut down and may still be writing their last lines).
    setTimeout(() => process.exit(), LONG_RUNNING.has(argv[0] ?? '') ? 2_000 : 200).unref();
  } catch (e) {
    const err = e as Error & { code?: string };
    // Messages for people in Chinese: parseArgs' English and machine reasons go through the translation table.
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`govsite：${err.code?.startsWith('ERR_PARSE_ARGS') ? zhArgError(err.code, err.message) : err.message}\n用法见 govsite --help\n`);
      process.exitCode = 2;
    } else if (e instanceof AuditError) {
      process.stderr.write(`govsite：审计未能进行：${zhText(err.message)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`govsite：${zhText(err.message)}\n`);
      if (process.env.GOVSITE_DEBUG) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  }
}
