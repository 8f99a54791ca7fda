//! RFC 6962 / RFC 9162 Merkle trees over SHA-256: leaf hash `H(0x00 || leaf)`, node hash
//! `H(0x01 || left || right)`, the empty tree's hash `H("")`, the split at the largest power of
//! two below the size, and inclusion proofs ("audit paths") verified with the algorithm of
//! RFC 9162 §2.1.3.2, so any Certificate Transparency tool can check them.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// `H(0x00 || leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

/// `H(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The Merkle tree hash (root) of a list of leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` (RFC 6962 `PATH(m, D[n])`), from the leaf upwards.
/// Empty when `index` is out of range.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Vec<Hash> {
    let mut path = Vec::new();
    if index < leaves.len() {
        path_into(leaves, index, &mut path);
    }
    path
}

fn path_into(leaves: &[Hash], m: usize, path: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path_into(&leaves[..k], m, path);
        path.push(root(&leaves[k..]));
    } else {
        path_into(&leaves[k..], m - k, path);
        path.push(root(&leaves[..k]));
    }
}

/// Checks that `leaf` (a leaf hash) is at `index` of a tree of `size` leaves whose root is
/// `expected_root`, given its audit path (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    path: &[Hash],
    expected_root: &Hash,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && &r == expected_root
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test leaves of the Certificate Transparency reference implementation.
    fn ct_leaves() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|h| hex::decode(h).unwrap())
        .collect()
    }

    #[test]
    fn roots_match_rfc6962_reference_vectors() {
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let leaves: Vec<Hash> = ct_leaves().iter().map(|l| leaf_hash(l)).collect();
        for (n, want) in expected.iter().enumerate() {
            assert_eq!(hex::encode(root(&leaves[..=n])), *want, "size {}", n + 1);
        }
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn every_proof_verifies_and_tampering_fails() {
        for n in 1..=33usize {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let r = root(&leaves);
            for i in 0..n {
                let path = inclusion_proof(&leaves, i);
                let (i64_, n64) = (i as u64, n as u64);
                assert!(
                    verify_inclusion(&leaves[i], i64_, n64, &path, &r),
                    "{i}/{n}"
                );
                // Wrong index, wrong size, wrong leaf, altered path: all fail.
                if n > 1 {
                    let j = (i + 1) % n;
                    assert!(!verify_inclusion(&leaves[i], j as u64, n64, &path, &r));
                    assert!(!verify_inclusion(&leaves[j], i64_, n64, &path, &r));
                    let mut bad = path.clone();
                    bad[0][0] ^= 1;
                    assert!(!verify_inclusion(&leaves[i], i64_, n64, &bad, &r));
                    assert!(!verify_inclusion(&leaves[i], i64_, n64, &path[1..], &r));
                    assert!(!verify_inclusion(&leaves[i], n64, n64, &path, &r));
                }
            }
        }
    }

    #[test]
    fn second_preimage_leaf_is_not_a_node() {
        // A node's bytes presented as a leaf hash to a different value (domain separation).
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let mut concat = a.to_vec();
        concat.extend_from_slice(&b);
        assert_ne!(leaf_hash(&concat), root(&[a, b]));
    }
}
