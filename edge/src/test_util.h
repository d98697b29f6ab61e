// Helpers shared by the edge's unit tests: waiting for a condition, making chunks, and a
// rig of a fake broker, a connected transport, a local store and a test-driven event loop.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "event_loop.h"
#include "fake_transport.h"
#include "process.h"
#include "tern/common/chunk.h"
#include "tern/common/hlc.h"
#include "tern/common/protocol.h"
#include "tern/common/sqlite.h"
#include "tern/edge/local_store.h"

namespace tern::edge::test {

// Polls `cond` every millisecond until it holds or `seconds` pass (generous deadlines:
// slow machines wait longer, fast ones do not).
inline bool WaitFor(const std::function<bool()>& cond, double seconds = 10) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Submits `w` to `s` and waits for its commit's outcome.
inline Status SubmitWait(LocalStore& s, StoreWrite w) {
  std::promise<Status> p;
  auto f = p.get_future();
  s.Submit(std::move(w), [&](const Status& st) { p.set_value(st); });
  return f.get();
}

// A valid wire chunk of `origin`'s source "s" with sequence `seq` and one event record.
inline std::string MakeChunk(uint32_t origin, uint64_t seq, const std::string& source = "s") {
  ChunkHeader h;
  h.origin = origin;
  h.source = source;
  h.seq = seq;
  h.kind = RecordKind::kEvent;
  return BuildChunk(h, {Record{1, seq, R"({"n":)" + std::to_string(seq) + "}"}}).value();
}

// The chunk as a put envelope from `sender`.
inline std::string PutOf(uint32_t sender, const std::string& wire) {
  return EncodeEnvelope(EnvelopeType::kPut, sender, 1, ChunkIdOf(wire), "", wire);
}

// Flips one byte in the middle of chunk `id`'s stored bytes in the edge.db at `path`, behind
// the store's back (as a rotting disk would): a second connection, as a test may.
inline void FlipByte(const std::string& path, const ChunkId& id) {
  auto db = Database::Open(path).value();
  auto q = db->Prepare("SELECT data FROM chunks WHERE id = ?").value();
  q->BindBlob(1, id);
  if (!q->Step().value()) throw std::runtime_error("FlipByte: chunk not in the store");
  std::string data(q->Blob(0));
  q.reset();
  data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x20);
  auto u = db->Prepare("UPDATE chunks SET data = ? WHERE id = ?").value();
  if (!u->BindBlob(1, data).BindBlob(2, id).Run().ok()) throw std::runtime_error("FlipByte");
}

// A fake broker with a connected client "edge", a local store in a temp dir and an event
// loop the test drives (Turn). Derived rigs reset `store` first in their destructors, so the
// writer's last callbacks still find what they call.
struct StoreRig {
  testing::TempDir dir;
  std::shared_ptr<testing::FakeBroker> broker = testing::FakeBroker::Create();
  std::unique_ptr<Transport> t;
  std::unique_ptr<LocalStore> store;
  Metrics m;
  EventLoop loop{&m, "test"};

  explicit StoreRig(const std::string& tag) : dir(tag) {
    MqttOptions mo;
    mo.client_id = "edge";
    t = broker->Factory()(mo).value();
    if (!t->Start().ok()) throw std::runtime_error("fake transport did not start");
    store = LocalStore::Open(dir / "edge.db", 0).value();
  }
  virtual ~StoreRig() { store.reset(); }
  // Runs the loop once (and `also`) until `cond` holds; false after the deadline.
  bool Until(const std::function<bool()>& cond, const std::function<void()>& also = nullptr) {
    return WaitFor([&] {
      loop.RunOnce(MonotonicMs());
      if (also) also();
      return cond();
    });
  }
  // The payloads published on `filter`, in order.
  std::vector<std::string> On(const std::string& filter) const {
    std::vector<std::string> out;
    for (const auto& msg : broker->PublishedOn(filter)) out.push_back(msg.payload);
    return out;
  }
};

}  // namespace tern::edge::test
