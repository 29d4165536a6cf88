import { makeFooterItemCheck } from '../src/analyze/identifiers.ts';

/**
 * 网站标识 · 党政机关网站标识: the conac badge (a bszs.conac.cn link around an image, or the dcs.conac.cn script,
 * possibly written by document.write(unescape(...))) must be in the footer of every page.
 */
export default makeFooterItemCheck({
  id: 'footer-conac-badge',
  kind: 'conac',
  title: '底部功能区：党政机关网站标识',
  label: '党政机关网站标识',
  description: 'The conac (党政机关网站标识) badge is missing from the footer area of the homepage or of sampled pages.',
});
