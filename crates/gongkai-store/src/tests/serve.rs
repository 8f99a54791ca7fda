//! Accounts, credentials, waivers and the append-only audit of `gongkai serve`.

use super::*;

#[test]
fn accounts_are_unique_and_credentials_single_use() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let dept = AccountRole::Department("市统计局".into());
    let a = store.ensure_account(&dept).unwrap();
    assert_eq!(store.ensure_account(&dept).unwrap().id, a.id);
    let admin = store.ensure_account(&AccountRole::Admin).unwrap();
    assert_ne!(admin.id, a.id);
    assert!(store.account_by_name("admin").unwrap().unwrap().is_admin());
    assert_eq!(store.account_by_name("市统计局").unwrap().unwrap().id, a.id);
    assert!(store.account_by_name("市财政局").unwrap().is_none());

    let sha = "a".repeat(64);
    store
        .add_credential(
            a.id,
            CredentialKind::Signin,
            &sha,
            None,
            Some("2999-01-01T00:00:00.000Z"),
        )
        .unwrap();
    // A sign-in secret is not an API token.
    assert!(store
        .credential(CredentialKind::Api, &sha)
        .unwrap()
        .is_none());
    let (acc, _) = store
        .credential(CredentialKind::Signin, &sha)
        .unwrap()
        .unwrap();
    assert_eq!(acc.id, a.id);
    assert!(store.use_credential(&sha).unwrap());
    assert!(!store.use_credential(&sha).unwrap(), "single use");
    assert!(store
        .credential(CredentialKind::Signin, &sha)
        .unwrap()
        .is_none());

    let expired = "b".repeat(64);
    store
        .add_credential(
            a.id,
            CredentialKind::Session,
            &expired,
            Some("x"),
            Some("2000-01-01T00:00:00.000Z"),
        )
        .unwrap();
    assert!(store
        .credential(CredentialKind::Session, &expired)
        .unwrap()
        .is_none());
    assert_eq!(
        store.purge_expired_credentials().unwrap(),
        1,
        "only the expired one"
    );
}

#[test]
fn waivers_are_decided_once_and_audit_is_append_only() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let a = store
        .ensure_account(&AccountRole::Department("市统计局".into()))
        .unwrap();
    let admin = store.ensure_account(&AccountRole::Admin).unwrap();
    let id = store
        .add_waiver(&WaiverRow {
            id: 0,
            fingerprint: "fp1".into(),
            finding_id: None,
            reason: "外部系统".into(),
            requested_by: a.id,
            requested_at: "2025-01-01T00:00:00Z".into(),
            body_sha256: Some("c".repeat(64)),
            status: "pending".into(),
            decided_by: None,
            decided_at: None,
        })
        .unwrap();
    assert!(store.decide_waiver(id, true, admin.id).unwrap());
    assert!(
        !store.decide_waiver(id, false, admin.id).unwrap(),
        "already decided"
    );
    let w = store.waivers(Some("fp1")).unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].status, "approved");
    assert!(store.waivers(Some("other")).unwrap().is_empty());

    let entry = AuditRow {
        id: 0,
        at: String::new(),
        account_id: Some(a.id),
        actor: "市统计局".into(),
        action: "waiver-request".into(),
        fingerprint: Some("fp1".into()),
        detail: "外部系统".into(),
        ip: Some("127.0.0.1".into()),
    };
    store.audit(&entry).unwrap();
    assert_eq!(store.audit_log(Some("fp1")).unwrap().len(), 1);
    let conn = store.connection();
    assert!(conn.execute("UPDATE audit SET actor = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM audit", []).is_err());
    assert_eq!(store.audit_log(None).unwrap()[0].actor, "市统计局");
}
