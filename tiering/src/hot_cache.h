// The textbook hot-tier caches the value model is compared with: LRU and LFU over a byte
// capacity. Private to tern_tiering (replay.cpp).
// Thread-safety: not synchronised; one thread at a time.
#pragma once

#include <cstdint>
#include <list>
#include <set>
#include <tuple>
#include <unordered_map>
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

}  // namespace tern::tiering
