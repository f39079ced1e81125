#!/usr/bin/env bash
# Installs the Debian packages activity-sync builds and tests with, when missing; as non-root it names
# the missing ones and stops instead. Sourced by scripts/demo and scripts/test.
set -euo pipefail
packages=(libcurl4-openssl-dev libxml2-dev libsqlite3-dev pkg-config openssl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "installing ${missing[*]}" >&2
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi
if ! command -v swift >/dev/null; then
    echo "swift is not on PATH: install the Swift 6 toolchain (swift.org) first" >&2
    exit 1
fi
