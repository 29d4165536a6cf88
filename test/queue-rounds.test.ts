import { describe, expect, it } from 'vitest';
import { slotTimes } from '../src/monitor/scheduler.ts';
import { dayStartMs } from '../src/monitor/time.ts';
import { SlotTable } from '../src/queue/rounds.ts';
import { judgeRound } from '../src/repo/confirm.ts';
import { isBlockedAnswer } from '../src/monitor/probe.ts';

describe('probe windows of queue mode', () => {
  it('hold exactly the one-machine monitor’s slots: every site N times a day, whatever the window length', () => {
    const sites = Array.from({ length: 40 }, (_, i) => ({ id: `site-${i}`, url: `http://s${i}.gov.test/`, probesPerDay: i % 3 ? 24 : 20 }));
    const table = new SlotTable(sites);
    const day = dayStartMs('2021-06-14');
    for (const len of [10_000, 7_000, 3_600_000]) {
      const got = new Map<string, number[]>();
      for (let w = day; w < day + 86_400_000; w += len) {
        for (const s of table.window(w, Math.min(len, day + 86_400_000 - w))) {
          expect(s.slotAt).toBeGreaterThanOrEqual(w);
          expect(s.slotAt).toBeLessThan(w + len);
          got.set(s.id, [...(got.get(s.id) ?? []), s.slotAt]);
        }
      }
      for (const s of sites) expect(got.get(s.id)).toEqual(slotTimes(s.id, s.probesPerDay, day));
    }
  });

  it('judges a vantage impaired by its canaries or by an unusual share of failures on many hosts', () => {
    const fail = (n: number, hosts: number) => Array.from({ length: n }, (_, i) => ({ host: `h${i % hosts}`, failed: true, blocked: false }));
    expect(judgeRound(fail(1, 1), [{ ok: false }])).toEqual({ impaired: true, reason: 'canaries' });
    expect(judgeRound(fail(1, 1), [{ ok: false }, { ok: true }])).toEqual({ impaired: false });
    expect(judgeRound(fail(30, 12), [])).toEqual({ impaired: true, reason: 'share' });
    expect(judgeRound(fail(30, 3), [])).toEqual({ impaired: false }); // a few hosts down is about them, not us
    expect(judgeRound([...fail(10, 10), ...Array.from({ length: 20 }, () => ({ host: 'x', failed: false, blocked: false }))], [])).toEqual({ impaired: false });
  });

  it('tells a WAF answer from a site error', () => {
    expect(isBlockedAnswer(429, '')).toBe(true);
    expect(isBlockedAnswer(403, '<title>访问被拒绝</title> 网站防火墙拦截')).toBe(true);
    expect(isBlockedAnswer(403, '<h1>Forbidden</h1>')).toBe(false);
    expect(isBlockedAnswer(404, '拦截')).toBe(false);
  });
});
