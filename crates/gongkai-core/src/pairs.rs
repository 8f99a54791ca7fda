//! Lists of (label, value) string pairs whose labels a site's pages share.
//!
//! Every article of a portal prints the same metadata labels (索引号, 发布机构, 成文日期 ...) and
//! the same 政府网站发展指引 meta tag names, in the same order: only the values are its own. A
//! `Vec<(ArcStr, ArcStr)>` spends 16 bytes a pair on pointers even when both strings are
//! shared, about 190 bytes a page for each list (issue 11: 40 MB at 100,000 pages). [`Pairs`]
//! holds the labels apart as one list that [`KeyListPool`] makes pages with the same labels
//! share ([`StringPool::share_list`]), and only the values per page.
//!
//! [`Pairs`] keeps a list's order and repeats ([`crate::model::Metadata::raw`]); [`MetaTags`] is
//! a map by name over it ([`crate::model::PageModel::guideline_meta`]). Both serialise as the
//! `Vec` and `BTreeMap` they replace did, so stored models read the same.

use crate::model::ArcStr;
use crate::strpool::StringPool;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// A label list, shared by every list of pairs that has exactly these labels.
pub(crate) type Keys = Arc<Box<[ArcStr]>>;

/// (label, value) pairs in order, labels held in a list that pages can share (see the module
/// doc). The same size as a `Vec` in a struct.
#[derive(Clone, Default)]
pub struct Pairs {
    /// None for an empty list (no allocation).
    keys: Option<Keys>,
    values: Box<[ArcStr]>,
}

impl Pairs {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there is no pair.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn keys(&self) -> &[ArcStr] {
        self.keys.as_deref().map_or(&[], |k| k)
    }

    /// The pairs in order.
    pub fn iter(&self) -> PairsIter<'_> {
        PairsIter {
            keys: self.keys().iter(),
            values: self.values.iter(),
        }
    }

    /// The `i`th pair.
    pub fn get(&self, i: usize) -> Option<(&ArcStr, &ArcStr)> {
        Some((self.keys().get(i)?, self.values.get(i)?))
    }

    /// True when `pair` is one of the pairs.
    pub fn contains(&self, pair: &(ArcStr, ArcStr)) -> bool {
        self.iter().any(|(l, v)| *l == pair.0 && *v == pair.1)
    }

    /// Adds a pair at the end. (Lists are short and built once: each push copies them.)
    pub fn push(&mut self, (label, value): (ArcStr, ArcStr)) {
        let n = self.len();
        self.splice(n, n, Some((label, value)));
    }

    /// Replaces the `i`th pair (panics when there is none, like indexing a `Vec`).
    pub fn set(&mut self, i: usize, label: ArcStr, value: ArcStr) {
        assert!(i < self.len(), "pair {i} of {}", self.len());
        self.splice(i, i + 1, Some((label, value)));
    }

    /// Keeps the pairs for which `keep(label, value)` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&ArcStr, &ArcStr) -> bool) {
        *self = self
            .iter()
            .filter(|(l, v)| keep(l, v))
            .map(|(l, v)| (l.clone(), v.clone()))
            .collect();
    }

    /// Replaces pairs `from..to` by `with`.
    fn splice(&mut self, from: usize, to: usize, with: Option<(ArcStr, ArcStr)>) {
        let mut keys = self.keys().to_vec();
        let mut values = std::mem::take(&mut self.values).into_vec();
        let (k, v): (Vec<_>, Vec<_>) = with.into_iter().unzip();
        keys.splice(from..to, k);
        values.splice(from..to, v);
        *self = Pairs::from_parts(keys, values);
    }

    fn from_parts(keys: Vec<ArcStr>, values: Vec<ArcStr>) -> Self {
        debug_assert_eq!(keys.len(), values.len());
        Pairs {
            keys: (!keys.is_empty()).then(|| Arc::new(keys.into_boxed_slice())),
            values: values.into_boxed_slice(),
        }
    }

    /// Shares the labels' list and every string through `pool`.
    pub fn share(&mut self, pool: &mut StringPool) {
        let Some(keys) = self.keys.take() else {
            return;
        };
        let mut keys: Box<[ArcStr]> = Arc::unwrap_or_clone(keys);
        for k in keys.iter_mut() {
            pool.share(k);
        }
        for v in self.values.iter_mut() {
            pool.share(v);
        }
        self.keys = Some(pool.share_list(keys));
    }
}

impl FromIterator<(ArcStr, ArcStr)> for Pairs {
    fn from_iter<I: IntoIterator<Item = (ArcStr, ArcStr)>>(iter: I) -> Self {
        let (keys, values): (Vec<_>, Vec<_>) = iter.into_iter().unzip();
        Pairs::from_parts(keys, values)
    }
}

impl<'a> IntoIterator for &'a Pairs {
    type Item = (&'a ArcStr, &'a ArcStr);
    type IntoIter = PairsIter<'a>;
    fn into_iter(self) -> PairsIter<'a> {
        self.iter()
    }
}

impl PartialEq for Pairs {
    fn eq(&self, other: &Self) -> bool {
        self.keys() == other.keys() && self.values == other.values
    }
}

