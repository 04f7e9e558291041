#!/usr/bin/env bash
# Installs the system libraries Loopdesk links against, when they are missing:
# OpenBLAS and LAPACKE from Debian (libopenblas-dev, liblapacke-dev), and
# SQLite's headers for the answer service's store (libsqlite3-dev, used by GRDB), and
# PostgreSQL's server (postgresql), which the PostgresStore tests start themselves.
# Idempotent and quick when everything is present.
set -euo pipefail

need=()
[ -e /usr/include/lapacke.h ] || need+=(liblapacke-dev)
[ -e /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if ! { ls /usr/include/*/cblas.h >/dev/null 2>&1 || [ -e /usr/include/cblas.h ]; } || ! { ls /usr/lib/*/libopenblas.so >/dev/null 2>&1 || [ -e /usr/lib/libopenblas.so ]; }; then
    need+=(libopenblas-dev)
fi
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo "installing ${need[*]} (apt-get)" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
