#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target to corpus/<target>/ (this folder).

The seeds are a handful of small valid inputs per target and a few near-valid ones (one
field off), so the fuzzers start next to the interesting paths. The formats are written out
here from their specifications (chunk.cpp, protocol.h, spi_frame.h, messages.h); a seed that
no longer matches its format shows as a fuzz target rejecting it, not as a failure.
Run it again after a format change: python3 tests/fuzz/make_corpus.py
"""
import hashlib
import json
import os
import re
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- chunk and envelope

def zstd_raw_frame(raw):
    """A zstd frame holding `raw` as one uncompressed block, with its content size."""
    if len(raw) < 256:
        header = bytes([0x20, len(raw)])  # single segment, 1-byte content size
    else:
        header = bytes([0x60]) + struct.pack("<H", len(raw) - 256)
    block = struct.pack("<I", 1 | (len(raw) << 3))[:3]  # last block, raw
    return b"\x28\xb5\x2f\xfd" + header + block + raw


def records(recs):
    return b"".join(struct.pack("<QQI", ts, seq, len(p)) + p for ts, seq, p in recs)


def chunk(recs, source=b"vib", kind=0, prio=2, codec=0, channels=0, parents=(), seq=1,
          t_first=None, t_last=None, origin=7, boot=1, tags=()):
    raw = records(recs)
    body = zstd_raw_frame(raw) if codec == 1 else raw
    if t_first is None:
        t_first = recs[0][0] if recs else 0
        t_last = recs[-1][0] if recs else 0
    out = struct.pack("<IHI", 0x434E5254, 2 if tags else 1, origin)
    out += struct.pack("<H", len(source)) + source
    out += struct.pack("<BBBBIQQQIHI", kind, prio, codec, 0, boot, seq, t_first, t_last,
                       len(recs), channels, len(raw))
    out += hashlib.sha256(raw).digest()
    out += struct.pack("<H", len(parents)) + b"".join(parents)
    if tags:  # version 2: u8 count, then each tag as u8 length + bytes, sorted
        out += struct.pack("<B", len(tags)) + b"".join(
            struct.pack("<B", len(t)) + t for t in sorted(tags))
    out += struct.pack("<I", len(body)) + body
    return out


def samples(*values):
    return struct.pack("<%dd" % len(values), *values)


def blob_part(name, total, offset, data):
    return struct.pack("<H", len(name)) + name + struct.pack("<QQ", total, offset) + data


def envelope(kind, sender, request, wire, id_=None):
    id_ = id_ if id_ is not None else hashlib.sha256(wire).digest()
    return struct.pack("<IBBIQ", 0x4D4E5254, 2, kind, sender, request) + id_ + bytes(64) + wire


def chunks():
    t0 = 1795255200000 << 16
    vib = [(t0 + i, i, samples(0.5 * i, -1.0, 2.5)) for i in range(3)]
    c = {
        "samples_raw": chunk(vib, channels=3),
        "samples_zstd": chunk(vib, channels=3, codec=1, prio=1),
        "blob": chunk([(t0, 0, blob_part(b"frame-0001.jpg", 10, 0, b"\xff\xd8\xff\xe0JFIF"))],
                      source=b"frames", kind=1, prio=3),
        "event": chunk([(t0, 5, b'{"alarm":"door"}')], source=b"feed", kind=2, prio=0),
        "result": chunk([(t0, 0, b'{"mean":1.5}')], source=b"stats", kind=3,
                        parents=(hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest())),
        "empty": chunk([], source=b"x"),
        "tagged": chunk(vib, channels=3, tags=(b"bearing", b"line2")),
    }
    for name, wire in c.items():
        write("chunk", name, wire)
    bad_hash = bytearray(c["samples_raw"])
    bad_hash[60] ^= 1  # inside the body hash
    write("chunk", "near_bad_hash", bytes(bad_hash))
    write("chunk", "near_truncated", c["event"][:40])
    write("chunk", "near_unsorted_tags",
          chunk(vib, channels=3, tags=(b"a", b"b")).replace(b"\x01a\x01b", b"\x01b\x01a"))
    write("chunk", "near_reversed_time",
          chunk(vib, channels=3, t_first=t0 + 9, t_last=t0))

    write("envelope", "up_samples", envelope(1, 7, 0, c["samples_raw"]))
    write("envelope", "put_zstd", envelope(2, 9, 12345, c["samples_zstd"]))
    write("envelope", "put_blob", envelope(2, 3, 1, c["blob"]))
    write("envelope", "near_wrong_id", envelope(1, 7, 0, c["event"], id_=b"\x00" * 32))
    write("envelope", "near_no_chunk", envelope(1, 7, 0, b"")[:50])


# ---------------------------------------------------------------- control messages

def messages():
    cid = "ab" * 32
    other = "cd" * 32
    settings = {"name": "line-1", "priority": "high", "weight": 3, "kinds": "samples,event",
                "max_bytes_per_s": 1048576, "protocol": 1}
    m = {
        "register": {"name": "vib-1", "store_path": "/var/lib/tern", "capacity": 10737418240},
        "registered": {"name": "vib-1", "addr": 2, "protocol": 1, "settings": settings},
        "refused": {"id": cid, "reason": "kind blob not permitted"},
        "hb": {"addr": 2, "name": "vib-1", "cpu": 0.25, "used": 1000, "capacity": 5000,
               "queue": 3, "outbox_bytes": 4096, "counters": {"records": 10, "rejected_down": 0}},
        "offline": {"addr": 2},
        "members": {"nodes": [{"addr": 1, "name": "core", "state": "live", "load": 0.1},
                              {"addr": 2, "name": "vib-1", "state": "suspect", "load": 0.9}]},
        "stored": {"id": cid, "holder": 3, "origin": 2, "source": "vib", "seq": 9,
                   "t_first": 100, "t_last": 200, "records": 4, "bytes": 512, "priority": 2,
                   "kind": 0},
        "dropped": {"id": cid, "holder": 3},
        "put_ack": {"id": cid, "holder": 3},
        "put_nack": {"id": cid, "holder": 3, "reason": "disk full"},
        "restate_nack": {"id": cid, "holder": 3, "reason": "not held"},
        "ack": {"id": cid, "holders": [2, 3, 4]},
        "throttle": {"id": cid, "reason": "over 1M/s", "retry_after_ms": 250},
        "result": {"id": cid, "processor": "zscore", "origin": 2, "origin_name": "vib-1",
                   "source": "vib", "source_chunk": other, "source_seq": 9, "source_chunks": 1,
                   "anomalies": 1,
                   "summary": {"anomalies": [{"channel": 0, "z": 7.5}], "rows": 100}},
        "settings": {"settings": settings},
        "restate": {"id": cid, "to": 2},
        "delete": {"id": cid},
    }
    for type_, fields in m.items():
        write("messages", type_, json.dumps(dict({"v": 1, "type": type_}, **fields)))
    write("messages", "refused_registration", json.dumps({"v": 1, "type": "refused",
                                                          "reason": "name taken"}))
    write("messages", "near_version_2", json.dumps({"v": 2, "type": "delete", "id": cid}))
    write("messages", "near_short_id", json.dumps({"v": 1, "type": "delete", "id": cid[:62]}))
    write("messages", "near_negative", json.dumps({"v": 1, "type": "hb", "addr": 2, "used": -1}))
    write("messages", "near_deep", '{"v":1,"type":"result","summary":' + "[" * 33 + "]" * 33 + "}")
    write("messages", "near_unknown_type", json.dumps({"v": 1, "type": "hello"}))


# ---------------------------------------------------------------- config

def configs():
    write("config", "edge_full",
          "# a site box\nnode.name = vib-1\nnode.capacity = 20G\nmqtt.port = 1884\n"
          "chunk.window = 50ms\nchunk.max_bytes = 128K\nchunk.codec = raw\n"
          "source.synthetic.rate = 2500.5\nsource.synthetic.enabled = false\n"
          "source.feed.format = csv\nsource.feed.priority = alarm\n"
          "replication.timeout = 2s\nheartbeat.interval = 1m\n")
    # After a 0xFF byte: one --set override a line.
    write("config", "overrides", b"node.name = a\n\xffmqtt.port=1885\nchunk.window=1s\n")
    write("config", "comments_blank", "\n   # only comments\n\t\nlog.level = debug # tail\n")
    write("config", "hex_and_units", "outbox.max_bytes = 0x10000000\nnode.capacity = 1GiB\n")
    write("config", "near_bad_unit", "chunk.window = 5 parsecs\n")
    write("config", "near_unknown_key", "mqtt.prot = 1883\n")
    write("config", "near_no_equals", "node.name vib-1\n")
    write("config", "near_out_of_range", "mqtt.port = 70000\n")


# ---------------------------------------------------------------- SPI frames

def crc8(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def reply(status, rdata, bad_crc=False):
    r = bytes([status]) + struct.pack(">I", rdata)
    return r + bytes([crc8(r) ^ (1 if bad_crc else 0)])


def register_names():
    """The register names of board_regs.h's kRegisters, in table order."""
    path = os.path.join(HERE, "..", "..", "hw", "include", "tern", "hw", "board_regs.h")
    text = open(path).read()
    table = text[text.index("kRegisters{{"):]
    table = table[:table.index("}};")]
    return re.findall(r'\{"(\w+)", 0x', table)


