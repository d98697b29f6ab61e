// tern-edge config keys. The example config in docs/ is generated from this table.
#include "tern/edge/options.h"

#include <algorithm>

#include "tern/common/broker_list.h"
#include "tern/common/messages.h"
#include "tern/common/tags.h"

namespace tern::edge {
namespace {
const std::vector<std::string> kPriorities = {"alarm", "high", "normal", "bulk"};

// Priorities, tags and the node name: each bad value names its key.
Status CheckPriorityKeys(const Config& c) {
  for (const char* k : {"source.synthetic.priority", "source.dropdir.priority",
                        "source.feed.priority"}) {
    TERN_RETURN_IF_ERROR(ParsePriority(c.String(k), k).status());
  }
  for (const char* k : {"source.synthetic.tags", "source.dropdir.tags", "source.feed.tags"}) {
    TERN_RETURN_IF_ERROR(ParseTagList(c.String(k), std::string("config key '") + k + "'").status());
  }
  if (c.String("node.name").find_first_of("/+# ") != std::string::npos) {
    return Status::InvalidArgument("config key 'node.name': '" +
                                   c.String("node.name") +
                                   "' may not contain '/', '+', '#' or spaces");
  }
  return Status::Ok();
}

// A placement group is hashed and sent to the core in heartbeats: printable and short.
Status CheckGroupKeys(const Config& c) {
  for (const char* k : {"source.synthetic.group", "source.dropdir.group", "source.feed.group"}) {
    const std::string g = c.String(k);
    const bool printable =
        std::all_of(g.begin(), g.end(), [](char ch) { return ch > ' ' && ch < 127; });
    if (g.size() > 128 || !printable) {
      return Status::InvalidArgument("config key '" + std::string(k) + "': '" + g +
                                     "' must be at most 128 printable characters without spaces");
    }
  }
  return Status::Ok();
}

// The pressure ladder's steps must climb.
Status CheckWatermarkKeys(const Config& c) {
  const int64_t d = c.Int("store.watermark_demote"), b = c.Int("store.watermark_bulk"),
                a = c.Int("store.watermark_alarms");
  if (d >= b) {
    return Status::InvalidArgument("config key 'store.watermark_bulk' (" + std::to_string(b) +
                                   ") must be above 'store.watermark_demote' (" +
                                   std::to_string(d) + ")");
  }
  if (b >= a) {
    return Status::InvalidArgument("config key 'store.watermark_alarms' (" + std::to_string(a) +
                                   ") must be above 'store.watermark_bulk' (" +
                                   std::to_string(b) + ")");
  }
  return Status::Ok();
}

// A tag key's value; already validated by CheckPriorityKeys (none on error).
std::vector<std::string> TagsOf(const Config& c, const char* key) {
  auto t = ParseTagList(c.String(key), key);
  return t.ok() ? std::move(t).value() : std::vector<std::string>{};
}
}  // namespace

Result<Priority> ParsePriority(const std::string& text, const std::string& key) {
  for (size_t i = 0; i < kPriorities.size(); ++i) {
    if (kPriorities[i] == text) return static_cast<Priority>(i);
  }
  return Status::InvalidArgument("config key '" + key + "': '" + text +
                                 "' is not one of alarm, high, normal, bulk");
}

const ConfigSchema& EdgeConfigSchema() {
  static const ConfigSchema kSchema = [] {
    ConfigSchema s;
    s.program = "tern-edge";
    using T = ConfigType;
    s.keys = {
        {"node.name", T::kString, "edge-1", "This node's name; the core maps it to a permanent address"},
        {"node.data_dir", T::kString, "./data", "Directory of the local store (edge.db) and status.json"},
        {"node.capacity", T::kBytes, "10G", "Bytes this node offers for chunks; reported as load to peers", 1 << 20, 1e15},
        {"node.zone", T::kString, "", "Where this node is (a label, up to 32 of A-Z a-z 0-9 . _ -), sent in heartbeats: the core reads a chunk from a holder in its own zone first. Empty = no zone"},
        {"mqtt.host", T::kString, "127.0.0.1", "Gateway (Mosquitto) host"},
        {"mqtt.port", T::kInt, "1883", "Gateway port", 1, 65535},
        {"mqtt.brokers", T::kString, "", "Failover: up to three gateway brokers as host:port, comma separated, all of one site (same CA; with TLS each broker's certificate must name the host written here). The node uses the first and moves to the next, round robin, after two failed attempts on the one in use. Empty = the single broker mqtt.host:mqtt.port; giving both is an error"},
        {"mqtt.prefix", T::kString, "tern", "Topic prefix of this site"},
        {"mqtt.max_inflight", T::kInt, "64", "Unacknowledged QoS 1 publishes before publishing waits; keep below the broker's max_queued_messages", 1, 10000},
        {"chunk.window", T::kDurationMs, "20ms", "A chunk closes this long after its first record", 1, 60000},
        {"chunk.max_bytes", T::kBytes, "256K", "A chunk closes at this size; larger blobs are split", 4096, 16 << 20},
        {"chunk.max_records", T::kInt, "4096", "A chunk closes at this many records", 1, 1 << 20},
        {"chunk.codec", T::kString, "zstd", "Body compression of every source without a codec of its own (the drop directory has source.dropdir.codec)", -1e300, 1e300, {"zstd", "raw"}},
        {"store.commit_tick", T::kDurationMs, "2ms", "How long a local write waits for companions before the group commit (fsync)", 0, 1000},
        {"store.watermark_demote", T::kInt, "80", "Disk-pressure ladder, first step (percent of the store's room: the larger of its chunk bytes over node.capacity and the used share of the data directory's filesystem): everything is still taken, the step is logged, counted and alerted on", 1, 100},
        {"store.watermark_bulk", T::kInt, "90", "Disk-pressure ladder, second step (percent, above store.watermark_demote): bulk records and bulk replicas are refused, and the core tells every node to place bulk copies elsewhere", 1, 100},
        {"store.watermark_alarms", T::kInt, "95", "Disk-pressure ladder, last step (percent, above store.watermark_bulk): only alarms are taken, own or replica", 1, 100},
        {"store.dedup", T::kBool, "true", "Keep identical file contents (blob parts of at least 256 bytes in raw-codec chunks, e.g. dropped files with source.dropdir.codec = raw) once per store, with a reference count; bytes saved are reported as store_dedup_saved_bytes"},
        {"outbox.max_bytes", T::kBytes, "256M", "Bound on own chunks not yet acknowledged by the core. When full, normal and bulk records are refused (counted, logged), high at 105%, alarms at 110%", 1 << 20, 1e15},
        {"replication.copies", T::kInt, "2", "Peer copies per chunk besides the local one", 0, 8},
        {"replication.timeout", T::kDurationMs, "3s", "Resend a replica (or pick another peer if that one is dead) after this long without its ack", 100, 600000},
        // Placement of the peer copies (docs/architecture.md, "Placement and co-location").
        {"placement.mode", T::kString, "rendezvous", "How the peers of a chunk are chosen: rendezvous (every chunk of one source group and placement window goes to the same peers, weighted by load) or random (weighted by load, chunk by chunk)", -1e300, 1e300, {"rendezvous", "random"}},
        {"placement.window", T::kDurationMs, "10s", "Placement window: chunks of one group whose first records fall in the same window of this length go to the same peers. Edges whose sources share a group must use the same value", 100, 86400000},
        {"uplink.timeout", T::kDurationMs, "5s", "Resend a chunk to the core after this long without the core's ack", 100, 600000},
        {"uplink.window_chunks", T::kInt, "64", "Chunks in flight (replication + uplink) at once", 1, 100000},
        {"uplink.window_bytes", T::kBytes, "8M", "Bytes of chunks in flight at once", 65536, 1e12},
        {"heartbeat.interval", T::kDurationMs, "1s", "Heartbeat period (load, queue depth, counters)", 100, 600000},
        {"status.interval", T::kDurationMs, "1s", "How often status.json in the data dir is rewritten", 100, 600000},
        {"source.synthetic.enabled", T::kBool, "true", "Run the synthetic multichannel signal source"},
        {"source.synthetic.name", T::kString, "vib", "Source name of the synthetic signals"},
        {"source.synthetic.channels", T::kInt, "6", "Synchronised channels per record", 1, 1024},
        {"source.synthetic.rate", T::kDouble, "1000", "Records per second", 0, 1e8},
        {"source.synthetic.max_records", T::kInt, "0", "Stop after this many records (0 = never)", 0, 1e15},
        {"source.synthetic.anomaly_every", T::kInt, "0", "Inject a spike (+20) on channel 0 of every Nth record, for testing alarms (0 = never)", 0, 1e15},
        {"source.synthetic.priority", T::kString, "normal", "Priority class: alarm, high, normal, bulk"},
        {"source.synthetic.group", T::kString, "", "Placement group: the chunks of one placement window of all sources in a group (on this or other edges) go to the same peers (empty = the group is the source's name, so one source name on several edges is one group)"},
        {"source.synthetic.tags", T::kString, "", "Tags of this source's chunks, comma separated (e.g. bearing,line2): up to 16 words of 1..32 letters, digits or '_'; carried in each chunk and searchable at the core (empty = none)"},
        {"source.dropdir.path", T::kString, "", "Directory whose files become blob records, deleted once stored locally (empty = off)"},
        {"source.dropdir.name", T::kString, "files", "Source name of dropped files"},
        {"source.dropdir.poll", T::kDurationMs, "500ms", "How often the drop directory is scanned", 10, 3600000},
        {"source.dropdir.priority", T::kString, "bulk", "Priority class of dropped files"},
        {"source.dropdir.group", T::kString, "", "Placement group of dropped files (empty = the source's name)"},
        {"source.dropdir.codec", T::kString, "raw", "Body compression of dropped files' chunks: raw (default: identical files are kept once per store, see store.dedup; photos, video and archives gain little from zstd) or zstd (compressed, not deduplicated)", -1e300, 1e300, {"raw", "zstd"}},
        {"source.dropdir.tags", T::kString, "", "Tags of this source's chunks, comma separated (e.g. bearing,line2): up to 16 words of 1..32 letters, digits or '_'; carried in each chunk and searchable at the core (empty = none)"},
        {"source.feed.path", T::kString, "", "File to follow, or - for stdin (empty = off)"},
        {"source.feed.topic", T::kString, "", "Local MQTT topic whose messages are feed lines (empty = off)"},
        {"source.feed.format", T::kString, "jsonl", "jsonl: each line a JSON object (event record); csv: numeric columns (sample record)", -1e300, 1e300, {"jsonl", "csv"}},
        {"source.feed.name", T::kString, "feed", "Source name of the feed"},
        {"source.feed.channels", T::kInt, "1", "Numeric columns per csv line", 1, 1024},
        {"source.feed.priority", T::kString, "normal", "Priority class of the feed"},
        {"source.feed.group", T::kString, "", "Placement group of the feed (empty = the source's name)"},
        {"source.feed.tags", T::kString, "", "Tags of this source's chunks, comma separated (e.g. bearing,line2): up to 16 words of 1..32 letters, digits or '_'; carried in each chunk and searchable at the core (empty = none); a jsonl record's own \"tags\" array (same rules) adds to them"},
        // Scrub: every stored chunk re-read and re-hashed (docs/architecture.md, "Scrub").
        {"scrub.period", T::kDurationMs, "168h", "Every stored chunk is re-read and re-hashed once per this period (a corrupt copy is quarantined and reported to the core); the first pass starts with the edge", 1000, 1e13},
        {"scrub.max_bytes_per_s", T::kBytes, "8M", "Scrub never reads faster than this many bytes per second", 4096, 1e12},
        {"log.level", T::kString, "info", "Log level", -1e300, 1e300, {"trace", "debug", "info", "warn", "error", "off"}},
    };
    s.checks.push_back(CheckPriorityKeys);
    s.checks.push_back(CheckGroupKeys);
    s.checks.push_back(CheckWatermarkKeys);
    s.checks.push_back([](const Config& c) { return msg::CheckZoneKey(c.String("node.zone")); });
    s.checks.push_back(CheckMqttBrokerKeys);
    AddSecurityKeys(&s, "edge-1", /*with_crl=*/false);
    return s;
  }();
  return kSchema;
}

EdgeOptions EdgeOptionsFrom(const Config& c) {
  EdgeOptions o;
  o.name = c.String("node.name");
  o.data_dir = c.String("node.data_dir");
  o.capacity_bytes = c.Int("node.capacity");
  o.zone = c.String("node.zone");
  o.mqtt_host = c.String("mqtt.host");
  o.mqtt_port = static_cast<int>(c.Int("mqtt.port"));
  if (!c.String("mqtt.brokers").empty()) {
    o.mqtt_brokers = MqttBrokersFrom(c);
    o.mqtt_host = o.mqtt_brokers.front().host;
    o.mqtt_port = o.mqtt_brokers.front().port;
  }
  o.topic_prefix = c.String("mqtt.prefix");
  o.mqtt_max_inflight = static_cast<int>(c.Int("mqtt.max_inflight"));
  o.chunk.window_ms = static_cast<uint64_t>(c.Int("chunk.window"));
  o.chunk.max_bytes = static_cast<size_t>(c.Int("chunk.max_bytes"));
  o.chunk.max_records = static_cast<uint32_t>(c.Int("chunk.max_records"));
  o.chunk.codec = c.String("chunk.codec") == "zstd" ? Codec::kZstd : Codec::kRaw;
  o.commit_tick_ms = static_cast<int>(c.Int("store.commit_tick"));
  o.outbox_max_bytes = c.Int("outbox.max_bytes");
  o.replicas = static_cast<int>(c.Int("replication.copies"));
  o.replica_timeout_ms = c.Int("replication.timeout");
  o.uplink_timeout_ms = c.Int("uplink.timeout");
  o.window_chunks = static_cast<int>(c.Int("uplink.window_chunks"));
  o.window_bytes = c.Int("uplink.window_bytes");
  o.heartbeat_ms = c.Int("heartbeat.interval");
  o.status_ms = c.Int("status.interval");
  o.synthetic.enabled = c.Bool("source.synthetic.enabled");
  o.synthetic.source = c.String("source.synthetic.name");
  o.synthetic.channels = static_cast<int>(c.Int("source.synthetic.channels"));
  o.synthetic.rate = c.Double("source.synthetic.rate");
  o.synthetic.max_records = c.Int("source.synthetic.max_records");
  o.synthetic.anomaly_every = c.Int("source.synthetic.anomaly_every");
  o.synthetic.priority = *ParsePriority(c.String("source.synthetic.priority"), "");
  o.synthetic.group = c.String("source.synthetic.group");
  o.synthetic.tags = TagsOf(c, "source.synthetic.tags");
  o.dropdir.path = c.String("source.dropdir.path");
  o.dropdir.source = c.String("source.dropdir.name");
  o.dropdir.poll_ms = c.Int("source.dropdir.poll");
  o.dropdir.priority = *ParsePriority(c.String("source.dropdir.priority"), "");
  o.dropdir.group = c.String("source.dropdir.group");
  o.dropdir.tags = TagsOf(c, "source.dropdir.tags");
  o.dropdir.codec = c.String("source.dropdir.codec") == "zstd" ? Codec::kZstd : Codec::kRaw;
  o.feed.path = c.String("source.feed.path");
  o.feed.topic = c.String("source.feed.topic");
  o.feed.format = c.String("source.feed.format");
  o.feed.source = c.String("source.feed.name");
  o.feed.channels = static_cast<int>(c.Int("source.feed.channels"));
  o.feed.priority = *ParsePriority(c.String("source.feed.priority"), "");
  o.feed.group = c.String("source.feed.group");
  o.placement_random = c.String("placement.mode") == "random";
  o.placement_window_ms = c.Int("placement.window");
  o.feed.tags = TagsOf(c, "source.feed.tags");
  o.log_level = c.String("log.level");
  o.store_dedup = c.Bool("store.dedup");
  o.watermarks = {static_cast<double>(c.Int("store.watermark_demote")) / 100.0,
                  static_cast<double>(c.Int("store.watermark_bulk")) / 100.0,
                  static_cast<double>(c.Int("store.watermark_alarms")) / 100.0};
  o.scrub_period_ms = c.Int("scrub.period");
  o.scrub_max_bytes_per_s = c.Int("scrub.max_bytes_per_s");
  o.security_mode = SecurityModeFrom(c);
  o.tls_ca = c.String("tls.ca");
  o.tls_cert = c.String("tls.cert");
  o.tls_key = c.String("tls.key");
  return o;
}

std::map<std::string, std::string> PlacementGroups(const EdgeOptions& o) {
  std::map<std::string, std::string> out;
  // Each collector's source, also when it is off: a chunk of it may still be in the outbox.
  for (const auto& [source, group] : {std::pair{o.synthetic.source, o.synthetic.group},
                                      std::pair{o.dropdir.source, o.dropdir.group},
                                      std::pair{o.feed.source, o.feed.group}}) {
    if (!group.empty()) out.emplace(source, group);
  }
  return out;
}

}  // namespace tern::edge
