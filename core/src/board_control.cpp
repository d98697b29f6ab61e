// Board control loop over hw::RegisterBus, the same for the simulated board and a real one;
// what differs between them is behind BoardDriver (board_driver.h).
#include "board_control.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "board_driver.h"
#include "board_events.h"
#include "board_inbox.h"
#include "fan_curve.h"
#include "tern/common/hlc.h"
#include "tern/hw/board_regs.h"
#include "tern/hw/cabinet.h"
#include "tern/hw/io_ports.h"
#include "tern/hw/irq_controller.h"
#include "tern/hw/mos_driver.h"
#include "tern/hw/panel.h"
#include "tern/hw/panel_frame.h"
#include "tern/hw/panel_legend.h"
#include "tern/hw/watchdog.h"

namespace tern::core {

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

// "PFAL" (power fail) in raw segments, digit 0 first: L, A, F, P.
constexpr std::array<uint8_t, 4> kPowerFailDigits = {0x38, 0x77, 0x71, 0x73};

// The control loop over any board: `driver` gives the bus and what only a simulation has.
class BoardController final : public BoardControl {
 public:
  BoardController(const BoardOptions& o, std::unique_ptr<BoardDriver> driver,
                  std::function<BoardView()> view, Metrics* m, CabinetAlarmSink alarms,
                  BoardHooks hooks)
      : o_(o),
        view_(std::move(view)),
        m_(m),
        alarms_(std::move(alarms)),
        hooks_(std::move(hooks)),
        events_(hooks_.event),
        driver_(std::move(driver)),
        bus_(driver_->bus()),
        wd_(bus_),
        panel_(bus_),
        mos_(bus_),
        cabinet_(bus_),
        irq_(bus_),
        gpio_(bus_) {}
  ~BoardController() override { Stop(); }

