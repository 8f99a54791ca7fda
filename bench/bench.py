#!/usr/bin/env python3
"""gongkai benchmark driver (run it through bench/run.sh).

Generates (or reuses) a synthetic portal, serves it with a private nginx on 127.0.0.1, then
measures, in one run and against the same two origins:

  gongkai   full scan (crawl + link checks + rules + SQLite), unlimited rate
  gongkai   unchanged full rescan (--full) into the same database (conditional requests, 304s)
  gongkai   `check` on the stored crawl alone
  peers     linkinator, LinkChecker, spider_cli (crawl only), lychee (page list), with the same
            concurrency and no delays, where they install
  gongkai   full scan of a second, larger portal (--scale, 100,000 pages by default): memory at scale

and prints one table plus the targets of issues 5 and 11, each marked met / not met. gongkai's runs
print an RSS timeline (sparkline, samples every 0.5 s, peak per phase: crawl, then rules + store). Figures come from
the wall clock around each command, `/usr/bin/time -v` (peak RSS, CPU) and nginx's access log
($body_bytes_sent, summed per run). Python 3 standard library only.
"""

import argparse
import atexit
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CACHE = os.environ.get("GONGKAI_BENCH_CACHE", os.path.expanduser("~/.cache/gongkai-bench"))
AS_OF = "2025-01-15"  # fixed, so findings are the same on every run

PEERS = ["spider", "linkinator", "linkchecker", "lychee"]


def log(msg=""):
    print(msg, flush=True)


def loadavg():
    a = os.getloadavg()
    return "%.2f %.2f %.2f" % a


def which(name, extra=()):
    for p in extra:
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait_port(port, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- site


def ensure_site(args):
    name = "site-%d-s%d-p%d" % (args.pages, args.seed, args.port)
    out = os.path.join(args.work, name)
    manifest = os.path.join(out, "manifest.json")
    if os.path.exists(manifest):
        with open(manifest) as f:
            m = json.load(f)
        log("site: reusing %s (%d HTML pages)" % (out, m["html_pages"]))
        return out, m
    if os.path.exists(out):
        shutil.rmtree(out)
    log("site: generating %d pages into %s ..." % (args.pages, out))
    t = time.monotonic()
    subprocess.run(
        [
            sys.executable, os.path.join(HERE, "gen_site.py"), "--pages", str(args.pages),
            "--seed", str(args.seed), "--out", out,
            "--main-origin", "http://127.0.0.1:%d" % args.port,
            "--second-origin", "http://127.0.0.1:%d" % (args.port + 1),
        ],
        check=True, stdout=subprocess.DEVNULL,
    )
    with open(manifest) as f:
        m = json.load(f)
    log("site: generated in %.1f s" % (time.monotonic() - t))
    return out, m


# --------------------------------------------------------------------------- nginx


class Nginx:
    def __init__(self, site, port):
        self.site = site
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="gongkai-bench-nginx-")
        self.log = os.path.join(self.dir, "access.log")
        self.proc = None
        self.keepalive = 65

    def conf(self):
        user = "user root;\n" if os.geteuid() == 0 else ""
        d = self.dir
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        nofile = 65536 if nofile == resource.RLIM_INFINITY else min(nofile, 65536)
        servers = ""
        for port, root in ((self.port, "main"), (self.port + 1, "second")):
            servers += (
                "  server {\n    listen 127.0.0.1:%d;\n    server_name _;\n    root %s;\n"
                "    index index.html;\n  }\n" % (port, os.path.join(self.site, root))
            )
        return (
            "%sworker_processes 1;\ndaemon off;\nmaster_process on;\npid %s/nginx.pid;\n"
            "error_log %s/error.log warn;\n"
            "worker_rlimit_nofile %d;\nevents { worker_connections %d; }\n"
            "http {\n"
            "  types { text/html html; text/css css; application/javascript js; image/png png;\n"
            "          image/jpeg jpg; application/pdf pdf; application/msword doc;\n"
            "          application/vnd.ms-excel xls; text/plain txt; application/xml xml; }\n"
            "  default_type application/octet-stream;\n"
            "  charset utf-8;\n"
            "  sendfile on; tcp_nopush on; tcp_nodelay on;\n"
            "  keepalive_timeout %s; keepalive_requests 1000000;\n"
            "  etag on; if_modified_since exact;\n"
            "  server_tokens off;\n"
            # LinkChecker caps itself at 10 requests/s per host unless the server answers a
            # \"LinkChecker\" header; this lifts that cap so it runs without delays like the others.
            "  add_header LinkChecker nolimit always;\n"
            "  log_format bench '$server_port $status $body_bytes_sent $request_method $request_uri';\n"
            "  access_log %s bench;\n"
            "  client_body_temp_path %s/cb; proxy_temp_path %s/px; fastcgi_temp_path %s/fc;\n"
            "  uwsgi_temp_path %s/uw; scgi_temp_path %s/sc;\n"
            "%s}\n" % (user, d, d, nofile, max(1024, nofile - 200), self.keepalive, self.log, d, d, d, d, d, servers)
        )

    def start(self):
        nginx = which("nginx", ["/usr/sbin/nginx"])
        if not nginx:
            sys.exit("nginx not found (bench/run.sh installs it with apt-get)")
        for p in (self.port, self.port + 1):
            if not port_free(p):
                sys.exit("port 127.0.0.1:%d is in use; pick others with --port" % p)
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write(self.conf())
        self.proc = subprocess.Popen(
            [nginx, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "stderr.log"), "w"),
        )
        atexit.register(self.stop)
        if not (wait_port(self.port) and wait_port(self.port + 1)):
            self.stop()
            with open(os.path.join(self.dir, "stderr.log")) as f:
                sys.exit("nginx did not start: " + f.read())
        log("nginx: pid %d serving http://127.0.0.1:%d/ and http://127.0.0.1:%d/ (conf %s)"
            % (self.proc.pid, self.port, self.port + 1, self.dir))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful shutdown of master and worker
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            log("nginx: stopped")
        self.proc = None
        if os.path.isdir(self.dir):
            errs = {}
            try:
                with open(os.path.join(self.dir, "error.log"), errors="replace") as f:
                    for line in f:
                        if "No such file or directory" in line:
                            continue  # the planted 404s
                        m = re.search(r"\[(\w+)\] \d+#\d+: (?:\*\d+ )?(.{0,60})", line)
                        key = m.group(1) + ": " + re.sub(r'"[^"]*"', '"…"', m.group(2)) if m else line[:60]
                        errs[key] = errs.get(key, 0) + 1
            except OSError:
                pass
            for k, n in sorted(errs.items(), key=lambda kv: -kv[1])[:5]:
                log("nginx error log: %d × %s" % (n, k))
            shutil.rmtree(self.dir, ignore_errors=True)

    def offset(self):
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def traffic(self, start):
        """Requests, bytes and statuses logged since byte offset `start`."""
        t = {"requests": 0, "bytes": 0, "main": 0, "second": 0, "status": {}}
        pages = set()
        mainb = str(self.port).encode()
        with open(self.log, "rb") as f:
            f.seek(start)
            for line in f:
                parts = line.split(b" ", 4)
                if len(parts) < 4:
                    continue
                port, status, sent = parts[0], parts[1].decode(), int(parts[2])
                t["requests"] += 1
                t["bytes"] += sent
                t["main" if port == mainb else "second"] += 1
                t["status"][status] = t["status"].get(status, 0) + 1
                if port == mainb and status in ("200", "304") and len(parts) == 5:
                    uri = parts[4].strip()
                    if uri.endswith(b".html") or uri == b"/":
                        pages.add(b"/index.html" if uri == b"/" else uri)
        t["pages"] = len(pages)
        return t


