// A whole Core on the in-process broker (testing::FakeBroker) for the tests that play its
// edges and stores: registration, heartbeats, sealed statements (Tell), uplinks, and what the
// core published. Test-only (linked into core_tests).
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core_testing.h"
#include "fake_transport.h"
#include "tern/common/messages.h"
#include "tern/common/statements.h"
#include "tern/core/core.h"
#include "tern/core/manifest.h"

namespace tern::core::testing {
using ::tern::testing::FakeBroker;

inline bool WaitFor(const std::function<bool()>& cond, int seconds = 20) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return cond();
}

struct Site {
  ::tern::testing::TempDir dir{"core-fake"};
  std::shared_ptr<FakeBroker> broker = FakeBroker::Create();
  CoreOptions o;
  std::unique_ptr<Core> core;
  Topics t;

  Site() {
    o.data_dir = dir / "core";
    o.http_port = -1;
    o.status_ms = 100;
    o.result_timeout_ms = 60000;    // no resends unless a test asks for them
    o.processing.stats_window = 0;  // one statistics result per chunk
    o.processing.msmve_window = 0;
    o.transport = broker->Factory();
    o.security_mode = SecurityMode::kInsecure;  // the fake broker: no TLS, no keys
    broker->StartAutoDelivery();
  }
  ~Site() {
    if (core) core->Stop();
    broker->StopAutoDelivery();
  }
  void Start() {
    core = Core::Create(o).value();
    REQUIRE(core->Start().ok());
  }
  int64_t Counter(const std::string& name) { return core->metrics().Get(name); }
  // Injects the statement `json` on `topic` as the node named in the topic says it: sealed
  // with that node's next number (the test keeps one counter per name).
  void Tell(const std::string& topic, const std::string& json) {
    const std::string from = t.Parse(topic).from;
    broker->Inject(topic, Seal(topic, json, ++seqs[from], nullptr));
  }
  std::map<std::string, uint64_t> seqs;

  template <typename M>
  std::vector<M> On(const std::string& topic) {
    std::vector<M> out;
    for (const auto& m : broker->PublishedOn(topic)) {
      if (m.from.empty()) continue;  // injected by the test
      auto d = msg::DecodeText<M>(m.payload);
      if (d.ok()) out.push_back(*d);
    }
    return out;
  }
  uint32_t Register(const std::string& name) {
    Tell(t.Reg(name), msg::Register{name, 1 << 30}.Encode());
    uint32_t addr = 0;
    REQUIRE(WaitFor([&] {
      auto r = On<msg::Registered>(t.RegReply(name));
      if (!r.empty()) addr = r.back().addr;
      return addr != 0;
    }));
    names[addr] = name;
    return addr;
  }
  // Topics carry names; the tests keep the addresses the core gave out.
  std::map<uint32_t, std::string> names;
  std::string N(uint32_t addr) { return names.count(addr) ? names[addr] : "stranger"; }
  uint32_t A(const std::string& name) {
    for (const auto& [a, n] : names) {
      if (n == name) return a;
    }
    return 0;
  }
  void Heartbeat(uint32_t addr, double cpu = 0.1) {
    msg::Heartbeat hb;
    hb.addr = addr;
    hb.cpu = cpu;
    Tell(t.Hb(N(addr)), hb.Encode());
  }
  std::vector<uint32_t> LiveEdges(size_t n) {
    std::vector<uint32_t> a;
    for (size_t i = 0; i < n; ++i) a.push_back(Register("edge-" + std::to_string(i)));
    for (size_t i = 0; i < n; ++i) Heartbeat(a[i], 0.1 * static_cast<double>(i + 1));
    REQUIRE(WaitFor([&] {
      auto s = core->StatusJson();
      size_t live = 0;
      for (const auto& node : s.value("nodes", nlohmann::json::array()))
        live += node["state"] == "live";
      return live == n;
    }));
    return a;
  }
  void Stored(const testing::TestChunk& c, uint32_t holder) {
    Tell(t.Stored(N(holder)), msg::Stored(c.NoticeBy(holder)).Encode());
  }
  std::unique_ptr<Manifest> Db() { return Manifest::Open(o.data_dir + "/core.db", true).value(); }
  // Uplinks a chunk of `origin`'s and waits until the core sends its one result to `stores`
  // stores; returns the result's id.
  ChunkId UplinkForResult(uint32_t origin, size_t stores) {
    broker->Inject(t.Up(N(origin)), testing::MakeChunk(origin, 1).Uplink());
    REQUIRE(WaitFor([&] { return Puts().size() == 1 && Puts().begin()->second.size() == stores; }));
    return Puts().begin()->first;
  }
  // The result chunks the core is placing: id -> stores it sent a copy to.
  std::map<ChunkId, std::set<uint32_t>> Puts() {
    std::map<ChunkId, std::set<uint32_t>> out;
    for (const auto& m : broker->PublishedOn("tern/put/+/+")) {
      auto env = DecodeEnvelope(m.payload);
      if (env.ok()) out[ChunkId(env->id)].insert(A(t.Parse(m.topic).to));
    }
    return out;
  }
};

}  // namespace tern::core::testing
