#include "registrar.h"

#include <doctest/doctest.h>

#include <future>

#include "fake_transport.h"
#include "process.h"
#include "tern/common/statements.h"
#include "test_util.h"

namespace tern::edge {
namespace {
// A store, and a core on a fake broker that answers reg/<name> with `replies` in turn.
struct Rig {
  testing::TempDir dir{"registrar"};
  std::shared_ptr<testing::FakeBroker> broker = testing::FakeBroker::Create();
  std::unique_ptr<LocalStore> store = LocalStore::Open(dir / "edge.db", 0).value();
  std::unique_ptr<Transport> core;
  std::vector<std::string> replies;
  size_t next = 0;
  Metrics m;
  SettingsState settings{&m, "e1"};
  EdgeOptions o;

  Rig() {
    o.name = "e1";
    o.transport = broker->Factory();
    o.security_mode = SecurityMode::kInsecure;  // the fake broker: no TLS, no keys
    MqttOptions mo;
    mo.client_id = "core";
    core = broker->Factory()(mo).value();
    core->OnMessage([this](const std::string&, std::string_view) {
      // Sealed as the core seals them (a hostile reply too: it must reach the decoder).
      while (next < replies.size()) {
        ++next;
        (void)core->Publish("tern/reg/e1/reply",
                            Seal("tern/reg/e1/reply", replies[next - 1], next, nullptr));
      }
    });
    REQUIRE(core->Subscribe("tern/reg/+").ok());
    REQUIRE(core->Start().ok());
    broker->StartAutoDelivery();
  }
  ~Rig() { broker->StopAutoDelivery(); }
};
}  // namespace

TEST_SUITE("registrar") {
  TEST_CASE("the first start waits for the core's address and keeps it") {
    Rig r;
    Registrar reg(r.o, r.store.get(), &r.settings, &r.m);
    r.replies = {
        R"({"v":1,"type":"registered","name":"e1","addr":7,"settings":5})",
        // Someone else's (or a retained) reply: another nonce, another address.
        msg::Registered{"e1", 9, 1, {}, "0123456789abcdef0123456789abcdef"}.Encode(),
        msg::Registered{"e1", 7, 1, msg::SettingsBody{"e1", "keep", 1, "event", 0, 1}, reg.nonce()}
            .Encode()};
    auto addr = reg.Obtain();
    REQUIRE(addr.ok());
    CHECK(*addr == 7);
    CHECK(r.m.Get("rejected_registration") == 1);  // the hostile reply, counted; waited on
    CHECK(r.m.Get("refused_stale_reply") == 1);    // not the answer to our request
    CHECK(r.store->GetMeta("addr").value() == std::optional<std::string>("7"));
    // Later starts use the stored address and open no connection.
    r.o.transport = [](const MqttOptions&) -> Result<std::unique_ptr<Transport>> {
      return Status::Unavailable("must not connect");
    };
    Registrar again(r.o, r.store.get(), &r.settings, &r.m);
    CHECK(again.Obtain().value() == 7);
  }

  TEST_CASE("a new store starts its sources above the core's floors, never lower") {
    Rig r;
    REQUIRE(r.store->RaiseSeq("cam", 50, 60).ok());  // already further than the core knows
    Registrar reg(r.o, r.store.get(), &r.settings, &r.m);
    msg::Registered ok{"e1", 7, 1, {}, reg.nonce()};
    ok.seq_floors = {{"vib", 42, 9000}, {"cam", 5, 10}};
    r.replies = {ok.Encode()};
    REQUIRE(reg.Obtain().value() == 7);
    CHECK(r.store->GetMeta("seq/vib").value() == std::optional<std::string>("9000 42"));
    CHECK(r.store->GetMeta("seq/cam").value() == std::optional<std::string>("50 60"));
    CHECK(r.m.Get("seq_floors_applied") == 2);
  }

  TEST_CASE("a refusal fails the start, Cancel ends the wait") {
    Rig r;
    Registrar reg(r.o, r.store.get(), &r.settings, &r.m);
    r.replies = {msg::RegistrationRefused{"name is the core's own", reg.nonce()}.Encode()};
    auto refused = reg.Obtain();
    CHECK(refused.status().code() == Status::Code::kFailedPrecondition);
    CHECK(refused.status().message().find("the core's own") != std::string::npos);

    Registrar waiting(r.o, r.store.get(), &r.settings, &r.m);  // the core says nothing now
    auto f = std::async(std::launch::async, [&] { return waiting.Obtain(); });
    waiting.Cancel();
    CHECK(f.get().status().code() == Status::Code::kUnavailable);
  }

  TEST_CASE("replies on the main client: settings applied, a different address counted") {
    Rig r;
    Registrar reg(r.o, r.store.get(), &r.settings, &r.m);
    msg::Registered m{"e1", 8, 1, msg::SettingsBody{"e1", "keep", 1, "event", 0, 1}, reg.nonce()};
    reg.OnRegistered(m, 7);
    CHECK(r.m.Get("address_conflicts") == 1);
    CHECK(r.settings.ToJson()["kinds"] == "event");
    auto text = msg::DecodeText<msg::Register>(reg.Announcement());
    REQUIRE(text.ok());
    CHECK(text->name == "e1");
    CHECK(reg.Announcement().find("store_path") == std::string::npos);  // no file paths
    CHECK(text->nonce == reg.nonce());
    CHECK(text->node_id.size() == 32);
    CHECK(text->node_id == r.store->NodeId().value());  // kept in the store
  }
}
}  // namespace tern::edge
