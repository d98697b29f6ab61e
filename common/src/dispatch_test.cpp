// Dispatcher: routes by type, counts unknown types and rejections, survives a throwing
// handler.
#include "tern/common/dispatch.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "tern/common/messages.h"

namespace tern::msg {
TEST_SUITE("dispatch") {
  TEST_CASE("routes each type to its handler and counts what it cannot handle") {
    Metrics m;
    Dispatcher d(&m, "test", "down");
    int acks = 0, deletes = 0;
    d.On<Ack>([&](const Ack& a, const std::string& topic) {
      CHECK(topic == "t/down/1");
      CHECK(a.holders.size() == 3);
      ++acks;
    });
    d.On<Delete>([&](const Delete&, const std::string&) { ++deletes; });
    ChunkId id(std::string(32, '\x01'));
    CHECK(d.Dispatch("t/down/1", Ack{id, {1, 2, 3}}.Encode()));
    CHECK(d.Dispatch("t/down/1", Delete{id}.Encode()));
    CHECK(acks == 1);
    CHECK(deletes == 1);
    CHECK_FALSE(d.Dispatch("t/down/1", Restate{id, 4}.Encode()));  // no handler
    CHECK(m.Get("unknown_types") == 1);
    CHECK_FALSE(d.Dispatch("t/down/1", "{"));
    CHECK_FALSE(d.Dispatch("t/down/1", R"({"v":1,"type":"ack","id":5})"));
    CHECK(m.Get("rejected_down") == 3);
  }

  TEST_CASE("an exception escaping a handler is caught, counted and the next message works") {
    Metrics m;
    Dispatcher d(&m, "test", "down");
    int calls = 0;
    d.On<Delete>([&](const Delete&, const std::string&) {
      if (++calls == 1) throw std::runtime_error("boom");
    });
    ChunkId id(std::string(32, '\x01'));
    CHECK_FALSE(d.Dispatch("t", Delete{id}.Encode()));
    CHECK(m.Get("handler_errors") == 1);
    CHECK(d.Dispatch("t", Delete{id}.Encode()));
    CHECK(calls == 2);
    CHECK(Guarded(m, "test", "t", [] { throw 42; }) == false);
    CHECK(m.Get("handler_errors") == 2);
  }
}
}  // namespace tern::msg
