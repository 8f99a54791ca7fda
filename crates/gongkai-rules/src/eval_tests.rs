//! Evaluation-wide tests: departments, fingerprints, due dates, ordering.

use crate::checks::testkit::*;
use crate::{evaluate, pack_from_files, EvalContext, OwnerRule, Severity};
use gongkai_core::FetchOutcome;
use gongkai_page::{Field, LinkKind};

fn broken_site() -> crate::Site {
    let art = with_fields(
        article("通知", "正文"),
        &[
            (Field::Publisher, "滕州市司法局"),
            (Field::IndexNumber, "1"),
        ],
    );
    let mut s = site(vec![
        page(ROOT, home("首页")),
        page(&u("zwgk/bm/sfj/t1.html"), art),
        page(&u("zwgk/bm/jyj/t2.html"), article("教育动态", "正文")),
        page(&u("zwgk/tzgg/t3.html"), article("公告", "正文")),
        page(
            &u("zwgk/tzgg/index.html"),
            column(
                "通知公告",
                &[("公告", &u("zwgk/tzgg/t3.html"), Some("2022-06-01"))],
            ),
        ),
        target(&u("dead.pdf"), FetchOutcome::NotFound, Some(404)),
    ]);
    for src in [
        u("zwgk/bm/sfj/t1.html"),
        u("zwgk/bm/jyj/t2.html"),
        u("zwgk/tzgg/t3.html"),
        ROOT.to_string(),
    ] {
        s.links
            .push(link(&src, &u("dead.pdf"), LinkKind::Attachment, "附件"));
    }
    s
}

fn owners_ctx() -> EvalContext {
    let mut c = ctx(2022, 7, 1);
    c.owners = vec![
        OwnerRule {
            url_prefix: Some(u("zwgk/bm/jyj/")),
            column: None,
            department: "市教育和体育局".into(),
        },
        OwnerRule {
            url_prefix: Some(u("zwgk/")),
            column: None,
            department: "市政府办公室".into(),
        },
        OwnerRule {
            url_prefix: None,
            column: Some("通知公告".into()),
            department: "市政府办公室综合科".into(),
        },
    ];
    c.aliases = vec![("滕州市司法局".into(), "市司法局".into())];
    c
}

#[test]
fn departments_publisher_owner_default() {
    let f = run("link.broken", &broken_site(), &owners_ctx());
    let dept = |p: &str| {
        f.iter()
            .find(|x| x.url == u(p))
            .map(|x| x.department.clone())
            .unwrap()
    };
    assert_eq!(
        dept("zwgk/bm/sfj/t1.html"),
        "市司法局",
        "publisher, alias applied"
    );
    assert_eq!(
        dept("zwgk/bm/jyj/t2.html"),
        "市教育和体育局",
        "longest prefix"
    );
    assert_eq!(
        dept("zwgk/tzgg/t3.html"),
        "市政府办公室综合科",
        "column owner beats prefix"
    );
    let root = f.iter().find(|x| x.url == ROOT).unwrap();
    // A news source is not a department; an organ under 来源 is.
    let mut s = broken_site();
    let m = s.pages[2].model.as_mut().unwrap();
    **m = with_fields(
        (**m).clone(),
        &[
            (Field::Publisher, "滕州日报"),
            (Field::PublishDate, "2022-06-01"),
        ],
    );
    let v = m.metadata.raw.get(0).unwrap().1.clone();
    m.metadata.raw.set(0, "来源".into(), v);
    let f2 = run("link.broken", &s, &owners_ctx());
    assert_eq!(
        f2.iter()
            .find(|x| x.url == u("zwgk/bm/jyj/t2.html"))
            .unwrap()
            .department,
        "市教育和体育局"
    );
    let m = s.pages[2].model.as_mut().unwrap();
    m.metadata
        .fields
        .insert(Field::Publisher, "滕州市教育和体育局".into());
    let l = m.metadata.raw.get(0).unwrap().0.clone();
    m.metadata.raw.set(0, l, "滕州市教育和体育局".into());
    let f3 = run("link.broken", &s, &owners_ctx());
    assert_eq!(
        f3.iter()
            .find(|x| x.url == u("zwgk/bm/jyj/t2.html"))
            .unwrap()
            .department,
        "滕州市教育和体育局"
    );
    assert_eq!(root.department, "市政府各部门、各镇街", "rule default");
}

