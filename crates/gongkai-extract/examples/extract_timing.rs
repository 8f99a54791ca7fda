//! What reading attachments costs: builds a large xlsx (50,000 rows × 4 columns), a 300-page
//! Identity-H pdf, a 20,000-paragraph docx and a 1 MiB GBK csv in memory, and times
//! `gongkai_extract::extract` on each (run in release:
//! `cargo run --release -p gongkai-extract --example extract_timing`).

use gongkai_extract::{extract, fixtures, Limits};
use std::time::Instant;

fn time(name: &str, bytes: &[u8], file: &str) {
    let t = Instant::now();
    let e = extract(bytes, file, None, &Limits::default());
    let text: usize = e.chunks.iter().map(|c| c.text.len()).sum();
    println!(
        "{name:<28} {:>9} bytes  {:>8.1} ms  {:>7} chunks  {:>9} text bytes  {:?}",
        bytes.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        e.chunks.len(),
        text,
        e.status
    );
}

fn main() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for r in 0..50_000u32 {
        ws.write(r, 0, r).expect("cell");
        ws.write(r, 1, format!("姓名{r}")).expect("cell");
        ws.write(r, 2, format!("370481********{:04}", r % 10_000))
            .expect("cell");
        ws.write(r, 3, "临时救助 800 元").expect("cell");
    }
    let xlsx = wb.save_to_buffer().expect("xlsx");
    time("xlsx 50,000 rows", &xlsx, "a.xlsx");

    let page = "关于2023年度城乡居民最低生活保障资金发放情况的公示\n张某某 370481********1234 低保 420.00\n"
        .repeat(20);
    let pages: Vec<&str> = (0..300).map(|_| page.as_str()).collect();
    let pdf = fixtures::pdf(&pages);
    time("pdf 300 pages (Identity-H)", &pdf, "a.pdf");

    let paras: Vec<String> = (0..20_000)
        .map(|i| format!("第{i}段 根据有关规定，现将情况公示如下。"))
        .collect();
    let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
    let docx = fixtures::docx(&refs, &[], None);
    time("docx 20,000 paragraphs", &docx, "a.docx");

    let line = "序号,姓名,身份证号,类别,金额\n1,张某某,370481********1234,临时救助,800\n";
    let csv = line.repeat(1024 * 1024 / line.len());
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    time("csv 1 MiB GBK", &gbk, "a.csv");
}
