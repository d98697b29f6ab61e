#include "registrar.h"

#include <doctest/doctest.h>

#include "core_testing.h"
#include "tern/common/dispatch.h"

namespace tern::core {

namespace {
struct Fixture : testing::TestRegistry {
  Registrar reg{"core", Topics(), t.db.get(), &members, &settings, &m};
  // As the core routes it: through a Dispatcher.
  Registrar::Outcome Send(const std::string& name, const std::string& payload) {
    Registrar::Outcome out;
    msg::Dispatcher d(&m, "core", "register");
    d.On<RegisterRequest>([&](const RegisterRequest& r, const std::string& topic) {
      out = reg.OnRegister(r, topic);
    });
    d.Dispatch(Topics().Reg(name), payload);
    return out;
  }
};
}  // namespace

TEST_SUITE("registrar") {
  TEST_CASE("a name gets a permanent address, the same one every time") {
    Fixture f;
    msg::Register r{"edge-a", 100};
    auto o = f.Send("edge-a", r.Encode());
    REQUIRE(o.addr != 0);
    REQUIRE(o.reply);
    CHECK(o.reply->topic == "tern/reg/edge-a/reply");
    auto reply = msg::DecodeText<msg::Registered>(o.reply->payload);
    REQUIRE(reply.ok());
    CHECK(reply->addr == o.addr);
    REQUIRE(reply->settings);
    CHECK(reply->settings->name == "edge-a");
    CHECK(o.weight == 1);
    CHECK(f.members.Contains(o.addr));
    CHECK(f.Send("edge-a", r.Encode()).addr == o.addr);
    CHECK(f.m.Get("nodes_registered") == 1);
  }

  TEST_CASE("refusals name the reason and are counted, a bad field in any shape is one of them") {
    Fixture f;
    auto refused = [&](const std::string& name, const std::string& payload) {
      auto o = f.Send(name, payload);
      CHECK(o.addr == 0);
      if (!o.reply) return std::string("(no reply)");
      auto r = msg::DecodeText<msg::RegistrationRefused>(o.reply->payload);
      REQUIRE(r.ok());
      return r->reason;
    };
    CHECK(refused("x", msg::Register{"y", 0}.Encode()).find("does not match") != std::string::npos);
    CHECK(refused("core", msg::Register{"core", 0}.Encode()).find("core's own") !=
          std::string::npos);
    CHECK(refused("x", R"({"v":1,"type":"register","name":"x","nonce":5})").find("nonce") !=
          std::string::npos);
    CHECK(refused("x", R"({"v":1,"type":"register","name":"x","capacity":[1]})").find("capacity") !=
          std::string::npos);
    CHECK(refused("a b", msg::Register{"a b", 0}.Encode()) == "(no reply)");  // not a name
    CHECK(refused("x", R"({"v":1,"type":"hello"})") == "(no reply)");         // not a registration
    CHECK(f.m.Get("rejected_register") == 6);
    CHECK(f.members.members().empty());
  }

  TEST_CASE("a second box under an enrolled name is refused and changes nothing") {
    Fixture f;
    msg::Register a{"edge-a", 100, "id-a", "nonce-1"};
    auto o = f.Send("edge-a", a.Encode());
    REQUIRE(o.addr != 0);
    CHECK(msg::DecodeText<msg::Registered>(o.reply->payload).value().nonce == "nonce-1");
    for (const std::string& other : {std::string("id-b"), std::string()}) {
      msg::Register b{"edge-a", 5, other, "nonce-2"};
      auto o2 = f.Send("edge-a", b.Encode());
      CHECK(o2.addr == 0);
      REQUIRE(o2.reply);
      auto r = msg::DecodeText<msg::RegistrationRefused>(o2.reply->payload);
      REQUIRE(r.ok());
      CHECK(r->nonce == "nonce-2");
      CHECK(r->reason.find("enrolled to another node") != std::string::npos);
    }
    CHECK(f.m.Get("refused_duplicate_name") == 2);
    auto nodes = f.t.db->Nodes().value();
    REQUIRE(nodes.size() == 1);
    CHECK(nodes[0].store);  // the enrolled node's entry is untouched
    CHECK(nodes[0].capacity == 100);
    CHECK(f.Send("edge-a", a.Encode()).addr == o.addr);  // the enrolled box is still welcome
  }

  TEST_CASE(
      "the reply carries each source's sequence floor, a known node with a new store is told") {
    Fixture f;
    msg::Register r{"edge-a", 100, "id-a", "n1"};
    auto o = f.Send("edge-a", r.Encode());
    REQUIRE(o.addr != 0);
    CHECK(msg::DecodeText<msg::Registered>(o.reply->payload).value().seq_floors.empty());
    REQUIRE(f.t.db->seq_marks().Uplinked(o.addr, "vib", 41, 900).ok());
    REQUIRE(f.t.db->seq_marks().Acked(o.addr, "vib", 40).ok());
    auto floors = msg::DecodeText<msg::Registered>(f.Send("edge-a", r.Encode()).reply->payload)
                      .value()
                      .seq_floors;
    REQUIRE(floors.size() == 1);
    CHECK(floors[0] == msg::SeqFloor{"vib", 42, 900});
    CHECK(f.m.Get("stores_returned_empty") == 0);
    // pki: the certificate is the proof, so the same node may come back with a new store.
    crypto::CertInfo cert;
    cert.name = "edge-b";
    cert.key = crypto::PrivateKey::Generate().value().Public();
    msg::Register b{"edge-b", 100, "id-b1", "n2"};
    RegisterRequest req{b};
    auto ob = f.reg.OnRegister(req, Topics().Reg("edge-b"), &cert);
    REQUIRE(ob.addr != 0);
    b.node_id = "id-b2";  // its data directory came back empty
    req = RegisterRequest{b};
    CHECK(f.reg.OnRegister(req, Topics().Reg("edge-b"), &cert).addr == ob.addr);
    CHECK(f.m.Get("stores_returned_empty") == 1);
    req = RegisterRequest{b};
    CHECK(f.reg.OnRegister(req, Topics().Reg("edge-b"), &cert).addr == ob.addr);
    CHECK(f.m.Get("stores_returned_empty") == 1);  // once, not on every announcement
  }
}
}  // namespace tern::core
