#!/usr/bin/env bash
# The daemon under constant passes: N mailboxes, interval 1 s, for SECONDS; prints RSS and passes done
# every 10 s, so a leak shows as RSS that keeps growing.
#   Benchmarks/daemon-soak.sh [MAILBOXES] [SECONDS]
# Needs a release build: swift build -c release --product activity-sync; swift build -c release --product ews-test-server
set -euo pipefail
mailboxes="${1:-100}" seconds="${2:-120}"
work=""
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "$work" ] && rm -rf "$work"' EXIT
source "$(dirname "$0")/daemon-setup.sh"
setup_daemon_bench "$mailboxes" 1 "sync:
  interval_seconds: 1
  concurrency: 4
metrics:
  listen: 127.0.0.1:$((20000 + RANDOM % 12000))
log:
  level: warning"
metrics_port=$(sed -n 's/^  listen: 127.0.0.1://p' activity-sync.yaml)
"$bin/activity-sync" run > daemon.log &
daemon=$!
for t in $(seq 10 10 "$seconds"); do
    sleep 10
    passes=$(python3 -c '
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1]).read().decode()
print(sum(float(l.split()[-1]) for l in text.splitlines() if l.startswith("activity_sync_passes_total")))' \
        "http://127.0.0.1:$metrics_port/metrics")
    printf '%4d s: %s passes, %s\n' "$t" "$passes" "$(grep VmRSS "/proc/$daemon/status")"
done
kill -TERM "$daemon"; wait "$daemon"
echo "exit after SIGTERM: $?"