  Status Init() {
    TERN_ASSIGN_OR_RETURN(uint16_t version, Probe());
    TERN_RETURN_IF_ERROR(wd_.LeaveSafeState());
    TERN_RETURN_IF_ERROR(panel_.SetBrightness(12));
    // Presses, releases and the switch reach the event FIFO (board events, board_events.h).
    TERN_RETURN_IF_ERROR(panel_.EnableEvents(0x0F, 0x0F, true));
    TERN_RETURN_IF_ERROR(gpio_.EnableEdges(0xFFFF, 0xFFFF));  // every input pin, both edges
    TERN_RETURN_IF_ERROR(gpio_.TakeEdges().status());
    TERN_RETURN_IF_ERROR(cabinet_.SetLimits(o_.over_temp_c, o_.over_temp_clear_c));
    // The UPS's power-fail input interrupts on failure and on return (INTR_STATE.power).
    TERN_RETURN_IF_ERROR(irq_.Acknowledge(hw::irq::kPower));
    TERN_RETURN_IF_ERROR(irq_.Enable(hw::irq::kPower));
    m_->Set("board_over_temp", 0);
    m_->Add("board_over_temp_alarms", 0);
    for (const char* c : {"board_alarm_acks", "board_power_fail_events", "board_safe_stops"}) {
      m_->Add(c, 0);
    }
    m_->Set("board_on_backup", 0);
    last_step_ = std::chrono::steady_clock::now();
    spdlog::info("core: control board ({}, register map v{}) running on {}", driver_->mode(),
                 version, bus_->Describe());
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  void Stop() override {
    if (stop_.exchange(true)) return;
    inbox_.Close();
    if (thread_.joinable()) thread_.join();
    inbox_.Close();  // anything queued while the thread ended
  }

  // A real board's buttons are physical: button 0 (without a hold) is the acknowledgement,
  // taken in software by the next refresh exactly as a press at the panel; the driver
  // refuses the rest.
  Status Press(unsigned button, uint32_t hold_ms) override {
    return OnBoard([this, button, hold_ms] {
      if (!driver_->simulated() && button == hw::legend::kButtonAck && hold_ms == 0) {
        software_ack_ = true;
        return Status::Ok();
      }
      return driver_->Press(button, hold_ms);
    });
  }
  Status SetSwitch(bool on) override {
    return OnBoard([this, on] { return driver_->SetSwitch(on); });
  }
  Status SetPot(uint16_t value) override {
    return OnBoard([this, value] { return driver_->SetPot(value); });
  }
  Status SimTemperature(std::optional<double> temp_c) override {
    return OnBoard([this, temp_c] { return driver_->SimTemperature(temp_c); });
  }
  Status SimPowerFail(bool failed) override {
    return OnBoard([this, failed] { return driver_->SimPowerFail(failed); });
  }

  nlohmann::json Snapshot() const override {
    nlohmann::json j;
    {
      std::lock_guard<std::mutex> lk(mu_);
      j = snap_;
    }
    if (hooks_.power_status) j["power"] = hooks_.power_status();
    return j;
  }

 private:
  Status OnBoard(BoardInbox::Task fn) {
    return inbox_.Call(std::move(fn), std::chrono::seconds(5));
  }

  // The ID register: the magic says a tern board answers, the version that it speaks this
  // core's register map.
  Result<uint16_t> Probe() {
    Result<uint16_t> version = wd_.Probe();
    if (!version.ok()) {
      return Status::Unavailable("the board does not answer on " + bus_->Describe() + ": " +
                                 version.status().message());
    }
    if (*version != hw::regs::id::version::kReset) {
      return Status::FailedPrecondition("the board on " + bus_->Describe() + " has register map v" +
                                        std::to_string(*version) + ", this core speaks v" +
                                        std::to_string(hw::regs::id::version::kReset) +
                                        " (load the matching bitstream)");
    }
    return version;
  }

  void Loop() {
    auto next = std::chrono::steady_clock::now();
    while (inbox_.Wait(next)) {
      const size_t ran = inbox_.RunQueued();
      const bool beat = ran == 0 || std::chrono::steady_clock::now() >= next;
      driver_->Advance(beat);
      if (beat) next = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
      Status s = Refresh();
      driver_->ReleaseDue();
      // Every failure is counted; a board that stays unreachable (a loose wire) is logged at
      // the first failure and then every 100th (10 s), not ten times a second.
      if (!s.ok()) {
        m_->Add("board_errors");
        if (++failing_ % 100 == 1) {
          spdlog::warn("core: board refresh failed ({} in a row): {}", failing_, s.ToString());
        }
      } else if (failing_ > 0) {
        spdlog::info("core: the board answers again after {} failed refreshes", failing_);
        failing_ = 0;
        Resume();
      }
      inbox_.Finish();  // after the refresh that saw the tasks' inputs
    }
    inbox_.Finish();
  }

  // After refreshes failed (a loose wire) the watchdog has likely put the board in its safe
  // state; once it answers again the core takes it out, as at the start. A cause that is
  // still there (a latched MOS fault) keeps it safe, and is logged.
  void Resume() {
    Result<hw::SafeStatus> st = wd_.ReadSafeStatus();
    if (!st.ok() || !st->safe) return;
    if (Status s = wd_.LeaveSafeState(); !s.ok()) {
      spdlog::warn("core: the board stays in its safe state: {}", s.message());
    } else {
      spdlog::info("core: the board left its safe state again");
    }
  }

  // The power-fail input (its interrupt, then the level) and the safe-stop button.
  Status PowerAndStop(const hw::PanelFrame& f) {
    TERN_ASSIGN_OR_RETURN(uint16_t pending, irq_.Pending());
    if (pending & hw::irq::kPower) TERN_RETURN_IF_ERROR(irq_.Acknowledge(hw::irq::kPower));
    if (f.power_fail != on_backup_) {
      on_backup_ = f.power_fail;
      if (on_backup_) m_->Add("board_power_fail_events");
      m_->Set("board_on_backup", on_backup_ ? 1 : 0);
      events_.Power(on_backup_);
      if (hooks_.power) hooks_.power(on_backup_);
    }
    const auto now = std::chrono::steady_clock::now();
    if ((f.panel.buttons >> hw::legend::kButtonShutdown) & 1u) {
      if (!stop_held_since_) stop_held_since_ = now;
      const auto held = now - *stop_held_since_;
      if (!stop_asked_ && held >= std::chrono::milliseconds(hw::legend::kShutdownHoldMs)) {
        stop_asked_ = true;
        m_->Add("board_safe_stops");
        spdlog::warn("core: safe-stop button (button {}) held {} ms at the panel: stopping",
                     hw::legend::kButtonShutdown,
                     std::chrono::duration_cast<std::chrono::milliseconds>(held).count());
        events_.SafeStop(hw::legend::kButtonShutdown,
                         static_cast<uint64_t>(
                             std::chrono::duration_cast<std::chrono::milliseconds>(held).count()));
        if (hooks_.safe_stop) hooks_.safe_stop();
      }
    } else {
      stop_held_since_.reset();
    }
    return Status::Ok();
  }

  Status Refresh() {
    BoardView v = view_();
    TERN_RETURN_IF_ERROR(wd_.Kick());
    std::vector<hw::PanelEvent> events;
    TERN_RETURN_IF_ERROR(panel_.TakeEvents(&events));
    for (const auto& e : events) {
      events_.Panel(e);
      if (e.pressed & (1u << hw::legend::kButtonAck)) {  // acknowledges every alarm so far
        acked_ = v.alarms;
        m_->Add("board_alarm_acks");
        spdlog::info("core: operator acknowledged {} alarms at the panel", acked_);
        events_.AlarmAck(acked_);
      }
    }
    if (software_ack_) {  // button 0 over the API on a real board
      software_ack_ = false;
      acked_ = v.alarms;
      m_->Add("board_alarm_acks");
      spdlog::info("core: operator acknowledged {} alarms (button 0 over the API)", acked_);
      events_.AlarmAck(acked_);
    }
    TERN_ASSIGN_OR_RETURN(uint16_t edges, gpio_.TakeEdges());
    if (edges != 0) {
      TERN_ASSIGN_OR_RETURN(uint16_t levels, gpio_.ReadInputs());
      events_.Gpio(edges, levels);
    }
    bool unacked = v.alarms > acked_;
    namespace lg = hw::legend;
    uint8_t leds = static_cast<uint8_t>(((v.live_edges & 0x0F) << lg::kLedEdgeLive0) |
                                        (unacked ? 1u << lg::kLedAlarm : 0) |
                                        (v.connected ? 1u << lg::kLedGateway : 0));
    TERN_ASSIGN_OR_RETURN(hw::PanelFrame frame, hw::ReadPanelFrame(bus_));
    events_.Pot(frame.panel.pot);
    TERN_RETURN_IF_ERROR(PowerAndStop(frame));
    TERN_RETURN_IF_ERROR(panel_.SetDigits(on_backup_ ? kPowerFailDigits : Decimal(v.alarms)));
    // Fans: the temperature's curve, or a base airflow plus more while work is queued.
    TERN_ASSIGN_OR_RETURN(double temp_c, Cabinet(v));
    const auto backlog_fan = static_cast<uint8_t>(std::min<uint64_t>(255, 64 + v.queued * 16));
    const uint8_t fan = std::max(curve_.Duty(temp_c), backlog_fan);
    fan_ = fan;
    if (over_temp_) leds |= 1u << lg::kLedOverTemp;
    if (on_backup_) leds |= 1u << lg::kLedOnBackup;
    TERN_RETURN_IF_ERROR(panel_.SetLeds(leds));
    TERN_RETURN_IF_ERROR(mos_.SetFan(lg::kFanProcessing, fan));
    TERN_RETURN_IF_ERROR(Meters(v));
    TERN_RETURN_IF_ERROR(mos_.SetRelays(static_cast<uint8_t>(
        (v.edge_down ? 1u << lg::kRelayEdgeDown : 0) | (unacked ? 1u << lg::kRelayAlarm : 0) |
        (on_backup_ ? 1u << lg::kRelayBackup : 0))));
    TERN_ASSIGN_OR_RETURN(hw::SafeStatus safe, wd_.ReadSafeStatus());
    // Read again: the snapshot shows the outputs just written, not those of the last refresh.
    TERN_ASSIGN_OR_RETURN(frame, hw::ReadPanelFrame(bus_));
    const BoardPins pins = driver_->Pins(frame);
    std::lock_guard<std::mutex> lk(mu_);
    snap_ = {
        {"mode", driver_->mode()},
        {"display", on_backup_ ? "PFAL" : std::to_string(std::clamp<int64_t>(v.alarms, 0, 9999))},
        {"leds", pins.leds},
        {"relays", pins.relays},
        {"fans", pins.fans},
        {"fan_duty", fan},
        {"alarms_unacknowledged", unacked ? v.alarms - acked_ : 0},
        {"temp_c", std::round(temp_c * 10) / 10},
        {"over_temp", over_temp_},
        {"meters", {meter_[0], meter_[1]}},
        {"ingest_chunks_per_s", std::round(rate_ * 10) / 10},
        {"safe", safe.ToString()},
        {"power_fail", on_backup_},
        {"cycles", pins.cycles ? nlohmann::json(*pins.cycles) : nlohmann::json()},
        {"frame", hw::PanelFrameToJson(frame)}};
    return Status::Ok();
  }

  // The cabinet: in simulation the thermal model steps over the time since the last refresh
  // (load: the processing backlog, 32 chunks = full; cooling: fan 0's duty) into the board's
  // TEMP input (a real board's sensor feeds it); reads the temperature from the board and
  // follows its over-temperature flag.
  Result<double> Cabinet(const BoardView& v) {
    const auto now = std::chrono::steady_clock::now();
    const double load = std::min(1.0, static_cast<double>(v.queued) / 32.0);
    driver_->FeedCabinet(now - last_step_, load, fan_ / 255.0);
    last_step_ = now;
    TERN_ASSIGN_OR_RETURN(double temp_c, cabinet_.Temperature());
    TERN_ASSIGN_OR_RETURN(hw::CabinetStatus cs, cabinet_.ReadStatus());
    m_->Set("board_temp_c", std::lround(temp_c));
    events_.Temperature(temp_c, MonotonicMs());
    if (cs.over_temp != over_temp_) {
      over_temp_ = cs.over_temp;
      m_->Set("board_over_temp", over_temp_ ? 1 : 0);
      if (over_temp_) {
        m_->Add("board_over_temp_alarms");
        spdlog::warn(
            "core: cabinet over temperature: {:.1f} C (limit {:.1f} C, clears below "
            "{:.1f} C)",
            temp_c, o_.over_temp_c, o_.over_temp_clear_c);
      } else {
        spdlog::info("core: cabinet temperature back to {:.1f} C", temp_c);
      }
      events_.OverTemp(over_temp_, temp_c, o_.over_temp_c, o_.over_temp_clear_c);
      if (alarms_) {
        alarms_(nlohmann::json{{"v", 1},
                               {"type", "cabinet_alarm"},
                               {"kind", "over_temp"},
                               {"active", over_temp_},
                               {"temp_c", std::round(temp_c * 10) / 10},
                               {"wall_ms", WallMs()}}
                    .dump());
      }
    }
    return temp_c;
  }

  // Meter 0: the ingest rate, smoothed over about a second of refreshes; meter 1: the
  // stores' fill (at rest while unknown).
  Status Meters(const BoardView& v) {
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - last_meter_).count();
    if (last_uplinks_ >= 0 && dt > 0) {
      const double inst = static_cast<double>(v.uplinks - last_uplinks_) / dt;
      rate_ += (inst - rate_) * std::min(1.0, dt);  // ~1 s smoothing
    }
    last_uplinks_ = v.uplinks;
    last_meter_ = now;
    const double full = std::max(o_.meter_ingest_full, 1e-9);
    meter_[0] = static_cast<uint8_t>(std::lround(std::clamp(rate_ / full, 0.0, 1.0) * 255));
    meter_[1] = v.store_fill_permille < 0
                    ? 0
                    : static_cast<uint8_t>(std::lround(v.store_fill_permille * 255 / 1000.0));
    TERN_RETURN_IF_ERROR(cabinet_.SetMeter(hw::legend::kMeterIngest, meter_[0]));
    return cabinet_.SetMeter(hw::legend::kMeterStoreFill, meter_[1]);
  }

