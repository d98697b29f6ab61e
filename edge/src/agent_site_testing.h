// A whole EdgeAgent on the in-process broker for the tests that play its core and peers:
// the core answers registrations; the test injects everything else the core (Down, sealed
// with the core's numbers) and the peers (From, sealed with each peer's) say. Test-only.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fake_transport.h"
#include "process.h"
#include "tern/common/messages.h"
#include "tern/common/statements.h"
#include "tern/edge/agent.h"
#include "test_util.h"

namespace tern::edge::test {

inline constexpr uint32_t kEdge = 7;

// Edge "e1" (address 7) with a jsonl feed on local/feed, peers "p11", "p12" and "p13"
// (addresses 11, 12, 13) live, and a core ("core") that answers registrations; everything else the
// core and the peers say, the test injects.
struct Site {
  testing::TempDir dir{"agent"};
  std::shared_ptr<testing::FakeBroker> broker = testing::FakeBroker::Create();
  std::unique_ptr<Transport> core;
  EdgeOptions o;
  std::unique_ptr<EdgeAgent> agent;
  Topics t;

  Site() {
    o.name = "e1";
    o.data_dir = dir / "e1";
    o.transport = broker->Factory();
    o.security_mode = SecurityMode::kInsecure;  // the fake broker: no TLS, no keys
    o.synthetic.enabled = false;
    o.feed.topic = "local/feed";
    o.chunk.window_ms = 5;
    o.commit_tick_ms = 0;
    o.heartbeat_ms = 50;
    o.status_ms = 50;
    MqttOptions mo;
    mo.client_id = "core";
    core = broker->Factory()(mo).value();
    core->OnMessage([this](const std::string& topic, std::string_view p) {
      if (topic != t.Reg("e1")) return;
      auto r = msg::DecodeText<msg::Register>(p);
      if (!r.ok()) return;
      (void)core->Publish(
          t.RegReply("e1"),
          FromCore(t.RegReply("e1"), msg::Registered{"e1", kEdge, 1, {}, r->nonce}.Encode()));
    });
    REQUIRE(core->Subscribe(t.RegAll()).ok());
    REQUIRE(core->Start().ok());
    broker->Inject(t.Members(), FromCore(t.Members(), Members().Encode()), /*retain=*/true);
    broker->StartAutoDelivery();
  }
  // The site's member list: the three peers and e1, all live.
  static msg::Members Members() {
    msg::Members m;
    m.core = "core";
    for (uint32_t a : {11u, 12u, 13u}) m.nodes.push_back({a, "p" + std::to_string(a), "live", 0.5});
    m.nodes.push_back({kEdge, "e1", "live", 0.5});
    return m;
  }
  ~Site() {
    Stop();
    broker->StopAutoDelivery();
  }
  void Start() {
    agent = EdgeAgent::Create(o).value();
    REQUIRE(agent->Start().ok());
    REQUIRE(WaitFor([&] { return agent->StatusJson()["live_peers"] == 3; }));
  }
  // Cut off first, so Stop does not give the outbox its moment to drain.
  void Stop() {
    if (!agent) return;
    broker->Disconnect("e1", /*clean=*/true);
    agent->Stop();
    agent.reset();
  }
  int64_t Counter(const std::string& name) { return agent->metrics().Get(name); }
  bool CounterIs(const std::string& name, int64_t n) {
    return WaitFor([&] { return Counter(name) == n; });
  }
  void Record(int n) { broker->Inject("local/feed", R"({"n":)" + std::to_string(n) + "}"); }
  // What the core says: sealed with the core's next number (one counter for all its topics).
  std::string FromCore(const std::string& topic, const std::string& json) {
    return Seal(topic, json, ++core_seq, nullptr);
  }
  std::atomic<uint64_t> core_seq{0};
  std::map<uint32_t, uint64_t> peer_seq;
  void Down(const std::string& payload) {
    broker->Inject(t.Down("e1"), FromCore(t.Down("e1"), payload));
  }
  // What peer `addr` says to e1, sealed with that peer's next number.
  void From(uint32_t addr, const std::string& payload) {
    const std::string topic = t.Peer("p" + std::to_string(addr), "e1");
    broker->Inject(topic, Seal(topic, payload, ++peer_seq[addr], nullptr));
  }
  // The chunk envelopes the edge published on `filter`: (address in the topic, chunk id).
  std::vector<std::pair<uint32_t, ChunkId>> Envelopes(const std::string& filter) {
    std::vector<std::pair<uint32_t, ChunkId>> out;
    for (const auto& m : broker->PublishedOn(filter)) {
      if (m.from != "e1") continue;  // the test's own (hostile) injections
      auto env = DecodeEnvelope(m.payload);
      REQUIRE(env.ok());
      auto parts = t.Parse(m.topic);
      uint32_t to =
          parts.kind == "put" ? static_cast<uint32_t>(std::stoul(parts.to.substr(1))) : kEdge;
      out.emplace_back(to, ChunkId(env->id));
    }
    return out;
  }
  std::vector<std::pair<uint32_t, ChunkId>> Puts() { return Envelopes("tern/put/e1/+"); }
  std::vector<std::pair<uint32_t, ChunkId>> Ups() { return Envelopes(t.Up("e1")); }
  // One record, sealed, committed, put to two peers and uplinked: its id and the peers.
  ChunkId Ship(int n, std::vector<uint32_t>* peers = nullptr) {
    size_t before = Ups().size();
    Record(n);
    REQUIRE(WaitFor([&] { return Ups().size() == before + 1; }));
    ChunkId id = Ups().back().second;
    REQUIRE(WaitFor([&] {
      size_t puts = 0;
      for (const auto& [peer, pid] : Puts()) puts += pid == id;
      return puts == 2;
    }));
    if (peers) {
      for (const auto& [peer, pid] : Puts()) {
        if (pid == id) peers->push_back(peer);
      }
    }
    return id;
  }
  std::vector<std::string> On(const std::string& topic) {
    std::vector<std::string> out;
    for (const auto& m : broker->PublishedOn(topic)) out.push_back(m.payload);
    return out;
  }
  bool OutboxEmpty() {
    return WaitFor([&] { return agent->StatusJson()["outbox_chunks"] == 0; });
  }
};
}  // namespace tern::edge::test
