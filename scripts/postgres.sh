#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are on this machine, so the test suite
# can start a throwaway cluster; installs Debian's postgresql package when they are missing (as
# root, or with password-less sudo as on CI runners). Does nothing when CHAINCORE_TEST_PG names a
# server to use instead. Prints the bin directory. The suite's own discovery looks in the same
# places: PGBIN, PATH, /usr/lib/postgresql/*/bin, Homebrew, Postgres.app, Program Files\PostgreSQL.
set -euo pipefail

if [ -n "${CHAINCORE_TEST_PG:-}" ]; then
  echo "postgres: using CHAINCORE_TEST_PG" >&2
  exit 0
fi

has_binaries() {
  { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ]; } || { [ -f "$1/initdb.exe" ] && [ -f "$1/pg_ctl.exe" ]; }
}

find_bin() {
  local dir
  if [ -n "${PGBIN:-}" ] && has_binaries "$PGBIN"; then
    echo "$PGBIN"
    return 0
  fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  # Newest version first: the largest number in each folder's name.
  while IFS= read -r dir; do
    if has_binaries "$dir"; then
      echo "$dir"
      return 0
    fi
  done < <( { ls -d /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /opt/homebrew/opt/postgresql*/bin /usr/local/opt/postgresql*/bin \
      /Applications/Postgres.app/Contents/Versions/*/bin "/c/Program Files/PostgreSQL/"*/bin 2>/dev/null || true; } \
    | awk '{ v = $0; gsub(/[^0-9.]/, " ", v); n = split(v, a, " "); m = 0; for (i = 1; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; print m "\t" $0 }' \
    | sort -t "$(printf '\t')" -k1,1nr | cut -f2-)
  return 1
}

if bin=$(find_bin); then
  echo "$bin"
  exit 0
fi

sudo=""
if [ "$(id -u 2>/dev/null || echo 1)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
fi
if { [ "$(id -u 2>/dev/null || echo 1)" -eq 0 ] || [ -n "$sudo" ]; } && command -v apt-get >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
  # The package's own cluster is not needed: the tests start their own.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for cluster in $(ls /etc/postgresql 2>/dev/null); do $sudo pg_ctlcluster "$cluster" main stop >/dev/null 2>&1 || true; done
  fi
  if bin=$(find_bin); then
    echo "$bin"
    exit 0
  fi
fi

cat >&2 <<'MSG'
postgres: no PostgreSQL server binaries (initdb, pg_ctl) found and they could not be installed.
Install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@17 or
Postgres.app; Windows: the EDB installer) or name their folder in PGBIN, or point the tests at a
running server: export CHAINCORE_TEST_PG="Host=127.0.0.1;Port=5432;Username=postgres;Password=...".
MSG
exit 1
