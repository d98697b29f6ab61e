// PanelFrame: see panel_frame.h.
#include "tern/hw/panel_frame.h"

#include <string>

#include "tern/hw/board_regs.h"
#include "tern/hw/cabinet.h"

namespace tern::hw {
namespace {

// Reads an integer field in [lo, hi]; the error names the field (and the index in an array).
Status ReadInt(const nlohmann::json& v, const std::string& name, int64_t lo, int64_t hi,
               int64_t* out) {
  if (!v.is_number_integer()) {
    return Status::InvalidArgument("panel frame: field '" + name + "' must be an integer");
  }
  const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)
                        ? hi + 1
                        : v.get<int64_t>();
  if (x < lo || x > hi) {
    return Status::InvalidArgument("panel frame: field '" + name + "' must be " +
                                   std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                                   v.dump());
  }
  *out = x;
  return Status::Ok();
}

const nlohmann::json* Field(const nlohmann::json& j, const char* name, Status* err) {
  auto it = j.find(name);
  if (it == j.end()) {
    *err = Status::InvalidArgument(std::string("panel frame: field '") + name + "' is missing");
    return nullptr;
  }
  return &*it;
}

template <typename T>
Status IntField(const nlohmann::json& j, const char* name, int64_t lo, int64_t hi, T* out) {
  Status err;
  const nlohmann::json* v = Field(j, name, &err);
  if (v == nullptr) return err;
  int64_t x = 0;
  TERN_RETURN_IF_ERROR(ReadInt(*v, name, lo, hi, &x));
  *out = static_cast<T>(x);
  return Status::Ok();
}

Status BoolField(const nlohmann::json& j, const char* name, bool* out) {
  Status err;
  const nlohmann::json* v = Field(j, name, &err);
  if (v == nullptr) return err;
  if (!v->is_boolean()) {
    return Status::InvalidArgument(std::string("panel frame: field '") + name +
                                   "' must be true or false");
  }
  *out = v->get<bool>();
  return Status::Ok();
}

template <size_t N>
Status ByteArrayField(const nlohmann::json& j, const char* name, std::array<uint8_t, N>* out) {
  Status err;
  const nlohmann::json* v = Field(j, name, &err);
  if (v == nullptr) return err;
  if (!v->is_array() || v->size() != N) {
    return Status::InvalidArgument(std::string("panel frame: field '") + name + "' must be " +
                                   "an array of " + std::to_string(N) + " integers");
  }
  for (size_t i = 0; i < N; ++i) {
    int64_t x = 0;
    TERN_RETURN_IF_ERROR(
        ReadInt((*v)[i], std::string(name) + "[" + std::to_string(i) + "]", 0, 255, &x));
    (*out)[i] = static_cast<uint8_t>(x);
  }
  return Status::Ok();
}

}  // namespace

Result<PanelFrame> ReadPanelFrame(RegisterBus* bus) {
  PanelFrame f;
  TERN_ASSIGN_OR_RETURN(f.panel, Panel(bus).ReadState());
  uint32_t relay = 0, fan = 0, safe = 0;
  TERN_RETURN_IF_ERROR(bus->Read(regs::relay::kOffset, &relay));
  TERN_RETURN_IF_ERROR(bus->Read(regs::fan::kOffset, &fan));
  TERN_RETURN_IF_ERROR(bus->Read(regs::safe_status::kOffset, &safe));
  f.relays = static_cast<uint8_t>(relay & regs::relay::on::kMask);
  f.fans[0] = static_cast<uint8_t>((fan & regs::fan::duty0::kMask) >> regs::fan::duty0::kShift);
  f.fans[1] = static_cast<uint8_t>((fan & regs::fan::duty1::kMask) >> regs::fan::duty1::kShift);
  f.safe = (safe & regs::safe_status::safe::kMask) != 0;
  Cabinet cabinet(bus);
  TERN_ASSIGN_OR_RETURN(f.temp_c, cabinet.Temperature());
  TERN_ASSIGN_OR_RETURN(CabinetStatus cs, cabinet.ReadStatus());
  f.over_temp = cs.over_temp;
  f.power_fail = cs.power_fail;
  uint32_t meter = 0;
  TERN_RETURN_IF_ERROR(bus->Read(regs::meter::kOffset, &meter));
  f.meters[0] =
      static_cast<uint8_t>((meter & regs::meter::duty0::kMask) >> regs::meter::duty0::kShift);
  f.meters[1] =
      static_cast<uint8_t>((meter & regs::meter::duty1::kMask) >> regs::meter::duty1::kShift);
  return f;
}

nlohmann::json PanelFrameToJson(const PanelFrame& f) {
  const PanelState& p = f.panel;
  return {
      {"digits", {p.digits[0], p.digits[1], p.digits[2], p.digits[3]}},
      {"hex", p.hex},
      {"brightness", p.brightness},
      {"leds", p.leds},
      {"buttons", p.buttons},
      {"switch", p.sw},
      {"pot", p.pot},
      {"relays", f.relays},
      {"fans", {f.fans[0], f.fans[1]}},
      {"safe", f.safe},
      {"temp_c", f.temp_c},
      {"over_temp", f.over_temp},
      {"power_fail", f.power_fail},
      {"meters", {f.meters[0], f.meters[1]}},
  };
}

Result<PanelFrame> PanelFrameFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("panel frame: not a JSON object");
  PanelFrame f;
  PanelState& p = f.panel;
  TERN_RETURN_IF_ERROR(ByteArrayField(j, "digits", &p.digits));
  TERN_RETURN_IF_ERROR(BoolField(j, "hex", &p.hex));
  TERN_RETURN_IF_ERROR(IntField(j, "brightness", 0, 15, &p.brightness));
  TERN_RETURN_IF_ERROR(IntField(j, "leds", 0, 255, &p.leds));
  TERN_RETURN_IF_ERROR(IntField(j, "buttons", 0, 15, &p.buttons));
  TERN_RETURN_IF_ERROR(BoolField(j, "switch", &p.sw));
  TERN_RETURN_IF_ERROR(IntField(j, "pot", 0, 4095, &p.pot));
  TERN_RETURN_IF_ERROR(IntField(j, "relays", 0, 15, &f.relays));
  TERN_RETURN_IF_ERROR(ByteArrayField(j, "fans", &f.fans));
  TERN_RETURN_IF_ERROR(BoolField(j, "safe", &f.safe));
  {
    Status err;
    const nlohmann::json* v = Field(j, "temp_c", &err);
    if (v == nullptr) return err;
    if (!v->is_number()) {
      return Status::InvalidArgument("panel frame: field 'temp_c' must be a number");
    }
    f.temp_c = v->get<double>();
  }
  TERN_RETURN_IF_ERROR(BoolField(j, "over_temp", &f.over_temp));
  TERN_RETURN_IF_ERROR(BoolField(j, "power_fail", &f.power_fail));
  TERN_RETURN_IF_ERROR(ByteArrayField(j, "meters", &f.meters));
  return f;
}

}  // namespace tern::hw
