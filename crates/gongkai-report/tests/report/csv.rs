//! findings.csv: BOM, Chinese round trip, formula injection neutralised.

use crate::common::sample;
use gongkai_report::csv as report_csv;

fn parse(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(report_csv::BOM).expect("BOM present");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn bom_header_and_rows() {
    let bytes = report_csv::to_bytes(&sample()).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let rows = parse(&bytes);
    assert_eq!(rows[0], report_csv::COLUMNS);
    assert_eq!(rows.len(), 1 + 6, "header + 5 open + 1 resolved");
    assert!(rows.iter().all(|r| r.len() == report_csv::COLUMNS.len()));
}

#[test]
fn chinese_round_trips() {
    let rows = parse(&report_csv::to_bytes(&sample()).unwrap());
    let col = |name: &str| report_csv::COLUMNS.iter().position(|c| *c == name).unwrap();
    let stale = rows
        .iter()
        .find(|r| r[col("规则编号")] == "column.stale")
        .expect("stale row");
    assert_eq!(stale[col("问题描述")], "栏目“教育动态”超过14天未更新");
    assert_eq!(stale[col("责任单位")], "市教育局");
    assert_eq!(stale[col("严重程度")], "提示");
    assert_eq!(stale[col("依据文件")], "滕政办发〔2022〕11号");
    // Evidence with quotes and markup survives quoting.
    let broken = rows.iter().find(|r| r[col("指纹")] == "fp-broken").unwrap();
    let ev: serde_json::Value = serde_json::from_str(&broken[col("证据")]).unwrap();
    assert_eq!(ev["anchor"], "</pre><script>alert(5)</script>");
    assert_eq!(broken[col("持续天数")], "12");
}

#[test]
fn formula_injection_neutralised() {
    let rows = parse(&report_csv::to_bytes(&sample()).unwrap());
    let col = report_csv::COLUMNS
        .iter()
        .position(|c| *c == "问题描述")
        .unwrap();
    let meta = rows.iter().find(|r| r[col].contains("HYPERLINK")).unwrap();
    assert_eq!(meta[col], "'=HYPERLINK(\"http://evil.example/\",\"点击\")");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "unneutralised cell {cell:?}"
            );
        }
    }
}
