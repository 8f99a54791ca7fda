//! The label vocabulary of 政务公开 metadata blocks: which printed labels mean which [`Field`],
//! plus the labels that are *not* fields but end a value on one line (作者, 浏览次数, 字号 ...).
//!
//! Labels are compared after [`normalize_label`], which drops every kind of space (so `索 引 号`
//! and `文　　号` match), colons, and decorative brackets.

use crate::dom::{is_space, BOUNDARY};
use crate::model::Field;
/// Placeholder values live in `gongkai-core` (the page model reads them); re-exported here.
pub use gongkai_core::placeholder::{is_placeholder, PLACEHOLDER_VALUES};

/// Printed labels per field. Order inside a field does not matter; lookups are exact after
/// normalisation.
pub const FIELD_LABELS: &[(Field, &[&str])] = &[
    (Field::IndexNumber, &["索引号", "索引编号"]),
    (
        Field::Topic,
        &["主题分类", "主题词", "分类", "信息分类", "组配分类"],
    ),
    (
        Field::Publisher,
        &[
            "发布机构",
            "发文机关",
            "发布单位",
            "来源",
            "信息来源",
            "发文单位",
            "制发机关",
            "发布机关",
            "发文机构",
            "文章来源",
            "公开机构",
            "责任部门",
            "责任单位",
        ],
    ),
    (
        Field::DocNumber,
        &["文号", "发文字号", "发文号", "发文文号", "文件字号"],
    ),
    (
        Field::WrittenDate,
        &[
            "成文日期",
            "成文时间",
            "印发日期",
            "制发日期",
            "签发日期",
            "印发时间",
            "成文日",
        ],
    ),
    (
        Field::PublishDate,
        &[
            "发布日期",
            "发布时间",
            "公开日期",
            "公开时间",
            "发文日期",
            "发表时间",
            "发表日期",
            "公布日期",
            "公布时间",
            "生成日期",
            "日期",
        ],
    ),
    (
        Field::Validity,
        &[
            "有效性",
            "时效性",
            "效力状态",
            "有效状态",
            "效力状况",
            "时效",
            "有效期",
            "是否有效",
            "有效期限",
            "效力",
        ],
    ),
    (
        Field::DocType,
        &[
            "文件类型",
            "体裁",
            "公文种类",
            "文种",
            "信息类别",
            "体裁分类",
            "公文类型",
            "文件种类",
        ],
    ),
    (
        Field::Title,
        &["标题", "名称", "文件名称", "信息名称", "文件标题"],
    ),
];

/// Labels that stand for a field only when the page prints none of that field's other labels:
/// 责任部门 is the publisher only where there is no 发布机构, a bare 日期 / 生成日期 / 发文日期
/// is the publication date only where there is no 发布日期.
pub const FALLBACK_LABELS: &[&str] = &[
    "责任部门",
    "责任单位",
    "生成日期",
    "发文日期",
    "日期",
    "来源",
    "信息来源",
    "文章来源",
];

/// Whether a normalised field label is a fallback label (see [`FALLBACK_LABELS`]).
pub fn is_fallback_label(label: &str) -> bool {
    FALLBACK_LABELS.contains(&label)
}

/// Labels that carry no field but commonly sit on the same line as field labels; they end the
/// preceding value.
pub const STOP_LABELS: &[&str] = &[
    "作者",
    "浏览次数",
    "浏览量",
    "点击数",
    "点击量",
    "点击率",
    "阅读次数",
    "阅读量",
    "访问量",
    "访问次数",
    "字号",
    "字体",
    "打印",
    "关闭",
    "分享",
    "分享到",
    "责任编辑",
    "编辑",
    "审核",
    "关键词",
    "摘要",
    "生效日期",
    "废止日期",
    "失效日期",
    "统一编号",
    "登记号",
    "联系电话",
    "撰稿",
    "供稿",
    "核稿",
    "校对",
    "录入",
    "发布人",
    "浏览",
];

/// Labels of citizens' letter pages (书记市长信箱, 来信选登): no document field, but labels by their
/// wording wherever they stand, also in a `td` beside a `td` without a colon.
pub const LETTER_LABELS: &[&str] = &[
    "来信人",
    "来信日期",
    "来信时间",
    "来信内容",
    "来信标题",
    "留言人",
    "留言标题",
    "留言时间",
    "留言日期",
    "留言内容",
    "提问时间",
    "咨询时间",
    "咨询内容",
    "回复单位",
    "回复部门",
    "回复时间",
    "回复日期",
    "回复内容",
    "答复单位",
    "答复部门",
    "答复时间",
    "答复日期",
    "答复内容",
    "办理单位",
    "办理结果",
    "办理状态",
    "处理结果",
    "处理状态",
];

