#!/usr/bin/env python3
"""tern register-map generator (Python 3 standard library only).

One JSON source (fpga/regmap/board.json) describes every register once. This script
produces, byte-for-byte deterministically:
  fpga/rtl/board_regs.sv            register bank (SystemVerilog, Verilator 5.006 clean)
  hw/include/tern/hw/board_regs.h   C++ header: namespace tern::hw::regs
  docs/register_map.md              register documentation

Usage:
  regmap.py --root <repo>                 regenerate the committed outputs in place
  regmap.py --root <repo> --out-dir <dir> write the outputs under <dir> (same relative paths)
  regmap.py --root <repo> --check         regenerate into a temp dir, compare with the
                                          committed files, exit 1 with a diff on drift
"""

import argparse
import difflib
import json
import os
import re
import sys
import tempfile

MAP_PATH = "fpga/regmap/board.json"
OUT_SV = "fpga/rtl/board_regs.sv"
OUT_H = "hw/include/tern/hw/board_regs.h"
OUT_MD = "docs/register_map.md"

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


# --------------------------------------------------------------------------------------------
# SystemVerilog register bank
# --------------------------------------------------------------------------------------------

def sv_width(w):
    return "" if w == 1 else "[%d:0] " % (w - 1)


def sv_lit(w, v):
    return "%d'h%X" % (w, v)


