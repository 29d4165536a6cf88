import type { PageObservation } from '../model.ts';
import { analyzeFooterItems, type PageItems } from '../analyze/footer-items.ts';
import { factOf, type FactFamily } from './_facts.ts';

/**
 * Fact family `footer`: the six footer identifiers of a page's static HTML (党政机关网站标识, 网站标识码, ICP备案编号,
 * 公安机关备案标识, 主办单位, 联系方式), each present / malformed / unverified / missing with its value and form
 * (src/analyze/footer-items.ts). Read by the footer-* checks and the 找错 check (the footer's 网站标识码).
 */
const family: FactFamily<PageItems> = {
  id: 'footer',
  extract: (page) => analyzeFooterItems(page.html ?? ''),
};
export default family;

/** The footer items of a page's static HTML. */
export function footerItemsOf(page: PageObservation): PageItems {
  return factOf(page, family);
}
