//! End-to-end tests of [`analyze`] on whole pages in the styles of different CMSs.

use super::*;

fn run(url: &str, html: &str) -> PageModel {
    analyze(
        &Url::parse(url).unwrap(),
        html.as_bytes(),
        Some("text/html; charset=utf-8"),
    )
}

const TRS_DISCLOSURE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<title>滕州市人民政府办公室关于印发滕州市2022年政务公开工作要点的通知_滕州市人民政府</title>
<meta name="SiteName" content="滕州市人民政府"><meta name="ColumnName" content="政府信息公开制度">
<meta name="ArticleTitle" content="滕州市人民政府办公室关于印发滕州市2022年政务公开工作要点的通知">
<meta name="PubDate" content="2022-06-01 16:30"><meta name="ContentSource" content="滕州市人民政府办公室">
</head><body>
<div class="header"><div class="nav"><a href="/">首页</a><a href="/zwgk/">政府信息公开</a></div></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <a href="../">政府信息公开制度</a> &gt; 正文</div>
<table class="xxgk-table"><tr><td>索 引 号：</td><td>11370481004331876H/2022-00065</td><td>主题分类：</td><td>综合政务</td></tr>
<tr><td>发布机构：</td><td>滕州市人民政府办公室</td><td>成文日期：</td><td>2022年06月01日</td></tr>
<tr><td>文　　号：</td><td>滕政办发〔2022〕11号</td><td>发布日期：</td><td>2022年06月01日</td></tr></table>
<h1 class="title">滕州市人民政府办公室关于印发滕州市2022年政务公开工作要点的通知</h1>
<div class="TRS_Editor"><p>各镇人民政府、街道办事处，市政府各部门，各有关单位：</p>
<p>现将《滕州市2022年政务公开工作要点》印发给你们，请结合实际认真贯彻落实。</p>
<p>附件：<a href="./P020220601512345678901.docx">滕州市2022年政务公开工作要点.docx</a></p></div>
<div class="footer">网站标识码：3704810001 <a href="https://beian.miit.gov.cn/">鲁ICP备05002176号</a></div>
</body></html>"#;

#[test]
fn trs_disclosure_article() {
    let m = run(
        "http://www.tengzhou.gov.cn/zwgk/gkzd/202206/t20220601_1234570.html",
        TRS_DISCLOSURE,
    );
    assert_eq!(m.kind, PageKind::InfoDisclosureArticle);
    assert_eq!(
        m.heading.as_deref(),
        Some("滕州市人民政府办公室关于印发滕州市2022年政务公开工作要点的通知")
    );
    assert_eq!(m.metadata.fields[&Field::DocNumber], "滕政办发〔2022〕11号");
    assert!(parse_doc_number(&m.metadata.fields[&Field::DocNumber])
        .unwrap()
        .is_standard());
    assert_eq!(
        parse_date(&m.metadata.fields[&Field::WrittenDate]),
        chrono::NaiveDate::from_ymd_opt(2022, 6, 1)
    );
    assert!(!m.metadata.fields.contains_key(&Field::Validity));
    assert_eq!(
        m.breadcrumb,
        vec!["首页", "政府信息公开", "政府信息公开制度", "正文"]
    );
    assert_eq!(m.guideline_meta["ContentSource"], "滕州市人民政府办公室");
    assert!(m.text.starts_with("各镇人民政府"));
    assert!(m.column.is_none());
    let att = m
        .links
        .iter()
        .find(|l| l.kind == LinkKind::Attachment)
        .unwrap();
    assert_eq!(
        att.url.as_deref(),
        Some("http://www.tengzhou.gov.cn/zwgk/gkzd/202206/P020220601512345678901.docx")
    );
    assert!(!m.challenge && !m.looks_like_error);
}