/// Whether a normalised label is a letter-page label (see [`LETTER_LABELS`]).
pub fn is_letter_label(label: &str) -> bool {
    LETTER_LABELS.contains(&label)
}

/// Labels whose field is too generic to mark a page as an information-disclosure article.
const WEAK_LABELS: &[&str] = &["分类", "主题词", "信息类别", "来源", "文章来源", "信息来源"];

/// Column-header words: a "value" equal to one of these means we are reading a table header.
pub const HEADER_WORDS: &[&str] = &[
    "标题",
    "名称",
    "文件名称",
    "信息名称",
    "序号",
    "操作",
    "日期",
    "时间",
    "下载",
    "查看",
    "主题",
    "内容",
    "文件标题",
];

/// Normalises a printed label: removes spaces (incl. U+3000, NBSP), boundary markers, trailing
/// colons and decorative brackets / bullets.
pub fn normalize_label(s: &str) -> String {
    // Spaces and markers go wherever they are, so trimming the decorations off the ends of the
    // text without them is trimming decorations and spaces off the ends of the text with them
    // (the two sets are disjoint, so stripping either end never exposes the other's kind).
    let gone = |c: char| c == BOUNDARY || is_space(c);
    let s = s
        .trim_end_matches(|c: char| gone(c) || LABEL_SUFFIXES.contains(&c))
        .trim_start_matches(|c: char| gone(c) || LABEL_PREFIXES.contains(&c));
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    for (i, c) in s.char_indices() {
        if gone(c) {
            out.push_str(&s[run..i]);
            run = i + c.len_utf8();
        }
    }
    out.push_str(&s[run..]);
    out
}

/// Decorations after a label: colons and closing brackets.
const LABEL_SUFFIXES: [char; 8] = ['：', ':', '】', ']', '）', ')', '〕', '>'];
/// Decorations before a label: opening brackets and bullets.
const LABEL_PREFIXES: [char; 10] = ['【', '[', '（', '(', '〔', '*', '·', '•', '<', '★'];

/// The field a normalised label stands for.
pub fn field_of(label: &str) -> Option<Field> {
    FIELD_LABELS
        .iter()
        .find(|(_, labels)| labels.contains(&label))
        .map(|(f, _)| *f)
}

/// Whether a normalised label is a stop label.
pub fn is_stop_label(label: &str) -> bool {
    STOP_LABELS.contains(&label)
}

/// Whether a normalised label for a known field is specific enough to mark a disclosure page.
pub fn is_strong_label(label: &str) -> bool {
    match field_of(label) {
        Some(Field::IndexNumber | Field::DocNumber | Field::WrittenDate | Field::Validity) => true,
        Some(Field::Topic | Field::DocType) => !WEAK_LABELS.contains(&label),
        _ => false,
    }
}

/// All labels (field labels then stop labels), longest first so alternations prefer them.
pub fn all_labels() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = FIELD_LABELS
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    v.extend(STOP_LABELS.iter().copied());
    v.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalize_label("索 引 号："), "索引号");
        assert_eq!(normalize_label("文\u{3000}\u{3000}号:"), "文号");
        assert_eq!(normalize_label("【发布机构】"), "发布机构");
        assert_eq!(normalize_label("* 有\u{a0}效\u{a0}性 ："), "有效性");
        assert_eq!(
            field_of(&normalize_label("效力状况：")),
            Some(Field::Validity)
        );
        assert_eq!(field_of("成文日期"), Some(Field::WrittenDate));
        assert_eq!(field_of("公文种类"), Some(Field::DocType));
        assert_eq!(field_of("浏览次数"), None);
        assert!(is_strong_label("索引号"));
        assert!(!is_strong_label("来源"));
        assert!(!is_strong_label("分类"));
        assert!(is_strong_label("主题分类"));
        for v in ["无", " 无。", "—", "无文号", "/", "", "N/A"] {
            assert!(is_placeholder(v), "{v:?}");
        }
        assert!(!is_placeholder("滕政办发〔2022〕11号"));
        assert!(!is_placeholder("无为县人民政府"));
    }
}
