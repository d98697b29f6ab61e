#!/usr/bin/env python3
"""Self-test of the register-map generator: the real map loads and obeys the invariants,
every output covers every register, field and event, the drift check catches a changed
output, and malformed maps are rejected with a MapError (stdlib unittest)."""

import contextlib
import copy
import io
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import regmap  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class RealMap(unittest.TestCase):
    def setUp(self):
        self.doc, self.regs, self.arrays, self.events = regmap.load(
            os.path.join(ROOT, regmap.MAP_PATH))
        self.out = regmap.generate(ROOT)

    def test_id_register_at_zero(self):
        r = self.regs[0]
        self.assertEqual((r.name, r.offset, r.reset), ("ID", 0, 0x7E4E0002))

    def test_offsets_unique_aligned_sorted(self):
        offs = [r.offset for r in self.regs]
        self.assertEqual(offs, sorted(set(offs)))
        self.assertTrue(all(o % 4 == 0 for o in offs))

    def test_every_register_and_field_documented(self):
        for r in self.regs:
            self.assertTrue(r.desc, r.name)
            for f in r.fields:
                self.assertTrue(f.desc, "%s.%s" % (r.name, f.name))

    def test_outputs_deterministic(self):
        self.assertEqual(regmap.generate(ROOT), regmap.generate(ROOT))

    def test_header_table_has_every_register(self):
        h = self.out[regmap.OUT_H]
        self.assertIn("std::array<RegInfo, %d> kRegisters" % len(self.regs), h)
        for r in self.regs:
            self.assertIn('{"%s", 0x%03X,' % (r.name, r.offset), h)

    def test_header_field_table_has_every_field(self):
        h = self.out[regmap.OUT_H]
        fields = [(r, f) for r in self.regs for f in r.fields]
        self.assertIn("std::array<FieldInfo, %d> kFields" % len(fields), h)
        for r, f in fields:
            self.assertIn('{"%s", "%s", 0x%03X, 0x%08X, %d, %d,' %
                          (r.name, f.name, r.offset, f.mask, f.lo, f.width), h)

    def test_events_match_the_rtl_contract(self):
        # The codes and the panel layout the RTL had before they were generated (README).
        codes = {t.name: t.code for t in self.events.types}
        self.assertEqual(codes, {"panel": 0x01, "host": 0x7F})
        panel = {f.name: (f.hi, f.lo) for f in self.events.types[0].fields}
        self.assertEqual(panel, {"pressed": (3, 0), "released": (7, 4), "switch_changed": (8, 8),
                                 "switch_level": (9, 9), "buttons": (15, 12)})
        self.assertEqual((self.events.type_width, self.events.payload_width), (8, 16))

    def test_events_in_every_output(self):
        h, pkg, md = self.out[regmap.OUT_H], self.out[regmap.OUT_PKG], self.out[regmap.OUT_MD]
        self.assertIn("## Events", md)
        for t in self.events.types:
            self.assertIn("inline constexpr std::uint8_t k%s = 0x%02X;" % (t.camel, t.code), h)
            self.assertIn("localparam logic [7:0] Event%s = 8'h%02X;" % (t.camel, t.code), pkg)
            self.assertIn("} board_event_%s_t;" % t.name, pkg)
            self.assertIn("### Event %s" % t.name, md)
            for f in t.fields:
                self.assertIn("k%sMask = 0x%04X;" % (regmap.camel(f.name), f.mask), h)
                self.assertIn("| %s | %s |" % (regmap.bits(f), f.name), md)

    def test_payload_structs_are_payload_wide(self):
        pkg = self.out[regmap.OUT_PKG]
        for t in self.events.types:
            body = pkg[pkg.rindex("typedef struct packed {", 0, pkg.index(
                "} board_event_%s_t;" % t.name)):pkg.index("} board_event_%s_t;" % t.name)]
            widths = [int(hi) - int(lo) + 1 for hi, lo in re.findall(r"logic \[(\d+):(\d+)\]", body)]
            widths += [1] * len(re.findall(r"logic [a-z]", body))
            self.assertEqual(sum(widths), self.events.payload_width, t.name)

    def test_struct_ranges_add_up(self):
        # The [hi:lo] comments of the top structs are contiguous down to 0.
        pkg = self.out[regmap.OUT_PKG]
        for top in ("board_reg2hw_t", "board_hw2reg_t"):
            body = pkg[:pkg.index("} %s;" % top)]
            body = body[body.rindex("typedef struct packed {"):]
            ranges = [(int(h), int(l)) for h, l in re.findall(r"// \[(\d+):(\d+)\]", body)]
            self.assertEqual(ranges[-1][1], 0, top)
            for (h0, l0), (h1, l1) in zip(ranges, ranges[1:]):
                self.assertEqual(l0, h1 + 1, top)

    def test_bank_connects_every_field(self):
        # Every stored or strobed field drives reg2hw_o; every hardware field is read from
        # hw2reg_i; nothing else is a port.
        sv = self.out[regmap.OUT_SV]
        for r in self.regs:
            fparts, rparts = regmap.reg2hw_parts(r)
            for f in r.fields if fparts else []:
                self.assertRegex(sv, r"\b%s: '\{q: " % re.escape(f.member))
            for p in regmap.hw2reg_parts(r):
                for f in r.fields:
                    self.assertIn("hw2reg_i.%s.%s.%s;" % (r.member, f.member, p), sv)
        ports = re.findall(r"^  (?:input|output) .*?(\w+),?(?:\s*//.*)?$",
                           sv[sv.index("module board_regs ("):sv.index("\n);")], re.M)
        self.assertEqual(ports, ["clk_i", "rst_ni", "we_i", "re_i", "pop_i", "addr_i", "wdata_i",
                                 "rdata_o", "hit_o", "reg2hw_o", "hw2reg_i"])

    def test_keywords_escaped_in_structs(self):
        self.assertEqual(regmap.sv_ident("type"), "type_")
        self.assertEqual(regmap.sv_ident("release"), "release_")
        self.assertEqual(regmap.sv_ident("set"), "set_")
        self.assertEqual(regmap.sv_ident("en"), "en")


