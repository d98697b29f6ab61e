// The store protocol at the store: digest (block reports), copy, get, corrupt copies; and the
// agent's wiring of it (start report, replication_blocked).
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "agent_site_testing.h"
#include "chunk_write.h"
#include "statements.h"
#include "store_service.h"
#include "tern/common/hlc.h"
#include "tern/common/node_identity.h"
#include "tern/common/pki.h"
#include "tern/common/store_messages.h"
#include "test_util.h"

namespace tern::edge {
namespace {
// The store service of node 5 ("n5"), the core "core"; puts come from node 9 ("n9").
struct Rig : test::StoreRig {
  std::unique_ptr<ReliablePublisher> pub;
  std::unique_ptr<StoreService> svc;

  Rig() : StoreRig("store_protocol") {
    pub = std::make_unique<ReliablePublisher>(
        t.get(), [this](uint64_t ms, EventLoop::Task f) { loop.After(ms, std::move(f)); }, &m,
        "test");
    svc = std::make_unique<StoreService>(5, "n5", Topics(), store.get(), &loop, pub.get(), &m,
                                         "test");
  }
  ~Rig() override { store.reset(); }
  // Puts `n` chunks of n9 (seq from `first`) and waits until they are stored; their ids.
  std::vector<ChunkId> Fill(int n, int first = 0) {
    std::vector<ChunkId> ids;
    const int64_t before = m.Get("replicas_stored");
    for (int i = 0; i < n; ++i) {
      std::string wire = test::MakeChunk(9, static_cast<uint64_t>(first + i));
      ids.push_back(ChunkIdOf(wire));
      svc->OnPut("n9", test::PutOf(9, wire));
    }
    REQUIRE(Until([&] { return m.Get("replicas_stored") == before + n; }));
    return ids;
  }
  std::vector<msg::BlockReport> Reports() {
    std::vector<msg::BlockReport> out;
    for (const auto& p : On("tern/stored/n5")) {
      if (auto r = msg::DecodeText<msg::BlockReport>(p); r.ok()) out.push_back(*r);
    }
    return out;
  }
};
}  // namespace

TEST_SUITE("store_protocol") {
  TEST_CASE("digest: a full block report in pages with the request's id and exact total") {
    Rig r;
    auto ids = r.Fill(static_cast<int>(msg::kBlockReportPage) + 5);
    r.svc->OnDigest({42, false});
    REQUIRE(r.Until([&] { return r.m.Get("block_reports_sent") == 1; }));
    auto pages = r.Reports();
    REQUIRE(pages.size() == 2);
    std::set<ChunkId> listed;
    for (size_t i = 0; i < pages.size(); ++i) {
      CHECK(pages[i].report == 42);
      CHECK(pages[i].holder == 5);
      CHECK(pages[i].page == i);
      CHECK(pages[i].total == ids.size());
      CHECK(pages[i].last == (i + 1 == pages.size()));
      CHECK(pages[i].chunks.size() <= msg::kBlockReportPage);
      for (const auto& e : pages[i].chunks) {
        listed.insert(e.id);
        CHECK(e.bytes > 0);
      }
    }
    CHECK(listed == std::set<ChunkId>(ids.begin(), ids.end()));
  }

  TEST_CASE("digest of an empty store: one last page with total 0") {
    Rig r;
    r.svc->OnDigest({7, true});
    REQUIRE(r.Until([&] { return r.m.Get("block_reports_sent") == 1; }));
    auto pages = r.Reports();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].last);
    CHECK(pages[0].total == 0);
  }

  TEST_CASE("digest with rehash lists a flipped chunk as corrupt, quarantines and reports it") {
    Rig r;
    auto ids = r.Fill(40);
    test::FlipByte(r.dir / "edge.db", ids[17]);
    r.svc->OnDigest({9, true});
    REQUIRE(r.Until(
        [&] { return r.m.Get("block_reports_sent") == 1 && r.m.Get("corrupt_reported") == 1; }));
    auto pages = r.Reports();
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].total == 39);
    CHECK(pages[0].chunks.size() == 39);
    REQUIRE(pages[0].corrupt.size() == 1);
    CHECK(pages[0].corrupt[0] == ids[17]);
    CHECK_FALSE(r.store->HasChunk(ids[17]).value());
    CHECK(r.store->QuarantineCount().value() == 1);
    bool noticed = false;
    for (const auto& p : r.On("tern/stored/n5")) {
      auto c = msg::DecodeText<msg::Corrupt>(p);
      if (c.ok()) noticed = c->id == ids[17] && c->holder == 5 && c->reason == "rehash";
    }
    CHECK(noticed);
  }

  TEST_CASE("get: a kGot envelope echoing the request, with the chunk's bytes") {
    Rig r;
    auto ids = r.Fill(1);
    r.svc->OnGet({ids[0], 31}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("gets_served") == 1; }));
    auto got = r.On("tern/peer/n5/core");
    REQUIRE(got.size() == 1);
    auto env = DecodeEnvelope(got[0]);
    REQUIRE(env.ok());
    CHECK(env->type == EnvelopeType::kGot);
    CHECK(env->request == 31);
    CHECK(env->id == ids[0]);
    CHECK(ChunkIdOf(env->chunk) == ids[0]);
  }

  TEST_CASE("an analysis task's series run resolves to its ids only when held whole") {
    Rig r;
    auto ids = r.Fill(5);  // n9's source "s", seq 0..4
    auto run = r.svc->RunIds({9, "s", 1, 3, 0, UINT64_MAX});
    REQUIRE_MESSAGE(run.ok(), run.status().ToString());
    CHECK(*run == std::vector<ChunkId>{ids[1], ids[2], ids[3]});
    CHECK(msg::TaskDigest(*run) == msg::TaskDigest({ids[1], ids[2], ids[3]}));
    // A number past what is held, another series, another origin: not held whole, named.
    auto past = r.svc->RunIds({9, "s", 3, 5, 0, UINT64_MAX});
    CHECK(past.status().code() == Status::Code::kFailedPrecondition);
    CHECK(past.status().message().find("s of node 9 #3..5") != std::string::npos);
    CHECK(past.status().message().find("2 of 3 found") != std::string::npos);
    CHECK_FALSE(r.svc->RunIds({9, "other", 0, 0, 0, UINT64_MAX}).ok());
    CHECK_FALSE(r.svc->RunIds({8, "s", 0, 0, 0, UINT64_MAX}).ok());
    // Stamps that exclude the run's first records: it is not found through them.
    CHECK_FALSE(r.svc->RunIds({9, "s", 0, 4, UINT64_MAX - 1, UINT64_MAX}).ok());
  }

  TEST_CASE("get never returns a corrupt copy: get_nack, quarantine, corrupt notice") {
    Rig r;
    auto ids = r.Fill(2);
    test::FlipByte(r.dir / "edge.db", ids[1]);
    r.svc->OnGet({ids[1], 8}, "core");
    r.svc->OnGet({std::string(32, 'z'), 9}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("get_nacks") == 2 && r.m.Get("corrupt_reported") == 1; }));
    CHECK(r.m.Get("gets_served") == 0);
    for (const auto& p : r.On("tern/peer/n5/core")) {
      CHECK_FALSE(DecodeEnvelope(p).ok());  // no envelope went out, only nacks
    }
    auto nack = msg::DecodeText<msg::GetNack>(r.On("tern/peer/n5/core").at(0));
    REQUIRE(nack.ok());
    CHECK(nack->req == 8);
    CHECK(nack->reason.find("corrupt") != std::string::npos);
    CHECK_FALSE(r.store->HasChunk(ids[1]).value());
    // Asked again: the copy is gone, not served.
    r.svc->OnGet({ids[1], 10}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("get_nacks") == 3; }));
    CHECK(r.m.Get("gets_served") == 0);
    CHECK(r.m.Get("corrupt_found") == 1);
  }

  TEST_CASE("copy: a put to the named target, its put_ack taken here, its put_nack a copy_nack") {
    Rig r;
    auto ids = r.Fill(2);
    r.svc->OnCopy({ids[0], "n12", 12, 77}, "core");
    r.svc->OnCopy({ids[1], "n13", 13, 78}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("copies_sent") == 2; }));
    auto puts = r.On("tern/put/n5/n12");
    REQUIRE(puts.size() == 1);
    auto env = DecodeEnvelope(puts[0]);
    REQUIRE(env.ok());
    CHECK(env->type == EnvelopeType::kPut);
    CHECK(env->id == ids[0]);
    CHECK(ChunkIdOf(env->chunk) == ids[0]);
    // Answers: ours are recognised (once), anyone else's go on to the Shipper.
    CHECK(r.svc->OnCopyAnswer(ids[0], "n12", nullptr));
    CHECK_FALSE(r.svc->OnCopyAnswer(ids[0], "n12", nullptr));
    CHECK_FALSE(r.svc->OnCopyAnswer(ids[1], "n12", nullptr));
    const std::string full = "disk full";
    CHECK(r.svc->OnCopyAnswer(ids[1], "n13", &full));
    REQUIRE(r.Until([&] { return r.m.Get("copy_nacks") == 1; }));
    auto nack = msg::DecodeText<msg::CopyNack>(r.On("tern/peer/n5/core").at(0));
    REQUIRE(nack.ok());
    CHECK(nack->req == 78);
    CHECK(nack->to == "n13");
    CHECK(nack->holder == 5);
    CHECK(nack->reason.find("disk full") != std::string::npos);
    CHECK(r.m.Get("copy_acks") == 1);
  }

  TEST_CASE("copy refused: not held, corrupt, or to itself, each a copy_nack with the reason") {
    Rig r;
    auto ids = r.Fill(1);
    test::FlipByte(r.dir / "edge.db", ids[0]);
    r.svc->OnCopy({std::string(32, 'q'), "n12", 12, 1}, "core");
    r.svc->OnCopy({ids[0], "n12", 12, 2}, "core");
    r.svc->OnCopy({ids[0], "n5", 5, 3}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("copy_nacks") == 3; }));
    CHECK(r.m.Get("copies_sent") == 0);
    CHECK(r.On("tern/put/n5/n12").empty());
    std::map<uint64_t, std::string> reasons;
    for (const auto& p : r.On("tern/peer/n5/core")) {
      auto n = msg::DecodeText<msg::CopyNack>(p);
      REQUIRE(n.ok());
      reasons[n->req] = n->reason;
    }
    CHECK(reasons[1] == "not held");
    CHECK(reasons[2].find("corrupt") != std::string::npos);
    CHECK(reasons[3].find("bad target") != std::string::npos);
  }

  TEST_CASE("a replica keeps the put envelope's signature, and copies carry it on") {
    Rig r;
    std::string wire = test::MakeChunk(9, 4);
    const std::string sig(64, 's');
    r.svc->OnPut("n9", EncodeEnvelope(EnvelopeType::kPut, 9, 1, ChunkIdOf(wire), sig, wire));
    REQUIRE(r.Until([&] { return r.m.Get("replicas_stored") == 1; }));
    CHECK(r.store->GetCopy(ChunkIdOf(wire)).value()->sig == sig);
    r.svc->OnCopy({ChunkIdOf(wire), "n12", 12, 5}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("copies_sent") == 1; }));
    auto env = DecodeEnvelope(r.On("tern/put/n5/n12").at(0));
    REQUIRE(env.ok());
    CHECK(env->sig == sig);
  }
}

