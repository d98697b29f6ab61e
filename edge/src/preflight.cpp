// tern-edge --check: see preflight.h.
#include "preflight.h"

#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "tern/common/hlc.h"
#include "tern/common/node_identity.h"
#include "tern/common/protocol.h"
#include "tern/common/security_mode.h"
#include "tern/common/statements.h"
#include "tern/edge/local_store.h"
#include "tern/edge/options.h"

namespace tern::edge {
namespace {
CheckLine Name(CheckResult r, std::string detail) {
  return CheckLine{"name unique", r, std::move(detail)};
}

// The member lists the check's client receives (the retained copy first, then fresh ones).
struct MemberInbox {
  std::mutex mu;
  std::condition_variable cv;
  int received = 0;                  // under mu
  std::optional<msg::Members> last;  // under mu: the newest that decoded
  uint64_t last_received_ms = 0;     // under mu: our wall clock when `last` arrived
  std::string last_error;            // under mu: why the newest did not decode
  void Take(const std::string& topic, std::string_view payload) {
    // Read, not verified: the check has no core certificate to verify with and believes
    // nothing it reads here beyond a report line.
    auto u = Unseal(topic, payload, nullptr);
    Result<msg::Members> m = Status::InvalidArgument("not decoded");
    if (u.ok()) {
      auto j = ParseJsonBounded(u->body);
      m = j.ok() ? msg::Members::Decode(*j) : Result<msg::Members>(j.status());
    } else {
      m = u.status();
    }
    std::lock_guard<std::mutex> lk(mu);
    ++received;
    if (m.ok()) {
      last = std::move(m).value();
      last_received_ms = WallMs();
    } else {
      last_error = m.status().message();
    }
    cv.notify_all();
  }
};

std::string Short(const std::string& hex) { return hex.substr(0, 16); }
}  // namespace

CheckLine ClockOffsetVerdict(bool core_answered, std::optional<int64_t> offset_ms) {
  const char* kName = "clock offset";
  if (!core_answered) return {kName, CheckResult::kWarn, "not checked: no core answered"};
  if (!offset_ms) {
    return {kName, CheckResult::kWarn,
            "not checked: the core's member list carries no wall clock (an older core)"};
  }
  const int64_t off = *offset_ms;
  const int64_t mag = off < 0 ? -off : off;
  const std::string text = "this box's clock is " + std::to_string(mag) + " ms " +
                           (off >= 0 ? "ahead of" : "behind") +
                           " the core's (the broker's transit included)";
  if (mag > kClockOffsetWarnMs) {
    return {kName, CheckResult::kWarn,
            text + "; over " + std::to_string(kClockOffsetWarnMs) +
                " ms the core flags this node (clock.max_skew's default): fix NTP on both"};
  }
  return {kName, CheckResult::kOk, text};
}

CheckLine NameVerdict(const OwnIdentity& own, const msg::Members* members) {
  if (!members) return Name(CheckResult::kFail, "not checked: no member list from the core");
  const msg::MemberInfo* m = nullptr;
  for (const auto& n : members->nodes) {
    if (n.name == own.name) m = &n;
  }
  if (!m) {
    return Name(CheckResult::kOk, "no node named '" + own.name +
                                      "' is enrolled yet: the core gives this box an address");
  }
  const std::string at = "address " + std::to_string(m->addr) + ", " + m->state;
  const std::string fix = "give this box its own node.name; a refused start exits 3";
  if (!own.key_hex.empty() && !m->key.empty() && m->key != own.key_hex) {
    return Name(CheckResult::kFail, "'" + own.name + "' is enrolled (" + at +
                                        ") with another certificate (key " + Short(m->key) +
                                        ", ours " + Short(own.key_hex) +
                                        "): the core refuses this one while that is valid; " + fix +
                                        ", or revoke the old certificate");
  }
  const bool same_store = own.stored_addr && *own.stored_addr == m->addr;
  const std::string ours =
      own.stored_addr ? "address " + std::to_string(*own.stored_addr) : std::string("no address");
  if (!same_store && own.key_hex.empty()) {
    // Without PKI the name is bound to the first store that registered it: another store is
    // refused.
    return Name(CheckResult::kFail, "'" + own.name + "' is enrolled to another store (" + at +
                                        "); this data directory has " + ours +
                                        ": the core would refuse it; " + fix);
  }
  if (!same_store && m->state == "live") {
    return Name(CheckResult::kFail, "'" + own.name + "' is live on another box (" + at +
                                        ") with this certificate; this data directory has " + ours +
                                        ": the core refuses a second store while the "
                                        "enrolled one is live; " +
                                        fix);
  }
  if (!same_store) {
    return Name(CheckResult::kWarn,
                "'" + own.name + "' is enrolled with this certificate (" + at + ") and another " +
                    "store: the core takes this box as its replacement (the old store's copies "
                    "are made again from the others)");
  }
  if (own.running_pid) {
    return Name(CheckResult::kOk, "this box's own node (" + at + "), running here (pid " +
                                      std::to_string(*own.running_pid) + ")");
  }
  if (m->state == "live") {
    return Name(CheckResult::kWarn,
                "'" + own.name + "' (" + at + ") is live but no tern-edge runs on this data " +
                    "directory: it stopped moments ago, or another box runs with a copy of "
                    "this directory or certificate (two boxes would fight over the name)");
  }
  return Name(CheckResult::kOk, "this box's own name (" + at + ")");
}

std::vector<CheckLine> EdgePreflight(const Config& c) {
  const EdgeOptions o = EdgeOptionsFrom(c);
  std::vector<CheckLine> out = CheckDataDir(o.data_dir, "tern-edge");
  out.push_back(CheckDisk(o.data_dir));
  out.push_back(CheckClockSync());
  OwnIdentity own;
  own.name = o.name;
  const bool pki = o.security_mode == SecurityMode::kPki;
  if (pki) {
    out.push_back(CheckPkiFiles(o.name, "edge", o.tls_ca, o.tls_cert, o.tls_key, ""));
    auto id = NodeIdentity::Load(o.name, crypto::Role::kEdge, o.tls_ca, o.tls_cert, o.tls_key, "");
    if (id.ok()) own.key_hex = (*id)->cert().info().key.Hex();
  }
  if (auto store = LocalStore::OpenReadOnly(o.data_dir + "/edge.db"); store.ok()) {
    if (auto a = (*store)->GetMeta("addr"); a.ok() && *a) {
      own.stored_addr = static_cast<uint32_t>(std::strtoul((*a)->c_str(), nullptr, 10));
    }
  }
  if (auto h = LockHolderOf(o.data_dir); h && h->running_daemon && h->program == "tern-edge") {
    own.running_pid = h->pid;
  }

  const MqttOptions mo = CheckClientOptions(o);
  const std::string members_topic = Topics(o.topic_prefix).Members();
  MemberInbox inbox;
  BrokerProbe probe = ProbeBroker(mo, std::chrono::seconds(5), [&](MqttClient& client) {
    client.OnMessage([&](const std::string& t, std::string_view p) {
      if (t == members_topic) inbox.Take(t, p);
    });
    (void)client.Subscribe(members_topic);
  });
  for (auto& l : probe.lines) out.push_back(std::move(l));
  if (!probe.client) {
    out.push_back({"core answering", CheckResult::kFail,
                   "not checked: the broker " + probe.where + " did not answer"});
    out.push_back(Name(CheckResult::kFail, "not checked: the broker did not answer"));
    return out;
  }
  // The retained copy comes at once if a core ever ran; a second one proves it runs now.
  std::unique_lock<std::mutex> lk(inbox.mu);
  const bool fresh =
      inbox.cv.wait_for(lk, kCoreWait, [&] { return inbox.received >= 2 && inbox.last; });
  const std::string wait = std::to_string(kCoreWait.count()) + " s";
  if (fresh) {
    out.push_back({"core answering", CheckResult::kOk,
                   "core '" + inbox.last->core + "' published its member list (" +
                       std::to_string(inbox.last->nodes.size()) + " nodes) on " + members_topic});
  } else if (inbox.received == 0) {
    out.push_back({"core answering", CheckResult::kFail,
                   "no core answered on " + members_topic + " within " + wait + " (the broker " +
                       probe.where + " is up: is tern-core running on it?)"});
  } else if (!inbox.last) {
    out.push_back(
        {"core answering", CheckResult::kFail,
         "the member list on " + members_topic + " does not decode: " + inbox.last_error});
  } else {
    out.push_back({"core answering", CheckResult::kFail,
                   "the broker holds core '" + inbox.last->core + "''s member list, but the " +
                       "core published none within " + wait + " (the broker " + probe.where +
                       " is up: is tern-core running on it?)"});
  }
  const std::optional<msg::Members> members = inbox.last;
  // Only a fresh list says the core's clock now (the retained copy may be hours old).
  std::optional<int64_t> offset_ms;
  if (fresh && members->wall_ms != 0) {
    offset_ms =
        static_cast<int64_t>(inbox.last_received_ms) - static_cast<int64_t>(members->wall_ms);
  }
  lk.unlock();
  probe.client->Stop();
  out.push_back(ClockOffsetVerdict(fresh, offset_ms));
  out.push_back(NameVerdict(own, members ? &*members : nullptr));
  return out;
}

}  // namespace tern::edge
