"""Independent WARC check with warcio: digests, record linkage, payloads.

Usage: python3 warc_check.py FILE.warc.gz
Prints one JSON object: {"checker_exit": int, "records": [...]}.
"""
import hashlib
import io
import json
import sys
from contextlib import redirect_stdout

from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker


class _Cmd:
    def __init__(self, path):
        self.inputs = [path]
        self.verbose = True


def main(path):
    # `warcio check` as a library call (its output is captured, not printed).
    log = io.StringIO()
    with redirect_stdout(log):
        checker_exit = Checker(_Cmd(path)).process_all()
    records = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests=True)
        for rec in it:
            payload = rec.content_stream().read()
            rest = rec.raw_stream.read()
            while rest:
                rest = rec.raw_stream.read()
            h = rec.rec_headers
            status = None
            if rec.rec_type == "response" and rec.http_headers is not None:
                status = int(rec.http_headers.get_statuscode())
            records.append({
                "type": rec.rec_type,
                "id": h.get_header("WARC-Record-ID"),
                "uri": h.get_header("WARC-Target-URI"),
                "date": h.get_header("WARC-Date"),
                "concurrent": h.get_header("WARC-Concurrent-To"),
                "has_block_digest": bool(h.get_header("WARC-Block-Digest")),
                "has_payload_digest": bool(h.get_header("WARC-Payload-Digest")),
                "truncated": h.get_header("WARC-Truncated"),
                "passed": rec.digest_checker.passed,
                "problems": list(rec.digest_checker.problems),
                "status": status,
                "payload_sha256": hashlib.sha256(payload).hexdigest(),
                "payload_len": len(payload),
            })
    print(json.dumps({"checker_exit": checker_exit, "checker_log": log.getvalue(),
                      "records": records}))


if __name__ == "__main__":
    main(sys.argv[1])
