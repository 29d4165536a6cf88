import { makeFooterItemCheck } from '../src/analyze/identifiers.ts';

/**
 * 网站标识 · 公安机关备案标识: "湘公网安备 43010202000001号" (space optional), "公安机关备案号：…", or a
 * beian.gov.cn / beian.mps.gov.cn link carrying a recordcode, in the footer of every page.
 */
export default makeFooterItemCheck({
  id: 'footer-police-filing',
  kind: 'police',
  title: '底部功能区：公安机关备案标识',
  label: '公安机关备案标识',
  description: 'The public-security filing (公安机关备案标识) is missing from the footer area of the homepage or of sampled pages.',
});
