//! Tests of `annual-report.missing`.

use crate::checks::testkit::*;

fn s(titles: &[&str]) -> crate::Site {
    let items: Vec<(&str, String, Option<&str>)> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, u(&format!("nb/t{i}.html")), Some("2022-01-20")))
        .collect();
    let items: Vec<(&str, &str, Option<&str>)> =
        items.iter().map(|(t, l, d)| (*t, l.as_str(), *d)).collect();
    let mut st = site(vec![
        page(ROOT, home("")),
        page(&u("nb/index.html"), column("政府信息公开年报", &items)),
    ]);
    add_link(&mut st, ROOT, &u("nb/index.html"), "政府信息公开年报");
    st
}

#[test]
fn missing_after_the_governments_deadline_on_a_government_portal() {
    let st = s(&[
        "滕州市人民政府2021年政府信息公开工作年度报告",
        "滕州市人民政府2020年政府信息公开工作年度报告",
    ]);
    assert!(
        run("annual-report.missing", &st, &ctx(2023, 3, 31)).is_empty(),
        "a government's report is due 31 March (条例 Art. 50), not 31 January"
    );
    let f = run("annual-report.missing", &st, &ctx(2023, 4, 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].evidence["year"], 2022);
    assert_eq!(f[0].evidence["deadline"], "2023-03-31");
    assert_eq!(f[0].evidence["level"], "government");
    assert!(f[0].message.contains("2023-03-31"), "{}", f[0].message);
    assert_eq!(
        f[0].evidence["earlier_years_found"],
        serde_json::json!([2020, 2021])
    );
    assert_eq!(f[0].url, u("nb/index.html"));
}

#[test]
fn a_department_site_owes_its_report_by_31_january() {
    let mut st = s(&["市司法局2021年政府信息公开工作年度报告"]);
    let m = st.pages[0].model.as_mut().unwrap();
    m.title = "滕州市司法局".into();
    m.guideline_meta
        .insert("SiteName".into(), "滕州市司法局".into());
    assert!(run("annual-report.missing", &st, &ctx(2023, 1, 31)).is_empty());
    let f = run("annual-report.missing", &st, &ctx(2023, 2, 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].evidence["deadline"], "2023-01-31");
    assert_eq!(f[0].evidence["level"], "department");
}

#[test]
fn earlier_government_reports_make_a_government_portal() {
    let mut st = s(&["滕州市人民政府2021年政府信息公开工作年度报告"]);
    st.pages[0].model.as_mut().unwrap().title = "首页".into();
    assert!(run("annual-report.missing", &st, &ctx(2023, 3, 31)).is_empty());
    assert_eq!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).len(), 1);
    // A department's earlier report does not make it one.
    let mut st = s(&["滕州市人民政府办公室2021年政府信息公开工作年度报告"]);
    st.pages[0].model.as_mut().unwrap().title = "首页".into();
    assert_eq!(run("annual-report.missing", &st, &ctx(2023, 2, 1)).len(), 1);
}

#[test]
fn government_portal_names() {
    let c = super::AnnualReport {
        p: super::Params::default(),
    };
    for n in [
        "滕州市人民政府",
        "滕州市人民政府门户网站",
        "首页_滕州市人民政府",
        "滕州市人民政府 - 首页",
    ] {
        assert!(c.names_government(n), "{n}");
    }
    for n in [
        "滕州市人民政府办公室",
        "滕州市发展和改革局",
        "人民政府网站群",
    ] {
        assert!(!c.names_government(n), "{n}");
    }
}

#[test]
fn title_forms_found() {
    for t in [
        "滕州市2022年政府信息公开工作年度报告",
        "2022年度政府信息公开工作报告",
        "滕州市人民政府政府信息公开工作年度报告（2022年）",
        "2022年政府信息公开年报",
    ] {
        assert!(
            run("annual-report.missing", &s(&[t]), &ctx(2023, 4, 1)).is_empty(),
            "{t}"
        );
    }
}

