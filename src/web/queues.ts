/**
 * Queue health on the dashboard (queue mode): waiting / active / delayed / failed jobs per queue, the live workers and
 * vantage points, and each vantage's rounds of the last hour (impaired ones are "not measured").
 * Page: GET /queues · JSON: GET /api/queues. Registered only when the dashboard is given a queue (GOVSITE_QUEUE).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AUDIT_QUEUE, CONTROL_QUEUE, RESCORE_QUEUE, probeQueueName, redisConnection, vantagesKey, workersKey } from '../queue/common.ts';
import type { VantageRounds } from '../repo/types.ts';
import { esc, when } from './layout.ts';

export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface QueueHealth {
  at: string;
  queues: QueueCounts[];
  vantages: { vantage: string; lastSeen: string; live: boolean }[];
  workers: { id: string; vantage: string; queues: string[]; host: string; pid: number; lastSeen: string; live: boolean }[];
  rounds: VantageRounds[];
}

export class QueueMonitor {
  private readonly conn: Redis;
  private readonly queues = new Map<string, Queue>();

  constructor(
    readonly url: string,
    readonly prefix: string,
    private readonly liveMs = 60_000,
  ) {
    this.conn = redisConnection(url, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new Queue(name, { connection: this.conn as never, prefix: this.prefix })));
    return q;
  }

  async health(rounds: () => Promise<VantageRounds[]>, now = Date.now()): Promise<QueueHealth> {
    const vantageMap = await this.conn.hgetall(vantagesKey(this.prefix));
    const workerMap = await this.conn.hgetall(workersKey(this.prefix));
    const vantages = Object.entries(vantageMap)
      .map(([vantage, at]) => ({ vantage, lastSeen: new Date(Number(at)).toISOString(), live: now - Number(at) < this.liveMs }))
      .sort((a, b) => (a.vantage < b.vantage ? -1 : 1));
    const names = [CONTROL_QUEUE, AUDIT_QUEUE, RESCORE_QUEUE, ...vantages.map((v) => probeQueueName(v.vantage))];
    const queues: QueueCounts[] = [];
    for (const name of names) {
      const c = await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children');
      queues.push({ queue: name, waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 });
    }
    const workers = Object.entries(workerMap)
      .map(([id, raw]) => {
        try {
          const w = JSON.parse(raw) as { vantage: string; queues: string[]; host: string; pid: number; at: number };
          return { id, vantage: w.vantage, queues: w.queues, host: w.host, pid: w.pid, lastSeen: new Date(w.at).toISOString(), live: now - w.at < this.liveMs };
        } catch {
          return undefined;
        }
      })
      .filter((w): w is NonNullable<typeof w> => !!w)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return { at: new Date(now).toISOString(), queues, vantages, workers, rounds: await rounds() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.conn.disconnect();
  }
}

const QUEUE_LABEL: Record<string, string> = { control: '调度（control）', audit: '夜间巡检（audit）', rescore: '重新评分（rescore）' };

export function queuesPage(h: QueueHealth): string {
  const label = (q: string) => QUEUE_LABEL[q] ?? `探测 ${esc(q.replace(/^probe-/, ''))}（${esc(q)}）`;
  const rows = h.queues
    .map((q) => `<tr><td>${label(q.queue)}</td><td class="num">${q.waiting}</td><td class="num">${q.active}</td><td class="num">${q.delayed}</td><td class="num${q.failed ? ' bad' : ''}">${q.failed}</td><td class="num">${q.completed}</td></tr>`)
    .join('');
  const vrows = h.vantages
    .map((v) => {
      const r = h.rounds.find((x) => x.vantage === v.vantage);
      return `<tr><td>${esc(v.vantage)}</td><td>${v.live ? '在线' : '<span class="bad">离线</span>'}</td><td>${esc(when(v.lastSeen))}</td><td class="num">${r?.rounds ?? 0}</td><td class="num${r?.impaired ? ' bad' : ''}">${r?.impaired ?? 0}</td></tr>`;
    })
    .join('');
  const wrows = h.workers
    .map((w) => `<tr><td class="break">${esc(w.id)}</td><td>${esc(w.vantage)}</td><td>${esc(w.queues.join('、'))}</td><td>${esc(w.host)}</td><td>${w.live ? '在线' : '<span class="bad">离线</span>'}</td><td>${esc(when(w.lastSeen))}</td></tr>`)
    .join('');
  return `<h1>队列状态</h1>
<p class="muted">更新于 ${esc(when(h.at))}。探测按轮次分给各监测点；某监测点的金丝雀地址打不开或大批网站同时失败时，该轮记为“未监测”，不计入失败。</p>
<h2>任务队列</h2>
<table class="data"><thead><tr><th>队列</th><th>等待</th><th>进行中</th><th>延时</th><th>失败</th><th>已完成（保留）</th></tr></thead><tbody>${rows}</tbody></table>
<h2>监测点（最近 1 小时）</h2>
${vrows ? `<table class="data"><thead><tr><th>监测点</th><th>状态</th><th>最近心跳</th><th>探测轮次</th><th>受损轮次（未监测）</th></tr></thead><tbody>${vrows}</tbody></table>` : '<p>还没有工作进程连接到队列。</p>'}
<h2>工作进程</h2>
${wrows ? `<table class="data"><thead><tr><th>编号</th><th>监测点</th><th>任务</th><th>主机</th><th>状态</th><th>最近心跳</th></tr></thead><tbody>${wrows}</tbody></table>` : '<p>没有工作进程。</p>'}`;
}

/** Adds GET /queues and GET /api/queues to the dashboard. */
export function registerQueueRoutes(
  app: FastifyInstance,
  o: { monitor: QueueMonitor; rounds: () => Promise<VantageRounds[]>; sendPage: (req: FastifyRequest, reply: FastifyReply, title: string, body: string) => unknown },
): void {
  const health = () => o.monitor.health(o.rounds);
  app.get('/api/queues', async (_req, reply) => reply.header('cache-control', 'no-store').send(await health()));
  app.get('/queues', async (req, reply) => o.sendPage(req, reply, '队列状态', queuesPage(await health())));
}