def gen_sv(doc, regs):
    o = []
    a = o.append
    a("// Generated by tools/regmap/regmap.py from %s. DO NOT EDIT." % MAP_PATH)
    a("// Register bank of the tern control board. Interface: one-cycle we_i/re_i/pop_i strobes")
    a("// from the SPI slave; rdata_o/hit_o decode addr_i while re_i is high (0 otherwise, so")
    a("// the read mux costs nothing in simulation on the other clocks).")
    a("`default_nettype none")
    a("")
    a("module board_regs (")
    a("  input  logic        clk_i,")
    a("  input  logic        rst_ni,")
    a("  input  logic        we_i,      // write strobe: wdata_i to addr_i (one cycle)")
    a("  input  logic        re_i,      // decode addr_i: drive rdata_o and hit_o (one cycle)")
    a("  input  logic        pop_i,     // read frame at addr_i completed (read side effects)")
    a("  input  logic [15:0] addr_i,    // byte address")
    a("  input  logic [31:0] wdata_i,")
    a("  output logic [31:0] rdata_o,   // combinational read of addr_i while re_i")
    a("  output logic        hit_o,     // addr_i is a mapped register (while re_i)")
    ports = []
    for r in regs:
        if r.access in ("rw", "rw1c"):
            for f in r.fields:
                ports.append("  output logic %s%s_o" % (sv_width(f.width), f.sv))
            if r.access == "rw1c":
                for f in r.fields:
                    ports.append("  input  logic %s%s_set_i" % (sv_width(f.width), f.sv))
            if r.hwwrite:
                for f in r.fields:
                    ports.append("  input  logic %s%s_de_i" % ("", f.sv))
                    ports.append("  input  logic %s%s_d_i" % (sv_width(f.width), f.sv))
        elif r.access == "ro" and not r.const:
            for f in r.fields:
                ports.append("  input  logic %s%s_i" % (sv_width(f.width), f.sv))
        elif r.access == "wo":
            for f in r.fields:
                ports.append("  output logic %s%s_o" % (sv_width(f.width), f.sv))
        if r.access == "wo" or r.qe:
            ports.append("  output logic %s_qe_o" % r.sv)
        if r.pop:
            ports.append("  output logic %s_re_o" % r.sv)
    for i, p in enumerate(ports):
        a(p + ("," if i + 1 < len(ports) else ""))
    a(");")
    a("")
    for r in regs:
        a("  localparam logic [15:0] %sOffset = 16'h%03X;" % (camel(r.name), r.offset))
    a("")
    # write decode: only evaluated on a write strobe
    wregs = [r for r in regs if r.access in ("rw", "rw1c", "wo") or r.qe]
    for r in wregs:
        a("  logic %s_we;" % r.sv)
    a("  always_comb begin")
    for r in wregs:
        a("    %s_we = 1'b0;" % r.sv)
    a("    if (we_i) begin")
    a("      unique case (addr_i)")
    for r in wregs:
        a("        %sOffset: %s_we = 1'b1;" % (camel(r.name), r.sv))
    a("        default: ;")
    a("      endcase")
    a("    end")
    a("  end")
    a("")
    # storage
    for r in regs:
        if r.access not in ("rw", "rw1c"):
            continue
        if r.access == "rw" and not r.hwwrite:
            # plain rw: a flop with a write enable
            a("  // %s (%s)" % (r.name, r.access))
            for f in r.fields:
                a("  logic %s%s_q;" % (sv_width(f.width), f.sv))
            a("  always_ff @(posedge clk_i or negedge rst_ni) begin")
            a("    if (!rst_ni) begin")
            for f in r.fields:
                a("      %s_q <= %s;" % (f.sv, sv_lit(f.width, f.reset)))
            a("    end else if (%s_we) begin" % r.sv)
            for f in r.fields:
                a("      %s_q <= wdata_i[%s];" % (f.sv, bits(f)))
            a("    end")
            a("  end")
            for f in r.fields:
                a("  assign %s_o = %s_q;" % (f.sv, f.sv))
            a("")
            continue
        if r.access == "rw1c":
            # rw1c: one vector for the register; hardware set wins over a software clear
            w = max(f.hi for f in r.fields) + 1
            mask = r.mask & ((1 << w) - 1)
            a("  // %s (%s)" % (r.name, r.access))
            a("  logic [%d:0] %s_d, %s_q, %s_set;" % (w - 1, r.sv, r.sv, r.sv))
            a("  always_comb begin")
            a("    %s_set = '0;" % r.sv)
            for f in r.fields:
                a("    %s_set[%s] = %s_set_i;" % (r.sv, bits(f), f.sv))
            a("    %s_d = %s_q | %s_set;" % (r.sv, r.sv, r.sv))
            a("    if (%s_we) %s_d = ((%s_q & ~wdata_i[%d:0]) | %s_set) & %d'h%X;" %
              (r.sv, r.sv, r.sv, w - 1, r.sv, w, mask))
            a("  end")
            a("  always_ff @(posedge clk_i or negedge rst_ni) begin")
            a("    if (!rst_ni) begin")
            a("      %s_q <= %s;" % (r.sv, sv_lit(w, r.reset & mask)))
            a("    end else begin")
            a("      %s_q <= %s_d;" % (r.sv, r.sv))
            a("    end")
            a("  end")
            for f in r.fields:
                a("  assign %s_o = %s_q[%s];" % (f.sv, r.sv, bits(f)))
            a("")
            continue
        a("  // %s (%s)" % (r.name, r.access))
        for f in r.fields:
            a("  logic %s%s_d, %s_q;" % (sv_width(f.width), f.sv, f.sv))
        a("  always_comb begin")
        for f in r.fields:
            a("    %s_d = %s_q;" % (f.sv, f.sv))
        if r.hwwrite:
            for f in r.fields:
                a("    if (%s_de_i) %s_d = %s_d_i;" % (f.sv, f.sv, f.sv))
        if r.access == "rw":
            a("    if (%s_we) begin" % r.sv)
            for f in r.fields:
                a("      %s_d = wdata_i[%s];" % (f.sv, bits(f)))
            a("    end")
        else:
            a("    if (%s_we) begin" % r.sv)
            for f in r.fields:
                a("      %s_d = %s_q & ~wdata_i[%s];" % (f.sv, f.sv, bits(f)))
            a("    end")
            for f in r.fields:
                a("    %s_d = %s_d | %s_set_i;" % (f.sv, f.sv, f.sv))
        a("  end")
        a("  always_ff @(posedge clk_i or negedge rst_ni) begin")
        a("    if (!rst_ni) begin")
        for f in r.fields:
            a("      %s_q <= %s;" % (f.sv, sv_lit(f.width, f.reset)))
        a("    end else begin")
        for f in r.fields:
            a("      %s_q <= %s_d;" % (f.sv, f.sv))
        a("    end")
        a("  end")
        for f in r.fields:
            a("  assign %s_o = %s_q;" % (f.sv, f.sv))
        a("")
    # strobes
    for r in regs:
        if r.access == "wo":
            for f in r.fields:
                a("  assign %s_o = wdata_i[%s];" % (f.sv, bits(f)))
        if r.access == "wo" or r.qe:
            a("  assign %s_qe_o = %s_we;" % (r.sv, r.sv))
        if r.pop:
            a("  assign %s_re_o = pop_i & (addr_i == %sOffset);" % (r.sv, camel(r.name)))
    a("")
    # read mux: only evaluated on a decode strobe
    a("  always_comb begin")
    a("    rdata_o = 32'h0;")
    a("    hit_o   = 1'b0;")
    a("    if (re_i) begin")
    a("      unique case (addr_i)")
    for r in regs:
        a("        %sOffset: begin" % camel(r.name))
        a("          hit_o = 1'b1;")
        if r.access != "wo":
            for f in r.fields:
                if r.access == "rw1c":
                    src = "%s_q[%s]" % (r.sv, bits(f))
                elif r.access == "rw":
                    src = "%s_q" % f.sv
                elif r.const:
                    src = sv_lit(f.width, f.reset)
                else:
                    src = "%s_i" % f.sv
                a("          rdata_o[%s] = %s;" % (bits(f), src))
        a("        end")
    a("        default: ;")
    a("      endcase")
    a("    end")
    a("  end")
    a("")
    a("endmodule")
    a("")
    a("`default_nettype wire")
    return "\n".join(o) + "\n"


