/**
 * Per-command usage (`govsite <command> [<sub>] --help`, `govsite help <command> [<sub>]`), the hint for a mistyped
 * command, and the command list. Every command and subcommand prints its own usage; exit codes are the README's:
 * 0 done, 1 could not run, 2 bad arguments.
 */
import { USAGE } from './usage.ts';

const EXIT = '退出码：0 完成；1 无法完成（原因见一行说明）；2 参数错误（在发出任何请求之前检查）。';

/** The audit options block of the global usage (from "audit 选项:" to the blank line after it). */
const AUDIT_FLAGS = (() => {
  const start = USAGE.indexOf('audit 选项:');
  const end = USAGE.indexOf('\n\n', start);
  return USAGE.slice(start, end < 0 ? undefined : end).replace(/^audit 选项:\n/, '').trimEnd();
})();

/** The usage of every command (built on first use: the monitor and dashboard texts live in their modules). */
export async function commandHelp(): Promise<Record<string, string>> {
  const { MONITOR_COMMAND_HELP } = await import('../monitor/commands.ts');
  const { SERVE_USAGE } = await import('./serve-main.ts');
  return {
  audit: `govsite audit <网址> [选项] — 对单个网站进行一次审计（抓取、检查、评分），结果存入数据库

网址不写协议（如 www.example.gov.cn）时按 http:// 检查，并在终端说明。

选项:
${AUDIT_FLAGS}

例:
  govsite audit https://www.example.gov.cn/ --name 示例市人民政府 --as-of 2021-06-15 --format html --out 示例.html

${EXIT}
`,
  demo: `govsite demo [选项] — 在本机启动内置示例政府网站（青山市人民政府，虚构）并审计它

示例网站固定使用网站编号 demo、端口 8731（--rubric hunan-2021-provincial 时为示例厅：编号 demo-dept、端口 8732），
多次运行在看板中归入同一网站；端口被占用时改用空闲端口并在终端说明。监测时间点默认 2021-06-15。

选项:
  --rubric hunan-2021-city|hunan-2021-provincial   市州示例网站（默认）或省直部门示例网站
  --port N               示例网站的端口（默认 8731 / 8732）
  --format text|json|html|xlsx、--out FILE、--manual FILE、--as-of 日期 等与 govsite audit 相同（govsite audit --help）

${EXIT}
`,
  score: `govsite score --run <编号> [选项] — 对已存储的审计重新评分（不重新抓取），例如录入人工评分之后

选项:
  --run N                审计编号（audit 的 JSON 输出中的 runId，或看板中的“检查 #N”）
  --manual FILE          人工评分与复核文件（YAML，格式见 README 与 fixtures/manual/city-example.yaml；示例网站用 fixtures/manual/demo-qingshan.yaml）
  --rubric ID|FILE       改用另一份评分细则
  --no-services          无对外服务职能（省直单位不考核办事服务，总分折合计算）
  --format text|json|html|xlsx   输出格式（默认 text）    --out FILE   写入文件
  --db FILE              数据库文件（默认 ./data/govsite.db）

${EXIT}
`,
  rubric: `govsite rubric <子命令> — 评分细则

子命令:
  govsite rubric list                 列出可用的评分细则（编号与名称）
  govsite rubric show <编号|文件>     以表格显示评分细则（如 govsite rubric show hunan-2021-city）
  govsite rubric validate <文件>      校验评分细则文件

${EXIT}（validate：文件校验未通过时为 1）
`,
  'rubric list': `govsite rubric list — 列出 rubrics/ 中的评分细则：编号、名称（校验未通过的会注明）\n\n${EXIT}\n`,
  'rubric show': `govsite rubric show <编号|文件> — 以表格显示评分细则：编号、二级指标、分值、扣分方式、评分细则原文、数据来源

例: govsite rubric show hunan-2021-provincial

${EXIT}（未知的评分细则编号为 2）
`,
  'rubric validate': `govsite rubric validate <文件> — 校验评分细则文件（结构、分值合计、编号、检查项编号）

${EXIT}（文件不存在为 2；校验未通过为 1，并列出问题）
`,
  sites: `govsite sites <子命令> --config sites.yaml — 维护监测的网站清单

子命令:
  ${MONITOR_COMMAND_HELP['sites add']}
  ${MONITOR_COMMAND_HELP['sites list']}
  ${MONITOR_COMMAND_HELP['sites remove']}

${EXIT}
`,
  'sites add': `${MONITOR_COMMAND_HELP['sites add']}

  --no-services 与 govsite audit 相同（无对外服务职能；旧写法 --no-public-services 仍可用），
  --delay MS 同一主机两次请求的最小间隔（旧写法 --politeness-ms 仍可用）。

${EXIT}
`,
  'sites list': `${MONITOR_COMMAND_HELP['sites list']}\n\n${EXIT}\n`,
  'sites remove': `${MONITOR_COMMAND_HELP['sites remove']}\n\n${EXIT}\n`,
  probe: `${MONITOR_COMMAND_HELP.probe}\n\n退出码：0 全部打开；1 有打不开的；2 参数错误。\n`,
  monitor: `${MONITOR_COMMAND_HELP.monitor}\n\n${EXIT}\n`,
  availability: `${MONITOR_COMMAND_HELP.availability}\n\n${EXIT}\n`,
  'run-now': `${MONITOR_COMMAND_HELP['run-now']}\n\n${EXIT}\n`,
  serve: SERVE_USAGE,
  inquiry: `govsite inquiry <子命令> — 检查人员的模拟咨询（govsite 从不向网站提交任何内容：检查人员提问后在此登记，每次检查在已公开的留言中查找答复）

子命令:
  govsite inquiry add --site ID --channel 渠道网址 --asked-at "YYYY-MM-DD HH:MM" --title 标题 [--note 说明]
  govsite inquiry list [--site ID] [--format json]
  govsite inquiry reply --id N (--replied-at "YYYY-MM-DD HH:MM" | --clear) [--note 说明] [--run N] [--manual FILE]
共同选项：--db FILE（默认环境变量 GOVSITE_DB，否则 ./data/govsite.db；postgres://… 为多机共享数据库）

${EXIT}
`,
  'inquiry add': `govsite inquiry add --site ID --channel 渠道网址 --asked-at "YYYY-MM-DD HH:MM" --title 标题 [--note 说明] [--db FILE]
登记一次模拟咨询，并在该网站最近一次检查中查找答复。

${EXIT}
`,
  'inquiry list': `govsite inquiry list [--site ID] [--format json] [--db FILE] — 列出模拟咨询及其答复时间\n\n${EXIT}\n`,
  'inquiry reply': `govsite inquiry reply --id N (--replied-at "YYYY-MM-DD HH:MM" | --clear) [--note 说明] [--run N] [--manual FILE] [--db FILE]
人工录入（或清除）答复时间，随即对该网站最近一次检查（或 --run 指定的检查）重新判断并评分。

${EXIT}
`,
  };
}

