//! The Hanweb (大汉 JCMS) list endpoint `/module/web/jpage/dataproxy.jsp`.
//!
//! Parameters are read from the query string and, for POST, from the urlencoded form body (real
//! jpage sends `startrecord` / `endrecord` / `perpage` in the query and the column fields in the
//! body). The records of column `N` are the lines of `fixtures/portal/_data/dataproxy/N.txt`.

use crate::portal;

/// Records (item HTML) of a Hanweb column, in list order; empty for unknown columns.
pub fn column_records(columnid: &str) -> Vec<&'static str> {
    if columnid.is_empty() || !columnid.bytes().all(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    portal::data_file(&format!("dataproxy/{columnid}.txt"))
        .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default()
}

/// Answers one dataproxy request given all its parameters.
pub fn answer(params: &[(String, String)]) -> String {
    let get = |k: &str| {
        params
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.trim())
    };
    let num = |k: &str| get(k).and_then(|v| v.parse::<usize>().ok());
    let columnid = get("columnid").unwrap_or("");
    let records = column_records(columnid);
    let total = records.len();
    let perpage = num("perpage").unwrap_or(15).max(1);
    let start = num("startrecord").unwrap_or(1).max(1);
    let end = num("endrecord")
        .unwrap_or(start + perpage * 3 - 1)
        .max(start);
    let totalpage = total.div_ceil(perpage);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<datastore>\n");
    xml.push_str(&format!(
        "<totalrecord>{total}</totalrecord>\n<totalpage>{totalpage}</totalpage>\n<recordset>\n"
    ));
    if start <= total {
        for r in &records[start - 1..end.min(total)] {
            xml.push_str(&format!("<record><![CDATA[{r}]]></record>\n"));
        }
    }
    xml.push_str("</recordset>\n</datastore>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn honours_start_and_end() {
        let all = column_records("1234");
        assert_eq!(all.len(), 6);
        let xml = answer(&p(&[
            ("columnid", "1234"),
            ("startrecord", "5"),
            ("endrecord", "8"),
            ("perpage", "2"),
        ]));
        assert!(xml.contains("<totalrecord>6</totalrecord>"));
        assert!(xml.contains("<totalpage>3</totalpage>"));
        assert_eq!(xml.matches("<record>").count(), 2);
        assert!(xml.contains(all[4]) && xml.contains(all[5]) && !xml.contains(all[3]));
    }

    #[test]
    fn unknown_column_and_out_of_range() {
        assert!(answer(&p(&[("columnid", "999")])).contains("<totalrecord>0</totalrecord>"));
        assert!(answer(&p(&[("columnid", "../x")])).contains("<totalrecord>0</totalrecord>"));
        let xml = answer(&p(&[
            ("columnid", "1234"),
            ("startrecord", "40"),
            ("endrecord", "45"),
        ]));
        assert_eq!(xml.matches("<record>").count(), 0);
    }
}