#[test]
fn fingerprints_are_stable_and_distinct() {
    let a = evaluate(&crate::default_pack(), &broken_site(), &owners_ctx());
    let b = evaluate(&crate::default_pack(), &broken_site(), &ctx(2022, 7, 1));
    // Configured departments owe their own annual reports: those findings exist only with owners.
    let a: Vec<_> = a
        .into_iter()
        .filter(|f| !(f.rule == "annual-report.missing" && f.evidence["unit"].is_string()))
        .collect();
    let fa: Vec<&str> = a.iter().map(|f| f.fingerprint.as_str()).collect();
    let fb: Vec<&str> = b.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(fa, fb, "departments do not change fingerprints");
    let mut uniq = fa.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), fa.len());
    assert!(fa
        .iter()
        .all(|f| f.len() == 24 && f.chars().all(|c| c.is_ascii_hexdigit())));
    // Sorted by severity first.
    assert!(a.windows(2).all(|w| w[0].severity >= w[1].severity));
    assert!(a.iter().any(|f| f.severity == Severity::Error));
}

#[test]
fn rule_due_date_and_enabled_flag() {
    let rule = |extra: &str| {
        format!(
            "[[rule]]\nid = \"link.broken\"\ntitle = \"t\"\nseverity = \"error\"\nledger = [51]\ndepartment = \"d\"\ncheck = \"link-broken\"\n{extra}\n"
        )
    };
    let n = |extra: &str, c: &EvalContext| {
        let pack = pack_from_files(vec![("a.toml".into(), rule(extra))]).unwrap();
        evaluate(&pack, &broken_site(), c).len()
    };
    assert_eq!(n("", &ctx(2022, 7, 1)), 4);
    assert_eq!(n("due = 2022-07-01", &ctx(2022, 7, 1)), 0, "not after due");
    assert_eq!(n("due = 2022-07-01", &ctx(2022, 7, 2)), 4);
    assert_eq!(n("enabled = false", &ctx(2022, 7, 2)), 0);
}

#[test]
fn departments_fall_back_to_the_footer_sponsor_never_a_ledger_phrase() {
    let mut s = broken_site();
    // Every page of the site states its 主办单位 in the footer; the home page's wins.
    for (i, p) in s.pages.iter_mut().enumerate() {
        if let Some(m) = p.model.as_mut() {
            m.footer.sponsor = Some(if i == 0 {
                "滕州市人民政府办公室".into()
            } else {
                "别的单位".into()
            });
        }
    }
    let mut c = owners_ctx();
    c.aliases
        .push(("滕州市人民政府办公室".into(), "市政府办公室".into()));
    c.owners
        .retain(|o| o.url_prefix.as_deref() != Some(&u("zwgk/")));
    let f = run("link.broken", &s, &c);
    let dept = |p: &str| {
        f.iter()
            .find(|x| x.url == p)
            .map(|x| x.department.clone())
            .unwrap()
    };
    // link.broken's default is the ledger phrase 市政府各部门、各镇街: no one can act on it.
    assert_eq!(dept(ROOT), "市政府办公室", "footer sponsor, alias applied");
    assert_eq!(
        dept(&u("zwgk/bm/sfj/t1.html")),
        "市司法局",
        "publisher first"
    );
    assert_eq!(
        dept(&u("zwgk/bm/jyj/t2.html")),
        "市教育和体育局",
        "owner next"
    );
    assert_eq!(
        dept(&u("zwgk/tzgg/t3.html")),
        "市政府办公室综合科",
        "column owner"
    );
    // A rule's default unit is the model city's (the ledger makes 市司法局 answer for normative
    // documents); the site's own footer says who runs this site, so it comes first.
    let rule = "[[rule]]\nid = \"link.broken\"\ntitle = \"t\"\nseverity = \"error\"\nledger = [51]\ndepartment = \"市司法局\"\ncheck = \"link-broken\"\n";
    let pack = pack_from_files(vec![("a.toml".into(), rule.into())]).unwrap();
    let f = evaluate(&pack, &s, &c);
    assert_eq!(
        f.iter().find(|x| x.url == ROOT).unwrap().department,
        "市政府办公室"
    );
    // Placeholders are no sponsor.
    for p in s.pages.iter_mut() {
        if let Some(m) = p.model.as_mut() {
            m.footer.sponsor = Some("无".into());
        }
    }
    let f = run("link.broken", &s, &c);
    assert_eq!(
        f.iter().find(|x| x.url == ROOT).unwrap().department,
        "市政府各部门、各镇街",
        "no footer: the rule's default is all there is"
    );
}

