#!/usr/bin/env python3
"""gongkai benchmark, nights mode (run through bench/run.sh; `--nights K`, default 3, 0 = skip).

Proves the arithmetic of incremental nights (issue 11): a first full scan of the generated
portal, then K nights. Before each night the portal changes as a real one does: 50 new articles
go to the top of their column lists (every later list page shifts by one item), 20 articles
change (text, and their date in the list) and 10 are removed (from their list and from disk).
Each night is an ordinary `gongkai scan` into the same database (incremental by default). The
table gives per night: requests and bytes (nginx's access log), wall time, and whether every new,
changed and removed page was caught that night (from the store: fetched that night, not carried
forward; a changed page answered anew, a removed page answered 404).

Targets: a night uses at most 20% of the full scan's requests, and a 200,000-page portal's
nightly budget (requests per night scaled by 200,000 / pages, at 2 requests per second) fits in
8 hours. Python 3 standard library only; uses bench.py's nginx and site helpers.
"""

import argparse
import datetime
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (nginx, site generation, logging)

NIGHT0 = datetime.date(2025, 1, 15)
ITEM = re.compile(
    r'<li><a href="(?P<href>[^"]+)" target="_blank" title="(?P<title>[^"]*)">[^<]*</a>'
    r'<span class="date">(?P<date>[^<]+)</span></li>\n'
)
UL = re.compile(r'(<ul class="list">\n)(.*?)(</ul>\n<div class="page">)(.*?)(</div>)', re.S)
PER_LIST = 20


def list_name(i):
    return "index.html" if i == 0 else "index_%d.html" % i


class Portal:
    """The generated portal on disk, changed night by night."""

    def __init__(self, root, seed):
        self.root = os.path.join(root, "main")
        self.rng = random.Random(seed)
        self.columns = {}  # code -> [item dict], in list order
        zwgk = os.path.join(self.root, "zwgk")
        for code in sorted(os.listdir(zwgk)):
            if not os.path.isfile(os.path.join(zwgk, code, "index.html")):
                continue
            items, i = [], 0
            while os.path.isfile(self.list_file(code, i)):
                with open(self.list_file(code, i), encoding="utf-8") as f:
                    items += [m.groupdict() for m in ITEM.finditer(f.read())]
                i += 1
            self.columns[code] = items
        self.next_id = 9000000

    def list_file(self, code, i):
        return os.path.join(self.root, "zwgk", code, list_name(i))

    def path_of(self, code, item):
        return "/zwgk/%s/%s" % (code, item["href"][2:])

    def render_lists(self, code):
        items = self.columns[code]
        pages = [items[i:i + PER_LIST] for i in range(0, len(items), PER_LIST)] or [[]]
        i = 0
        while os.path.isfile(self.list_file(code, i)):
            i += 1
        old_count = i
        for p, chunk in enumerate(pages):
            tmpl_file = self.list_file(code, min(p, old_count - 1))
            with open(tmpl_file, encoding="utf-8") as f:
                html = f.read()
            lis = "".join(
                '<li><a href="%s" target="_blank" title="%s">%s</a><span class="date">%s</span></li>\n'
                % (it["href"], it["title"], it["title"], it["date"]) for it in chunk
            )
            pager = ""
            if p > 0:
                pager += '<a href="index.html">首页</a><a href="%s">上一页</a>' % list_name(p - 1)
            pager += "<span>第%d页</span>" % (p + 1)
            if p + 1 < len(pages):
                pager += '<a href="%s">下一页</a>' % list_name(p + 1)
            new = UL.sub(lambda m: m.group(1) + lis + m.group(3) + pager + m.group(5), html, count=1)
            if new != html or p >= old_count:
                with open(self.list_file(code, p), "w", encoding="utf-8") as f:
                    f.write(new)
        for p in range(len(pages), old_count):  # the list got shorter
            os.remove(self.list_file(code, p))

    def night(self, k, day, new=50, changed=20, removed=10):
        """Applies one night's changes; returns the portal paths of new, changed, removed pages."""
        rng = self.rng
        out = {"new": [], "changed": [], "removed": []}
        touched = set()
        codes = sorted(self.columns)
        stamp = day.strftime("%Y-%m-%d")
        for n in range(new):
            code = rng.choice(codes)
            items = self.columns[code]
            src = self.path_of(code, rng.choice(items))
            self.next_id += 1
            rel = "%s/t%s_%d.html" % (day.strftime("%Y%m"), day.strftime("%Y%m%d"), self.next_id)
            title = "关于第%d夜第%d项工作安排的通知" % (k, n + 1)
            with open(self.root + src, encoding="utf-8") as f:
                html = f.read()
            old_title = re.search(r"<title>(.*?)_", html).group(1)
            html = html.replace(old_title, title)
            dest = "/zwgk/%s/%s" % (code, rel)
            os.makedirs(os.path.dirname(self.root + dest), exist_ok=True)
            with open(self.root + dest, "w", encoding="utf-8") as f:
                f.write(html)
            items.insert(0, {"href": "./" + rel, "title": title, "date": stamp})
            out["new"].append(dest)
            touched.add(dest)
            touched.add(code)
        for kind, count in (("changed", changed), ("removed", removed)):
            while len(out[kind]) < count:
                code = rng.choice(codes)
                items = self.columns[code]
                if len(items) < 3:
                    continue
                idx = rng.randrange(len(items))
                path = self.path_of(code, items[idx])
                if path in touched or not os.path.isfile(self.root + path):
                    continue
                touched.add(path)
                touched.add(code)
                if kind == "changed":
                    with open(self.root + path, encoding="utf-8") as f:
                        html = f.read()
                    html = html.replace('<div class="pn">', "<p>（本文于%s更新：第%d夜修订）</p>\n<div class=\"pn\">" % (stamp, k), 1)
                    with open(self.root + path, "w", encoding="utf-8") as f:
                        f.write(html)
                    items[idx]["date"] = stamp
                else:
                    os.remove(self.root + path)
                    del items[idx]
                out[kind].append(path)
        for code in codes:
            if code in touched:
                self.render_lists(code)
        return out


