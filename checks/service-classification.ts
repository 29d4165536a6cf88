import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { servicesSeen, whereZh } from '../src/analyze/services/observed.ts';
import { CATEGORY_ZH, type CategoryKind } from '../src/analyze/services/entries.ts';

/**
 * 办事服务事项未分类展示 (市州 事项公开 rule 1): the service items the site shows (its own hall, or the platform hall it
 * links) are not shown by category — no 个人/法人 (自然人/企业) grouping, no 主题, no 部门 — on any hall that lists them.
 * Rule 2 (分类展示不准确) stays with the inspector. Items read from a platform's JSON wait for a reviewer (a category
 * may sit in a field the reader does not know).
 */

const MIN_ITEMS = 3;

const check: Check = {
  id: 'service-classification',
  title: '办事事项未分类展示',
  description: 'Items listed without any 个人/法人, 主题 or 部门 grouping on the halls that list them.',
  run(ctx: AuditContext): CheckOutput {
    const got = servicesSeen(ctx);
    if ('out' in got) return got.out;
    const s = got.seen;
    if (!s.items.length) return { findings: [], scope: { status: 'unverified', reason: '未找到办事事项列表，无法判断是否分类展示' } };
    const listing = s.halls.filter((h) => h.ok && h.items > 0);
    const kinds = new Set<CategoryKind>();
    for (const h of listing) for (const k of Object.keys(h.categories ?? {}) as CategoryKind[]) if (h.categories[k]?.length) kinds.add(k);
    for (const it of s.items) if (it.categoryKind) kinds.add(it.categoryKind);
    const shown = [...kinds].map((k) => CATEGORY_ZH[k]);
    const summary = `办事事项 ${s.items.length} 个，列于 ${listing.length} 个办事大厅页面；${shown.length ? `按${shown.join('、')}分类展示` : '未见分类'}`;
    if (kinds.size || s.items.length < MIN_ITEMS || !listing.length) return { findings: [], scope: { status: 'checked', summary } };
    const first = listing[0];
    // Items read from a platform's JSON: a category may sit in a field the reader does not know — a person looks.
    const fromJson = listing.some((h) => h.via === 'json');
    const findings: Finding[] = [
      {
        check: check.id,
        url: first.url,
        target: first.url,
        detail: `${listing.map((h) => `${whereZh(h.where)} ${h.url}（${h.items} 个事项）`).join('；')}：未见个人/法人、主题或部门分类`,
        message: `办事服务事项未分类展示：${s.items.length} 个事项未按个人/法人、主题或部门分类（${whereZh(first.where)}）。`,
        evidence: { halls: listing.map((h) => ({ url: h.url, where: h.where, items: h.items, via: h.via })), items: s.items.length, ...(fromJson ? { confirm: 'required' as const } : {}) },
      },
    ];
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
