//! Misbehaviour on the wire: answers that stall, never end, break off, or are not HTTP at all.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Action, Head, Reply, Shared, Wire, MAX_HOLD};

/// Gap between the header bytes of `/t/slowloris`.
pub const SLOWLORIS_INTERVAL: Duration = Duration::from_secs(1);
/// Gap between the chunks of `/t/trickle`.
pub const TRICKLE_INTERVAL: Duration = Duration::from_millis(250);
/// Header lines of `/t/header-flood`.
pub const FLOOD_HEADERS: usize = 10_000;
/// The start of the `/t/bomb` document (the rest is spaces).
const BOMB_HEAD: &[u8] =
    b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>gzip bomb</title></head><body>\n";
/// MiB of spaces after [`BOMB_HEAD`] in `/t/bomb`.
const BOMB_MIB: usize = 1024;
/// Decompressed size of `/t/bomb` (a little over 1 GiB; about 1 MiB on the wire).
pub const BOMB_BYTES: u64 = BOMB_HEAD.len() as u64 + (BOMB_MIB as u64) * 1024 * 1024;
/// Content-Length announced by `/t/reset` and `/t/eof`; half of it is sent.
const BROKEN_LEN: usize = 200_000;

/// Carries out `action`; returns the status sent in the status line, if one was.
pub(crate) async fn perform<S: Wire>(
    shared: &Shared,
    io: &mut S,
    head: &Head,
    action: Action,
) -> Option<u16> {
    let head_only = head.method.eq_ignore_ascii_case("HEAD");
    let status = match &action {
        Action::Reply(r) => Some(r.status),
        Action::Silent | Action::NotHttp => None,
        _ => Some(200),
    };
    let mut stop = shared.stop.clone();
    tokio::select! {
        _ = stop.wait_for(|s| *s) => {}
        _ = tokio::time::timeout(MAX_HOLD, behave(io, action, head_only)) => {}
    }
    status
}

async fn behave<S: Wire>(io: &mut S, action: Action, head_only: bool) {
    // Write errors mean the client went away: every arm just stops.
    match action {
        Action::Reply(r) => {
            let _ = write_reply(io, r, head_only).await;
        }
        Action::Slowloris => {
            let start =
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-Slowloris: ";
            if send(io, start).await.is_err() {
                return;
            }
            loop {
                tokio::time::sleep(SLOWLORIS_INTERVAL).await;
                if send(io, b"a").await.is_err() {
                    return;
                }
            }
        }
        Action::Silent => {
            // Hold the connection until the client closes it.
            let mut buf = [0u8; 1024];
            while let Ok(n) = io.read(&mut buf).await {
                if n == 0 {
                    return;
                }
            }
        }
        Action::Trickle => {
            if send(io, &chunked_head()).await.is_err() {
                return;
            }
            let first = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>涓涓细流</title></head><body>\n";
            if send(io, &chunk(first.as_bytes())).await.is_err() {
                return;
            }
            loop {
                tokio::time::sleep(TRICKLE_INTERVAL).await;
                if send(io, &chunk(b"<p>.</p>\n")).await.is_err() {
                    return;
                }
            }
        }
        Action::Endless => {
            if send(io, &chunked_head()).await.is_err() {
                return;
            }
            let first = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>无穷无尽</title></head><body>\n";
            if send(io, &chunk(first.as_bytes())).await.is_err() {
                return;
            }
            let filler = "<p>政务公开，无穷无尽。</p>\n".repeat(2048);
            let piece = chunk(&filler.as_bytes()[..64 * 1024]);
            // Bounded anyway: at most 4 GiB (and MAX_HOLD).
            for _ in 0..(4u64 << 30) / (64 * 1024) {
                if send(io, &piece).await.is_err() {
                    return;
                }
            }
        }
        Action::Reset | Action::Eof => {
            let reset = matches!(action, Action::Reset);
            let mut out = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {BROKEN_LEN}\r\nConnection: close\r\n\r\n"
            )
            .into_bytes();
            if !head_only {
                out.extend_from_slice(&half_body());
            }
            if send(io, &out).await.is_err() {
                return;
            }
            // Let the half body reach the client before the connection is cut.
            tokio::time::sleep(Duration::from_millis(100)).await;
            if reset {
                // SO_LINGER 0: dropping the socket sends an RST instead of a FIN.
                let _ = io.tcp().set_zero_linger();
            } else {
                let _ = io.shutdown().await;
            }
        }
        Action::Bomb => {
            let gz = bomb();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                gz.len()
            );
            if send(io, head.as_bytes()).await.is_err() || head_only {
                return;
            }
            let _ = send(io, gz).await;
            let _ = io.shutdown().await;
        }
        Action::NotHttp => {
            let mut out = b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n".to_vec();
            out.extend((0..512u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
            let _ = send(io, &out).await;
            let _ = io.shutdown().await;
        }
        Action::HeaderFlood => {
            let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n".to_vec();
            for i in 0..FLOOD_HEADERS {
                out.extend_from_slice(format!("X-Flood-{i}: {i}\r\n").as_bytes());
            }
            let body = super::pages::simple("头部洪水", "很多很多响应头。");
            out.extend_from_slice(
                format!(
                    "Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            if !head_only {
                out.extend_from_slice(body.as_bytes());
            }
            let _ = send(io, &out).await;
            let _ = io.shutdown().await;
        }
    }
}

async fn send<S: Wire>(io: &mut S, bytes: &[u8]) -> std::io::Result<()> {
    io.write_all(bytes).await?;
    io.flush().await
}

async fn write_reply<S: Wire>(io: &mut S, r: Reply, head_only: bool) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status)).into_bytes();
    for (k, v) in &r.headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            r.body.len()
        )
        .as_bytes(),
    );
    if !head_only {
        out.extend_from_slice(&r.body);
    }
    send(io, &out).await?;
    io.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Whatever",
    }
}

