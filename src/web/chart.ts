/**
 * Small inline SVG charts, generated on the server: readable without JavaScript, styled by app.css (classes only,
 * no style attributes, so the CSP can forbid inline styles). Every number drawn is also in a table next to it.
 */
import { esc, pct } from './layout.ts';

export interface Bar {
  /** Identity for tests and styling (data-key), e.g. the day or the ISO week. */
  key: string;
  /** First x-axis line, e.g. "06-14". */
  label: string;
  /** Second x-axis line, e.g. "周一 24次". */
  sublabel?: string;
  probes: number;
  failures: number;
  /** A sample below the daily minimum (drawn dashed). */
  thin?: boolean;
  /** Tooltip text. */
  title: string;
}

export interface BarChartOptions {
  title: string;
  /** Veto line (default 0.05). */
  vetoRatio?: number;
  /** Early-warning line (default 0.03); null hides it. */
  warnRatio?: number | null;
  width?: number;
  height?: number;
  /** data-chart attribute. */
  id: string;
}

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** Bars of failure ratios with the 5 % veto line. */
export function ratioBarChart(bars: readonly Bar[], o: BarChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 240;
  // The top margin holds the legend (veto and warning lines) and the value labels of the tallest bars.
  const m = { l: 48, r: 14, t: 34, b: 46 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const veto = o.vetoRatio ?? 0.05;
  const warn = o.warnRatio === undefined ? 0.03 : o.warnRatio;
  const maxRatio = Math.max(0, ...bars.map((b) => (b.probes > 0 ? b.failures / b.probes : 0)));
  // Scale: at least 10 %, rounded up to a multiple of 5 %.
  const yMax = Math.max(0.1, Math.ceil((maxRatio * 1.15) / 0.05) * 0.05);
  const y = (r: number) => m.t + ph * (1 - Math.min(r, yMax) / yMax);
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" data-chart="${esc(o.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${esc(o.title)}</title>`,
  );
  for (const t of [0, yMax / 2, yMax]) {
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${fmt(y(t))}" y2="${fmt(y(t))}"/>`);
    parts.push(`<text x="${m.l - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${esc(pct(t))}</text>`);
  }
  parts.push(`<line class="axis" x1="${m.l}" x2="${W - m.r}" y1="${fmt(y(0))}" y2="${fmt(y(0))}"/>`);
  const n = Math.max(1, bars.length);
  const slot = pw / n;
  const bw = Math.max(4, Math.min(56, slot * 0.6));
  // Labels only where they fit their slot (12 px CJK text is ~12 px a character, digits ~7 px).
  const textWidth = (t: string) => [...t].reduce((w, ch) => w + (/[\u2e80-\uffff]/.test(ch) ? 12 : 7), 0);
  const fits = (t: string) => textWidth(t) <= slot - 4;
  const valueText = (b: Bar) => (b.probes === 0 ? '无数据' : pct(b.failures / b.probes));
  const showValues = bars.every((b) => fits(valueText(b)));
  const showSub = bars.every((b) => !b.sublabel || fits(b.sublabel));
  bars.forEach((b, i) => {
    const cx = m.l + slot * i + slot / 2;
    const x = cx - bw / 2;
    const ratio = b.probes > 0 ? b.failures / b.probes : 0;
    const state = b.probes === 0 ? 'none' : ratio >= veto ? 'bad' : warn !== null && ratio >= warn ? 'warn' : 'ok';
    const top = b.probes === 0 ? y(0) - 2 : Math.min(y(ratio), y(0) - 2);
    const h = y(0) - top;
    parts.push(
      `<g class="bar-group" data-key="${esc(b.key)}" data-probes="${b.probes}" data-failures="${b.failures}" data-ratio="${b.probes > 0 ? ratio.toFixed(6) : ''}">`,
      `<title>${esc(b.title)}</title>`,
      `<rect class="bar ${state}${b.thin ? ' thin' : ''}" x="${fmt(x)}" y="${fmt(top)}" width="${fmt(bw)}" height="${fmt(h)}"/>`,
      showValues ? `<text class="value${state === 'bad' ? ' lbl-bad' : ''}" x="${fmt(cx)}" y="${fmt(top - 5)}" text-anchor="middle">${esc(valueText(b))}</text>` : '',
      `<text x="${fmt(cx)}" y="${fmt(H - m.b + 16)}" text-anchor="middle">${esc(b.label)}</text>`,
      b.sublabel && showSub ? `<text x="${fmt(cx)}" y="${fmt(H - m.b + 32)}" text-anchor="middle">${esc(b.sublabel)}</text>` : '',
      '</g>',
    );
  });
  if (warn !== null && warn < yMax) {
    parts.push(`<line class="warnline" x1="${m.l}" x2="${W - m.r}" y1="${fmt(y(warn))}" y2="${fmt(y(warn))}"><title>预警线 ${esc(pct(warn))}</title></line>`);
  }
  // The lines' legend sits in the top margin, right-aligned, clear of the bars and their value labels.
  const legend: string[] = [];
  let lx = W - m.r;
  const item = (cls: string, text: string) => {
    const tw = textWidth(text);
    legend.push(`<text class="${cls}label legend" x="${fmt(lx)}" y="12" text-anchor="end">${esc(text)}</text>`);
    lx -= tw + 4;
    legend.push(`<line class="key-${cls}" x1="${fmt(lx - 18)}" x2="${fmt(lx)}" y1="8" y2="8"/>`);
    lx -= 18 + 12;
  };
  item('veto', `否决线 ${pct(veto)}`);
  if (warn !== null && warn < yMax) item('warn', `预警线 ${pct(warn)}`);
  parts.push(
    `<line class="vetoline" x1="${m.l}" x2="${W - m.r}" y1="${fmt(y(veto))}" y2="${fmt(y(veto))}"><title>单项否决线 ${esc(pct(veto))}</title></line>`,
    ...legend,
    '</svg>',
  );
  return parts.join('');
}

export interface ScorePoint {
  key: string;
  label: string;
  total: number;
  provisional: boolean;
  title: string;
}

/** A line of audit totals across runs (oldest left). */
export function scoreLineChart(points: readonly ScorePoint[], o: { title: string; id: string; width?: number; height?: number }): string {
  const W = o.width ?? 640;
  const H = o.height ?? 200;
  const m = { l: 40, r: 16, t: 18, b: 34 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const vals = points.map((p) => p.total);
  const lo = Math.max(0, Math.floor((Math.min(...vals, 100) - 5) / 10) * 10);
  const hi = Math.min(120, Math.max(100, Math.ceil((Math.max(...vals) + 1) / 10) * 10));
  const y = (v: number) => m.t + ph * (1 - (v - lo) / (hi - lo || 1));
  const x = (i: number) => (points.length === 1 ? m.l + pw / 2 : m.l + (pw * i) / (points.length - 1));
  const parts: string[] = [
    `<svg class="chart" data-chart="${esc(o.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${esc(o.title)}</title>`,
  ];
  for (const t of [lo, (lo + hi) / 2, hi]) {
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${fmt(y(t))}" y2="${fmt(y(t))}"/>`);
    parts.push(`<text x="${m.l - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  if (points.length > 1) parts.push(`<polyline class="line" points="${points.map((p, i) => `${fmt(x(i))},${fmt(y(p.total))}`).join(' ')}"/>`);
  // x labels: every k-th point and the last one, never two closer than a label's width.
  const every = Math.max(1, Math.ceil(points.length / 10));
  const last = points.length - 1;
  const labelled = (i: number) => i === last || (i % every === 0 && (last - i >= every || points.length === 1));
  points.forEach((p, i) => {
    parts.push(
      `<g data-key="${esc(p.key)}" data-total="${p.total}"><title>${esc(p.title)}</title>`,
      `<circle class="dot${p.provisional ? ' prov' : ''}" cx="${fmt(x(i))}" cy="${fmt(y(p.total))}" r="4"/>`,
      labelled(i) ? `<text x="${fmt(x(i))}" y="${fmt(H - m.b + 18)}" text-anchor="middle">${esc(p.label)}</text>` : '',
      '</g>',
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A response-time sparkline (no axes): one point per probe, failed probes as red marks at the top. For the status
 * table; the numbers are in its title and the row beside it.
 */
export function sparkline(points: readonly { ms: number; failed: boolean; at: string }[], o: { title: string; width?: number; height?: number; id?: string }): string {
  const W = o.width ?? 120;
  const H = o.height ?? 28;
  if (!points.length) return '<span class="muted small">无数据</span>';
  const okMs = points.filter((p) => !p.failed).map((p) => p.ms);
  const max = Math.max(1000, ...okMs);
  const x = (i: number) => (points.length === 1 ? W / 2 : 2 + ((W - 4) * i) / (points.length - 1));
  const y = (ms: number) => H - 2 - ((H - 6) * Math.min(ms, max)) / max;
  const parts = [
    `<svg class="spark"${o.id ? ` data-chart="${esc(o.id)}"` : ''} viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(o.title)}</title>`,
  ];
  const line = points.map((p, i) => (p.failed ? null : `${fmt(x(i))},${fmt(y(p.ms))}`)).filter(Boolean);
  if (line.length > 1) parts.push(`<polyline class="spark-line" points="${line.join(' ')}"/>`);
  points.forEach((p, i) => {
    if (p.failed) parts.push(`<rect class="spark-fail" x="${fmt(x(i) - 1)}" y="1" width="2" height="${H - 2}"/>`);
  });
  const lastOk = [...points].reverse().find((p) => !p.failed);
  if (lastOk) parts.push(`<circle class="spark-dot" cx="${fmt(x(points.lastIndexOf(lastOk)))}" cy="${fmt(y(lastOk.ms))}" r="2"/>`);
  parts.push('</svg>');
  return parts.join('');
}
