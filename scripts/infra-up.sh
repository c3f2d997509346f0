#!/usr/bin/env bash
# Makes sure the servers the integration tests need are answering, then creates the users,
# databases and vhost the tests use. On a Debian machine as root it starts (and, when missing and
# INFRA_INSTALL=1, installs with apt) a server that is not answering; elsewhere it names the server and says how
# to start it. Tests never skip silently because a server is missing.
set -euo pipefail

PG_HOST=${INFRA_PG_HOST:-127.0.0.1} PG_PORT=${INFRA_PG_PORT:-5432}
MY_HOST=${INFRA_MYSQL_HOST:-127.0.0.1} MY_PORT=${INFRA_MYSQL_PORT:-3306}
REDIS_HOST=${INFRA_REDIS_HOST:-127.0.0.1} REDIS_PORT=${INFRA_REDIS_PORT:-6379}
AMQP_HOST=${INFRA_AMQP_HOST:-127.0.0.1} AMQP_PORT=${INFRA_AMQP_PORT:-5672}
NATS_HOST=${INFRA_NATS_HOST:-127.0.0.1} NATS_PORT=${INFRA_NATS_PORT:-4222}
NATS_STORE=${INFRA_NATS_STORE:-/var/lib/nats-server}

can_manage() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
# Installing packages changes a developer's machine: only when asked (`INFRA_INSTALL=1`, which
# .ci/run sets). Without it a missing package is named with the command that installs it.
can_install() { can_manage && [ "${INFRA_INSTALL:-}" = 1 ]; }
port_open() { timeout 2 bash -c "echo > /dev/tcp/$1/$2" 2>/dev/null; }
wait_port() { # host port name seconds
  for _ in $(seq 1 "$4"); do port_open "$1" "$2" && return 0; sleep 1; done
  echo "infra: $3 did not start answering on $1:$2" >&2; return 1
}
apt_install() {
  if ! can_install; then
    echo "infra: $* is not installed. Install it (apt-get install $*), or let this script do it:" >&2
    echo "       INFRA_INSTALL=1 npm run infra:up" >&2
    exit 1
  fi
  echo "infra: installing $* with apt" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
need() { # name host port how-to-start
  echo "infra: $1 is not answering on $2:$3 and this machine is not one this script may manage." >&2
  echo "       Start it yourself: $4" >&2
  exit 1
}

ensure_postgres() {
  port_open "$PG_HOST" "$PG_PORT" && return 0
  can_manage || need PostgreSQL "$PG_HOST" "$PG_PORT" "e.g. pg_ctlcluster <version> main start"
  [ -d /etc/postgresql ] || apt_install postgresql
  echo "infra: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_port "$PG_HOST" "$PG_PORT" PostgreSQL 60
}
ensure_mariadb() {
  port_open "$MY_HOST" "$MY_PORT" && return 0
  can_manage || need MariaDB "$MY_HOST" "$MY_PORT" "e.g. start-stop-daemon --start --background --exec /usr/sbin/mariadbd"
  [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
  echo "infra: starting MariaDB" >&2
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port "$MY_HOST" "$MY_PORT" MariaDB 60
}
ensure_redis() {
  port_open "$REDIS_HOST" "$REDIS_PORT" && return 0
  can_manage || need Redis "$REDIS_HOST" "$REDIS_PORT" "redis-server --daemonize yes --port 6379"
  command -v redis-server >/dev/null || apt_install redis-server
  echo "infra: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  wait_port "$REDIS_HOST" "$REDIS_PORT" Redis 30
}
ensure_rabbitmq() {
  port_open "$AMQP_HOST" "$AMQP_PORT" && return 0
  can_manage || need RabbitMQ "$AMQP_HOST" "$AMQP_PORT" "rabbitmq-server -detached"
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  echo "infra: starting RabbitMQ" >&2
  rabbitmq-server -detached || true
  wait_port "$AMQP_HOST" "$AMQP_PORT" RabbitMQ 120
}

# NATS with JetStream (the second broker of the bus). An acknowledged publish must survive a
# crash of the machine, not only of the server: JetStream fsyncs its files every 2 minutes by
# default, so the server runs with `sync_interval: always` (an fsync before each acknowledgement)
# where it knows that setting (2.10 and later). Debian 12's nats-server 2.9 has no way to set it:
# there it runs with its default, and says so (docs/messaging.md, "Choosing a broker").
NATS_CONF=${INFRA_NATS_CONF:-/etc/nats-server/emporium.conf}
NATS_PID=${INFRA_NATS_PID:-/run/nats-server-emporium.pid}
nats_info() { # host port: the server's INFO line
  timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2 && IFS= read -r line <&3 && echo \"\$line\"" 2>/dev/null
}
ensure_nats() {
  local info
  if port_open "$NATS_HOST" "$NATS_PORT"; then
    info=$(nats_info "$NATS_HOST" "$NATS_PORT")
    if ! grep -q '"jetstream":true' <<<"$info"; then
      echo "infra: the server on $NATS_HOST:$NATS_PORT is not NATS with JetStream (start it with -js)" >&2
      exit 1
    fi
    return 0
  fi
  can_manage || need "NATS (JetStream)" "$NATS_HOST" "$NATS_PORT" \
    "nats-server -a $NATS_HOST -p $NATS_PORT -js -sd <folder> (with sync_interval: always in its config)"
  [ -x /usr/sbin/nats-server ] || apt_install nats-server
  mkdir -p "$NATS_STORE" "$(dirname "$NATS_CONF")"
  local args=(-a "$NATS_HOST" -p "$NATS_PORT" -js -sd "$NATS_STORE" -l "${INFRA_NATS_LOG:-/var/log/nats-server.log}")
  printf 'jetstream {\n  store_dir: "%s"\n  sync_interval: always\n}\n' "$NATS_STORE" >"$NATS_CONF.new"
  if /usr/sbin/nats-server -c "$NATS_CONF.new" -t >/dev/null 2>&1; then
    mv "$NATS_CONF.new" "$NATS_CONF"
    args=(-c "$NATS_CONF" "${args[@]}")
    echo "infra: starting NATS with JetStream (sync_interval: always)" >&2
  else
    rm -f "$NATS_CONF.new"
    echo "infra: starting NATS with JetStream; this nats-server ($(/usr/sbin/nats-server --version)) cannot fsync each write (no sync_interval): acknowledged events survive a server crash, not a machine crash" >&2
  fi
  # Matched by its pid file: a test's private nats-server on another port is no reason to skip.
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$NATS_PID" \
    --exec /usr/sbin/nats-server -- "${args[@]}"
  wait_port "$NATS_HOST" "$NATS_PORT" NATS 30
}

# The storefront's browser tests drive Debian's headless Chromium.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if ! can_install; then
    echo "infra: /usr/bin/chromium is missing (the browser tests need it): apt-get install chromium, or INFRA_INSTALL=1 npm run infra:up" >&2
    exit 1
  fi
  apt_install chromium
}

# The deploy tests render the Kustomize overlays with kubectl's built-in kustomize.
ensure_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  if ! can_install; then
    echo "infra: kubectl is missing (the deploy tests need it): apt-get install kubectl, or INFRA_INSTALL=1 npm run infra:up" >&2
    exit 1
  fi
  apt_install kubectl
}

