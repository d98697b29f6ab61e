// The registrar: this node's permanent address and its announcements to the core.
//
// The core maps a name to an address once and for ever. The first start waits for it: a
// short-lived second connection (client id "edge-<name>-reg", made through the options'
// TransportFactory) publishes `register` on reg/<name> every second until the core answers
// `registered` (or `refused`, which fails the start) on reg/<name>/reply. The address is
// then kept in the store's meta table and used ever after. Every later (re)connect of the
// main client re-announces the node (Announcement()), and the core's reply on the main
// client is checked (OnRegistered): a different address is counted (`address_conflicts`)
// and logged, ours is kept; the settings in it are applied.
// Replies that do not decode are counted as `rejected_registration`.
// Thread-safety: Obtain from one thread; Cancel from any; OnRegistered from the network
// thread; Announcement from any.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "settings_state.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/status.h"
#include "tern/edge/local_store.h"
#include "tern/edge/options.h"

namespace tern::edge {

class Registrar {
 public:
  // None of the pointers is owned; all outlive the registrar. `settings` receives the
  // settings in registration replies.
  Registrar(const EdgeOptions& o, LocalStore* store, SettingsState* settings, Metrics* m)
      : o_(o), store_(store), settings_(settings), m_(m) {}

  // The node's address: the stored one, or the core's answer (stored before returning).
  // FailedPrecondition if the core refused the name; Unavailable if Cancel() came first.
  [[nodiscard]] Result<uint32_t> Obtain();
  // Makes a waiting Obtain() give up.
  void Cancel();

  // The `register` message this node publishes on reg/<name>.
  std::string Announcement() const;
  // The core's reply to an announcement on the main client; `addr` is ours.
  void OnRegistered(const msg::Registered& m, uint32_t addr);

 private:
  const EdgeOptions& o_;
  LocalStore* store_;
  SettingsState* settings_;
  Metrics* m_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancel_ = false;  // under mu_
};

}  // namespace tern::edge