class DriftCheck(unittest.TestCase):
    """--check compares every output, the new package included."""

    def run_check(self, root):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            rc = regmap.main(["--root", root, "--check"])
        return rc, out.getvalue()

    def test_check_flags_a_changed_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, os.path.dirname(regmap.MAP_PATH)))
            shutil.copy(os.path.join(ROOT, regmap.MAP_PATH), os.path.join(tmp, regmap.MAP_PATH))
            regmap.main(["--root", tmp])
            self.assertEqual(self.run_check(tmp)[0], 0)
            for rel in (regmap.OUT_PKG, regmap.OUT_SV, regmap.OUT_H, regmap.OUT_MD):
                path = os.path.join(tmp, rel)
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write("// edited by hand\n")
                rc, out = self.run_check(tmp)
                self.assertEqual(rc, 1, rel)
                self.assertIn(rel, out)
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)


class BadMaps(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(ROOT, regmap.MAP_PATH), encoding="utf-8") as fh:
            self.base = json.load(fh)

    def load(self, doc):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(doc, fh)
            path = fh.name
        try:
            return regmap.load(path)
        finally:
            os.unlink(path)

    def mutate(self, fn):
        doc = copy.deepcopy(self.base)
        fn(doc)
        with self.assertRaises(regmap.MapError):
            self.load(doc)

    def test_duplicate_offset(self):
        self.mutate(lambda d: d["registers"][1].update(offset="0x000"))

    def test_unaligned_offset(self):
        self.mutate(lambda d: d["registers"][1].update(offset="0x006"))

    def test_overlapping_fields(self):
        self.mutate(lambda d: d["registers"][0]["fields"][1].update(bits="16:0"))

    def test_reset_too_wide(self):
        self.mutate(lambda d: d["registers"][0]["fields"][0].update(reset="0x10000"))

    def test_unknown_access(self):
        self.mutate(lambda d: d["registers"][1].update(access="rwx"))

    def test_cxx_keyword_field(self):
        self.mutate(lambda d: d["registers"][1]["fields"][0].update(name="switch"))

    def test_bits_out_of_range(self):
        self.mutate(lambda d: d["registers"][1]["fields"][0].update(bits="32:0"))

    def test_duplicate_field_name(self):
        self.mutate(lambda d: d["registers"][0]["fields"][1].update(name="version"))

    def test_missing_events(self):
        self.mutate(lambda d: d.pop("events"))

    def test_events_register_without_type_field(self):
        self.mutate(lambda d: d["events"].update(register="SCRATCH"))

    def test_event_code_zero(self):
        # 0 is what FIFO_DATA.type reads while the FIFO is empty
        self.mutate(lambda d: d["events"]["types"][0].update(code="0x00"))

    def test_event_code_too_wide(self):
        self.mutate(lambda d: d["events"]["types"][0].update(code="0x100"))

    def test_duplicate_event_code(self):
        self.mutate(lambda d: d["events"]["types"][1].update(code="0x01"))

    def test_duplicate_event_name(self):
        self.mutate(lambda d: d["events"]["types"][1].update(name="panel"))

    def test_event_name_keyword(self):
        self.mutate(lambda d: d["events"]["types"][1].update(name="module"))

    def test_payload_field_beyond_payload(self):
        self.mutate(lambda d: d["events"]["types"][0]["payload"][4].update(bits="16:12"))

    def test_payload_fields_overlap(self):
        self.mutate(lambda d: d["events"]["types"][0]["payload"][1].update(bits="7:3"))


if __name__ == "__main__":
    unittest.main()