fn owners(c: &mut crate::EvalContext, depts: &[(&str, Option<&str>)]) {
    c.owners = depts
        .iter()
        .map(|(d, pre)| crate::OwnerRule {
            url_prefix: pre.map(u),
            column: None,
            department: (*d).into(),
        })
        .collect();
}

#[test]
fn a_departments_report_does_not_stand_in_for_the_governments() {
    let st = s(&[
        "滕州市司法局2022年政府信息公开工作年度报告",
        "滕州市人民政府2021年政府信息公开工作年度报告",
    ]);
    let f = run("annual-report.missing", &st, &ctx(2023, 4, 1));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].evidence["level"], "government");
    // A place name alone, or no unit at all, is the government's own report.
    for t in [
        "滕州市2022年政府信息公开工作年度报告",
        "2022年度政府信息公开工作报告",
    ] {
        let st = s(&[t, "滕州市人民政府2021年政府信息公开工作年度报告"]);
        assert!(
            run("annual-report.missing", &st, &ctx(2023, 4, 1)).is_empty(),
            "{t}"
        );
    }
}

#[test]
fn a_notice_about_reports_is_no_report() {
    let st = s(&[
        "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
        "滕州市人民政府2021年政府信息公开工作年度报告",
    ]);
    assert_eq!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).len(), 1);
}

#[test]
fn each_configured_department_owes_its_report_by_31_january() {
    let st = s(&[
        "滕州市人民政府2022年政府信息公开工作年度报告",
        "市司法局2022年政府信息公开工作年度报告",
    ]);
    let mut c = ctx(2023, 2, 1);
    owners(
        &mut c,
        &[
            ("滕州市司法局", Some("sfj/")),
            ("滕州市民政局", Some("mzj/")),
        ],
    );
    let f = run("annual-report.missing", &st, &c);
    // 司法局's report (its short name 市司法局) is there; 民政局's is not; the government's
    // is not due before 31 March but is there anyway.
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].department, "滕州市民政局");
    assert_eq!(f[0].evidence["unit"], "滕州市民政局");
    assert_eq!(f[0].evidence["deadline"], "2023-01-31");
    assert_eq!(
        f[0].target.as_deref(),
        Some("滕州市民政局2022年度政府信息公开工作年度报告")
    );
    let mut c = ctx(2023, 1, 31);
    owners(&mut c, &[("滕州市民政局", None)]);
    assert!(run("annual-report.missing", &st, &c).is_empty());
}

#[test]
fn a_department_named_by_its_alias() {
    let st = s(&[
        "滕州市人民政府2022年政府信息公开工作年度报告",
        "市发改局2022年政府信息公开工作年度报告",
    ]);
    let mut c = ctx(2023, 2, 1);
    owners(&mut c, &[("滕州市发展和改革局", Some("fgj/"))]);
    assert_eq!(run("annual-report.missing", &st, &c).len(), 1, "no alias");
    c.aliases = vec![("市发改局".into(), "滕州市发展和改革局".into())];
    assert!(run("annual-report.missing", &st, &c).is_empty());
}

#[test]
fn a_report_counts_for_its_publisher() {
    // The title names no unit; the page's 发布机构 says whose it is.
    let mut st = s(&["滕州市人民政府2022年政府信息公开工作年度报告"]);
    st.pages.push(page(
        &u("mzj/nb/1.html"),
        with_fields(
            article("2022年政府信息公开工作年度报告", "统计期限自2022年1月1日起"),
            &[(gongkai_page::Field::Publisher, "滕州市民政局")],
        ),
    ));
    let mut c = ctx(2023, 2, 1);
    owners(
        &mut c,
        &[("滕州市民政局", Some("mzj/")), ("滕州市司法局", None)],
    );
    let f = run("annual-report.missing", &st, &c);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].department, "滕州市司法局");
}

#[test]
fn uncrawled_report_column_is_not_judged() {
    let mut st = site(vec![page(ROOT, home(""))]);
    add_link(&mut st, ROOT, &u("nb/index.html"), "政府信息公开年报");
    assert!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).is_empty());
    let st = site(vec![page(ROOT, home(""))]);
    assert_eq!(run("annual-report.missing", &st, &ctx(2023, 4, 1)).len(), 1);
}
