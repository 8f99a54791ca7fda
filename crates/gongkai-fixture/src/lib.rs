//! The bundled fixture portal and the loopback test server with its misbehaviours.
//!
//! `fixtures/portal/` (a 滕州市人民政府-style portal with deliberately planted problems, listed in
//! `fixtures/portal/PLANTED.md`) is embedded into the binary with `include_dir`, so `gongkai demo`
//! and the end-to-end tests can serve it without the repository. [`FixtureServer::start`] binds
//! two origins on 127.0.0.1 (random ports) and reserves a third port that refuses connections.
//! [`FixtureServer::start_jx`] serves a second portal instead, `fixtures/portal-jx/` (other CMS
//! templates, its own `PLANTED.md`; its as-of date is [`JX_AS_OF`]).
//!
//! # Placeholders
//! Links that must reach the other origins cannot be written with fixed ports, so text files
//! (HTML, CSS, JS, TXT, XML) are served with these placeholders replaced (no trailing slash):
//! `{{BASE_ORIGIN}}` → the portal, `{{SECOND_ORIGIN}}` → the second origin, `{{DEAD_ORIGIN}}` → the
//! refusing port. Pages under `/gbk/` are stored as UTF-8 in the repository (reviewable) and
//! encoded to GBK at serve time, labelled `text/html; charset=gb2312`.
//!
//! # URL map of the portal origin ([`FixtureServer::base_url`])
//! | path | answer |
//! |---|---|
//! | any file of `fixtures/portal/` | 200, Content-Type by extension, `ETag` + `Last-Modified` ([`LAST_MODIFIED`]); 304 on a matching `If-None-Match` (or, without it, `If-Modified-Since` ≥ Last-Modified); `dir/` serves `dir/index.html`; `dir` → 301 `dir/` |
//! | anything else | 404 with a Chinese error page |
//! | `/robots.txt` | `Disallow: /private/` for `*` (override with [`FixtureOptions::robots_txt`]) |
//! | `/gone/*` | 410 |
//! | `/error/*` | 500, always |
//! | `/status/{code}` | that status (≥ 200) |
//! | `/waf/*` | 412 with a JS challenge page that sets `document.cookie = "gk_waf=ok"` (a request carrying that cookie gets 200) |
//! | `/busy/*` | 429 with `Retry-After: 1`, always |
//! | `/auth/*` | 401 with `WWW-Authenticate` |
//! | `/forbidden/*` | 403 |
//! | `/redirect/chain` | 301 → `/redirect/chain-2` → 302 → `/zwgk/index.html` (200) |
//! | `/redirect/loop-a` | 302 → `/redirect/loop-b` → 302 → `/redirect/loop-a` … |
//! | `/redirect/offsite` | 302 → second origin `/landing.html` (200), an out-of-scope host |
//! | `/slow/*` | 200 after [`FixtureOptions::slow_ms`] |
//! | `/flaky/500/*`, `/flaky/429/*`, `/flaky/404/*` | first request per path 500 (or 429 + `Retry-After: 1`, or 404), then 200 |
//! | `/module/download/downfile.jsp?filename=…` | GET 200 `application/pdf`; HEAD 405 (exercises a GET fallback) |
//! | `/module/web/jpage/dataproxy.jsp` | Hanweb list XML for `columnid` (query + POST form), honouring `startrecord` / `endrecord` / `perpage` |
//! | `/gen/index.html`, `/gen/{i}.html` | the deterministic generated site ([`GenSite`], [`FixtureOptions::gen_pages`] pages, 20–40 links each, ~8 % to 404 `/gen/missing/…`) |
//! | `/deep/index.html`, `/deep/list.jsp?page=k`, `/deep/show.jsp?id=n` | a column of 640 articles on 32 list pages chained only by 下一页 ([`DeepColumn`]) |
//! | `/huge.html` | 200 with [`FixtureOptions::huge_bytes`] bytes |
//! | `/bomb.html` | 200 gzip-encoded, [`BOMB_DECOMPRESSED_BYTES`] once decompressed |
//! | `/PLANTED.md`, `/_data/*` | 404 (notes and server data, not part of the site) |
//!
//! Non-GET/HEAD requests to static files answer 405. HEAD is answered like GET without a body.
//!
//! # Second origin ([`FixtureServer::second_origin`])
//! `/`, `/index.html` and `/landing.html` are real pages, `/robots.txt` allows everything, and every
//! other path answers **200** with a "页面不存在" page (a soft 404).
//!
//! Every request to either origin is recorded ([`FixtureServer::requests`]).

mod deep;
mod gen;
mod hanweb;
pub mod hostile;
mod jx;
mod portal;
mod server;

pub use deep::DeepColumn;
pub use gen::GenSite;
pub use hanweb::column_records as hanweb_column_records;
pub use jx::{jx_served_paths, JX_AS_OF, JX_SITE_ID_CODE};
pub use portal::{
    content_type, portal_dir, portal_file, render, served_paths, Origins, PH_BASE_ORIGIN,
    PH_DEAD_ORIGIN, PH_SECOND_ORIGIN,
};
pub use server::{
    FixtureOptions, FixtureServer, Origin, RequestLogEntry, BOMB_DECOMPRESSED_BYTES, LAST_MODIFIED,
};

/// The "today" of the demo: every planted date in the portal is chosen relative to it (see
/// `fixtures/portal/PLANTED.md`). After 31 March 2023, so the 2022 annual report is overdue.
pub const DEMO_AS_OF: &str = "2023-04-20";

/// The portal's 网站标识码.
pub const SITE_ID_CODE: &str = "3704810001";

/// Real external hosts linked from the portal's footer (ICP / 公安 备案, 党政机关 mark, 纠错).
/// They cannot be reached offline, so the demo and tests must not check links to them (otherwise
/// every page reports a broken footer link). Deliberately broken external links use
/// `nonexistent.invalid` instead.
pub const EXTERNAL_HOSTS: &[&str] = &[
    "beian.miit.gov.cn",
    "www.beian.gov.cn",
    "bszs.conac.cn",
    "zfwzgl.www.gov.cn",
];
