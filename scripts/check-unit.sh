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
systemd-analyze security --offline=true --threshold=15 "$work/activity-sync.service" | tail -1
