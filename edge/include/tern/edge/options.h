// tern-edge settings: the config schema (every key with default and doc) and the typed
// options the agent runs with. `tern-edge --example-config` prints the schema as a file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tern/common/broker_list.h"
#include "tern/common/chunk.h"
#include "tern/common/config.h"
#include "tern/common/pressure.h"
#include "tern/common/security_mode.h"
#include "tern/common/transport.h"
#include "tern/edge/chunker.h"

namespace tern::edge {

struct SyntheticOptions {
  bool enabled = true;
  std::string source = "vib";
  int channels = 6;
  double rate = 1000;         // records per second
  int64_t max_records = 0;    // stop after this many (0 = run forever)
  int64_t anomaly_every = 0;  // add a spike to channel 0 of every Nth record (0 = never)
  Priority priority = Priority::kNormal;
  std::string group;              // placement group; empty = the source's own name
  std::vector<std::string> tags;  // source.synthetic.tags (tags.h)
};

struct DropDirOptions {
  std::string path;  // empty = off
  std::string source = "files";
  int64_t poll_ms = 500;
  Priority priority = Priority::kBulk;
  std::string group;              // placement group; empty = the source's own name
  std::vector<std::string> tags;  // source.dropdir.tags
  Codec codec = Codec::kRaw;      // source.dropdir.codec: raw, so identical files dedup
};

struct FeedOptions {
  std::string path;              // file to follow, "-" for stdin, empty = off
  std::string topic;             // local MQTT topic to subscribe, empty = off
  std::string format = "jsonl";  // jsonl (event records) or csv (sample records)
  std::string source = "feed";
  int channels = 1;  // csv columns
  Priority priority = Priority::kNormal;
  std::string group;              // placement group; empty = the source's own name
  std::vector<std::string> tags;  // source.feed.tags; jsonl records may add their own
};

struct EdgeOptions {
  std::string name;
  std::string data_dir = "./data";
  int64_t capacity_bytes = int64_t{10} << 30;
  std::string zone;  // node.zone: sent in heartbeats (reads prefer the core's zone); "" = none
  std::string mqtt_host = "127.0.0.1";
  int mqtt_port = 1883;
  // mqtt.brokers: the failover list (empty = mqtt_host:mqtt_port alone).
  std::vector<BrokerAddress> mqtt_brokers;
  std::string topic_prefix = "tern";
  int mqtt_max_inflight = 64;
  ChunkerOptions chunk;
  int commit_tick_ms = 2;
  bool store_dedup = true;  // store.dedup (body_store.h)
  Watermarks watermarks;    // store.watermark_demote / _bulk / _alarms as fractions
  int64_t outbox_max_bytes = int64_t{256} << 20;
  int replicas = 2;
  int64_t replica_timeout_ms = 3000;
  int64_t uplink_timeout_ms = 5000;
  // placement.mode = random (else rendezvous) and placement.window (placement.h).
  bool placement_random = false;
  int64_t placement_window_ms = 10000;
  int window_chunks = 64;
  int64_t window_bytes = 8 << 20;
  int64_t heartbeat_ms = 1000;
  int64_t status_ms = 1000;
  SyntheticOptions synthetic;
  DropDirOptions dropdir;
  FeedOptions feed;
  std::string log_level = "info";
  // Scrub (scrubber.h): the whole store re-hashed once per period, at most this fast.
  int64_t scrub_period_ms = int64_t{7} * 24 * 3600 * 1000;
  int64_t scrub_max_bytes_per_s = int64_t{8} << 20;
  // security.mode and the TLS files (tls.*): with kPki both connections to the gateway (the
  // main one and the registration one) use TLS with these files.
  SecurityMode security_mode = SecurityMode::kPki;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  // Makes the edge's connections to the gateway (the main client and the short-lived
  // registration client). Tests pass testing::FakeBroker::Factory().
  TransportFactory transport = MqttTransportFactory();
};

// The schema behind tern-edge's config file and --set overrides.
const ConfigSchema& EdgeConfigSchema();
// Typed options from a validated Config.
EdgeOptions EdgeOptionsFrom(const Config& c);
// Source name -> placement group, for the sources whose collector has a group set (a source
// not listed is a group of its own). Two collectors with one source name: the first wins.
std::map<std::string, std::string> PlacementGroups(const EdgeOptions& o);
// "alarm" -> kAlarm, ...; InvalidArgument naming `key` otherwise.
Result<Priority> ParsePriority(const std::string& text, const std::string& key);

}  // namespace tern::edge
