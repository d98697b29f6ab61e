// ternctl locate / get over the core's HTTP API: see chunk_cmd.h.
#include "chunk_cmd.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "cli_util.h"
#include "tern/common/bytes.h"
#include "tern/common/chunk.h"

namespace tern::tools {
namespace {

// The HTTP API takes a full id or a unique prefix of at least 8 hex digits (and resolves
// it); say what is wrong before asking it.
Status CheckId(const std::string& id) {
  bool hex = id.size() >= 8 && id.size() <= 64;
  for (char c : id) hex = hex && std::isxdigit(static_cast<unsigned char>(c));
  if (!hex) {
    return Status::InvalidArgument("chunk id '" + id +
                                   "': give 8 to 64 hex digits (the id or a unique prefix)");
  }
  return Status::Ok();
}

// The address `origin` names: a number as it is, else the registered node of that name
// (from /api/v1/nodes); NotFound naming it if there is none.
Result<uint32_t> OriginAddr(CoreClient& core, const std::string& origin) {
  bool digits = !origin.empty() && origin.size() <= 10;
  for (char c : origin) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    const unsigned long long v = std::stoull(origin);
    if (v <= 0xffffffffULL) return static_cast<uint32_t>(v);
  }
  auto nodes = core.Get("/api/v1/nodes");
  if (!nodes.ok()) return nodes.status();
  for (const auto& n : nodes->value("nodes", nlohmann::json::array())) {
    if (Str(n, "name") == origin) return static_cast<uint32_t>(Num(n, "addr"));
  }
  return Status::NotFound("--origin '" + origin + "': no node of that name or address at " +
                          core.url());
}

std::string Holders(const nlohmann::json& c) {
  std::string s;
  for (const auto& h : c.value("holders", nlohmann::json::array())) {
    s += (s.empty() ? "" : ", ") + std::to_string(Num(h, "addr")) + ":" + Str(h, "name") + "/" +
         Str(h, "state");
  }
  return s.empty() ? "(none)" : s;
}

void PrintChunk(const nlohmann::json& c) {
  std::cout << "chunk " << Str(c, "id") << "\n"
            << "  origin " << Num(c, "origin") << " " << Str(c, "origin_name") << "  source "
            << Str(c, "source") << "  seq " << Num(c, "seq") << "  kind " << Str(c, "kind_name")
            << "  priority " << Str(c, "priority_name") << "\n"
            << "  time " << FormatMs(Num(c, "t_first_ms")) << " .. "
            << FormatMs(Num(c, "t_last_ms")) << "\n"
            << "  records " << Num(c, "records") << "  bytes " << Num(c, "bytes") << "  spooled "
            << (c.value("spooled", false) ? "yes" : "no") << "  acked "
            << (c.value("acked", false) ? "yes" : "no") << "\n";
  const auto& holders = c.value("holders", nlohmann::json::array());
  std::cout << "  holders (" << holders.size() << "):\n";
  for (const auto& h : holders) {
    std::cout << "    " << std::setw(5) << Num(h, "addr") << "  " << Str(h, "name") << "  "
              << Str(h, "state") << "\n";
  }
  for (const auto& id : c.value("sources", nlohmann::json::array())) {
    std::cout << "  computed from " << id.get<std::string>() << "\n";
  }
  for (const auto& id : c.value("results", nlohmann::json::array())) {
    std::cout << "  result " << id.get<std::string>() << "\n";
  }
}

int Locate(CoreClient& core, const ChunkCmdArgs& a) {
  if (a.id.empty() == a.source.empty()) {
    std::cerr << "ternctl locate: give either a chunk id or --source\n";
    return kExitError;
  }
  if (!a.id.empty()) {
    if (Status s = CheckId(a.id); !s.ok()) return Fail(s);
    auto r = core.Get("/api/v1/chunks/" + a.id);
    if (!r.ok()) return Fail(r.status());
    if (a.json) {
      std::cout << Dump(*r) << "\n";
    } else {
      PrintChunk(*r);
    }
    return kExitOk;
  }
  std::string path = "/api/v1/chunks?source=" + UrlEncode(a.source);
  if (!a.origin.empty()) {
    auto addr = OriginAddr(core, a.origin);
    if (!addr.ok()) return Fail(addr.status());
    if (*addr != 0) path += "&origin=" + std::to_string(*addr);
  }
  if (!a.from.empty()) path += "&from=" + UrlEncode(a.from);
  if (!a.to.empty()) path += "&to=" + UrlEncode(a.to);
  if (a.limit > 0) path += "&limit=" + std::to_string(a.limit);
  auto r = core.Get(path);
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    std::cout << Dump(*r) << "\n";
    return kExitOk;
  }
  const auto& chunks = (*r)["chunks"];
  std::printf("%-66s %-7s %-8s %-26s %-8s %s\n", "CHUNK", "ORIGIN", "SEQ", "FIRST", "RECORDS",
              "HOLDERS");
  for (const auto& c : chunks) {
    std::printf("%-66s %-7lld %-8lld %-26s %-8lld %s\n", Str(c, "id").c_str(),
                static_cast<long long>(Num(c, "origin")), static_cast<long long>(Num(c, "seq")),
                FormatMs(Num(c, "t_first_ms")).c_str(), static_cast<long long>(Num(c, "records")),
                Holders(c).c_str());
  }
  std::cout << chunks.size() << " chunk(s)"
            << (r->value("truncated", false) ? " (truncated: "
                                               "use --limit)"
                                             : "")
            << "\n";
  return kExitOk;
}

