// tern-core settings: the config schema and typed options.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tern/common/broker_list.h"
#include "tern/common/config.h"
#include "tern/common/security_mode.h"
#include "tern/common/transport.h"
#include "tern/core/processing.h"
#include "tern/core/scheduler.h"

namespace tern::core {

struct CoreOptions {
  std::string name = "core";
  std::string data_dir = "./core-data";
  std::string zone;                    // node.zone: holders in this zone are read from first
  int64_t cache_max_bytes = 64 << 20;  // cache.max_bytes: the read cache (0 = none)
  std::string mqtt_host = "127.0.0.1";
  int mqtt_port = 1883;
  // mqtt.brokers: the failover list (empty = mqtt_host:mqtt_port alone).
  std::vector<BrokerAddress> mqtt_brokers;
  std::string topic_prefix = "tern";
  int mqtt_max_inflight = 256;
  int copies = 3;                      // holders a chunk needs before the core acks it
  int64_t suspect_after_ms = 3000;     // no heartbeat for this long: suspect
  int64_t dead_after_ms = 10000;       // ... and for this long: dead (peers re-place copies)
  int64_t members_interval_ms = 5000;  // republish membership at least this often
  int64_t max_skew_ms = 5000;          // a node's wall clock off the core's by more: flagged
  int64_t status_ms = 1000;
  int commit_tick_ms = 2;
  std::string log_level = "info";
  std::string http_bind = "127.0.0.1";
  int http_port = 8080;   // -1 = no HTTP API, 0 = any free port
  bool http_auth = true;  // false: http.auth = off (loopback debugging only)
  std::string http_tls_cert, http_tls_key, http_client_ca;  // PEM paths; empty: unused
  int http_max_concurrent_per_client = 4;
  int http_request_timeout_ms = 5000;
  int64_t result_timeout_ms = 3000;  // resend a result copy not confirmed after this long
  // Repair and reconciliation (repairer.h, reconciler.h).
  int repair_max_streams = 8;                 // copies a store takes part in at once
  int64_t repair_max_bytes_per_s = 40 << 20;  // repair bytes per store per second (40M)
  int64_t repair_copy_timeout_ms = 30000;     // an unconfirmed copy is retried elsewhere
  int64_t reconcile_interval_ms = 3'600'000;  // DigestRequest to every live store
  std::string board_mode = "off";             // off, sim, gpio
  double board_over_temp_c = 70.0;            // board.over_temp_c
  double board_over_temp_clear_c = 60.0;      // board.over_temp_clear_c
  double board_sim_ambient_c = 22.0;          // board.sim_ambient_c
  double board_meter_ingest_full = 50.0;      // board.meter_ingest_full
  uint64_t board_sim_thermal_tau_ms = 60000;  // board.sim_thermal_tau
  uint64_t board_holdup_ms = 2000;            // board.holdup: the power-fail checkpoint budget
  std::string board_gpio_chip = "gpiochip0";  // board.gpio_chip
  std::string board_gpio_lines;        // board.gpio_lines (sclk=N,mosi=N,miso=N,cs=N[,irq=N])
  int64_t board_gpio_half_bit_ns = 0;  // board.gpio_half_bit
  uint64_t board_events_window_ms = 1000;     // board.events_window: a board chunk's window
  int board_events_max = 256;                 // board.events_max: events per board chunk
  // security.mode and the TLS files (tls.*): with kPki the connection to the gateway uses
  // TLS with tls_ca/tls_cert/tls_key; tls_crl is the site CRL, checked when a node enrols.
  SecurityMode security_mode = SecurityMode::kPki;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_crl;
  SchedulerConfig sched;
  ProcessingOptions processing;
  // Makes the core's connection to the gateway (MqttOptions built from the mqtt_* fields);
  // unit tests pass testing::FakeBroker::Factory().
  TransportFactory transport = MqttTransportFactory();
};

const ConfigSchema& CoreConfigSchema();
CoreOptions CoreOptionsFrom(const Config& c);

}  // namespace tern::core