#[test]
fn hanweb_column_page() {
    let html = r#"<html><head><meta charset="utf-8"><title>部门规范性文件 - 滕州市人民政府</title>
<meta name="ColumnName" content="部门规范性文件"></head><body>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <span>部门规范性文件</span></div>
<div id="5678"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1234&unitid=5678&webname=滕州市人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2023/1/10/art_1234_5690.html" title="关于印发滕州市粮食应急保障实施方案的通知" target="_blank">关于印发滕州市粮食应急保障实施方案的通知</a><span>2023-01-10</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/12/20/art_1234_5688.html" target="_blank">关于规范校外培训机构管理的通知</a></li>]]></record>
</recordset></datastore></script></div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
<script>$('#5678').jpage({perPage: 15, groupSize: 3, proxyUrl: '/module/web/jpage/dataproxy.jsp', totalRecord: 32,
 ajaxParam: {col: 1, appid: 1, webid: 1, path: '/', columnid: 1234, sourceContentType: 1, unitid: 5678}});</script>
</body></html>"#;
    let m = run("http://www.tengzhou.gov.cn/col/col1234/index.html", html);
    assert_eq!(m.kind, PageKind::ColumnList);
    let col = m.column.as_ref().unwrap();
    assert_eq!(col.name, "部门规范性文件");
    assert_eq!(col.items.len(), 2);
    assert_eq!(col.items[1].date, None);
    assert_eq!(col.total_pages, Some(3));
    let FollowRequest::HanwebDataProxy {
        endpoint,
        form,
        perpage,
        batch,
    } = &m.follow[0]
    else {
        panic!()
    };
    assert_eq!(
        endpoint,
        "http://www.tengzhou.gov.cn/module/web/jpage/dataproxy.jsp"
    );
    assert_eq!((*perpage, *batch), (15, 45));
    assert!(form.iter().any(|(k, v)| k == "unitid" && v == "5678"));
}

#[test]
fn gkmlpt_and_kaipu_articles() {
    let gd = r#"<html><head><title>广东省人民政府办公厅关于进一步做好政务公开工作的通知</title></head><body>
<div class="classify"><table><tr><td class="first">索引号：</td><td>11440000006939845D/2022-00123</td>
<td class="first">分类：</td><td>综合政务</td></tr><tr><td class="first">发布机构：</td><td>广东省人民政府办公厅</td>
<td class="first">成文日期：</td><td>2022-05-30</td></tr></table></div>
<div class="article-content"><p>各地级以上市人民政府，省政府各部门、各直属机构：</p><p>经省人民政府同意，现就有关事项通知如下。</p></div>
</body></html>"#;
    let m = run(
        "http://www.gd.gov.cn/gkmlpt/content/3/3940/post_3940123.html",
        gd,
    );
    assert_eq!(m.kind, PageKind::InfoDisclosureArticle);
    assert_eq!(m.metadata.fields[&Field::Topic], "综合政务");

    let kaipu = r#"<html><head><title>市政府召开常务会议_枣庄市人民政府</title></head><body>
<div class="main"><h2 class="art-title">市政府召开常务会议</h2>
<div class="info"><span>来源：市政府办公室</span><span>发布时间：2023-03-01 09:30</span><span>浏览次数：</span></div>
<div id="UCAP-CONTENT"><p>3月1日，市政府召开常务会议，研究部署近期重点工作。会议指出，要扎实推进政务公开标准化规范化建设。</p></div></div>
</body></html>"#;
    let m = run(
        "http://www.zaozhuang.gov.cn/xwzx/jrzz/202303/t20230301_1.html",
        kaipu,
    );
    assert_eq!(m.kind, PageKind::Article);
    assert_eq!(m.heading.as_deref(), Some("市政府召开常务会议"));
    assert_eq!(m.metadata.fields[&Field::Publisher], "市政府办公室");
    assert!(m.text.starts_with("3月1日"));
}

#[test]
fn epoint_style_list_with_table_rows_and_pager() {
    let rows: String = (1..=12)
        .map(|i| {
            format!(
                "<tr><td class=\"ewb-info-item\"><a href=\"/jyxx/002001/20220{m}{d:02}/abc{i}.html\" title=\"某某项目招标公告{i}\">某某项目招标公告{i}</a></td>\
                 <td class=\"ewb-date\">2022-0{m}-{d:02}</td></tr>",
                m = 1 + i % 6,
                d = i
            )
        })
        .collect();
    let html = format!(
        "<html><head><title>招标公告</title></head><body><div class=\"ewb-nav\"><a href=\"/\">首页</a></div>\
         <table class=\"ewb-info-list\">{rows}</table>\
         <div class=\"pages\"><a href=\"?pageIndex=2\">下一页</a><a href=\"?pageIndex=9\">尾页</a> 共9页</div></body></html>"
    );
    let m = run("http://ggzy.example.gov.cn/jyxx/002001/list.html", &html);
    assert_eq!(m.kind, PageKind::ColumnList);
    let col = m.column.unwrap();
    assert_eq!(col.items.len(), 12);
    assert!(col.items.iter().all(|i| i.date.is_some()));
    assert_eq!(col.total_pages, Some(9));
    assert_eq!(col.name, "招标公告");
    // ?pageIndex=2..9 (the page without the parameter is page 1).
    assert_eq!(m.follow.len(), 8);
}

