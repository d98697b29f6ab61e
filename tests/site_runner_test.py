#!/usr/bin/env python3
"""The main job as a user runs it: tools/scripts/run-site.sh with the built binaries.

  site_runner_test.py healthy <source-dir> <build-dir>
      a short run ends by itself: exit 0, "no real problem found", the run's data in a
      directory of its own (printed), the summary also in <run>/summary.txt
  site_runner_test.py sigint <source-dir> <build-dir>
      `run-site.sh ... | tee log` in a process group of its own, as a shell runs a pipeline;
      Ctrl-C (SIGINT to the whole group, tee included) mid-run: the summary still appears
      (stderr, since tee is gone, and <run>/summary.txt), the exit status is 0, and no
      daemon of the site is left running

Each waits with generous deadlines (the machine may be loaded); exits 0 when every check
holds, 1 with the reasons otherwise.
"""
import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

FAILS = []


def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def run_dir(base):
    runs = sorted(glob.glob(os.path.join(base, "run-*")))
    return runs[-1] if runs else ""


def daemons_left(run):
    """Processes whose command line names this run's directory (our daemons)."""
    left = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if run and run in cmd and ("tern-edge" in cmd or "tern-core" in cmd or "mosquitto" in cmd):
            left.append(f"{pid}: {cmd[:120]}")
    return left


def healthy(src, build, base):
    env = dict(os.environ, TERN_SITE_DIR=base)
    p = subprocess.run([os.path.join(src, "tools/scripts/run-site.sh"), build, "25"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=540)
    out = p.stdout
    print(out[-6000:])
    run = run_dir(base)
    check(p.returncode == 0, f"a healthy run exits 0 (got {p.returncode})")
    check("RESULT: no real problem found" in out, "the summary says no real problem was found")
    check(bool(run) and run in out, "the run's own data directory is printed")
    check(os.path.islink(os.path.join(base, "latest")), "<base>/latest points at the newest run")
    check(os.path.isfile(os.path.join(run, "summary.txt")), "the summary is kept in <run>/summary.txt")
    check(not daemons_left(run), "no daemon is left running")
    # A second run keeps the first one's data.
    first = run
    p2 = subprocess.run([os.path.join(src, "tools/scripts/run-site.sh"), build, "x"], env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    check(p2.returncode == 2, f"a bad duration is a usage error, exit 2 (got {p2.returncode})")
    check(os.path.isdir(first), "an earlier run's data is not wiped")


def sigint(src, build, base):
    env = dict(os.environ, TERN_SITE_DIR=base)
    log = os.path.join(base, "tee.log")
    err_path = os.path.join(base, "stderr.log")
    with open(err_path, "w") as err:
        runner = subprocess.Popen([os.path.join(src, "tools/scripts/run-site.sh"), build, "300"],
                                  env=env, stdout=subprocess.PIPE, stderr=err,
                                  process_group=0)
        tee = subprocess.Popen(["tee", log], stdin=runner.stdout, stdout=subprocess.DEVNULL,
                               process_group=runner.pid)
        runner.stdout.close()
        # Mid-run: the site is up and has shown progress a few times.
        deadline = time.time() + 240
        while time.time() < deadline:
            text = open(log).read() if os.path.exists(log) else ""
            if text.count("-- t+") >= 5 and "core: 4/4 live" in text:
                break
            time.sleep(1)
        check("-- t+" in open(log).read(), "the run showed progress before Ctrl-C")
        os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
        try:
            rc = runner.wait(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            rc = None
        tee.wait(timeout=30)
    err_text = open(err_path).read()
    print(err_text[-6000:])
    run = run_dir(base)
    check(tee.returncode != 0, "tee died of the Ctrl-C, as in a terminal")
    check(rc == 0, f"Ctrl-C on a healthy site exits 0 (got {rc})")
    check("RESULT: no real problem found" in err_text,
          "the summary reaches the terminal (stderr) although the pipe is gone")
    summary = open(os.path.join(run, "summary.txt")).read() if run else ""
    check("== summary" in summary and "RESULT: no real problem found" in summary,
          "the summary is kept in <run>/summary.txt")
    check("stopped by a signal" in err_text + open(log).read(), "the runner says it was stopped by a signal")
    left = daemons_left(run)
    check(not left, "no daemon is left running: " + "; ".join(left))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("healthy", "sigint"):
        print(__doc__, file=sys.stderr)
        return 2
    case, src, build = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="tern-site-runner-") as base:
        {"healthy": healthy, "sigint": sigint}[case](src, build, base)
        if FAILS:
            print("\n".join(["FAILED:"] + FAILS))
            for f in glob.glob(os.path.join(run_dir(base), "logs", "*.log")):
                print(f"--- {f} (tail)")
                print("".join(open(f, errors="replace").readlines()[-15:]))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
