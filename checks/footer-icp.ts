import { makeFooterItemCheck } from '../src/analyze/identifiers.ts';

/** 网站标识 · ICP备案编号: e.g. 湘ICP备10009181号-1 (号 optional, -N suffix optional) in the footer of every page. */
export default makeFooterItemCheck({
  id: 'footer-icp',
  kind: 'icp',
  title: '底部功能区：ICP备案编号',
  label: 'ICP备案编号',
  description: 'The ICP filing number (ICP备案编号) is missing from the footer area of the homepage or of sampled pages.',
});
