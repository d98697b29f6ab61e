// Routing of inbound messages to handlers, and the guard every handler runs inside.
//
// A receiver builds one Dispatcher per topic kind (e.g. the edge's "down" topic) and
// registers one typed handler per message type with On<M>(). Dispatch() then bounds and
// parses the JSON (size and nesting limits, protocol version), looks the type up, decodes it
// as M and calls the handler. Whatever the payload's shape, Dispatch() never throws and never
// stops the process:
// - a message that fails to parse or decode is counted as `rejected_<kind>` and logged
//   (rate-limited) with its topic and the reason;
// - an unknown type is counted as `unknown_types` and `rejected_<kind>`;
// - an exception escaping a handler is caught, counted as `handler_errors`, logged with the
//   topic, and the process goes on.
// Thread-safety: register handlers before the first Dispatch(); Dispatch() may then run on
// any thread (handlers must be safe on the thread that calls it).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/status.h"

namespace tern::msg {

// Counts `rejected_<kind>` and logs "<who>: rejected <kind> message #n: <detail>" for the
// first ten and then every thousandth, so a flood cannot fill the disk with log lines.
void Reject(Metrics& m, const std::string& who, const std::string& kind, const std::string& detail);

// Runs `fn`; an exception escaping it is caught, counted as `handler_errors` and logged as
// "<who>: handler for <topic> failed: <what>". Returns false if it threw.
bool Guarded(Metrics& m, const std::string& who, const std::string& topic,
             const std::function<void()>& fn) noexcept;

class Dispatcher {
 public:
  // `who` prefixes log lines (e.g. "edge line-1"); `kind` names the topic kind in the
  // rejection counter (rejected_<kind>).
  Dispatcher(Metrics* m, std::string who, std::string kind)
      : m_(m), who_(std::move(who)), kind_(std::move(kind)) {}

  // Registers the handler for messages of type M::kType; a later On<> for the same type
  // replaces it. The handler receives the decoded message and the topic it came on.
  template <typename M>
  void On(std::function<void(const M&, const std::string& topic)> handler) {
    handlers_[M::kType] = [h = std::move(handler)](const nlohmann::json& j,
                                                   const std::string& topic) -> Status {
      auto m = M::Decode(j);
      if (!m.ok()) return m.status();
      h(*m, topic);
      return Status::Ok();
    };
  }

  // Parses, decodes and handles one message; see the file comment for what happens to a
  // message that does not fit. Returns true if a handler ran to completion.
  bool Dispatch(const std::string& topic, std::string_view payload) noexcept;

  const std::string& kind() const { return kind_; }

 private:
  using Erased = std::function<Status(const nlohmann::json&, const std::string&)>;
  Metrics* m_;
  std::string who_;
  std::string kind_;
  std::map<std::string, Erased, std::less<>> handlers_;
};

}  // namespace tern::msg
