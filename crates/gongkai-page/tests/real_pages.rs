//! Field accuracy on fixture pages that reproduce real portal layouts (`tests/real/`, own text):
//! every page is analysed and each field a reader sees (title, 文号, 成文日期, 发布日期, 发布机构,
//! validity mark, kind, term clause, footer sponsor, and per page breadcrumb / pages / related
//! links / error flag) is compared with `tests/real/expected.toml`. The accuracy is printed and
//! must be 100%.

use gongkai_page::{analyze, dates::parse_date, Field, LinkRegion, PageModel};
use std::path::{Path, PathBuf};
use toml::{Table, Value};
use url::Url;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real")
}

fn s(page: &Table, key: &str) -> String {
    page.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn iso(v: Option<&str>) -> String {
    v.and_then(parse_date)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn kind_name(m: &PageModel) -> String {
    serde_json::to_value(m.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// (field, expected, got) for every field the page's expectations name.
fn compare(page: &Table, m: &PageModel) -> Vec<(String, String, String)> {
    let md = &m.metadata;
    let text = |f: Field| md.value(f).unwrap_or_default().to_string();
    let mut rows = vec![
        ("kind", s(page, "kind"), kind_name(m)),
        ("title", s(page, "title"), m.document_title().to_string()),
        ("文号", s(page, "doc_number"), text(Field::DocNumber)),
        (
            "成文日期",
            s(page, "written_date"),
            iso(md.value(Field::WrittenDate)),
        ),
        (
            "发布日期",
            s(page, "publish_date"),
            iso(md.value(Field::PublishDate)),
        ),
        ("发布机构", s(page, "publisher"), text(Field::Publisher)),
        ("validity", s(page, "validity"), text(Field::Validity)),
        (
            "footer.sponsor",
            s(page, "footer_sponsor"),
            m.footer.sponsor.clone().unwrap_or_default().to_string(),
        ),
    ];
    let term_expected = page.get("term").and_then(Value::as_table);
    let term_got = m.term.as_ref();
    for key in ["effective", "expires", "years"] {
        let want = term_expected
            .and_then(|t| t.get(key))
            .map(|v| match v {
                Value::Integer(i) => i.to_string(),
                other => other.as_str().unwrap_or_default().to_string(),
            })
            .unwrap_or_default();
        let got = match key {
            "effective" => term_got.and_then(|t| t.effective.as_deref().map(String::from)),
            "expires" => term_got.and_then(|t| t.expires.as_deref().map(String::from)),
            _ => term_got.and_then(|t| t.years.map(|y| y.to_string())),
        }
        .unwrap_or_default();
        rows.push(match key {
            "effective" => ("term.effective", want, got),
            "expires" => ("term.expires", want, got),
            _ => ("term.years", want, got),
        });
    }
    if page.contains_key("breadcrumb_last") {
        let got = m.breadcrumb.last().cloned().unwrap_or_default();
        rows.push(("breadcrumb", s(page, "breadcrumb_last"), got.to_string()));
    }
    if let Some(n) = page.get("total_pages").and_then(Value::as_integer) {
        let got = m.column.as_ref().and_then(|c| c.total_pages);
        let follow = m.follow.len() as i64;
        rows.push((
            "total_pages",
            n.to_string(),
            got.map_or(String::new(), |t| t.to_string()),
        ));
        rows.push(("follow", (n - 1).to_string(), follow.to_string()));
    }
    if let Some(n) = page.get("related_links").and_then(Value::as_integer) {
        let got = m
            .links
            .iter()
            .filter(|l| l.region == LinkRegion::Related)
            .count();
        rows.push(("related_links", n.to_string(), got.to_string()));
    }
    if let Some(b) = page.get("validity_label").and_then(Value::as_bool) {
        let got = md.has_label(Field::Validity);
        rows.push(("validity_label", b.to_string(), got.to_string()));
    }
    if let Some(b) = page.get("looks_like_error").and_then(Value::as_bool) {
        rows.push((
            "looks_like_error",
            b.to_string(),
            m.looks_like_error.to_string(),
        ));
    }
    rows.into_iter()
        .map(|(f, w, g)| (f.to_string(), w, g))
        .collect()
}

#[test]
fn real_layouts_read_as_a_reader_sees_them() {
    let expected: Table = toml::from_str(
        &std::fs::read_to_string(dir().join("expected.toml")).expect("expected.toml"),
    )
    .expect("expected.toml parses");
    let pages = expected["page"].as_array().expect("[[page]]");
    let mut total = 0usize;
    let mut right = 0usize;
    let mut wrong = Vec::new();
    for page in pages {
        let page = page.as_table().expect("page table");
        let file = s(page, "file");
        let body = std::fs::read(dir().join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let url = Url::parse(&s(page, "url")).expect("url");
        let m = analyze(&url, &body, Some("text/html; charset=utf-8"));
        for (field, want, got) in compare(page, &m) {
            total += 1;
            if want == got {
                right += 1;
            } else {
                wrong.push(format!("{file}: {field}: expected {want:?}, got {got:?}"));
            }
        }
    }
    let pct = 100.0 * right as f64 / total.max(1) as f64;
    println!(
        "real layouts: {} pages, {right}/{total} fields right ({pct:.1}%)",
        pages.len()
    );
    assert!(pages.len() >= 14, "fixture set shrank");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
