// How the HTTP API turns results into responses: the JSON error body every refusal carries,
// the HTTP code a Status maps to, and JSON text that never throws on bad UTF-8. Shared by
// the route files (http_api.cpp, ops_routes.cpp) so every endpoint answers alike.
// Thread-safety: pure functions.
#pragma once

#include <httplib.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern::core::http {

inline constexpr const char* kJsonType = "application/json";

// InvalidArgument -> 400, NotFound -> 404, FailedPrecondition -> 409, Unavailable -> 503,
// anything else -> 500.
int HttpCode(const Status& s);
// JSON text; invalid UTF-8 is replaced rather than thrown on.
std::string Dump(const nlohmann::json& j);
// `code` with the body {"error": msg}.
void SetError(httplib::Response& res, int code, const std::string& msg);
// Rejects parameters outside `allowed` (a typo like "form=" must not silently widen a query).
[[nodiscard]] Status CheckRequestParams(const httplib::Request& req,
                                        std::initializer_list<std::string_view> allowed);

}  // namespace tern::core::http
