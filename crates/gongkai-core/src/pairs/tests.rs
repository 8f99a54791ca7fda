use super::*;

fn pairs(list: &[(&str, &str)]) -> Pairs {
    list.iter()
        .map(|(l, v)| ((*l).into(), (*v).into()))
        .collect()
}

#[test]
fn pairs_keep_order_and_repeats_and_read_back_as_the_vec_did() {
    let list = [
        ("索引号", "A/2024-1"),
        ("发布日期", "2024-05-01"),
        ("发布日期", "2024-05-02"),
    ];
    let p = pairs(&list);
    assert_eq!(p.len(), 3);
    let got: Vec<(&str, &str)> = p.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect();
    assert_eq!(got, list);
    assert_eq!(p.iter().next_back().unwrap().1, "2024-05-02");
    // The same JSON as Vec<(String, String)>, both ways.
    let vec: Vec<(String, String)> = list
        .iter()
        .map(|(l, v)| (l.to_string(), v.to_string()))
        .collect();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, serde_json::to_string(&vec).unwrap());
    assert_eq!(serde_json::from_str::<Pairs>(&json).unwrap(), p);
    assert!(p.contains(&("发布日期".into(), "2024-05-02".into())));
    assert!(!p.contains(&("发布日期".into(), "2024-05-03".into())));
}

#[test]
fn editing_pairs_changes_only_what_it_says() {
    let mut p = pairs(&[("a", "1"), ("b", "2"), ("c", "3")]);
    p.push(("d".into(), "4".into()));
    p.set(0, "A".into(), "1'".into());
    p.retain(|l, _| l != "b");
    assert_eq!(p, pairs(&[("A", "1'"), ("c", "3"), ("d", "4")]));
    p.retain(|_, _| false);
    assert!(p.is_empty() && p.keys.is_none());
    assert_eq!(serde_json::to_string(&p).unwrap(), "[]");
}

#[test]
fn pages_with_the_same_labels_share_one_list_and_say_the_same() {
    let mut pool = StringPool::default();
    let mut a = pairs(&[("索引号", "A/1"), ("发布日期", "2024-05-01")]);
    let mut b = pairs(&[("索引号", "A/2"), ("发布日期", "2024-05-01")]);
    let mut c = pairs(&[("发布日期", "2024-05-01"), ("索引号", "A/3")]);
    let (a0, b0, c0) = (a.clone(), b.clone(), c.clone());
    for p in [&mut a, &mut b, &mut c] {
        p.share(&mut pool);
    }
    assert_eq!((&a, &b, &c), (&a0, &b0, &c0), "sharing changes no pair");
    let keys = |p: &Pairs| p.keys.clone().unwrap();
    assert!(Arc::ptr_eq(&keys(&a), &keys(&b)));
    assert!(
        !Arc::ptr_eq(&keys(&a), &keys(&c)),
        "another order is another list"
    );
    assert_eq!(pool.lists(), 2);
    assert!(
        ArcStr::ptr_eq(&a.values[1], &b.values[1]),
        "equal values too"
    );
    // Editing a shared list's pairs leaves the other pages alone.
    a.set(0, "文号".into(), "x".into());
    assert_eq!(b, b0);
}

#[test]
fn meta_tags_are_a_map_by_name() {
    let mut m: MetaTags = [
        ("SiteName", "甲"),
        ("ArticleTitle", "通知"),
        ("SiteName", "乙"),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into()))
    .collect();
    assert_eq!(m.len(), 2, "a later value of a name wins, as in a map");
    assert_eq!(m.get("SiteName").map(ArcStr::as_str), Some("乙"));
    assert_eq!(m.get("Url"), None);
    assert_eq!(m.insert("Url".into(), "http://x/".into()), None);
    assert_eq!(
        m.insert("ArticleTitle".into(), "公告".into()).as_deref(),
        Some("通知")
    );
    assert_eq!(&m["ArticleTitle"], "公告");
    let names: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["ArticleTitle", "SiteName", "Url"]);
    // The same JSON as the BTreeMap it replaces, both ways.
    let map: std::collections::BTreeMap<String, String> = m
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, serde_json::to_string(&map).unwrap());
    assert_eq!(serde_json::from_str::<MetaTags>(&json).unwrap(), m);
    let unsorted = r#"{"b": "2", "a": "1", "b": "3"}"#;
    let read: MetaTags = serde_json::from_str(unsorted).unwrap();
    assert_eq!(read.get("b").map(ArcStr::as_str), Some("3"));
    assert_eq!(read.iter().next().unwrap().0, "a");
}