TEST_SUITE("store_protocol_pki") {
  TEST_CASE("pki: an own chunk without a kept signature is signed again, a replica is refused") {
    testing::TempDir pdir{"store-protocol-pki"};
    PkiInit init;
    init.broker.port = 1;
    auto pki = Pki::Init(pdir / "pki", init);
    REQUIRE(pki.ok());
    REQUIRE(pki->Issue("n5", crypto::Role::kEdge).ok());
    const PkiPaths paths = pki->Paths("n5");
    auto identity =
        NodeIdentity::Load("n5", crypto::Role::kEdge, paths.ca, paths.cert, paths.key, "").value();
    const crypto::PublicKey key = crypto::PrivateKey::Load(paths.key).value().Public();
    Rig r;
    auto st = Statements::Open(r.store.get(), &r.m, "test", identity.get()).value();
    StoreService svc(5, "n5", Topics(), r.store.get(), &r.loop, r.pub.get(), &r.m, "test",
                     st.get());
    // Rows as schema 1 left them: no signature kept.
    std::string own = test::MakeChunk(5, 1), replica = test::MakeChunk(9, 1);
    ChunkHeader h5, h9;
    h5.origin = 5;
    h9.origin = 9;
    r.store->Submit(ChunkWrite(StoreWrite::Kind::kOwnChunk, ChunkIdOf(own), h5, own), nullptr);
    r.store->Submit(ChunkWrite(StoreWrite::Kind::kReplica, ChunkIdOf(replica), h9, replica),
                    nullptr);
    REQUIRE(test::WaitFor([&] { return r.store->Totals()->first == 2; }));
    svc.OnCopy({ChunkIdOf(own), "n12", 12, 1}, "core");
    svc.OnCopy({ChunkIdOf(replica), "n13", 13, 2}, "core");
    REQUIRE(r.Until([&] { return r.m.Get("copies_sent") == 1 && r.m.Get("copy_nacks") == 1; }));
    auto env = DecodeEnvelope(r.On("tern/put/n5/n12").at(0));
    REQUIRE(env.ok());
    CHECK(VerifyChunkId(key, env->id, env->sig));
    CHECK(r.On("tern/put/n5/n13").empty());
    auto nack = msg::DecodeText<msg::CopyNack>(r.On("tern/peer/n5/core").at(0));
    REQUIRE(nack.ok());
    CHECK(nack->reason == "no origin signature kept");
    // The new signature is kept.
    CHECK(test::WaitFor([&] {
      auto c = r.store->GetCopy(ChunkIdOf(own));
      return c.ok() && *c && (*c)->sig == std::string(env->sig);
    }));
  }
}

