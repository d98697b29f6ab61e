// BoardInbox: a caller's task runs on the board thread and the caller gets its result only
// after Finish; a closed inbox answers Unavailable; a board thread that never answers times
// the caller out.
#include "board_inbox.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

namespace tern::core {
namespace {

TEST_SUITE("board inbox") {
  TEST_CASE("a task runs on the board thread and its result comes after Finish") {
    BoardInbox inbox;
    std::atomic<bool> finished{false};
    std::thread board([&] {
      while (inbox.Wait(std::chrono::steady_clock::now() + std::chrono::milliseconds(20))) {
        if (inbox.RunQueued() > 0) {
          finished = true;
          inbox.Finish();
        }
      }
    });
    std::thread::id ran_on;
    Status s = inbox.Call(
        [&] {
          ran_on = std::this_thread::get_id();
          return Status::InvalidArgument("button 9");
        },
        std::chrono::seconds(10));
    CHECK(finished);
    CHECK(s.message() == "button 9");
    CHECK(ran_on == board.get_id());
    inbox.Close();
    board.join();
    CHECK(inbox.Call([] { return Status::Ok(); }, std::chrono::seconds(1)).code() ==
          Status::Code::kUnavailable);
  }

  TEST_CASE("a caller is not left waiting: closed or unanswered is Unavailable") {
    BoardInbox inbox;
    Status s = inbox.Call([] { return Status::Ok(); }, std::chrono::milliseconds(50));
    CHECK(s.code() == Status::Code::kUnavailable);
    CHECK(s.message().find("did not answer") != std::string::npos);
    inbox.Close();  // answers the task still queued
    CHECK_FALSE(inbox.Wait(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  }
}

}  // namespace
}  // namespace tern::core
