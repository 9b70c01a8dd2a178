#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1, starting them (and installing the
# Debian packages when absent), and that Chromium is installed for the browser tests.
# Used by `make test`; `make dev` needs none of them.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        echo "==> installing PostgreSQL"
        apt_install postgresql
    fi
    local version
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    local conf="/etc/postgresql/$version/main"
    # Tests connect over TCP without a password, as on the CI machines.
    if ! grep -q "fitgraph-trust" "$conf/pg_hba.conf"; then
        as_root sed -i '1i host all all 127.0.0.1/32 trust # fitgraph-trust\nhost all all ::1/128 trust # fitgraph-trust\nlocal all all trust # fitgraph-trust' "$conf/pg_hba.conf"
    fi
    echo "==> starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do
        pg_isready -q -h 127.0.0.1 -p 5432 && break
        sleep 0.5
    done
    pg_isready -h 127.0.0.1 -p 5432
}

ensure_redis() {
    if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "==> installing Redis"
        apt_install redis-server
    fi
    echo "==> starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/fitgraph.log
    for _ in $(seq 1 40); do
        redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
        sleep 0.25
    done
    redis-cli -h 127.0.0.1 -p 6379 ping
}

ensure_chromium() {
    # The GraphiQL browser tests drive a headless Chromium.
    if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then return; fi
    echo "==> installing Chromium (browser tests)"
    apt_install chromium
}

ensure_postgres
ensure_redis
ensure_chromium
