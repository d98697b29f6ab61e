#!/usr/bin/env python3
"""What run-site.sh shows about a running site, read from the status files the daemons write
(<run>/edge-N/status.json, <run>/core/status.json) and the verify document ternctl fetched.

  site_status.py progress <run-dir>   live progress lines (also asks the HTTP API for nodes)
  site_status.py drained  <run-dir>   exit 0 when nothing is in flight any more (every outbox
                                      empty, the core's spool, scheduler and result placement
                                      idle); otherwise prints what still is and exits 1
  site_status.py summary  <run-dir>   the end-of-run summary
  site_status.py verdict  <run-dir>   the manifest check from <run-dir>/logs/verify.json:
                                      exit 0 when no real problem remains, 1 otherwise

Kept apart from the shell runner so the shell stays about processes and this about numbers.
"""
import json
import os
import signal
import sys

EDGES = [f"edge-{i}" for i in range(1, 5)]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:
        return {}


def progress(d):
    core = load(os.path.join(d, "core", "status.json"))
    for name in EDGES:
        s = load(os.path.join(d, name, "status.json"))
        c = s.get("counters", {})
        g = s.get("grades", {}).get("core", {})
        print(f"   {name}: {c.get('records_local', 0):>9} records stored, {c.get('grade_core', 0):>6} "
              f"chunks acked by the core, outbox {s.get('outbox_chunks', 0):<4} core-ack p99 "
              f"{g.get('p99_ms', 0):6.1f} ms, {c.get('replicas_stored', 0):>6} replicas kept for peers")
    cc = core.get("counters", {})
    sch = core.get("scheduler", {})
    live = sum(1 for n in core.get("nodes", []) if n.get("state") == "live")
    print(f"   core: {live}/4 live, manifest {core.get('manifest_chunks', 0)} chunks, "
          f"{cc.get('acks', 0)} acks, {cc.get('stored_notices', 0)} stored notices, "
          f"spool {core.get('spool_depth', 0)}, {cc.get('records_processed', 0)} records processed, "
          f"rejected {sum(v for k, v in cc.items() if k.startswith('rejected_'))}")
    print(f"   analysis: {cc.get('results', 0)} results ({cc.get('alarms', 0)} alarms), "
          f"{cc.get('results_placed', 0)} placed on 3 stores, scheduler queue {sch.get('queued', 0)} "
          f"({sch.get('queued_bytes', 0) // 1024} KiB), served live/backlog "
          f"{sch.get('served_bytes_live', 0) // 1048576}/{sch.get('served_bytes_backlog', 0) // 1048576} MiB")
    port = core.get("http_port")
    api = "not up yet"
    if port and port > 0:
        import urllib.request
        try:
            token = open(os.path.join(d, "http-token")).read().strip()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/nodes",
                                         headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req, timeout=2) as r:
                api = f"{len(json.load(r).get('nodes', []))} nodes"
        except Exception as e:
            api = f"error: {e}"
    print(f"   HTTP API http://127.0.0.1:{port or '?'}/api/v1/ (with the read token): {api}")
    b = core.get("board")
    if b:
        leds = b.get("leds", 0)
        lamp = "".join("*" if leds >> i & 1 else "." for i in range(7, -1, -1))
        print(f"   board: display [{b.get('display', '?'):>4}]  LEDs {lamp} (0-3 edges live, 4 alarm, "
              f"6 link, 7 safe)  fan duty {b.get('fan_duty', 0)}/255  relays {b.get('relays', 0):02b} "
              f"(0 edge down, 1 alarm)  {b.get('alarms_unacknowledged', 0)} alarms unacknowledged  "
              f"({b.get('safe', '')})")


def in_flight(d):
    """What is still moving: a list of human-readable items, empty when drained."""
    left = []
    for name in EDGES:
        s = load(os.path.join(d, name, "status.json"))
        n = s.get("outbox_chunks", 0)
        if n:
            left.append(f"{name}: {n} chunks in its outbox")
    core = load(os.path.join(d, "core", "status.json"))
    if core.get("spool_depth", 0):
        left.append(f"core: {core['spool_depth']} chunks in the spool")
    if core.get("results_placing", 0):
        left.append(f"core: {core['results_placing']} results being placed")
    q = core.get("scheduler", {}).get("queued", 0)
    if q:
        left.append(f"core: {q} chunks queued for processing")
    return left


