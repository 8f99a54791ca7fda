//! The PostgreSQL connection: tokio-postgres over plain TCP or a Unix socket, with every round
//! trip counted so that the cost of a site-run can be measured.

use crate::{FleetError, PgContext, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls, Row};

/// A typed statement parameter: the value and its PostgreSQL type (no prepare round trip).
pub type Param<'a> = (&'a (dyn ToSql + Sync), Type);

/// One connection to the fleet database. Statements are sent with their parameter types
/// (`query_typed`), so each costs exactly one round trip, which [`Db::round_trips`] counts.
pub struct Db {
    client: Client,
    trips: Arc<AtomicU64>,
    conn: tokio::task::JoinHandle<()>,
}

impl Drop for Db {
    fn drop(&mut self) {
        self.conn.abort();
    }
}

impl Db {
    /// Connects to `url` (`postgres://user@host:port/db` or key=value form). Fails with a
    /// [`FleetError::BadUrl`] for a URL that does not parse, else with the server's error.
    pub async fn connect(url: &str) -> Result<Db> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e: tokio_postgres::Error| {
                FleetError::BadUrl(format!("{:?}: {e}", redact(url)))
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        // Dead peers (a worker's machine losing the network) are noticed by the lease, but the
        // socket should not hang forever either.
        config.keepalives_idle(Duration::from_secs(30));
        let (client, connection) = config
            .connect(NoTls)
            .await
            .ctx(&format!("cannot connect to {}", redact(url)))?;
        let conn = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!("PostgreSQL connection closed: {e}");
            }
        });
        Ok(Db {
            client,
            trips: Arc::new(AtomicU64::new(1)),
            conn,
        })
    }

    /// Round trips to the server so far (the connection's start-up counts as one).
    pub fn round_trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    fn trip(&self) {
        self.trips.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs statements without parameters in one round trip (simple query protocol).
    pub async fn batch(&self, sql: &str, context: &str) -> Result<()> {
        self.trip();
        self.client.batch_execute(sql).await.ctx(context)
    }

    /// Runs a statement with typed parameters; returns its rows.
    pub async fn query(&self, sql: &str, params: &[Param<'_>], context: &str) -> Result<Vec<Row>> {
        self.trip();
        self.client.query_typed(sql, params).await.ctx(context)
    }

    /// Runs a statement with typed parameters; returns the number of rows affected.
    pub async fn execute(&self, sql: &str, params: &[Param<'_>], context: &str) -> Result<u64> {
        self.trip();
        self.client.execute_typed(sql, params).await.ctx(context)
    }

    /// Opens a transaction (one round trip); end it with [`Db::commit`] or [`Db::rollback`].
    pub async fn begin(&self) -> Result<()> {
        self.batch("BEGIN", "beginning a transaction").await
    }

    /// Commits the open transaction.
    pub async fn commit(&self) -> Result<()> {
        self.batch("COMMIT", "committing").await
    }

    /// Rolls the open transaction back; errors are logged, as the caller is already failing.
    pub async fn rollback(&self) {
        if let Err(e) = self.batch("ROLLBACK", "rolling back").await {
            tracing::warn!("{e}");
        }
    }
}

/// The URL (or key=value string) with its password replaced, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => url
            .split_whitespace()
            .map(|kv| {
                if kv.starts_with("password=") {
                    "password=***"
                } else {
                    kv
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact("host=h user=u password=secret dbname=d"),
            "host=h user=u password=*** dbname=d"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