# The alert rules' unit tests run Debian's promtool, and a deploy test starts its prometheus on a
# spare port to scrape a running platform. Debian's package would start a prometheus daemon on
# :9090 (the gateway's default management port) and pull in prometheus-node-exporter (:9100):
# it is installed without its Recommends, with a policy-rc.d that forbids starting services
# (kept if the machine already has one, removed afterwards otherwise), and a daemon that started
# anyway is stopped.
ensure_prometheus() {
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && return 0
  if ! can_install; then
    echo "infra: promtool and prometheus are missing (the deploy tests need them): apt-get install --no-install-recommends prometheus, or INFRA_INSTALL=1 npm run infra:up" >&2
    exit 1
  fi
  echo "infra: installing prometheus with apt (its daemon not started)" >&2
  local policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT # also when the install is interrupted
    printf '#!/bin/sh\n# Written by scripts/infra-up.sh while it installs prometheus.\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi
  local status=0
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends prometheus >/dev/null || status=$?
  if [ -n "$own_policy" ]; then rm -f "$policy" && trap - EXIT; fi
  [ "$status" = 0 ] || exit "$status"
  # Only the packaged daemon (the one its pid file names), never a prometheus a test started.
  start-stop-daemon --stop --oknodo --quiet --pidfile /run/prometheus/prometheus.pid \
    --exec /usr/bin/prometheus 2>/dev/null || true
}

