//! Opening databases: creation, newer schemas refused, v1 databases migrated in place.

use super::temp_db;
use crate::*;

#[test]
fn open_creates_and_refuses_newer() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.runs().unwrap(), vec![]);
    store
        .connection()
        .execute_batch("PRAGMA user_version = 7")
        .unwrap();
    drop(store);
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(
        err,
        StoreError::NewerSchema {
            found: 7,
            supported: SCHEMA_VERSION,
            ..
        }
    ));
    assert!(matches!(
        Store::open_readonly(&path).err().unwrap(),
        StoreError::NewerSchema { found: 7, .. }
    ));
    assert!(matches!(
        StoreWriter::spawn(&path, 1).err().unwrap(),
        StoreError::NewerSchema { .. }
    ));
}
