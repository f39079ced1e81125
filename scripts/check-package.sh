#!/usr/bin/env bash
# Checks a built package (scripts/package): as root on a machine without activity-sync it installs it with dpkg,
# checks, and purges it again in this one step; otherwise it unpacks it into a scratch root. Either way it runs the
# installed binary by its path (never from PATH): `--version` names this checkout's commit, the man pages render,
# the completions load, and `systemd-analyze verify` accepts the installed unit.
set -euo pipefail
cd "$(dirname "$0")/.."
deb="${1:?usage: scripts/check-package.sh PACKAGE.deb}"
deb="$(realpath "$deb")"
fail() { echo "check-package: $*" >&2; exit 1; }

contents="$(dpkg-deb --contents "$deb")"
for path in usr/bin/activity-sync lib/systemd/system/activity-sync.service usr/lib/sysusers.d/activity-sync.conf \
    usr/share/man/man1/activity-sync.1.gz usr/share/man/man1/activity-sync.resync.1.gz \
    usr/share/bash-completion/completions/activity-sync usr/share/zsh/vendor-completions/_activity-sync \
    usr/share/fish/vendor_completions.d/activity-sync.fish usr/share/doc/activity-sync/README.md \
    usr/share/doc/activity-sync/activity-sync.yaml usr/share/doc/activity-sync/contrib/prometheus/alerts.yml; do
    grep -q " \./$path\$" <<<"$contents" || fail "$path is not in the package"
done

installed=0
if [ "$(id -u)" -eq 0 ] && ! dpkg-query -W activity-sync >/dev/null 2>&1; then
    dpkg -i "$deb" >/dev/null
    installed=1
    root=""
    trap 'dpkg --purge activity-sync >/dev/null 2>&1 || true' EXIT
    getent passwd activity-sync >/dev/null || fail "the service user was not created"
    [ -d /etc/activity-sync ] || fail "/etc/activity-sync was not created"
else
    root="$(mktemp -d)"
    trap 'rm -rf "$root"' EXIT
    dpkg-deb -x "$deb" "$root"
fi

binary="$root/usr/bin/activity-sync"
# Only Debian's libraries, each from a package the control file depends on (no Swift runtime on the target).
depends="$(dpkg-deb --field "$deb" Depends)"
for library in $(objdump -p "$binary" | awk '/NEEDED/ {print $2}'); do
    case "$library" in *swift*|*Foundation*|*dispatch*|*BlocksRuntime*) fail "the binary needs $library (Swift's runtime)" ;; esac
    path="$(ldconfig -p | awk -v l="$library" '$1 == l {print $NF}' | sed -n 1p)"
    [ -n "$path" ] || fail "$library is not installed on this machine"
    # (Merged /usr: dpkg may know the library by either path.)
    owner="$({ dpkg -S "$path" || dpkg -S "$(realpath "$path")" || true; } 2>/dev/null | cut -d: -f1 | sed -n 1p)"
    grep -qw -- "$owner" <<<"$depends" || fail "the binary needs $library ($owner), which Depends: ($depends) lacks"
done
version="$("$binary" --version)"
commit="$(git rev-parse --short=12 HEAD)"
case "$version" in *"(commit $commit"*) ;; *) fail "--version says '$version', not commit $commit" ;; esac
echo "check-package: $version"

pages="$(grep -o 'usr/share/man/man1/[^ ]*\.1\.gz$' <<<"$contents")"
for page in $pages; do
    zcat "$root/$page" | grep -q '^\.Dt ' || fail "$(basename "$page") has no .Dt header (mdoc)"
done
if command -v man >/dev/null; then
    rendered="$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/activity-sync.1.gz" 2>&1 >/dev/null || true)"
    [ -z "$rendered" ] || fail "man warns: $rendered"
    MANWIDTH=80 man -l "$root/usr/share/man/man1/activity-sync.resync.1.gz" | grep -q -- "--allow-deletes" ||
        fail "activity-sync-resync(1) does not describe --allow-deletes"
fi
echo "check-package: $(wc -w <<<"$pages") man pages"

bash -c "source '$root/usr/share/bash-completion/completions/activity-sync' && complete -p activity-sync" >/dev/null ||
    fail "the bash completion does not load"
grep -q "resync" "$root/usr/share/zsh/vendor-completions/_activity-sync" || fail "the zsh completion lacks resync"
grep -q "resync" "$root/usr/share/fish/vendor_completions.d/activity-sync.fish" || fail "the fish completion lacks resync"

if command -v systemd-analyze >/dev/null; then
    unit="$root/lib/systemd/system/activity-sync.service"
    if [ -n "$root" ]; then
        # (Unpacked: the unit is verified on a copy whose binary paths point into the scratch root.)
        sed "s|/usr/bin/activity-sync|$binary|g" "$unit" > "$root/activity-sync.service"
        unit="$root/activity-sync.service"
    fi
    systemd-analyze verify "$unit"
    echo "check-package: systemd-analyze verify accepts the installed unit"
fi

if [ "$installed" = 1 ]; then
    dpkg --purge activity-sync >/dev/null
    [ ! -e /usr/bin/activity-sync ] || fail "purge left /usr/bin/activity-sync"
    trap - EXIT
    echo "check-package: installed with dpkg, checked, purged"
else
    echo "check-package: unpacked into a scratch root and checked"
fi
