#!/usr/bin/env bash
# gongkai benchmark: one command.
#
#   bench/run.sh                 # 20,000-page portal, gongkai + peers, then a 100,000-page scan
#                                # (memory at scale), final table and targets
#   bench/run.sh --quick         # 1,000 pages, no scale run
#   bench/run.sh --peers lychee  # the issue-11 comparison alone (--scale 0 skips the 100k scan)
#   bench/run.sh --nights 5      # five incremental nights after the full scan (default 3, 0 skips)
#   bench/run.sh --help          # options (--pages N, --concurrency N, --peers LIST, --perf, ...)
#
# Installs what it needs when missing (nginx and GNU time with apt-get; linkinator with npm and
# LinkChecker with pip into ~/.cache/gongkai-bench; spider_cli and lychee with cargo install),
# builds the dist binary (release with ThinLTO: what an office installs), serves the generated
# portal with its own nginx on 127.0.0.1 only, and stops that nginx at the end.
# Set GONGKAI_BENCH_NO_BUILD=1 to use target/dist/gongkai as is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

case " $* " in *" --help "*|*" -h "*) exec python3 "$here/bench.py" --help ;; esac

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} (apt-get)"
  # keep the package from starting a system nginx on port 80: the benchmark runs its own,
  # on 127.0.0.1 only (policy-rc.d exit 101 = "do not start services")
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | sudo_ tee /usr/sbin/policy-rc.d >/dev/null
    sudo_ chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || status=$?
  if [ "$made_policy" = 1 ]; then sudo_ rm -f /usr/sbin/policy-rc.d; fi
  [ "${status:-0}" = 0 ] || { echo "apt-get install ${need_apt[*]} failed" >&2; exit 2; }
fi

if [ "${GONGKAI_BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "building gongkai (cargo build --profile dist -p gongkai)"
  (cd "$repo" && cargo build --profile dist -p gongkai --quiet)
fi

# Nights mode (bench/nights.py): after the side-by-side, a full scan and --nights K incremental
# nights (default 3; --nights 0 skips them). Its own options are taken out of bench.py's.
bench_args=() nights_args=() prev=""
for a in "$@"; do
  case "$prev" in --nights|--revisit-days) nights_args+=("$prev" "$a"); prev=""; continue ;; esac
  case "$a" in
    --nights|--revisit-days) prev="$a" ;;
    --nights=*|--revisit-days=*) nights_args+=("$a") ;;
    *) bench_args+=("$a") ;;
  esac
done
status=0
python3 "$here/bench.py" "${bench_args[@]}" || status=$?
python3 "$here/nights.py" "${bench_args[@]}" "${nights_args[@]}" || status=$?
exit "$status"
