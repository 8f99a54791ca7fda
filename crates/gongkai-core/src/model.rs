//! The page model: what one page says about itself, as plain serialisable data.
//!
//! This is the contract between the page extractor, the crawler (links, follow-ups), the store
//! (stored as JSON with [`EXTRACTOR_VERSION`]) and the rules. Add fields freely; rename none.

pub use crate::field_values::FieldValues;
pub use crate::pairs::{MetaTags, Pairs};
pub use arcstr::ArcStr;
use serde::{Deserialize, Serialize};

/// Bumped whenever extraction changes, so stored models are re-extracted by `gongkai check`.
pub const EXTRACTOR_VERSION: u32 = 3;

/// Everything extracted from one HTML page.
///
/// Missing fields deserialise to their defaults, so models stored by an older extractor still
/// load (and `gongkai check` re-extracts them by `extractor_version`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PageModel {
    /// [`EXTRACTOR_VERSION`] of the extractor that built the model.
    pub extractor_version: u32,
    /// `<title>` text, whitespace-collapsed.
    pub title: ArcStr,
    /// The article heading when the page has one (`h1`, `.title`, ArticleTitle meta ...).
    pub heading: Option<ArcStr>,
    /// What the page looks like locally (cross-page kinds such as "normative document" are decided
    /// by the rules over the whole site).
    pub kind: PageKind,
    /// 政府网站发展指引 meta tags by name (SiteName, SiteIDCode, ColumnName, ArticleTitle, PubDate,
    /// ContentSource ...), as found.
    pub guideline_meta: MetaTags,
    /// The metadata block (索引号 / 文号 / 成文日期 ...), normalised.
    pub metadata: Metadata,
    /// Breadcrumb trail texts, home first (当前位置：首页 > 政府信息公开 > 规范性文件).
    pub breadcrumb: Vec<ArcStr>,
    /// Present when the page is a column list page (boxed: few pages are, and every model of a
    /// loaded site would otherwise carry its room).
    pub column: Option<Box<ColumnList>>,
    /// Main text of the page (article body when found, else the body text), whitespace-collapsed.
    pub text: String,
    /// Every link-like reference on the page, in document order.
    pub links: Vec<Link>,
    /// Extra requests the crawler should make to see the whole column (pagination pages, Hanweb
    /// dataproxy POSTs); absolute URLs.
    /// (A boxed slice: made once, and held by every model of a loaded site.)
    pub follow: Box<[FollowRequest]>,
    /// True when the page looks like an anti-bot challenge (JS cookie wall, 瑞数 ...).
    pub challenge: bool,
    /// True when the page looks like an error page ("页面不存在", "404 Not Found" ...) with little
    /// other content.
    pub looks_like_error: bool,
    /// The document's own term clause found in its body text ("本办法自2022年9月19日起施行，有效期至
    /// 2027年9月18日", "有效期5年"). It is part of the document, not the page's validity mark:
    /// the mark lives in [`Metadata`] as [`Field::Validity`] (a labelled field outside the body, or
    /// a badge such as 【现行有效】).
    pub term: Option<TermClause>,
    /// What the site footer states about the site (主办单位, 网站标识码, 备案号).
    pub footer: Footer,
}

impl PageModel {
    /// The document's title as a reader sees it: the 标题 / 名称 the metadata block prints (the
    /// page title is often generic on 信息公开 platforms), else the article heading, else the
    /// `<title>`.
    pub fn document_title(&self) -> &str {
        self.metadata
            .value(Field::Title)
            .or(self.heading.as_deref())
            .unwrap_or(&self.title)
    }
}

/// A term clause in a document's body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct TermClause {
    /// The sentence as printed (bounded), for evidence. Like [`PageModel::text`], which it is
    /// part of, it is empty in the models of a site loaded from the store: the rules find it
    /// again in the page text when they quote it.
    pub quote: ArcStr,
    /// 施行日期 / 起施行 date, ISO.
    pub effective: Option<ArcStr>,
    /// 有效期至 / 有效期截至 date, ISO.
    pub expires: Option<ArcStr>,
    /// 有效期N年 (N years from `effective`).
    pub years: Option<u32>,
}

/// Statements of the site footer (政府网站发展指引: 主办单位, 网站标识码, ICP备案号, 公安机关备案号).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Footer {
    /// 主办单位 (or 主办：), the organ that runs the site: the owner of last resort for findings.
    pub sponsor: Option<ArcStr>,
    /// 网站标识码 as printed.
    pub site_id_code: Option<ArcStr>,
    /// ICP备案号 as printed (e.g. 鲁ICP备05001234号-1).
    pub icp: Option<ArcStr>,
    /// 公安机关备案号 as printed (e.g. 鲁公网安备 37048102000123号).
    pub police_beian: Option<ArcStr>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
/// What a page looks like on its own.
pub enum PageKind {
    /// The site's home page.
    Home,
    /// A column list page (items with dates, pagination).
    ColumnList,
    /// An article or information page.
    Article,
    /// An article carrying a metadata block with at least two known fields.
    InfoDisclosureArticle,
    #[default]
    /// Anything else (error pages, challenges, landing pages ...).
    Other,
}

