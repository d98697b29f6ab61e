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
// Enrolment with PKI: the StatementGate has checked the registration's certificate (site CA,
// unrevoked, CN = the name, role edge) and its signature. The first registration binds the
// name to that certificate; a registration with another certificate is refused
// (`refused_duplicate_name`) while the enrolled one is still valid, and replaces it once
// that was revoked (or expired). The same certificate with another store id is taken (a
// re-imaged box) unless the node is live: then it is a second box with a copy of the
// certificate, refused (`refused_duplicate_name`). The node's key goes into the member list; the
// reply carries the core's certificate. Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "batch.h"
#include "membership.h"
#include "settings_book.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/node_identity.h"
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
  // `identity` is the core's in pki mode, null in insecure mode.
  Registrar(std::string core_name, Topics topics, Manifest* db, Membership* members,
            SettingsBook* settings, Metrics* m, const NodeIdentity* identity = nullptr)
      : core_name_(std::move(core_name)),
        topics_(std::move(topics)),
        db_(db),
        members_(members),
        settings_(settings),
        m_(m),
        identity_(identity) {}

  struct Outcome {
    std::optional<Outgoing> reply;  // to publish after the commit
    uint32_t addr = 0;              // the node's address, 0 if not registered
    std::optional<int> weight;      // its scheduler weight, if its settings were read
    bool store_replaced = false;    // it came back with an empty store: its rows were removed
  };
  // The `refused` reply (with `why`) to a registration the StatementGate refused, echoing
  // its nonce, or nullopt if the topic names no valid node or the request has no nonce.
  std::optional<Outgoing> Refusal(const std::string& topic, std::string_view payload,
                                  const std::string& why) const;
  // Handles a registration on `topic` (reg/<name>), inside the worker's transaction. `cert`:
  // in pki mode, the registration's certificate as the StatementGate verified it.
  Outcome OnRegister(const RegisterRequest& r, const std::string& topic,
                     const crypto::CertInfo* cert = nullptr);

 private:
  enum class Enrolment { kOk, kRefused, kError };
  // Binds `name` to the store id (insecure) or certificate (pki), or refuses a second node.
  Enrolment Enrol(const std::string& name, const msg::Register& req, const crypto::CertInfo* cert);
  // Before the address is given out: is `name` enrolled to another node?
  // On kRefused, `who` says which node holds the name and which one asked (both store ids,
  // or both keys), for the refusal the node receives.
  Enrolment CheckEnrolled(const std::string& name, const msg::Register& req,
                          const crypto::CertInfo* cert, std::string* who);

  // True if the member `name` is live now.
  bool LiveNamed(const std::string& name) const;

  std::string core_name_;
  Topics topics_;
  Manifest* db_;
  Membership* members_;
  SettingsBook* settings_;
  Metrics* m_;
  const NodeIdentity* identity_;
};

}  // namespace tern::core
