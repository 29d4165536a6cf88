import { makeFooterItemCheck } from '../src/analyze/identifiers.ts';

/**
 * 网站标识 · 联系方式: a phone (0731-88665207, (0731)88665207, 12345 hotline …), an e-mail, an address (地址：…) or a
 * 联系我们 / 联系方式 link in the footer. A phone shown only as an image cannot be read: reported as unverified.
 */
export default makeFooterItemCheck({
  id: 'footer-contact',
  kind: 'contact',
  title: '底部功能区：联系方式',
  label: '联系方式',
  description: 'No contact information (phone, e-mail, address or 联系我们 link) in the footer area of the homepage or of sampled pages.',
});