#[test]
fn whole_site_checks_are_named_by_the_default_pack() {
    let pack = crate::default_pack();
    let ids: Vec<&str> = super::rules_needing_complete_site(&pack)
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    for id in ["column.missing", "column.empty", "annual-report.missing"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
}

/// Texts kept aside, as the store keeps them, counting the reads.
struct AsideTexts {
    texts: std::collections::HashMap<i64, String>,
    reads: std::sync::atomic::AtomicUsize,
}

/// Moves the crawled pages' texts out of their models into an [`AsideTexts`] that `s` reads them
/// from, as a site loaded from the store does.
fn texts_aside(s: &mut crate::Site) -> std::sync::Arc<AsideTexts> {
    let aside = std::sync::Arc::new(AsideTexts {
        texts: s
            .pages
            .iter_mut()
            .filter(|p| p.crawled)
            .filter_map(|p| Some((p.fetch_id, std::mem::take(&mut p.model.as_mut()?.text))))
            .collect(),
        reads: Default::default(),
    });
    s.texts = crate::site::TextSource::new(aside.clone());
    aside
}

impl crate::site::PageTexts for AsideTexts {
    fn text(&self, fetch_id: i64) -> Option<String> {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.texts.get(&fetch_id).cloned()
    }
}

#[test]
fn texts_read_on_demand_conclude_what_texts_in_memory_do() {
    let mut s = site(vec![
        page(ROOT, home("滕州市人民攻府办公室 2022年06月30日")),
        page(
            &u("xw/1.html"),
            article("我市召开专题会议", "坚持中国特色社会注义道路不动摇 绝密★"),
        ),
        page(
            &u("zc/jd/1.html"),
            article(
                "《滕州市养犬管理办法》政策解读",
                "解读正文 咨询电话：0632-5512345",
            ),
        ),
    ]);
    for (i, p) in s.pages.iter_mut().enumerate() {
        p.fetch_id = i as i64 + 1;
    }
    let cx = ctx(2022, 7, 1);
    let pack = crate::default_pack();
    let in_memory = evaluate(&pack, &s, &cx);
    assert!(in_memory.iter().any(|f| f.rule == "text.serious-error"));
    let aside = texts_aside(&mut s);
    assert_eq!(s.page_text(1), "坚持中国特色社会注义道路不动摇 绝密★");
    let on_demand = evaluate(&pack, &s, &cx);
    assert_eq!(in_memory, on_demand);
    assert!(aside.reads.load(std::sync::atomic::Ordering::Relaxed) > 1);
}

#[test]
fn rules_run_on_several_threads_conclude_what_one_thread_does() {
    let pack = crate::default_pack();
    let s = broken_site();
    let cx = owners_ctx();
    let model = crate::sitemodel::SiteModel::build(&s, pack.vocabulary());
    let rules: Vec<&crate::pack::Rule> = pack.rules().iter().filter(|r| r.enabled).collect();
    let one = crate::eval::run_rules(&rules, &model, &cx, 1);
    assert!(one.iter().any(|f| !f.is_empty()), "the site has findings");
    for threads in [2, 3, 8] {
        assert_eq!(
            crate::eval::run_rules(&rules, &model, &cx, threads),
            one,
            "{threads} threads"
        );
    }
}

#[test]
fn checks_that_read_every_page_are_handed_out_first_in_pack_order() {
    let pack = crate::default_pack();
    let rules: Vec<&crate::pack::Rule> = pack.rules().iter().filter(|r| r.enabled).collect();
    let order = crate::eval::handout_order(&rules);
    let ids: Vec<&str> = order.iter().map(|&i| rules[i].id.as_str()).collect();
    let heavy = order
        .iter()
        .take_while(|&&i| rules[i].imp.reads_every_page())
        .count();
    assert!(heavy >= 10 && heavy < rules.len(), "{ids:?}");
    assert!(order[heavy..]
        .iter()
        .all(|&i| !rules[i].imp.reads_every_page()));
    // Each group keeps the pack's order, and every rule is handed out once.
    assert!(order[..heavy].windows(2).all(|w| w[0] < w[1]));
    assert!(order[heavy..].windows(2).all(|w| w[0] < w[1]));
    let pos = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert!(pos("text.serious-error") < pos("doc.metadata-missing"));
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..rules.len()).collect::<Vec<_>>());
}

