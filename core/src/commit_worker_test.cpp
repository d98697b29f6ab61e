#include "commit_worker.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "fake_transport.h"
#include "tern/common/hlc.h"
#include "tern/common/mqtt.h"

namespace tern::core {
namespace {
struct Fixture {
  std::shared_ptr<::tern::testing::FakeBroker> broker = ::tern::testing::FakeBroker::Create();
  std::unique_ptr<Transport> t;
  Metrics m;
  bool fail_commit = false;
  int begins = 0, commits = 0, rollbacks = 0;
  std::vector<std::string> seen;
  std::vector<std::string> order;
  std::unique_ptr<CommitWorker> w;
  Fixture() {
    MqttOptions o;
    o.client_id = "core-test";
    t = broker->Factory()(o).value();
    REQUIRE(t->Start().ok());
    TransactionOps txn{[this] {
                         ++begins;
                         return Status::Ok();
                       },
                       [this] {
                         ++commits;
                         return fail_commit ? Status::IoError("disk full") : Status::Ok();
                       },
                       [this] {
                         ++rollbacks;
                         return Status::Ok();
                       }};
    CommitWorker::Hooks h{[this](const std::string& topic, const std::string& payload, Batch& b) {
                            if (payload == "throw") throw std::runtime_error("boom");
                            seen.push_back(payload);
                            b.Publish({"reply/" + topic, payload});
                            b.AfterCommit([this] { order.push_back("work"); });
                          },
                          [this](Batch& b, uint64_t) {
                            order.push_back("before:" + std::to_string(b.outgoing().size()));
                          },
                          [this](uint64_t) { order.push_back("after"); }};
    CommitWorkerOptions wo;
    wo.commit_tick_ms = 0;
    w = std::make_unique<CommitWorker>(wo, std::move(txn), t.get(), &m, std::move(h));
  }
  size_t Replies() { return broker->PublishedOn("reply/#").size(); }
};
}  // namespace

TEST_SUITE("commit_worker") {
  TEST_CASE("one transaction per turn, replies are published only after the commit") {
    Fixture f;
    f.w->Enqueue("a", "1");
    f.w->Enqueue("b", "2");
    CHECK(f.Replies() == 0);
    REQUIRE(f.w->Turn(std::chrono::milliseconds(0)).ok());
    CHECK(f.begins == 1);
    CHECK(f.commits == 1);
    CHECK(f.seen == std::vector<std::string>{"1", "2"});
    CHECK(f.Replies() == 2);
    CHECK(f.order == std::vector<std::string>{"before:2", "work", "work", "after"});
  }

  TEST_CASE("a failed commit rolls back and publishes nothing") {
    Fixture f;
    f.fail_commit = true;
    f.w->Enqueue("a", "1");
    f.w->Post([](Batch& b) { b.Publish({"reply/task", "x"}); });
    CHECK_FALSE(f.w->Turn(std::chrono::milliseconds(0)).ok());
    CHECK(f.rollbacks == 1);
    CHECK(f.Replies() == 0);
    CHECK(f.m.Get("manifest_commit_errors") == 1);
    CHECK(f.m.Get("processing_redone") == 1);
    CHECK(f.order == std::vector<std::string>{"before:2"});  // no work, no after-commit hook
  }

  TEST_CASE("a handler that throws costs its own message only") {
    Fixture f;
    f.w->Enqueue("a", "throw");
    f.w->Enqueue("b", "2");
    REQUIRE(f.w->Turn(std::chrono::milliseconds(0)).ok());
    CHECK(f.m.Get("handler_errors") == 1);
    CHECK(f.seen == std::vector<std::string>{"2"});
    CHECK(f.Replies() == 1);
  }

  TEST_CASE("the worker reports itself unhealthy before its first commit and when commits fail") {
    Fixture f;
    CHECK(f.w->Problem(MonotonicMs()).find("no transaction committed yet") != std::string::npos);
    REQUIRE(f.w->Turn(std::chrono::milliseconds(0)).ok());
    const uint64_t now = MonotonicMs();
    CHECK(f.w->Problem(now) == "");
    f.fail_commit = true;
    CHECK_FALSE(f.w->Turn(std::chrono::milliseconds(0)).ok());
    CHECK(f.w->Problem(now + 1000) == "");  // one failure is not yet a stall
    const std::string p = f.w->Problem(now + CommitWorker::kStalledAfterMs + 1000);
    CHECK(p.find("failing") != std::string::npos);
    f.fail_commit = false;
    REQUIRE(f.w->Turn(std::chrono::milliseconds(0)).ok());
    CHECK(f.w->Problem(MonotonicMs()) == "");
  }

  TEST_CASE("the thread runs turns until stopped") {
    Fixture f;
    f.w->Start();
    f.w->Enqueue("a", "1");
    for (int i = 0; i < 500 && f.Replies() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    f.w->Stop();
    CHECK(f.Replies() == 1);
  }
}
}  // namespace tern::core