def drained(d):
    left = in_flight(d)
    if left:
        print("; ".join(left))
        return 1
    return 0


def summary(d):
    tot = 0
    for name in EDGES:
        s = load(os.path.join(d, name, "status.json"))
        c = s.get("counters", {})
        g = s.get("grades", {})
        tot += c.get("records_local", 0)
        print(f"{name} (addr {s.get('addr')}): {c.get('records_local', 0)} records in "
              f"{c.get('chunks_sealed', 0)} chunks, {c.get('replicas_stored', 0)} replicas kept for peers, "
              f"outbox {s.get('outbox_chunks', 0)}, ack p50/p99 local "
              f"{g.get('local', {}).get('p50_ms', 0):.1f}/{g.get('local', {}).get('p99_ms', 0):.1f} ms, "
              f"core {g.get('core', {}).get('p50_ms', 0):.1f}/{g.get('core', {}).get('p99_ms', 0):.1f} ms, "
              f"refused {c.get('records_refused', 0)}")
        for a in s.get("latest_alarms", [])[-3:]:
            first = a.get("first") or {}
            print(f"    alarm: {a.get('processor')} found {a.get('anomalies')} anomalies in "
                  f"{a.get('source')} chunk #{a.get('source_seq')}: record {first.get('seq')} channel "
                  f"{first.get('channel')} value {first.get('value', 0):.2f} z={first.get('z', 0):.1f}")
    core = load(os.path.join(d, "core", "status.json"))
    cc = core.get("counters", {})
    print(f"total: {tot} records; manifest holds {core.get('manifest_chunks', 0)} chunks; "
          f"core processed {cc.get('chunks_processed', 0)} chunks ({cc.get('records_processed', 0)} "
          f"records) into {cc.get('results', 0)} results, {cc.get('alarms', 0)} alarms, "
          f"{cc.get('msmve_windows_skipped', 0)} MSMVE windows skipped by the rate limit")


def verdict(d):
    """The manifest check. Real problems: copies missing, chunks lost or under-replicated that
    are not in flight, corrupt copies, stores that did not answer, or no check at all."""
    path = os.path.join(d, "logs", "verify.json")
    try:
        v = json.load(open(path))
    except Exception as e:
        print(f"manifest check: none ({path}: {e}); see {os.path.join(d, 'logs', 'verify.err')}")
        return 1
    if "error" in v and "chunks" not in v:
        print(f"manifest check failed: {v['error']}")
        return 1
    f = v.get("in_flight", {})
    print(f"manifest check (ternctl verify, every store's block report against the manifest): "
          f"{v.get('chunks', 0)} chunks, by good copies {json.dumps(v.get('by_copies', {}))}")
    print(f"  stores answered: {', '.join(v.get('stores_answered', [])) or 'none'}; silent: "
          f"{', '.join(v.get('stores_silent', [])) or 'none'}")
    print(f"  in flight at stop (an edge's chunk not yet acked, or newer than {f.get('window_s', 0)} s; not problems): "
          f"{f.get('chunks', 0)} chunks, {f.get('under_replicated', 0)} under-replicated, "
          f"{f.get('missing', 0)} copies missing, {f.get('extra', 0)} extra, {f.get('lost', 0)} "
          f"without a copy yet")
    print(f"  real problems: {v.get('missing', 0)} copies missing, {v.get('under_replicated', 0)} "
          f"under-replicated, {v.get('lost', 0)} lost, {v.get('corrupt', 0)} corrupt, "
          f"{len(v.get('stores_silent', []))} stores silent; {v.get('extra', 0)} extra copies "
          f"(surplus, not a loss)")
    for p in v.get("problems", [])[:10]:
        print(f"    {p.get('problem')} {p.get('id', '')[:16]}… {('at ' + p['node']) if p.get('node') else ''}")
    if v.get("ok"):
        print("RESULT: no real problem found")
        return 0
    print("RESULT: REAL PROBLEMS FOUND (above)")
    return 1


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("progress", "drained", "summary", "verdict"):
        print(__doc__, file=sys.stderr)
        return 2
    # Ctrl-C is the runner's to handle (it stops the site in order); this must not die of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cmd, d = sys.argv[1], sys.argv[2]
    return {"progress": progress, "drained": drained, "summary": summary, "verdict": verdict}[cmd](d) or 0


if __name__ == "__main__":
    sys.exit(main())
