import { makeFooterItemCheck } from '../src/analyze/identifiers.ts';

/**
 * 网站标识 · 网站主办单位: "主办单位：…", "主办：…", "主办方：…", "…主办"; a copyright line naming a unit
 * (“XX委员会 版权所有”) is accepted; one naming only the website is reported as unverified.
 */
export default makeFooterItemCheck({
  id: 'footer-sponsor',
  kind: 'sponsor',
  title: '底部功能区：网站主办单位',
  label: '网站主办单位',
  description: 'The sponsoring unit (网站主办单位) is missing from the footer area of the homepage or of sampled pages.',
});
