// Board events are data (issue 11, item 7), with real processes: a broker, the core with
// board.mode = sim and three edges (the stores). An operator presses button 0 and flips the
// switch over the HTTP API, the cabinet is made hot and the UPS fails and returns through the
// simulated board's inputs; each of these becomes a record of the core's `board` source, in
// order, in chunks listed by GET /api/v1/chunks?source=board (and `ternctl locate --source
// board`), each with three holders in the manifest and its bytes readable (`ternctl get`).
// Then the safe-stop button stops the core; after a restart the events said last are placed
// too, and the record numbers run on without a gap or a repeat.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/common/bytes.h"

namespace tern::testing {
namespace {

nlohmann::json Parse(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

struct BoardChunk {
  std::string id;
  uint64_t seq = 0;
  size_t holders = 0;
  std::vector<Record> records;  // empty if its bytes could not be read
};

// The `board` source's chunks as the manifest lists them, each with its bytes decoded.
std::vector<BoardChunk> BoardChunks(int port, const std::string& token) {
  std::vector<BoardChunk> out;
  auto list = Parse(HttpCall(port, "GET", "/api/v1/chunks?source=board", token).body);
  for (const auto& c : list.value("chunks", nlohmann::json::array())) {
    BoardChunk b;
    b.id = c.value("id", "");
    b.seq = c.value("seq", uint64_t{0});
    b.holders = c.value("holders", nlohmann::json::array()).size();
    auto bytes = HttpCall(port, "GET", "/api/v1/chunks/" + b.id + "/bytes", token);
    if (bytes.status == 200 && ToHex(ChunkIdOf(bytes.body)) == b.id) {
      auto v = DecodeChunk(bytes.body);
      if (v.ok() && v->header.source == "board" && v->header.kind == RecordKind::kEvent) {
        auto recs = DecodeRecords(*v);
        if (recs.ok()) b.records = std::move(*recs);
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

// Every field of `want` has that value in `event`.
bool Matches(const nlohmann::json& event, const nlohmann::json& want) {
  for (const auto& [k, v] : want.items()) {
    if (!event.contains(k) || event[k] != v) return false;
  }
  return true;
}

// The chunks holding `want` in this order (as a subsequence of every board record in record
// order); empty if they are not all there yet.
std::vector<const BoardChunk*> FindInOrder(const std::vector<BoardChunk>& chunks,
                                           const std::vector<nlohmann::json>& want) {
  std::map<uint64_t, std::pair<nlohmann::json, const BoardChunk*>> by_seq;
  for (const auto& c : chunks) {
    for (const auto& r : c.records) by_seq[r.seq] = {Parse(r.payload), &c};
  }
  std::vector<const BoardChunk*> found;
  size_t next = 0;
  for (const auto& [seq, e] : by_seq) {
    if (next < want.size() && Matches(e.first, want[next])) {
      found.push_back(e.second);
      ++next;
    }
  }
  if (next < want.size()) found.clear();
  return found;
}

}  // namespace

TEST_SUITE("board events") {
  TEST_CASE("panel, cabinet and power events become board records with three copies") {
    Site site(3, {"source.synthetic.rate=100"}, {"board.mode=sim", "board.events_window=200ms"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.CoreStatus().value("http_port", -1) > 0; }));
    int port = site.CoreStatus().value("http_port", -1);
    const std::string op = SiteToken(site);
    REQUIRE(!op.empty());
    // Three live stores, so the core has somewhere to put its chunks.
    REQUIRE(Site::WaitFor(60, [&] { return site.CoreCounter("acks") > 10; }));

    auto post = [&](const std::string& path, const std::string& body) {
      return HttpCall(port, "POST", "/api/v1/board/" + path, op, body).status;
    };
    CHECK(post("press", R"({"button":0})") == 200);
    CHECK(post("switch", R"({"on":true})") == 200);
    CHECK(post("sim", R"({"temp_c":75})") == 200);
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("board_over_temp") == 1; }));
    CHECK(post("sim", R"({"power_fail":true})") == 200);
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("board_on_backup") == 1; }));
    CHECK(post("sim", R"({"power_fail":false})") == 200);

