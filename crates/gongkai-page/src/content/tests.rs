use super::*;
use scraper::Html;

fn doc(html: &str) -> Html {
    Html::parse_document(html)
}

#[test]
fn trs_article_heading_body_and_breadcrumb() {
    let d = doc(
        r#"<html><head><title>关于印发滕州市2022年政务公开工作要点的通知_滕州市人民政府</title></head><body>
        <div class="header"><h1><img src="/logo.png" alt="滕州市人民政府"></h1><ul class="nav"><li><a href="/">首页</a></li></ul></div>
        <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="./">规范性文件</a></div>
        <div class="article"><div class="title">关于印发滕州市2022年政务公开工作要点的通知</div>
        <div class="TRS_Editor"><p>各镇人民政府、街道办事处，市政府各部门：</p><p>现将《滕州市2022年政务公开工作要点》印发给你们，请认真贯彻落实。</p></div></div>
        <div class="footer">主办单位：滕州市人民政府办公室 网站标识码：3704810001</div></body></html>"#,
    );
    let root = d.tree.root();
    let t = title(root);
    assert_eq!(
        t,
        "关于印发滕州市2022年政务公开工作要点的通知_滕州市人民政府"
    );
    let c = body_container(root);
    assert!(c.is_some());
    let text = main_text(root, c);
    assert!(text.starts_with("各镇人民政府"), "{text}");
    assert!(!text.contains("网站标识码"));
    assert_eq!(
        heading(root, &t, None, c).as_deref(),
        Some("关于印发滕州市2022年政务公开工作要点的通知")
    );
    assert_eq!(breadcrumb(root), vec!["首页", "政务公开", "规范性文件"]);
}

#[test]
fn lone_h1_and_meta_heading() {
    let d = doc("<title>x</title><body><h1>市政府常务会议研究部署政务公开工作</h1><div id=\"zoom\">正文内容正文内容正文内容</div></body>");
    let root = d.tree.root();
    assert_eq!(
        heading(root, "x", None, None).as_deref(),
        Some("市政府常务会议研究部署政务公开工作")
    );
    let d = doc("<title>x</title><body><div>无标题</div></body>");
    assert_eq!(
        heading(d.tree.root(), "x", Some(" 政务公开 "), None).as_deref(),
        Some("政务公开")
    );
    assert_eq!(heading(d.tree.root(), "x", None, None), None);
}

#[test]
fn site_name_h1_is_not_the_heading() {
    let d = doc("<title>市政府召开常务会议_滕州市人民政府</title><body><div class=\"top\"><h1>滕州市人民政府</h1></div>                 <div class=\"article\"><div class=\"title\">市政府召开常务会议</div><div class=\"TRS_Editor\">会议研究部署了近期重点工作。</div></div></body>");
    let root = d.tree.root();
    let c = body_container(root);
    assert_eq!(
        heading(root, "市政府召开常务会议_滕州市人民政府", None, c).as_deref(),
        Some("市政府召开常务会议")
    );
}

#[test]
fn breadcrumb_variants() {
    let d = doc("<div class=\"dqwz\"><span>您现在的位置：</span><a href=\"/\">网站首页</a>»<a href=\"/col/col1/\">信息公开</a>»<span>政策文件</span></div>");
    assert_eq!(
        breadcrumb(d.tree.root()),
        vec!["网站首页", "信息公开", "政策文件"]
    );
    let d = doc("<ol class=\"breadcrumb\"><li><a href=\"/\">首页</a></li>/<li><a href=\"/a\">政务公开</a></li>/<li>通知公告</li></ol>");
    assert_eq!(
        breadcrumb(d.tree.root()),
        vec!["首页", "政务公开", "通知公告"]
    );
    // TRS CurrChnlCls links joined by -> with no marker.
    let d = doc("<div class=\"w1200\"><a href=\"../../\" class=\"CurrChnlCls\">首页</a>-&gt;<a href=\"../\" class=\"CurrChnlCls\">信息公开</a>-&gt;<a href=\"./\" class=\"CurrChnlCls\">通知公告</a></div><div class=\"list\">内容</div>");
    assert_eq!(
        breadcrumb(d.tree.root()),
        vec!["首页", "信息公开", "通知公告"]
    );
    let d = doc("<div class=\"BreadcrumbNav\"><a href=\"/\">首页</a> &gt;&gt; <a href=\"/zwgk/\">政府信息公开</a> &gt;&gt; 规范性文件</div>");
    assert_eq!(
        breadcrumb(d.tree.root()),
        vec!["首页", "政府信息公开", "规范性文件"]
    );
    let d = doc("<ol class=\"breadcrumb\"><li><a href=\"/\">首页</a></li><li><a href=\"/a\">政务公开</a></li><li>通知公告</li></ol>");
    assert_eq!(
        breadcrumb(d.tree.root()),
        vec!["首页", "政务公开", "通知公告"]
    );
    let d = doc("<p>本页位置不在此处，正文里说到当前位置：不是面包屑的一段很长很长的话。</p>");
    assert!(breadcrumb(d.tree.root()).len() <= 1);
}

#[test]
fn body_fallback_skips_chrome() {
    let d = doc("<body><div id=\"nav\"><a>首页</a><a>政务公开</a></div><div class=\"main\">主要内容在这里</div><footer>版权所有</footer></body>");
    let text = main_text(d.tree.root(), body_container(d.tree.root()));
    assert_eq!(text, "主要内容在这里");
}

#[test]
fn challenge_pages() {
    let rs = r#"<html><head><meta content="abc" r='m'><script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script></head><body></body></html>"#;
    assert!(is_challenge(rs, ""));
    let jsl =
        "<script>document.cookie=('__jsl_clearance=1');location.href=location.pathname</script>";
    assert!(is_challenge(jsl, ""));
    let generic = "<html><body><script>var x=eval('1');document.cookie='a='+x;window.location.reload();</script></body></html>";
    assert!(is_challenge(generic, ""));
    let article =
        "<html><body><script>document.cookie='font=big';location.href='#'</script></body></html>";
    assert!(!is_challenge(article, &"政务公开正文。".repeat(100)));
}

#[test]
fn error_pages() {
    assert!(looks_like_error("404 Not Found", ""));
    assert!(looks_like_error(
        "提示信息",
        "抱歉，您访问的页面不存在或已被删除！ 返回首页"
    ));
    assert!(!looks_like_error(
        "关于第404号建议的答复",
        &"正文".repeat(400)
    ));
    assert!(!looks_like_error("通知", "联系电话：0632-4041234"));
    // A real article that mentions the phrase among substantial content.
    assert!(!looks_like_error(
        "关于网站迁移的说明",
        &format!(
            "{}旧网址访问时提示页面不存在的，请通过新网址访问。{}",
            "本站栏目调整说明。".repeat(40),
            "其他说明。".repeat(40)
        )
    ));
    assert!(!looks_like_error("页面不存在", &"正文内容".repeat(300)));
    assert!(!looks_like_error(
        "通知",
        &format!("该栏目信息已删除{}", "其他内容".repeat(100))
    ));
}