# The container test (tests/containers) builds and runs the images with podman: Debian's
# podman, buildah and runc, debootstrap for the local Node base image (deploy/docker/local-base.sh),
# and two settings this machine needs: runc (crun refuses its hybrid cgroups) and open-file and
# process limits that fit under the host's (podman's defaults cannot be raised here).
PODMAN_CONF=${INFRA_CONTAINERS_CONF:-/etc/containers/containers.conf}
ensure_podman() {
  local missing=()
  for tool in podman buildah runc debootstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if ! can_install; then
      echo "infra: ${missing[*]} missing (the container test needs them): apt-get install podman buildah runc debootstrap, or INFRA_INSTALL=1 npm run infra:up" >&2
      exit 1
    fi
    echo "infra: installing ${missing[*]} with apt" >&2
    # Another apt may be running (e.g. a parallel infra:up): wait for its lock.
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends podman buildah runc debootstrap slirp4netns fuse-overlayfs uidmap \
      >/dev/null
  fi
  can_manage || return 0
  # Adds each setting to its table unless the key is already there, keeping the rest of the file.
  mkdir -p "$(dirname "$PODMAN_CONF")"
  touch "$PODMAN_CONF"
  conf_set containers default_ulimits '["nofile=16384:16384", "nproc=16384:16384"]'
  conf_set engine runtime '"runc"'
}
conf_set() { # table key value
  grep -Eq "^[[:space:]]*$2[[:space:]]*=" "$PODMAN_CONF" && return 0
  if grep -Eq "^[[:space:]]*\[$1\][[:space:]]*$" "$PODMAN_CONF"; then
    sed -i -E "/^[[:space:]]*\[$1\][[:space:]]*$/a $2 = $3" "$PODMAN_CONF"
  else
    printf '\n[%s]\n%s = %s\n' "$1" "$2" "$3" >>"$PODMAN_CONF"
  fi
  echo "infra: $PODMAN_CONF: [$1] $2 = $3" >&2
}

ensure_postgres
ensure_mariadb
ensure_redis
ensure_rabbitmq
ensure_nats
ensure_chromium
ensure_kubectl
ensure_prometheus
ensure_podman

# Users, databases and vhost of the tests. Each suite then creates its own database on them.
# `npm run start:distributed` wants one database per service too, `emporium_<name>`, on the server
# its declaration names (packages/contracts/src/services.ts, read through tsx: `npm ci` has run).
if can_manage || [ -n "${INFRA_PROVISION:-}" ]; then
  declared=$(cd "$(dirname "$0")/.." && node --import tsx scripts/print-services.ts)
  PG_DATABASES=(emporium_test) MY_DATABASES=(emporium_test)
  while read -r name database; do
    case "$database" in
      postgres) PG_DATABASES+=("emporium_$name") ;;
      mysql) MY_DATABASES+=("emporium_$name") ;;
      *) echo "infra: service $name declares an unknown database '$database'" >&2; exit 1 ;;
    esac
  done <<<"$declared"
  psql -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'emporium') THEN
    CREATE ROLE emporium LOGIN PASSWORD 'emporium' CREATEDB;
  END IF;
END $$;
SQL
  for db in "${PG_DATABASES[@]}"; do
    psql -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      psql -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE $db OWNER emporium" >/dev/null
  done
  {
    cat <<'SQL'
CREATE USER IF NOT EXISTS 'emporium'@'%' IDENTIFIED BY 'emporium';
CREATE USER IF NOT EXISTS 'emporium'@'localhost' IDENTIFIED BY 'emporium';
SQL
    for db in "${MY_DATABASES[@]}"; do echo "CREATE DATABASE IF NOT EXISTS \`$db\`;"; done
    cat <<'SQL'
GRANT ALL PRIVILEGES ON `emporium\_%`.* TO 'emporium'@'%';
GRANT ALL PRIVILEGES ON `emporium\_%`.* TO 'emporium'@'localhost';
FLUSH PRIVILEGES;
SQL
  } | mariadb -h "$MY_HOST" -P "$MY_PORT" -uroot
  if command -v rabbitmqctl >/dev/null; then
    rabbitmqctl -q list_users 2>/dev/null | grep -q '^emporium\b' ||
      rabbitmqctl -q add_user emporium emporium >/dev/null
    rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx 'emporium_test' ||
      rabbitmqctl -q add_vhost emporium_test >/dev/null
    rabbitmqctl -q set_permissions -p emporium_test emporium '.*' '.*' '.*' >/dev/null
    rabbitmqctl -q set_permissions -p emporium_test guest '.*' '.*' '.*' >/dev/null
  fi
fi
echo "infra: PostgreSQL, MariaDB, Redis, RabbitMQ and NATS (JetStream) are answering, Chromium, kubectl, promtool and podman are installed; test users, databases and vhost are in place" >&2
if [ -n "${PG_DATABASES:-}" ]; then
  echo "infra: databases in place: ${PG_DATABASES[*]} on PostgreSQL; ${MY_DATABASES[*]} on MariaDB" >&2
fi
