// ternctl: the operator's command line. Thin: argument parsing and printing here, the logic
// in tern_tools (inspect.h). Reads the core's database and the edges' stores read-only.
//
// Exit codes: 0 success (verify: the site is consistent); 1 the answer is "no" (verify found
// problems, a chunk is not found or has no good copy); 2 usage or I/O errors.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "analyze.h"
#include "cli_util.h"
#include "edge_cmd.h"
#include "pki_cmd.h"
#include "tern/common/bytes.h"
#include "tern/tools/inspect.h"
#include "token_cmd.h"
#include "verify_cmd.h"

namespace {

using tern::Status;
using tern::tools::Dump;
using tern::tools::FetchedChunk;
using tern::tools::kExitError;
using tern::tools::kExitOk;
using tern::tools::kExitProblems;
using tern::tools::LocatedChunk;

int Fail(const Status& s) {
  std::cerr << "ternctl: " << s.ToString() << "\n";
  switch (s.code()) {
    case Status::Code::kNotFound:
    case Status::Code::kCorruption:
    case Status::Code::kUnavailable:
      return kExitProblems;
    default:
      return kExitError;
  }
}

// "2026-11-21T10:00:00.123Z" for an HLC stamp (its wall-clock part), "+N" logical if any.
std::string FormatHlc(uint64_t stamp) {
  uint64_t ms = stamp >> 16;
  uint64_t logical = stamp & 0xFFFF;
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::ostringstream o;
  o << buf << "." << std::setw(3) << std::setfill('0') << ms % 1000 << "Z";
  if (logical != 0) o << "+" << logical;
  return o.str();
}

std::string Holders(const LocatedChunk& c) {
  std::string s;
  for (const auto& h : c.holders) {
    if (!s.empty()) s += ", ";
    s += std::to_string(h.addr) + ":" + (h.registered ? h.name + "/" + h.state : "unregistered");
  }
  return s.empty() ? "(none)" : s;
}

void PrintLocated(const LocatedChunk& l) {
  const auto& c = l.chunk;
  nlohmann::json j = tern::tools::ToJson(l);
  std::cout << "chunk " << tern::ToHex(c.id) << "\n"
            << "  origin " << c.origin << "  source " << c.source << "  seq " << c.seq << "  kind "
            << j["kind"].get<std::string>() << "  priority " << j["priority"].get<std::string>()
            << "\n"
            << "  time " << FormatHlc(c.t_first) << " .. " << FormatHlc(c.t_last) << "  ("
            << c.t_first << " .. " << c.t_last << ")\n"
            << "  records " << c.records << "  bytes " << c.bytes << "  spooled "
            << (c.spooled ? "yes" : "no") << "  acked " << (c.acked ? "yes" : "no") << "\n"
            << "  holders (" << l.holders.size() << "):\n";
  for (const auto& h : l.holders) {
    std::cout << "    " << std::setw(5) << h.addr << "  "
              << (h.registered ? h.name : "(not registered)") << "  " << h.state << "  "
              << h.store_path << "\n";
  }
  for (const auto& id : l.sources) std::cout << "  computed from " << tern::ToHex(id) << "\n";
  for (const auto& id : l.results) std::cout << "  result " << tern::ToHex(id) << "\n";
}

int CmdNodes(const std::string& core_db, bool json) {
  auto nodes = tern::tools::Nodes(core_db);
  if (!nodes.ok()) return Fail(nodes.status());
  if (json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& n : *nodes) a.push_back(tern::tools::ToJson(n));
    std::cout << Dump(a) << "\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(6) << "ADDR" << std::setw(20) << "NAME" << std::setw(9)
            << "STATE" << std::setw(10) << "CHUNKS"
            << "STORE\n";
  for (const auto& n : *nodes) {
    std::string held = n.store_readable ? std::to_string(n.chunks) : "-";
    std::cout << std::left << std::setw(6) << n.node.addr << std::setw(20) << n.node.name
              << std::setw(9) << n.node.state << std::setw(10) << held << n.node.store_path;
    if (!n.store_readable) std::cout << "  (" << n.store_error << ")";
    std::cout << "\n";
  }
  return kExitOk;
}

struct LocateArgs {
  std::string id, source, from, to;
  uint32_t origin = 0;
  bool json = false;
};

int CmdLocate(const std::string& core_db, const LocateArgs& a) {
  if (a.id.empty() == a.source.empty()) {
    std::cerr << "ternctl locate: give either a chunk id (or prefix) or --source\n";
    return kExitError;
  }
  if (!a.id.empty()) {
    auto l = tern::tools::Locate(core_db, a.id);
    if (!l.ok()) return Fail(l.status());
    if (a.json) {
      std::cout << Dump(tern::tools::ToJson(*l)) << "\n";
    } else {
      PrintLocated(*l);
    }
    return kExitOk;
  }
  uint64_t from = 0, to = UINT64_MAX;
  if (!a.from.empty()) {
    auto t = tern::tools::ParseTime(a.from);
    if (!t.ok()) return Fail(t.status());
    from = *t;
  }
  if (!a.to.empty()) {
    auto t = tern::tools::ParseTime(a.to, /*upper=*/true);
    if (!t.ok()) return Fail(t.status());
    to = *t;
  }
  auto found = tern::tools::Locate(core_db, a.source, a.origin, from, to);
  if (!found.ok()) return Fail(found.status());
  if (a.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& l : *found) arr.push_back(tern::tools::ToJson(l));
    std::cout << Dump(arr) << "\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(66) << "CHUNK" << std::setw(8) << "ORIGIN" << std::setw(8)
            << "SEQ" << std::setw(26) << "FIRST" << std::setw(9) << "RECORDS"
            << "HOLDERS\n";
  for (const auto& l : *found) {
    const auto& c = l.chunk;
    std::cout << std::left << std::setw(66) << tern::ToHex(c.id) << std::setw(8) << c.origin
              << std::setw(8) << c.seq << std::setw(26) << FormatHlc(c.t_first) << std::setw(9)
              << c.records << Holders(l) << "\n";
  }
  std::cout << found->size() << " chunk(s)\n";
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
  return {{"bytes", payload.size()}, {"hex", tern::ToHex(payload.substr(0, 64))}};
}

int CmdGet(const std::string& core_db, const std::string& id, bool json,
           const std::string& out_path) {
  auto got = tern::tools::GetChunk(core_db, id);
  if (!got.ok()) return Fail(got.status());
  const FetchedChunk& f = *got;
  const auto& h = f.header;
  for (const auto& n : f.notes) std::cerr << "ternctl: note: " << n << "\n";

  // Blob parts, for --out and summaries.
  std::map<std::string, std::vector<tern::BlobPart>> blobs;
  if (h.kind == tern::RecordKind::kBlob) {
    for (const auto& r : f.records) {
      auto part = tern::DecodeBlobPart(r.payload);
      if (!part.ok()) {
        return Fail(part.status().WithContext("chunk " + tern::ToHex(f.id) + " record " +
                                              std::to_string(r.seq)));
      }
      blobs[part->name].push_back(std::move(part).value());
    }
  }
  if (!out_path.empty()) {
    if (h.kind == tern::RecordKind::kBlob && blobs.size() > 1) {
      std::cerr << "ternctl: chunk " << tern::ToHex(f.id) << " holds parts of " << blobs.size()
                << " files; --out takes one\n";
      return kExitError;
    }
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (h.kind == tern::RecordKind::kBlob) {
      for (const auto& p : blobs.begin()->second) {
        out.seekp(static_cast<std::streamoff>(p.offset));
        out.write(p.data.data(), static_cast<std::streamsize>(p.data.size()));
      }
    } else {
      out.write(f.wire.data(), static_cast<std::streamsize>(f.wire.size()));  // the raw chunk
    }
    out.close();
    if (!out) {
      std::cerr << "ternctl: cannot write " << out_path << "\n";
      return kExitError;
    }
  }

  nlohmann::json parents = nlohmann::json::array();
  for (const auto& p : h.parents) parents.push_back(tern::ToHex(p));
  nlohmann::json head = {{"id", tern::ToHex(f.id)},
                         {"served_by", f.served_by},
                         {"served_by_name", f.served_by_name},
                         {"store_path", f.store_path},
                         {"origin", h.origin},
                         {"source", h.source},
                         {"kind", tern::KindName(h.kind)},
                         {"priority", tern::PriorityName(h.priority)},
                         {"codec", h.codec == tern::Codec::kZstd ? "zstd" : "raw"},
                         {"boot", h.boot},
                         {"seq", h.seq},
                         {"t_first", h.t_first},
                         {"t_last", h.t_last},
                         {"records", h.record_count},
                         {"channels", h.channels},
                         {"raw_len", h.raw_len},
                         {"wire_bytes", f.wire.size()},
                         {"parents", parents},
                         {"notes", f.notes}};
  if (json) {
    std::cout << Dump({{"chunk", head}}) << "\n";
  } else {
    std::cout << "chunk " << tern::ToHex(f.id) << "\n"
              << "  served by " << f.served_by << " " << f.served_by_name << " (" << f.store_path
              << ")\n"
              << "  origin " << h.origin << "  source " << h.source << "  kind "
              << tern::KindName(h.kind) << "  priority " << tern::PriorityName(h.priority)
              << "  codec " << head["codec"].get<std::string>() << "\n"
              << "  boot " << h.boot << "  seq " << h.seq << "  records " << h.record_count
              << "  channels " << h.channels << "  raw " << h.raw_len << " B  wire "
              << f.wire.size() << " B\n"
              << "  time " << FormatHlc(h.t_first) << " .. " << FormatHlc(h.t_last) << "\n";
    for (const auto& p : parents) std::cout << "  parent " << p.get<std::string>() << "\n";
  }

  if (h.kind == tern::RecordKind::kBlob) {
    for (const auto& [name, parts] : blobs) {
      for (const auto& p : parts) {
        if (json) {
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
    if (!out_path.empty() && !json) std::cout << "wrote " << out_path << "\n";
    return kExitOk;
  }
  for (const auto& r : f.records) {
    nlohmann::json line = {{"ts", r.ts}, {"seq", r.seq}};
    if (h.kind == tern::RecordKind::kSamples) {
      auto values = tern::DecodeSamples(r.payload, h.channels);
      if (!values.ok()) {
        return Fail(values.status().WithContext("chunk " + tern::ToHex(f.id) + " record " +
                                                std::to_string(r.seq)));
      }
      line["values"] = *values;
    } else {
      line[h.kind == tern::RecordKind::kEvent ? "event" : "result"] = PayloadJson(r.payload);
    }
    if (json) {
      std::cout << Dump(line) << "\n";
    } else {
      std::cout << "  " << FormatHlc(r.ts) << "  " << std::setw(8) << r.seq << "  ";
      if (line.contains("values")) {
        for (const auto& v : line["values"]) std::cout << v.get<double>() << " ";
      } else {
        const auto& p = line.contains("event") ? line["event"] : line["result"];
        std::cout << (p.is_string() ? p.get<std::string>() : Dump(p));
      }
      std::cout << "\n";
    }
  }
  if (!out_path.empty() && !json) std::cout << "wrote chunk wire bytes to " << out_path << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ternctl: inspect a tern site (manifest, stores, chunks), read-only"};
  app.footer(
      "Exit codes: 0 ok; 1 problems found / not found / no good copy; 2 usage or I/O error.\n"
      "Times: HLC stamps, wall-clock ms, or ISO-8601 UTC (2026-11-21T10:00:00).");
  app.require_subcommand(1);
  std::string core_db = "./core-data/core.db";
  std::string site;
  app.add_option("--core-db", core_db, "the core's database")->capture_default_str();
  app.add_option("--site", site, "a site directory; uses DIR/core/core.db");

  bool nodes_json = false;
  auto* nodes = app.add_subcommand("nodes", "registered nodes and what their stores hold");
  nodes->add_flag("--json", nodes_json, "one JSON array");

  LocateArgs la;
  auto* locate = app.add_subcommand("locate", "where a chunk (or a source's chunks) live");
  locate->add_option("id", la.id, "chunk id or unique hex prefix");
  locate->add_option("--source", la.source, "source name");
  locate->add_option("--origin", la.origin, "origin address (0: any)");
  locate->add_option("--from", la.from, "start time (HLC, wall ms, or ISO-8601 UTC)");
  locate->add_option("--to", la.to, "end time, inclusive");
  locate->add_flag("--json", la.json, "JSON output");

  bool verify_json = false, no_hash = false;
  auto* verify = app.add_subcommand("verify", "compare the manifest with every store");
  verify->add_flag("--json", verify_json, "exactly one JSON object on stdout");
  verify->add_flag("--no-hash", no_hash, "skip re-hashing stored data");

  std::string get_id, get_out;
  bool get_json = false;
  auto* get = app.add_subcommand("get", "fetch, verify and print one chunk");
  get->add_option("id", get_id, "chunk id or unique hex prefix")->required();
  get->add_flag("--json", get_json, "JSON lines: the header, then one line per record");
  get->add_option("--out", get_out, "write the blob (or, for other kinds, the wire bytes)");

  tern::tools::EdgeCmdArgs edge_args;
  tern::tools::AddEdgeCommands(app, &edge_args);

  tern::tools::AnalyzeArgs analyze_args;
  tern::tools::AddAnalyzeCommand(app, &analyze_args);

  tern::tools::TokenCmdArgs token_args;
  tern::tools::AddTokenCommands(app, &token_args);
  tern::tools::PkiCmdArgs pki_args;
  tern::tools::AddPkiCommands(app, &pki_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }
  if (!site.empty()) core_db = site + "/core/core.db";

  if (int rc = tern::tools::RunAnalyzeCommand(analyze_args); rc >= 0) return rc;
  if (int rc = tern::tools::RunPkiCommand(pki_args); rc >= 0) return rc;

  if (int rc = tern::tools::RunEdgeCommand(core_db, edge_args); rc >= 0) return rc;
  if (int rc = tern::tools::RunTokenCommand(core_db, token_args); rc >= 0) return rc;
  try {
    if (*nodes) return CmdNodes(core_db, nodes_json);
    if (*locate) return CmdLocate(core_db, la);
    if (*verify) return tern::tools::RunVerify(core_db, verify_json, no_hash);
    if (*get) return CmdGet(core_db, get_id, get_json, get_out);
  } catch (const std::exception& e) {  // e.g. JSON of invalid UTF-8 in a source name
    std::cerr << "ternctl: " << e.what() << "\n";
    return kExitError;
  }
  return kExitError;
}