# --------------------------------------------------------------------------- running


class RssSampler(threading.Thread):
    """Samples the resident set of the measured command (child of /usr/bin/time) every 0.5 s,
    and the size of nginx's access log with it: the crawl phase ends when the log stops growing
    (no request after that), so the timeline splits into crawl and rules + store phases."""

    INTERVAL = 0.5

    def __init__(self, pid, access_log=None):
        super().__init__(daemon=True)
        self.pid = pid
        self.access_log = access_log
        self.samples = []  # (elapsed s, rss MB, access log bytes)
        self.done = threading.Event()
        self.start()

    def rss(self):
        total = 0
        try:
            with open("/proc/%d/task/%d/children" % (self.pid, self.pid)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            return None
        for k in kids:
            try:
                with open("/proc/%d/status" % k) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024.0

    def log_size(self):
        try:
            return os.path.getsize(self.access_log) if self.access_log else 0
        except OSError:
            return 0

    def run(self):
        t0 = time.monotonic()
        while not self.done.wait(self.INTERVAL):
            r = self.rss()
            if r:
                self.samples.append((time.monotonic() - t0, r, self.log_size()))

    def stop(self):
        self.done.set()
        self.join()

    def phases(self):
        """[(name, start s, end s, peak MB)]: crawl (requests still arriving), then rules + store."""
        if not self.samples:
            return []
        end = self.samples[-1][0]
        last = self.samples[-1][2]
        if not self.access_log or last == self.samples[0][2]:
            return [("whole run", 0.0, end, max(r for _, r, _ in self.samples))]
        cut = next((t for t, _, n in self.samples if n >= last), end)
        crawl = [r for t, r, _ in self.samples if t <= cut]
        rest = [r for t, r, _ in self.samples if t > cut]
        out = [("crawl", 0.0, cut, max(crawl) if crawl else 0.0)]
        if rest:
            out.append(("rules + store", cut, end, max(rest)))
        return out

    def timeline(self, width=60):
        """Sparkline of the RSS (one character per 1/width of the run), the peak per phase, and
        the samples every ~10% of the run as `seconds:MB`."""
        if not self.samples:
            return ""
        end = self.samples[-1][0]
        peak = max(self.samples, key=lambda x: x[1])
        bars = "▁▂▃▄▅▆▇█"
        cells = []
        for c in range(width):
            lo, hi = end * c / width, end * (c + 1) / width
            vals = [r for t, r, _ in self.samples if lo <= t < hi or (c == width - 1 and t >= lo)]
            if vals:
                cells.append(bars[min(len(bars) - 1, int(max(vals) / peak[1] * (len(bars) - 1) + 0.5))])
            elif cells:
                cells.append(cells[-1])
        pts, nxt = [], 0.0
        for t, r, _ in self.samples:
            if t >= nxt:
                pts.append("%.0fs:%.0f" % (t, r))
                nxt += max(end / 10, self.INTERVAL)
        ph = ", ".join("%s %.0f-%.0f s peak %.0f MB" % p for p in self.phases())
        return "RSS MB over %.0f s, sampled every %.1f s (█ = %.0f MB): %s\n   phases: %s\n   samples: %s" % (
            end, self.INTERVAL, peak[1], "".join(cells), ph, " ".join(pts))


def timed(cmd, label, logdir, timeout, env=None, cwd=None, stdin_file=None, sample=False, access_log=None):
    """Runs cmd under /usr/bin/time -v; returns wall, rss_mb, cpu, rc, timed_out, stderr tail."""
    tv = os.path.join(logdir, label + ".time")
    out = os.path.join(logdir, label + ".out")
    full = ["/usr/bin/time", "-v", "-o", tv] + cmd
    with open(out, "wb") as o:
        stdin = open(stdin_file, "rb") if stdin_file else subprocess.DEVNULL
        t0 = time.monotonic()
        p = subprocess.Popen(full, stdout=o, stderr=subprocess.STDOUT, stdin=stdin, env=env, cwd=cwd,
                             start_new_session=True)
        timed_out = False
        sampler = RssSampler(p.pid, access_log) if sample else None
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, signal.SIGTERM)
            try:
                rc = p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                rc = p.wait()
        wall = time.monotonic() - t0
        if sampler:
            sampler.stop()
        if stdin_file:
            stdin.close()
    rss = cpu = None
    try:
        with open(tv) as f:
            txt = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt)
        rss = int(m.group(1)) / 1024.0 if m else None
        u = re.search(r"User time \(seconds\): ([\d.]+)", txt)
        s = re.search(r"System time \(seconds\): ([\d.]+)", txt)
        cpu = float(u.group(1)) + float(s.group(1)) if u and s else None
    except OSError:
        pass
    with open(out, "rb") as f:
        tail = f.read()[-4000:].decode("utf-8", "replace")
    return {"wall": wall, "rss": rss, "cpu": cpu, "rc": rc, "timed_out": timed_out, "tail": tail, "out": out,
            "timeline": sampler.timeline() if sampler else "",
            "phases": sampler.phases() if sampler else []}