// A record's payload as JSON if it is JSON text, else as a string or a hex summary.
nlohmann::json PayloadJson(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  bool printable = true;
  for (char ch : payload) {
    auto c = static_cast<unsigned char>(ch);
    printable = printable && (c >= 0x20 || c == '\t');
  }
  if (printable) return payload;
  return {{"bytes", payload.size()}, {"hex", ToHex(payload.substr(0, 64))}};
}

Status WriteOut(const std::string& path, const ChunkHeader& h, const std::string& wire,
                const std::map<std::string, std::vector<BlobPart>>& blobs) {
  if (h.kind == RecordKind::kBlob && blobs.size() > 1) {
    return Status::InvalidArgument("the chunk holds parts of " + std::to_string(blobs.size()) +
                                   " files; --out takes one");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (h.kind == RecordKind::kBlob && !blobs.empty()) {
    for (const auto& p : blobs.begin()->second) {
      out.seekp(static_cast<std::streamoff>(p.offset));
      out.write(p.data.data(), static_cast<std::streamsize>(p.data.size()));
    }
  } else {
    out.write(wire.data(), static_cast<std::streamsize>(wire.size()));  // the raw chunk
  }
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

int Get(CoreClient& core, const ChunkCmdArgs& a) {
  if (Status s = CheckId(a.id); !s.ok()) return Fail(s);
  std::string id = a.id;
  for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (id.size() < 64) {  // a prefix: the core names the one chunk it means, then the full
                         // id is what the bytes are checked against
    auto entry = core.Get("/api/v1/chunks/" + id);
    if (!entry.ok()) return Fail(entry.status());
    id = Str(*entry, "id");
  }
  const std::string path = "/api/v1/chunks/" + id + "/bytes";
  auto got = core.Call("GET", path);
  if (!got.ok()) return Fail(got.status());
  if (got->status != 200) {
    Status s = core.ErrorFor("GET", path, *got);
    // 503 here is an answer: no live holder had a good copy.
    if (got->status == 503) s = Status::NotFound(s.message());
    return Fail(s);
  }
  const std::string& wire = got->body;
  const std::string holder =
      got->headers.count("x-tern-holder") ? got->headers["x-tern-holder"] : "?";
  if (ToHex(ChunkIdOf(wire)) != id) {
    return Fail(Status::Corruption("chunk " + id + " from " + holder + " via " + core.url() +
                                   ": the bytes hash to " + ToHex(ChunkIdOf(wire))));
  }
  auto view = DecodeChunk(wire);
  if (!view.ok()) return Fail(view.status().WithContext("chunk " + id + " header"));
  auto recs = DecodeRecords(*view);
  if (!recs.ok()) return Fail(recs.status().WithContext("chunk " + id + " body"));
  const ChunkHeader& h = view->header;
  std::map<std::string, std::vector<BlobPart>> blobs;
  if (h.kind == RecordKind::kBlob) {
    for (const auto& r : *recs) {
      auto part = DecodeBlobPart(r.payload);
      if (!part.ok()) {
        return Fail(part.status().WithContext("chunk " + id + " record " + std::to_string(r.seq)));
      }
      blobs[part->name].push_back(std::move(part).value());
    }
  }
  if (!a.out.empty()) {
    if (Status s = WriteOut(a.out, h, wire, blobs); !s.ok()) return Fail(s);
  }
  nlohmann::json parents = nlohmann::json::array();
  for (const auto& p : h.parents) parents.push_back(ToHex(p));
  nlohmann::json head = {{"id", id},
                         {"served_by", holder},
                         {"origin", h.origin},
                         {"source", h.source},
                         {"kind", KindName(h.kind)},
                         {"priority", PriorityName(h.priority)},
                         {"codec", h.codec == Codec::kZstd ? "zstd" : "raw"},
                         {"boot", h.boot},
                         {"seq", h.seq},
                         {"t_first", h.t_first},
                         {"t_last", h.t_last},
                         {"records", h.record_count},
                         {"channels", h.channels},
                         {"raw_len", h.raw_len},
                         {"wire_bytes", wire.size()},
                         {"parents", parents}};
  if (a.json) {
    std::cout << Dump({{"chunk", head}}) << "\n";
  } else {
    std::cout << "chunk " << id << "\n"
              << "  served by " << holder << " (hash checked)\n"
              << "  origin " << h.origin << "  source " << h.source << "  kind " << KindName(h.kind)
              << "  priority " << PriorityName(h.priority) << "  codec "
              << head["codec"].get<std::string>() << "\n"
              << "  boot " << h.boot << "  seq " << h.seq << "  records " << h.record_count
              << "  channels " << h.channels << "  raw " << h.raw_len << " B  wire " << wire.size()
              << " B\n"
              << "  time " << FormatHlc(h.t_first) << " .. " << FormatHlc(h.t_last) << "\n";
    for (const auto& p : parents) std::cout << "  parent " << p.get<std::string>() << "\n";
  }
  if (h.kind == RecordKind::kBlob) {
    for (const auto& [name, parts] : blobs) {
      for (const auto& p : parts) {
        if (a.json) {
          std::cout << Dump({{"blob", name},
                             {"total_size", p.total_size},
                             {"offset", p.offset},
                             {"len", p.data.size()}})
                    << "\n";
        } else {
          std::cout << "  blob " << name << "  bytes " << p.offset << ".."
                    << p.offset + p.data.size() << " of " << p.total_size << "\n";
        }
      }
    }
    if (!a.out.empty() && !a.json) std::cout << "wrote " << a.out << "\n";
    return kExitOk;
  }
  for (const auto& r : *recs) {
    nlohmann::json line = {{"ts", r.ts}, {"seq", r.seq}};
    if (h.kind == RecordKind::kSamples) {
      auto values = DecodeSamples(r.payload, h.channels);
      if (!values.ok()) {
        return Fail(
            values.status().WithContext("chunk " + id + " record " + std::to_string(r.seq)));
      }
      line["values"] = *values;
    } else {
      line[h.kind == RecordKind::kEvent ? "event" : "result"] = PayloadJson(r.payload);
    }
    if (a.json) {
      std::cout << Dump(line) << "\n";
      continue;
    }
    std::cout << "  " << FormatHlc(r.ts) << "  " << std::setw(8) << r.seq << "  ";
    if (line.contains("values")) {
      for (const auto& v : line["values"]) std::cout << v.get<double>() << " ";
    } else {
      const auto& p = line.contains("event") ? line["event"] : line["result"];
      std::cout << (p.is_string() ? p.get<std::string>() : Dump(p));
    }
    std::cout << "\n";
  }
  if (!a.out.empty() && !a.json) std::cout << "wrote chunk wire bytes to " << a.out << "\n";
  return kExitOk;
}

}  // namespace

void AddChunkCommands(CLI::App& app, ChunkCmdArgs* a) {
  a->locate = app.add_subcommand("locate", "where a chunk (or a source's chunks) live");
  a->locate->add_option("id", a->id, "chunk id (64 hex digits, or a unique prefix of 8 or more)");
  a->locate->add_option("--source", a->source, "source name");
  a->locate->add_option("--origin", a->origin, "origin: a node's name or address (0: any)");
  a->locate->add_option("--from", a->from, "start time (HLC, wall ms, or ISO-8601 UTC)");
  a->locate->add_option("--to", a->to, "end time, inclusive");
  a->locate->add_option("--limit", a->limit, "at most this many chunks (server default 1000)");
  a->locate->add_flag("--json", a->json, "the server's JSON");
  a->get = app.add_subcommand(
      "get",
      "fetch one chunk through the core (spool, cache or a live holder), check and print it");
  a->get->add_option("id", a->id, "chunk id (64 hex digits, or a unique prefix of 8 or more)")
      ->required();
  a->get->add_flag("--json", a->json, "JSON lines: the header, then one line per record");
  a->get->add_option("--out", a->out, "write the blob (or, for other kinds, the wire bytes)");
}

bool ChunkCommandSelected(const ChunkCmdArgs& a) {
  return (a.locate && *a.locate) || (a.get && *a.get);
}

int RunChunkCommand(CoreClient& core, const ChunkCmdArgs& a) {
  return *a.locate ? Locate(core, a) : Get(core, a);
}

}  // namespace tern::tools
