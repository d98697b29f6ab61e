#include "event_loop.h"

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "tern/common/hlc.h"
#include "test_util.h"

namespace tern::edge {
TEST_SUITE("event_loop") {
  TEST_CASE("tasks in order, timers when due, jobs by period and after tasks") {
    Metrics m;
    EventLoop loop(&m, "test");
    std::vector<std::string> seen;
    int ticks = 0, pumps = 0;
    loop.Every(0, [&] { ++ticks; });
    loop.Every(
        1000, [&] { ++pumps; }, /*after_tasks=*/true);
    loop.Post([&] { seen.push_back("a"); });
    loop.Post([&] { seen.push_back("b"); });
    loop.After(50, [&] { seen.push_back("timer"); });
    const uint64_t now = MonotonicMs() + 1000000;  // far from 0: every job runs first time
    CHECK(loop.RunOnce(now - 1000000) == 2);
    CHECK(seen == std::vector<std::string>{"a", "b"});
    CHECK(ticks == 1);
    CHECK(pumps == 1);
    CHECK(loop.RunOnce(now) == 0);  // the timer is due, the period has passed
    CHECK(seen.back() == "timer");
    CHECK(pumps == 2);
    CHECK(loop.RunOnce(now + 1) == 0);
    CHECK(pumps == 2);  // neither due nor after tasks
    loop.Post([] {});
    loop.RunOnce(now + 2);
    CHECK(pumps == 3);  // after tasks
    CHECK(ticks == 4);
    CHECK(loop.pending() == 0);
  }

  TEST_CASE("a throwing task is counted and the loop goes on") {
    Metrics m;
    EventLoop loop(&m, "test");
    int after = 0;
    loop.Post([] { throw std::runtime_error("boom"); });
    loop.Post([&] { ++after; });
    loop.RunOnce(MonotonicMs());
    CHECK(m.Get("handler_errors") == 1);
    CHECK(after == 1);
  }

  TEST_CASE("the thread runs posted work, Stop runs what was posted first") {
    Metrics m;
    EventLoop loop(&m, "test");
    std::atomic<int> jobs{0}, tasks{0};
    loop.Every(0, [&] { ++jobs; });
    loop.Start();
    loop.Post([&] { ++tasks; });
    loop.After(1, [&] { ++tasks; });
    CHECK(test::WaitFor([&] { return tasks == 2 && jobs > 0; }));
    loop.Post([&] { ++tasks; });
    loop.Stop();
    CHECK(tasks == 3);
    loop.Post([&] { ++tasks; });  // dropped: the loop is stopped
    loop.Stop();
    CHECK(tasks == 3);
  }
}
}  // namespace tern::edge
