// Collector threads.
#include "tern/edge/collectors.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tern/common/dispatch.h"
#include "tern/common/hlc.h"
#include "tern/common/protocol.h"
#include "tern/common/tags.h"

namespace tern::edge {
namespace fs = std::filesystem;

Status OfferWithBackoff(Chunker* chunker, const std::string& source, std::string payload,
                        Metrics* m, const std::atomic<bool>& stop,
                        const std::vector<std::string>& tags) {
  int refusals = 0;
  while (true) {
    Status s = chunker->Add(source, payload, tags);
    if (s.ok()) {
      m->Add("records_collected");
      return s;
    }
    if (s.code() == Status::Code::kFailedPrecondition) {  // not permitted: refused for good
      int64_t n = ++m->Counter("records_refused_permission");
      if (n <= 5 || n % 10000 == 0) {
        spdlog::warn("source '{}': record refused ({} so far): {}", source, n, s.message());
      }
      return s;
    }
    if (s.code() != Status::Code::kResourceExhausted) return s;
    m->Add("records_refused");
    if (refusals++ == 0) {
      spdlog::warn("source '{}': record refused, holding it until the outbox drains: {}", source,
                   s.message());
    }
    if (stop) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<double> SyntheticSource::Sample(uint64_t n, int channels, double rate) {
  // A rotating machine: a 1x and 3x harmonic, per-channel phase, slow drift, and a
  // deterministic pseudo-noise term (so runs are reproducible).
  std::vector<double> v(static_cast<size_t>(channels));
  double t = rate > 0 ? static_cast<double>(n) / rate : static_cast<double>(n);
  uint64_t x = n * 0x9E3779B97F4A7C15ull;
  for (int c = 0; c < channels; ++c) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    double noise = static_cast<double>(x >> 11) / 9007199254740992.0 - 0.5;
    v[static_cast<size_t>(c)] = std::sin(2 * M_PI * 25 * t + c) +
                                0.3 * std::sin(2 * M_PI * 75 * t + 2 * c) + 0.05 * t / 3600 +
                                0.1 * noise;
  }
  return v;
}

void SyntheticSource::Start() {
  t_ = std::thread([this] { Run(); });
}
void SyntheticSource::Stop() {
  stop_ = true;
  if (t_.joinable()) t_.join();
}

void SyntheticSource::Run() {
  const auto start = std::chrono::steady_clock::now();
  uint64_t produced = 0;
  while (!stop_) {
    if (o_.max_records > 0 && produced >= static_cast<uint64_t>(o_.max_records)) break;
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto owed = static_cast<uint64_t>(elapsed * o_.rate);
    if (o_.max_records > 0) owed = std::min<uint64_t>(owed, static_cast<uint64_t>(o_.max_records));
    if (owed <= produced) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      continue;
    }
    // Cap one burst so a stall (back-pressure) does not produce a flood at once.
    uint64_t burst = std::min<uint64_t>(owed - produced, 20000);
    for (uint64_t i = 0; i < burst && !stop_; ++i) {
      auto v = Sample(produced, o_.channels, o_.rate);
      if (o_.anomaly_every > 0 && produced % static_cast<uint64_t>(o_.anomaly_every) ==
                                      static_cast<uint64_t>(o_.anomaly_every) - 1) {
        v[0] += 20.0;  // a fault on the rig: far outside the signal's spread
        m_->Add("anomalies_injected");
      }
      auto s = OfferWithBackoff(chunker_, o_.source, EncodeSamples(v), m_, stop_);
      if (!s.ok() && s.code() != Status::Code::kFailedPrecondition) break;
      ++produced;  // taken, or refused for good and counted
    }
  }
  spdlog::info("synthetic source '{}' produced {} records", o_.source, produced);
}

void DropDirCollector::Start() {
  t_ = std::thread([this] { Run(); });
}
void DropDirCollector::Stop() {
  stop_ = true;
  if (t_.joinable()) t_.join();
}

void DropDirCollector::Run() {
  std::error_code ec;
  fs::create_directories(o_.path, ec);
  if (ec) spdlog::error("drop dir {}: cannot create: {}", o_.path, ec.message());
  while (!stop_) {
    ScanOnce();
    for (int64_t waited = 0; waited < o_.poll_ms && !stop_; waited += 10) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

void DropDirCollector::ScanOnce() {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(o_.path, ec)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    // Writers drop files atomically: write "x.tmp" or ".x", then rename.
    if (name.empty() || name[0] == '.' ||
        (name.size() > 4 && name.substr(name.size() - 4) == ".tmp")) {
      continue;
    }
    files.push_back(e.path());
  }
  if (ec) {
    m_->Add("dropdir_errors");
    spdlog::warn("drop dir {}: {}", o_.path, ec.message());
    return;
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    if (stop_) return;
    std::string name = p.filename().string();
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (in_flight_.count(name)) continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    if (!in.good() && !in.eof()) {
      m_->Add("dropdir_errors");
      spdlog::warn("drop dir: cannot read {}", p.string());
      continue;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      in_flight_.insert(name);
    }
    Status s = chunker_->AddBlob(o_.source, name, os.str(), [this, p, name] {
      std::error_code rec;
      fs::remove(p, rec);  // durable locally: the file's bytes now live in the store
      std::lock_guard<std::mutex> lk(mu_);
      in_flight_.erase(name);
      m_->Add("dropdir_files_stored");
    });
    if (!s.ok()) {
      std::lock_guard<std::mutex> lk(mu_);
      in_flight_.erase(name);
      m_->Add("records_refused");
      spdlog::warn("drop dir: {} left in place for a later try: {}", p.string(), s.message());
      return;  // back off until the next scan
    }
    m_->Add("records_collected");
  }
}

namespace {
// A feed object's "tags" field: an array of at most kMaxSourceTags valid tag strings.
Status ReadFeedTags(const nlohmann::json& obj, std::vector<std::string>* out) {
  auto it = obj.find("tags");
  if (it == obj.end()) return Status::Ok();
  if (!it->is_array()) return Status::InvalidArgument("feed record: \"tags\" is not an array");
  if (it->size() > kMaxSourceTags) {
    return Status::InvalidArgument("feed record: more than " + std::to_string(kMaxSourceTags) +
                                   " tags");
  }
  std::vector<std::string> tags;
  for (const auto& t : *it) {
    if (!t.is_string()) return Status::InvalidArgument("feed record: a tag is not a string");
    TERN_RETURN_IF_ERROR(CheckTag(t.get<std::string>(), "feed record"));
    tags.push_back(t.get<std::string>());
  }
  MergeTags(out, tags);  // sorts and folds duplicates; 16 always fit
  return Status::Ok();
}

// A record whose "tags" field was bad: counted, logged (throttled); the record is kept.
void CountBadTags(Metrics* m, const FeedTags& tags, const std::string& where) {
  if (tags.error.empty()) return;
  int64_t n = ++m->Counter("feed_bad_tags");
  if (n <= 10 || n % 1000 == 0) {
    spdlog::warn("{}: {}; record kept without its tags ({} so far)", where, tags.error, n);
  }
}
}  // namespace

Result<std::string> FeedLineToPayload(const std::string& line, const std::string& format,
                                      uint16_t channels, FeedTags* tags) {
  if (format == "jsonl") {
    // Bounded like every control message: a line from local equipment is as untrusted as
    // one from the network, and dump() below recurses as deep as the line nests.
    auto j = ParseJsonBounded(line);
    if (!j.ok()) return Status::InvalidArgument("feed line: " + j.status().message());
    if (!j->is_object()) return Status::InvalidArgument("feed line is not a JSON object");
    if (tags != nullptr) {
      if (Status s = ReadFeedTags(*j, &tags->tags); !s.ok()) {
        tags->tags.clear();
        tags->error = s.message();
      }
    }
    return j->dump();
  }
  std::vector<double> vals;
  std::stringstream ss(line);
  std::string cell;
  bool header = false;
  while (std::getline(ss, cell, ',')) {
    char* end = nullptr;
    double v = std::strtod(cell.c_str(), &end);
    if (end == cell.c_str()) {
      header = true;
      break;
    }
    vals.push_back(v);
  }
  if (header) return Status::NotFound("csv header row");
  if (vals.size() != channels) {
    return Status::InvalidArgument("csv line has " + std::to_string(vals.size()) +
                                   " columns, the feed has " + std::to_string(channels));
  }
  return EncodeSamples(vals);
}

void FeedCollector::Start() {
  t_ = std::thread([this] { Run(); });
}
void FeedCollector::Stop() {
  stop_ = true;
  if (t_.joinable()) t_.join();
}

void FeedCollector::Run() {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o_.path != "-") {
    file.open(o_.path);
    if (!file) {
      spdlog::error("feed {}: cannot open", o_.path);
      m_->Add("feed_errors");
      return;
    }
    in = &file;
  }
  std::string line;
  uint64_t lineno = 0;
  const auto channels = static_cast<uint16_t>(o_.channels);
  while (!stop_) {
    if (!std::getline(*in, line)) {
      if (o_.path == "-") break;  // stdin closed
      in->clear();                // follow the file as it grows
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    ++lineno;
    if (line.empty()) continue;
    FeedTags tags;
    auto p = FeedLineToPayload(line, o_.format, channels, &tags);
    if (!p.ok()) {
      if (p.status().code() == Status::Code::kNotFound) continue;  // header row
      m_->Add("feed_bad_lines");
      spdlog::warn("feed {}:{}: {}", o_.path, lineno, p.status().message());
      continue;
    }
    CountBadTags(m_, tags, "feed " + o_.path + ":" + std::to_string(lineno));
    // Refusals are counted and logged inside; the feed goes on with its next line.
    (void)OfferWithBackoff(chunker_, o_.source, std::move(p).value(), m_, stop_, tags.tags);
  }
}

Status TopicFeedCollector::Subscribe() { return t_->Subscribe(o_.topic); }

bool TopicFeedCollector::Matches(const std::string& topic) const {
  return !o_.topic.empty() && TopicMatches(o_.topic, topic);
}

void TopicFeedCollector::OnMessage(const std::string& topic, std::string_view payload) {
  if (!running_) return;
  const std::string who = "source '" + o_.source + "'";
  FeedTags tags;
  auto p =
      FeedLineToPayload(std::string(payload), o_.format, static_cast<uint16_t>(o_.channels), &tags);
  if (!p.ok()) return msg::Reject(*m_, who, "feed", p.status().message() + " on " + topic);
  CountBadTags(m_, tags, who + " on " + topic);
  Status s = chunker_->Add(o_.source, std::move(p).value(), tags.tags);
  if (s.ok()) {
    m_->Add("records_collected");
  } else {
    m_->Add("records_refused");
    msg::Reject(*m_, who, "feed", s.message());
  }
}

}  // namespace tern::edge
