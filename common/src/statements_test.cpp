#include "tern/common/statements.h"

#include <doctest/doctest.h>

#include "tern/common/crypto.h"
#include "tern/common/messages.h"

namespace tern {
namespace {
// A SeqStore in memory that counts its durable writes and can be made to fail.
struct MemSeqStore : SeqStore {
  uint64_t reserved = 0;
  int writes = 0;
  bool fail = false;
  Result<uint64_t> LoadReservation() override { return reserved; }
  Status SaveReservation(uint64_t r) override {
    if (fail) return Status::IoError("disk full");
    reserved = r;
    ++writes;
    return Status::Ok();
  }
};
}  // namespace

TEST_SUITE("statements") {
  TEST_CASE("seal and unseal without a key: the seq appended, the message given back as sent") {
    const std::string j = msg::Delete{ChunkId(std::string(32, 'a'))}.Encode();
    const std::string m = Seal("tern/down/e1", j, 42, nullptr);
    CHECK(m == j.substr(0, j.size() - 1) + R"(,"seq":42})");
    auto u = Unseal("tern/down/e1", m, nullptr);
    REQUIRE(u.ok());
    CHECK(u->seq == 42);
    CHECK(u->body == j);
    CHECK_FALSE(u->signed_);
    // A message that has a "seq" of its own (a stored notice's chunk seq) keeps it.
    StoredNotice n;
    n.id = ChunkId(std::string(32, 'b'));
    n.holder = n.origin = 3;
    n.seq = 7;
    const std::string stored = msg::Stored(n).Encode();
    auto back = Unseal("t", Seal("t", stored, 99, nullptr), nullptr);
    REQUIRE(back.ok());
    CHECK(msg::DecodeText<msg::Stored>(back->body).value().seq == 7);
    CHECK(back->seq == 99);
  }

  TEST_CASE("unseal refuses what is not sealed") {
    for (const char* bad :
         {"", "{}", R"({"v":1})", R"({"v":1,"seq":})", R"({"v":1,"seq":x})", R"({"v":1,"seq":0})",
          R"({"v":1,"seq":12345678901234567890})", R"(["v",1,"seq":1])", R"({"v":1,"seq":1)"}) {
      CHECK_MESSAGE(!Unseal("t", bad, nullptr).ok(), bad);
    }
    CHECK(Unseal("t", R"({"v":1,"seq":1})", nullptr).ok());
  }

  TEST_CASE("with keys: signed, verified, another topic, key, byte or seq fails") {
    auto k = crypto::PrivateKey::Generate().value();
    auto other = crypto::PrivateKey::Generate().value();
    const crypto::PublicKey pub = k.Public();
    const std::string j = R"({"v":1,"type":"ack","id":"ab"})";
    const std::string m = Seal("tern/down/e1", j, 5, &k);
    CHECK(m.size() == j.size() - 1 + std::string(R"(,"seq":5,"sig":")").size() + 128 + 2);
    auto u = Unseal("tern/down/e1", m, &pub);
    REQUIRE(u.ok());
    CHECK(u->signed_);
    CHECK(u->seq == 5);
    CHECK(u->body == j);
    CHECK(Unseal("tern/down/e2", m, &pub).status().message() == "bad signature");
    const crypto::PublicKey wrong = other.Public();
    CHECK_FALSE(Unseal("tern/down/e1", m, &wrong).ok());
    std::string flipped = m;
    flipped[10] ^= 1;
    CHECK_FALSE(Unseal("tern/down/e1", flipped, &pub).ok());
    std::string reseq = m;
    reseq.replace(reseq.find(R"("seq":5)"), 7, R"("seq":6)");
    CHECK_FALSE(Unseal("tern/down/e1", reseq, &pub).ok());
    // Unsigned where a key is expected: refused; signed where none is: the seal still comes off.
    CHECK(Unseal("tern/down/e1", Seal("tern/down/e1", j, 5, nullptr), &pub).status().message() ==
          "no signature");
    CHECK(Unseal("tern/down/e1", m, nullptr).value().body == j);
    CHECK(RefusalReason(Unseal("tern/down/e2", m, &pub).status()) == "bad_signature");
    CHECK(RefusalReason(Unseal("t", "{}", nullptr).status()) == "no_seq");
  }

  TEST_CASE("replay window: new numbers, reordering inside the window, repeats and old ones") {
    ReplayWindow w;
    CHECK_FALSE(w.Accept(0));
    CHECK(w.Accept(10));
    CHECK_FALSE(w.Accept(10));  // a repeat
    CHECK(w.Accept(8));         // late, inside the window
    CHECK_FALSE(w.Accept(8));
    CHECK(w.Accept(9));
    CHECK(w.Accept(5000));
    CHECK(w.Accept(5000 - 4095));        // the oldest the window holds
    CHECK_FALSE(w.Accept(5000 - 4096));  // older than the window
    CHECK_FALSE(w.Accept(10));           // fell out of the window
    CHECK(w.Accept(4999));
    CHECK(w.Accept(5001));
    CHECK_FALSE(w.Fresh(4999));  // still remembered after a shift by one
    CHECK_FALSE(w.Fresh(5000 - 4095));
    // Shifts by less than a word, by whole words and by more than the window.
    ReplayWindow s;
    for (uint64_t q : {1u, 65u, 130u, 200u}) CHECK(s.Accept(q));
    for (uint64_t q : {1u, 65u, 130u, 200u}) CHECK_FALSE(s.Fresh(q));
    CHECK(s.Fresh(2));
    CHECK(s.Accept(1000000));
    CHECK_FALSE(s.Fresh(200));  // far behind now
    CHECK(s.Fresh(999999));
    // Save / Load keep every bit.
    auto copy = ReplayWindow::Load(w.Save());
    REQUIRE(copy.ok());
    CHECK(copy->highest() == 5001);
    CHECK_FALSE(copy->Fresh(4999));
    CHECK(copy->Fresh(4998));
    CHECK_FALSE(ReplayWindow::Load("short").ok());
  }

  TEST_CASE("seq counter: reserved in blocks, continues past the reservation after a restart") {
    MemSeqStore st;
    auto c = SeqCounter::Open(&st, 100).value();
    CHECK(c->Next().value() == 1);
    CHECK(st.reserved == 101);
    for (int i = 2; i <= 100; ++i) CHECK(c->Next().value() == static_cast<uint64_t>(i));
    CHECK(st.writes == 1);  // one durable write for a hundred numbers
    CHECK(c->Next().value() == 101);
    CHECK(st.writes == 2);
    CHECK(st.reserved == 201);
    // A crash now: numbers up to 101 may have gone out; the next run starts at 201.
    auto again = SeqCounter::Open(&st, 100).value();
    CHECK(again->Next().value() == 201);
    st.fail = true;
    auto stuck = SeqCounter::Open(&st, 100).value();
    auto r = stuck->Next();
    CHECK_FALSE(r.ok());
    CHECK(r.status().message().find("reserving sequence numbers") != std::string::npos);
  }

  TEST_CASE("seq counter: with the clock floor a full disk does not stop the numbers") {
    MemSeqStore st;
    st.fail = true;
    // The floor 1 ms back: an unsaved number is handed out only while it is below the clock,
    // and a counter opened at "now" may be asked again within the same microsecond.
    auto c = SeqCounter::Open(&st, 100, SeqFloorNow() - 1000).value();
    auto first = c->Next();
    REQUIRE(first.ok());
    CHECK(c->Next().value() == *first + 1);
    CHECK(c->unsaved() == 2);  // every call retries the save while it fails
    st.fail = false;
    CHECK(c->Next().value() == *first + 2);
    CHECK(st.reserved == *first + 2 + 100);
    CHECK(c->unsaved() == 2);
    // A restart takes the clock as its floor: above every number handed out unsaved.
    auto again = SeqCounter::Open(&st, 100, SeqFloorNow()).value();
    CHECK(again->Next().value() > *first + 2);
    // Beyond the clock there is no such safety: the error stands.
    st.fail = true;
    auto ahead = SeqCounter::Open(&st, 100, SeqFloorNow() + 1000000000).value();
    CHECK_FALSE(ahead->Next().ok());
  }

  TEST_CASE("seq counter: a floor (the clock) lifts a fresh or wiped store above old numbers") {
    MemSeqStore st;
    auto c = SeqCounter::Open(&st, 100, 5000).value();
    CHECK(c->Next().value() == 5000);
    // A reservation above the floor wins (the clock stepped back).
    auto again = SeqCounter::Open(&st, 100, 10).value();
    CHECK(again->Next().value() == 5100);
    CHECK(SeqFloorNow() > 1'700'000'000'000'000ull);  // microseconds since 1970, after 2023
  }

  TEST_CASE("chunk ids: the origin's signature, never a statement's") {
    auto key = crypto::PrivateKey::Generate().value();
    auto other = crypto::PrivateKey::Generate().value();
    const std::string id(32, '\x5a');
    const std::string sig = SignChunkId(key, id);
    CHECK(sig.size() == 64);
    CHECK(VerifyChunkId(key.Public(), id, sig));
    CHECK_FALSE(VerifyChunkId(other.Public(), id, sig));
    CHECK_FALSE(VerifyChunkId(key.Public(), std::string(32, '\x5b'), sig));
    CHECK_FALSE(VerifyChunkId(key.Public(), id, key.Sign(id)));  // the bare id: another domain
    SeqCounter* none = nullptr;
    CHECK(Sealer(none, nullptr).SignChunk(id).empty());
    CHECK(Sealer(none, &key).SignChunk(id) == sig);
  }

  TEST_CASE("replay book: per sender, refusals by reason, dirty windows once") {
    ReplayBook b;
    auto ok = b.Admit("t", Seal("t", R"({"v":1})", 3, nullptr), "a", nullptr, false);
    CHECK(std::holds_alternative<Unsealed>(ok));
    auto again = b.Admit("t", Seal("t", R"({"v":1})", 3, nullptr), "a", nullptr, false);
    REQUIRE(std::holds_alternative<Refusal>(again));
    CHECK(std::get<Refusal>(again).reason == "replay");
    CHECK(std::holds_alternative<Unsealed>(
        b.Admit("t", Seal("t", R"({"v":1})", 3, nullptr), "b", nullptr, false)));  // b's own
    CHECK(std::get<Refusal>(b.Admit("t", "{}", "a", nullptr, false)).reason == "no_seq");
    CHECK(std::get<Refusal>(b.Admit("t", R"({"v":1,"seq":9})", "a", nullptr, true)).reason ==
          "unknown_sender");
    CHECK(b.Dirty().size() == 2);
    CHECK(b.Dirty().empty());
  }
}
}  // namespace tern
