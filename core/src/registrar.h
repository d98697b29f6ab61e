// Registration: a node asks on `reg/<name>` for its permanent address; the core answers on
// `reg/<name>/reply` with `registered` (address, protocol, the node's settings) or `refused`
// (with the reason). The same name always gets the same address (core.db's registry) and
// the core's own name is never given out. Every registration the core cannot accept is
// counted as rejected_register and logged, and answered with `refused` when the topic names
// a node that could hear it. Replies echo the request's nonce.
//
// Enrolment without PKI: the first registration binds the name to the store's `node_id`; a
// registration under that name with another (or no) node_id is refused
// (`refused_duplicate_name`, logged with both ids) before anything of the enrolled node's
// entry is read out or changed.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "batch.h"
#include "membership.h"
#include "settings_book.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/core/manifest.h"

namespace tern::core {

// A `register` message as the dispatcher hands it over: decoded, or the reason it did not
// decode (so the node still learns why it is refused).
struct RegisterRequest {
  static constexpr const char* kType = msg::Register::kType;
  Result<msg::Register> decoded = Status::InvalidArgument("not decoded");
  static Result<RegisterRequest> Decode(const nlohmann::json& j) {
    return RegisterRequest{msg::Register::Decode(j)};
  }
};

// 1..64 of [A-Za-z0-9._-].
bool ValidNodeName(const std::string& name);

class Registrar {
 public:
  // Pointers outlive the registrar. `m` counts nodes_registered, rejected_register.
  Registrar(std::string core_name, Topics topics, Manifest* db, Membership* members,
            SettingsBook* settings, Metrics* m)
      : core_name_(std::move(core_name)),
        topics_(std::move(topics)),
        db_(db),
        members_(members),
        settings_(settings),
        m_(m) {}

  struct Outcome {
    std::optional<Outgoing> reply;  // to publish after the commit
    uint32_t addr = 0;              // the node's address, 0 if not registered
    std::optional<int> weight;      // its scheduler weight, if its settings were read
  };
  // Handles a registration on `topic` (reg/<name>), inside the worker's transaction.
  Outcome OnRegister(const RegisterRequest& r, const std::string& topic);

 private:
  std::string core_name_;
  Topics topics_;
  Manifest* db_;
  Membership* members_;
  SettingsBook* settings_;
  Metrics* m_;
};

}  // namespace tern::core