def measure(nginx, label, cmd, args, timeout, ok_codes=(0,), **kw):
    load = loadavg()
    off = nginx.offset()
    log("\n== %s  (load average %s)" % (label, load))
    log("   $ " + " ".join(cmd))
    if kw.get("sample"):
        kw["access_log"] = nginx.log
    r = timed(cmd, label, args.logdir, timeout, **kw)
    time.sleep(0.2)
    r["traffic"] = nginx.traffic(off)
    r["load"] = load
    r["label"] = label
    r["ok"] = (r["rc"] in ok_codes) and not r["timed_out"]
    tr = r["traffic"]
    log("   wall %.2f s, peak RSS %s MB, CPU %s s, exit %s%s" % (
        r["wall"], "%.1f" % r["rss"] if r["rss"] else "?", "%.1f" % r["cpu"] if r["cpu"] else "?", r["rc"],
        " (TIMED OUT after %d s)" % timeout if r["timed_out"] else ""))
    log("   requests %d (portal %d, second origin %d), distinct portal pages answered %d, statuses %s, bytes %s" % (
        tr["requests"], tr["main"], tr["second"], tr["pages"], dict(sorted(tr["status"].items())), fmt_bytes(tr["bytes"])))
    if r.get("timeline"):
        log("   " + r["timeline"])
    if not r["ok"]:
        log("   output tail (%s):\n%s" % (r["out"], indent(r["tail"][-1500:])))
    return r


def indent(s):
    return "\n".join("     | " + l for l in s.rstrip().splitlines())


def fmt_bytes(n):
    if n is None:
        return "-"
    for unit, div in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= div:
            return "%.1f %s" % (n / div, unit)
    return "%d B" % n