/// A known metadata field, whatever label the site used for it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// 索引号
    IndexNumber,
    /// 主题分类
    Topic,
    /// 发布机构 (发文机关, 发布单位, 来源 ...)
    Publisher,
    /// 文号 (发文字号 ...)
    DocNumber,
    /// 成文日期 (成文时间, 印发日期 ...)
    WrittenDate,
    /// 发布日期 (发布时间, 公开日期 ...)
    PublishDate,
    /// 有效性 (时效性, 效力状态, 有效状态 ...)
    Validity,
    /// 文件类型 (体裁, 公文种类 ...)
    DocType,
    /// 标题 (名称): the document's title as its metadata block prints it.
    Title,
}

/// The metadata block of a page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    /// Known fields, value text normalised (full-width spaces collapsed, trimmed). Empty values are
    /// kept as empty strings: "label present, value blank" is a finding too.
    pub fields: FieldValues,
    /// Every (label, value) pair seen, label normalised (colons and spaces removed), in order.
    pub raw: Pairs,
}

impl Metadata {
    /// The field's value when the page shows a real one: `None` when the label is absent or its
    /// value is blank or a placeholder (无, —, 空, /, 暂无 ...; see [`crate::placeholder::is_placeholder`]).
    /// Every rule reads fields through this, so "文号：无" means "no 文号" everywhere.
    pub fn value(&self, field: Field) -> Option<&str> {
        self.fields
            .get(&field)
            .map(|v| v.trim())
            .filter(|v| !crate::placeholder::is_placeholder(v))
    }

    /// True when the page prints the field's label, whatever its value.
    pub fn has_label(&self, field: Field) -> bool {
        self.fields.contains_key(&field)
    }
}

/// One link-like reference found on a page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Link {
    /// The attribute value as written.
    pub raw: String,
    /// Resolved and normalised absolute URL; None when skipped or unparsable.
    pub url: Option<String>,
    /// What kind of reference it is.
    pub kind: LinkKind,
    /// Element and attribute, e.g. `a[href]`, `img[src]`.
    pub element: String,
    /// Anchor text (or alt / title for images), whitespace-collapsed.
    pub anchor: String,
    /// Why this link is not fetched, if it is not.
    pub skip: Option<SkipReason>,
    /// Where on the page the link sits.
    #[serde(default)]
    pub region: LinkRegion,
    /// Hidden from readers by CSS (see `hidden.rs`): why, e.g. `style="display:none"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
}

/// Where on a page a link sits: a document's own links are in its content or its 相关解读 /
/// 相关文件 block; template chrome (navigation, header, footer, sidebars) is on every page.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum LinkRegion {
    /// Inside the article's main content container.
    Content,
    /// Inside a block headed 相关解读 / 政策解读 / 相关文件 / 相关链接 / 附件 that belongs to the
    /// article (not site navigation).
    Related,
    /// Navigation, header, footer, breadcrumb, sidebar: the template.
    Chrome,
    /// Not decided.
    #[default]
    Other,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
/// What kind of reference a link is (decides how it is checked).
pub enum LinkKind {
    /// A page (`a[href]` and the like).
    Page,
    /// An image (`img[src]`).
    Image,
    /// pdf doc docx xls xlsx zip rar wps ofd ...
    Attachment,
    /// A script (`script[src]`).
    Script,
    /// A stylesheet (`link[href]`).
    Style,
    /// A frame (`iframe[src]`, `frame[src]`).
    Frame,
    /// Audio, video or an embedded object (`video`, `audio`, `source`, `embed`, `object`).
    Media,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
/// Why a link is not fetched.
pub enum SkipReason {
    /// `mailto:`.
    Mailto,
    /// `tel:`.
    Tel,
    /// `javascript:`.
    Javascript,
    /// `data:`.
    Data,
    /// Only a `#fragment` of the same page.
    BareFragment,
    /// Not http(s) (ftp:, file:, weixin: ...).
    OtherScheme,
    /// Could not be parsed as a URL.
    Malformed,
}

/// A request the crawler should make beyond plain links.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FollowRequest {
    /// A list page of the same column (index_N.html, 下一页, createPageHTML ...).
    Pagination {
        /// The page's absolute URL.
        url: String,
    },
    /// A Hanweb (大汉) dataproxy POST: `endpoint` is absolute; `form` holds the fixed fields
    /// (col, webid, path, columnid, unitid, appid ...); the crawler adds startrecord / endrecord /
    /// perpage per batch.
    HanwebDataProxy {
        /// The dataproxy URL, absolute.
        endpoint: String,
        /// The form fields of the first batch.
        form: Vec<(String, String)>,
        /// Records per page the list shows.
        perpage: u32,
        /// Records per request as the page's script asks (endrecord - startrecord + 1).
        batch: u32,
    },
}

/// A column (栏目) list page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ColumnList {
    /// Column name from breadcrumb tail, ColumnName meta, heading or title, in that order.
    pub name: ArcStr,
    /// The items, in page order.
    pub items: Vec<ColumnItem>,
    /// Total pages when the pagination says so (createPageHTML's total, "共N页").
    pub total_pages: Option<u32>,
    /// Current page number, 1-based.
    pub current_page: Option<u32>,
}

/// One item listed in a column.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ColumnItem {
    /// The item's title as listed.
    pub title: ArcStr,
    /// The item's absolute URL, when it links one.
    pub url: Option<ArcStr>,
    /// ISO date (YYYY-MM-DD) when the item carries one.
    pub date: Option<ArcStr>,
}
