# Sourced by the daemon benchmarks: a temporary folder with the stand-alone fake Exchange holding N
# mailboxes, a configuration pointing at it (plus the caller's YAML), and a CRM of N sync users with
# PER tasks each, imported. Sets $bin, $work and $port; the caller's trap ends the fake.
#   setup_daemon_bench MAILBOXES PER "extra YAML lines"
setup_daemon_bench() {
    local mailboxes="$1" per="$2" extra="$3"
    bin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build/release"
    work="$(mktemp -d)"
    cd "$work"
    port=$((20000 + RANDOM % 12000))
    local args=()
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
$extra
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
}