def caught(db, origin, changes):
    """For each kind of change: (caught, total) in the newest run of `db`."""
    con = sqlite3.connect(db)
    run = con.execute("SELECT max(id) FROM runs").fetchone()[0]
    res = {}
    for kind, paths in changes.items():
        ok = 0
        for p in paths:
            row = con.execute(
                "SELECT carried_from IS NULL, outcome, not_modified FROM fetches WHERE run_id = ? AND url = ?",
                (run, origin + p),
            ).fetchone()
            if not row or not row[0]:
                continue
            fresh, outcome, not_modified = row
            if kind == "removed":
                ok += outcome == "not-found"
            elif kind == "changed":
                ok += outcome == "ok" and not not_modified
            else:
                ok += outcome == "ok"
        res[kind] = (ok, len(paths))
    rec = con.execute("SELECT nights FROM runs WHERE id = ?", (run,)).fetchone()[0]
    con.close()
    return res, rec


def scan(args, nginx, cmd, label):
    off = nginx.offset()
    t = time.monotonic()
    log_path = os.path.join(args.logdir, label + ".log")
    with open(log_path, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    secs = time.monotonic() - t
    if r.returncode not in (0, 1):
        sys.exit("%s failed (exit %d), see %s" % (label, r.returncode, log_path))
    tr = nginx.traffic(off)
    return {"requests": tr["requests"], "bytes": tr["bytes"], "secs": secs, "log": log_path}


def main(argv=None):
    ap = argparse.ArgumentParser(description="gongkai benchmark, nights mode", allow_abbrev=False)
    ap.add_argument("--nights", type=int, default=3, help="nights after the full scan (0: skip)")
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--quick", action="store_true", help="1,000 pages")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--port", type=int, default=18580, help="portal port (the second origin uses port+1)")
    ap.add_argument("--work", default=os.environ.get("GONGKAI_BENCH_WORK", "/tmp/gongkai-bench"))
    ap.add_argument("--gongkai", default=os.path.join(bench.REPO, "target", "dist", "gongkai"))
    ap.add_argument("--revisit-days", type=int, default=7)
    args, _ = ap.parse_known_args(argv)
    if args.nights <= 0:
        return 0
    if args.quick:
        args.pages = 1000
    log = bench.log
    log("== nights: a full scan of %d pages, then %d nights (50 new, 20 changed, 10 removed each)"
        % (args.pages, args.nights))
    # The nights change the site: work on a fresh copy generated for this port.
    args.work = os.path.join(args.work, "nights")
    site_dir = os.path.join(args.work, "site-%d-s%d-p%d" % (args.pages, args.seed, args.port))
    if os.path.exists(site_dir):
        shutil.rmtree(site_dir)
    os.makedirs(args.work, exist_ok=True)
    site, manifest = bench.ensure_site(args)
    args.logdir = os.path.join(args.work, "logs-%d" % args.pages)
    os.makedirs(args.logdir, exist_ok=True)
    db = os.path.join(args.logdir, "nights.db")
    for s in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + s):
            os.remove(db + s)
    cfg = os.path.join(args.logdir, "site.toml")
    with open(cfg, "w") as f:
        f.write("[site]\nname = \"nights bench\"\n\n[crawl]\nrevisit_days = %d\nper_host_concurrency = %d\n"
                "recheck_pause_secs = 0\n"
                % (args.revisit_days, args.concurrency))
    nginx = bench.Nginx(site, args.port)
    nginx.start()
    origin = "http://127.0.0.1:%d" % args.port
    base = [args.gongkai, "scan", origin + "/index.html", "--db", db, "--config", cfg, "--rate", "0",
            "--concurrency", str(args.concurrency), "--as-of", bench.AS_OF, "--quiet"]
    rows = []
    try:
        full = scan(args, nginx, base + ["--night", str(NIGHT0)], "full")
        full["db"] = db_bytes(db)
        log("   full scan: %d requests, %s, %.1f s" % (full["requests"], bench.fmt_bytes(full["bytes"]), full["secs"]))
        portal = Portal(site, args.seed + 1)
        for k in range(1, args.nights + 1):
            day = NIGHT0 + datetime.timedelta(days=k)
            changes = portal.night(k, day)
            r = scan(args, nginx, base + ["--night", str(day)], "night-%d" % k)
            r["caught"], r["record"] = caught(db, origin, changes)
            r["db"] = db_bytes(db)
            rows.append(r)
            log("   night %d: %d requests, %.1f s, caught %s" % (
                k, r["requests"], r["secs"],
                ", ".join("%s %d/%d" % (kd, *r["caught"][kd]) for kd in ("new", "changed", "removed"))))
    finally:
        nginx.stop()
    report(args, full, rows)
    return 0


