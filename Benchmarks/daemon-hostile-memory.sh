#!/usr/bin/env bash
# Peak memory under the worst answers the client's limits allow (issue 11): the daemon with N mailboxes
# and sync.concurrency passes at once, against the stand-alone fake answering every SyncFolderItems with a
# hostile answer; after SECONDS, the daemon's peak RSS (VmHWM) and the passes it ran.
#   Benchmarks/daemon-hostile-memory.sh KIND [MAILBOXES] [CONCURRENCY] [SECONDS]
#   KIND: tiny-elements (15 MB of <a/>) | big-text (15 MB of text) | huge-body (200 MB)
# Needs a release build: swift build -c release --product activity-sync; swift build -c release --product ews-test-server
set -euo pipefail
kind="$1" mailboxes="${2:-4}" concurrency="${3:-4}" seconds="${4:-30}"
work=""
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "$work" ] && rm -rf "$work"' EXIT
source "$(dirname "$0")/daemon-setup.sh"
setup_daemon_bench "$mailboxes" 1 "sync:
  interval_seconds: 1
  concurrency: $concurrency
  notifications: none
log:
  level: warning"
kill %1 2>/dev/null || true   # the plain fake setup started; this benchmark's fake is hostile
wait 2>/dev/null || true
args=()
for i in $(seq 1 "$mailboxes"); do args+=(--mailbox "user$i@contoso.test"); done
"$bin/ews-test-server" --port "$port" --user svc --password pw --hostile "$kind" "${args[@]}" > fake.log &
sleep 1
"$bin/activity-sync" run > daemon.log 2>&1 &
daemon=$!
sleep "$seconds"
peak=$(awk '/VmHWM/ {print $2}' "/proc/$daemon/status")
kill -TERM "$daemon"; wait "$daemon" || true
passes=$(grep -c 'pass failed' daemon.log || true)
echo "$kind: $mailboxes mailboxes, concurrency $concurrency, ${seconds} s: peak RSS $((peak / 1024)) MiB; $passes failed passes logged"
grep -m1 'pass failed' daemon.log | cut -c1-300 || true
