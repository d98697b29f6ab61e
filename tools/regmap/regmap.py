#!/usr/bin/env python3
"""tern register-map generator (Python 3 standard library only).

One JSON source (fpga/regmap/board.json) describes every register once. This script
produces, byte-for-byte deterministically:
  fpga/rtl/board_reg_pkg.sv         package: reg2hw/hw2reg structs, FIFO event constants
  fpga/rtl/board_regs.sv            register bank (SystemVerilog, Verilator 5.006 clean)
  hw/include/tern/hw/board_regs.h   C++ header: namespace tern::hw::regs (registers, field
                                    table, FIFO event constants)
  docs/register_map.md              register and event documentation

The model (loading and validation) is regmap_model.py; each output has its own module
(regmap_svpkg.py, regmap_sv.py, regmap_cxx.py, regmap_md.py). This file is the command line and the drift check.

Usage:
  regmap.py --root <repo>                 regenerate the committed outputs in place
  regmap.py --root <repo> --out-dir <dir> write the outputs under <dir> (same relative paths)
  regmap.py --root <repo> --check         regenerate into a temp dir, compare with the
                                          committed files, exit 1 with a diff on drift
"""

import argparse
import difflib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from regmap_model import (MAP_PATH, MapError, bits, camel, hw2reg_parts, load,  # noqa: E402,F401
                          reg2hw_parts, sv_ident)  # (re-exported for regmap_test.py)
from regmap_sv import gen_sv  # noqa: E402
from regmap_svpkg import gen_pkg  # noqa: E402
from regmap_cxx import gen_h  # noqa: E402
from regmap_md import gen_md  # noqa: E402

OUT_PKG = "fpga/rtl/board_reg_pkg.sv"
OUT_SV = "fpga/rtl/board_regs.sv"
OUT_H = "hw/include/tern/hw/board_regs.h"
OUT_MD = "docs/register_map.md"


def generate(root):
    doc, regs, arrays, events = load(os.path.join(root, MAP_PATH))
    return {OUT_PKG: gen_pkg(doc, regs, events), OUT_SV: gen_sv(doc, regs),
            OUT_H: gen_h(doc, regs, arrays, events), OUT_MD: gen_md(doc, regs, events)}


def write_all(outputs, out_root):
    for rel, text in outputs.items():
        path = os.path.join(out_root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--out-dir")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)
    try:
        outputs = generate(root)
    except (MapError, KeyError, ValueError) as e:
        print("regmap: error: %s" % e, file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory(prefix="tern-regmap-") as tmp:
            write_all(outputs, tmp)
            drift = False
            for rel in sorted(outputs):
                with open(os.path.join(tmp, rel), encoding="utf-8") as fh:
                    fresh = fh.read()
                try:
                    with open(os.path.join(root, rel), encoding="utf-8") as fh:
                        committed = fh.read()
                except FileNotFoundError:
                    committed = ""
                if fresh != committed:
                    drift = True
                    print("regmap: %s differs from the generator output:" % rel)
                    sys.stdout.writelines(difflib.unified_diff(
                        committed.splitlines(True), fresh.splitlines(True),
                        "committed/" + rel, "generated/" + rel))
            if drift:
                print("regmap: run tools/regmap/regmap.py and commit the result")
                return 1
            print("regmap: %d generated files match" % len(outputs))
            return 0
    write_all(outputs, args.out_dir or root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
