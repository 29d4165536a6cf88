export class UsageError extends Error {}

export const USAGE = `govsite — 政府网站常态化检查工具（湖南省 2021 年检查指标）

用法:
  govsite audit <url> [选项]          对单个网站进行一次审计（抓取、检查、评分）
  govsite demo [--rubric ID] [--port N] [选项]   在本机启动内置示例政府网站（固定端口 8731）并审计它
  govsite score --run <id> [--manual FILE] [--format ...]   对已存储的审计重新评分（不重新抓取）
  govsite rubric list                 列出可用的评分细则
  govsite rubric validate <file>      校验评分细则文件
  govsite rubric show <id|file>       以表格显示评分细则
  govsite probe <url> [--count N] [--interval S] [--timeout S] [--format text|json]
  govsite monitor --config sites.yaml 常驻监测：每天 20 次以上可用性探测 + 每晚全站审计
  govsite availability [--site ID] [--week 2021-W24 | --from DATE --to DATE] [--format text|json]
  govsite run-now [--site ID] --config sites.yaml
  govsite sites add|list|remove ... --config sites.yaml
  govsite inquiry add --site ID --channel URL --asked-at "2021-06-01 10:00" --title "…" [--note …]
                                      录入模拟咨询（检查人员在网站上模拟提问后登记；govsite 不会代为提交）
  govsite inquiry list [--site ID]    列出模拟咨询记录
  govsite inquiry reply --id N --replied-at "2021-06-02 09:30" [--clear]
                                      人工录入答复时间，并对该网站最近一次检查重新评分
  govsite monitor --queue redis://… --config sites.yaml [--db postgres://…]
                                      队列模式：调度进程（探测轮次与夜间巡检交给工作进程）
  govsite worker --vantage ID [--queues probe,audit,rescore] [--queue redis://…] [--db postgres://…]
                                      队列模式：工作进程（某一监测点的探测、夜间巡检）
  govsite store migrate --from sqlite:./data/govsite.db --to postgres://…
                                      把单机数据库复制到 PostgreSQL（分批，可重复执行）
  govsite serve [--port N] [--host H] [--db FILE] [--config sites.yaml] [--token-file F] [--demo]
                                      启动看板（默认仅本机 127.0.0.1；--demo 使用示例数据）
  govsite newmedia import FILE [--config sites.yaml] | list [--unit 单位] | set-post --account 账号 (--url 文章网址 | --at 日期 --evidence 依据)
                                      政务新媒体与网站名录：导入、查看、记录最新发布（govsite newmedia --help）

audit 选项:
  --rubric hunan-2021-city|hunan-2021-provincial   评分细则（默认 hunan-2021-city，市州）
  --as-of YYYY-MM-DD     监测时间点，所有日期规则以此为准（默认今天，北京时间；2000-01-01 至今天起一年内）
  --max-pages N          最多抓取页面数（默认 2000）     --max-depth N   最大链接深度（默认 10）
  --concurrency N        同时抓取的页面数（默认 4）       --per-host N    每个主机同时请求数
  --delay MS             同一主机两次请求的最小间隔       --timeout S     单个请求超时秒数（默认 15）
  --format text|json|html|xlsx   输出格式（默认 text）    --out FILE      写入文件而不是标准输出
  --db FILE              数据库文件（默认 ./data/govsite.db）
  --manual FILE          人工评分与复核文件（YAML）
  --name 名称            单位名称（用于网站名称检查）     --parent-domain 域名  部门网站所属政府门户域名
  --no-services          无对外服务职能（省直单位不考核办事服务，总分折合计算）
  --no-browser           不使用浏览器渲染确认           --no-network   不检测 DNS/IPv6
  --skip-host HOST       不检查该主机上的链接（记为“未核实”），可多次给出
  --gather ID.KEY=VALUE  采集器选项（如 interaction.budget=100），可多次给出
  --linkage FILE         联动传播清单（YAML 或 XLSX：标题、来源、日期、关键词），可多次给出（每季度一个文件）
  --no-gather            不运行抓取之后的采集器（留言板、办事大厅、政策文件库等），相关指标记为“未核实”
  --canary URL           外网检测地址，可多次给出：外部链接无应答且这些地址也连不上时，判为本机网络不可达，
                         外部链接记为“未核实”（不给出时：3 个以上外部网站全部无法连接且无一应答即如此判断）
  -v, --verbose          输出运行日志（stderr）

环境变量: GOVSITE_DB（数据库：文件路径或 postgres://…，代替 --db）、GOVSITE_QUEUE（redis://…，代替 --queue）

每个命令的用法：govsite <命令> --help（如 govsite sites add --help、govsite rubric show --help）。

退出码: 0 审计已完成（无论有无问题）；1 无法审计（原因见一行说明）；2 参数错误（网址、评分细则、文件、日期、数字等，
在发出任何请求之前检查）。
`;
