// Fifo against FakeBus: pop semantics and exact register traffic.
#include "tern/hw/fifo.h"

#include <doctest/doctest.h>

#include <deque>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::Fault;
using testing::R;
using testing::W;

// A board-side queue behind FIFO_DATA: a completed read pops.
void InstallQueue(FakeBus* bus, std::deque<uint32_t>* q) {
  bus->OnRead(regs::fifo_data::kOffset, [q]() -> uint32_t {
    if (q->empty()) return 0;
    const uint32_t v = q->front();
    q->pop_front();
    return v;
  });
}

TEST_SUITE("hw.fifo") {
  TEST_CASE("drain pops until the valid bit is clear") {
    FakeBus bus;
    std::deque<uint32_t> q{0x80010203u, 0x807F0042u};
    InstallQueue(&bus, &q);
    Fifo fifo(&bus);
    std::vector<FifoEvent> events;
    REQUIRE(fifo.Drain(&events).ok());
    CHECK(events == std::vector{FifoEvent{0x01, 0x0203}, FifoEvent{0x7F, 0x0042}});
    CHECK(bus.log() == std::vector{R(regs::fifo_data::kOffset, 0x80010203u),
                                   R(regs::fifo_data::kOffset, 0x807F0042u),
                                   R(regs::fifo_data::kOffset, 0)});
  }

  TEST_CASE("status, push, clear, threshold and overflow use their registers") {
    FakeBus bus;
    Fifo fifo(&bus);
    bus.Set(regs::fifo_status::kOffset, 0x203);  // full, depth 3 (inconsistent on purpose)
    auto st = fifo.ReadStatus();
    REQUIRE(st.ok());
    CHECK(st->depth == 3);
    CHECK(st->full);
    CHECK_FALSE(st->empty);
    REQUIRE(fifo.Push(0xBEEF).ok());
    REQUIRE(fifo.Clear().ok());
    REQUIRE(fifo.SetThreshold(8).ok());
    CHECK(fifo.SetThreshold(17).code() == Status::Code::kInvalidArgument);
    bus.Set(regs::fifo_flags::kOffset, 1);
    auto ovf = fifo.Overflowed();
    REQUIRE(ovf.ok());
    CHECK(*ovf);
    REQUIRE(fifo.ClearOverflow().ok());
    CHECK(bus.log() ==
          std::vector{R(regs::fifo_status::kOffset, 0x203), W(regs::fifo_push::kOffset, 0xBEEF),
                      W(regs::fifo_clr::kOffset, 1), W(regs::fifo_ctrl::kOffset, 8),
                      R(regs::fifo_flags::kOffset, 1), W(regs::fifo_flags::kOffset, 1)});
  }

  TEST_CASE("a corrupted pop reply is reported as a lost event, not replaced by the next one") {
    FakeBus bus;
    std::deque<uint32_t> q{0x807F0001u, 0x807F0002u};
    InstallQueue(&bus, &q);
    bus.InjectNext(Fault{Fault::Kind::kFlipReply, 4, 0x01});
    Fifo fifo(&bus);
    auto lost = fifo.Pop();
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.status().code() == Status::Code::kCorruption);
    CHECK(lost.status().message().find("FIFO_DATA") != std::string::npos);
    CHECK(lost.status().message().find("lost") != std::string::npos);
    CHECK(bus.counters().retries == 0);
    auto next = fifo.Pop();
    REQUIRE(next.ok());
    CHECK((*next)->payload == 2);
  }

  TEST_CASE("Drain keeps the events popped before a failed pop") {
    FakeBus bus;
    std::deque<uint32_t> q{0x807F0001u, 0x807F0002u, 0x807F0003u};
    InstallQueue(&bus, &q);
    bus.InjectFault(1, Fault{Fault::Kind::kFlipReply, 3, 0x04});  // second pop's reply
    Fifo fifo(&bus);
    std::vector<FifoEvent> events;
    CHECK(fifo.Drain(&events).code() == Status::Code::kCorruption);
    CHECK(events == std::vector{FifoEvent{kEventHost, 1}});
    REQUIRE(fifo.Drain(&events).ok());
    CHECK(events == std::vector{FifoEvent{kEventHost, 1}, FifoEvent{kEventHost, 3}});
  }

  TEST_CASE("a frame that never reached the board is re-sent and loses no event") {
    FakeBus bus;
    std::deque<uint32_t> q{0x80010001u, 0x80010002u};
    InstallQueue(&bus, &q);
    bus.InjectNext(Fault{Fault::Kind::kCorruptRequest});  // board rejects, pops nothing
    Fifo fifo(&bus);
    auto a = fifo.Pop();
    auto b = fifo.Pop();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK((*a)->payload == 1);
    CHECK((*b)->payload == 2);
  }
}

}  // namespace
}  // namespace tern::hw
