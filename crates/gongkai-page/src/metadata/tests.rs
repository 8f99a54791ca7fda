use super::*;
use crate::model::Field;
use scraper::Html;

fn md(html: &str) -> Extracted {
    let doc = Html::parse_document(html);
    extract(doc.tree.root())
}

fn field(e: &Extracted, f: Field) -> Option<&str> {
    e.metadata.fields.get(&f).map(|v| v.as_str())
}

#[test]
fn trs_table_two_pairs_per_row() {
    let e = md(
        r#"<div class="xxgk_table"><table class="table_suoyin"><tbody>
        <tr><th>索&nbsp;&nbsp;引&nbsp;&nbsp;号：</th><td>11370481004222241N/2022-00011</td>
            <th>主题分类：</th><td>政务公开</td></tr>
        <tr><th>发布机构：</th><td>滕州市人民政府办公室</td><th>成文日期：</th><td>2022年05月30日</td></tr>
        <tr><th>文　　号：</th><td>滕政办发〔2022〕11号</td><th>发布日期：</th><td>2022-06-01</td></tr>
        <tr><th>有 效 性：</th><td>有效</td><th>名　　称：</th><td>滕州市2022年政务公开工作要点</td></tr>
        </tbody></table></div>
        <div class="TRS_Editor"><p>各镇人民政府、街道办事处……</p></div>"#,
    );
    assert_eq!(
        field(&e, Field::IndexNumber),
        Some("11370481004222241N/2022-00011")
    );
    assert_eq!(field(&e, Field::Topic), Some("政务公开"));
    assert_eq!(field(&e, Field::Publisher), Some("滕州市人民政府办公室"));
    assert_eq!(field(&e, Field::WrittenDate), Some("2022年05月30日"));
    assert_eq!(field(&e, Field::DocNumber), Some("滕政办发〔2022〕11号"));
    assert_eq!(field(&e, Field::PublishDate), Some("2022-06-01"));
    assert_eq!(field(&e, Field::Validity), Some("有效"));
    assert!(e
        .metadata
        .raw
        .contains(&("名称".into(), "滕州市2022年政务公开工作要点".into())));
    assert!(e.disclosure_block);
}

