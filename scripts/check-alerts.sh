#!/usr/bin/env bash
# Checks the shipped alerts and dashboard (issue 18): `promtool check rules` and `promtool test rules` (one unit test
# per alert, contrib/prometheus/alerts.test.yml), every Grafana query parsed by promtool (as a recording rule), and
# every alert's runbook link a README heading. CI sets ACTIVITY_SYNC_REQUIRE_PROMTOOL=1: there a promtool that cannot
# be had fails the check; elsewhere it skips the promtool half.
set -euo pipefail
cd "$(dirname "$0")/.."
queries="$(mktemp --suffix=.yml)"
trap 'rm -f "$queries"' EXIT
python3 - "$queries" <<'EOF'
import json, re, sys
rules = open("contrib/prometheus/alerts.yml").read()
headings = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in open("README.md") if line.startswith("#")}
alerts = re.findall(r"^\s+- alert: (\S+)", rules, re.M)
links = re.findall(r"runbook_url: \"file:///usr/share/doc/activity-sync/README.md#([^\"]+)\"", rules)
if len(links) != len(alerts):
    sys.exit(f"check-alerts: {len(alerts)} alerts but {len(links)} runbook links")
missing = [link for link in links if link not in headings]
if missing:
    sys.exit(f"check-alerts: runbook links without a README heading: {missing}")
tests = open("contrib/prometheus/alerts.test.yml").read()
untested = [a for a in alerts if f"alertname: {a}\n" not in tests]
if untested:
    sys.exit(f"check-alerts: alerts without a unit test: {untested}")
dashboard = json.load(open("contrib/grafana/activity-sync.json"))
queries = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
print(f"check-alerts: {len(alerts)} alerts, each with a runbook section and a unit test; {len(queries)} dashboard queries")
with open(sys.argv[1], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, q in enumerate(queries):
        out.write(f"      - record: dashboard_query_{i}\n        expr: {json.dumps(q)}\n")
EOF
# promtool (one static binary) comes from Debian's prometheus package, unpacked into .build/ — installing the
# package would also set up a Prometheus server.
promtool="$(command -v promtool || true)"
unpacked=.build/promtool/usr/bin/promtool
if [ -z "$promtool" ] && [ ! -x "$unpacked" ]; then
    mkdir -p .build/promtool
    fetch() { (cd .build/promtool && apt-get download prometheus >/dev/null 2>&1 && dpkg-deb -x prometheus_*.deb . && rm prometheus_*.deb); }
    fetch || { [ "$(id -u)" -eq 0 ] && apt-get update -qq && fetch; } || true
fi
[ -z "$promtool" ] && [ -x "$unpacked" ] && promtool="$(realpath "$unpacked")"
if [ -z "$promtool" ]; then
    echo "check-alerts: promtool not found and Debian's prometheus package could not be fetched" >&2
    [ "${ACTIVITY_SYNC_REQUIRE_PROMTOOL:-0}" = 1 ] && exit 1
    exit 0
fi
"$promtool" check rules contrib/prometheus/alerts.yml
(cd contrib/prometheus && "$promtool" test rules alerts.test.yml)
"$promtool" check rules "$queries"
