// Dispatcher and the handler guard: the one place where a hostile message's fate is decided.
#include "tern/common/dispatch.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace tern::msg {

void Reject(Metrics& m, const std::string& who, const std::string& kind,
            const std::string& detail) {
  int64_t n = ++m.Counter("rejected_" + kind);
  if (n <= 10 || n % 1000 == 0) {
    spdlog::warn("{}: rejected {} message #{}: {}", who, kind, n, detail);
  }
}

bool Guarded(Metrics& m, const std::string& who, const std::string& topic,
             const std::function<void()>& fn) noexcept {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    int64_t n = ++m.Counter("handler_errors");
    try {
      if (n <= 10 || n % 1000 == 0) {
        spdlog::error("{}: handler for {} failed (#{}): {}", who, topic, n, e.what());
      }
    } catch (...) {  // logging itself failed (out of memory): the counter still says it
    }
  } catch (...) {
    int64_t n = ++m.Counter("handler_errors");
    try {
      if (n <= 10 || n % 1000 == 0) {
        spdlog::error("{}: handler for {} failed (#{}): unknown exception", who, topic, n);
      }
    } catch (...) {
    }
  }
  return false;
}

bool Dispatcher::Dispatch(const std::string& topic, std::string_view payload) noexcept {
  bool done = false;
  bool ok = Guarded(*m_, who_, topic, [&] {
    auto j = ParseControl(payload);
    if (!j.ok()) return Reject(*m_, who_, kind_, j.status().message() + " on " + topic);
    const std::string& type = (*j)["type"].get_ref<const std::string&>();
    auto it = handlers_.find(type);
    if (it == handlers_.end()) {
      m_->Add("unknown_types");
      return Reject(*m_, who_, kind_, "unknown type '" + type.substr(0, 64) + "' on " + topic);
    }
    Status s = it->second(*j, topic);
    if (!s.ok()) return Reject(*m_, who_, kind_, s.message() + " on " + topic);
    done = true;
  });
  return ok && done;
}

}  // namespace tern::msg