    const std::vector<nlohmann::json> want = {
        {{"kind", "button"}, {"button", 0}, {"label", "ack alarms"}, {"pressed", true}},
        {{"kind", "alarm_ack"}},
        {{"kind", "button"}, {"button", 0}, {"pressed", false}},
        {{"kind", "switch"}, {"on", true}},
        {{"kind", "over_temp"}, {"active", true}, {"limit_c", 70.0}},
        {{"kind", "power_fail"}},
        {{"kind", "power_back"}},
    };
    std::vector<BoardChunk> chunks;
    std::vector<const BoardChunk*> found;
    const bool recorded = Site::WaitFor(60, [&] {
      chunks = BoardChunks(port, op);
      found = FindInOrder(chunks, want);
      if (found.empty()) return false;
      for (const BoardChunk* c : found) {
        if (c->holders != 3) return false;
      }
      return true;
    });
    INFO("board chunks: " << chunks.size() << ", core log: " << site.LogTail("core"));
    REQUIRE(recorded);
    CHECK(site.CoreCounter("board_events") >= static_cast<int64_t>(want.size()));
    CHECK(site.CoreCounter("board_events_dropped") == 0);
    // Every record is an event with the core's wall clock; a temperature sample is among them.
    bool temp_sample = false;
    for (const auto& c : chunks) {
      for (const auto& r : c.records) {
        auto e = Parse(r.payload);
        CHECK(e.value("wall_ms", int64_t{0}) > 1700000000000);
        if (e.value("kind", "") == "temp" && e.value("temp_c", 0.0) > 74) temp_sample = true;
      }
    }
    CHECK(temp_sample);
    // The manifest entry names the core as the origin.
    auto entry = Parse(HttpCall(port, "GET", "/api/v1/chunks/" + found[0]->id, op).body);
    CHECK(entry.value("source", "") == "board");
    CHECK(entry.value("kind_name", "") == "event");
    CHECK(entry.value("origin_name", "") == "core");

    // The same through ternctl: the source's chunks, and one chunk's events.
    auto located = Ctl(site, {"locate", "--source", "board"});
    INFO("ternctl locate: " << located.out);
    CHECK(located.code == 0);
    CHECK(located.out.find(found[0]->id.substr(0, 12)) != std::string::npos);
    auto got = Ctl(site, {"get", found[3]->id});
    INFO("ternctl get: " << got.out);
    CHECK(got.code == 0);
    CHECK(got.out.find(R"("kind":"switch")") != std::string::npos);

    // The safe-stop button: its event is the last the core says before it stops in order.
    uint64_t records_before = 0;
    for (const auto& c : chunks) records_before += c.records.size();
    CHECK(post("press", R"({"button":3,"hold_ms":3500})") == 200);
    CHECK(site.WaitCoreExit(std::chrono::seconds(30)) == 0);
    REQUIRE(site.StartCore());
    REQUIRE(Site::WaitFor(60, [&] {
      const int p = site.CoreStatus().value("http_port", -1);
      return p > 0 && p != port;
    }));
    port = site.CoreStatus().value("http_port", -1);
    CHECK(post("press", R"({"button":2})") == 200);  // the new run's first event

    // Every record number once, no gap, on three stores; the safe stop and the new run's
    // press among them, in that order.
    const std::vector<nlohmann::json> later = {
        {{"kind", "safe_stop"}, {"button", 3}, {"label", "safe stop"}},
        {{"kind", "button"}, {"button", 2}, {"pressed", true}},
    };
    std::string why;
    auto not_yet = [&](std::string reason) {
      why = std::move(reason);
      return false;
    };
    const bool resumed = Site::WaitFor(90, [&] {
      chunks = BoardChunks(port, op);
      std::map<uint64_t, int> seen;
      std::map<uint64_t, int> chunk_seqs;
      for (const auto& c : chunks) {
        if (c.records.empty() || c.holders != 3) {
          return not_yet("chunk " + c.id.substr(0, 12) + ": " + std::to_string(c.holders) +
                         " holders, " + std::to_string(c.records.size()) + " records read");
        }
        ++chunk_seqs[c.seq];
        for (const auto& r : c.records) ++seen[r.seq];
      }
      for (const auto& [seq, n] : chunk_seqs) {
        if (n != 1) return not_yet("chunk seq " + std::to_string(seq) + " twice");
      }
      uint64_t expect = 0;
      for (const auto& [seq, n] : seen) {
        if (seq != expect || n != 1) {
          return not_yet("record " + std::to_string(seq) + " (expected " + std::to_string(expect) +
                         ") seen " + std::to_string(n) + " times");
        }
        ++expect;
      }
      if (expect <= records_before) return not_yet("no new records yet");
      if (FindInOrder(chunks, later).empty()) return not_yet("safe stop or press missing");
      return true;
    });
    INFO("why not: " << why << "; core log: " << site.LogTail("core"));
    CHECK(resumed);
    CHECK(site.CoreCounter("board_errors") == 0);
  }
}

}  // namespace tern::testing
