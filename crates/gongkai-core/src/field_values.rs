//! The known fields of a metadata block, as a small map with one slot per present field.
//!
//! A page's [`crate::model::Metadata::fields`] has at most one value for each of the nine
//! [`Field`]s. A `BTreeMap` node for them takes 112 bytes whatever the count; [`FieldValues`]
//! keeps which fields are present in a bit set and their values in field order, 8 bytes a
//! value (issue 11: a model of each of 100,000 pages). It reads and serialises like the
//! `BTreeMap<Field, ArcStr>` it replaces.

use crate::model::{ArcStr, Field};
use crate::pairs::{deserialize_map, serialize_map};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every field, in order (the bit of a field is its index here).
const ALL: [Field; 9] = [
    Field::IndexNumber,
    Field::Topic,
    Field::Publisher,
    Field::DocNumber,
    Field::WrittenDate,
    Field::PublishDate,
    Field::Validity,
    Field::DocType,
    Field::Title,
];

fn bit(f: Field) -> u16 {
    1 << (f as u16)
}

/// Values by [`Field`], in field order (see the module doc).
#[derive(Clone, Default, PartialEq)]
pub struct FieldValues {
    present: u16,
    values: Box<[ArcStr]>,
}

impl FieldValues {
    /// Number of fields present.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no field is present.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Where `f`'s value is (or would go) in `values`.
    fn index(&self, f: Field) -> usize {
        (self.present & (bit(f) - 1)).count_ones() as usize
    }

    /// True when the block has field `f`.
    pub fn contains_key(&self, f: &Field) -> bool {
        self.present & bit(*f) != 0
    }

    /// The value of field `f`.
    pub fn get(&self, f: &Field) -> Option<&ArcStr> {
        self.contains_key(f).then(|| &self.values[self.index(*f)])
    }

    /// Sets field `f`, returning its previous value.
    pub fn insert(&mut self, f: Field, value: ArcStr) -> Option<ArcStr> {
        let i = self.index(f);
        if self.contains_key(&f) {
            return Some(std::mem::replace(&mut self.values[i], value));
        }
        let mut values = std::mem::take(&mut self.values).into_vec();
        values.insert(i, value);
        self.values = values.into_boxed_slice();
        self.present |= bit(f);
        None
    }

    /// Removes field `f`, returning its value.
    pub fn remove(&mut self, f: &Field) -> Option<ArcStr> {
        if !self.contains_key(f) {
            return None;
        }
        let mut values = std::mem::take(&mut self.values).into_vec();
        let old = values.remove(self.index(*f));
        self.values = values.into_boxed_slice();
        self.present &= !bit(*f);
        Some(old)
    }

    /// The fields present with their values, in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&Field, &ArcStr)> + '_ {
        ALL.iter()
            .filter(|f| self.contains_key(f))
            .zip(self.values.iter())
    }

    /// The values, in field order.
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, ArcStr> {
        self.values.iter_mut()
    }
}

impl FromIterator<(Field, ArcStr)> for FieldValues {
    fn from_iter<I: IntoIterator<Item = (Field, ArcStr)>>(iter: I) -> Self {
        let mut out = FieldValues::default();
        for (f, v) in iter {
            out.insert(f, v);
        }
        out
    }
}

impl std::ops::Index<&Field> for FieldValues {
    type Output = ArcStr;
    fn index(&self, f: &Field) -> &ArcStr {
        self.get(f).expect("no such field")
    }
}

impl std::fmt::Debug for FieldValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// As a map of field to value (what the `BTreeMap` was).
impl Serialize for FieldValues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_map(self.iter(), self.len(), s)
    }
}

impl<'de> Deserialize<'de> for FieldValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_map(d, "a map of metadata fields to values")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_field_has_its_own_bit_in_order() {
        for (i, f) in ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "{f:?}");
        }
    }

    #[test]
    fn reads_edits_and_serialises_like_the_map_it_replaces() {
        let ops: [(Field, &str); 5] = [
            (Field::PublishDate, "2024-05-01"),
            (Field::IndexNumber, "A/2024-1"),
            (Field::Title, "关于甲的通知"),
            (Field::PublishDate, "2024-05-02"),
            (Field::DocNumber, ""),
        ];
        let mut map: BTreeMap<Field, ArcStr> = BTreeMap::new();
        let mut ours = FieldValues::default();
        for (f, v) in ops {
            assert_eq!(ours.insert(f, v.into()), map.insert(f, v.into()));
        }
        assert_eq!(ours.remove(&Field::Title), map.remove(&Field::Title));
        assert_eq!(ours.remove(&Field::Topic), None);
        let pairs = |it: Vec<(&Field, &ArcStr)>| -> Vec<(Field, String)> {
            it.into_iter().map(|(f, v)| (*f, v.to_string())).collect()
        };
        assert_eq!(pairs(ours.iter().collect()), pairs(map.iter().collect()));
        assert_eq!(ours.len(), 3);
        for f in ALL {
            assert_eq!(ours.get(&f), map.get(&f), "{f:?}");
            assert_eq!(ours.contains_key(&f), map.contains_key(&f));
        }
        assert_eq!(&ours[&Field::PublishDate], "2024-05-02");
        let json = serde_json::to_string(&ours).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        assert_eq!(serde_json::from_str::<FieldValues>(&json).unwrap(), ours);
    }
}