TEST_SUITE("store_protocol_agent") {
  TEST_CASE("the edge sends a block report after registering, and another on digest") {
    test::Site s;
    s.Start();
    auto reports = [&] {
      std::vector<msg::BlockReport> out;
      for (const auto& p : s.On(s.t.Stored("e1"))) {
        if (auto r = msg::DecodeText<msg::BlockReport>(p); r.ok()) out.push_back(*r);
      }
      return out;
    };
    REQUIRE(test::WaitFor([&] { return reports().size() == 1; }));
    CHECK(reports()[0].report != 0);
    CHECK(reports()[0].holder == test::kEdge);
    CHECK(reports()[0].last);
    s.Down(msg::DigestRequest{555, false}.Encode());
    REQUIRE(test::WaitFor([&] { return reports().size() == 2; }));
    CHECK(reports()[1].report == 555);
    // The counter moves just after the last page is handed to the transport.
    CHECK(test::WaitFor([&] { return s.Counter("block_reports_sent") == 2; }));
  }

  TEST_CASE("replication_blocked says why copies cannot be placed, and clears") {
    test::Site s;
    s.Start();
    REQUIRE(test::WaitFor([&] { return s.agent->StatusJson()["replication_blocked"] == false; }));
    CHECK(s.Counter("replication_blocked") == 0);
    msg::Members one = test::Site::Members();
    for (auto& n : one.nodes) {
      if (n.addr == 12 || n.addr == 13) n.state = "dead";
    }
    s.broker->Inject(s.t.Members(), s.FromCore(s.t.Members(), one.Encode()), true);
    REQUIRE(test::WaitFor([&] {
      return s.agent->StatusJson()["replication_blocked_reason"] == "1 live peer, need 2";
    }));
    CHECK(s.agent->StatusJson()["replication_blocked"] == true);
    CHECK(s.Counter("replication_blocked") == 1);
    // Records keep going into the outbox meanwhile.
    s.Record(1);
    REQUIRE(test::WaitFor([&] { return s.agent->StatusJson()["outbox_chunks"] == 1; }));
    s.broker->Inject(s.t.Members(), s.FromCore(s.t.Members(), test::Site::Members().Encode()),
                     true);
    REQUIRE(test::WaitFor([&] { return s.agent->StatusJson()["replication_blocked"] == false; }));
    CHECK(s.Counter("replication_blocked") == 0);
    CHECK(s.agent->StatusJson()["replication_blocked_reason"] == "");
  }
}
}  // namespace tern::edge
