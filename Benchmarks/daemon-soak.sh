#!/usr/bin/env bash
# The daemon under constant passes: N mailboxes, interval 1 s, for SECONDS; prints RSS and passes done
# every 10 s, so a leak shows as RSS that keeps growing.
#   Benchmarks/daemon-soak.sh [MAILBOXES] [SECONDS]
# Needs a release build: swift build -c release --product activity-sync --product ews-test-server
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.build/release"
mailboxes="${1:-100}" seconds="${2:-120}"
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
  interval_seconds: 1
  concurrency: 4
metrics:
  listen: 127.0.0.1:$((port + 1))
log:
  level: warning
YAML
python3 - "$mailboxes" > crm.json <<'PY'
import json, sys
n = int(sys.argv[1])
employees = [{"id": f"E{i}", "name": f"User {i}", "mailbox": f"user{i}@contoso.test", "sync": True} for i in range(1, n + 1)]
activities = [{"id": f"A{i}", "type": "task", "owner": f"E{i}", "subject": "Task"} for i in range(1, n + 1)]
print(json.dumps({"employees": employees, "activities": activities}))
PY
"$bin/activity-sync" import crm.json > /dev/null
"$bin/activity-sync" run > daemon.log &
daemon=$!
for t in $(seq 10 10 "$seconds"); do
    sleep 10
    passes=$(python3 -c '
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1]).read().decode()
print(sum(float(l.split()[-1]) for l in text.splitlines() if l.startswith("activity_sync_passes_total")))' \
        "http://127.0.0.1:$((port + 1))/metrics")
    printf '%4d s: %s passes, %s\n' "$t" "$passes" "$(grep VmRSS "/proc/$daemon/status")"
done
kill -TERM "$daemon"; wait "$daemon"
echo "exit after SIGTERM: $?"
