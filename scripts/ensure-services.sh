#!/usr/bin/env bash
# Makes sure what the test suites talk to is present and running on this machine:
# PostgreSQL, MariaDB and Redis (started by the machine, restarted here if they stopped), Debian's Chromium
# for the browser tests. FerretDB (the MongoDB-wire server) is built and started by the Mongo store's
# own jest global setup, so it is not handled here.
set -euo pipefail

wait_for_port() { # host port name
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "ensure-services: $3 is not listening on $1:$2" >&2
  return 1
}

if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
wait_for_port 127.0.0.1 5432 PostgreSQL

if ! (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; then
  echo "ensure-services: starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for_port 127.0.0.1 3306 MariaDB

if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "ensure-services: starting Redis"
  if ! command -v redis-server >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
wait_for_port 127.0.0.1 6379 Redis

if ! command -v chromium >/dev/null 2>&1; then
  echo "ensure-services: installing Chromium from Debian"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
