#!/usr/bin/env bash
# The daemon at rest: N mailboxes with streaming notifications against the stand-alone fake Exchange.
# Prints the first-sync time, then CPU seconds used over an idle minute and peak RSS.
#   Benchmarks/daemon-idle.sh [MAILBOXES] [ACTIVITIES_PER_MAILBOX] [IDLE_SECONDS] [SETTLE_SECONDS]
# Needs a release build: swift build -c release --product activity-sync --product ews-test-server
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.build/release"
mailboxes="${1:-200}" per="${2:-5}" idle="${3:-60}" settle="${4:-30}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
port=$((20000 + RANDOM % 20000))
args=()
for i in $(seq 1 "$mailboxes"); do args+=(--mailbox "user$i@contoso.test"); done
"$bin/ews-test-server" --port "$port" --user svc --password pw "${args[@]}" > fake.log &
sleep 1
printf 'pw\n' > exchange-password && chmod 600 exchange-password
cat > activity-sync.yaml <<YAML
store:
  path: bench.sqlite
exchange:
  url: http://127.0.0.1:$port/EWS/Exchange.asmx
  auth: { method: basic, username: svc, password_file: exchange-password }
sync:
  interval_seconds: 300
  concurrency: 4
log:
  level: warning
YAML
python3 - "$mailboxes" "$per" > crm.json <<'PY'
import json, sys
n, per = int(sys.argv[1]), int(sys.argv[2])
employees = [{"id": f"E{i}", "name": f"User {i}", "mailbox": f"user{i}@contoso.test", "sync": True} for i in range(1, n + 1)]
activities = [{"id": f"A{i}-{j}", "type": "task", "owner": f"E{i}", "subject": f"Task {j}"}
              for i in range(1, n + 1) for j in range(1, per + 1)]
print(json.dumps({"employees": employees, "activities": activities}))
PY
"$bin/activity-sync" import crm.json > /dev/null
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
