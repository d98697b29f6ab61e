// GpiodBus: the one file that includes libgpiod (1.6 C API). It turns four GPIO lines into
// SpiPins for the shared BitBangTransport and waits for the IRQ line with edge events.
#include "tern/hw/gpiod_bus.h"

#include <gpiod.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

namespace tern::hw {

namespace {

std::string Errno() { return std::strerror(errno); }

void HoldFor(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return;
  if (d >= std::chrono::microseconds(200)) {
    std::this_thread::sleep_for(d);
    return;
  }
  // Sleep granularity is ~50 us; spin for short holds.
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace

// The chip and its requested lines, plus the SpiPins view of them. Owned by the transport.
class GpiodBus::Lines final : public SpiPins {
 public:
  ~Lines() override {
    for (gpiod_line* l : {sclk_, mosi_, miso_, cs_, irq_}) {
      if (l != nullptr) gpiod_line_release(l);
    }
    if (chip_ != nullptr) gpiod_chip_close(chip_);
  }

  Status Open(const GpiodConfig& c) {
    config_ = c;
    chip_ = gpiod_chip_open_lookup(c.chip.c_str());
    if (chip_ == nullptr) {
      return Status::Unavailable("GPIO chip '" + c.chip + "': cannot open: " + Errno());
    }
    chip_name_ = gpiod_chip_name(chip_);
    TERN_RETURN_IF_ERROR(RequestOutput("CS_n", c.cs, 1, &cs_));
    TERN_RETURN_IF_ERROR(RequestOutput("SCLK", c.sclk, 0, &sclk_));
    TERN_RETURN_IF_ERROR(RequestOutput("MOSI", c.mosi, 0, &mosi_));
    gpiod_line* line = nullptr;
    TERN_RETURN_IF_ERROR(GetLine("MISO", c.miso, &line));
    if (gpiod_line_request_input(line, c.consumer.c_str()) != 0) {
      return Status::IoError(LineName("MISO", c.miso) + ": request as input: " + Errno());
    }
    miso_ = line;
    if (c.irq) {
      TERN_RETURN_IF_ERROR(GetLine("IRQ_n", *c.irq, &line));
      if (gpiod_line_request_falling_edge_events(line, c.consumer.c_str()) != 0) {
        return Status::IoError(LineName("IRQ_n", *c.irq) +
                               ": request falling-edge events: " + Errno());
      }
      irq_ = line;
    }
    cs_v_ = 1;
    sclk_v_ = 0;
    mosi_v_ = 0;
    return Status::Ok();
  }

  Status SetCs(bool v) override { return Set(cs_, &cs_v_, v, "CS_n", config_.cs); }
  Status SetSclk(bool v) override { return Set(sclk_, &sclk_v_, v, "SCLK", config_.sclk); }
  Status SetMosi(bool v) override { return Set(mosi_, &mosi_v_, v, "MOSI", config_.mosi); }
  Result<bool> GetMiso() override {
    const int v = gpiod_line_get_value(miso_);
    if (v < 0) return Status::IoError(MisoName() + ": read: " + Errno());
    return v != 0;
  }
  void HalfBit() override { HoldFor(config_.half_bit); }
  std::string MisoName() const override { return LineName("MISO", config_.miso); }

  Result<bool> WaitIrq(std::chrono::nanoseconds timeout) {
    if (irq_ == nullptr) {
      return Status::Unavailable("WaitIrq: no IRQ line configured on GPIO chip " + chip_name_);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const int level = gpiod_line_get_value(irq_);
      if (level < 0) return Status::IoError(LineName("IRQ_n", *config_.irq) + ": read: " + Errno());
      if (level == 0) return true;  // active low: asserted
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::nanoseconds::zero()) return false;
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
      const int r = gpiod_line_event_wait(irq_, &ts);
      if (r < 0) {
        return Status::IoError(LineName("IRQ_n", *config_.irq) + ": wait for event: " + Errno());
      }
      if (r == 1) {
        // Drain the event; the level is re-read above, so a stale queued edge is harmless.
        gpiod_line_event ev;
        if (gpiod_line_event_read(irq_, &ev) != 0) {
          return Status::IoError(LineName("IRQ_n", *config_.irq) + ": read event: " + Errno());
        }
      }
    }
  }

  std::string Describe() const {
    std::string s = "gpiod " + chip_name_ + " sclk=" + std::to_string(config_.sclk) +
                    " mosi=" + std::to_string(config_.mosi) +
                    " miso=" + std::to_string(config_.miso) + " cs=" + std::to_string(config_.cs);
    if (config_.irq) s += " irq=" + std::to_string(*config_.irq);
    return s;
  }

 private:
  std::string LineName(const char* role, unsigned offset) const {
    return std::string(role) + " (" + (chip_name_.empty() ? config_.chip : chip_name_) + " line " +
           std::to_string(offset) + ")";
  }
  Status GetLine(const char* role, unsigned offset, gpiod_line** out) {
    *out = gpiod_chip_get_line(chip_, offset);
    if (*out == nullptr)
      return Status::NotFound(LineName(role, offset) + ": no such line: " + Errno());
    return Status::Ok();
  }
  // Stores the line in *out only once requested, so the destructor releases only requested
  // lines.
  Status RequestOutput(const char* role, unsigned offset, int initial, gpiod_line** out) {
    gpiod_line* line = nullptr;
    TERN_RETURN_IF_ERROR(GetLine(role, offset, &line));
    if (gpiod_line_request_output(line, config_.consumer.c_str(), initial) != 0) {
      return Status::IoError(LineName(role, offset) + ": request as output: " + Errno());
    }
    *out = line;
    return Status::Ok();
  }
  // Skips the ioctl when the line already has the level (openFPGALoader does the same):
  // MOSI often repeats, and each set_value is a syscall.
  Status Set(gpiod_line* line, int* cache, bool v, const char* role, unsigned offset) {
    const int want = v ? 1 : 0;
    if (*cache == want) return Status::Ok();
    if (gpiod_line_set_value(line, want) != 0) {
      return Status::IoError(LineName(role, offset) + ": set " + std::to_string(want) + ": " +
                             Errno());
    }
    *cache = want;
    return Status::Ok();
  }

  GpiodConfig config_;
  gpiod_chip* chip_ = nullptr;
  std::string chip_name_;
  gpiod_line* sclk_ = nullptr;
  gpiod_line* mosi_ = nullptr;
  gpiod_line* miso_ = nullptr;
  gpiod_line* cs_ = nullptr;
  gpiod_line* irq_ = nullptr;
  int sclk_v_ = -1, mosi_v_ = -1, cs_v_ = -1;
};

namespace {
// Owns the Lines and bit-bangs frames over them.
class GpiodTransport final : public FrameTransport {
 public:
  explicit GpiodTransport(std::unique_ptr<GpiodBus::Lines> lines)
      : lines_(std::move(lines)), bitbang_(lines_.get()) {}
  Status Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) override {
    return bitbang_.Transfer(req, reply);
  }
  std::string MisoName() const override { return lines_->MisoName(); }

 private:
  std::unique_ptr<GpiodBus::Lines> lines_;
  BitBangTransport bitbang_;
};
}  // namespace

Result<std::unique_ptr<GpiodBus>> GpiodBus::Open(const GpiodConfig& config) {
  auto lines = std::make_unique<Lines>();
  TERN_RETURN_IF_ERROR(lines->Open(config));
  Lines* raw = lines.get();
  auto transport = std::make_unique<GpiodTransport>(std::move(lines));
  return std::unique_ptr<GpiodBus>(new GpiodBus(std::move(transport), raw, config));
}

GpiodBus::GpiodBus(std::unique_ptr<FrameTransport> transport, Lines* lines, GpiodConfig config)
    : SpiRegisterBus(std::move(transport), config.retry),
      lines_(lines),
      config_(std::move(config)) {}

GpiodBus::~GpiodBus() = default;

Result<bool> GpiodBus::WaitIrq(std::chrono::nanoseconds timeout) {
  return lines_->WaitIrq(timeout);
}

std::string GpiodBus::Describe() const { return lines_->Describe(); }

}  // namespace tern::hw