def run_quiet(cmd, logfile, cwd=None):
    with open(logfile, "ab") as f:
        f.write(("\n$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=cwd).returncode


# --------------------------------------------------------------------------- peers


def install_peer(name, args):
    """Returns (path, why-not)."""
    ilog = os.path.join(args.logdir, "install.log")
    cargo_bin = os.path.expanduser("~/.cargo/bin")
    if name == "linkinator":
        p = os.path.join(CACHE, "node", "node_modules", ".bin", "linkinator")
        if os.path.exists(p):
            return p, None
        if not shutil.which("npm"):
            return None, "npm not found (apt-get install nodejs npm)"
        log("install: linkinator@7 (npm) into %s" % os.path.join(CACHE, "node"))
        os.makedirs(os.path.join(CACHE, "node"), exist_ok=True)
        rc = run_quiet(["npm", "install", "--no-audit", "--no-fund", "--prefix", os.path.join(CACHE, "node"), "linkinator@7"], ilog)
        return (p, None) if rc == 0 and os.path.exists(p) else (None, "npm install linkinator@7 failed (see %s)" % ilog)
    if name == "linkchecker":
        p = os.path.join(CACHE, "venv", "bin", "linkchecker")
        if os.path.exists(p):
            return p, None
        log("install: linkchecker (PyPI) into %s" % os.path.join(CACHE, "venv"))
        rc = run_quiet([sys.executable, "-m", "venv", os.path.join(CACHE, "venv")], ilog)
        if rc == 0:
            rc = run_quiet([os.path.join(CACHE, "venv", "bin", "pip"), "install", "-q", "linkchecker"], ilog)
        return (p, None) if rc == 0 and os.path.exists(p) else (None, "pip install linkchecker failed (see %s)" % ilog)
    if name in ("spider", "lychee"):
        p = which(name, [os.path.join(cargo_bin, name)])
        if p:
            return p, None
        if not shutil.which("cargo") and not os.path.exists(os.path.join(cargo_bin, "cargo")):
            return None, "cargo not found"
        crate = "spider_cli" if name == "spider" else "lychee"
        extra = ["--no-default-features"] if name == "spider" else []  # no headless-Chrome download
        log("install: cargo install %s (several minutes on 2 cores; cached in ~/.cargo/bin afterwards)" % crate)
        rc = run_quiet(["cargo", "install", "--locked", crate] + extra, ilog)
        if rc != 0:
            rc = run_quiet(["cargo", "install", crate] + extra, ilog)
        p = which(name, [os.path.join(cargo_bin, name)])
        return (p, None) if rc == 0 and p else (None, "cargo install %s failed (see %s)" % (crate, ilog))
    return None, "unknown peer"


def peer_command(name, exe, args, site_dir, start, manifest):
    """(cmd, ok exit codes, extra kwargs) for one peer."""
    c = str(args.concurrency)
    if name == "spider":
        # crawl only: follows every same-origin link, fetches each page once, checks nothing else
        # spider_cli has no concurrency flag: it runs with its built-in default (about 20-30 requests
        # in flight on 2 cores); robots.txt is ignored unless -r, and the delay is 0
        return [exe, "--url", start, "--delay", "0", "crawl", "--output-links"], (0,), {}
    if name == "linkinator":
        return ([exe, start, "--recurse", "--concurrency", c, "--timeout", "30000",
                 "--format", "csv", "--verbosity", "error"], (0, 1), {})
    if name == "linkchecker":
        rc = os.path.join(args.logdir, "linkcheckerrc")
        with open(rc, "w") as f:
            f.write("[checking]\nthreads=%s\nmaxrequestspersecond=1000000\nrecursionlevel=-1\n"
                    "resultcachesize=10000000\n[output]\nstatus=0\nwarnings=0\n" % c)
        os.chmod(rc, 0o644)
        env = dict(os.environ, HOME=args.logdir)
        return ([exe, "-f", rc, "--threads", c, "--check-extern", "--no-status", "--no-warnings",
                 "-o", "csv", start], (0, 1), {"env": env})
    if name == "lychee":
        # lychee cannot recurse: every page of the portal is an input URL (fetched, its links checked)
        lst = os.path.join(args.logdir, "lychee-inputs.txt")
        with open(os.path.join(site_dir, "pages.txt")) as f, open(lst, "w") as o:
            for line in f:
                o.write(start.rstrip("/") + line.strip() + "\n")
        return ([exe, "--no-progress", "--max-concurrency", c, "--host-concurrency", c,
                 "--host-request-interval", "0ms", "--timeout", "30", "--format", "compact",
                 "--files-from", lst], (0, 2), {})
    raise ValueError(name)


# --------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description="gongkai benchmark (see README: Benchmark)")
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--quick", action="store_true", help="1,000 pages")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--port", type=int, default=18480, help="portal port; the second origin uses port+1")
    ap.add_argument("--work", default=os.environ.get("GONGKAI_BENCH_WORK", "/tmp/gongkai-bench"))
    ap.add_argument("--gongkai", default=os.path.join(REPO, "target", "dist", "gongkai"))
    ap.add_argument("--peers", default=",".join(PEERS), help="comma list, or 'none'")
    ap.add_argument("--peer-timeout", type=int, default=0, help="seconds per peer run (default: 60 + 0.04 s per page)")
    ap.add_argument("--no-install", action="store_true", help="run only peers that are already installed")
    ap.add_argument("--keep-db", action="store_true", help="keep gongkai's databases (about 45 KB per page)")
    ap.add_argument("--perf", action="store_true", help="also profile one extra gongkai scan with perf record -g")
    ap.add_argument("--max-attachment-mib", type=int, default=None,
                    help="passed to gongkai scan (0: attachments only checked, as before issue 9)")
    ap.add_argument("--scan-only", action="store_true",
                    help="gongkai's full scan alone (no rescan, no check): for iterating on one figure")
    ap.add_argument("--scale", type=int, default=None,
                    help="also scan a portal of this many pages (gongkai alone, RSS timeline) for the "
                         "memory target at scale; default 100000 (0 with --quick; 0 skips it)")
    ap.add_argument("--spider-attempts", type=int, default=10,
                    help="spider_cli often stops early on a fast local server; run it up to this many times "
                         "until one run fetches at least 95%% of the pages (default 10)")
    ap.add_argument("--lychee-runs", type=int, default=3,
                    help="runs of gongkai's scan and lychee, alternating, for the lychee ratio: the ratio "
                         "of their median wall times counts (lychee's own time varies by about 15%% from "
                         "run to run); default 3, 1 for a single pair")
    args = ap.parse_args()
    if args.quick:
        args.pages = 1000
    if args.scale is None:
        args.scale = 0 if args.quick else 100000
    if not args.peer_timeout:
        args.peer_timeout = int(60 + 0.04 * args.pages)
    os.makedirs(args.work, exist_ok=True)
    args.logdir = os.path.join(args.work, "logs-%d-%s" % (args.pages, time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(args.logdir)
    if not os.path.exists(args.gongkai):
        sys.exit("no gongkai binary at %s (cargo build --profile dist -p gongkai)" % args.gongkai)

    log("gongkai benchmark: %d pages, concurrency %d, %d cores, load average %s, logs in %s"
        % (args.pages, args.concurrency, os.cpu_count(), loadavg(), args.logdir))
    site, manifest = ensure_site(args)
    pages = manifest["html_pages"]
    log("site: %d HTML pages (%d articles, %d list pages), %d attachments, %d images, %d links "
        "(%.1f per page, %.1f%% to the second origin), %d broken targets + %d on the second origin, %s"
        % (pages, manifest["articles"], manifest["list_pages"], manifest["attachments"], manifest["images"],
           manifest["links"], manifest["links"] / pages, 100.0 * manifest["external_links"] / manifest["links"],
           manifest["broken_targets"], manifest["second_broken_targets"],
           fmt_bytes(manifest["bytes_main"] + manifest["bytes_second"])))

    nginx = Nginx(site, args.port)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(130))
    nginx.start()
    start = "http://127.0.0.1:%d/" % args.port

    cfg = os.path.join(args.logdir, "site.toml")
    with open(cfg, "w") as f:
        f.write(
            '[site]\nname = "bench portal"\ncontact = "mailto:bench@localhost"\n\n'
            # default limits (max pages, depth): the portal must be fetched completely with them
            "[crawl]\nconcurrency = %d\nper_host_concurrency = %d\n"
            # the end-of-run retry of failures runs at once: a nightly scan waits 60 s before it
            # (server hiccups), which is not crawl speed
            "recheck_pause_secs = 0\n"
            % (args.concurrency, args.concurrency)
        )
    db = os.path.join(args.logdir, "gongkai.db")
    gk = [args.gongkai]
    scan = gk + ["scan", start, "--db", db, "--config", cfg, "--rate", "0", "--concurrency", str(args.concurrency),
                 "--as-of", AS_OF, "--quiet"]
    if args.max_attachment_mib is not None:
        scan += ["--max-attachment-mib", str(args.max_attachment_mib)]
    gk_timeout = max(1800, args.peer_timeout * 2)
    results = {}
    results["gongkai scan"] = measure(nginx, "gongkai-scan", scan, args, gk_timeout, sample=True)
    if args.scan_only:
        nginx.stop()
        if args.scale:
            results["gongkai scan %dk" % (args.scale // 1000)] = scale_run(args, cfg, gk_timeout)
        for label, r in results.items():
            log("%s: wall %.2f s, peak RSS %.1f MB, CPU %.1f s, %d pages" % (
                label, r["wall"], r["rss"] or 0, r["cpu"] or 0, r["traffic"]["pages"]))
        return
    # --full: this row is the full revalidation of every page; nights.py measures incremental nights.
    results["gongkai rescan"] = measure(nginx, "gongkai-rescan", scan + ["--full"], args, gk_timeout, sample=True)
    results["gongkai check"] = measure(nginx, "gongkai-check", gk + ["check", "--db", db, "--config", cfg, "--as-of", AS_OF],
                                       args, gk_timeout, sample=True)
    db_size = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    log("   database %s" % fmt_bytes(db_size))
    try:
        import sqlite3
        con = sqlite3.connect(db)
        for run_id, pf, oc, st, cov in con.execute(
                "select id, pages_fetched, outcome_counts, status, coverage from runs order by id"):
            nm = con.execute("select count(*) from fetches where run_id=? and not_modified=1", (run_id,)).fetchone()[0]
            nf = con.execute("select count(*) from findings where run_id=?", (run_id,)).fetchone()[0]
            log("   run %d (%s): pages_fetched %s, outcomes %s, 304-reused %d, findings %d" % (run_id, st, pf, oc, nm, nf))
            log("   run %d coverage: %s" % (run_id, cov))
        con.close()
    except Exception as e:  # noqa: BLE001 - informative only
        log("   (database summary unavailable: %s)" % e)

    if args.perf:
        perf = which("perf", ["/usr/bin/perf"])
        if perf:
            pdb = os.path.join(args.logdir, "perf.db")
            pdata = os.path.join(args.logdir, "perf.data")
            pscan = gk + ["scan", start, "--db", pdb, "--config", cfg, "--rate", "0", "--concurrency",
                          str(args.concurrency), "--as-of", AS_OF, "--quiet"]
            # release builds have no frame pointers: unwind with DWARF (.eh_frame)
            measure(nginx, "gongkai-scan-under-perf",
                    [perf, "record", "-F", "149", "--call-graph", "dwarf,16384", "-o", pdata, "--"] + pscan,
                    args, gk_timeout * 2)
            for kind, flag in (("self", "--no-children"), ("children", "--children")):
                rep = os.path.join(args.logdir, "perf-%s.txt" % kind)
                with open(rep, "w") as f:
                    subprocess.run([perf, "report", "-i", pdata, flag, "--sort", "symbol", "--stdio", "-g", "none",
                                    "--percent-limit", "0.5"], stdout=f, stderr=subprocess.DEVNULL)
                with open(rep) as f:
                    lines = [re.sub(r"\s+", " ", re.sub(r"(\s+-)+\s*$", "", l)).strip()[:150]
                             for l in f if l.strip() and not l.startswith("#")]
                if kind == "children":  # inclusive time of gongkai's own functions: where the time goes
                    lines = [l for l in lines if "gongkai" in l and "{{closure}}" not in l]
                log("   perf report (%s time, top 25; full: %s)" % (kind, rep))
                log(indent("\n".join(lines[:25])))
        else:
            log("perf not found (apt-get install linux-perf)")

    cmd_of_lychee = None
    peers = [] if args.peers in ("", "none") else [p.strip() for p in args.peers.split(",") if p.strip()]
    for name in peers:
        if name not in PEERS:
            log("\n== %s: unknown peer (known: %s)" % (name, ", ".join(PEERS)))
            continue
        if args.no_install:
            exe = which(name, [os.path.join(CACHE, "node/node_modules/.bin", name),
                               os.path.join(CACHE, "venv/bin", name), os.path.expanduser("~/.cargo/bin/" + name)])
            why = None if exe else "not installed (--no-install)"
        else:
            exe, why = install_peer(name, args)
        if not exe:
            log("\n== %s: skipped: %s" % (name, why))
            results[name] = {"skipped": why}
            continue
        cmd, ok, kw = peer_command(name, exe, args, site, start, manifest)
        if name == "lychee":
            cmd_of_lychee = (cmd, ok, kw)
        label = {"spider": "spider (crawl only)"}.get(name, name)
        attempts = args.spider_attempts if name == "spider" else 1
        tries = []
        for n in range(1, attempts + 1):
            r = measure(nginx, name if n == 1 else "%s-try%d" % (name, n), cmd, args, args.peer_timeout, ok_codes=ok, **kw)
            tries.append(r)
            if r["traffic"]["pages"] >= 0.95 * pages or not r["ok"]:
                break
            log("   incomplete: %d of %d pages%s" % (r["traffic"]["pages"], pages, "; running it again" if n < attempts else ""))
        best = max(tries, key=lambda r: (r["traffic"]["pages"], -r["wall"]))
        if name == "linkinator":
            try:
                with open(best["out"], errors="replace") as f:
                    zero = sum(1 for line in f if ",0,BROKEN," in line)
                if zero:
                    best["note"] = "%d links failed with status 0 (no answer; see %s)" % (zero, best["out"])
                    log("   " + best["note"])
            except OSError:
                pass
        if len(tries) > 1:
            best["note"] = "%d runs, %d stopped early (pages reached: %s)" % (
                len(tries), sum(1 for r in tries if r["traffic"]["pages"] < 0.95 * pages),
                ", ".join(str(r["traffic"]["pages"]) for r in tries))
        results[label] = best

    ly = results.get("lychee")
    if ly and "skipped" not in ly and ly["ok"] and args.lychee_runs > 1:
        alternate(results, nginx, scan, db, cmd_of_lychee, args, gk_timeout)
    nginx.stop()
    if args.scale:
        results["gongkai scan %dk" % (args.scale // 1000)] = scale_run(args, cfg, gk_timeout)
    report(results, args, pages)
    if not args.keep_db:
        for name in os.listdir(args.logdir):
            if name.startswith(("gongkai.db", "gongkai-scale.db", "gongkai-alt", "perf.db", "perf.data")):
                os.remove(os.path.join(args.logdir, name))
        log("(databases removed; --keep-db keeps them)")


def alternate(results, nginx, scan, db, lychee, args, timeout):
    """Runs gongkai's full scan (each into a fresh database) and lychee again, one after the
    other, until each has run `args.lychee_runs` times: the lychee target compares the medians
    of their wall times, as one run of either moves by 10-15% on a shared machine."""
    cmd, ok, kw = lychee
    walls = {"gongkai": [results["gongkai scan"]["wall"]], "lychee": [results["lychee"]["wall"]]}
    for n in range(2, args.lychee_runs + 1):
        alt_db = os.path.join(args.logdir, "gongkai-alt%d.db" % n)
        g = measure(nginx, "gongkai-scan-run%d" % n, [alt_db if a == db else a for a in scan], args, timeout)
        ly = measure(nginx, "lychee-run%d" % n, cmd, args, args.peer_timeout, ok_codes=ok, **kw)
        if not (g["ok"] and ly["ok"]):
            log("   run %d did not complete (gongkai exit %s, lychee exit %s): not counted" % (n, g["rc"], ly["rc"]))
            continue
        walls["gongkai"].append(g["wall"])
        walls["lychee"].append(ly["wall"])
    results["alternating"] = {"walls": walls}


def median(xs):
    xs = sorted(xs)
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else (xs[k - 1] + xs[k]) / 2


def scale_run(args, cfg, timeout):
    """One complete `gongkai scan` of an `args.scale`-page portal (its own site and nginx, on
    ports port+2 and port+3), sampled for the RSS timeline: memory must not grow with the site."""
    import copy
    sargs = copy.copy(args)
    sargs.pages, sargs.port = args.scale, args.port + 2
    log("\n== scale: %d pages" % args.scale)
    site, manifest = ensure_site(sargs)
    nginx = Nginx(site, sargs.port)
    nginx.start()
    start = "http://127.0.0.1:%d/" % sargs.port
    db = os.path.join(args.logdir, "gongkai-scale.db")
    cmd = [args.gongkai, "scan", start, "--db", db, "--config", cfg, "--rate", "0", "--concurrency",
           str(args.concurrency), "--as-of", AS_OF, "--quiet"]
    if args.max_attachment_mib is not None:
        cmd += ["--max-attachment-mib", str(args.max_attachment_mib)]
    r = measure(nginx, "gongkai-scan-%d" % args.scale, cmd, args, max(timeout, int(0.05 * args.scale)), sample=True)
    nginx.stop()
    r["site_pages"] = manifest["html_pages"]
    return r


def report(results, args, pages):
    gk = results["gongkai scan"]
    log("\n" + "=" * 100)
    log("RESULTS  %d pages, concurrency %d, %d cores, load average at the end %s" % (pages, args.concurrency, os.cpu_count(), loadavg()))
    log("(ratio = gongkai full scan wall time / tool wall time; < 1 means gongkai is faster)")
    log("(pages = distinct portal HTML pages the tool fetched, from nginx's log; pages/s = site pages / wall)")
    hdr = "%-22s %9s %8s %9s %8s %7s %9s %11s %7s  %s" % ("tool", "wall s", "pages/s", "RSS MB", "CPU s", "pages", "requests", "bytes", "ratio", "load at start / note")
    log(hdr)
    log("-" * len(hdr))
    for label, r in results.items():
        if label == "alternating":
            continue
        if "skipped" in r:
            log("%-22s %9s %8s %9s %8s %7s %9s %11s %7s  skipped: %s" % (label, "-", "-", "-", "-", "-", "-", "-", "-", r["skipped"]))
            continue
        note = r["load"]
        if r["timed_out"]:
            note += "; TIMED OUT (wall is a lower bound)"
        elif not r["ok"]:
            note += "; FAILED exit %s" % r["rc"]
        site_pages = r.get("site_pages", pages)
        if not label.startswith("gongkai check") and r["traffic"]["pages"] < 0.95 * site_pages:
            note += "; INCOMPLETE (%d of %d pages)" % (r["traffic"]["pages"], site_pages)
        if r.get("note"):
            note += "; " + r["note"]
        ratio = "-" if label.startswith("gongkai") else "%.2f" % (gk["wall"] / r["wall"])
        wall = (">" if r["timed_out"] else "") + "%.2f" % r["wall"]
        log("%-22s %9s %8.0f %9s %8s %7d %9d %11s %7s  %s" % (
            label, wall, site_pages / r["wall"], "%.1f" % r["rss"] if r["rss"] else "?",
            "%.1f" % r["cpu"] if r["cpu"] else "?", r["traffic"]["pages"], r["traffic"]["requests"],
            fmt_bytes(r["traffic"]["bytes"]), ratio, note))

    log("\nTARGETS")

    def mark(ok):
        return "met" if ok else "NOT MET"

    def peer(label):
        r = results.get(label)
        return r if r and "skipped" not in r else None

    sp = peer("spider (crawl only)")
    if sp and sp["traffic"]["pages"] < 0.95 * pages and not sp["timed_out"]:
        log("  %-60s n/a (spider never crawled the whole site: %d of %d pages)" % (
            "full scan faster than spider's crawl-only run", sp["traffic"]["pages"], pages))
    elif sp and (sp["ok"] or sp["timed_out"]):
        log("  %-60s %s  (%.2f s vs %s%.2f s)" % ("full scan faster than spider's crawl-only run", mark(gk["wall"] < sp["wall"]),
                                                  gk["wall"], ">" if sp["timed_out"] else "", sp["wall"]))
    else:
        log("  %-60s n/a (spider did not run)" % "full scan faster than spider's crawl-only run")
    li = peer("linkinator")
    if li and li["traffic"]["pages"] < 0.95 * pages and not li["timed_out"]:
        log("  %-60s n/a (linkinator did not crawl the whole site: %d of %d pages)" % (
            "full scan ≤ 1/3 of linkinator's time", li["traffic"]["pages"], pages))
    elif li and (li["ok"] or li["timed_out"]):
        log("  %-60s %s  (%.2f s vs 1/3 × %s%.2f s = %.2f s)" % ("full scan ≤ 1/3 of linkinator's time",
                                                                  mark(gk["wall"] <= li["wall"] / 3), gk["wall"],
                                                                  ">" if li["timed_out"] else "", li["wall"], li["wall"] / 3))
    else:
        log("  %-60s n/a (linkinator did not run)" % "full scan ≤ 1/3 of linkinator's time")
    scale = "" if pages >= 20000 else "  [target is for 20,000 pages; this run has %d]" % pages
    log("  %-60s %s  (%.1f MB; %s)%s" % ("peak RSS ≤ 150 MB at 20,000 pages", mark(gk["rss"] is not None and gk["rss"] <= 150), gk["rss"] or 0,
                                        "; ".join("%s %.0f MB" % (p[0], p[3]) for p in gk.get("phases", [])), scale))
    big = results.get("gongkai scan %dk" % (args.scale // 1000)) if args.scale else None
    if big:
        bscale = "" if args.scale >= 100000 else "  [target is for 100,000 pages; this run has %d]" % args.scale
        log("  %-60s %s  (%.1f MB; %s)%s" % (
            "peak RSS ≤ 200 MB at 100,000 pages", mark(big["ok"] and big["rss"] is not None and big["rss"] <= 200),
            big["rss"] or 0, "; ".join("%s %.0f MB" % (p[0], p[3]) for p in big.get("phases", [])), bscale))
    else:
        log("  %-60s n/a (no scale run: --scale 0)" % "peak RSS ≤ 200 MB at 100,000 pages")
    ly = peer("lychee")
    alt = results.get("alternating")
    if ly and ly["ok"] and alt and len(alt["walls"]["lychee"]) > 1:
        gw, lw = alt["walls"]["gongkai"], alt["walls"]["lychee"]
        gm, lm = median(gw), median(lw)
        log("  %-60s %s  (medians of %d alternating runs: %.2f s vs %.2f s: ratio %.2f; gongkai %s s, lychee %s s)" % (
            "complete scan no slower than lychee on the page list", mark(gk["ok"] and gm <= lm), len(lw), gm, lm,
            gm / lm, ", ".join("%.2f" % w for w in gw), ", ".join("%.2f" % w for w in lw)))
    elif ly and (ly["ok"] or ly["timed_out"]):
        log("  %-60s %s  (%.2f s vs %s%.2f s: ratio %.2f)" % (
            "complete scan no slower than lychee on the page list", mark(gk["ok"] and gk["wall"] <= ly["wall"]),
            gk["wall"], ">" if ly["timed_out"] else "", ly["wall"], gk["wall"] / ly["wall"]))
    else:
        log("  %-60s n/a (lychee did not run)" % "complete scan no slower than lychee on the page list")
    b1, b2 = gk["traffic"]["bytes"], results["gongkai rescan"]["traffic"]["bytes"]
    share = 100.0 * b2 / b1 if b1 else 0.0
    log("  %-60s %s  (%s of %s = %.2f%%; %d answers were 304)" % (
        "unchanged rescan re-downloads < 5% of the first scan's bytes", mark(b1 > 0 and share < 5.0), fmt_bytes(b2),
        fmt_bytes(b1), share, results["gongkai rescan"]["traffic"]["status"].get("304", 0)))
    ck = results["gongkai check"]
    log("  %-60s %s  (%.2f s)%s" % ("`check` on the stored crawl < 10 s", mark(ck["ok"] and ck["wall"] < 10), ck["wall"], scale))
    for label in ("gongkai scan", "gongkai rescan", "gongkai check"):
        if not results[label]["ok"]:
            log("  WARNING: %s did not complete (exit %s); see %s" % (label, results[label]["rc"], results[label]["out"]))
    with open(os.path.join(args.logdir, "results.json"), "w") as f:
        json.dump({k: {kk: vv for kk, vv in v.items() if kk != "tail"} for k, v in results.items()}, f, indent=1)
    log("\nlogs and results.json: %s" % args.logdir)


if __name__ == "__main__":
    main()
