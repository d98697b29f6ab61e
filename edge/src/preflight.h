// tern-edge --check (docs/preflight.md): the shared checks (data directory and its lock, free
// disk, clock, PKI files, broker) and the edge's own: is a core answering on the broker, and
// is this node's name free for this box (no other node enrolled or live under it).
//
// It connects under a client id of its own, `<node.name>.check.<pid>` (the broker's ACL
// goes by the certificate's name, not the client id, so pki mode allows it), reads the core's
// retained member list and waits for the core to publish it once more (it does at least every
// membership.publish_interval, 5 s by default): the retained copy alone only says a core once
// ran. Nothing is published; the data directory's lock is not taken.
// Thread-safety: a free function; each call has its own client.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/config.h"
#include "tern/common/messages.h"
#include "tern/common/preflight.h"

namespace tern::edge {

// How long the check waits for the core's member list (a fresh publish, not the retained
// copy).
inline constexpr std::chrono::seconds kCoreWait{7};

// The offset above which the "clock offset" line warns: the default of the core's
// clock.max_skew, beyond which the core flags the node.
inline constexpr int64_t kClockOffsetWarnMs = 5000;

// Every check of `tern-edge --check` on the validated config `c`, in report order.
std::vector<CheckLine> EdgePreflight(const Config& c);

// What this data directory and this box know of their own identity, for NameVerdict.
struct OwnIdentity {
  std::string name;
  std::optional<uint32_t> stored_addr;  // the store's address (none: a new store)
  std::string key_hex;                  // pki: our certificate's key (empty: insecure)
  std::optional<int> running_pid;       // a tern-edge holding this data directory's lock
};
// The "clock offset" line: our wall clock minus the core's, from a fresh member list's
// `wall_ms` (`offset_ms` empty: the list carries none). Warns, never fails: a skewed clock
// is flagged by the core but stops nothing.
CheckLine ClockOffsetVerdict(bool core_answered, std::optional<int64_t> offset_ms);

// The "name unique" line from the core's member list (null: none was read).
CheckLine NameVerdict(const OwnIdentity& own, const msg::Members* members);

}  // namespace tern::edge
