// Watchdog: watchdog, safe-state and link-supervision registers.
#include "tern/hw/watchdog.h"

#include <cstdio>

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace s = regs::safe_status;

std::string SafeStatus::ToString() const {
  if (!safe) return wdog_expired ? "running (watchdog expired)" : "running";
  std::string causes;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!causes.empty()) causes += ", ";
    causes += name;
  };
  add(cause_reset, "reset");
  add(cause_wdog, "watchdog");
  add(cause_link, "link");
  add(cause_fault, "fault");
  std::string out = "safe (causes: " + (causes.empty() ? std::string("none") : causes) + ")";
  if (wdog_expired) out += ", watchdog expired";
  return out;
}

Status Watchdog::Configure(uint16_t period_ticks, bool enable) {
  TERN_RETURN_IF_ERROR(bus_->Write(
      regs::wdog_period::kOffset, regs::set_field(0, regs::wdog_period::ticks::kMask,
                                                  regs::wdog_period::ticks::kShift, period_ticks)));
  return bus_->Write(regs::wdog_ctrl::kOffset, enable ? regs::wdog_ctrl::en::kMask : 0);
}

Status Watchdog::Kick() { return bus_->Write(regs::wdog_kick::kOffset, regs::link::kWdogKickKey); }

Result<uint16_t> Watchdog::Remaining() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::wdog_count::kOffset, &v));
  return static_cast<uint16_t>(
      regs::get_field(v, regs::wdog_count::ticks::kMask, regs::wdog_count::ticks::kShift));
}

Result<SafeStatus> Watchdog::ReadSafeStatus() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(s::kOffset, &v));
  SafeStatus st;
  st.safe = v & s::safe::kMask;
  st.cause_reset = v & s::cause_reset::kMask;
  st.cause_wdog = v & s::cause_wdog::kMask;
  st.cause_link = v & s::cause_link::kMask;
  st.cause_fault = v & s::cause_fault::kMask;
  st.wdog_expired = v & s::wdog_expired::kMask;
  return st;
}

Status Watchdog::LeaveSafeState() {
  TERN_RETURN_IF_ERROR(Kick());
  TERN_RETURN_IF_ERROR(bus_->Write(regs::safe_clear::kOffset, regs::safe_clear::clear::kMask));
  TERN_ASSIGN_OR_RETURN(SafeStatus st, ReadSafeStatus());
  if (!st.safe) return Status::Ok();
  std::string why;
  uint32_t fault = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::mos_fault::kOffset, &fault));
  if (fault & regs::mos_fault::latched::kMask) why += " MOS_FAULT.latched is set;";
  TERN_ASSIGN_OR_RETURN(LinkErrors le, ReadLinkErrors());
  if (le.streak > 0) why += " LINK_ERR.streak is " + std::to_string(le.streak) + ";";
  if (st.wdog_expired) why += " the watchdog is expired (period 0?);";
  return Status::FailedPrecondition("SAFE_CLEAR ignored, board still " + st.ToString() + ":" +
                                    (why.empty() ? std::string(" no cause visible") : why));
}

Status Watchdog::SetLinkBadLimit(uint8_t k) {
  if (k > (regs::link_cfg::bad_limit::kMask >> regs::link_cfg::bad_limit::kShift)) {
    return Status::InvalidArgument("LINK_CFG.bad_limit: " + std::to_string(k) + " > 15");
  }
  return bus_->Write(
      regs::link_cfg::kOffset,
      regs::set_field(0, regs::link_cfg::bad_limit::kMask, regs::link_cfg::bad_limit::kShift, k));
}

Result<LinkErrors> Watchdog::ReadLinkErrors() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::link_err::kOffset, &v));
  LinkErrors e;
  e.count = static_cast<uint16_t>(
      regs::get_field(v, regs::link_err::count::kMask, regs::link_err::count::kShift));
  e.streak = static_cast<uint8_t>(
      regs::get_field(v, regs::link_err::streak::kMask, regs::link_err::streak::kShift));
  return e;
}

Result<uint16_t> Watchdog::Probe() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::id::kOffset, &v));
  const uint32_t magic = regs::get_field(v, regs::id::magic::kMask, regs::id::magic::kShift);
  if (magic != regs::id::magic::kReset) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "ID reads 0x%08X, magic 0x%04X != 0x%04X", v, magic,
                  regs::id::magic::kReset);
    return Status::Unavailable(std::string(buf) + ": not a tern board on " + bus_->Describe());
  }
  return static_cast<uint16_t>(
      regs::get_field(v, regs::id::version::kMask, regs::id::version::kShift));
}

}  // namespace tern::hw
