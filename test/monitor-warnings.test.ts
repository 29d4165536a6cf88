import http from 'node:http';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelConfig } from '../src/monitor/config.ts';
import { parseSitesConfig } from '../src/monitor/config.ts';
import { FakeClock } from '../src/monitor/clock.ts';
import { startMonitor } from '../src/monitor/monitor.ts';
import { ensureMonitorSchema } from '../src/monitor/schema.ts';
import { dayStartMs } from '../src/monitor/time.ts';
import { evaluateWarnings, sendWarnings, signDingTalkUrl } from '../src/monitor/warnings.ts';
import { openDatabase } from '../src/store/db.ts';

interface Received {
  path: string;
  body: unknown;
}

let server: http.Server;
let base = '';
let received: Received[] = [];
let failHook = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, body: JSON.parse(data) });
      res.setHeader('content-type', 'application/json');
      if (path.startsWith('/hook') && failHook) {
        res.statusCode = 503;
        return res.end('{"error":"busy"}');
      }
      if (path.startsWith('/dingtalk-bad')) return res.end('{"errcode":310000,"errmsg":"keywords not in content"}');
      if (path.startsWith('/dingtalk') || path.startsWith('/wecom')) return res.end('{"errcode":0,"errmsg":"ok"}');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const site = { id: 'xt', name: '湘潭市人民政府', url: 'http://www.xt.gov.cn/', region: '湘潭市' };
const avail = (probes: number, failures: number) => ({ site: 'xt', week: '2021-W24', probes, failures, ratio: failures / probes, veto: failures * 20 >= probes, insufficientDays: 4, notMeasuredHours: 0 });

describe('evaluateWarnings', () => {
  it('availability ≥ 3 % so far this week, only with enough probes', () => {
    expect(evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(72, 2) })).toEqual([]); // 2.8 %
    const [w] = evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(72, 3) }); // 4.2 %
    expect(w).toMatchObject({ siteId: 'xt', condition: 'availability', week: '2021-W24', region: '湘潭市' });
    expect(w.message).toContain('湘潭市人民政府');
    expect(w.message).toContain('4.2%');
    expect(evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(10, 5) })).toEqual([]); // too few probes to judge
    expect(evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(72, 2), thresholds: { failureRatio: 0.02 } })).toHaveLength(1);
  });

  it('homepage not updated for more than 10 days; more than 2 empty columns', () => {
    const ws = evaluateWarnings({ site, asOf: '2021-06-16', audit: { homepageNewestDate: '2021-06-05', emptyColumns: 3 } });
    expect(ws.map((w) => w.condition)).toEqual(['homepage-stale', 'empty-columns']);
    expect(ws[0].message).toContain('11 天未更新');
    expect(ws[1].message).toContain('空白栏目 3 个');
    expect(evaluateWarnings({ site, asOf: '2021-06-16', audit: { homepageNewestDate: '2021-06-06', emptyColumns: 2 } })).toEqual([]);
    expect(evaluateWarnings({ site, asOf: '2021-06-16', audit: { homepageNewestDate: 'garbage' } })).toEqual([]);
  });
});

