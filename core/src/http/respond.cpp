// See respond.h.
#include "respond.h"

#include "query.h"

namespace tern::core::http {

using nlohmann::json;

int HttpCode(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kFailedPrecondition:
      return 409;  // e.g. forgetting a node that is live
    default:
      return 500;
  }
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void SetError(httplib::Response& res, int code, const std::string& msg) {
  res.status = code;
  res.set_content(Dump(json{{"error", msg}}), kJsonType);
}

Status CheckRequestParams(const httplib::Request& req,
                          std::initializer_list<std::string_view> allowed) {
  return CheckParams(req.params, allowed);
}

}  // namespace tern::core::http