def bits(f):
    return "%d" % f.lo if f.width == 1 else "%d:%d" % (f.hi, f.lo)


def camel(name):
    return "".join(p.capitalize() for p in name.lower().split("_"))


# --------------------------------------------------------------------------------------------
# C++ header
# --------------------------------------------------------------------------------------------

def gen_h(doc, regs, arrays):
    link = doc["link"]
    o = []
    a = o.append
    a("// Generated by tools/regmap/regmap.py from %s. DO NOT EDIT." % MAP_PATH)
    a("// tern control-board register map: offsets, fields, reset values, access kinds, the")
    a("// SPI link constants and a constexpr table of every register for generic tests.")
    a("#pragma once")
    a("")
    a("#include <array>")
    a("#include <cstddef>")
    a("#include <cstdint>")
    a("#include <string_view>")
    a("")
    a("namespace tern::hw::regs {")
    a("")
    a("enum class Access : std::uint8_t {")
    a("  kRw,    // software read/write, stored in the bank")
    a("  kRo,    // read-only (hardware value or constant)")
    a("  kRw1c,  // read; write 1 clears; hardware sets")
    a("  kWo,    // write-only strobe; reads 0")
    a("};")
    a("")
    a("// RegInfo::flags bits.")
    a("inline constexpr std::uint32_t kFlagVolatile = 1u << 0;    // hardware may change it any time")
    a("inline constexpr std::uint32_t kFlagSideEffect = 1u << 1;  // a write does more than store bits")
    a("inline constexpr std::uint32_t kFlagPop = 1u << 2;         // completed read pops (FIFO)")
    a("inline constexpr std::uint32_t kFlagConst = 1u << 3;       // read-only constant")
    a("inline constexpr std::uint32_t kFlagHwWrite = 1u << 4;     // hardware also writes it")
    a("")
    a("struct RegInfo {")
    a("  std::string_view name;")
    a("  std::uint16_t offset;")
    a("  std::uint32_t reset;    // value read after reset (inputs idle)")
    a("  std::uint32_t mask;     // defined bits")
    a("  std::uint32_t rw_mask;  // bits that read back what was written")
    a("  Access access;")
    a("  std::uint32_t flags;")
    a("};")
    a("")
    a("// ---- SPI link ----")
    a("namespace link {")
    a("inline constexpr std::uint8_t kCmdRead = %s;" % hx(link["cmd_read"], 2))
    a("inline constexpr std::uint8_t kCmdWrite = %s;" % hx(link["cmd_write"], 2))
    a("inline constexpr std::size_t kFrameBytes = %d;" % link["frame_bytes"])
    a("inline constexpr std::size_t kRequestBytes = %d;  // cmd, addr[2], data[4], crc" %
      link["request_bytes"])
    a("inline constexpr std::size_t kReplyBytes = %d;    // status, rdata[4], crc" %
      link["reply_bytes"])
    a("inline constexpr std::size_t kFrameBits = kFrameBytes * 8;")
    a("inline constexpr std::uint8_t kCrcPoly = %s;  // x^8+x^2+x+1, init 0, no reflection"
      % hx(link["crc_poly"], 2))
    a("inline constexpr std::uint8_t kCrcInit = %s;" % hx(link["crc_init"], 2))
    a("inline constexpr std::uint8_t kStatusPattern = %s;  // status & kStatusPatternMask" %
      hx(link["status_pattern"], 2))
    a("inline constexpr std::uint8_t kStatusPatternMask = %s;" % hx(link["status_pattern_mask"], 2))
    a("inline constexpr std::uint8_t kStatusBad = 1u << %d;           // request rejected" %
      link["status_bad"])
    a("inline constexpr std::uint8_t kStatusWriteApplied = 1u << %d;  // write applied" %
      link["status_write_applied"])
    a("inline constexpr std::uint8_t kStatusSafe = 1u << %d;          // board in safe state" %
      link["status_safe"])
    a("inline constexpr std::uint8_t kStatusIrq = 1u << %d;           // IRQ pending" %
      link["status_irq"])
    a("inline constexpr std::uint32_t kWdogKickKey = %s;" % hx(link["wdog_kick_key"], 8))
    a("inline constexpr std::uint32_t kSysClkHz = %du;" % link["sysclk_hz"])
    a("")
    a("// CRC-8, polynomial 0x07, init 0, MSB first, no reflection, no xor-out.")
    a("constexpr std::uint8_t crc8(const std::uint8_t* data, std::size_t n,")
    a("                            std::uint8_t crc = kCrcInit) {")
    a("  for (std::size_t i = 0; i < n; ++i) {")
    a("    crc = static_cast<std::uint8_t>(crc ^ data[i]);")
    a("    for (int b = 0; b < 8; ++b) {")
    a("      crc = static_cast<std::uint8_t>((crc & 0x80u) ? ((crc << 1) ^ kCrcPoly) : (crc << 1));")
    a("    }")
    a("  }")
    a("  return crc;")
    a("}")
    a("")
    a("// True if a reply status byte carries the fixed pattern (catches MISO stuck at 0 or 1).")
    a("constexpr bool status_pattern_ok(std::uint8_t status) {")
    a("  return (status & kStatusPatternMask) == kStatusPattern;")
    a("}")
    a("}  // namespace link")
    a("")
    a("// ---- registers ----")
    for r in regs:
        a("// %s @ 0x%03X (%s): %s" % (r.name, r.offset, r.access, r.desc))
        a("namespace %s {" % r.name.lower())
        a("inline constexpr std::uint16_t kOffset = 0x%03X;" % r.offset)
        a("inline constexpr std::uint32_t kReset = 0x%08X;" % r.reset_read)
        a("inline constexpr std::uint32_t kMask = 0x%08X;" % r.mask)
        a("inline constexpr Access kAccess = Access::%s;" % cxx_access(r.access))
        for f in r.fields:
            a("namespace %s {  // %s" % (f.name, f.desc))
            a("inline constexpr std::uint32_t kMask = 0x%08X;" % f.mask)
            a("inline constexpr unsigned kShift = %d;" % f.lo)
            a("inline constexpr unsigned kWidth = %d;" % f.width)
            a("inline constexpr std::uint32_t kReset = 0x%X;" % f.reset)
            a("}  // namespace %s" % f.name)
        a("}  // namespace %s" % r.name.lower())
        a("")
    for name, base, stride, count in arrays:
        a("// %s0..%s%d as an array." % (name, name, count - 1))
        a("namespace %s {" % name.lower())
        a("inline constexpr std::size_t kCount = %d;" % count)
        a("constexpr std::uint16_t offset(std::size_t i) {")
        a("  return static_cast<std::uint16_t>(0x%03X + %d * i);" % (base, stride))
        a("}")
        a("}  // namespace %s" % name.lower())
        a("")
    a("// Field helpers.")
    a("constexpr std::uint32_t get_field(std::uint32_t reg, std::uint32_t mask, unsigned shift) {")
    a("  return (reg & mask) >> shift;")
    a("}")
    a("constexpr std::uint32_t set_field(std::uint32_t reg, std::uint32_t mask, unsigned shift,")
    a("                                  std::uint32_t value) {")
    a("  return (reg & ~mask) | ((value << shift) & mask);")
    a("}")
    a("")
    a("// Every register, sorted by offset.")
    a("inline constexpr std::array<RegInfo, %d> kRegisters{{" % len(regs))
    for r in regs:
        fl = []
        if "volatile" in r.flags:
            fl.append("kFlagVolatile")
        if "side_effect" in r.flags:
            fl.append("kFlagSideEffect")
        if r.pop:
            fl.append("kFlagPop")
        if r.const:
            fl.append("kFlagConst")
        if r.hwwrite:
            fl.append("kFlagHwWrite")
        a("    {\"%s\", 0x%03X, 0x%08X, 0x%08X, 0x%08X, Access::%s, %s}," %
          (r.name, r.offset, r.reset_read, r.mask, r.rw_mask, cxx_access(r.access),
           " | ".join(fl) if fl else "0"))
    a("}};")
    a("")
    a("// Register by offset, or nullptr.")
    a("constexpr const RegInfo* find(std::uint16_t offset) {")
    a("  for (const auto& r : kRegisters) {")
    a("    if (r.offset == offset) return &r;")
    a("  }")
    a("  return nullptr;")
    a("}")
    a("")
    a("// Register by name, or nullptr.")
    a("constexpr const RegInfo* find(std::string_view name) {")
    a("  for (const auto& r : kRegisters) {")
    a("    if (r.name == name) return &r;")
    a("  }")
    a("  return nullptr;")
    a("}")
    a("")
    a("}  // namespace tern::hw::regs")
    return "\n".join(o) + "\n"


