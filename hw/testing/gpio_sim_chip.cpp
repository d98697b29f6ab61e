// Simulated GPIO chips (gpio_sim_chip.h): gpio-sim over configfs, gpio-mockup over debugfs.
#include "gpio_sim_chip.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tern::hw::testing {
namespace {

namespace fs = std::filesystem;

constexpr unsigned kLinesNeeded = 5;

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

class GpioSimChip final : public SimChip {
 public:
  static std::unique_ptr<GpioSimChip> Create(std::string* why) {
    const fs::path root = "/sys/kernel/config/gpio-sim";
    if (!fs::exists(root)) {
      *why = root.string() + " does not exist";
      return nullptr;
    }
    auto c = std::unique_ptr<GpioSimChip>(new GpioSimChip);
    c->dir_ = root / ("tern-test-" + std::to_string(getpid()));
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
      if (fs::exists(e.path() / std::to_string(kLinesNeeded - 1))) {
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

}  // namespace

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

}  // namespace tern::hw::testing
