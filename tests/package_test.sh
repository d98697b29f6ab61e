#!/usr/bin/env bash
# The Debian packages as an operator gets them: builds tern-edge, tern-core and tern-tools
# with cpack into a temporary directory, installs them with dpkg -i on this machine, checks
# the files, the `tern` user and the directories, starts both daemons as `tern` with the
# ExecStart command lines of the installed units (there is no systemd here) against a
# throwaway mosquitto, with NOTIFY_SOCKET set to a socket this script reads, waits until
# the edge has registered, stops both with SIGTERM, and purges everything again.
#
# Overrides on top of /etc/tern/*.conf, through --set: mqtt.port (the throwaway broker),
# security.mode=insecure (no site PKI here), http.port (a free one). Everything else comes
# from the installed configs (absolute data directories, synthetic source off).
#
# Needs root (dpkg -i); skipped (exit 77) when not root or when tern packages are already
# installed on this machine (it would not overwrite a real installation).
# Usage: package_test.sh BUILD_DIR
set -uo pipefail

BUILD=${1:?usage: package_test.sh BUILD_DIR}
SKIP=77
PKGS=(tern-edge tern-core tern-tools)

say() { echo "package_test: $*"; }
fail() {
  say "FAIL: $*"
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  say "SKIP: needs root to dpkg -i the packages (run as root, or in CI)"
  exit $SKIP
fi
for p in "${PKGS[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
    say "SKIP: $p is already on this machine; not touching a real installation"
    exit $SKIP
  fi
done
if getent passwd tern >/dev/null; then
  say "SKIP: a user 'tern' exists already; not touching a real installation"
  exit $SKIP
fi

TMP=$(mktemp -d /tmp/tern-package-test.XXXXXX)
chmod 0755 "$TMP"
BROKER_PID=""
EDGE_PID=""
CORE_PID=""
LISTENER_PID=""
cleanup() {
  for pid in $EDGE_PID $CORE_PID $BROKER_PID $LISTENER_PID; do
    kill -9 "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  dpkg --purge "${PKGS[@]}" >"$TMP/purge.log" 2>&1 || cat "$TMP/purge.log"
  if [ -z "${KEEP:-}" ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to $1 seconds for the command in $2.. to succeed.
wait_for() {
  local secs=$1
  shift
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  return 1
}

# --- build the packages
say "cpack into $TMP/debs"
if ! (cd "$BUILD" && cpack -G DEB -B "$TMP/debs" >"$TMP/cpack.log" 2>&1); then
  cat "$TMP/cpack.log"
  fail "cpack failed"
fi
DEBS=()
for p in "${PKGS[@]}"; do
  f=$(ls "$TMP"/debs/"$p"_*.deb 2>/dev/null | head -1)
  [ -n "$f" ] || fail "no $p .deb in $TMP/debs ($(ls "$TMP/debs"))"
  DEBS+=("$f")
done
for f in "${DEBS[@]}"; do
  say "$(basename "$f"): $(dpkg-deb -f "$f" Depends)"
done
dpkg-deb -f "${DEBS[0]}" Depends | grep -q libmosquitto1 || fail "tern-edge does not depend on libmosquitto1"
dpkg-deb -f "${DEBS[1]}" Depends | grep -q libsqlite3-0 || fail "tern-core does not depend on libsqlite3-0"

# --- install
if ! dpkg -i "${DEBS[@]}" >"$TMP/install.log" 2>&1; then
  cat "$TMP/install.log"
  fail "dpkg -i failed"
fi
for f in /usr/bin/tern-edge /usr/bin/tern-core /usr/bin/ternctl /usr/bin/tern-board \
  /usr/bin/tern-bench /etc/tern/edge.conf /etc/tern/core.conf \
  /lib/systemd/system/tern-edge.service /lib/systemd/system/tern-core.service; do
  [ -e "$f" ] || fail "$f not installed"
done
dpkg-query -W -f='${Conffiles}' tern-edge | grep -q /etc/tern/edge.conf || fail "edge.conf is not a conffile"
dpkg-query -W -f='${Conffiles}' tern-core | grep -q /etc/tern/core.conf || fail "core.conf is not a conffile"
getent passwd tern >/dev/null || fail "no user tern"
[ "$(getent passwd tern | cut -d: -f6)" = /var/lib/tern ] || fail "tern's home is not /var/lib/tern"
for d in /var/lib/tern /var/lib/tern/edge /var/lib/tern/core; do
  [ "$(stat -c %U:%G "$d")" = tern:tern ] || fail "$d is not owned by tern:tern"
done
grep -q '^node.data_dir = /var/lib/tern/edge$' /etc/tern/edge.conf || fail "edge.conf: data_dir"
grep -q '^source.synthetic.enabled = false$' /etc/tern/edge.conf || fail "edge.conf: synthetic on"
grep -q '^Type=notify$' /lib/systemd/system/tern-edge.service || fail "edge unit not Type=notify"
/usr/bin/tern-edge --version | grep -q '^tern-edge ' || fail "tern-edge --version"
say "installed: files, conffiles, user, directories ok"

# --- run the units' own command lines as tern
exec_start() { sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1.service"; }
EDGE_CMD=$(exec_start tern-edge)
CORE_CMD=$(exec_start tern-core)
case "$EDGE_CMD" in /usr/bin/tern-edge\ *) ;; *) fail "edge ExecStart: $EDGE_CMD" ;; esac
case "$CORE_CMD" in /usr/bin/tern-core\ *) ;; *) fail "core ExecStart: $CORE_CMD" ;; esac
say "ExecStart: $EDGE_CMD | $CORE_CMD"
# The configs as installed load (exit 0 from --print-config means every key is valid).
setpriv --reuid=tern --regid=tern --init-groups -- $EDGE_CMD --print-config >/dev/null || fail "edge.conf does not load"
setpriv --reuid=tern --regid=tern --init-groups -- $CORE_CMD --print-config >/dev/null || fail "core.conf does not load"

