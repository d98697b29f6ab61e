// The edge's view of the site's members (from the core's retained tern/members message:
// every member's name, for the topics that carry names, and the live ones) and the peer choice
// for replicas: distinct live peers other than this node, either in the rendezvous order of
// the chunk's placement key (placement.h; the default, so a group's chunks of one window land
// on the same peers) or at random weighted towards low load (placement.mode = random). Load =
// 0.5 * cpu + 0.5 * used/capacity, as the core reports it from heartbeats. A member whose
// disk-pressure level refuses a chunk's priority is no target for it (Refusing). Thread-safety:
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tern/common/messages.h"
#include "tern/common/placement.h"

namespace tern::edge {

class PeerTable {
 public:
  // Replaces the table with the live members other than `self` (the message was checked
  // when it was decoded; loads are 0..1).
  void Update(const msg::Members& members, uint32_t self);
  bool IsLive(uint32_t addr) const;
  // The name of member `addr` in the latest list, empty if it is not in it.
  std::string NameOf(uint32_t addr) const;
  // The address of member `name` in the latest list, 0 if it is not in it.
  uint32_t AddrOf(const std::string& name) const;
  // The core's name as the latest list gives it (empty before the first list).
  std::string core() const;
  int LiveCount() const;
  // The members whose disk-pressure level (the core's list) refuses data of priority `p`:
  // no new copy of such a chunk goes to them.
  std::set<uint32_t> Refusing(Priority p) const;
  // Up to `n` distinct live peers not in `exclude`, drawn by weight 1/(0.05 + load).
  std::vector<uint32_t> Choose(int n, const std::set<uint32_t>& exclude,
                               std::mt19937_64& rng) const;
  // Up to `n` live peers not in `exclude`, best first in the rendezvous order for `key`.
  std::vector<uint32_t> Ranked(const placement::Key& key, int n,
                               const std::set<uint32_t>& exclude) const;

 private:
  mutable std::mutex mu_;
  std::map<uint32_t, double> live_;        // addr -> load
  std::map<uint32_t, std::string> names_;  // every member, live or not
  std::map<uint32_t, Pressure> pressure_;  // members above normal pressure
  std::string core_;
};

}  // namespace tern::edge
