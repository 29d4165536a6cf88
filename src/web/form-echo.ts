/**
 * What a reviewer typed into a form that could not be saved (expired login, failed CSRF check, invalid value):
 * shown back on the error page or in the error message, so nothing typed is lost.
 */
import { esc, oneLine } from './layout.ts';

const FIELDS: readonly [string, string][] = [
  ['rule', '细则'],
  ['value', '评定'],
  ['reason', '理由'],
  ['note', '说明'],
  ['evidence', '依据'],
  ['from', '开始'],
  ['to', '结束'],
];

export function typedFields(body: Record<string, unknown>): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const [k, label] of FIELDS) {
    const v = body[k];
    if (typeof v === 'string' && v.trim()) out.push({ label, value: oneLine(v, 1000) });
  }
  return out;
}

/** An HTML block listing the typed values (empty when nothing was typed). */
export function typedHtml(body: Record<string, unknown>): string {
  const f = typedFields(body);
  if (!f.length) return '';
  return `<div class="typed" data-testid="typed"><p>您填写的内容尚未保存，可复制后重新提交：</p><dl class="meta">${f.map((x) => `<dt>${esc(x.label)}</dt><dd>${esc(x.value)}</dd>`).join('')}</dl></div>`;
}

/** The typed values as one line to append to an error message. */
export function typedText(body: Record<string, unknown>): string {
  const f = typedFields(body).filter((x) => x.label !== '细则');
  if (!f.length) return '';
  return `（您填写的内容未保存：${f.map((x) => `${x.label}“${oneLine(x.value, 200)}”`).join('；')}）`;
}
