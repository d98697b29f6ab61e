// The HTTP API's control-board routes (docs/http-api.md, "The control board"): the panel as
// the board shows it (GET /api/v1/board, read role) and the operator's hand on it (POST
// press, switch, pot: operator role), plus the simulated board's test inputs (POST sim: the
// cabinet temperature and the UPS's power-fail input). Inputs go to the board thread
// (BoardControl), so a press passes the board's debounce filter and event FIFO and the core
// handles it exactly as one at the panel. On a real board (board.mode = gpio) the inputs are
// physical: only press of button 0 is taken (the acknowledgement, in software); the rest,
// and sim, answer 409 (FailedPrecondition) saying why. A body that is not what the route
// takes is 400 naming the field, counted as board_bad_requests. Every accepted input is
// logged with who sent it (token label or certificate CN, and the address), every refused
// one too.
#include <spdlog/spdlog.h>

#include <optional>

#include "../board_control.h"
#include "api_impl.h"
#include "query.h"
#include "respond.h"

namespace tern::core {
namespace {

using nlohmann::json;

// The request's JSON object, with only the fields in `allowed`.
Result<json> Body(const httplib::Request& req, std::initializer_list<const char*> allowed) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("body: not a JSON object");
  }
  for (const auto& [k, v] : j.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) return Status::InvalidArgument("body: unknown field '" + k + "'");
  }
  return j;
}

// An integer field in [lo, hi]; `dflt` when absent (nullopt: required).
Result<int64_t> IntField(const json& j, const char* name, int64_t lo, int64_t hi,
                         std::optional<int64_t> dflt = std::nullopt) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (dflt) return *dflt;
    return Status::InvalidArgument(std::string("body: field '") + name + "' is missing");
  }
  const bool in_range =
      it->is_number_integer() &&
      (it->is_number_unsigned() ? it->get<uint64_t>() <= uint64_t(hi) : it->get<int64_t>() <= hi) &&
      (it->is_number_unsigned() || it->get<int64_t>() >= lo);
  if (!in_range) {
    return Status::InvalidArgument(std::string("body: field '") + name + "' must be an integer " +
                                   std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                                   it->dump());
  }
  return it->get<int64_t>();
}

Result<bool> BoolField(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) {
    return Status::InvalidArgument(std::string("body: field '") + name + "' is missing");
  }
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string("body: field '") + name +
                                   "' must be true or false, got " + it->dump());
  }
  return it->get<bool>();
}

}  // namespace

void HttpApi::Impl::AddBoardRoutes() {
  (void)(o_.metrics ? o_.metrics : &own_metrics_)->Counter("board_bad_requests");
  Route(R"(/api/v1/board)", &Impl::BoardGet);
  PostRoute(R"(/api/v1/board/press)", &Impl::BoardPress, 200);
  PostRoute(R"(/api/v1/board/switch)", &Impl::BoardSwitch, 200);
  PostRoute(R"(/api/v1/board/pot)", &Impl::BoardPot, 200);
  PostRoute(R"(/api/v1/board/sim)", &Impl::BoardSim, 200);
}

Result<json> HttpApi::Impl::BoardGet(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  BoardControl* b = src_.board ? src_.board() : nullptr;
  if (b == nullptr) return Status::NotFound("no board: board.mode is off");
  json j = b->Snapshot();
  if (!j.contains("frame")) return Status::Unavailable("board: no refresh yet");
  return j;
}

// Each POST: checks the body (400 naming the field, counted), applies it on the board
// thread, logs who did what, and answers the board as GET /api/v1/board shows it after.
Result<json> HttpApi::Impl::BoardInput(const httplib::Request& req, const char* name,
                                       std::initializer_list<const char*> fields,
                                       const BoardApply& apply) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  BoardControl* b = src_.board ? src_.board() : nullptr;
  if (b == nullptr) return Status::NotFound("no board: board.mode is off");
  Result<json> body = Body(req, fields);
  Status s = body.ok() ? apply(b, *body) : body.status();
  if (s.code() == Status::Code::kInvalidArgument) {
    (o_.metrics ? o_.metrics : &own_metrics_)->Add("board_bad_requests");
    spdlog::warn("http: board {} refused for {}: {}", name, gate_->Who(req), s.message());
  } else if (s.code() == Status::Code::kFailedPrecondition) {  // a real board's physical input
    spdlog::info("http: board {} refused for {}: {}", name, gate_->Who(req), s.message());
  }
  TERN_RETURN_IF_ERROR(s);
  spdlog::info("http: board {} {} by {}", name, body->dump(), gate_->Who(req));
  return BoardGet(req);
}

Result<json> HttpApi::Impl::BoardPress(const httplib::Request& req) {
  return BoardInput(req, "press", {"button", "hold_ms"}, [](BoardControl* b, const json& j) {
    TERN_ASSIGN_OR_RETURN(int64_t button, IntField(j, "button", 0, 3));
    TERN_ASSIGN_OR_RETURN(int64_t hold, IntField(j, "hold_ms", 0, 10000, 0));
    return b->Press(static_cast<unsigned>(button), static_cast<uint32_t>(hold));
  });
}

Result<json> HttpApi::Impl::BoardSwitch(const httplib::Request& req) {
  return BoardInput(req, "switch", {"on"}, [](BoardControl* b, const json& j) {
    TERN_ASSIGN_OR_RETURN(bool on, BoolField(j, "on"));
    return b->SetSwitch(on);
  });
}

Result<json> HttpApi::Impl::BoardPot(const httplib::Request& req) {
  return BoardInput(req, "pot", {"value"}, [](BoardControl* b, const json& j) {
    TERN_ASSIGN_OR_RETURN(int64_t v, IntField(j, "value", 0, 4095));
    return b->SetPot(static_cast<uint16_t>(v));
  });
}

// The simulated board's test inputs: {"temp_c": number (-40..215) or null (back to the
// thermal model)} and/or {"power_fail": bool}.
Result<json> HttpApi::Impl::BoardSim(const httplib::Request& req) {
  return BoardInput(req, "sim", {"temp_c", "power_fail"}, [](BoardControl* b, const json& j) {
    if (!j.contains("temp_c") && !j.contains("power_fail")) {
      return Status::InvalidArgument("body: give field 'temp_c' or 'power_fail'");
    }
    std::optional<double> temp;
    if (j.contains("temp_c") && !j["temp_c"].is_null()) {
      const json& t = j["temp_c"];
      if (!t.is_number() || t.get<double>() < -40 || t.get<double>() > 215) {
        return Status::InvalidArgument(
            "body: field 'temp_c' must be a number -40..215 or null, got " + t.dump());
      }
      temp = t.get<double>();
    }
    std::optional<bool> pf;
    if (j.contains("power_fail")) {
      TERN_ASSIGN_OR_RETURN(pf, BoolField(j, "power_fail"));
    }
    if (j.contains("temp_c")) TERN_RETURN_IF_ERROR(b->SimTemperature(temp));
    if (pf) TERN_RETURN_IF_ERROR(b->SimPowerFail(*pf));
    return Status::Ok();
  });
}

}  // namespace tern::core
