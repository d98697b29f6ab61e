// RepairQueue: see repair_queue.h.
#include "repair_queue.h"

#include <algorithm>

namespace tern::core {

void RepairQueue::Push(const ChunkId& id, int good, uint64_t bytes, uint64_t now_ms) {
  if (good <= 0) {
    Erase(id);
    return;
  }
  auto it = tasks_.find(id);
  if (it == tasks_.end()) {
    RepairTask t;
    t.id = id;
    t.good = good;
    t.bytes = bytes;
    t.queued_ms = now_ms;
    t.ranked_ms = now_ms;
    Key k{Rank(good), next_++, id};
    order_.insert(k);
    tasks_.emplace(id, std::make_pair(std::move(t), k));
    return;
  }
  auto& [task, key] = it->second;
  task.good = good;
  task.bytes = bytes;
  if (std::get<0>(key) == Rank(good)) return;
  task.ranked_ms = now_ms;
  order_.erase(key);
  key = Key{Rank(good), std::get<1>(key), id};  // same place in time, new rank
  order_.insert(key);
}

bool RepairQueue::Erase(const ChunkId& id) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return false;
  order_.erase(it->second.second);
  tasks_.erase(it);
  return true;
}

RepairTask* RepairQueue::Find(const ChunkId& id) {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : &it->second.first;
}

const RepairTask* RepairQueue::Find(const ChunkId& id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : &it->second.first;
}

std::vector<ChunkId> RepairQueue::Front(size_t n) const {
  std::vector<ChunkId> out;
  for (auto it = order_.begin(); it != order_.end() && out.size() < n; ++it) {
    out.push_back(std::get<2>(*it));
  }
  return out;
}

size_t RepairQueue::CountWith(int good) const {
  return static_cast<size_t>(std::count_if(tasks_.begin(), tasks_.end(), [&](const auto& e) {
    return good >= 3 ? e.second.first.good >= 3 : e.second.first.good == good;
  }));
}

}  // namespace tern::core
