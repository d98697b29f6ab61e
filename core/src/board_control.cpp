// Board control loop over hw::RegisterBus (the simulated board for now).
#include "board_control.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>

#ifdef TERN_CORE_HAVE_BOARD
#include "tern/hw/mos_driver.h"
#include "tern/hw/panel.h"
#include "tern/hw/panel_legend.h"
#include "tern/hw/verilator_bus.h"
#include "tern/hw/watchdog.h"
#endif

namespace tern::core {

#ifdef TERN_CORE_HAVE_BOARD
namespace {

// Decimal digits for the 4-digit display, digit 0 = least significant, leading blanks.
std::array<uint8_t, 4> Decimal(int64_t v) {
  std::array<uint8_t, 4> d{};
  v = std::clamp<int64_t>(v, 0, 9999);
  for (unsigned i = 0; i < 4; ++i) {
    bool blank = i > 0 && v == 0;
    d[i] = blank ? 0 : hw::Panel::SegmentsForHex(static_cast<uint8_t>(v % 10));
    v /= 10;
  }
  return d;
}

class SimBoardControl final : public BoardControl {
 public:
  SimBoardControl(std::function<BoardView()> view, Metrics* m)
      : view_(std::move(view)), m_(m), bus_(&board_), wd_(&bus_), panel_(&bus_), mos_(&bus_) {}
  ~SimBoardControl() override { Stop(); }

  Status Init() {
    TERN_ASSIGN_OR_RETURN(uint16_t version, wd_.Probe());
    TERN_RETURN_IF_ERROR(wd_.LeaveSafeState());
    TERN_RETURN_IF_ERROR(panel_.SetBrightness(12));
    TERN_RETURN_IF_ERROR(panel_.EnableEvents(0x0F, 0, false));
    spdlog::info("core: control board (simulated, register map v{}) running", version);
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  void Stop() override {
    if (stop_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
  }

  nlohmann::json Snapshot() const override {
    std::lock_guard<std::mutex> lk(mu_);
    return snap_;
  }

 private:
  void Loop() {
    while (!stop_) {
      Status s = Refresh();
      if (!s.ok()) {
        m_->Add("board_errors");
        spdlog::warn("core: board refresh failed: {}", s.ToString());
      }
      // 10 ms of board time per 100 ms of ours: enough for debouncing and scanning, cheap.
      board_.Tick(hw::SimBoard::kClockHz / 100);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  Status Refresh() {
    BoardView v = view_();
    TERN_RETURN_IF_ERROR(wd_.Kick());
    std::vector<hw::PanelEvent> events;
    TERN_RETURN_IF_ERROR(panel_.TakeEvents(&events));
    for (const auto& e : events) {
      if (e.pressed & (1u << hw::legend::kButtonAck)) {  // acknowledges every alarm so far
        acked_ = v.alarms;
        m_->Add("board_alarm_acks");
        spdlog::info("core: operator acknowledged {} alarms at the panel", acked_);
      }
    }
    bool unacked = v.alarms > acked_;
    namespace lg = hw::legend;
    uint8_t leds = static_cast<uint8_t>(((v.live_edges & 0x0F) << lg::kLedEdgeLive0) |
                                        (unacked ? 1u << lg::kLedAlarm : 0) |
                                        (v.connected ? 1u << lg::kLedGateway : 0));
    TERN_RETURN_IF_ERROR(panel_.SetDigits(Decimal(v.alarms)));
    TERN_RETURN_IF_ERROR(panel_.SetLeds(leds));
    // Fans: a base airflow plus more while work is queued.
    auto fan = static_cast<uint8_t>(std::min<uint64_t>(255, 64 + v.queued * 16));
    TERN_RETURN_IF_ERROR(mos_.SetFan(lg::kFanProcessing, fan));
    TERN_RETURN_IF_ERROR(mos_.SetRelays(static_cast<uint8_t>(
        (v.edge_down ? 1u << lg::kRelayEdgeDown : 0) | (unacked ? 1u << lg::kRelayAlarm : 0))));
    TERN_ASSIGN_OR_RETURN(hw::SafeStatus safe, wd_.ReadSafeStatus());
    std::lock_guard<std::mutex> lk(mu_);
    snap_ = {{"mode", "sim"},
             {"display", std::to_string(std::clamp<int64_t>(v.alarms, 0, 9999))},
             {"leds", board_.leds()},
             {"relays", board_.relays()},
             {"fans", board_.fans()},
             {"fan_duty", fan},
             {"alarms_unacknowledged", unacked ? v.alarms - acked_ : 0},
             {"safe", safe.ToString()},
             {"cycles", board_.cycles()}};
    return Status::Ok();
  }

  std::function<BoardView()> view_;
  Metrics* m_;
  hw::SimBoard board_;
  hw::VerilatorBus bus_;
  hw::Watchdog wd_;
  hw::Panel panel_;
  hw::MosDriver mos_;
  int64_t acked_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  nlohmann::json snap_ = nlohmann::json::object();
};

}  // namespace
#endif

Result<std::unique_ptr<BoardControl>> BoardControl::Start(const std::string& mode,
                                                          std::function<BoardView()> view,
                                                          Metrics* metrics) {
#ifdef TERN_CORE_HAVE_BOARD
  if (mode == "sim") {
    auto c = std::make_unique<SimBoardControl>(std::move(view), metrics);
    TERN_RETURN_IF_ERROR(c->Init().WithContext("board"));
    return std::unique_ptr<BoardControl>(std::move(c));
  }
#else
  (void)view;
  (void)metrics;
  if (mode == "sim") {
    return Status::FailedPrecondition("config key 'board.mode': this build has no simulated board");
  }
#endif
  return Status::InvalidArgument("config key 'board.mode': '" + mode + "' is not off or sim");
}

}  // namespace tern::core
