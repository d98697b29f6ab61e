"""tern register-map model: loads fpga/regmap/board.json, validates it and gives the
generators (regmap_sv, regmap_cxx, regmap_md) one checked view of registers, fields and FIFO
events. Python 3 standard library only."""

import json
import re

MAP_PATH = "fpga/regmap/board.json"

ACCESS = ("rw", "ro", "rw1c", "wo")
FLAGS = ("volatile", "side_effect")
CXX_KEYWORDS = {"switch", "case", "default", "int", "char", "bool", "class", "struct", "new",
                "delete", "and", "or", "not", "xor", "register", "const", "auto", "for", "if"}
SV_KEYWORDS = {"type", "logic", "input", "output", "module", "wire", "reg", "begin", "end"}


class MapError(Exception):
    pass


def parse_int(v):
    if isinstance(v, int):
        return v
    return int(str(v), 0)


def parse_bits(s):
    s = str(s)
    if ":" in s:
        hi, lo = (int(x) for x in s.split(":"))
    else:
        hi = lo = int(s)
    if not 0 <= lo <= hi <= 31:
        raise MapError("bad bit range %r" % s)
    return hi, lo


class Field:
    def __init__(self, reg, d):
        self.name = d["name"]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise MapError("%s: bad field name %r" % (reg.name, self.name))
        if self.name in CXX_KEYWORDS:
            raise MapError("%s: field name %r is a C++ keyword" % (reg.name, self.name))
        self.hi, self.lo = parse_bits(d["bits"])
        self.width = self.hi - self.lo + 1
        self.reset = parse_int(d.get("reset", 0))
        if self.reset >> self.width:
            raise MapError("%s.%s: reset 0x%x does not fit" % (reg.name, self.name, self.reset))
        self.desc = d.get("desc", "")
        self.mask = ((1 << self.width) - 1) << self.lo
        self.sv = "%s_%s" % (reg.name.lower(), self.name)


class Register:
    def __init__(self, d, name=None, offset=None):
        self.name = name or d["name"]
        self.base = d["name"]
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", self.name):
            raise MapError("bad register name %r" % self.name)
        self.offset = parse_int(d["offset"]) if offset is None else offset
        if self.offset % 4 or not 0 <= self.offset <= 0xFFFC:
            raise MapError("%s: offset 0x%x not 4-aligned 16-bit" % (self.name, self.offset))
        self.access = d["access"]
        if self.access not in ACCESS:
            raise MapError("%s: unknown access %r" % (self.name, self.access))
        self.const = bool(d.get("const", False))
        self.pop = bool(d.get("pop", False))
        self.hwwrite = bool(d.get("hwwrite", False))
        self.qe = bool(d.get("qe", False))
        self.flags = list(d.get("flags", []))
        for f in self.flags:
            if f not in FLAGS:
                raise MapError("%s: unknown flag %r" % (self.name, f))
        if self.const and self.access != "ro":
            raise MapError("%s: const needs access ro" % self.name)
        if self.pop and self.access != "ro":
            raise MapError("%s: pop needs access ro" % self.name)
        if self.hwwrite and self.access != "rw":
            raise MapError("%s: hwwrite needs access rw" % self.name)
        self.desc = d.get("desc", "")
        self.fields = [Field(self, f) for f in d["fields"]]
        used = 0
        for f in self.fields:
            if used & f.mask:
                raise MapError("%s: field %s overlaps" % (self.name, f.name))
            used |= f.mask
        self.mask = used
        self.reset = 0
        for f in self.fields:
            self.reset |= f.reset << f.lo
        if self.access == "wo":
            self.reset_read = 0
        else:
            self.reset_read = self.reset
        self.sv = self.name.lower()

    @property
    def rw_mask(self):
        return self.mask if self.access == "rw" else 0

    @property
    def w1c_mask(self):
        return self.mask if self.access == "rw1c" else 0

    @property
    def read_mask(self):
        return 0 if self.access == "wo" else self.mask


def load(path):
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    regs = []
    arrays = []
    for d in doc["registers"]:
        count = int(d.get("count", 1))
        if count > 1:
            stride = parse_int(d.get("stride", 4))
            base = parse_int(d["offset"])
            arrays.append((d["name"], base, stride, count))
            for i in range(count):
                regs.append(Register(d, name="%s%d" % (d["name"], i), offset=base + i * stride))
        else:
            regs.append(Register(d))
    seen = {}
    for r in regs:
        if r.offset in seen:
            raise MapError("%s and %s share offset 0x%x" % (r.name, seen[r.offset], r.offset))
        seen[r.offset] = r.name
    names = [r.name for r in regs]
    if len(set(names)) != len(names):
        raise MapError("duplicate register names")
    regs.sort(key=lambda r: r.offset)
    return doc, regs, arrays



def bits(f):
    return "%d" % f.lo if f.width == 1 else "%d:%d" % (f.hi, f.lo)


def camel(name):
    return "".join(p.capitalize() for p in name.lower().split("_"))



def hx(v, digits):
    return "0x%0*X" % (digits, parse_int(v))

