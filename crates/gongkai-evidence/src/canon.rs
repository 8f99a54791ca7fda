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
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Canonical JSON bytes of any serialisable value.
pub fn canonical_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    Ok(to_canonical(&serde_json::to_value(value)?).into_bytes())
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        // null, booleans and numbers: serde_json's own compact form.
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    // Serialising a &str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
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
