#!/usr/bin/env python3
"""Self-test of the register-map generator: the real map loads and obeys the invariants,
and malformed maps are rejected with a MapError (stdlib unittest)."""

import copy
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import regmap  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class RealMap(unittest.TestCase):
    def setUp(self):
        self.doc, self.regs, self.arrays = regmap.load(os.path.join(ROOT, regmap.MAP_PATH))

    def test_id_register_at_zero(self):
        r = self.regs[0]
        self.assertEqual((r.name, r.offset, r.reset), ("ID", 0, 0x7E4E0001))

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
        h = regmap.generate(ROOT)[regmap.OUT_H]
        self.assertIn("std::array<RegInfo, %d> kRegisters" % len(self.regs), h)
        for r in self.regs:
            self.assertIn('{"%s", 0x%03X,' % (r.name, r.offset), h)


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


if __name__ == "__main__":
    unittest.main()
