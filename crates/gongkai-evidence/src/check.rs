//! The offline check of a finding bundle: signature, pinned key, both inclusion proofs, the
//! body's sha256, the links between finding, fetch and manifest, and the file's canonical bytes.

use crate::bundle::Bundle;
use crate::key::PublicKey;
use crate::leaf::{FetchLeaf, FindingLeaf};
use crate::manifest::Manifest;
use sha2::{Digest, Sha256};

/// What an offline check found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Facts that hold (for the user to compare with published values).
    pub facts: Vec<String>,
    /// What does not hold; empty means the bundle verifies.
    pub problems: Vec<String>,
}

impl CheckReport {
    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks a bundle file's bytes, optionally against a pinned public key.
pub fn check(bytes: &[u8], pinned: Option<&PublicKey>) -> CheckReport {
    let mut r = CheckReport::default();
    let bundle = match Bundle::from_zip(bytes) {
        Ok(b) => b,
        Err(e) => {
            r.problems
                .push(format!("无法读取证据包 (unreadable bundle): {e}"));
            return r;
        }
    };
    match bundle.to_zip() {
        Ok(canonical) if canonical == bytes => {}
        _ => r.problems.push(
            "证据包文件被改动 (the file is not byte-for-byte as written: entries, order or zip headers changed)"
                .into(),
        ),
    }
    check_signature(&bundle, pinned, &mut r);
    let Some(manifest) = Manifest::parse(&bundle.manifest.bytes) else {
        r.problems
            .push("manifest.json 不是规范的清单 (not a canonical gongkai manifest)".into());
        return r;
    };
    if manifest.public_key != bundle.public_key.trim() {
        r.problems
            .push("清单中的公钥与 public_key.txt 不一致 (manifest names another key)".into());
    }
    if bundle.proofs.manifest_hash != bundle.manifest.hash {
        r.problems
            .push("proof.json 的 manifest_hash 与清单不符 (proof is for another manifest)".into());
    }
    r.facts.push(format!(
        "清单 manifest #{} · run {} · sealed {} · sha256 {}",
        manifest.seq, manifest.run.id, manifest.sealed_at, bundle.manifest.hash
    ));
    check_leaves(&bundle, &manifest, &mut r);
    r
}

fn check_signature(bundle: &Bundle, pinned: Option<&PublicKey>, r: &mut CheckReport) {
    let key = match PublicKey::from_hex(&bundle.public_key) {
        Ok(k) => k,
        Err(e) => {
            r.problems.push(format!("public_key.txt: {e}"));
            return;
        }
    };
    match pinned {
        Some(p) if *p != key => r.problems.push(format!(
            "签名公钥不是指定的公钥 (signed with key {}, expected {})",
            key.to_hex(),
            p.to_hex()
        )),
        Some(_) => r
            .facts
            .push(format!("公钥与指定公钥一致 (key matches {})", key.to_hex())),
        None => r.facts.push(format!(
            "公钥 public key {} (not pinned: compare it with the published key, or pass --key)",
            key.to_hex()
        )),
    }
    if !bundle.manifest.signed_by(&key) {
        r.problems
            .push("清单签名无效 (manifest signature does not verify)".into());
    }
}

fn check_leaves(bundle: &Bundle, manifest: &Manifest, r: &mut CheckReport) {
    let finding: Option<FindingLeaf> = serde_json::from_slice(&bundle.finding).ok();
    if !bundle
        .proofs
        .finding
        .verifies(&bundle.finding, &manifest.findings.root)
        || bundle.proofs.finding.size != manifest.findings.size
    {
        r.problems.push(
            "问题记录与清单的 findings 根不符 (finding.json is not in the sealed findings tree)"
                .into(),
        );
    }
    let Some(finding) = finding else {
        r.problems
            .push("finding.json 无法解析 (not a finding leaf)".into());
        return;
    };
    if finding.run_id != manifest.run.id {
        r.problems
            .push("问题记录属于另一次运行 (finding's run differs from the manifest's)".into());
    }
    r.facts.push(format!(
        "问题 finding {} · {} · {}",
        finding.fingerprint, finding.rule, finding.url
    ));
    let (Some(fetch_bytes), Some(proof)) = (&bundle.fetch, &bundle.proofs.fetch) else {
        if finding.fetch_id.is_some() {
            r.problems
                .push("缺少抓取记录或其证明 (fetch.json or its proof missing)".into());
        }
        return;
    };
    if !proof.verifies(fetch_bytes, &manifest.fetches.root) || proof.size != manifest.fetches.size {
        r.problems.push(
            "抓取记录与清单的 fetches 根不符 (fetch.json is not in the sealed fetch tree)".into(),
        );
    }
    let Ok(fetch) = serde_json::from_slice::<FetchLeaf>(fetch_bytes) else {
        r.problems
            .push("fetch.json 无法解析 (not a fetch leaf)".into());
        return;
    };
    if Some(fetch.id) != finding.fetch_id || fetch.run_id != manifest.run.id {
        r.problems
            .push("抓取记录不是该问题引用的记录 (fetch.json is not the finding's fetch)".into());
    }
    match (&fetch.body_sha256, &bundle.body) {
        (Some(want), Some(body)) => {
            let got = hex::encode(Sha256::digest(body));
            if &got == want {
                r.facts
                    .push(format!("原始内容 body {} bytes, sha256 {got}", body.len()));
            } else {
                r.problems.push(format!(
                    "原始内容被改动 (body.bin sha256 {got} ≠ recorded {want})"
                ));
            }
        }
        (Some(_), None) => r
            .problems
            .push("缺少原始内容 body.bin (body missing)".into()),
        (None, Some(_)) => r
            .problems
            .push("多出 body.bin (the fetch stored no body)".into()),
        (None, None) => {}
    }
    r.facts.push(format!(
        "抓取 fetch #{} · {} {} → {} · {}",
        fetch.id,
        fetch.method,
        fetch.url,
        fetch
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "—".into()),
        fetch.fetched_at
    ));
}