  BoardOptions o_;
  std::function<BoardView()> view_;
  Metrics* m_;
  CabinetAlarmSink alarms_;
  BoardHooks hooks_;
  BoardEventWatch events_;  // cabinet events to hooks_.event
  FanCurve curve_;
  std::chrono::steady_clock::time_point last_step_;
  uint8_t fan_ = 0;
  bool over_temp_ = false;
  int64_t last_uplinks_ = -1;
  std::chrono::steady_clock::time_point last_meter_;
  double rate_ = 0;  // chunks/s, smoothed
  std::array<uint8_t, 2> meter_{};
  std::unique_ptr<BoardDriver> driver_;
  hw::RegisterBus* bus_;  // driver_'s
  hw::Watchdog wd_;
  hw::Panel panel_;
  hw::MosDriver mos_;
  hw::Cabinet cabinet_;
  hw::IrqController irq_;
  hw::IoPorts gpio_;
  int64_t acked_ = 0;
  bool on_backup_ = false;     // CABINET_STATUS.power_fail as last seen
  uint64_t failing_ = 0;       // refreshes failed in a row
  bool software_ack_ = false;  // button 0 over the API on a real board, for the next refresh
  std::optional<std::chrono::steady_clock::time_point> stop_held_since_;
  bool stop_asked_ = false;
  std::atomic<bool> stop_{false};
  BoardInbox inbox_;  // the operator's inputs, run on the board thread
  std::thread thread_;
  mutable std::mutex mu_;
  nlohmann::json snap_ = nlohmann::json::object();
};

}  // namespace