impl std::fmt::Debug for Pairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The pairs of a [`Pairs`] (or [`MetaTags`]), in order.
#[derive(Clone)]
pub struct PairsIter<'a> {
    keys: std::slice::Iter<'a, ArcStr>,
    values: std::slice::Iter<'a, ArcStr>,
}

impl<'a> Iterator for PairsIter<'a> {
    type Item = (&'a ArcStr, &'a ArcStr);
    fn next(&mut self) -> Option<Self::Item> {
        Some((self.keys.next()?, self.values.next()?))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl ExactSizeIterator for PairsIter<'_> {}

impl DoubleEndedIterator for PairsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        Some((self.keys.next_back()?, self.values.next_back()?))
    }
}

/// As a list of `[label, value]` pairs (what `Vec<(String, String)>` was).
impl Serialize for Pairs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for pair in self.iter() {
            seq.serialize_element(&pair)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of [label, value] pairs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pairs, A::Error> {
                let (mut keys, mut values) = (Vec::new(), Vec::new());
                while let Some((k, v)) = seq.next_element::<(ArcStr, ArcStr)>()? {
                    keys.push(k);
                    values.push(v);
                }
                Ok(Pairs::from_parts(keys, values))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Tags by name, names unique and in order: a map over [`Pairs`] (what a
/// `BTreeMap<ArcStr, ArcStr>` was, with its names shared between pages).
#[derive(Clone, Default, PartialEq)]
pub struct MetaTags(Pairs);

impl MetaTags {
    /// Number of tags.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no tag.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.keys().binary_search_by(|k| k.as_str().cmp(name))
    }

    /// The value of tag `name`.
    pub fn get(&self, name: &str) -> Option<&ArcStr> {
        self.position(name).ok().map(|i| &self.0.values[i])
    }

    /// The stored name and value of tag `name`.
    pub fn get_key_value(&self, name: &str) -> Option<(&ArcStr, &ArcStr)> {
        self.0.get(self.position(name).ok()?)
    }

    /// Sets tag `name`, returning its previous value.
    pub fn insert(&mut self, name: ArcStr, value: ArcStr) -> Option<ArcStr> {
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0.values[i], value)),
            Err(i) => {
                self.0.splice(i, i, Some((name, value)));
                None
            }
        }
    }

    /// The tags by name.
    pub fn iter(&self) -> PairsIter<'_> {
        self.0.iter()
    }

    /// Shares the names' list and every string (see [`Pairs::share`]).
    pub fn share(&mut self, pool: &mut StringPool) {
        self.0.share(pool);
    }
}

/// A later value of the same name wins, as when collecting into a map.
impl FromIterator<(ArcStr, ArcStr)> for MetaTags {
    fn from_iter<I: IntoIterator<Item = (ArcStr, ArcStr)>>(iter: I) -> Self {
        let mut pairs: Vec<(ArcStr, ArcStr)> = iter.into_iter().collect();
        // Stable: equal names stay in order, and the last of them is kept.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(ArcStr, ArcStr)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match kept.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => kept.push((k, v)),
            }
        }
        MetaTags(kept.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a MetaTags {
    type Item = (&'a ArcStr, &'a ArcStr);
    type IntoIter = PairsIter<'a>;
    fn into_iter(self) -> PairsIter<'a> {
        self.iter()
    }
}

impl std::ops::Index<&str> for MetaTags {
    type Output = ArcStr;
    fn index(&self, name: &str) -> &ArcStr {
        self.get(name).expect("no meta tag of that name")
    }
}

impl std::fmt::Debug for MetaTags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// As a map of name to value (what the `BTreeMap` was).
impl Serialize for MetaTags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_map(self.iter(), self.len(), s)
    }
}

impl<'de> Deserialize<'de> for MetaTags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_map(d, "a map of meta tag names to values")
    }
}

/// Serialises `len` entries as a map (the small maps of this crate that replace `BTreeMap`s).
pub(crate) fn serialize_map<S: Serializer, K: Serialize, V: Serialize>(
    entries: impl Iterator<Item = (K, V)>,
    len: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(len))?;
    for (k, v) in entries {
        map.serialize_entry(&k, &v)?;
    }
    map.end()
}

/// Reads a map into `T` entry by entry, in the order written (`T` decides what a repeated key
/// means).
pub(crate) fn deserialize_map<'de, D, K, V, T>(d: D, expecting: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de>,
    V: Deserialize<'de>,
    T: FromIterator<(K, V)>,
{
    struct MapOf<K, V, T>(&'static str, std::marker::PhantomData<(K, V, T)>);
    impl<'de, K, V, T> Visitor<'de> for MapOf<K, V, T>
    where
        K: Deserialize<'de>,
        V: Deserialize<'de>,
        T: FromIterator<(K, V)>,
    {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
            while let Some(entry) = map.next_entry::<K, V>()? {
                entries.push(entry);
            }
            Ok(entries.into_iter().collect())
        }
    }
    d.deserialize_map(MapOf(expecting, std::marker::PhantomData))
}

#[cfg(test)]
mod tests;
