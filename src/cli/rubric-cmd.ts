/**
 * Functions behind `govsite rubric validate <file>` and `govsite rubric show <id|file>` (wired in src/cli/main.ts).
 */
import fs from 'node:fs';
import {
  loadRubric,
  parseRubric,
  RubricError,
  type BonusRule,
  type Rubric,
  type RubricRule,
  type RuleSource,
} from '../score/rubric.ts';

/** Validates a rubric file (schema, sums, ids, check ids). Never throws. */
export function rubricValidate(file: string): { ok: boolean; errors: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
  }
  try {
    parseRubric(text.replace(/^\ufeff/, ''), file);
    return { ok: true, errors: [] };
  } catch (e) {
    if (e instanceof RubricError) return { ok: false, errors: e.errors };
    return { ok: false, errors: [`${file}: ${(e as Error).message}`] };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Table rendering (monospace terminals: CJK characters take two columns)
// ---------------------------------------------------------------------------------------------------------------

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Display width in terminal columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

function truncateWidth(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = WIDE.test(ch) ? 2 : 1;
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

interface Section {
  title: string;
  header: string[];
  rows: string[][];
}

/** Renders sections as tables sharing one set of column widths (so every section lines up). */
function renderSections(sections: Section[], maxWidths: number[]): string[] {
  const cut = (r: string[]) => r.map((c, i) => truncateWidth(c, maxWidths[i] ?? 80));
  const all = sections.flatMap((s) => [s.header, ...s.rows.map(cut)]);
  const widths = maxWidths.map((_, i) => Math.max(0, ...all.map((r) => displayWidth(r[i] ?? ''))));
  const out: string[] = [];
  for (const s of sections) {
    out.push('', s.title, ...table(s.header, s.rows.map(cut), widths).map((l) => '  ' + l));
  }
  return out;
}

function table(header: string[], cells: string[][], widths: number[]): string[] {
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i])))
      .join('  ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), sep, ...cells.map(line)];
}

const fmt = (n: number) => String(n);

function sourceText(s: RuleSource, deduct: number): string {
  let t = s.check;
  const conds = Object.entries(s.where ?? {}).map(([k, v]) => `${k.replace(/^evidence\./, '')}=${condText(v)}`);
  if (conds.length) t += `[${conds.join(',')}]`;
  if (s.weight !== undefined && s.weight !== 1) t += `×${fmt(s.weight)}(${fmt(s.weight * deduct)}分)`;
  if (s.confirm) t += '(需复核确认)';
  return t;
}

function condText(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join('|');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const bits: string[] = [];
    if (o.eq !== undefined) bits.push(String(o.eq));
    if (o.ne !== undefined) bits.push(`≠${String(o.ne)}`);
    if (Array.isArray(o.in)) bits.push(o.in.map(String).join('|'));
    if (Array.isArray(o.notIn)) bits.push(`非${o.notIn.map(String).join('|')}`);
    if (o.exists !== undefined) bits.push(o.exists ? '存在' : '不存在');
    return bits.join(',');
  }
  return String(v);
}

function ruleMethod(r: RubricRule): string {
  const unit = r.unit ?? '处';
  let t = r.mode === 'fixed' ? `扣${fmt(r.deduct)}分` : `每${unit}扣${fmt(r.deduct)}分`;
  if (r.cap !== undefined) t += `，封顶${fmt(r.cap)}分`;
  return t;
}

function bonusMethod(r: BonusRule): string {
  const unit = r.unit ?? '个';
  let t = r.mode === 'fixed' ? `得${fmt(r.points)}分` : `每${unit}得${fmt(r.points)}分`;
  if (r.cap !== undefined) t += `，封顶${fmt(r.cap)}分`;
  if (r.oneOf) t += '（择一）';
  return t;
}

function ruleSource(r: RubricRule): string {
  if (r.manual) return '人工';
  const count = r.mode === 'fixed' ? '' : r.count && r.count !== 'findings' ? ` 按${COUNT_TITLES[r.count]}` : '';
  return `机器: ${(r.sources ?? []).map((s) => sourceText(s, r.deduct)).join('; ')}${count}`;
}