export const COMMANDS = ['audit', 'demo', 'score', 'rubric', 'probe', 'monitor', 'availability', 'run-now', 'sites', 'serve', 'newmedia', 'inquiry', 'help'];

const SUBCOMMANDS: Record<string, string[]> = { rubric: ['list', 'show', 'validate'], sites: ['add', 'list', 'remove'], inquiry: ['add', 'list', 'reply'] };

/** Does argv ask for help (`--help` / `-h` anywhere before `--`, or `help <command>`)? Cheap: no imports. */
export function wantsHelp(argv: readonly string[]): boolean {
  const [cmd, ...rest] = argv;
  if (cmd === 'help') return true;
  const end = argv.indexOf('--');
  const upto = end < 0 ? rest : argv.slice(1, end);
  return upto.some((a) => a === '--help' || a === '-h');
}

/**
 * The usage to print for the most specific command argv names when it asks for help; undefined when no help is
 * asked for or the command has none here (it handles --help itself).
 */
export async function helpRequested(argv: readonly string[]): Promise<string | undefined> {
  if (!wantsHelp(argv)) return undefined;
  const [cmd, ...rest] = argv;
  const words = cmd === 'help' ? rest : argv;
  const [c, sub] = words;
  if (!c) return USAGE;
  const all = await commandHelp();
  if (sub && SUBCOMMANDS[c]?.includes(sub) && all[`${c} ${sub}`]) return all[`${c} ${sub}`];
  return all[c];
}

/** Levenshtein distance (short strings). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** The command a typo most likely meant (distance ≤ 2, or a prefix), if any. */
export function suggestCommand(typed: string, known: readonly string[] = COMMANDS): string | undefined {
  const t = typed.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of known) {
    const d = c.startsWith(t) && t.length >= 2 ? 0 : distance(t, c);
    if (d <= 2 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

/** The one-line message for an unknown command (the caller adds the single "用法见 govsite --help" hint). */
export function unknownCommandMessage(cmd: string, known: readonly string[] = COMMANDS): string {
  const s = suggestCommand(cmd, known);
  return `未知命令“${cmd}”${s ? `，是否要输入 govsite ${s}？` : ''}`;
}