#[test]
fn soft_404_and_challenge() {
    let m = run(
        "http://www.example.gov.cn/zwgk/old.html",
        "<html><head><title>提示</title></head><body><div class=\"box\"><img src=\"/404.png\"><p>抱歉，您访问的页面不存在或已被删除！</p>\
         <a href=\"/\">返回首页</a></div></body></html>",
    );
    assert!(m.looks_like_error);
    assert_eq!(m.kind, PageKind::Other);
    let m = run(
        "http://www.example.gov.cn/",
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><meta id=\"x\" content=\"aa\" r='m'>\
         <script type=\"text/javascript\" charset=\"utf-8\" src=\"/abc/def.js\" r='m'></script></head><body></body></html>",
    );
    assert!(m.challenge);
    assert_eq!(m.kind, PageKind::Other);
    assert!(m.follow.is_empty());
}

#[test]
fn challenge_with_and_without_a_long_article_container() {
    let wall = "<script>var wzws_cid='1'; document.cookie='a'; location.reload();</script>";
    let long = "政务公开工作要点正文。".repeat(40);
    // The container's text is visible body text: more than a challenge page has.
    let html =
        format!("<html><head>{wall}</head><body><div class=\"TRS_Editor\"><p>{long}</p></div></body></html>");
    assert!(!run("http://www.example.gov.cn/a.html", &html).challenge);
    // The same text inside an invisible element is not visible: the wall is still a wall.
    let html = format!(
        "<html><head>{wall}</head><body><object><div class=\"TRS_Editor\"><p>{long}</p></div></object></body></html>"
    );
    assert!(run("http://www.example.gov.cn/a.html", &html).challenge);
}

#[test]
fn gbk_bytes_and_hostile_input_never_panic() {
    let html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
                <title>关于金镕机械有限公司的公示</title></head><body><h1>关于金镕机械有限公司的公示</h1>\
                <p class=\"date\">发布时间：2023-03-28</p><p>正文。</p></body></html>";
    let bytes = encoding_rs::GB18030.encode(html).0.into_owned();
    let m = analyze(
        &Url::parse("http://a.gov.cn/gbk/tzgg/1.html").unwrap(),
        &bytes,
        None,
    );
    assert_eq!(m.title, "关于金镕机械有限公司的公示");
    assert_eq!(m.kind, PageKind::Article);

    let url = Url::parse("http://a.gov.cn/x.html").unwrap();
    let hostile: Vec<Vec<u8>> = vec![
        vec![],
        vec![0xff; 1000],
        b"<".repeat(10_000),
        "<div>".repeat(30_000).into_bytes(),
        "<table><tr><td>".repeat(5_000).into_bytes(),
        format!("<a href=\"{}\">x</a>", "%".repeat(100_000)).into_bytes(),
        "<script>createPageHTML(999999999, 0, 'index', 'html')</script>".into(),
        "<ul><li><a href=x>".repeat(3_000).into_bytes(),
        "<p>索引号：".repeat(2_000).into_bytes(),
    ];
    for body in hostile {
        let m = analyze(&url, &body, None);
        assert!(m.follow.len() <= 2000);
        assert!(m.text.len() <= content::MAX_TEXT);
    }
}

