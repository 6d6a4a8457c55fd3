#!/usr/bin/env bash
# The Debian packages `make test` needs, installed when any is missing (issue 19): the one list
# `make test` and `.ci/run` share. A second run finds them all and prints nothing.
# As root it runs apt-get; otherwise through sudo when that works without a password; else it
# names the packages and the command to run, and exits 2.
set -euo pipefail

PACKAGES=(
  chromium fonts-noto-cjk postgresql poppler-utils gettext
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  python3 python3-venv make
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo)
  else
    echo "make test needs these Debian packages: ${missing[*]}" >&2
    echo "install them as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
  echo "system_packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The browser tests need the system Chromium and the PostgreSQL pass the server binaries:
# fail loudly rather than skip.
test -x /usr/bin/chromium || { echo "system_packages: /usr/bin/chromium missing" >&2; exit 1; }
ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || {
  echo "system_packages: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
