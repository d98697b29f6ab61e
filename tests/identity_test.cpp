// Who may talk to the broker, and what each identity may publish and read: a real Mosquitto
// in Pki mode (the generated TLS config, CRL and ACL), real TLS through MqttClient.
// Refusals are waited for as conditions (the client records why it failed); the absence of
// a forbidden message is shown by a later message from the same publisher that does
// arrive (the broker keeps one client's messages in order).
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "broker.h"
#include "tern/common/metrics.h"
#include "tern/common/mqtt.h"
#include "tern/common/pki.h"

namespace tern::testing {
namespace {
constexpr auto kConnectWait = std::chrono::milliseconds(15000);

bool WaitUntil(double seconds, const std::function<bool()>& pred) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

MqttOptions Options(const Broker& b, const std::string& client_id, const Identity& id) {
  MqttOptions o;
  o.host = "127.0.0.1";
  o.port = b.port();
  o.client_id = client_id;
  o.tls_ca = id.ca;
  o.tls_cert = id.cert;
  o.tls_key = id.key;
  o.reconnect_min_s = 1;
  o.reconnect_max_s = 1;
  return o;
}

std::unique_ptr<MqttClient> Client(const MqttOptions& o) {
  auto c = MqttClient::Create(o);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  return std::move(c).value();
}

// Lines in which the broker logs a refused TLS connection.
size_t BrokerRefusals(const Broker& b) {
  const std::string log = b.log();
  size_t n = 0;
  for (const char* mark : {"OpenSSL Error", "Client connection from"}) {
    for (size_t at = log.find(mark); at != std::string::npos; at = log.find(mark, at + 1)) ++n;
  }
  return n;
}

// Starts a client that should be refused and waits until the refusal is seen: the client
// recorded why, or the broker logged a refused connection (libmosquitto does not always tell
// its client: after some TLS errors its network thread just ends). The client must never
// have been connected. Returns the client's reason ("" if it had none).
std::string Refused(const Broker& b, const MqttOptions& o) {
  const size_t before = BrokerRefusals(b);
  auto c = Client(o);
  REQUIRE(c->Start().ok());
  CHECK(WaitUntil(15, [&] { return !c->last_error().empty() || BrokerRefusals(b) > before; }));
  // Give the client the same chance to have recorded its reason, then check it never got in.
  WaitUntil(2, [&] { return !c->last_error().empty(); });
  CHECK(c->connects() == 0);
  std::string why = c->last_error();
  c->Stop();
  return why;
}

// Collects what a subscriber receives.
struct Inbox {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;
  void Attach(MqttClient& c) {
    c.OnMessage([this](const std::string& t, std::string_view p) {
      std::lock_guard<std::mutex> lk(mu);
      got.emplace_back(t, std::string(p));
    });
  }
  bool Has(const std::string& topic) {
    std::lock_guard<std::mutex> lk(mu);
    for (const auto& [t, p] : got) {
      if (t == topic) return true;
    }
    return false;
  }
  std::set<std::string> Topics() {
    std::lock_guard<std::mutex> lk(mu);
    std::set<std::string> s;
    for (const auto& [t, p] : got) s.insert(t);
    return s;
  }
};

// A client of `id` that is connected (and, with `inbox`, subscribed to `patterns`) on return.
std::unique_ptr<MqttClient> Connected(const Broker& b, const Identity& id, Inbox* inbox = nullptr,
                                      const std::vector<std::string>& patterns = {"tern/#"}) {
  auto c = Client(Options(b, id.name, id));
  if (inbox) {
    inbox->Attach(*c);
    for (const auto& p : patterns) REQUIRE(c->Subscribe(p).ok());
  }
  REQUIRE(c->Start().ok());
  REQUIRE(c->WaitConnected(kConnectWait).ok());
  return c;
}

struct PkiBroker {
  TempDir dir{"tern-identity"};
  Broker broker{dir.path(), BrokerMode::kPki};
  PkiBroker() { REQUIRE_MESSAGE(broker.ok(), broker.log()); }
};
}  // namespace

TEST_SUITE("identity") {
  TEST_CASE("a valid certificate connects, no certificate, or plain TCP, is refused") {
    PkiBroker s;
    Identity edge = s.broker.Issue("edge-1", crypto::Role::kEdge);
    REQUIRE(!edge.cert.empty());
    Connected(s.broker, edge)->Stop();

    Identity anonymous{"anon", edge.ca, "", ""};
    std::string why = Refused(s.broker, Options(s.broker, "anon", anonymous));
    MESSAGE("no certificate: " << why);
    Refused(s.broker, Options(s.broker, "plain", Identity{"plain", "", "", ""}));
  }

  TEST_CASE("a certificate from another CA is refused, so is a broker our CA did not issue") {
    PkiBroker s;
    TempDir other_dir("tern-other-ca");
    auto other = Pki::Init(other_dir / "pki", PkiInit{});
    REQUIRE(other.ok());
    REQUIRE(other->Issue("edge-1", crypto::Role::kEdge).ok());
    PkiPaths theirs = other->Paths("edge-1");
    Identity ours = s.broker.Issue("edge-2", crypto::Role::kEdge);

    // Their certificate, our CA file (so we trust the broker): the broker refuses us.
    std::string why = Refused(
        s.broker, Options(s.broker, "edge-1", {"edge-1", ours.ca, theirs.cert, theirs.key}));
    MESSAGE("other CA's certificate: " << why);
    // Our own certificate but their CA file: we refuse the broker, and say which CA file.
    why =
        Refused(s.broker, Options(s.broker, "edge-2", {"edge-2", theirs.ca, ours.cert, ours.key}));
    CHECK(why.find(theirs.ca) != std::string::npos);
  }

  TEST_CASE("an expired certificate is refused") {
    PkiBroker s;
    Identity old = s.broker.Issue("edge-old", crypto::Role::kEdge, 1, -3 * 86400);
    REQUIRE(!old.cert.empty());
    std::string why = Refused(s.broker, Options(s.broker, "edge-old", old));
    MESSAGE("expired: " << why);
  }

  TEST_CASE("a revoked certificate is refused after the broker reloads") {
    PkiBroker s;
    Identity id = s.broker.Issue("edge-3", crypto::Role::kEdge);
    REQUIRE(!id.cert.empty());
    Connected(s.broker, id)->Stop();
    REQUIRE(s.broker.Revoke("edge-3"));
    std::string why = Refused(s.broker, Options(s.broker, "edge-3", id));
    MESSAGE("revoked: " << why);
  }

  TEST_CASE("an edge cannot publish on another node's topics, the core reads its own") {
    PkiBroker s;
    Identity core_id = s.broker.Issue("core", crypto::Role::kCore);
    Identity e1 = s.broker.Issue("edge-1", crypto::Role::kEdge);
    s.broker.Issue("edge-2", crypto::Role::kEdge);
    Inbox inbox;
    auto core = Connected(s.broker, core_id, &inbox);
    auto edge = Connected(s.broker, e1);

    // The subscription is in place once a message of the core's own reaches it.
    CHECK(WaitUntil(15, [&] {
      (void)core->Publish("tern/x/ping", "p", 1);
      return inbox.Has("tern/x/ping");
    }));
    for (const char* forbidden : {"tern/up/edge-2", "tern/hb/edge-2", "tern/down/edge-1",
                                  "tern/members", "tern/x/alarm", "tern/put/edge-2/edge-1"}) {
      CHECK(edge->Publish(forbidden, "forged").ok());
    }
    CHECK(edge->Publish("tern/up/edge-1", "sentinel").ok());
    CHECK(WaitUntil(15, [&] { return inbox.Has("tern/up/edge-1"); }));
    std::set<std::string> got = inbox.Topics();
    CHECK(got == std::set<std::string>{"tern/x/ping", "tern/up/edge-1"});
  }

  TEST_CASE("an observer reads tern/x/# and nothing else, and cannot publish") {
    PkiBroker s;
    Identity core_id = s.broker.Issue("core", crypto::Role::kCore);
    Identity obs_id = s.broker.Issue("watcher", crypto::Role::kObserver);
    Inbox core_inbox, inbox;
    auto core = Connected(s.broker, core_id, &core_inbox);
    // Whether the broker refuses the other subscriptions or just delivers nothing on them,
    // only tern/x/# may reach the observer.
    auto obs = Connected(s.broker, obs_id, &inbox, {"tern/x/#", "tern/down/#", "tern/members"});

    CHECK(WaitUntil(15, [&] {
      (void)core->Publish("tern/x/ping", "p", 1);
      return inbox.Has("tern/x/ping");
    }));
    CHECK(core->Publish("tern/down/edge-1", "private").ok());
    CHECK(core->Publish("tern/members", "members").ok());
    CHECK(core->Publish("tern/x/alarm", "sentinel").ok());
    CHECK(WaitUntil(15, [&] { return inbox.Has("tern/x/alarm"); }));
    CHECK(inbox.Topics() == std::set<std::string>{"tern/x/ping", "tern/x/alarm"});

    // Its own publish is refused by the broker (acknowledged, not delivered); once the
    // acknowledgement is back, a later core message shows nothing was forwarded.
    CHECK(obs->Publish("tern/x/forged", "forged").ok());
    CHECK(WaitUntil(15, [&] { return obs->inflight() == 0; }));
    CHECK(core->Publish("tern/x/after", "sentinel").ok());
    CHECK(WaitUntil(15, [&] { return core_inbox.Has("tern/x/after"); }));
    CHECK_FALSE(core_inbox.Has("tern/x/forged"));
  }

  TEST_CASE("a second connection with the same identity is a conflict, counted on the first") {
    PkiBroker s;
    Identity id = s.broker.Issue("edge-1", crypto::Role::kEdge);
    Metrics m;
    MqttOptions o = Options(s.broker, "edge-1", id);
    o.metrics = &m;
    auto first = Client(o);
    REQUIRE(first->Start().ok());
    REQUIRE(first->WaitConnected(kConnectWait).ok());
    auto second = Connected(s.broker, id);
    CHECK(WaitUntil(15, [&] { return first->identity_conflicts() >= 1; }));
    CHECK(m.Get("mqtt_identity_conflicts") >= 1);
    second->Stop();
    first->Stop();
  }
}

}  // namespace tern::testing
