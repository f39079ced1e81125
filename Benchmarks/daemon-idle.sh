#!/usr/bin/env bash
# The daemon at rest: N mailboxes with streaming notifications against the stand-alone fake Exchange.
# Prints the first-sync time, then CPU seconds used over an idle minute and peak RSS.
#   Benchmarks/daemon-idle.sh [MAILBOXES] [ACTIVITIES_PER_MAILBOX] [IDLE_SECONDS] [SETTLE_SECONDS]
# Needs a release build: swift build -c release --product activity-sync; swift build -c release --product ews-test-server
set -euo pipefail
mailboxes="${1:-200}" per="${2:-5}" idle="${3:-60}" settle="${4:-30}"
work=""
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "$work" ] && rm -rf "$work"' EXIT
source "$(dirname "$0")/daemon-setup.sh"
setup_daemon_bench "$mailboxes" "$per" "sync:
  interval_seconds: 300
  concurrency: 4
log:
  level: warning"
start=$(date +%s.%N)
"$bin/activity-sync" run > daemon.log &
daemon=$!
until "$bin/activity-sync" status --json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
sys.exit(0 if rows and all(r["state"] == "enabled" and r["pending_local"] == 0 for r in rows) else 1)'; do sleep 0.5; done
synced=$(date +%s.%N)
awk -v m="$mailboxes" -v p="$per" -v a="$start" -v b="$synced" 'BEGIN { printf "first sync of %d mailboxes x %d tasks: %.1f s\n", m, p, b - a }'
sleep "$settle"   # the echo passes (our own writes notify too) and the subscriptions settle
ticks() { awk '{print $14 + $15}' "/proc/$daemon/stat"; }
before=$(ticks)
sleep "$idle"
after=$(ticks)
hz=$(getconf CLK_TCK)
awk -v i="$idle" -v t="$((after - before))" -v hz="$hz" \
    'BEGIN { printf "idle %d s: %.2f CPU s (%.2f %% of one core)\n", i, t / hz, t / hz / i * 100 }'
grep -E 'VmHWM|VmRSS|Threads' "/proc/$daemon/status"
kill -TERM "$daemon"; wait "$daemon"
echo "exit after SIGTERM: $?"
