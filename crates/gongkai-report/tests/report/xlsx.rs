//! departments.xlsx read back with calamine (cells) and zip (hyperlink relationships).

use crate::common::{sample, JS_URL, ODD_DEPT};
use calamine::{open_workbook, Data, Reader, Xlsx};
use gongkai_report::xlsx;
use std::io::Read;
use std::path::Path;

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(text).collect()).collect()
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn workbook_sheets_rows_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("departments.xlsx");
    let input = sample();
    xlsx::write(&input, &path).unwrap();

    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(
        names,
        [
            "汇总",
            "市场监管局_执法__稽查_一科",
            "市政府办公室",
            "市教育局",
            "市财政局"
        ]
    );
    drop(wb);
    assert_eq!(xlsx::departments(&input)[0], ODD_DEPT);

    // Summary: header, one row per department, total row.
    let summary = sheet(&path, "汇总");
    assert_eq!(summary[0], xlsx::SUMMARY_COLUMNS);
    let edu = summary.iter().find(|r| r[0] == "市教育局").unwrap();
    assert_eq!(&edu[1..7], ["0", "1", "1", "2", "2", "0"]);
    let total = summary.iter().find(|r| r[0] == "合计").unwrap();
    assert_eq!(&total[1..7], ["2", "2", "1", "5", "3", "1"]);

    // Department sheet: header and rows (open + resolved).
    let office = sheet(&path, "市政府办公室");
    assert_eq!(office[0], xlsx::COLUMNS);
    assert_eq!(office.len(), 1 + 2);
    let col = |n: &str| xlsx::COLUMNS.iter().position(|c| *c == n).unwrap();
    assert_eq!(office[1][col("问题类型")], "链接无法访问");
    assert_eq!(office[1][col("页面标题")], "<script>alert(1)</script>");
    assert_eq!(
        office[1][col("页面地址")],
        "https://www.tengzhou.gov.cn/zwgk/202601/t20260126_1.html"
    );
    assert_eq!(office[1][col("依据")], "滕政办发〔2022〕11号 一（二）");
    assert_eq!(office[1][col("状态")], "未整改（已 12 天）");
    assert_eq!(office[2][col("状态")], "已整改");

    let edu = sheet(&path, "市教育局");
    assert_eq!(edu.len(), 3);
    let js = edu.iter().find(|r| r[col("页面地址")] == JS_URL).unwrap();
    assert_eq!(
        js[col("问题描述")],
        "=HYPERLINK(\"http://evil.example/\",\"点击\")"
    );

    // Hyperlinks: the https page is an external link, the javascript: one is not a link.
    let rels = zip_entry(&path, "xl/worksheets/_rels/sheet3.xml.rels");
    assert!(rels.contains("https://www.tengzhou.gov.cn/zwgk/202601/t20260126_1.html"));
    assert!(rels.contains("TargetMode=\"External\""));
    let edu_xml = zip_entry(&path, "xl/worksheets/sheet4.xml");
    assert!(edu_xml.contains("<hyperlink "), "the https page is linked");
    let edu_rels = zip_entry(&path, "xl/worksheets/_rels/sheet4.xml.rels");
    assert!(!edu_rels.contains("javascript"));
    // Message written as a string, never a formula.
    assert!(!edu_xml.contains("<f>"));
    // Header row frozen.
    assert!(edu_xml.contains("state=\"frozen\""));
}

#[test]
fn one_department_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("市教育局.xlsx");
    xlsx::write_department(&sample(), "市教育局", &path).unwrap();
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["市教育局"]);
    drop(wb);
    let rows = sheet(&path, "市教育局");
    assert_eq!(rows[0], xlsx::COLUMNS);
    assert_eq!(rows.len(), 3);

    let err = xlsx::write_department(&sample(), "不存在的单位", dir.path().join("x.xlsx"));
    assert!(matches!(
        err,
        Err(gongkai_report::ReportError::NoSuchDepartment(_))
    ));
}

#[test]
fn overlong_url_is_plain_text() {
    let mut input = sample();
    let long = format!("https://www.tengzhou.gov.cn/{}", "a".repeat(2100));
    input.findings[2].finding.url = long.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    xlsx::write(&input, &path).unwrap();
    let edu = sheet(&path, "市教育局");
    assert!(edu.iter().any(|r| r[4] == long));
}

#[test]
fn summary_sheet_shows_coverage_and_partial_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("departments.xlsx");
    let mut input = sample();
    input.run.partial = true;
    input.run.coverage = Some(gongkai_report::RunCoverage {
        pages_fetched: 12,
        not_fetched: vec![("超出页数上限".into(), 30)],
        summary: "已抓取页面 12；未抓取 30：超出页数上限 30".into(),
        ..Default::default()
    });
    xlsx::write(&input, &path).unwrap();
    let rows = sheet(&path, xlsx::SUMMARY_SHEET);
    let fact = |k: &str| {
        rows.iter()
            .find(|r| r.first().map(String::as_str) == Some(k))
            .map(|r| r[1].clone())
    };
    assert_eq!(
        fact("覆盖情况").as_deref(),
        Some("已抓取页面 12；未抓取 30：超出页数上限 30")
    );
    assert!(fact("扫描状态").is_some_and(|s| s.starts_with("不完整")));
}

#[test]
fn summary_sheet_states_a_degraded_run_walls_and_held_back_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("departments.xlsx");
    let mut input = sample();
    input.run.partial = true;
    input.run.degraded =
        Some("本次抓取页面 812 个，仅为上次完整运行（运行 7）20000 个的 4%".into());
    input.run.unconfirmed = 3;
    input.run.outcome_counts.insert("blocked".into(), 5);
    xlsx::write(&input, &path).unwrap();
    let summary = sheet(&path, "汇总");
    let fact = |k: &str| {
        summary
            .iter()
            .find(|r| r[0] == k)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no {k} row: {summary:?}"))
    };
    let state = fact("扫描状态");
    assert!(
        state.starts_with("运行异常（降级）：本次抓取页面 812 个"),
        "{state}"
    );
    assert!(state.contains("未核实"), "{state}");
    assert!(fact("未验证（访问受限）").starts_with("5 个"));
    assert!(fact("待确认").starts_with("3 个"));

    // A healthy run says nothing of degradation or held-back links, and counts its walls.
    let healthy = sample();
    xlsx::write(&healthy, &path).unwrap();
    let summary = sheet(&path, "汇总");
    assert!(!summary.iter().any(|r| r[0] == "待确认"));
    assert!(!summary
        .iter()
        .any(|r| r.get(1).is_some_and(|v| v.contains("运行异常"))));
    assert!(summary.iter().any(|r| r[0] == "未验证（访问受限）"));
}
