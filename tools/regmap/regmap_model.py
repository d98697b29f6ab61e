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
# IEEE 1800-2017 reserved words. A field or event name that is one of them (FIFO_DATA.type,
# PANEL_EVT_EN.release) gets a trailing underscore as a struct member in board_reg_pkg.
SV_KEYWORDS = set("""
accept_on alias always always_comb always_ff always_latch and assert assign assume automatic
before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez cell chandle
checker class clocking cmos config const constraint context continue cover covergroup
coverpoint cross deassign default defparam design disable dist do edge else end endcase
endchecker endclass endclocking endconfig endfunction endgenerate endgroup endinterface
endmodule endpackage endprimitive endprogram endproperty endspecify endsequence endtable
endtask enum event eventually expect export extends extern final first_match for force
foreach forever fork forkjoin function generate genvar global highz0 highz1 if iff ifnone
ignore_bins illegal_bins implements implies import incdir include initial inout input inside
instance int integer interconnect interface intersect join join_any join_none large let
liblist library local localparam logic longint macromodule matches medium modport module
nand negedge nettype new nexttime nmos nor noshowcancelled not notif0 notif1 null or output
package packed parameter pmos posedge primitive priority program property protected pull0
pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure rand randc randcase
randsequence rcmos real realtime ref reg reject_on release repeat restrict return rnmos rpmos
rtran rtranif0 rtranif1 s_always s_eventually s_nexttime s_until s_until_with scalared
sequence shortint shortreal showcancelled signed small soft solve specify specparam static
string strong strong0 strong1 struct super supply0 supply1 sync_accept_on sync_reject_on
table tagged task this throughout time timeprecision timeunit tran tranif0 tranif1 tri tri0
tri1 triand trior trireg type typedef union unique unique0 unsigned until until_with untyped
use uwire var vectored virtual void wait wait_order wand weak weak0 weak1 while wildcard wire
with within wor xnor xor
""".split())


# Names Verilator's -Wall rejects as struct members (SYMRSVDWORD: "C++ common word") that
# the map uses; fpga_lint reports any new one.
SV_AVOID = SV_KEYWORDS | {"set"}


def sv_ident(name):
    """A struct member name for `name` that is not a SystemVerilog keyword (INTR_TEST.set,
    a word Verilator reserves, is escaped the same way)."""
    return name + "_" if name in SV_AVOID else name


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
        self.member = sv_ident(self.name)  # in the board_reg_pkg structs


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
        if len({f.name for f in self.fields}) != len(self.fields):
            raise MapError("%s: duplicate field names" % self.name)
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
        # Member in the board_reg_pkg structs: PWM_DUTY2 is element 2 of the array pwm_duty.
        self.index = None if offset is None or self.base == self.name else \
            int(self.name[len(self.base):])
        self.member = self.sv if self.index is None else "%s[%d]" % (self.base.lower(), self.index)

    @property
    def rw_mask(self):
        return self.mask if self.access == "rw" else 0

    @property
    def w1c_mask(self):
        return self.mask if self.access == "rw1c" else 0

    @property
    def read_mask(self):
        return 0 if self.access == "wo" else self.mask


class EventField:
    """One bit field of an event payload."""

    def __init__(self, etype, d, payload_width):
        self.name = d["name"]
        where = "event %s" % etype
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise MapError("%s: bad payload field name %r" % (where, self.name))
        self.hi, self.lo = parse_bits(d["bits"])
        if self.hi >= payload_width:
            raise MapError("%s.%s: bits %s beyond the %d-bit payload" %
                           (where, self.name, d["bits"], payload_width))
        self.width = self.hi - self.lo + 1
        self.mask = ((1 << self.width) - 1) << self.lo
        self.desc = d.get("desc", "")
        self.member = sv_ident(self.name)


class EventType:
    """One FIFO event type: its code in FIFO_DATA.type and its payload layout."""

    def __init__(self, d, type_width, payload_width):
        self.name = d["name"]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name) or self.name in CXX_KEYWORDS \
                or self.name in SV_AVOID:
            raise MapError("bad event type name %r" % self.name)
        self.code = parse_int(d["code"])
        # Code 0 is what FIFO_DATA reads while the FIFO is empty.
        if not 0 < self.code < (1 << type_width):
            raise MapError("event %s: code 0x%x not in 1..0x%x" %
                           (self.name, self.code, (1 << type_width) - 1))
        self.desc = d.get("desc", "")
        self.fields = [EventField(self.name, f, payload_width) for f in d.get("payload", [])]
        if len({f.name for f in self.fields}) != len(self.fields):
            raise MapError("event %s: duplicate payload field names" % self.name)
        used = 0
        for f in self.fields:
            if used & f.mask:
                raise MapError("event %s: payload field %s overlaps" % (self.name, f.name))
            used |= f.mask
        self.camel = camel(self.name)

    def layout(self, payload_width):
        """Payload fields MSB first, with the unused gaps as ("reserved", hi, lo) tuples."""
        out = []
        top = payload_width - 1
        for f in sorted(self.fields, key=lambda f: -f.lo):
            if f.hi < top:
                out.append(("reserved", top, f.hi + 1))
            out.append(f)
            top = f.lo - 1
        if top >= 0:
            out.append(("reserved", top, 0))
        return out


class Events:
    """The events section: the FIFO word is the type and payload fields of one register."""

    def __init__(self, d, regs):
        if d is None:
            raise MapError("missing events section")
        self.desc = d.get("desc", "")
        byname = {r.name: r for r in regs}
        reg = byname.get(d.get("register", ""))
        if reg is None:
            raise MapError("events: register %r not in the map" % d.get("register"))
        fields = {f.name: f for f in reg.fields}
        if "type" not in fields or "payload" not in fields:
            raise MapError("events: %s needs fields 'type' and 'payload'" % reg.name)
        self.register = reg
        self.type_width = fields["type"].width
        self.payload_width = fields["payload"].width
        self.types = [EventType(t, self.type_width, self.payload_width) for t in d["types"]]
        if not self.types:
            raise MapError("events: no types")
        for attr in ("name", "code"):
            vals = [getattr(t, attr) for t in self.types]
            if len(set(vals)) != len(vals):
                raise MapError("events: duplicate type %ss" % attr)


def reg2hw_parts(r):
    """(field parts, register parts) of r in board_reg_pkg::board_reg2hw_t; ([], []) if r is not in it."""
    fparts = ["q"] if r.access in ("rw", "rw1c", "wo") else []
    rparts = []
    if r.access == "wo" or r.qe:
        rparts.append("qe")
    if r.pop:
        rparts.append("re")
    return fparts, rparts


def hw2reg_parts(r):
    """Field parts of r in board_reg_pkg::board_hw2reg_t; [] if r is not in it."""
    if r.access == "ro" and not r.const:
        return ["d"]
    if r.access == "rw1c" or r.hwwrite:
        return ["d", "de"]
    return []


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
    events = Events(doc.get("events"), regs)
    return doc, regs, arrays, events


def bits(f):
    return "%d" % f.lo if f.width == 1 else "%d:%d" % (f.hi, f.lo)


def camel(name):
    return "".join(p.capitalize() for p in name.lower().split("_"))


def hx(v, digits):
    return "0x%0*X" % (digits, parse_int(v))