def spi():
    # op byte: bit 7 write; bits 0..6 modulo (registers + 1) pick a register by its index in
    # kRegisters, the last value an address from the next two bytes (big-endian).
    names = register_names()
    fifo = names.index("FIFO_DATA")
    escape = len(names)
    ok = 0xA0
    write("spi_frame", "read_ok", bytes([0x00]) + reply(ok, 0x12345678))
    write("spi_frame", "write_applied", bytes([0x81]) + b"\xde\xad\xbe\xef" + reply(ok | 4, 0))
    write("spi_frame", "write_not_applied", bytes([0x81]) + b"\x00\x00\x00\x01" + reply(ok, 0))
    write("spi_frame", "bad_request_then_ok",
          bytes([0x01]) + reply(ok | 8, 0) + reply(ok | 3, 0xCAFE))
    write("spi_frame", "crc_then_ok", bytes([0x00]) + reply(ok, 5, bad_crc=True) + reply(ok, 5))
    write("spi_frame", "stuck_low", bytes([0x00]) + b"\x00" * 18)
    write("spi_frame", "stuck_high_write", bytes([0x80]) + b"\x00\x00\x00\x02" + b"\xff" * 6)
    write("spi_frame", "bad_pattern", bytes([0x00]) + reply(0x50, 1) * 3)
    write("spi_frame", "script_ends", bytes([0x00]) + reply(ok, 1)[:3])
    write("spi_frame", "fifo_pop_crc", bytes([fifo]) + reply(ok, 0x80000001, bad_crc=True))
    write("spi_frame", "fifo_pop_ok", bytes([fifo]) + reply(ok, 0x80000001))
    write("spi_frame", "unmapped", bytes([escape, 0x00, 0x02, 0x80 | escape, 0x7F, 0xFC]) +
          b"\x00\x00\x00\x00")
    write("spi_frame", "many", (bytes([0x00]) + reply(ok, 7)) * 5 +
          bytes([0x81]) + b"\x00\x00\x00\x03" + reply(ok | 4, 0))