MQTT_PORT=$(free_port)
HTTP_PORT=$(free_port)
mosquitto -p "$MQTT_PORT" >"$TMP/mosquitto.log" 2>&1 &
BROKER_PID=$!
wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$MQTT_PORT" 2>/dev/null || fail "mosquitto did not listen"

# A notify socket like systemd's: every datagram a daemon sends goes to notify.log.
NOTIFY="$TMP/notify.sock"
python3 - "$NOTIFY" "$TMP/notify.log" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        data = s.recv(4096).decode(errors="replace")
        out.write(data.replace("\n", " ") + "\n")
EOF
LISTENER_PID=$!
wait_for 10 test -S "$NOTIFY" || fail "notify socket"

SETS=(--set "mqtt.port=$MQTT_PORT" --set security.mode=insecure)
NOTIFY_SOCKET="$NOTIFY" setpriv --reuid=tern --regid=tern --init-groups -- $CORE_CMD "${SETS[@]}" --set "http.port=$HTTP_PORT" \
  >"$TMP/core.log" 2>&1 &
CORE_PID=$!
NOTIFY_SOCKET="$NOTIFY" setpriv --reuid=tern --regid=tern --init-groups -- $EDGE_CMD "${SETS[@]}" >"$TMP/edge.log" 2>&1 &
EDGE_PID=$!
edge_registered() { grep -q '"addr": *[1-9]' /var/lib/tern/edge/status.json 2>/dev/null; }
if ! wait_for 120 edge_registered; then
  tail -20 "$TMP/core.log" "$TMP/edge.log"
  fail "the edge did not register with the core"
fi
wait_for 20 bash -c "[ \$(grep -c READY=1 '$TMP/notify.log') -ge 2 ]" || {
  cat "$TMP/notify.log"
  fail "READY=1 not received from both daemons"
}
[ -f /var/lib/tern/core/core.db ] || fail "no /var/lib/tern/core/core.db"
say "running: edge registered, READY=1 from both ($(tr '\n' '|' <"$TMP/notify.log"))"

# --- a backup of the running core's database, then stop
ternctl backup --data-dir /var/lib/tern/core --to "$TMP/core-backup.db" >"$TMP/backup.log" 2>&1 ||
  fail "ternctl backup: $(cat "$TMP/backup.log")"

stop_one() {  # name pid
  local t0=$SECONDS
  kill -TERM "$2"
  wait "$2"
  local rc=$?
  [ "$rc" -eq 0 ] || fail "$1 exited $rc after SIGTERM: $(tail -5 "$TMP/$1.log")"
  [ $((SECONDS - t0)) -le 3 ] || fail "$1 took $((SECONDS - t0)) s to stop"
}
stop_one edge "$EDGE_PID"
EDGE_PID=""
stop_one core "$CORE_PID"
CORE_PID=""
grep -q STOPPING=1 "$TMP/notify.log" || fail "STOPPING=1 not received"
say "stopped: both exited 0 on SIGTERM, STOPPING=1 sent"

# --- purge leaves the machine clean
kill "$BROKER_PID" "$LISTENER_PID" 2>/dev/null
wait 2>/dev/null
BROKER_PID=""
LISTENER_PID=""
dpkg --purge "${PKGS[@]}" >"$TMP/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$TMP/purge.log")"
for f in /usr/bin/tern-edge /usr/bin/ternctl /etc/tern /var/lib/tern \
  /lib/systemd/system/tern-edge.service; do
  [ ! -e "$f" ] || fail "$f left after purge"
done
getent passwd tern >/dev/null && fail "user tern left after purge"
say "purged: no files, directories or user left"
say "PASS"
exit 0
