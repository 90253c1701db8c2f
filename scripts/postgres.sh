#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are on this machine, so the test suite
# can start a throwaway cluster; installs Debian's postgresql package when they are missing.
# Does nothing when CHAINCORE_TEST_PG names a server to use instead. Prints the bin directory.
set -euo pipefail

if [ -n "${CHAINCORE_TEST_PG:-}" ]; then
  echo "postgres: using CHAINCORE_TEST_PG" >&2
  exit 0
fi

find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if bin=$(find_bin); then
  echo "$bin"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  # The package's own cluster is not needed: the tests start their own.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for cluster in $(ls /etc/postgresql 2>/dev/null); do pg_ctlcluster "$cluster" main stop >/dev/null 2>&1 || true; done
  fi
  if bin=$(find_bin); then
    echo "$bin"
    exit 0
  fi
fi

cat >&2 <<'MSG'
postgres: no PostgreSQL server binaries (initdb, pg_ctl) found and they could not be installed.
Either install them (Debian/Ubuntu: sudo apt-get install postgresql), or point the tests at a
running server: export CHAINCORE_TEST_PG="Host=127.0.0.1;Port=5432;Username=postgres;Password=...".
MSG
exit 1