fn chunked_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec()
}

fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// The first half of a [`BROKEN_LEN`]-byte page.
fn half_body() -> Vec<u8> {
    let mut body =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>半截页面</title></head><body>\n"
            .as_bytes()
            .to_vec();
    let line = "<p>这一页只传了一半。</p>\n".as_bytes();
    while body.len() < BROKEN_LEN / 2 {
        body.extend_from_slice(line);
    }
    body.truncate(BROKEN_LEN / 2);
    body
}

fn bomb() -> &'static [u8] {
    static GZ: OnceLock<Vec<u8>> = OnceLock::new();
    GZ.get_or_init(|| gzip_bomb(BOMB_MIB))
}

/// A gzip member whose content is an HTML head followed by `mib` MiB of spaces, built without
/// compressing all of it: one MiB is deflated once, after a full flush (byte-aligned, no
/// back-references across it), and that segment is repeated; the CRC is combined arithmetically.
pub fn gzip_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    fn segment(data: &[u8], flush: FlushCompress) -> Vec<u8> {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(16 * 1024);
        loop {
            let consumed = c.total_in() as usize;
            if out.capacity() - out.len() < 1024 {
                out.reserve(16 * 1024);
            }
            c.compress_vec(&data[consumed..], &mut out, flush)
                .expect("in-memory deflate");
            if c.total_in() as usize == data.len() && out.capacity() - out.len() >= 1024 {
                return out;
            }
        }
    }
    let spaces = vec![b' '; 1024 * 1024];
    let head_z = segment(BOMB_HEAD, FlushCompress::Full);
    let mib_z = segment(&spaces, FlushCompress::Full);
    let end_z = segment(&[], FlushCompress::Finish);

    let mut crc = Crc::new();
    crc.update(BOMB_HEAD);
    let mut one = Crc::new();
    one.update(&spaces);
    // crc of `mib` MiB from binary powers of the one-MiB crc (`Crc` is not Clone: combining into
    // an empty one copies).
    let dup = |c: &Crc| {
        let mut d = Crc::new();
        d.combine(c);
        d
    };
    let mut power = one;
    let mut n = mib;
    while n > 0 {
        if n & 1 == 1 {
            crc.combine(&power);
        }
        let p = dup(&power);
        power.combine(&p);
        n >>= 1;
    }
    let total = BOMB_HEAD.len() as u64 + (mib as u64) * 1024 * 1024;

    let mut out = Vec::with_capacity(head_z.len() + mib * mib_z.len() + 64);
    // ID1 ID2, deflate, no flags, no mtime, no extra flags, OS unknown.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    out.extend_from_slice(&head_z);
    for _ in 0..mib {
        out.extend_from_slice(&mib_z);
    }
    out.extend_from_slice(&end_z);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out
}
