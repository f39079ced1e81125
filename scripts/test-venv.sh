#!/usr/bin/env bash
# Makes .venv-test/ with pyspnego, the NTLM acceptor of the NTLM test double (Tests/EWSTests/Resources).
# Debian refuses system-wide pip installs (PEP 668), hence a venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import venv, ensurepip" 2>/dev/null && [ "$(id -u)" -eq 0 ]; then
    apt-get install -y -qq python3-venv >/dev/null 2>&1 || true
fi
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    echo "test-venv: python3 venv support is missing (apt-get install -y python3-venv)" >&2
    exit 1
fi
[ -x .venv-test/bin/python3 ] || python3 -m venv .venv-test
.venv-test/bin/python3 -c 'import spnego' 2>/dev/null || .venv-test/bin/pip install -q pyspnego
echo "test-venv: .venv-test ready ($(.venv-test/bin/python3 -c 'import spnego, importlib.metadata as m; print("pyspnego", m.version("pyspnego"))'))"
