#!/usr/bin/env bash
# The main job: a whole tern site on this machine. Starts a Mosquitto gateway on a free
# loopback port (generated config), tern-core and four tern-edge agents with different
# collectors, shows live progress (on a terminal the live view `ternctl top`, redrawn in
# place; otherwise progress lines every 2 s; TERN_SITE_VIEW=0 forces the lines), stops after N seconds (default 60) or Ctrl-C, then stops
# ingest (SIGUSR1 to every edge: its collectors stop), waits (bounded) until outboxes, spool
# and result placement drain, checks the manifest against every store (ternctl verify), stops edges, core and gateway in that order
# and prints a summary. Exit status: 0 when no real problem remains (chunks still in flight
# at stop are reported, not counted), 1 when one does, 2 for a bad command line.
# Each run keeps its data in <base>/run-<timestamp> (base: ./site-data, or $TERN_SITE_DIR);
# <base>/latest points at the newest run, and <base>/core and <base>/http-token point into
# it, so `ternctl --site <base>` reaches the running site.
# The site runs as a real one does (docs/security.md): a site PKI in $DATA/pki (ternctl
# pki), the gateway on TLS with client certificates required, the CRL and the per-node ACL,
# every daemon with its own certificate. TERN_SITE_SECURE=0 runs it plain (anonymous MQTT,
# security.mode=insecure), e.g. to compare. TERN_SITE_DRAIN: the drain bound in seconds (30).
# Every daemon runs in a session of its own (setsid), so Ctrl-C reaches only this script,
# which then stops them in order; the summary also goes to $DATA/summary.txt and, when
# stdout is a pipe that Ctrl-C closed (`| tee log`), to stderr.
#   usage: run-site.sh <build-dir> [seconds]
set -uo pipefail
usage() { echo "usage: run-site.sh <build-dir> [seconds]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
BUILD="$1"
DURATION="${2:-60}"
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -lt 1 ]; then
  echo "run-site: the duration must be a whole number of seconds above 0, got '$DURATION'" >&2
  usage
fi
DRAIN="${TERN_SITE_DRAIN:-30}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VIEW="$ROOT/tools/scripts/site_status.py"
EDGE="$BUILD/edge/tern-edge"
CORE="$BUILD/core/tern-core"
CTL="$BUILD/tools/ternctl/ternctl"
for b in "$EDGE" "$CORE" "$CTL"; do
  [ -x "$b" ] || { echo "run-site: $b is missing: build first (./tern build)" >&2; exit 2; }
done

# Writes to a pipe whose reader Ctrl-C killed fail (EPIPE) instead of killing us; say()
# then falls back to stderr, the terminal.
trap '' PIPE
say() { printf '%s\n' "$*" 2>/dev/null || printf '%s\n' "$*" >&2; }