def hx(v, digits):
    return "0x%0*X" % (digits, parse_int(v))


def cxx_access(acc):
    return {"rw": "kRw", "ro": "kRo", "rw1c": "kRw1c", "wo": "kWo"}[acc]


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

def gen_md(doc, regs):
    link = doc["link"]
    o = []
    a = o.append
    a("<!-- Generated by tools/regmap/regmap.py from %s. DO NOT EDIT. -->" % MAP_PATH)
    a("# tern control board register map")
    a("")
    a(doc["description"])
    a("")
    for n in doc.get("notes", []):
        a("- " + n)
    a("")
    a("Host link: SPI mode 0, 14-byte frames, cmd 0x%02X read / 0x%02X write, CRC-8 poly 0x%02X "
      "init 0x%02X; status upper nibble 0x%X. Watchdog kick key 0x%08X. See fpga/README.md." %
      (parse_int(link["cmd_read"]), parse_int(link["cmd_write"]), parse_int(link["crc_poly"]),
       parse_int(link["crc_init"]), parse_int(link["status_pattern"]) >> 4,
       parse_int(link["wdog_kick_key"])))
    a("")
    a("## Summary")
    a("")
    a("| Offset | Name | Access | Reset | Flags | Description |")
    a("|---|---|---|---|---|---|")
    for r in regs:
        fl = list(r.flags)
        if r.pop:
            fl.append("pop")
        if r.const:
            fl.append("const")
        if r.hwwrite:
            fl.append("hwwrite")
        a("| 0x%03X | [%s](#%s) | %s | 0x%08X | %s | %s |" %
          (r.offset, r.name, r.name.lower(), r.access, r.reset_read, ", ".join(fl),
           r.desc.split(". ")[0].rstrip(".") + "."))
    a("")
    a("## Registers")
    for r in regs:
        a("")
        a("### %s" % r.name)
        a("")
        a("Offset 0x%03X, access `%s`, reset 0x%08X." % (r.offset, r.access, r.reset_read))
        a("")
        a(r.desc)
        a("")
        a("| Bits | Field | Reset | Description |")
        a("|---|---|---|---|")
        for f in sorted(r.fields, key=lambda f: -f.lo):
            a("| %s | %s | 0x%X | %s |" % (bits(f), f.name, f.reset, f.desc))
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------------------------

def generate(root):
    doc, regs, arrays = load(os.path.join(root, MAP_PATH))
    return {OUT_SV: gen_sv(doc, regs), OUT_H: gen_h(doc, regs, arrays), OUT_MD: gen_md(doc, regs)}


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
