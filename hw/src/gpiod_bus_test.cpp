// GpiodBus on a simulated GPIO chip (gpio-sim over configfs, or gpio-mockup over debugfs).
// No board answers on such a chip, so the tests check what the host side can: the lines are
// requested with the right idle levels, a MISO line pulled low or high is reported as stuck
// naming the line, and the IRQ line is seen. Where neither module is usable (most containers
// and CI runners) every test SKIPS and says why; CTest shows them as skipped.
#include "tern/hw/gpiod_bus.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {

namespace fs = std::filesystem;

constexpr unsigned kSclk = 0, kMosi = 1, kMiso = 2, kCs = 3, kIrq = 4;

bool WriteFile(const fs::path& p, const std::string& s) {
  std::ofstream f(p);
  f << s;
  f.flush();
  return static_cast<bool>(f);
}
std::string ReadFile(const fs::path& p) {
  std::ifstream f(p);
  std::string s;
  std::getline(f, s);
  return s;
}

// A simulated chip with at least five lines whose input pulls the test can set and whose
// output values it can read.
class SimChip {
 public:
  virtual ~SimChip() = default;
  virtual std::string name() const = 0;
  virtual bool SetPull(unsigned line, bool up) = 0;
  virtual std::optional<bool> Output(unsigned line) = 0;
};

class GpioSimChip final : public SimChip {
 public:
  static std::unique_ptr<GpioSimChip> Create(std::string* why) {
    const fs::path root = "/sys/kernel/config/gpio-sim";
    if (!fs::exists(root)) {
      *why = root.string() + " does not exist";
      return nullptr;
    }
    auto c = std::unique_ptr<GpioSimChip>(new GpioSimChip);
    c->dir_ = root / ("tern-hw-test-" + std::to_string(getpid()));
    std::error_code ec;
    fs::create_directory(c->dir_, ec);
    fs::create_directory(c->dir_ / "bank0", ec);
    if (ec || !WriteFile(c->dir_ / "bank0" / "num_lines", "8") ||
        !WriteFile(c->dir_ / "live", "1")) {
      *why = "cannot create a gpio-sim chip under " + root.string() + " (not root?)";
      return nullptr;
    }
    c->chip_ = ReadFile(c->dir_ / "bank0" / "chip_name");
    const std::string dev = ReadFile(c->dir_ / "dev_name");
    c->sysfs_ = fs::path("/sys/devices/platform") / dev / c->chip_;
    if (c->chip_.empty()) {
      *why = "gpio-sim chip came up without a chip_name";
      return nullptr;
    }
    return c;
  }
  ~GpioSimChip() override {
    if (dir_.empty()) return;
    WriteFile(dir_ / "live", "0");
    ::rmdir((dir_ / "bank0").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string name() const override { return chip_; }
  bool SetPull(unsigned line, bool up) override {
    return WriteFile(sysfs_ / ("sim_gpio" + std::to_string(line)) / "pull",
                     up ? "pull-up" : "pull-down");
  }
  std::optional<bool> Output(unsigned line) override {
    const std::string v = ReadFile(sysfs_ / ("sim_gpio" + std::to_string(line)) / "value");
    if (v.empty()) return std::nullopt;
    return v == "1";
  }

 private:
  fs::path dir_, sysfs_;
  std::string chip_;
};

class MockupChip final : public SimChip {
 public:
  static std::unique_ptr<MockupChip> Find(std::string* why) {
    const fs::path root = "/sys/kernel/debug/gpio-mockup";
    if (!fs::exists(root)) {
      *why = root.string() + " does not exist";
      return nullptr;
    }
    for (const auto& e : fs::directory_iterator(root)) {
      if (fs::exists(e.path() / std::to_string(kIrq))) {
        auto c = std::unique_ptr<MockupChip>(new MockupChip);
        c->dir_ = e.path();
        return c;
      }
    }
    *why = "no gpio-mockup chip with 5 lines (load with gpio_mockup_ranges=-1,8)";
    return nullptr;
  }
  std::string name() const override { return dir_.filename().string(); }
  bool SetPull(unsigned line, bool up) override {
    return WriteFile(dir_ / std::to_string(line), up ? "1" : "0");
  }
  std::optional<bool> Output(unsigned line) override {
    const std::string v = ReadFile(dir_ / std::to_string(line));
    if (v.empty()) return std::nullopt;
    return v == "1";
  }

 private:
  fs::path dir_;
};

// A simulated chip, or nullptr and the reason there is none.
std::unique_ptr<SimChip> OpenSimChip(std::string* why) {
  std::string sim_why, mock_why;
  if (auto c = GpioSimChip::Create(&sim_why)) return c;
  if (!fs::exists("/sys/kernel/config/gpio-sim") && geteuid() == 0 &&
      std::system("modprobe gpio-sim >/dev/null 2>&1") == 0) {
    if (auto c = GpioSimChip::Create(&sim_why)) return c;
  }
  if (auto c = MockupChip::Find(&mock_why)) return c;
  *why = "no simulated GPIO chip: gpio-sim: " + sim_why + " (and 'modprobe gpio-sim' " +
         (geteuid() == 0 ? "failed" : "needs root") + "); gpio-mockup: " + mock_why;
  return nullptr;
}

#define SKIP_WITHOUT_SIM_CHIP(chip)                                          \
  std::string why_;                                                          \
  auto chip = OpenSimChip(&why_);                                            \
  if (!chip) {                                                               \
    MESSAGE("SKIPPED: GpiodBus test needs a simulated GPIO chip: " << why_); \
    return;                                                                  \
  }

GpiodConfig ConfigFor(const SimChip& chip) {
  GpiodConfig c;
  c.chip = chip.name();
  c.sclk = kSclk;
  c.mosi = kMosi;
  c.miso = kMiso;
  c.cs = kCs;
  c.irq = kIrq;
  c.retry.max_attempts = 1;
  return c;
}

TEST_SUITE("hw.gpiod") {
  TEST_CASE("lines are requested idle: CS high, SCLK and MOSI low") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    auto bus = GpiodBus::Open(ConfigFor(*chip));
    REQUIRE(bus.ok());
    CHECK(chip->Output(kCs) == std::optional<bool>(true));
    CHECK(chip->Output(kSclk) == std::optional<bool>(false));
    CHECK(chip->Output(kMosi) == std::optional<bool>(false));
  }

  TEST_CASE("no board on the lines: MISO stuck low/high is reported naming the line") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    auto opened = GpiodBus::Open(ConfigFor(*chip));
    REQUIRE(opened.ok());
    GpiodBus& bus = **opened;
    REQUIRE(chip->SetPull(kMiso, false));
    uint32_t v = 0;
    Status s = bus.Read(regs::id::kOffset, &v);
    CHECK(s.code() == Status::Code::kUnavailable);
    CHECK(s.message().find("MISO stuck low") != std::string::npos);
    CHECK(s.message().find(chip->name() + " line 2") != std::string::npos);
    REQUIRE(chip->SetPull(kMiso, true));
    s = bus.Read(regs::id::kOffset, &v);
    CHECK(s.message().find("MISO stuck high") != std::string::npos);
    CHECK(chip->Output(kCs) == std::optional<bool>(true));  // deselected after the frame
    CHECK(bus.counters().frames == 2);
  }

