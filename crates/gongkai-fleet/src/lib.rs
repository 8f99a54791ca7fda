//! The province fleet: many `gongkai worker` processes on any number of machines scan a
//! province's government sites, coordinated through PostgreSQL.
//!
//! PostgreSQL holds the site list, the queue of site-runs with their leases, and the published
//! runs and findings; each worker keeps its crawl in a local SQLite store as `gongkai scan` does
//! and publishes the result once. Modules, one per concern:
//! - [`db`]: the connection, with a count of round trips;
//! - [`schema`]: versioned migrations (`schema_version` table);
//! - [`sites`]: the CSV of sites (名称, 网址, 主管单位, 平台, 配置) and their registration;
//! - [`queue`]: claiming due site-runs (`FOR UPDATE SKIP LOCKED`), leases, heartbeats, retries,
//!   platform exclusivity;
//! - [`publish`]: the exactly-once publication of a finished site-run;
//! - [`status`]: what `gongkai fleet status` prints;
//! - [`report`]: the province view (index.html and an XLSX).

#![warn(missing_docs)]

pub mod db;
pub mod publish;
pub mod queue;
pub mod report;
pub mod schema;
pub mod sites;
pub mod status;

pub use db::Db;

/// Everything that can go wrong in the fleet, with the context a user needs to act on it.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The connection URL does not parse.
    #[error("bad PostgreSQL URL: {0}")]
    BadUrl(String),
    /// PostgreSQL answered with an error, or could not be reached.
    #[error("PostgreSQL: {context}: {source}")]
    Pg {
        /// What was being done.
        context: String,
        /// The client's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// A row of the sites CSV is wrong.
    #[error("{file}:{line}: {message}")]
    Csv {
        /// The CSV file.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The XLSX writer failed.
    #[error("writing {path}: {source}")]
    Xlsx {
        /// The workbook.
        path: String,
        /// The writer's error.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// The database holds a schema newer than this binary knows.
    #[error("the fleet database has schema version {found}, newer than this gongkai ({known}); upgrade gongkai")]
    SchemaTooNew {
        /// Version in the database.
        found: i32,
        /// Newest version this binary knows.
        known: i32,
    },
    /// The database has no fleet schema yet.
    #[error("the database has no fleet schema: run `gongkai fleet init --pg URL` first")]
    NotInitialised,
}

/// Result type of the fleet crate.
pub type Result<T, E = FleetError> = std::result::Result<T, E>;

/// Attaches a description of what was being done to a PostgreSQL error.
pub(crate) trait PgContext<T> {
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> PgContext<T> for std::result::Result<T, tokio_postgres::Error> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(|source| FleetError::Pg {
            context: context.to_string(),
            source,
        })
    }
}