BASE="${TERN_SITE_DIR:-$ROOT/site-data}"
mkdir -p "$BASE"
# A base laid out by an older runner (one run, flat): moved aside, never wiped.
if [ -d "$BASE/core" ] && [ ! -L "$BASE/core" ]; then
  OLD="$BASE/run-earlier-$(date -r "$BASE/core" +%Y%m%d-%H%M%S)"
  mkdir -p "$OLD"
  for f in "$BASE"/* "$BASE"/.[!.]*; do
    [ -e "$f" ] || continue
    case "$(basename "$f")" in run-*|latest) continue ;; esac
    mv "$f" "$OLD"/
  done
  say "== the earlier run's data in $BASE moved to $OLD (kept)"
fi
STAMP="$(date +%Y%m%d-%H%M%S)"
DATA="$BASE/run-$STAMP"
n=1
while [ -e "$DATA" ]; do n=$((n + 1)); DATA="$BASE/run-$STAMP-$n"; done
mkdir -p "$DATA/logs" "$DATA/drop-edge-4"
ln -sfn "$(basename "$DATA")" "$BASE/latest"
ln -sfn latest/core "$BASE/core"
ln -sfn latest/http-token "$BASE/http-token"
ln -sfn latest/operator-token "$BASE/operator-token"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
EDGE_PIDS=()
EDGE_NAMES=(edge-1 edge-2 edge-3 edge-4)
PROBLEMS=()  # what went wrong outside the manifest check (a daemon that died, ...)

# Notes every daemon that is no longer running (it died during the run): a real problem.
check_alive() {
  local i
  for i in "${!EDGE_PIDS[@]}"; do
    kill -0 "${EDGE_PIDS[$i]}" 2>/dev/null ||
      PROBLEMS+=("${EDGE_NAMES[$i]} died during the run; see $DATA/logs/${EDGE_NAMES[$i]}.log")
  done
  kill -0 "$CORE_PID" 2>/dev/null || PROBLEMS+=("the core died during the run; see $DATA/logs/core.log")
  kill -0 "$BROKER_PID" 2>/dev/null || PROBLEMS+=("the gateway died during the run; see $DATA/logs/mosquitto.log")
}

# Sends SIGTERM to pid $1 (again: harmless), waits up to $2 seconds for it to exit, then
# kills it (-9); reaps it and notes a bad exit status, naming it ($3).
stop_pid() {
  local pid="$1" secs="$2" name="$3" rc
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq $((secs * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    PROBLEMS+=("$name did not stop within ${secs}s of SIGTERM and was killed")
  fi
  wait "$pid" 2>/dev/null; rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ]; then
    PROBLEMS+=("$name exited with status $rc; see $DATA/logs/$name.log")
  fi
}

# Stop ingest, let what is in flight land, check the manifest, stop the daemons in order,
# then the summary and the exit status.
finish() {
  trap 'say "run-site: already stopping (drain up to ${DRAIN}s, then edges, core, gateway); the summary follows"' INT TERM
  say ""
  check_alive
  say "== stopping ingest: every edge stops collecting (SIGUSR1) and seals its open chunks"
  [ -n "${FEED_PID:-}" ] && kill "$FEED_PID" 2>/dev/null
  [ -n "${DROP_PID:-}" ] && kill "$DROP_PID" 2>/dev/null
  for p in "${EDGE_PIDS[@]}"; do kill -USR1 "$p" 2>/dev/null; done
  say "== waiting up to ${DRAIN}s for outboxes, the core's spool, processing and result placement to drain"
  local t0 left=""
  t0=$(date +%s)
  while true; do
    left="$(python3 "$VIEW" drained "$DATA")" && { left=""; break; }
    [ $(( $(date +%s) - t0 )) -ge "$DRAIN" ] && break
    sleep 1
  done
  if [ -n "$left" ]; then
    say "   still in flight after ${DRAIN}s: $left"
  else
    say "   drained after $(( $(date +%s) - t0 ))s"
  fi
  say "== checking the site over the network (ternctl verify) before stopping it"
  # Its own session: a second Ctrl-C must not cut the check short.
  setsid -w "$CTL" --site "$DATA" verify --json > "$DATA/logs/verify.json" 2> "$DATA/logs/verify.err"
  echo $? > "$DATA/logs/verify.rc"
  say "== stopping: edges first (they commit what they collected), then the core, then the gateway"
  local i
  for i in "${!EDGE_PIDS[@]}"; do kill -TERM "${EDGE_PIDS[$i]}" 2>/dev/null; done
  for i in "${!EDGE_PIDS[@]}"; do stop_pid "${EDGE_PIDS[$i]}" 20 "${EDGE_NAMES[$i]}"; done
  stop_pid "${CORE_PID:-}" 20 core
  stop_pid "${BROKER_PID:-}" 10 mosquitto
  local rc=0
  {
    echo
    echo "== summary (run data in $DATA)"
    # Said again here: the line printed at the signal can be lost with a dying `| tee`.
    [ -n "${STOP_AT:-}" ] && echo "stopped by a signal at t+${STOP_AT}s"
    python3 "$VIEW" summary "$DATA"
    python3 "$VIEW" verdict "$DATA" || rc=1
    for p in "${PROBLEMS[@]}"; do echo "PROBLEM: $p"; rc=1; done
    echo
    echo "Data left in $DATA ($BASE/latest points at it). The site is stopped now: ternctl asks a"
    echo "running core. Start a longer run (./tern site 300) and, while it runs, try in another terminal:"
    try_hints
    echo "exit status $rc ($([ $rc = 0 ] && echo 'no real problem' || echo 'a real problem remains'))"
  } > "$DATA/summary.txt" 2>&1
  # stdout first; if Ctrl-C closed the pipe it went to (| tee), the terminal gets it.
  cat "$DATA/summary.txt" 2>/dev/null || cat "$DATA/summary.txt" >&2
  exit "$rc"
}

# Commands that work against the running site (its port and read token from $BASE/latest).
try_hints() {
  echo "  $CTL --site $BASE nodes"
  echo "  $CTL --site $BASE report"
  echo "  $CTL --site $BASE locate --source vib --origin 2"
  echo "  $CTL --site $BASE verify --json"
  echo "  $CTL --site $BASE edge show"
  echo "  $CTL --site $DATA token list      # offline, on the core's token book (the runner's read token: $DATA/http-token)"
}

SECURE="${TERN_SITE_SECURE:-1}"
PKI="$DATA/pki"
if [ "$SECURE" = 1 ]; then
  # The site PKI: CA, the broker's certificate (localhost, 127.0.0.1), the TLS broker config
  # and ACL; then one certificate per daemon. The broker runs as this user (`user` line), so
  # it can read the key this user wrote (docs/security.md).
  {
    "$CTL" pki init --dir "$PKI" --site site --port "$PORT" --bind 127.0.0.1 --user "$(id -un)" \
      --conf-line "persistence false" --conf-line "log_dest stderr" &&
    "$CTL" pki issue core --role core --dir "$PKI" &&
    "$CTL" pki issue edge-1 --role edge --dir "$PKI" && "$CTL" pki issue edge-2 --role edge --dir "$PKI" &&
    "$CTL" pki issue edge-3 --role edge --dir "$PKI" && "$CTL" pki issue edge-4 --role edge --dir "$PKI"
  } > "$DATA/logs/pki.log" 2>&1 || { say "run-site: creating the PKI failed:"; cat "$DATA/logs/pki.log" >&2; exit 1; }
  BROKER_CONF="$PKI/mosquitto.conf"
else
  BROKER_CONF="$DATA/mosquitto.conf"
  cat > "$BROKER_CONF" <<CONF
# Generated by run-site.sh: loopback only, TCP_NODELAY, queues above tern's in-flight windows.
listener $PORT 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_inflight_messages 100
max_queued_messages 100000
persistence false
log_dest stderr
CONF
fi
# SEC: the --set arguments that give daemon $1 its identity (or the plain mode).
security() {
  if [ "$SECURE" = 1 ]; then
    SEC=(--set security.mode=pki --set "tls.ca=$PKI/ca.crt" --set "tls.cert=$PKI/nodes/$1.crt"
         --set "tls.key=$PKI/nodes/$1.key")
  else
    SEC=(--set security.mode=insecure)
  fi
}
# From here on a signal stops the site in order (edges, core, gateway) and prints the summary.
STOP=""
STOP_AT=""
trap 'STOP=signal' INT TERM
setsid mosquitto -c "$BROKER_CONF" 2> "$DATA/logs/mosquitto.log" & BROKER_PID=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

say "== tern site: gateway 127.0.0.1:$PORT, data in $DATA ($BASE/latest), running ${DURATION}s (Ctrl-C to stop early)"
# The HTTP API takes bearer tokens only: a read token for the progress lines and for you.
mkdir -p "$DATA/core"
( umask 077; "$CTL" token create --data-dir "$DATA/core" --role read --name site-runner \
    > "$DATA/http-token" 2>> "$DATA/logs/ternctl.log" ) ||
  say "   (could not create an HTTP API token; see $DATA/logs/ternctl.log)"
# And an operator token, for what changes the site: the board's buttons (the live view's
# keys 1-4, `ternctl board press`), edge settings, drain and forget.
( umask 077; "$CTL" token create --data-dir "$DATA/core" --role operator --name site-operator \
    > "$DATA/operator-token" 2>> "$DATA/logs/ternctl.log" ) ||
  say "   (could not create an operator token; see $DATA/logs/ternctl.log)"
say "   HTTP API read token in $DATA/http-token, operator token in $DATA/operator-token; e.g."
say "   curl -H \"Authorization: Bearer \$(cat $DATA/http-token)\" http://127.0.0.1:<port>/api/v1/nodes   (port below)"
say "   or, while it runs: $CTL --site $BASE report   (also nodes, verify, locate, get)"
if [ "$SECURE" = 1 ]; then
  # Tested every run: a connection without a certificate (plain, or TLS without a client
  # certificate) is refused, while one with the core's certificate is accepted.
  probe=(-h 127.0.0.1 -p "$PORT" -t tern/probe -m x -q 1 -V mqttv5)
  if mosquitto_pub "${probe[@]}" >/dev/null 2>&1 ||
     mosquitto_pub "${probe[@]}" --cafile "$PKI/ca.crt" >/dev/null 2>&1; then
    say "run-site: FAILED: the gateway accepted a connection without a certificate"; kill "$BROKER_PID"; exit 1
  fi
  if ! mosquitto_pub "${probe[@]}" --cafile "$PKI/ca.crt" --cert "$PKI/nodes/core.crt" \
       --key "$PKI/nodes/core.key" -i core-probe >/dev/null 2>&1; then
    say "run-site: FAILED: the gateway refused the core's certificate (see $DATA/logs/mosquitto.log)"; kill "$BROKER_PID"; exit 1
  fi
  say "   security: TLS with client certificates from $PKI (ternctl pki list --dir $PKI); the gateway refuses anonymous connections (checked just now)"
else
  say "   security: OFF (plain MQTT, anonymous allowed, security.mode=insecure); the default (TERN_SITE_SECURE=1) runs the site with its PKI"
fi
security core
[ "$SECURE" = 1 ] && SEC+=(--set "tls.crl=$PKI/crl.pem")
setsid "$CORE" --set mqtt.port=$PORT --set node.data_dir="$DATA/core" --set http.port=0 --set board.mode=sim \
  --set status.interval=500ms "${SEC[@]}" > "$DATA/logs/core.log" 2>&1 & CORE_PID=$!

# Four site boxes: two vibration rigs, a line with an event feed, a camera box.
common=(--set mqtt.port=$PORT --set status.interval=500ms)
security edge-1
setsid "$EDGE" "${common[@]}" "${SEC[@]}" --set node.name=edge-1 --set node.data_dir="$DATA/edge-1" \
  --set source.synthetic.rate=20000 --set source.synthetic.anomaly_every=50000 \
  --set source.synthetic.tags=bearing,line2 > "$DATA/logs/edge-1.log" 2>&1 & EDGE_PIDS+=($!)
security edge-2
setsid "$EDGE" "${common[@]}" "${SEC[@]}" --set node.name=edge-2 --set node.data_dir="$DATA/edge-2" \
  --set source.synthetic.rate=5000 --set source.synthetic.priority=high > "$DATA/logs/edge-2.log" 2>&1 & EDGE_PIDS+=($!)
touch "$DATA/feed-edge-3.jsonl"
security edge-3
setsid "$EDGE" "${common[@]}" "${SEC[@]}" --set node.name=edge-3 --set node.data_dir="$DATA/edge-3" \
  --set source.synthetic.rate=2000 --set source.feed.path="$DATA/feed-edge-3.jsonl" \
  --set source.feed.name=events --set source.feed.priority=alarm > "$DATA/logs/edge-3.log" 2>&1 & EDGE_PIDS+=($!)
security edge-4
setsid "$EDGE" "${common[@]}" "${SEC[@]}" --set node.name=edge-4 --set node.data_dir="$DATA/edge-4" \
  --set source.synthetic.rate=1000 --set source.dropdir.path="$DATA/drop-edge-4" \
  --set source.dropdir.poll=200ms > "$DATA/logs/edge-4.log" 2>&1 & EDGE_PIDS+=($!)

# Equipment: a door/interlock event line every half second, a 200 KB "camera frame" a second.
( n=0; while true; do n=$((n+1));
    echo "{\"event\":\"interlock\",\"n\":$n,\"state\":\"$([ $((n%7)) -eq 0 ] && echo open || echo closed)\"}" >> "$DATA/feed-edge-3.jsonl"
    sleep 0.5; done ) & FEED_PID=$!
( n=0; while true; do n=$((n+1)); f="$DATA/drop-edge-4/frame-$(printf %05d $n).raw";
    head -c 204800 /dev/urandom > "$f.tmp" && mv "$f.tmp" "$f"; sleep 1; done ) & DROP_PID=$!

START=$(date +%s)
if [ -t 0 ] && [ -t 1 ] && [ "${TERN_SITE_VIEW:-1}" = 1 ]; then
  # On a terminal: the live view (ternctl top), redrawn in place, in the foreground for the
  # run's duration. Ctrl-C reaches it and this script alike: the view gives the terminal
  # back and exits, then the trap above has set STOP and the site stops in order. Quitting
  # the view (q) stops the site early as well.
  "$CTL" --site "$DATA" --token-file "$DATA/operator-token" top --interval 2 \
    --duration "$DURATION" 2> "$DATA/logs/top.err"
  top_rc=$?
  if [ "$top_rc" -ne 0 ]; then
    say "== the live view failed (exit $top_rc, see $DATA/logs/top.err): progress lines follow"
  elif [ -z "$STOP" ] && [ $(( $(date +%s) - START )) -lt "$DURATION" ]; then
    STOP=view
    say "== the view was quit at t+$(( $(date +%s) - START ))s: stopping the site"
  fi
fi
while [ -z "$STOP" ] && [ $(( $(date +%s) - START )) -lt "$DURATION" ]; do
  sleep 2
  [ -n "$STOP" ] && break
  say "-- t+$(( $(date +%s) - START ))s"
  python3 "$VIEW" progress "$DATA" 2>/dev/null || python3 "$VIEW" progress "$DATA" >&2
done
if [ "$STOP" = signal ]; then
  STOP_AT=$(( $(date +%s) - START ))
  say "== stopped by a signal at t+${STOP_AT}s"
fi
finish
