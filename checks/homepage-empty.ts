import type { Check, Finding } from '../src/model.ts';
import { pageEmptiness } from '../src/analyze/emptiness.ts';

/**
 * 首页无可显示内容: the homepage answered 2xx but gave nothing a visitor can see — an empty body, a page served with a
 * type that is not a web page (HTML labelled image/png), or an HTML document without text, links, images or scripts.
 * The availability probe counts such a homepage as down; the audit reports it here (one finding, url = homepage) and
 * the checks that needed the page leave their items pending (未核实), never full marks.
 */
const check: Check = {
  id: 'homepage-empty',
  title: '首页无可显示内容',
  description: 'The homepage answered 2xx with nothing to show: an empty body, a non-HTML content type (e.g. HTML served as image/png), or an HTML document without text, links, images or scripts.',
  run(ctx) {
    const home = ctx.homepage;
    if (!home) return [];
    const e = pageEmptiness(home);
    if (!e.empty) return [];
    const f: Finding = {
      check: 'homepage-empty',
      url: home.url,
      detail: e.detail,
      message: `首页${e.zh}，首页内容无法检查`,
      evidence: {
        onHomepage: true,
        reason: e.reason,
        status: home.status,
        contentType: home.contentType,
        bytes: home.bytes,
        at: home.fetchedAt,
        ...(home.html ? { snippet: home.html.slice(0, 200) } : {}),
      },
    };
    return [f];
  },
};

export default check;