  TEST_CASE("IRQ line: high times out, low is seen") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    auto opened = GpiodBus::Open(ConfigFor(*chip));
    REQUIRE(opened.ok());
    REQUIRE(chip->SetPull(kIrq, true));
    auto r = (*opened)->WaitIrq(std::chrono::milliseconds(20));
    REQUIRE(r.ok());
    CHECK_FALSE(*r);
    REQUIRE(chip->SetPull(kIrq, false));
    r = (*opened)->WaitIrq(std::chrono::milliseconds(500));
    REQUIRE(r.ok());
    CHECK(*r);
  }
}

TEST_SUITE("hw.gpiod") {
  TEST_CASE("line specification parsing") {
    GpiodConfig c;
    REQUIRE(ParseGpiodLines("sclk=17,mosi=27,miso=22,cs=0x17,irq=24", &c).ok());
    CHECK(c.sclk == 17);
    CHECK(c.cs == 23);
    CHECK(c.irq == std::optional<unsigned>(24));
    CHECK(ParseGpiodLines("sclk=1,mosi=2,miso=3", &c).message().find("missing 'cs'") !=
          std::string::npos);
    CHECK(ParseGpiodLines("sclk=1,mosi=1,miso=3,cs=4", &c).code() ==
          Status::Code::kInvalidArgument);
    CHECK(ParseGpiodLines("sclk=1,mosi=2,miso=3,cs=4,led=5", &c).code() ==
          Status::Code::kInvalidArgument);
  }

  TEST_CASE("opening a chip that does not exist names it") {
    GpiodConfig c;
    c.chip = "tern-no-such-chip";
    c.sclk = 0, c.mosi = 1, c.miso = 2, c.cs = 3;
    auto r = GpiodBus::Open(c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("tern-no-such-chip") != std::string::npos);
  }
}

}  // namespace
}  // namespace tern::hw
