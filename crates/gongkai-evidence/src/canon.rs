//! Canonical JSON: the exact bytes that are hashed and signed.
//!
//! Objects have their keys sorted by their UTF-8 bytes, there is no whitespace, strings are
//! written as serde_json writes them (UTF-8, only `"`, `\` and control characters escaped) and
//! numbers in serde_json's shortest form. The same value always gives the same bytes, whatever
//! order its fields were built or stored in.

use serde::Serialize;
use serde_json::Value;

/// Canonical JSON text of `value`.
pub fn to_canonical(value: &Value) -> String {
    let mut out = Vec::new();
    write(value, &mut out);
    // Only valid UTF-8 is written: JSON punctuation and serde_json's output.
    String::from_utf8(out).unwrap_or_default()
}

/// Canonical JSON bytes of any serialisable value.
pub fn canonical_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    write(&serde_json::to_value(value)?, &mut out);
    Ok(out)
}

/// Appends the canonical form of `value`. Written straight into `out` (no string per value):
/// sealing writes one leaf per fetch of a run, and this was most of a seal's time.
pub(crate) fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            out.push(b'{');
            // serde_json's map is usually ordered by key already (a BTreeMap); sort when not.
            if map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| a.as_bytes() < b.as_bytes())
            {
                for (i, (k, v)) in map.iter().enumerate() {
                    member(i, k, v, out);
                }
            } else {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
                for (i, k) in keys.into_iter().enumerate() {
                    member(i, k, &map[k], out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(v, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_str(s, out),
        // null, booleans and numbers: serde_json's own compact form.
        other => json(other, out),
    }
}

fn member(i: usize, key: &str, value: &Value, out: &mut Vec<u8>) {
    if i > 0 {
        out.push(b',');
    }
    write_str(key, out);
    out.push(b':');
    write(value, out);
}

/// A JSON string as serde_json writes it.
pub(crate) fn write_str(s: &str, out: &mut Vec<u8>) {
    json(s, out);
}

/// `value` as serde_json writes it, compact: for strings, numbers, booleans and null that is
/// the canonical form.
pub(crate) fn json<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing these into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_sorted_no_whitespace() {
        let v = json!({"b": 1, "a": {"z": [1, 2, {"y": null, "x": true}], "é": "中文\n"}});
        assert_eq!(
            to_canonical(&v),
            r#"{"a":{"z":[1,2,{"x":true,"y":null}],"é":"中文\n"},"b":1}"#
        );
    }

    #[test]
    fn same_value_same_bytes_whatever_the_order() {
        let a: Value = serde_json::from_str(r#"{"k":1,"j":[1.5,"x"],"i":{"b":2,"a":1}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{ "i": {"a":1, "b":2}, "j": [1.5, "x"], "k": 1 }"#).unwrap();
        assert_eq!(to_canonical(&a), to_canonical(&b));
        // Re-parsing the canonical form is a fixed point.
        let again: Value = serde_json::from_str(&to_canonical(&a)).unwrap();
        assert_eq!(to_canonical(&again), to_canonical(&a));
    }
}