const COUNT_TITLES: Record<string, string> = {
  findings: '问题条数',
  'distinct-pages': '页面计',
  'distinct-targets': '链接目标计',
  'distinct-checks': '检查项计',
  'distinct-details': '栏目计',
  once: '一次',
};

const UNIT_TYPE_TITLES: Record<string, string> = { city: '市州', provincial: '省直单位' };

/** A Chinese, monospace table of a rubric (by id or file). Throws RubricError when it does not load. */
export function rubricShow(idOrFile: string): string {
  const r: Rubric = loadRubric(idOrFile);
  const out: string[] = [];
  out.push(`${r.title}（${r.id}，${UNIT_TYPE_TITLES[r.unitType] ?? r.unitType}）`);
  if (r.source) out.push(`来源：${r.source}`);
  out.push(
    `基本分 ${fmt(r.totals.base)} 分（${r.level1.map((l) => `${l.name} ${fmt(l.points)}`).join('，')}）；加分项上限 ${fmt(r.bonus.ceiling)} 分`,
  );

  const widths = [36, 18, 6, 22, 60, 70];
  const header = ['编号', '二级指标', '分值', '扣分方式', '评分细则', '数据来源'];
  const sections: Section[] = [];

  const vetoRows: string[][] = [];
  for (const g of r.veto) {
    vetoRows.push([g.id, g.level2, '单否', '', '', '']);
    for (const s of g.subItems) {
      const src = s.manual
        ? '人工'
        : `机器: ${(s.triggers ?? [])
            .map((t) => `${t.sources.map((x) => sourceText(x, 1)).join('+')} ≥${t.threshold ?? 1}${t.unit ?? '个'}`)
            .join(' 或 ')}`;
      vetoRows.push([`  ${s.id}`, '', '', '', s.text, src]);
    }
  }
  sections.push({ title: '【单否指标】出现任何一项，则判定为不合格', header: ['编号', '二级指标', '分值', '', '单否情形', '数据来源'], rows: vetoRows });

  for (const l1 of r.level1) {
    const rows: string[][] = [];
    for (const item of r.items.filter((i) => i.level1 === l1.name)) {
      const capNote = item.cap !== undefined && item.cap !== item.max ? `封顶${fmt(item.cap)}分` : '累计扣分不超过本条分值';
      rows.push([item.id, item.level2, fmt(item.max), capNote, item.sampling ? `抽查：${item.sampling.text}` : '', '']);
      for (const rule of item.rules) {
        rows.push([`  ${rule.id}`, '', '', ruleMethod(rule), rule.text, ruleSource(rule)]);
      }
    }
    sections.push({ title: `【${l1.name}】${fmt(l1.points)} 分`, header, rows });
  }

  const bonusRows: string[][] = [];
  for (const b of r.bonus.items) {
    bonusRows.push([b.id, b.level2, fmt(b.max), '', b.sampling ? `抽查：${b.sampling.text}` : '', '']);
    for (const rule of b.rules) bonusRows.push([`  ${rule.id}`, '', '', bonusMethod(rule), rule.text, '人工']);
  }
  sections.push({
    title: `【${r.bonus.level1}】上限 ${fmt(r.bonus.ceiling)} 分（累计加分不超过本条分值）`,
    header: ['编号', '二级指标', '分值', '加分方式', '评分细则', '数据来源'],
    rows: bonusRows,
  });
  out.push(...renderSections(sections, widths));

  if (r.profiles?.length) {
    out.push('', '【单位类型规则】');
    for (const p of r.profiles) {
      const cond = Object.entries(p.when)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join('，');
      const skips = [
        ...(p.skipLevel1 ?? []).map((s) => `不考核「${s}」`),
        ...(p.skipItems ?? []).map((s) => `不考核 ${s}`),
        ...(p.skipVeto ?? []).map((s) => `不考核单否 ${s}`),
        ...(p.skipBonus ?? []).map((s) => `不考核加分 ${s}`),
      ];
      out.push(`  ${p.id}（${cond}）：${p.text}`);
      if (skips.length) out.push(`    ${skips.join('；')}${p.prorate ? '；基本分折合：得分 × 100 ÷（100 − 不考核分值）' : ''}`);
    }
  }
  if (r.notes?.length) {
    out.push('', '【备注】');
    for (const n of r.notes) out.push(`  ${n}`);
  }
  return out.join('\n') + '\n';
}
