import type { InquiryRecord } from '../analyze/interaction/inquiries.ts';
import { backField, csrfField, esc, href, link, type Viewer } from './layout.ts';

/**
 * The site page's 模拟咨询 block: the inspector's simulated inquiries with their replies, a form to record a new one and
 * a form to enter a reply time by hand (which rescores the latest audit). Writes need the operator login (CSRF field).
 */
export function inquiryBlock(siteId: string, inquiries: readonly InquiryRecord[], viewer: Viewer, here: string, siteUrl?: string): string {
  const out: string[] = ['<section class="panel" id="inquiries"><h2>模拟咨询</h2>'];
  out.push('<p class="small muted">检查人员以普通用户身份在网站上提出一个简单常见问题后在此登记；每次检查在已公开留言中按标题和时间查找答复，也可人工录入答复时间（按工作日计算：5个工作日内答复，1个工作日内答复可加分）。govsite 不会代为提交任何内容。</p>');
  if (inquiries.length) {
    out.push('<table class="inquiries"><thead><tr><th>编号</th><th>提问时间</th><th>标题</th><th>渠道</th><th>人工录入的答复时间</th></tr></thead><tbody>');
    for (const q of inquiries) {
      const reply = q.repliedAt ? esc(q.repliedAt) : '<span class="muted">未录入（检查时在已公开留言中查找）</span>';
      const form = viewer.reviewer
        ? `<form method="post" action="/api/inquiries/${q.id}/reply" class="inline">${csrfField(viewer)}${backField(here)}<input type="text" name="repliedAt" placeholder="YYYY-MM-DD HH:MM" size="16" value="${esc(q.repliedAt ?? '')}" aria-label="答复时间"><button type="submit">保存并重新评分</button></form>`
        : '';
      out.push(`<tr data-inquiry="${q.id}"><td>#${q.id}</td><td>${esc(q.askedAt)}</td><td>${esc(q.title)}</td><td>${link(q.channel, q.channel, 60)}</td><td>${reply}${form}</td></tr>`);
    }
    out.push('</tbody></table>');
  } else out.push('<p class="muted">尚未登记模拟咨询。</p>');
  if (viewer.reviewer) {
    out.push(
      `<form method="post" action="/api/sites/${esc(encodeURIComponent(siteId))}/inquiries" class="inquiry-add">${csrfField(viewer)}${backField(here)}` +
        `<p><label>咨询渠道网址 <input type="url" name="channel" required size="50" value="${esc(siteUrl ?? '')}"></label></p>` +
        `<p><label>提问时间 <input type="text" name="askedAt" required placeholder="2021-06-01 10:00" size="16"></label> ` +
        `<label>标题 <input type="text" name="title" required size="40" maxlength="300"></label></p>` +
        `<p><label>备注 <input type="text" name="note" size="50" maxlength="500"></label> <button type="submit" class="primary">登记模拟咨询</button></p></form>`,
    );
  } else out.push(`<p class="small"><a href="${esc(href('/login', { next: here }))}">登录</a>后可登记模拟咨询或录入答复时间。</p>`);
  out.push('</section>');
  return out.join('\n');
}
