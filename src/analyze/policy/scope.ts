import type { AuditContext } from '../../model.ts';
import { addDays } from '../dates.ts';
import type { DocCategory, PolicyDocument } from './extract.ts';

/**
 * Which documents the interpretation rows are about. 市州: documents issued in the name of the government or its
 * office (以本地区政府或本地区政府办公室（厅）名义印发); 省直: documents the department issued itself (本部门印发) —
 * forwarded documents are neither. Period: the year before the as-of date.
 */

const GOV_ISSUER = /(?:人民政府|人民政府办公室|人民政府办公厅|政府办公室|政府办公厅)$/;
const GOV_CODE = /政(?:办)?(?:发|函|令|通|规|电)$|府(?:办)?(?:发|函)$|政办$/;

export const CATEGORY_ZH: Record<DocCategory, string> = {
  reply: '批复',
  personnel: '人事任免',
  forward: '转发',
  commendation: '表彰命名',
  routine: '工作安排类通知',
};

export function policyPeriod(asOf: string): { since: string; until: string } {
  return { since: addDays(asOf, -365), until: asOf };
}

export function inPeriod(d: PolicyDocument, asOf: string): boolean | undefined {
  if (!d.date) return undefined;
  const { since, until } = policyPeriod(asOf);
  return d.date >= since && d.date <= until;
}

/** Is the document issued in the unit's own name (see the module comment)? */
export function issuedByUnit(ctx: Pick<AuditContext, 'site'>, d: PolicyDocument, o: { forwardCounts?: boolean } = {}): boolean {
  if (d.category === 'forward' && !o.forwardCounts) return false;
  const code = d.docNo ? d.docNo.replace(/[〔第].*$/, '') : '';
  if (ctx.site.unitType === 'city') {
    if (d.issuer) return GOV_ISSUER.test(d.issuer.replace(/\s/g, ''));
    return GOV_CODE.test(code);
  }
  const name = ctx.site.name?.replace(/\s/g, '');
  if (d.issuer && name) return d.issuer.replace(/\s/g, '').includes(name) || name.includes(d.issuer.replace(/\s/g, ''));
  return !!d.docNo;
}
