import type { Element } from 'domhandler';
import { loadHtml, normText } from '../dom.ts';
import { visibleText } from '../footer.ts';
import { allElements, bodyOrRoot } from '../walk.ts';

/**
 * Pages that need an old browser (兼容性 / 可用性 rule 2): ActiveX controls and other plugins (`<object
 * classid=clsid:…>`), Flash, VBScript, content that exists only inside `<!--[if IE]>` comments, and "请使用IE浏览器"
 * demands. Read from the static HTML; the rendered comparison (static vs rendered text) is done by the render
 * gatherer. Pure.
 */

export type MarkerKind = 'activex' | 'flash' | 'plugin' | 'vbscript' | 'ie-conditional' | 'ie-only-text';

export interface CompatMarker {
  kind: MarkerKind;
  /** The markup or text that shows it (≤ 160 chars). */
  snippet: string;
  /** Does it hide content in Chromium for sure (an object without fallback, text only inside an IE comment)? */
  blocking: boolean;
}

export const MARKER_ZH: Record<MarkerKind, string> = {
  activex: 'ActiveX 控件',
  flash: 'Flash',
  plugin: '浏览器插件',
  vbscript: 'VBScript 脚本',
  'ie-conditional': '仅 IE 可见的内容（条件注释）',
  'ie-only-text': '要求使用 IE 浏览器的提示',
};

const FLASH_CLSID = /clsid:d27cdb6e-ae6d-11cf-96b8-444553540000/i;
const IE_ONLY_TEXT = /请(?:使用|用|在|切换(?:到|至)?)\s*(?:IE|ie|Internet\s*Explorer|微软浏览器)(?:浏览器)?(?:\s*\d+)?(?:访问|浏览|打开|下)|(?:仅|只)(?:支持|能在|可在|兼容)\s*(?:IE|Internet\s*Explorer)|请(?:使用|开启|切换(?:到|至)?)(?:浏览器的?)?兼容模式|请使用\s*IE\s*内核/;
const BROWSER_WARNING = /浏览器|版本|升级|下载|兼容/;

function snippet(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? t.slice(0, 160) + '…' : t;
}

function outerStart(el: Element): string {
  const attrs = Object.entries(el.attribs ?? {})
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');
  return `<${el.name}${attrs ? ' ' + attrs : ''}>`;
}

function hasFallback(el: Element): boolean {
  const inner = normText(visibleText(el));
  if (inner.length >= 4 && !BROWSER_WARNING.test(inner)) return true;
  const stack = [...(el.children ?? [])];
  while (stack.length) {
    const n = stack.pop() as Element;
    if (n.type === 'tag' && (n.name === 'img' || n.name === 'video' || n.name === 'iframe')) return true;
    if ((n as Element).children) stack.push(...(n as Element).children);
  }
  return false;
}

function inside(el: Element, names: string[]): boolean {
  for (let p = el.parent as Element | null; p; p = p.parent as Element | null) if (p.type === 'tag' && names.includes(p.name)) return true;
  return false;
}

/** IE conditional comments (`<!--[if IE]> … <![endif]-->`, not the `<!--[if !IE]><!-->` form that others see). */
function ieConditionals(html: string): { inner: string; text: string }[] {
  const out: { inner: string; text: string }[] = [];
  const re = /<!--\[if\s+([^\]]*)\]>([\s\S]*?)<!\[endif\]-->/gi;
  let n = 0;
  for (let m = re.exec(html); m && n < 200; m = re.exec(html), n++) {
    const cond = m[1];
    // Content for other browsers ([if !IE]) and fallbacks for old IE only ([if lt IE 9]) are not IE-only content.
    if (/!\s*IE/i.test(cond) || /\blte?\b/i.test(cond)) continue;
    if (m[2].startsWith('<!-->')) continue; // downlevel-revealed: every browser sees it
    const inner = m[2];
    const text = normText(
      inner
        .replace(/<script[\s\S]*?<\/script>/gi, ' ')
        .replace(/<style[\s\S]*?<\/style>/gi, ' ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/&nbsp;/g, ' '),
    );
    out.push({ inner, text });
  }
  return out;
}

/** Old-browser markers in a page's static HTML. */
export function staticCompatMarkers(html: string): CompatMarker[] {
  const out: CompatMarker[] = [];
  if (!html) return out;
  const $ = loadHtml(html);
  for (const el of allElements($)) {
    if (el.name !== 'object' && el.name !== 'embed' && el.name !== 'applet' && el.name !== 'script') continue;
    const a = el.attribs ?? {};
    if (el.name === 'script') {
      if (/vbscript/i.test(a.language ?? '') || /vbscript/i.test(a.type ?? '')) out.push({ kind: 'vbscript', snippet: snippet(outerStart(el)), blocking: false });
      continue;
    }
    if (inside(el, ['noscript', 'object'])) continue;
    const classid = a.classid ?? '';
    const type = (a.type ?? '').toLowerCase();
    const src = a.data ?? a.src ?? a.movie ?? '';
    const params = (el.children ?? [])
      .filter((c) => c.type === 'tag' && (c as Element).name === 'param')
      .map((c) => ((c as Element).attribs?.value ?? '').toLowerCase());
    let kind: MarkerKind | null = null;
    if (FLASH_CLSID.test(classid) || /shockwave-flash|futuresplash/.test(type) || /\.swf(?:$|[?#])/i.test(src) || params.some((p) => /\.swf(?:$|[?#])/.test(p))) kind = 'flash';
    else if (/^clsid:/i.test(classid)) kind = 'activex';
    else if (el.name === 'applet' || /^application\/x-(?!www-form)/.test(type) || /x-oleobject|x-silverlight|java-applet|x-java/.test(type)) kind = 'plugin';
    if (!kind) continue;
    out.push({ kind, snippet: snippet(outerStart(el)), blocking: el.name === 'embed' ? !inside(el, ['object']) : !hasFallback(el) });
  }
  const body = normText(bodyOrRoot($).map((n) => visibleText(n)).join(' ')).slice(0, 200_000);
  for (const c of ieConditionals(html)) {
    const hasObject = /<(?:object|embed|iframe)\b/i.test(c.inner);
    // Shown to other browsers as well (the same text outside the comment): not IE-only.
    if (c.text.length >= 30 && body.includes(c.text.slice(0, 30))) continue;
    if (c.text.length >= 30 && !BROWSER_WARNING.test(c.text.slice(0, 60))) out.push({ kind: 'ie-conditional', snippet: snippet(c.text), blocking: true });
    else if (hasObject) out.push({ kind: 'ie-conditional', snippet: snippet(c.inner), blocking: true });
  }
  const m = IE_ONLY_TEXT.exec(body);
  if (m) {
    const from = Math.max(0, m.index - 20);
    out.push({ kind: 'ie-only-text', snippet: snippet(body.slice(from, m.index + m[0].length + 20)), blocking: false });
  }
  return out;
}

/** Visible text length of an HTML document (scripts, styles and comments left out). */
export function visibleTextLength(html: string): number {
  if (!html) return 0;
  const $ = loadHtml(html);
  return normText(bodyOrRoot($).map((n) => visibleText(n)).join(' ')).length;
}