describe('sendWarnings', () => {
  it('delivers to webhook, DingTalk and WeCom once per condition per week', async () => {
    received = [];
    const db = openDatabase(':memory:');
    ensureMonitorSchema(db);
    const channels: ChannelConfig[] = parseSitesConfig(`
warnings:
  channels:
    - { type: webhook, url: "${base}/hook" }
    - { type: dingtalk, url: "${base}/dingtalk?access_token=t", secret: SEC123 }
    - { type: wecom, url: "${base}/wecom?key=k", regions: [湘潭市] }
    - { type: wecom, name: other-city, url: "${base}/wecom?key=other", regions: [长沙市] }
`).warnings.channels;
    const ws = evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(72, 3), audit: { emptyColumns: 4 } });
    const first = await sendWarnings(db, ws, channels);
    expect(first.results.every((r) => r.ok)).toBe(true);
    expect(first.delivered).toBe(6); // 2 warnings × 3 channels (the 长沙市 channel gets none)
    expect(received.map((r) => r.path.split('?')[0])).toEqual(['/hook', '/dingtalk', '/wecom']);
    const hook = received[0].body as { warnings: { site: string; condition: string }[]; text: string };
    expect(hook.warnings.map((w) => w.condition)).toEqual(['availability', 'empty-columns']);
    const ding = received[1];
    expect(ding.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('政府网站监测预警') } });
    expect(ding.path).toMatch(/timestamp=\d+&sign=/);
    expect(received[2].body).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('空白栏目') } });

    // same week again: nothing new goes out
    received = [];
    const again = await sendWarnings(db, ws, channels);
    expect(again.delivered).toBe(0);
    expect(again.skipped).toBe(6);
    expect(received).toEqual([]);

    // next week: sent again
    const next = evaluateWarnings({ site, asOf: '2021-06-22', availability: { ...avail(72, 3), week: '2021-W25' } });
    expect((await sendWarnings(db, next, channels)).delivered).toBe(3);
    db.close();
  });

  it('a failing channel is retried later; a robot error reply counts as failure', async () => {
    received = [];
    const db = openDatabase(':memory:');
    const channels = parseSitesConfig(`
warnings:
  channels:
    - { type: webhook, url: "${base}/hook" }
    - { type: dingtalk, url: "${base}/dingtalk-bad?access_token=t" }
`).warnings.channels;
    const ws = evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(72, 3) });
    failHook = true;
    const r1 = await sendWarnings(db, ws, channels);
    expect(r1.results.map((r) => r.ok)).toEqual([false, false]);
    expect(r1.results[0].error).toContain('503');
    expect(r1.results[1].error).toContain('310000');
    failHook = false;
    const r2 = await sendWarnings(db, ws, channels);
    expect(r2.results[0]).toMatchObject({ ok: true, sent: 1 });
    const r3 = await sendWarnings(db, ws, channels);
    expect(r3.results.filter((r) => r.channel.startsWith('webhook'))).toEqual([]);
    db.close();
  });

  it('DingTalk signature is HMAC-SHA256 of "timestamp\\nsecret"', () => {
    const u = signDingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=x', 'SECabc', 1_600_000_000_000);
    expect(u).toBe('https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1600000000000&sign=' + encodeURIComponent('ABcUcMOwyGGKmiNbHqEbhvKpuIGkMXqT1gAGfAAmnk8='));
  });

  it('e-mail through an injected nodemailer JSON transport', async () => {
    const db = openDatabase(':memory:');
    const sent: { subject: string; text: string; to: unknown }[] = [];
    const channels = parseSitesConfig(`
warnings:
  channels:
    - { type: email, host: smtp.invalid, from: govsite@xt.gov.cn, to: webmaster@xt.gov.cn }
`).warnings.channels;
    const r = await sendWarnings(db, evaluateWarnings({ site, asOf: '2021-06-16', availability: avail(72, 3) }), channels, {
      mailTransport: () => {
        const t = nodemailer.createTransport({ jsonTransport: true });
        const orig = t.sendMail.bind(t);
        t.sendMail = (async (m: nodemailer.SendMailOptions) => {
          const info = await orig(m);
          sent.push(JSON.parse((info as { message: string }).message));
          return info;
        }) as typeof t.sendMail;
        return t;
      },
    });
    expect(r.delivered).toBe(1);
    expect(sent[0].subject).toContain('湘潭市人民政府');
    expect(sent[0].text).toContain('失败占比');
    db.close();
  });

  it('e-mail over real SMTP to a loopback stub server', async () => {
    const mails: string[] = [];
    const smtp = net.createServer((sock) => {
      sock.setEncoding('utf8');
      let buf = '';
      let inData = false;
      let data = '';
      sock.write('220 stub.xt.gov.cn ESMTP\r\n');
      sock.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (inData) {
            if (line === '.') {
              inData = false;
              mails.push(data);
              data = '';
              sock.write('250 2.0.0 queued\r\n');
            } else data += `${line}\n`;
            continue;
          }
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250-stub.xt.gov.cn\r\n250 8BITMIME\r\n');
          else if (cmd === 'MAIL' || cmd === 'RCPT' || cmd === 'RSET' || cmd === 'NOOP') sock.write('250 OK\r\n');
          else if (cmd === 'DATA') {
            inData = true;
            sock.write('354 go ahead\r\n');
          } else if (cmd === 'QUIT') {
            sock.write('221 bye\r\n');
            sock.end();
          } else sock.write('502 unsupported\r\n');
        }
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.address() as net.AddressInfo).port;
    const db = openDatabase(':memory:');
    const channels = parseSitesConfig(`
warnings:
  channels:
    - { type: email, host: 127.0.0.1, port: ${port}, from: govsite@xt.gov.cn, to: [webmaster@xt.gov.cn, ops@xt.gov.cn] }
`).warnings.channels;
    const ws = evaluateWarnings({ site, asOf: '2021-06-16', audit: { homepageNewestDate: '2021-06-01' } });
    const r = await sendWarnings(db, ws, channels);
    expect(r.results[0]).toMatchObject({ ok: true, sent: 1 });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/^To: webmaster@xt\.gov\.cn, ops@xt\.gov\.cn$/m);
    expect(mails[0]).toMatch(/^Subject: /m);
    expect((await sendWarnings(db, ws, channels)).delivered).toBe(0);
    expect(mails).toHaveLength(1);
    db.close();
    await new Promise<void>((res) => smtp.close(() => res()));
  });
});

describe('monitor availability warnings', () => {
  it('the running monitor warns once when a site fails ≥ 3 % so far this week', async () => {
    received = [];
    const db = openDatabase(':memory:');
    const config = parseSitesConfig(`
warnings:
  channels: [{ type: wecom, url: "${base}/wecom?key=k" }]
sites:
  - { id: good, name: 好网站, url: "http://good.gov.cn/", rubric: hunan-2021-city }
  - { id: flaky, name: 不稳定网站, url: "http://flaky.gov.cn/", rubric: hunan-2021-city }
`);
    const clock = new FakeClock(dayStartMs('2021-06-14'));
    let n = 0;
    const h = startMonitor({
      db,
      config,
      clock,
      handleSignals: false,
      warningIntervalMs: 0,
      logger: { info() {}, warn() {}, error() {} },
      probe: async (site) => {
        const fail = site.id === 'flaky' && n++ % 10 === 0; // 10 % failures
        return { url: site.url, finalUrl: site.url, at: new Date(clock.now()).toISOString(), outcome: fail ? 'timeout' : 'ok', ms: 5, phases: {}, bytes: 1, redirects: 0 };
      },
    });
    await clock.advance(86_400_000);
    await h.checkWarnings();
    await h.checkWarnings();
    await h.stop();
    expect(received).toHaveLength(1);
    const content = (received[0].body as { text: { content: string } }).text.content;
    expect(content).toContain('不稳定网站');
    expect(content).not.toContain('好网站');
    db.close();
  });
});
