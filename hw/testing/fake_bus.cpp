// FakeBus and its fake board: a frame-level stand-in for the control board in unit tests.
#include "fake_bus.h"

#include <cstdio>
#include <deque>
#include <set>

namespace tern::hw::testing {

std::string Access::ToString() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%08X", value);
  return std::string(kind == Kind::kRead ? "R " : "W ") + RegisterLabel(addr) +
         (kind == Kind::kRead ? " -> " : " <- ") + buf;
}

std::string ToString(const std::vector<Access>& log) {
  std::string s;
  for (const Access& a : log) s += "\n  " + a.ToString();
  return s.empty() ? "(no accesses)" : s;
}

// The fake board behind FakeBus: decodes request frames and answers them.
class FakeBoard final : public FrameTransport {
 public:
  Status Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) override {
    const uint64_t index = frame_index_++;
    std::optional<Fault> fault;
    if (auto it = faults_.find(index); it != faults_.end()) {
      fault = it->second;
      faults_.erase(it);
    } else if (stuck_) {
      fault = Fault{*stuck_ ? Fault::Kind::kStuckHigh : Fault::Kind::kStuckLow};
    }
    if (fault && fault->kind == Fault::Kind::kTransportError) {
      return Status::IoError("fake board: injected transport error on frame " +
                             std::to_string(index));
    }
    bool request_ok = req[7] == spi::Crc8(std::span<const uint8_t>(req.data(), 7)) &&
                      (req[0] == spi::kCmdRead || req[0] == spi::kCmdWrite);
    if (fault && fault->kind == Fault::Kind::kCorruptRequest) request_ok = false;
    uint8_t status = spi::kStatusPattern;
    if (safe_) status |= spi::kStatusSafeState;
    if (irq_) status |= spi::kStatusIrqPending;
    uint32_t rdata = 0;
    if (!request_ok) {
      status |= spi::kStatusBadRequest;
    } else {
      const uint16_t addr = static_cast<uint16_t>((req[1] << 8) | req[2]);
      const uint32_t data =
          (uint32_t{req[3]} << 24) | (uint32_t{req[4]} << 16) | (uint32_t{req[5]} << 8) | req[6];
      if (req[0] == spi::kCmdWrite) {
        if (!read_only_.count(addr)) {
          if (auto h = write_hooks_.find(addr); h != write_hooks_.end()) {
            h->second(data);
          } else {
            regs_[addr] = data;
          }
          status |= spi::kStatusWriteApplied;
          log_.push_back(W(addr, data));
        }
      } else {
        if (auto h = read_hooks_.find(addr); h != read_hooks_.end()) {
          rdata = h->second();
        } else if (auto r = regs_.find(addr); r != regs_.end()) {
          rdata = r->second;
        }
        log_.push_back(R(addr, rdata));
      }
    }
    *reply = spi::EncodeReply(status, rdata);
    if (fault) {
      switch (fault->kind) {
        case Fault::Kind::kFlipReply:
          (*reply)[static_cast<size_t>(fault->byte % 6)] ^= fault->mask;
          break;
        case Fault::Kind::kStuckLow:
          reply->fill(0x00);
          break;
        case Fault::Kind::kStuckHigh:
          reply->fill(0xFF);
          break;
        default:
          break;
      }
    }
    return Status::Ok();
  }
  std::string MisoName() const override { return "MISO (fake board)"; }

  uint64_t frame_index_ = 0;
  std::map<uint64_t, Fault> faults_;
  std::optional<bool> stuck_;
  bool safe_ = false;
  bool irq_ = false;
  std::map<uint16_t, uint32_t> regs_;
  std::map<uint16_t, std::function<uint32_t()>> read_hooks_;
  std::map<uint16_t, std::function<void(uint32_t)>> write_hooks_;
  std::set<uint16_t> read_only_;
  std::vector<Access> log_;
};

FakeBus::FakeBus(RetryPolicy policy) : FakeBus(new FakeBoard, policy) {}
FakeBus::FakeBus(FakeBoard* board, RetryPolicy policy)
    : SpiRegisterBus(std::unique_ptr<FrameTransport>(board), policy), board_(board) {}
FakeBus::~FakeBus() = default;

void FakeBus::Set(uint16_t addr, uint32_t value) { board_->regs_[addr] = value; }
uint32_t FakeBus::Get(uint16_t addr) const {
  auto it = board_->regs_.find(addr);
  return it == board_->regs_.end() ? 0 : it->second;
}
void FakeBus::OnRead(uint16_t addr, std::function<uint32_t()> hook) {
  board_->read_hooks_[addr] = std::move(hook);
}
void FakeBus::OnWrite(uint16_t addr, std::function<void(uint32_t)> hook) {
  board_->write_hooks_[addr] = std::move(hook);
}
void FakeBus::SetReadOnly(uint16_t addr) { board_->read_only_.insert(addr); }
void FakeBus::InjectFault(uint64_t frame_index, Fault fault) {
  board_->faults_[frame_index] = fault;
}
void FakeBus::InjectNext(Fault fault, int count) {
  for (int i = 0; i < count; ++i) {
    board_->faults_[board_->frame_index_ + static_cast<uint64_t>(i)] = fault;
  }
}
void FakeBus::SetStuckMiso(std::optional<bool> level) { board_->stuck_ = level; }
void FakeBus::SetSafeState(bool on) { board_->safe_ = on; }
void FakeBus::SetIrq(bool asserted) { board_->irq_ = asserted; }
const std::vector<Access>& FakeBus::log() const { return board_->log_; }
void FakeBus::ClearLog() { board_->log_.clear(); }
Result<bool> FakeBus::WaitIrq(std::chrono::nanoseconds) { return board_->irq_; }

}  // namespace tern::hw::testing