# ---------------------------------------------------------------- HTTP query strings

def queries():
    q = {
        "list_range": "source=vib&origin=2&from=2026-11-21T10:00:00Z&to=2026-11-21T11:00:00.5Z"
                      "&limit=50",
        "results_anomalies": "source=vib&anomalies=1&from=1795255200000&limit=1",
        "hlc_bounds": "from=117649785405440000&to=117649785405505535",
        "encoded": "source=line%201&from=2026-11-21%2010%3A00&to=2026-11-22",
        "repeated": "limit=2&limit=99999&source=a",
        "chunk_id": "ab" * 32,
        "near_unknown": "source=vib&form=5",
        "near_reversed": "source=vib&from=2000&to=1000",
        "near_limit": "source=vib&limit=0",
        "near_empty_source": "source=&origin=4294967296",
        "search": "q=bearing%20AND%20line2&from=2026-11-21&limit=20",
        "near_search_control": "q=a%01b",
        "near_search_origin": "q=x&origin=2",
    }
    for name, text in q.items():
        write("http_query", name, text)


def main():
    corpus = os.path.join(HERE, "corpus")
    if os.path.isdir(corpus):
        shutil.rmtree(corpus)
    chunks()
    messages()
    configs()
    spi()
    queries()


if __name__ == "__main__":
    main()
