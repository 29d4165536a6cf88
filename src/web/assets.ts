/**
 * The dashboard's only static assets: one stylesheet and one small script, served from /static/ so the
 * Content-Security-Policy can forbid inline scripts and inline styles. Every page works without the script;
 * it only auto-submits filter selects, checks that a rejection has a reason before sending, and follows a
 * "run now" job until it finishes.
 */
import { createHash } from 'node:crypto';

export const APP_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.6 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;color:#1f2328;background:#f3f5f8}
a{color:#0b57d0}
a:hover{text-decoration:underline}
.topbar{display:flex;align-items:center;gap:20px;background:#a5141b;color:#fff;padding:10px 24px}
.topbar .brand{font-size:18px;font-weight:700;color:#fff;text-decoration:none;letter-spacing:1px}
.topbar nav{display:flex;gap:16px;flex:1}
.topbar nav a{color:#fde8e8;text-decoration:none}
.topbar nav a.active{color:#fff;font-weight:700;border-bottom:2px solid #fff}
.topbar .who{display:flex;align-items:center;gap:10px;color:#fde8e8;font-size:13px}
.topbar .who form{margin:0}
.topbar .who button,.topbar .who a.btn{background:transparent;color:#fff;border:1px solid #f3b4b4;border-radius:4px;padding:2px 10px;cursor:pointer;font:inherit;text-decoration:none}
main{max-width:1320px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:4px 0 12px}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:6px;border-bottom:2px solid #a5141b}
h3{font-size:15px;margin:18px 0 8px}
section.panel{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:14px 18px;margin:0 0 18px}
section.panel>h2:first-child{margin-top:0}
.flash{padding:8px 12px;border-radius:4px;margin:0 0 14px;border:1px solid;position:sticky;top:0;z-index:20;box-shadow:0 2px 6px rgba(0,0,0,.12)}
[id]{scroll-margin-top:72px}
tr:target td,section:target{outline:2px solid #0b57d0;outline-offset:-2px}
tr:target td{background:#eef4fd}
.typed{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:8px 12px;margin:10px 0}
.flash.ok{background:#effaf1;border-color:#6fc17f;color:#114d1f}
.flash.error{background:#fef3f2;border-color:#e48a84;color:#8a1c13}
.banner{background:#fff8e6;border:1px solid #d4a72c;border-radius:4px;padding:8px 12px;margin:0 0 14px}
.muted{color:#57606a}
.small{font-size:12px}
.rule-id{color:#8c959f;font-size:11px;margin-left:4px;font-family:ui-monospace,monospace}
.nowrap{white-space:nowrap}
.break{word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 14px}
.card{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:8px 16px;min-width:130px}
.card .label{color:#57606a;font-size:12px}
.card .value{font-size:22px;font-weight:700}
.card.bad .value{color:#b42318}
.card.warn .value{color:#9a6700}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;margin:0 0 12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#57606a;gap:2px}
input,select,textarea,button{font:inherit}
input[type=text],input[type=search],input[type=password],input[type=number],select,textarea{border:1px solid #afb8c1;border-radius:4px;padding:4px 8px;background:#fff;color:#1f2328}
textarea{width:100%;min-height:3em}
button,.button{display:inline-block;border:1px solid #8c959f;border-radius:4px;background:#f6f8fa;color:#1f2328;padding:3px 12px;cursor:pointer;text-decoration:none;white-space:nowrap}
button.primary,.button.primary{background:#a5141b;border-color:#a5141b;color:#fff}
button.danger{background:#fff;border-color:#b42318;color:#b42318}
button.ok{background:#fff;border-color:#1a7f37;color:#1a7f37}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d0d7de;padding:5px 8px;vertical-align:top;text-align:left}
th{background:#f0f3f6;white-space:nowrap;font-weight:600}
th a{color:inherit;text-decoration:none}
th a.sorted{color:#a5141b}
td.num,th.num{text-align:right;white-space:nowrap}
tr.veto td{background:#fef3f2}
table.sites td.site .name{font-weight:600}
table.sites td.site .id{color:#57606a;font-size:12px}
.tag{display:inline-block;font-size:12px;line-height:18px;padding:0 6px;border-radius:9px;border:1px solid;margin:1px 2px;white-space:nowrap}
.tag.bad{color:#b42318;border-color:#e48a84;background:#fef3f2}
.tag.warn{color:#9a6700;border-color:#d4a72c;background:#fff8e6}
.tag.ok{color:#1a7f37;border-color:#6fc17f;background:#effaf1}
.tag.info{color:#0b57d0;border-color:#8fb3ee;background:#eef4fd}
.tag.grey{color:#57606a;border-color:#afb8c1;background:#f6f8fa}
.ratio.bad{color:#b42318;font-weight:700}
.ratio.warn{color:#9a6700;font-weight:700}
.pager{display:flex;gap:8px;align-items:center;margin:10px 0}
.pager .current{font-weight:700}
.chart{display:block;max-width:100%;height:auto;background:#fff}
.chart .grid{stroke:#e6e9ed;stroke-width:1}
.chart .axis{stroke:#8c959f;stroke-width:1}
.chart .vetoline,.chart .key-veto{stroke:#b42318;stroke-width:1.5;stroke-dasharray:6 4}
.chart .warnline,.chart .key-warn{stroke:#d4a72c;stroke-width:1;stroke-dasharray:3 3}
.chart .bar.ok{fill:#4c9f70}
.chart .bar.warn{fill:#d4a72c}
.chart .bar.bad{fill:#c0392b}
.chart .bar.none{fill:#e6e9ed}
.chart .bar.thin{stroke:#57606a;stroke-width:1;stroke-dasharray:3 2}
.chart text{font-size:12px;fill:#424a53;font-family:inherit}
.chart text.lbl-bad{fill:#b42318;font-weight:700}
.chart text.vetolabel{fill:#b42318;font-size:11px}
.chart text.warnlabel{fill:#9a6700;font-size:11px}
.spark{display:block}
.spark .spark-line{fill:none;stroke:#0b57d0;stroke-width:1.5}
.spark .spark-fail{fill:#c0392b}
.spark .spark-dot{fill:#0b57d0}
.table-wrap{max-width:100%;overflow-x:auto}
h4.level1{font-size:15px;margin:16px 0 6px;padding:2px 8px;border-left:4px solid #a5141b;background:#f6f8fa}
table.manual.grouped{margin:0 0 10px}
table.manual caption{text-align:left;font-weight:600;padding:4px 0;caption-side:top}
table.manual td.rule-text{font-size:13px;min-width:240px;max-width:520px}
a.card{color:inherit;text-decoration:none}
.chart .line{fill:none;stroke:#0b57d0;stroke-width:2}
.chart .dot{fill:#0b57d0}
.chart .dot.prov{fill:#fff;stroke:#0b57d0;stroke-width:2}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:16px}
.score-head{display:flex;flex-wrap:wrap;gap:12px;align-items:stretch}
.verdict.failed{color:#b42318;font-weight:700}
.verdict.pending{color:#9a6700;font-weight:700}
.verdict.passed{color:#1a7f37;font-weight:700}
.provisional{color:#9a6700;font-weight:700}
table.sheet td.rules{white-space:pre-wrap;font-size:12px;color:#424a53;min-width:220px;max-width:360px}
table.sheet td.level1{font-weight:700;text-align:center;vertical-align:middle;width:7em}
table.sheet td.level2{white-space:nowrap}
table.sheet tr.pending td{background:#fffbe6}
table.sheet tr.failed td{background:#fef3f2}
table.sheet tr.skipped td{color:#8c959f}
table.sheet tr.deducted td.deducted{color:#b42318;font-weight:700}
.basis{margin:0 0 6px}
.basis ul{margin:2px 0 0;padding-left:18px;font-size:13px}
.evidence{list-style:none;margin:2px 0 0;padding:0;font-size:12px;color:#424a53}
.evidence li{margin:1px 0;word-break:break-all}
.evidence .k{color:#57606a}
.shot{max-height:520px;overflow:auto;border:1px solid #d0d7de;display:inline-block;max-width:100%}
.shot img{display:block;max-width:100%}
table.findings td.msg{min-width:220px}
table.findings td.review{min-width:260px}
table.findings tr.excluded td{background:#f6f8fa;color:#57606a}
table.findings tr.waiting td{background:#fffbe6}
form.review{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}
form.review input[type=text]{flex:1;min-width:120px}
form.inline{display:inline;margin:0}
.decision{font-size:12px;color:#424a53;margin:0 0 4px}
table.manual td{vertical-align:middle}
table.manual form{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}
table.manual input[type=text]{min-width:140px}
.login{max-width:420px;margin:40px auto;background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:20px 24px}
.login label{display:block;margin:10px 0 4px}
.login input{width:100%}
.login button{margin-top:14px}
dl.meta{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:2px 16px;margin:0}
dl.meta dt{color:#57606a}
dl.meta dd{margin:0;word-break:break-all}
.job{font-size:13px}
nav.tabs{display:flex;gap:4px;border-bottom:1px solid #d8dee4;margin:0 0 12px}
nav.tabs a{padding:6px 14px;border:1px solid transparent;border-bottom:none;border-radius:6px 6px 0 0;text-decoration:none}
nav.tabs a.active{border-color:#d8dee4;background:#fff;font-weight:600;margin-bottom:-1px}
table.newmedia form{margin:2px 0}
footer.page{color:#8c959f;font-size:12px;text-align:center;margin:24px 0}
@media (max-width:800px){main{padding:12px}dl.meta{grid-template-columns:max-content 1fr}.topbar{flex-wrap:wrap}}
@media (max-width:640px){
.topbar{padding:8px 12px;gap:8px}.topbar nav{flex-basis:100%;order:3;gap:12px;flex-wrap:wrap}
main{padding:10px 8px 28px}h1{font-size:18px}.card{min-width:0;flex:1 1 40%;padding:6px 10px}.card .value{font-size:18px}
form.filters label{flex:1 1 45%}form.filters input,form.filters select{width:100%}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
table.stack thead{display:none}
table.stack tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 10px;background:#fff}
table.stack td{border:0;border-bottom:1px solid #eef1f4;padding:4px 10px}
table.stack td[data-label]:not([data-label=""])::before{content:attr(data-label);display:block;font-size:11px;color:#57606a}
table.sites,table.sites tbody,table.sites tr,table.sites td{display:block;width:100%}
table.sites thead{display:none}
table.sites tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 10px;background:#fff}
table.sites td{border:0;border-bottom:1px solid #eef1f4;padding:4px 10px;text-align:left}
table.sites td:empty{display:none}
table.sites td:nth-child(n+2)::before{display:block;font-size:11px;color:#57606a}
table.sites td:nth-child(2)::before{content:"地区"}
table.sites td:nth-child(3)::before{content:"评分规则"}
table.sites td:nth-child(4)::before{content:"本周失败占比"}
table.sites td:nth-child(5)::before{content:"上周失败占比"}
table.sites td:nth-child(6)::before{content:"最新得分"}
table.sites td:nth-child(7)::before{content:"单否"}
table.sites td:nth-child(8)::before{content:"检查日期"}
table.sites td:nth-child(9)::before{content:"预警"}
.tag{white-space:normal}
}
@media print{.topbar,form,.pager,.flash{display:none}body{background:#fff}section.panel{break-inside:auto;border:0}h2{break-after:avoid}}
`;

export const APP_JS = `'use strict';
(function () {
  // Filters: submit when a select changes (the submit button stays for browsers without JS).
  document.querySelectorAll('form[data-autosubmit] select').forEach(function (sel) {
    sel.addEventListener('change', function () { sel.form.submit(); });
  });
  // Review: a rejection needs a reason; say so before the round trip.
  document.querySelectorAll('form.review').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      var btn = ev.submitter;
      var reason = form.querySelector('input[name=reason]');
      if (btn && btn.value === 'reject' && reason && !reason.value.trim()) {
        ev.preventDefault();
        reason.setCustomValidity('排除时请填写理由');
        reason.reportValidity();
        reason.addEventListener('input', function () { reason.setCustomValidity(''); }, { once: true });
      }
    });
  });
  // "Run now": follow the job and offer a reload when it ends.
  document.querySelectorAll('[data-job]').forEach(function (el) {
    var id = el.getAttribute('data-job');
    var tries = 0;
    function poll() {
      tries++;
      fetch('/api/jobs/' + encodeURIComponent(id), { headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) return;
          if (job.status === 'done' || job.status === 'failed') {
            el.textContent = job.status === 'done' ? '检查已完成，' : '检查失败：' + (job.error || '') + '，';
            var a = document.createElement('a');
            a.href = location.pathname;
            a.textContent = '刷新页面';
            el.appendChild(a);
          } else if (tries < 900) {
            setTimeout(poll, 2000);
          }
        })
        .catch(function () { if (tries < 900) setTimeout(poll, 5000); });
    }
    setTimeout(poll, 1500);
  });
})();
`;

function etag(s: string): string {
  return `"${createHash('sha256').update(s).digest('base64url').slice(0, 16)}"`;
}

export const ASSETS: Record<string, { type: string; body: string; etag: string }> = {
  'app.css': { type: 'text/css; charset=utf-8', body: APP_CSS, etag: etag(APP_CSS) },
  'app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS, etag: etag(APP_JS) },
};
