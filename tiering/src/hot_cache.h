// The textbook hot-tier caches the value model is compared with: LRU and LFU over a byte
// capacity; and the value model's index of its hot residents by predicted value. Private to
// tern_tiering (replay.cpp).
// Thread-safety: not synchronised; one thread at a time.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tern::tiering {

class HotCache {
 public:
  HotCache(bool lfu, uint64_t capacity) : lfu_(lfu), capacity_(capacity) {}

  // Takes `id` in (it must not be in), evicting until it fits; returns the evicted ids.
  // A chunk larger than the whole capacity is not taken (returned as if evicted at once).
  std::vector<uint64_t> Insert(uint64_t id, uint64_t bytes) {
    std::vector<uint64_t> out;
    if (bytes > capacity_) return {id};
    while (used_ + bytes > capacity_) out.push_back(EvictOne());
    used_ += bytes;
    ++tick_;
    if (lfu_) {
      lfu_state_[id] = {1, tick_, bytes};
      lfu_order_.insert({1, tick_, id});
    } else {
      lru_.push_front(id);
      lru_pos_[id] = {lru_.begin(), bytes};
    }
    return out;
  }

  // A hit on `id` (which is in).
  void Touch(uint64_t id) {
    ++tick_;
    if (lfu_) {
      auto& s = lfu_state_.at(id);
      lfu_order_.erase({s.count, s.tick, id});
      ++s.count;
      s.tick = tick_;
      lfu_order_.insert({s.count, s.tick, id});
    } else {
      auto& p = lru_pos_.at(id);
      lru_.splice(lru_.begin(), lru_, p.it);
    }
  }

  uint64_t used() const { return used_; }

 private:
  uint64_t EvictOne() {
    uint64_t id = 0;
    if (lfu_) {
      const auto first = lfu_order_.begin();
      id = std::get<2>(*first);
      lfu_order_.erase(first);
      used_ -= lfu_state_.at(id).bytes;
      lfu_state_.erase(id);
    } else {
      id = lru_.back();
      lru_.pop_back();
      used_ -= lru_pos_.at(id).bytes;
      lru_pos_.erase(id);
    }
    return id;
  }

  struct LfuState {
    uint64_t count, tick, bytes;
  };
  struct LruPos {
    std::list<uint64_t>::iterator it;
    uint64_t bytes;
  };
  bool lfu_;
  uint64_t capacity_;
  uint64_t used_ = 0;
  uint64_t tick_ = 0;
  std::list<uint64_t> lru_;  // most recent first
  std::unordered_map<uint64_t, LruPos> lru_pos_;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> lfu_order_;  // (count, tick, id)
  std::unordered_map<uint64_t, LfuState> lfu_state_;
};

// The value model's hot residents ordered by predicted value, for displacing the cheapest
// between plans.
class HotValueIndex {
 public:
  // Adds `id` (not in) worth `value`, of `bytes`.
  void Add(uint64_t id, double value, uint64_t bytes) {
    by_value_.insert({value, id});
    of_[id] = {value, bytes};
  }
  // Removes `id` if it is in.
  void Remove(uint64_t id) {
    const auto it = of_.find(id);
    if (it == of_.end()) return;
    by_value_.erase({it->second.first, id});
    of_.erase(it);
  }
  void Clear() {
    by_value_.clear();
    of_.clear();
  }
  size_t size() const { return of_.size(); }

  // The fewest lowest-valued residents whose removal lets `bytes` more fit: `used` - their
  // bytes + `bytes` <= `limit`; each must be worth at least `margin` less than `value`, and
  // at most `max` of them. Empty if it fits already; nullopt if they cannot make room.
  std::optional<std::vector<uint64_t>> Victims(uint64_t used, uint64_t bytes, double limit,
                                               double value, double margin, size_t max) const {
    std::vector<uint64_t> out;
    auto it = by_value_.begin();
    for (; static_cast<double>(used + bytes) > limit; ++it) {
      if (it == by_value_.end() || out.size() == max || it->first + margin > value) {
        return std::nullopt;
      }
      out.push_back(it->second);
      used -= of_.at(it->second).second;
    }
    return out;
  }

 private:
  std::set<std::pair<double, uint64_t>> by_value_;
  std::unordered_map<uint64_t, std::pair<double, uint64_t>> of_;  // id -> (value, bytes)
};

}  // namespace tern::tiering