#[test]
fn message_pages_are_found_by_one_shared_pass_over_the_texts() {
    let pending = "留言时间：2022-03-01 留言内容：我小区至今未供暖。 答复内容：正在办理中";
    let slow = "来信时间：2022年3月1日 来信内容：路灯不亮 回复时间：2022年5月30日 回复内容：已修复";
    let mut in_block = article("关于路灯的来信", "");
    for (l, v) in [
        ("来信时间", "2022-02-10"),
        ("来信内容", "路灯不亮"),
        ("回复内容", "已受理"),
    ] {
        in_block.metadata.raw.push((l.into(), v.into()));
    }
    let mut s = site(vec![
        page(ROOT, home("首页")),
        page(&u("hd/1.html"), article("关于供暖的咨询", pending)),
        page(&u("hd/2.html"), article("关于路灯的来信", slow)),
        page(&u("hd/3.html"), in_block),
        page(
            &u("xw/1.html"),
            article("我市召开专题会议", "会议时间：2022年3月1日"),
        ),
    ]);
    for (i, p) in s.pages.iter_mut().enumerate() {
        p.fetch_id = i as i64 + 1;
    }
    let cx = ctx(2022, 7, 1);
    let pack = crate::default_pack();
    let interaction = |fs: Vec<crate::Finding>| -> Vec<crate::Finding> {
        fs.into_iter()
            .filter(|f| f.rule.starts_with("interaction."))
            .collect()
    };
    let in_memory = interaction(evaluate(&pack, &s, &cx));
    let rules: Vec<&str> = in_memory.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"interaction.unanswered"), "{rules:?}");
    assert!(rules.contains(&"interaction.slow-reply"), "{rules:?}");
    let urls: Vec<&str> = in_memory.iter().map(|f| f.url.as_str()).collect();
    assert!(
        urls.contains(&u("hd/3.html").as_str()),
        "the metadata-block letter: {urls:?}"
    );

    let aside = texts_aside(&mut s);
    assert_eq!(interaction(evaluate(&pack, &s, &cx)), in_memory);

    // The question "which texts name a message time" reads every crawled page once, and is
    // answered from the cache the second time.
    let model = crate::sitemodel::SiteModel::build(&s, pack.vocabulary());
    let labels = crate::checks::interaction_unanswered::MessageLabels::default().message_time;
    let before = aside.reads.load(std::sync::atomic::Ordering::Relaxed);
    let first = model.pages_with_text(&labels);
    let read = aside.reads.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert_eq!(read, model.crawled.len());
    assert_eq!(model.pages_with_text(&labels), first);
    assert_eq!(
        aside.reads.load(std::sync::atomic::Ordering::Relaxed) - before,
        read
    );
    let found: Vec<&str> = first.iter().map(|&i| s.pages[i].url.as_str()).collect();
    assert_eq!(found, [u("hd/1.html"), u("hd/2.html")]);
}