#[test]
fn random_markup_soup_never_panics() {
    // A tiny deterministic generator: no dependency, reproducible failures.
    let tokens = [
        "<div class=\"list\">",
        "</div>",
        "<ul>",
        "<li>",
        "</li>",
        "<a href=\"",
        "\">",
        "</a>",
        "<table>",
        "<tr>",
        "<td>",
        "索引号：",
        "文　号：",
        "滕政办发〔2022〕11号",
        "2022-06-01",
        "[06-01]",
        "<script>createPageHTML(",
        "3, 0, 'index', 'html')</script>",
        "共5页",
        "<a href=\"index_1.html\">下一页</a>",
        "<datastore><record><![CDATA[",
        "]]></record>",
        "dataproxy.jsp?columnid=1&unitid=2",
        "当前位置：",
        " > ",
        "<h1>",
        "</h1>",
        "\u{3000}",
        "<p>",
        "<br>",
        "<span>",
        "</span>",
        "<!--",
        "-->",
        "<base href=\"//x.gov.cn/\">",
        "javascript:void(0)",
        "%ZZ",
        "？",
        "<meta charset=gbk>",
        "<",
        ">",
        "&nbsp;",
        "\"",
        "'",
        "<td>发布日期</td><td>",
        "<dl><dt>有效性</dt><dd>有效",
        "<img src=",
        "二〇二二年六月一日",
    ];
    let url = Url::parse("http://www.tengzhou.gov.cn/zwgk/gfxwj/index.html").unwrap();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..150 {
        let mut html = String::new();
        for _ in 0..200 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            html.push_str(tokens[(state % tokens.len() as u64) as usize]);
        }
        let m = analyze(&url, html.as_bytes(), None);
        assert!(m.links.len() <= links::MAX_LINKS);
        let _ = serde_json::to_string(&m).unwrap();
        let cut = (state as usize) % html.len().max(1);
        let _ = analyze(
            &url,
            &html.as_bytes()[..cut],
            Some("text/html; charset=gb2312"),
        );
    }
}

#[test]
fn dataproxy_answer_rendered_as_a_page_is_a_list() {
    let html = "<html><head><title>规范性文件</title></head><body><div class=\"list\"><ul>\
                <li><a href=\"/art/2022/6/1/art_12_1.html\">关于印发某办法的通知</a></li>\
                <li><a href=\"/art/2022/5/1/art_12_2.html\">另一个通知</a></li></ul></div></body></html>";
    let m = run("http://a.gov.cn/module/web/jpage/dataproxy.jsp", html);
    assert_eq!(m.kind, PageKind::ColumnList);
    let col = m.column.unwrap();
    assert_eq!(col.items.len(), 2);
    assert!(col.items.iter().all(|i| i.date.is_none()));
}

/// A page's main list is searched for only when its kind needs it: the same dated list makes a
/// column at a list URL, and is no column of a page whose URL or meta already says article
/// (pagination is still followed from both).
#[test]
fn a_list_is_kept_only_where_the_kind_needs_it() {
    let items: String = (1..=6)
        .map(|i| {
            format!("<li><a href=\"./202206/t2022060{i}_{i}.html\">关于开展第{i}批政务公开专项检查的通知</a><span>2022-06-0{i}</span></li>")
        })
        .collect();
    let html = format!(
        "<html><head><title>通知公告_滕州市人民政府</title></head><body>\
         <div class=\"list\"><ul>{items}</ul>\
         <div class=\"page\"><a href=\"index_1.html\">下一页</a></div></div></body></html>"
    );
    let follows = |m: &PageModel| {
        m.follow.iter().any(
            |f| matches!(f, FollowRequest::Pagination { url } if url.ends_with("/index_1.html")),
        )
    };
    let list = run("http://www.example.gov.cn/zwgk/tzgg/index.html", &html);
    assert_eq!(list.kind, PageKind::ColumnList);
    let column = list.column.as_ref().expect("a column list");
    assert_eq!(column.items.len(), 6);
    assert!(column.items.iter().all(|i| i.date.is_some()));
    assert!(follows(&list));

    let article = run(
        "http://www.example.gov.cn/zwgk/tzgg/202206/t20220601_1.html",
        &html,
    );
    assert_eq!(article.kind, PageKind::Article);
    assert!(article.column.is_none());
    assert!(follows(&article));
    let meta = html.replace(
        "</head>",
        "<meta name=\"ArticleTitle\" content=\"关于开展政务公开专项检查的通知\"></head>",
    );
    let article = run("http://www.example.gov.cn/zwgk/tzgg/list.html", &meta);
    assert_eq!(article.kind, PageKind::Article);
    assert!(article.column.is_none());
    assert!(follows(&article));
}
