// Query-parameter parsing and the Prometheus text exposition for the core's HTTP API.
#include "render.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <set>
#include <vector>

#include "tern/common/time_parse.h"

namespace tern::core::http {
namespace {

std::string FormatValue(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  double d = v.get<double>();
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, p) : "NaN";
}

// HELP text escapes only backslash and newline.
std::string EscapeHelp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

struct Family {
  std::string type;
  std::string help;
  std::vector<std::string> lines;  // "name{labels} value"
  std::set<std::string> seen;      // label sets already emitted (first one wins)
};

class Exposition {
 public:
  void Add(const std::string& name, const char* type, const std::string& help,
           const std::string& labels, const nlohmann::json& value) {
    if (!value.is_number() && !value.is_boolean()) return;
    Family& f = families_[name];
    if (f.type.empty()) {
      f.type = type;
      f.help = help;
    }
    if (!f.seen.insert(labels).second) return;
    f.lines.push_back(name + labels + " " + FormatValue(value));
  }
  std::string Text() const {
    std::string out;
    for (const auto& [name, f] : families_) {
      out += "# HELP " + name + " " + EscapeHelp(f.help) + "\n";
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const auto& l : f.lines) out += l + "\n";
    }
    return out;
  }

 private:
  std::map<std::string, Family> families_;
};

// "<prefix><name>_total" (a trailing "_total" in the name is not doubled).
std::string CounterName(const std::string& prefix, const std::string& raw) {
  std::string n = PromName(raw);
  constexpr std::string_view kTotal = "_total";
  if (n.size() > kTotal.size() && n.compare(n.size() - kTotal.size(), kTotal.size(), kTotal) == 0) {
    n.resize(n.size() - kTotal.size());
  }
  return prefix + n + "_total";
}

// The core's metrics that are gauges (Metrics::Set), not counters, with what each says.
const std::map<std::string, std::string>& CoreGauges() {
  static const std::map<std::string, std::string> kGauges = {
      {"repair_queue", "chunks waiting for a repair copy (fewer good copies than manifest.copies)"},
      {"repair_in_flight", "repair copies asked of a source store and not yet confirmed"},
      {"repair_bytes_per_s", "bytes of repair copies confirmed per second, over the last 10 s"},
      {"under_replicated_1", "acked chunks with exactly 1 good copy (not dead, not draining)"},
      {"under_replicated_2", "acked chunks with exactly 2 good copies"},
      {"missing_chunks", "acked chunks with no good copy left (at the last full repair scan)"},
      {"reconcile_age_s",
       "seconds since every live store last sent a complete block report (-1: some never did)"},
  };
  return kGauges;
}

// What the core's repair counters count (the others say "core counter <name>").
const std::map<std::string, std::string>& CoreCounterHelp() {
  static const std::map<std::string, std::string> kHelp = {
      {"repair_copies_requested", "repair copies asked of a source store (msg::Copy)"},
      {"repair_copies_done", "repair copies the target confirmed with its stored notice"},
      {"repair_copy_failures", "repair copies refused (copy_nack) or not confirmed in time"},
      {"repair_bytes", "bytes of repair copies confirmed"},
      {"reconcile_missing",
       "manifest copies a store's block report lacked and its restate_nack confirmed gone"},
      {"reconcile_extra", "copies a block report listed that the manifest did not record"},
      {"corrupt_copies", "copies removed from the manifest as corrupt (scrub or block report)"},
      {"block_reports", "complete block reports compared with the manifest"},
      {"block_reports_dropped", "block reports dropped (pages stopped, out of order, too big)"},
  };
  return kHelp;
}

// Calls fn(name, value) for every leaf of a counters object; nested keys joined with '_'.
template <typename Fn>
void Leaves(const nlohmann::json& obj, const std::string& prefix, Fn&& fn) {
  if (!obj.is_object()) return;
  for (const auto& [k, v] : obj.items()) {
    std::string name = prefix.empty() ? k : prefix + "_" + k;
    if (v.is_object()) {
      Leaves(v, name, fn);
    } else {
      fn(name, v);
    }
  }
}

}  // namespace

Result<uint64_t> ParseTime(std::string_view param, std::string_view text, bool upper) {
  auto t = ParseTimeArg(text, upper);
  if (!t.ok()) return t.status().WithContext(std::string(param));
  return t;
}

Result<int64_t> ParseInt(std::string_view param, std::string_view text, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(param) + ": '" + std::string(text) +
                                   "' is not an integer");
  }
  if (v < lo || v > hi) {
    return Status::InvalidArgument(std::string(param) + ": " + std::to_string(v) + " is outside [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

std::string PromName(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 1);
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) out += '_';
  for (char c : s) {
    out += (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) ||
                   c == '_'
               ? c
               : '_';
  }
  return out;
}

std::string PromLabel(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MetricsText(const nlohmann::json& status) {
  Exposition e;
  if (!status.is_object()) return e.Text();
  if (auto it = status.find("counters"); it != status.end()) {
    Leaves(*it, "", [&](const std::string& name, const nlohmann::json& v) {
      if (auto g = CoreGauges().find(name); g != CoreGauges().end()) {
        return e.Add("tern_core_" + PromName(name), "gauge", g->second, "", v);
      }
      auto h = CoreCounterHelp().find(name);
      e.Add(CounterName("tern_core_", name), "counter",
            h != CoreCounterHelp().end() ? h->second : "core counter " + name, "", v);
    });
  }
  if (auto it = status.find("spool_depth");
      it != status.end() && it->is_number() && it->get<double>() >= 0) {
    e.Add("tern_core_spool_depth", "gauge", "uplinked chunks waiting in the core's spool", "", *it);
  }
  if (auto it = status.find("manifest_chunks");
      it != status.end() && it->is_number() && it->get<double>() >= 0) {
    e.Add("tern_core_manifest_chunks", "gauge", "chunks known to the core's manifest", "", *it);
  }
  auto nodes = status.find("nodes");
  if (nodes == status.end() || !nodes->is_array()) return e.Text();
  for (const auto& n : *nodes) {
    if (!n.is_object()) continue;
    std::string name =
        n.contains("name") && n["name"].is_string() ? n["name"].get<std::string>() : "";
    std::string addr = n.contains("addr") && n["addr"].is_number() ? FormatValue(n["addr"]) : "";
    std::string labels = "{node=\"" + PromLabel(name) + "\",addr=\"" + PromLabel(addr) + "\"}";
    std::string state =
        n.contains("state") && n["state"].is_string() ? n["state"].get<std::string>() : "";
    e.Add("tern_node_up", "gauge", "1 if the node's membership state is live, else 0", labels,
          state == "live" ? 1 : 0);
    if (n.contains("load")) {
      e.Add("tern_node_load", "gauge",
            "node load from its last heartbeat (0.5 cpu + 0.5 used/total bytes)", labels,
            n["load"]);
    }
    if (n.contains("disk_full") && n["disk_full"].is_boolean()) {
      e.Add("tern_node_disk_full", "gauge",
            "1 if the node's last heartbeat said its data disk is full, else 0", labels,
            n["disk_full"].get<bool>() ? 1 : 0);
    }
    if (n.contains("counters")) {
      Leaves(n["counters"], "", [&](const std::string& cname, const nlohmann::json& v) {
        e.Add(CounterName("tern_edge_", cname), "counter",
              "edge counter " + cname + " from the node's last heartbeat", labels, v);
      });
    }
  }
  return e.Text();
}

}  // namespace tern::core::http
