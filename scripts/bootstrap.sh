#!/usr/bin/env bash
# Install what `make demo` / `make test` need and is missing. Idempotent: a second run only checks.
#   scripts/bootstrap.sh demo|test
# - Debian packages (when root and absent): SpatiaLite; for tests also PostGIS, Chromium, Redis.
# - .venv with the project installed editable (re-installed only when pyproject.toml changes).
# - npm packages of frontend/ and tests/validators/ (re-installed only when a lock file changes).
# - the frontend build (rebuilt only when its sources are newer than frontend/dist).
set -euo pipefail
mode="${1:-demo}"
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# proj-data: the EGM96 geoid grid (egm96_15.gtx) that turns a DEM's heights into ellipsoidal
# ones offline (tiles/terrain/geoid.py)
apt_packages=(libsqlite3-mod-spatialite proj-data)
if [ "$mode" = test ]; then
  apt_packages+=(postgresql-15-postgis-3 chromium redis-server)
fi
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs npm)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Python environment
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
stamp=".venv/.civictwin-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python dependencies into .venv"
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

# npm packages (lock-file driven, offline-safe: no postinstall downloads)
for dir in frontend tests/validators; do
  [ -f "$dir/package-lock.json" ] || continue
  nstamp="$dir/node_modules/.civictwin-installed"
  nwant="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$nstamp" 2>/dev/null)" != "$nwant" ]; then
    say "installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$nwant" > "$nstamp"
  fi
done

# frontend build
if [ -f frontend/package.json ]; then
  if [ ! -f frontend/dist/index.html ] || \
     [ -n "$(find frontend/src frontend/index.html frontend/package-lock.json frontend/vite.config.* \
             -newer frontend/dist/index.html 2>/dev/null | head -n 1)" ]; then
    say "building the frontend"
    (cd frontend && npm run build --silent)
  fi
fi
