#!/usr/bin/env bash
# Verifies the systemd unit (on a copy whose ExecStart points at the built binary) and gates its
# exposure score: `systemd-analyze security` must rate it 1.5 or lower.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v systemd-analyze >/dev/null; then
    echo "check-unit: systemd-analyze not found (apt-get install -y systemd); skipped" >&2
    exit 0
fi
binary="$(pwd)/.build/debug/activity-sync"
[ -x "$binary" ] || swift build --product activity-sync >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/activity-sync|$binary|g" systemd/activity-sync.service > "$work/activity-sync.service"
systemd-analyze verify "$work/activity-sync.service"
# The Graph drop-in (issue 13) must parse too: verified merged with the unit.
mkdir -p "$work/activity-sync.service.d"
cp systemd/activity-sync.service.d/graph.conf "$work/activity-sync.service.d/"
SYSTEMD_UNIT_PATH="$work:" systemd-analyze verify "$work/activity-sync.service"
systemd-analyze security --offline=true --threshold=15 "$work/activity-sync.service" | tail -1
# A crash loop must reach the start limit (issue 11): StartLimitBurst restarts, RestartSec apart, fit inside
# StartLimitIntervalSec — systemd's default (5 in 10 s) never trips with RestartSec=5s.
unit=systemd/activity-sync.service
seconds() { local v; v=$(sed -n "s/^$1=//p" "$unit"); case "$v" in *min) echo $((${v%min} * 60)) ;; *s) echo "${v%s}" ;; *) echo "$v" ;; esac; }
interval=$(seconds StartLimitIntervalSec)
burst=$(seconds StartLimitBurst)
restart=$(seconds RestartSec)
if [ -z "$interval" ] || [ -z "$burst" ] || [ $((burst * restart)) -ge "$interval" ]; then
    echo "check-unit: a crash loop never reaches the start limit (StartLimitIntervalSec=$interval s, StartLimitBurst=$burst, RestartSec=$restart s)" >&2
    exit 1
fi
echo "check-unit: start limit $burst starts in $interval s (RestartSec $restart s): a crash loop stops"