def db_bytes(db):
    """Size of the database with its write-ahead log: what a night adds to the disk."""
    return sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))


def report(args, full, rows):
    log = bench.log
    scale = 200000.0 / args.pages
    log("")
    log("nights (%d pages, revisit_days %d; full scan: %d requests, %s, %.1f s, database %s)"
        % (args.pages, args.revisit_days, full["requests"], bench.fmt_bytes(full["bytes"]), full["secs"],
           bench.fmt_bytes(full["db"])))
    log("  %-7s %9s %8s %10s %8s %9s %9s %9s %12s %12s" % (
        "night", "requests", "of full", "bytes", "time s", "new", "changed", "removed", "200k budget",
        "db growth"))
    prev_db = full["db"]
    worst_share, worst_hours, all_caught = 0.0, 0.0, True
    for k, r in enumerate(rows, 1):
        share = r["requests"] / max(1, full["requests"])
        hours = r["requests"] * scale / 2.0 / 3600.0
        worst_share, worst_hours = max(worst_share, share), max(worst_hours, hours)
        cells = []
        for kd in ("new", "changed", "removed"):
            ok, n = r["caught"][kd]
            all_caught &= ok == n
            cells.append("%d/%d" % (ok, n))
        log("  %-7s %9d %7.1f%% %10s %8.1f %9s %9s %9s %10.1f h %12s" % (
            k, r["requests"], share * 100, bench.fmt_bytes(r["bytes"]), r["secs"], *cells, hours,
            bench.fmt_bytes(max(0, r["db"] - prev_db))))
        prev_db = r["db"]
    for k, r in enumerate(rows, 1):
        log("  night %d run record: %s" % (k, r["record"]))
    met = lambda ok: "met" if ok else "NOT MET"  # noqa: E731
    if args.pages < 20000:
        log("  note: the targets are set for the 20,000-page portal; at %d pages a night's 80 changes "
            "and the 50 pages with findings are a far larger share of the site" % args.pages)
    log("targets (issue 11):")
    log("  a night uses at most 20%% of the full scan's requests: worst %.1f%% .......... %s"
        % (worst_share * 100, met(worst_share <= 0.20)))
    log("  200,000-page nightly budget at 2 req/s fits 8 h: worst %.1f h ............. %s"
        % (worst_hours, met(worst_hours <= 8.0)))
    log("  every new, changed and removed page caught the night it happened ........ %s" % met(all_caught))


if __name__ == "__main__":
    sys.exit(main())
