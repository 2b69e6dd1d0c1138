/** The portal's one stylesheet (served from /static/portal.css; no third-party assets anywhere). */
export const PORTAL_CSS = `
:root{--navy:#16324f;--blue:#1f5f99;--sky:#e8f0f8;--line:#d5dde6;--ink:#1d2733;--mute:#5d6b7a;--red:#b3261e;--green:#2e7d32;--amber:#a15c00}
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{font:14px/1.45 "Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#f3f6f9}
a{color:var(--blue);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:var(--navy);color:#fff;display:flex;align-items:center;gap:18px;padding:0 22px;height:54px}
header.top .brand{display:flex;align-items:center;gap:10px;font-weight:600;font-size:16px;letter-spacing:.2px}
header.top .brand .logo{width:30px;height:30px;border-radius:6px;background:linear-gradient(135deg,#3d8bd4,#7cc3ff);display:grid;place-items:center;font-weight:700;color:var(--navy);font-size:13px}
header.top .site{color:#b8c8da;font-size:13px;border-left:1px solid #3b5875;padding-left:16px}
header.top nav{margin-left:auto;display:flex;gap:4px;align-items:center}
header.top nav a,header.top nav button{color:#dbe7f3;padding:8px 12px;border-radius:4px;font-size:13px;background:none;border:0;cursor:pointer;font-family:inherit}
header.top nav a.on,header.top nav a:hover,header.top nav button:hover{background:#24496f;color:#fff;text-decoration:none}
header.top nav .user{color:#9fb4ca;font-size:12px;padding:0 10px}
main{max-width:1180px;margin:22px auto;padding:0 22px}
h1{font-size:20px;font-weight:600;margin:0 0 14px}
h2{font-size:16px;font-weight:600;margin:22px 0 10px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:18px 20px;margin-bottom:18px}
.muted{color:var(--mute)}.small{font-size:12px}
table.grid{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);font-size:13px}
table.grid th{background:var(--sky);text-align:left;font-weight:600;padding:8px 10px;border-bottom:1px solid var(--line);white-space:nowrap}
table.grid td{padding:7px 10px;border-bottom:1px solid #edf1f5;vertical-align:top}
table.grid tr:hover td{background:#f7fafd}
table.kv td{padding:4px 14px 4px 0}table.kv td:first-child{color:var(--mute);white-space:nowrap}
form.search{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px 16px;align-items:end}
label{display:block;font-size:12px;color:var(--mute);margin-bottom:4px}
input[type=text],input[type=password],input[type=date],select{width:100%;height:36px;padding:7px 9px;border:1px solid #b9c6d3;border-radius:4px;font:inherit;background:#fff}
input:focus,select:focus{outline:2px solid #9cc5ee;border-color:var(--blue)}
.btn{display:inline-block;background:var(--blue);color:#fff;border:0;border-radius:4px;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer}
.btn:hover{background:#174d7e;text-decoration:none}
.btn.ghost{background:#fff;color:var(--blue);border:1px solid #b9c6d3;font-weight:500;padding:7px 15px}
.btn.small{padding:4px 10px;font-size:12px}
.actions{display:flex;gap:8px;align-items:center}
.pager{display:flex;gap:6px;align-items:center;justify-content:flex-end;margin:10px 0}
.pager a,.pager span{padding:4px 10px;border:1px solid var(--line);border-radius:4px;background:#fff}
.pager span.cur{background:var(--blue);color:#fff;border-color:var(--blue)}
.tag{display:inline-block;background:#e3ecf6;color:#20476e;border-radius:3px;padding:1px 6px;font-size:11px;font-weight:600;margin-right:3px}
.alert{border-radius:4px;padding:10px 14px;margin-bottom:14px;border:1px solid}
.alert.err{background:#fdecea;border-color:#f3b7b2;color:var(--red)}
.alert.ok{background:#edf7ee;border-color:#b5dbb8;color:var(--green)}
.alert.warn{background:#fff6e5;border-color:#f2d29b;color:var(--amber)}
.login-wrap{min-height:100vh;display:grid;place-items:center;background:linear-gradient(160deg,#16324f 0%,#1f5f99 55%,#e8f0f8 55.1%)}
.login{width:380px;background:#fff;border-radius:8px;box-shadow:0 10px 30px rgba(10,30,50,.25);padding:30px 32px}
.login .brand{display:flex;align-items:center;gap:10px;margin-bottom:6px}
.login .brand .logo{width:36px;height:36px;border-radius:7px;background:linear-gradient(135deg,#3d8bd4,#7cc3ff);display:grid;place-items:center;font-weight:700;color:var(--navy)}
.login h1{font-size:19px;margin:0}
.login .site{color:var(--mute);font-size:12px;margin-bottom:20px}
.login .field{margin-bottom:14px}
.login .btn{width:100%;padding:10px}
.login .foot{margin-top:18px;font-size:11px;color:var(--mute);display:flex;justify-content:space-between}
.pager span.summary{border:0;background:none;color:var(--mute)}
.actions.spaced{margin-top:12px}
h2.first{margin-top:0}
.st-ok{color:var(--green);font-weight:600}.st-bad{color:var(--red);font-weight:600}
form.inline{margin:0;display:inline}
td.links{white-space:nowrap}
pre.detail{text-align:left;white-space:pre-wrap}
.error-page{max-width:560px;margin:80px auto;text-align:center}
.error-page .code{font-size:56px;font-weight:700;color:#c3cfdb;margin:0}
.error-page h1{margin-top:6px}
footer.bottom{max-width:1180px;margin:30px auto 20px;padding:0 22px;color:var(--mute);font-size:11px;display:flex;justify-content:space-between}
pre.token{background:#0f2033;color:#c9e3ff;padding:12px;border-radius:4px;white-space:pre-wrap;word-break:break-all;font-size:12px}
.dropzone{border:2px dashed #b9c6d3;border-radius:6px;padding:26px;text-align:center;background:#fafcfe;margin-bottom:12px}
`;