#[test]
fn gkmlpt_classify_table_with_label_and_value_cells() {
    let e = md(r#"<div class="classify"><table><tbody>
        <tr><td class="first">索引号：</td><td class="td-value-xl"><span>11440000006939845D/2022-00123</span></td>
            <td class="first">分类：</td><td class="td-value"><span>综合政务、通知</span></td></tr>
        <tr><td class="first">发布机构：</td><td><span>广东省人民政府办公厅</span></td>
            <td class="first">成文日期：</td><td><span>2022-05-30</span></td></tr>
        <tr><td class="first">名称：</td><td colspan="3"><span>广东省人民政府办公厅关于进一步做好政务公开工作的通知</span></td></tr>
        <tr><td class="first">文号：</td><td><span>粤办函〔2022〕123号</span></td>
            <td class="first">发布日期：</td><td><span>2022-06-01</span></td></tr>
        </tbody></table></div>"#);
    assert_eq!(
        field(&e, Field::IndexNumber),
        Some("11440000006939845D/2022-00123")
    );
    assert_eq!(field(&e, Field::Topic), Some("综合政务、通知"));
    assert_eq!(field(&e, Field::DocNumber), Some("粤办函〔2022〕123号"));
    assert_eq!(field(&e, Field::WrittenDate), Some("2022-05-30"));
    assert!(e.disclosure_block);
}

#[test]
fn hanweb_ul_li_span_labels_and_blank_value() {
    let e = md(r#"<div class="xxgk_info"><ul>
        <li><span>索 引 号：</span>000014349/2017-00110</li>
        <li><span>发布机构：</span>滕州市教育和体育局</li>
        <li><span>公文种类：</span>通知</li>
        <li><span>发文字号：</span>滕教体字[2022]5号</li>
        <li><span>有&nbsp;效&nbsp;性：</span></li>
        </ul></div>"#);
    assert_eq!(field(&e, Field::IndexNumber), Some("000014349/2017-00110"));
    assert_eq!(field(&e, Field::DocType), Some("通知"));
    assert_eq!(field(&e, Field::DocNumber), Some("滕教体字[2022]5号"));
    assert_eq!(field(&e, Field::Validity), Some(""));
    assert!(e.disclosure_block);
}

#[test]
fn strong_label_paragraphs_and_colonless_bold() {
    let e = md(r#"<div class="article-meta">
        <p><strong>索引号</strong>：01234567-8/2022-00001</p>
        <p><strong>发文机关</strong>：滕州市人民政府</p>
        <p><b>时效</b>长期有效</p>
        </div>"#);
    assert_eq!(field(&e, Field::IndexNumber), Some("01234567-8/2022-00001"));
    assert_eq!(field(&e, Field::Publisher), Some("滕州市人民政府"));
    assert_eq!(field(&e, Field::Validity), Some("长期有效"));
}

#[test]
fn definition_list() {
    let e = md(
        r#"<dl class="gk-meta"><dt>索引号：</dt><dd>MB1234567/2022-0001</dd>
        <dt>效力状态：</dt><dd>现行有效</dd><dt>签发日期：</dt><dd>2022-05-30</dd></dl>"#,
    );
    assert_eq!(field(&e, Field::IndexNumber), Some("MB1234567/2022-0001"));
    assert_eq!(field(&e, Field::Validity), Some("现行有效"));
    assert_eq!(field(&e, Field::WrittenDate), Some("2022-05-30"));
}

#[test]
fn byline_is_not_a_disclosure_block() {
    let e = md(r#"<h1>我市召开政务公开工作推进会</h1>
        <div class="info"><span>发布时间：2022-06-01 10:00</span><span>来源：滕州市政府办公室</span>
        <span>浏览次数：<script>document.write(12)</script></span><span>【字体：大 中 小】</span></div>"#);
    assert_eq!(field(&e, Field::PublishDate), Some("2022-06-01 10:00"));
    assert_eq!(field(&e, Field::Publisher), Some("滕州市政府办公室"));
    assert!(!e.disclosure_block);
    let e = md("<div class=\"ewb-article-info\">信息来源：市行政审批服务局 发布时间：【2022-06-01】 阅读次数：35</div>");
    assert_eq!(field(&e, Field::Publisher), Some("市行政审批服务局"));
    assert_eq!(field(&e, Field::PublishDate), Some("2022-06-01"));
}

#[test]
fn multiple_pairs_in_one_div_with_spaced_labels() {
    let e = md("<div>发布机构：滕州市人民政府办公室 文　号：滕政办发〔2022〕11号 成文日期：2022-05-30</div>");
    assert_eq!(field(&e, Field::Publisher), Some("滕州市人民政府办公室"));
    assert_eq!(field(&e, Field::DocNumber), Some("滕政办发〔2022〕11号"));
    assert_eq!(field(&e, Field::WrittenDate), Some("2022-05-30"));
}

#[test]
fn body_paragraphs_are_not_metadata() {
    let long =
        "为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步提升政务公开质量，".repeat(6);
    let e = md(&format!(
        "<div class=\"TRS_Editor\"><p>{long}信息来源：新华社</p>\
         <p>本办法自2022年6月1日起施行，有效期：5年。</p>\
         <p>请联系<b>来源</b>单位核实。</p></div>"
    ));
    assert!(e.metadata.fields.is_empty(), "{:?}", e.metadata);
}

#[test]
fn list_items_and_document_tables_are_not_metadata() {
    let items: String = (1..=10)
        .map(|i| {
            format!(
                "<li><a href=\"/a{i}.html\">通知{i}</a><span>发布时间：2022-06-{i:02}</span></li>"
            )
        })
        .collect();
    let e = md(&format!("<ul class=\"list\">{items}</ul>"));
    assert!(e.metadata.fields.is_empty(), "{:?}", e.metadata);
    let e = md(
        r#"<table><tr><td>序号</td><td>文件名称</td><td>文号</td><td>发布日期</td></tr>
        <tr><td>1</td><td><a href="/a.html">关于印发工作要点的通知</a></td><td>滕政办发〔2022〕11号</td><td>2022-06-01</td></tr></table>"#,
    );
    assert!(e.metadata.fields.is_empty(), "{:?}", e.metadata);
}

#[test]
fn bracketed_source_line() {
    let e = md("<div class=\"TRS_Editor\"><p>正文第一段。</p><p>（来源：大众日报）</p></div>");
    assert_eq!(field(&e, Field::Publisher), Some("大众日报"));
}

#[test]
fn footer_ignored() {
    let e = md("<div class=\"footer\"><p>来源：滕州市人民政府 发布时间：2022-06-01</p></div>");
    assert!(e.metadata.fields.is_empty());
}

#[test]
fn guideline_meta_case_insensitive() {
    let doc = Html::parse_document(
        r#"<head><meta name="SiteName" content="滕州市人民政府"><meta name="siteidcode" content="3704810001">
        <meta name="ColumnName" content="规范性文件"><meta name="pubdate" content="2022-06-01 10:00">
        <meta name="viewport" content="width=device-width"></head>"#,
    );
    let m = guideline_meta(doc.tree.root());
    assert_eq!(m.get("SiteIDCode").map(String::as_str), Some("3704810001"));
    assert_eq!(
        m.get("PubDate").map(String::as_str),
        Some("2022-06-01 10:00")
    );
    assert_eq!(m.get("ColumnName").map(String::as_str), Some("规范性文件"));
    assert_eq!(m.len(), 4);
}

#[test]
fn jiangxi_dd_label_and_nested_div_value() {
    let e = md(r#"<div class="xxgk-info"><dl>
        <dd><label>索引号：</label><div class="display-block">K36092200/2025-0012345</div></dd>
        <dd><label>发布机构：</label><div class="display-block">万载县统计局</div></dd>
        <dd><label>生成日期：</label><div class="display-block">2025-02-26</div></dd>
        <dd><label>文号：</label><div class="display-block">无</div></dd>
        <dd><label>有效性：</label><div class="display-block"></div></dd>
        </dl></div>"#);
    assert_eq!(field(&e, Field::Publisher), Some("万载县统计局"));
    assert_eq!(field(&e, Field::PublishDate), Some("2025-02-26"));
    assert_eq!(field(&e, Field::DocNumber), Some("无"));
    assert_eq!(e.metadata.value(Field::DocNumber), None);
    assert_eq!(field(&e, Field::Validity), Some(""));
    assert!(e.metadata.has_label(Field::Validity));
    assert!(e.disclosure_block);
}

#[test]
fn li_span_span_and_xxgk_item_divs() {
    let e = md(r#"<ul class="xxgk-meta">
        <li><span>名称：</span><span>关于做好春季防火工作的通知</span></li>
        <li><span>责任部门：</span><span>甘肃省发展和改革委员会</span></li>
        <li><span>文号：</span><span>甘发改办〔2024〕7号</span></li>
        <li><span>日期：</span><span>2024-03-05 11:54</span></li></ul>"#);
    assert_eq!(field(&e, Field::Title), Some("关于做好春季防火工作的通知"));
    assert_eq!(field(&e, Field::Publisher), Some("甘肃省发展和改革委员会"));
    assert_eq!(field(&e, Field::PublishDate), Some("2024-03-05 11:54"));
    let e = md(
        r#"<div class="xxgk"><div class="xxgk-item"><span class="lab">索引号</span>
        <span class="val">001/2024-01</span></div>
        <div class="xxgk-item"><span class="lab">发文日期</span><span class="val">2024年3月1日</span></div>
        <div class="xxgk-item"><span class="lab">发布日期</span><span class="val">2024年3月4日</span></div>
        <div class="xxgk-item"><span class="lab">发布机构</span><span class="val">某市教育局</span></div>
        <div class="xxgk-item"><span class="lab">责任部门</span><span class="val">某市教育局办公室</span></div>
        </div>"#,
    );
    // 发布日期 wins over 发文日期, 发布机构 over 责任部门, whatever the order.
    assert_eq!(field(&e, Field::PublishDate), Some("2024年3月4日"));
    assert_eq!(field(&e, Field::Publisher), Some("某市教育局"));
    assert_eq!(field(&e, Field::IndexNumber), Some("001/2024-01"));
}

#[test]
fn alternating_cells_and_strong_paragraphs() {
    let e = md(
        r#"<table class="xxgk"><tr><td><b>索 引 号：</b></td><td>000014349/2024-00031</td>
        <td><b>主题分类：</b></td><td>城乡建设、环境保护</td></tr>
        <tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2024年02月20日</td></tr>
        <tr><td><b>标　　题：</b></td><td colspan="3">国务院办公厅关于某某工作的意见</td></tr>
        <tr><td><b>发文字号：</b></td><td>国办发〔2024〕9号</td><td><b>发布日期：</b></td><td>2024年02月26日</td></tr>
        </table>"#,
    );
    assert_eq!(
        field(&e, Field::Title),
        Some("国务院办公厅关于某某工作的意见")
    );
    assert_eq!(field(&e, Field::Publisher), Some("国务院办公厅"));
    assert_eq!(field(&e, Field::DocNumber), Some("国办发〔2024〕9号"));
    let e = md(
        r#"<div class="info"><p><strong>索引号</strong>：11370481/2022-0099</p>
        <p><strong>发布机构：</strong>滕州市司法局</p><p><strong>有效性</strong>：有效</p></div>"#,
    );
    assert_eq!(field(&e, Field::IndexNumber), Some("11370481/2022-0099"));
    assert_eq!(field(&e, Field::Publisher), Some("滕州市司法局"));
    assert_eq!(field(&e, Field::Validity), Some("有效"));
}

#[test]
fn body_prose_is_never_a_validity_mark() {
    let html = r#"<div class="meta"><p>发布机构：滕州市司法局</p><p>发布日期：2022-09-19</p></div>
        <div class="TRS_Editor"><p>第十二条 本办法由市司法局负责解释。</p>
        <p>有效期：5年</p><p>第十三条 本办法自2022年9月19日起施行，有效期至2027年9月18日。</p></div>"#;
    let doc = Html::parse_document(html);
    let root = doc.tree.root();
    let body = root
        .descendants()
        .find(|n| crate::dom::attr(*n, "class") == Some("TRS_Editor"));
    let e = extract_with_body(root, body);
    assert_eq!(field(&e, Field::Validity), None);
    assert_eq!(field(&e, Field::Publisher), Some("滕州市司法局"));
    // Outside any body container too, a label inside a sentence is not a field.
    let e =
        md("<div><p>本通知有效期：五年</p><p>发布机构：某局</p><p>文号：某发〔2022〕1号</p></div>");
    assert_eq!(field(&e, Field::Validity), None);
    assert_eq!(field(&e, Field::Publisher), Some("某局"));
    // A table metadata block inside the body container still counts.
    let html = r#"<div class="TRS_Editor"><table><tr><td>有效性：</td><td>现行有效</td>
        <td>文号：</td><td>滕司发〔2022〕3号</td></tr></table><p>正文……</p></div>"#;
    let doc = Html::parse_document(html);
    let root = doc.tree.root();
    let body = root
        .descendants()
        .find(|n| crate::dom::attr(*n, "class") == Some("TRS_Editor"));
    let e = extract_with_body(root, body);
    assert_eq!(field(&e, Field::Validity), Some("现行有效"));
}

#[test]
fn bare_date_label_needs_a_date() {
    let e = md(r#"<div class="art-info"><span>日期：2025-02-26 11:54</span>
        <span>来源：万载县人民政府</span></div>"#);
    assert_eq!(field(&e, Field::PublishDate), Some("2025-02-26 11:54"));
    // A printed 发布日期 label, even blank, is the page's own statement: no fallback then.
    let e = md(r#"<ul><li><span>发布日期：</span><span></span></li>
        <li><span>生成日期：</span><span>2025-02-26</span></li><li><span>文号：</span><span>无</span></li></ul>"#);
    assert_eq!(field(&e, Field::PublishDate), Some(""));
    let e = md(r#"<div><p>文号：赣府发〔2024〕1号</p><p>日期：见附件</p></div>"#);
    assert!(!e.metadata.has_label(Field::PublishDate));
}

#[test]
fn letter_table_of_td_cells_without_colons() {
    // 来信选登 tables of another CMS: label cells are plain `td` without a colon.
    let e = md(r#"<table class="xfxx" border="1">
        <tr><td class="t">来信人</td><td>李**</td></tr>
        <tr><td class="t">来信日期</td><td>2024年12月3日</td></tr>
        <tr><td class="t">来信内容</td><td>桐木乡集镇自来水水压长期不足。</td></tr>
        <tr><td class="t">回复时间</td><td>2025/01/06</td></tr>
        <tr><td class="t">处理结果</td><td>正在办理中</td></tr>
        </table>"#);
    for (l, v) in [
        ("来信日期", "2024年12月3日"),
        ("回复时间", "2025/01/06"),
        ("处理结果", "正在办理中"),
    ] {
        assert!(
            e.metadata.raw.contains(&(l.into(), v.into())),
            "{l}: {:?}",
            e.metadata.raw
        );
    }
    // A data table whose header row holds the same words is not read as pairs.
    let e = md(
        r#"<table><tr><td>留言标题</td><td>留言时间</td><td>处理状态</td></tr>
        <tr><td>路灯不亮</td><td>2024-12-03</td><td>已办结</td></tr></table>"#,
    );
    assert!(
        !e.metadata.raw.iter().any(|(l, _)| l == "留言标题"),
        "{:?}",
        e.metadata.raw
    );
}

#[test]
fn label_end_set_holds_every_label_end_and_little_else() {
    let ends = &**LABEL_ENDS;
    for l in labels::all_labels() {
        let last = l.chars().next_back().unwrap_or(' ');
        assert!((last as u32) < 0x10000, "{l}");
        assert!(ends_label(ends, last), "{l}");
        assert!(may_end_label(l), "{l}");
    }
    assert!(!may_end_label("首页"));
    assert!(!may_hold_known_label("\u{1}首页\u{1}"));
    assert!(may_hold_known_label("\u{1}索引号\u{1}：123"));
}