Result<std::unique_ptr<BoardControl>> StartBoardControl(const BoardOptions& o,
                                                        std::unique_ptr<BoardDriver> driver,
                                                        std::function<BoardView()> view,
                                                        Metrics* metrics, CabinetAlarmSink alarms,
                                                        BoardHooks hooks) {
  auto c = std::make_unique<BoardController>(o, std::move(driver), std::move(view), metrics,
                                             std::move(alarms), std::move(hooks));
  TERN_RETURN_IF_ERROR(c->Init().WithContext("board"));
  return std::unique_ptr<BoardControl>(std::move(c));
}

Result<std::unique_ptr<BoardControl>> BoardControl::Start(const BoardOptions& o,
                                                          std::function<BoardView()> view,
                                                          Metrics* metrics, CabinetAlarmSink alarms,
                                                          BoardHooks hooks) {
  Result<std::unique_ptr<BoardDriver>> driver =
      Status::InvalidArgument("config key 'board.mode': '" + o.mode + "' is not off, sim or gpio");
  if (o.mode == "sim") driver = MakeSimBoardDriver(o);
  if (o.mode == "gpio") driver = MakeGpioBoardDriver(o);
  if (!driver.ok()) return driver.status().WithContext("board");
  return StartBoardControl(o, std::move(driver).value(), std::move(view), metrics,
                           std::move(alarms), std::move(hooks));
}

}  // namespace tern::core
