// Tests of SpiRegisterBus's policy (retries, error kinds, counters) through FakeBus, whose
// fake board answers in the real frame format and injects faults frame by frame.
#include "tern/hw/spi_bus.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"

namespace tern::hw {
namespace {

using testing::FakeBus;
using testing::Fault;
using testing::R;
using testing::W;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_SUITE("hw.spi_bus") {
  TEST_CASE("read and write reach the board once each, in order") {
    FakeBus bus;
    bus.Set(0x004, 0xDEADBEEF);
    uint32_t v = 0;
    REQUIRE(bus.Read(0x004, &v).ok());
    CHECK(v == 0xDEADBEEF);
    REQUIRE(bus.Write(0x024, 42).ok());
    CHECK(bus.Get(0x024) == 42);
    CHECK(bus.log() == std::vector{R(0x004, 0xDEADBEEF), W(0x024, 42)});
    const BusCounters c = bus.counters();
    CHECK(c.frames == 2);
    CHECK(c.reads == 1);
    CHECK(c.writes == 1);
    CHECK(c.retries == 0);
  }

  TEST_CASE("a read whose reply CRC is corrupted is retried and succeeds") {
    FakeBus bus;
    bus.Set(0x044, 0x0000ABCD);
    bus.InjectNext(Fault{Fault::Kind::kFlipReply, 3, 0x10});  // flip a data bit
    uint32_t v = 0;
    REQUIRE(bus.Read(0x044, &v).ok());
    CHECK(v == 0x0000ABCD);
    CHECK(bus.counters().crc_errors == 1);
    CHECK(bus.counters().retries == 1);
    CHECK(bus.counters().frames == 2);
    CHECK(bus.log().size() == 2);  // the board saw the read twice
  }

  TEST_CASE("a read that keeps failing gives up after max_attempts and names the register") {
    FakeBus bus(RetryPolicy{.max_attempts = 3});
    bus.InjectNext(Fault{Fault::Kind::kFlipReply, 5, 0x01}, 3);
    uint32_t v = 7;
    const Status s = bus.Read(0x060, &v);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(Contains(s.message(), "DIV_PWM (0x060)"));
    CHECK(Contains(s.message(), "CRC"));
    CHECK(Contains(s.message(), "after 3 frames"));
    CHECK(v == 7);  // unchanged on error
    CHECK(bus.counters().crc_errors == 3);
    CHECK(bus.counters().failures == 1);
  }

  TEST_CASE("a write whose request the board rejected is retried and applied once") {
    FakeBus bus;
    bus.InjectNext(Fault{Fault::Kind::kCorruptRequest});
    REQUIRE(bus.Write(0x064, 5).ok());
    CHECK(bus.log() == std::vector{W(0x064, 5)});
    CHECK(bus.counters().bad_requests == 1);
    CHECK(bus.counters().retries == 1);
  }

  TEST_CASE("a write with a corrupt reply is not repeated: it may have applied") {
    FakeBus bus;
    bus.InjectNext(Fault{Fault::Kind::kFlipReply, 2, 0x80});
    const Status s = bus.Write(0x064, 5);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(Contains(s.message(), "may or may not have applied"));
    CHECK(bus.log() == std::vector{W(0x064, 5)});  // applied exactly once
    CHECK(bus.counters().retries == 0);
  }

  TEST_CASE("stuck MISO is reported as Unavailable naming the line, not as a CRC error") {
    FakeBus bus;
    SUBCASE("stuck low") {
      bus.SetStuckMiso(false);
      uint32_t v = 0;
      const Status s = bus.Read(0x00, &v);
      CHECK(s.code() == Status::Code::kUnavailable);
      CHECK(Contains(s.message(), "MISO stuck low"));
      CHECK(Contains(s.message(), "MISO (fake board)"));
      CHECK(bus.counters().stuck_line == 3);
      CHECK(bus.counters().crc_errors == 0);
    }
    SUBCASE("stuck high on a write") {
      bus.SetStuckMiso(true);
      const Status s = bus.Write(0x068, 1);
      CHECK(s.code() == Status::Code::kUnavailable);
      CHECK(Contains(s.message(), "MISO stuck high"));
      CHECK(bus.counters().stuck_line == 1);
    }
  }

  TEST_CASE("a flipped status pattern bit is a pattern error and is retried") {
    FakeBus bus;
    bus.Set(0x06C, 3);
    bus.InjectNext(Fault{Fault::Kind::kFlipReply, 0, 0x40});
    uint32_t v = 0;
    REQUIRE(bus.Read(0x06C, &v).ok());
    CHECK(v == 3);
    CHECK(bus.counters().bad_patterns == 1);
  }

  TEST_CASE("transport errors are not retried, write to a read-only register fails") {
    FakeBus bus;
    bus.InjectNext(Fault{Fault::Kind::kTransportError});
    uint32_t v = 0;
    const Status s = bus.Read(0x000, &v);
    CHECK(s.code() == Status::Code::kIoError);
    CHECK(Contains(s.message(), "read ID (0x000)"));
    CHECK(bus.counters().frames == 1);
    bus.SetReadOnly(0x000);
    const Status w = bus.Write(0x000, 1);
    CHECK(w.code() == Status::Code::kFailedPrecondition);
    CHECK(bus.log().empty());
  }

  TEST_CASE("unaligned and unmapped addresses are rejected without a frame") {
    // The board counts such frames as bad; K of them would force the safe state.
    FakeBus bus;
    uint32_t v = 0;
    CHECK(bus.Read(0x002, &v).code() == Status::Code::kInvalidArgument);
    const Status s = bus.Write(0x3FC, 1);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(Contains(s.message(), "unmapped 0x3FC"));
    CHECK(bus.counters().frames == 0);
  }

  TEST_CASE("status flags from the last good reply are exposed") {
    FakeBus bus;
    uint32_t v = 0;
    REQUIRE(bus.Read(0, &v).ok());
    CHECK_FALSE(bus.last_flags().safe_state);
    bus.SetSafeState(true);
    bus.SetIrq(true);
    REQUIRE(bus.Read(0, &v).ok());
    CHECK(bus.last_flags().safe_state);
    CHECK(bus.last_flags().irq_pending);
  }

  TEST_CASE("fault at a chosen frame index hits only that frame") {
    FakeBus bus;
    bus.InjectFault(1, Fault{Fault::Kind::kStuckLow});
    bus.InjectFault(2, Fault{Fault::Kind::kStuckLow});
    bus.InjectFault(3, Fault{Fault::Kind::kStuckLow});
    uint32_t v = 0;
    CHECK(bus.Read(0, &v).ok());
    CHECK(bus.Read(0, &v).code() == Status::Code::kUnavailable);  // frames 1..3
    CHECK(bus.Read(0, &v).ok());                                  // frame 4
  }

  TEST_CASE("a write whose reply says rejected and applied at once is not repeated") {
    // Found by the spi_frame fuzz target: status 0xAC with a good CRC was taken as a
    // rejection, and the write the same reply called applied was sent again.
    struct Board final : FrameTransport {
      int frames = 0;
      Status Transfer(const spi::RequestFrame&, spi::ReplyFrame* reply) override {
        ++frames;
        *reply = spi::EncodeReply(0xAC, 0);
        return Status::Ok();
      }
      std::string MisoName() const override { return "MISO (test)"; }
    };
    struct Bus final : SpiRegisterBus {
      using SpiRegisterBus::SpiRegisterBus;
      std::string Describe() const override { return "test"; }
    };
    auto owned = std::make_unique<Board>();
    Board* board = owned.get();
    Bus bus(std::move(owned), RetryPolicy{.max_attempts = 3});
    const Status s = bus.Write(0x064, 5);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(Contains(s.message(), "may or may not have applied"));
    CHECK(board->frames == 1);
    CHECK(bus.counters().bad_patterns == 1);
    CHECK(bus.counters().bad_requests == 0);
  }
}

}  // namespace
}  // namespace tern::hw
