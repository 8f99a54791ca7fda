//! Writes the attachments of the fixture portal's `zwgk/fj/` section (a 公示 column of a portal
//! the rules were not written against): planted ID numbers in an xlsx (second sheet), an xls, a
//! docx table, a pdf, a GBK csv and a legacy doc in 6-8-4 groups; classification marks in a pdf
//! and a docx; and the traps (masked and wrong-check-digit numbers, an impossible birth date, a
//! scanned pdf, a text about 保密, a zip bomb, a clean ofd). All numbers are made up.
//!
//! `cargo run -p gongkai-extract --example make_fixtures -- fixtures/portal/zwgk/fj`

use gongkai_extract::fixtures;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fixtures/portal/zwgk/fj".into()),
    );
    std::fs::create_dir_all(&dir).expect("create dir");
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.join(name), bytes).expect("write fixture");
    };

    // xlsx: the planted number on the second sheet; a wrong check digit on the first.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s1 = wb.add_worksheet().set_name("说明").expect("sheet");
    s1.write(0, 0, "2023年第一季度困难群众临时救助发放公示")
        .expect("cell");
    s1.write(2, 0, "复核编号 370481198811112450").expect("cell");
    let s2 = wb.add_worksheet().set_name("Sheet2").expect("sheet");
    for (c, h) in ["序号", "姓名", "身份证号", "金额（元）"]
        .iter()
        .enumerate()
    {
        s2.write(3, c as u16, *h).expect("cell");
    }
    s2.write(4, 0, 1).expect("cell");
    s2.write(4, 1, "孙某某").expect("cell");
    s2.write(4, 2, "370481198503127717").expect("cell");
    s2.write(4, 3, 800).expect("cell");
    s2.write(5, 0, 2).expect("cell");
    s2.write(5, 1, "钱某某").expect("cell");
    s2.write(5, 2, "370481********1234").expect("cell");
    write(
        "P020230315000000000001.xlsx",
        wb.save_to_buffer().expect("xlsx"),
    );

    // xls: one planted number; an 18-digit serial with an impossible date (30 February).
    write(
        "P020230315000000000002.xls",
        fixtures::xls(&[(
            "成绩",
            vec![
                (0, 0, "准考证号"),
                (0, 1, "身份证号"),
                (1, 0, "370481199002301232"),
                (1, 1, "37048119920815002X"),
            ],
        )]),
    );

    // GBK csv.
    let csv = "序号,姓名,身份证号,救助类别\n1,李某某,370481197309265564,临时救助\n2,周某某,370481********5678,低保\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    write("P020230315000000000003.csv", gbk.into_owned());

    // Scanned pdf: no text layer.
    write("P020230315000000000004.pdf", fixtures::pdf_image_only());

    // docx: the number in a table, a classification mark in the body.
    write(
        "P020230320000000000001.docx",
        fixtures::docx(
            &["机密★5年", "2023年公开招聘工作人员拟聘用人员名单"],
            &[
                vec!["姓名", "身份证号", "岗位"],
                vec!["吴某某", "370481196802214336", "综合管理"],
            ],
            None,
        ),
    );

    // pdf (Identity-H + ToUnicode): a number on page 2; a classified notice.
    write(
        "P020230320000000000002.pdf",
        fixtures::pdf(&[
            "面试成绩公示",
            "郑某某 370481200105091288 86.5\n王某某 370481********2345 82.0",
        ]),
    );
    write(
        "P020230320000000000003.pdf",
        fixtures::pdf(&["秘密★1年\n关于做好2023年度招聘考务工作的通知\n各考点："]),
    );

    // Legacy doc: the number in 6-8-4 groups.
    write(
        "P020230320000000000004.doc",
        fixtures::doc("资格复审人员名单\r冯某某  370481 19760704 3011  通过\r"),
    );

    // Traps: talk about secrets; a clean ofd; a zip bomb inside an xlsx.
    write(
        "P020230320000000000005.docx",
        fixtures::docx(
            &[
                "各单位要严格遵守保密纪律，保守国家秘密，做好保密工作。",
                "涉密文件按规定标注“秘密★”“机密★”等密级标志，秘密文件管理按有关规定执行。",
            ],
            &[],
            None,
        ),
    );
    write(
        "P020230320000000000006.ofd",
        fixtures::ofd(&["招聘公告\n联系人身份证号 370481********3456"]),
    );
    let bomb = vec![b'0'; 8 * 1024 * 1024];
    write(
        "P020230320000000000007.xlsx",
        fixtures::zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", &bomb),
        ]),
    );
}
