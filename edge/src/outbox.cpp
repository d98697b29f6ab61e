// Outbox: admission, the durable backlog, the in-flight window.
#include "outbox.h"

#include <algorithm>

namespace tern::edge {

Status Outbox::Admit(const SourceSpec& spec, size_t bytes) const {
  if (settings_) TERN_RETURN_IF_ERROR(settings_->Permits(spec.kind));
  const Priority prio = spec.priority;
  double factor = prio == Priority::kAlarm ? 1.10 : prio == Priority::kHigh ? 1.05 : 1.0;
  auto limit = static_cast<int64_t>(static_cast<double>(limits_.max_bytes) * factor);
  if (disk_full_ && prio != Priority::kAlarm) {
    return Status::ResourceExhausted("local store is full; only alarms are taken");
  }
  if (pressure_) TERN_RETURN_IF_ERROR(pressure_->AdmitRecord(prio));
  if (bytes_ + static_cast<int64_t>(bytes) > limit) {
    return Status::ResourceExhausted("outbox full: " + std::to_string(bytes_.load()) + " of " +
                                     std::to_string(limit) + " bytes for " + PriorityName(prio) +
                                     " data");
  }
  return Status::Ok();
}

void Outbox::Reserve(uint64_t bytes) {
  bytes_ += static_cast<int64_t>(bytes);
  ++chunks_;
}

void Outbox::Release(uint64_t bytes) {
  bytes_ -= static_cast<int64_t>(bytes);
  --chunks_;
}

void Outbox::Restore(const std::vector<OutboxEntry>& rows) {
  for (const auto& e : rows) {
    if (pending_.count(e.id)) continue;
    Pending p;
    p.id = e.id;
    p.priority = e.priority;
    p.bytes = e.bytes;
    Reserve(e.bytes);
    backlog_.push_back(e.id);
    pending_.emplace(e.id, std::move(p));
  }
}

void Outbox::AddCommitted(Pending p) {
  // Keep the bytes only if the chunk will enter the window soon; otherwise FillWindow reads
  // them back, so memory stays bounded by the window, not the outbox.
  // (swap, not clear(): the buffer itself must go.)
  if (live_.size() >= static_cast<size_t>(limits_.window_chunks)) std::string().swap(p.wire);
  live_.push_back(p.id);
  ChunkId id = p.id;
  pending_.emplace(std::move(id), std::move(p));
}

Outbox::Fill Outbox::FillWindow(const Loader& load) {
  Fill out;
  while (static_cast<int>(window_.size()) < limits_.window_chunks &&
         window_bytes_ < static_cast<uint64_t>(limits_.window_bytes) &&
         (!live_.empty() || !backlog_.empty())) {
    bool from_backlog = live_.empty() || (prefer_backlog_ && !backlog_.empty());
    auto& q = from_backlog ? backlog_ : live_;
    prefer_backlog_ = !from_backlog;
    ChunkId id = q.front();
    q.pop_front();
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;  // finished while it queued
    Pending& p = it->second;
    if (p.wire.empty()) {
      auto wire = load(id);
      if (!wire) {
        out.missing.push_back(id);
        continue;
      }
      p.wire = std::move(*wire);
    }
    p.in_window = true;
    window_.push_back(id);
    window_bytes_ += p.bytes;
    out.admitted.push_back(id);
  }
  return out;
}

Pending* Outbox::Find(const ChunkId& id) {
  auto it = pending_.find(id);
  return it == pending_.end() ? nullptr : &it->second;
}

bool Outbox::Remove(const ChunkId& id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  Pending& p = it->second;
  if (p.in_window) {
    window_.erase(std::find(window_.begin(), window_.end(), id));
    window_bytes_ -= p.bytes;
  }
  Release(p.bytes);
  pending_.erase(it);
  return true;
}

}  // namespace tern::edge
