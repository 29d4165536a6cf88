import type { Check, Finding } from '../src/model.ts';
import { gatherMissing, interactionData, nameOf } from '../src/analyze/interaction/assess.ts';

/**
 * 信息提交 1/3 and the first half of 单否 6: the site offers no online channel to submit a consultation (none at all, or
 * only an e-mail address). Channels are found by the `interaction` gatherer on the homepage and the 互动交流 section
 * pages; 网上信访 and 纪检举报 are special channels the rubric leaves out. Confirm-required: a reviewer confirms before
 * anything counts (a channel behind an image map or a script menu can escape the finder).
 */
const check: Check = {
  id: 'interaction-channel',
  title: '互动交流渠道',
  description: 'No online consultation channel (none, or e-mail only) on the homepage and the 互动交流 section.',
  confirm: 'required',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const home = ctx.homepage?.url ?? ctx.site.url;
    const consult = d.channels.filter((c) => c.group === 'consult' && c.role !== 'stats');
    const online = consult.filter((c) => !c.email);
    const email = consult.filter((c) => c.email);
    const special = d.channels.filter((c) => c.group === 'special');
    const sections = d.channels.filter((c) => c.group === 'section');
    const searched = [home, ...sections.filter((s) => s.opened).map((s) => s.url)];
    const searchedZh = `首页${sections.length ? `及互动交流栏目 ${sections.filter((s) => s.opened).length} 个页面` : ''}`;
    if (online.length) {
      const opened = online.filter((c) => c.opened);
      const names = online.slice(0, 6).map(nameOf).join('、');
      if (!opened.length) {
        return { findings: [], scope: { status: 'unverified', reason: `找到在线咨询建言渠道 ${online.length} 个（${names}），但均无法打开：${online[0].error ?? online[0].errors[0] ?? '无响应'}` } };
      }
      const other = online.filter((c) => c.otherHost).map((c) => c.host);
      return {
        findings: [],
        scope: {
          status: 'checked',
          summary: `已在${searchedZh}找到在线咨询建言渠道 ${online.length} 个：${names}${other.length ? `（含其他主机 ${[...new Set(other)].join('、')}）` : ''}`,
          stats: { onlineChannels: online.length, openedChannels: opened.length, emailChannels: email.length, specialChannels: special.length },
        },
      };
    }
    // Nothing found, but part of where channels live could not be seen: not a finding.
    const closed = sections.filter((x) => !x.opened);
    if (closed.length && !sections.some((x) => x.opened)) {
      return { findings: [], scope: { status: 'unverified', reason: `首页未发现咨询建言渠道，互动交流栏目无法打开（${closed.map((x) => `${x.url}：${x.error ?? '无响应'}`).join('；')}），需人工核实` } };
    }
    if (!email.length && d.summary?.homepage?.scripted) {
      return { findings: [], scope: { status: 'unverified', reason: '首页静态页面中未发现咨询建言渠道，但导航可能由脚本生成，浏览器不可用，未能渲染确认，需人工核实' } };
    }
    const base = { pagesSearched: searched, specialChannels: special.map((c) => ({ text: c.text, url: c.url })), sections: sections.map((s) => s.url) };
    let f: Finding;
    if (email.length) {
      const addrs = email.map((c) => c.email!).join('、');
      f = {
        check: check.id,
        url: home,
        target: 'channels:email-only',
        detail: `仅提供电子邮箱：${addrs}`,
        message: `仅提供电子邮箱咨询：${searchedZh}中只找到电子邮箱（${addrs}），未发现在线提交咨询建言的渠道。`,
        evidence: { ...base, rule: 'email-only', emails: email.map((c) => ({ text: c.text, email: c.email, foundOn: c.foundOn })), snippet: `${email[0].text} <${email[0].email}>` },
      };
    } else {
      const only = special.length ? `（仅有${special.map(nameOf).join('、')}等专门渠道，不属于咨询建言类）` : '';
      f = {
        check: check.id,
        url: home,
        target: 'channels:none',
        detail: `未找到咨询建言渠道${only}`,
        message: `未找到网上咨询建言渠道：${searchedZh}中未发现领导信箱、咨询投诉、留言板等在线提交渠道${only}。`,
        evidence: { ...base, rule: 'none' },
      };
    }
    return { findings: [f], scope: { status: 'checked', summary: `已在${searchedZh}查找互动交流渠道` } };
  },
};

export default check;
