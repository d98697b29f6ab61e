// tern-core config keys.
#include "tern/core/options.h"

#include "board_driver.h"
#include "tern/common/broker_list.h"
#include "tern/common/messages.h"
#include "tern/core/http_api.h"
#include "tern/hw/gpiod_bus.h"

namespace tern::core {

namespace {

// The HTTP keys that only make sense together.
Status CheckHttpKeys(const Config& c) {
  auto bad = [](const std::string& msg) { return Status::InvalidArgument(msg); };
  if (c.String("http.auth") == "off" && !IsLoopbackBind(c.String("http.bind"))) {
    return bad("config key 'http.auth' = off is refused with the non-loopback http.bind '" +
               c.String("http.bind") + "': anyone who reaches it could read and change settings");
  }
  if (c.String("http.tls_cert").empty() != c.String("http.tls_key").empty()) {
    return bad("config keys 'http.tls_cert' and 'http.tls_key' must be set together");
  }
  if (c.Double("board.over_temp_clear_c") >= c.Double("board.over_temp_c")) {
    return bad("config key 'board.over_temp_clear_c' must be below 'board.over_temp_c'");
  }
  if (!c.String("http.client_ca").empty() && c.String("http.tls_cert").empty()) {
    return bad("config key 'http.client_ca' needs 'http.tls_cert' (client certificates need TLS)");
  }
  return Status::Ok();
}

// board.mode = gpio's keys: the line specification (checked whatever the mode, so a typo
// shows before the mode is switched) and the half-bit time. One check per key, so one run
// names both.
Status CheckBoardGpioLines(const Config& c) {
  const std::string& lines = c.String("board.gpio_lines");
  if (lines.empty()) {
    if (c.String("board.mode") != "gpio") return Status::Ok();
    return Status::InvalidArgument(
        "config key 'board.gpio_lines' is required with board.mode = gpio "
        "(sclk=N,mosi=N,miso=N,cs=N[,irq=N]: the chip's line offsets)");
  }
  hw::GpiodConfig g;
  Status s = hw::ParseGpiodLines(lines, &g);
  if (!s.ok()) return Status::InvalidArgument("config key 'board.gpio_lines': " + s.message());
  return Status::Ok();
}

Status CheckBoardGpioHalfBit(const Config& c) {
  Result<std::chrono::nanoseconds> r = ParseGpioHalfBit(c.String("board.gpio_half_bit"));
  if (!r.ok()) {
    return Status::InvalidArgument("config key 'board.gpio_half_bit': " + r.status().message());
  }
  return Status::Ok();
}

}  // namespace

const ConfigSchema& CoreConfigSchema() {
  static const ConfigSchema kSchema = [] {
    ConfigSchema s;
    s.program = "tern-core";
    using T = ConfigType;
    s.keys = {
        {"node.name", T::kString, "core", "Name in logs and the MQTT client id"},
        {"node.data_dir", T::kString, "./core-data", "Directory of core.db (registry, manifest, spool) and status.json"},
        {"node.zone", T::kString, "", "Where the core is (a label like an edge's node.zone): a chunk is read from a live holder in this zone first. Empty = no zone (load alone decides)"},
        {"mqtt.host", T::kString, "127.0.0.1", "Gateway (Mosquitto) host"},
        {"mqtt.port", T::kInt, "1883", "Gateway port", 1, 65535},
        {"mqtt.brokers", T::kString, "", "Failover: up to three gateway brokers as host:port, comma separated, all of one site (same CA; with TLS each broker's certificate must name the host written here). The node uses the first and moves to the next, round robin, after two failed attempts on the one in use. Empty = the single broker mqtt.host:mqtt.port; giving both is an error"},
        {"mqtt.prefix", T::kString, "tern", "Topic prefix of this site"},
        {"mqtt.max_inflight", T::kInt, "256", "Unacknowledged QoS 1 publishes before publishing waits", 1, 10000},
        {"manifest.copies", T::kInt, "3", "Distinct holders a chunk needs before the core acknowledges it", 1, 16},
        {"membership.suspect_after", T::kDurationMs, "3s", "A node without heartbeats this long is suspect (no new copies placed on it)", 100, 3600000},
        {"membership.dead_after", T::kDurationMs, "10s", "... and dead after this long (peers re-place unacknowledged copies)", 100, 86400000},
        {"clock.max_skew", T::kDurationMs, "5s", "A node whose wall clock (in its heartbeats) is off the core's by more than this is flagged (WARN, clock_skew_nodes)", 100, 86400000},
        {"membership.publish_interval", T::kDurationMs, "5s", "Republish the member list at least this often", 100, 3600000},
        {"status.interval", T::kDurationMs, "1s", "How often status.json in the data dir is rewritten", 100, 600000},
        {"manifest.commit_tick", T::kDurationMs, "2ms", "How long a manifest write waits for companions before the group commit", 0, 1000},
        {"log.level", T::kString, "info", "Log level", -1e300, 1e300, {"trace", "debug", "info", "warn", "error", "off"}},
        {"http.bind", T::kString, "127.0.0.1", "Address of the HTTP API and /metrics (keep loopback unless clients elsewhere need it)"},
        {"http.port", T::kInt, "8080", "Port of the HTTP API (0 = any free port, -1 = off)", -1, 65535},
        {"http.auth", T::kString, "tokens", "tokens: every request needs a bearer token (ternctl token create) or a client certificate; off: no checks, only with a loopback http.bind, for debugging", -1e300, 1e300, {"tokens", "off"}},
        {"http.tls_cert", T::kString, "", "PEM certificate (chain) of the HTTP API; set: HTTPS only (empty = plain HTTP)"},
        {"http.tls_key", T::kString, "", "PEM private key of http.tls_cert"},
        {"http.client_ca", T::kString, "", "PEM CA whose client certificates are accepted without a token (subject OU core: operator, else read); needs http.tls_cert (empty = tokens only)"},
        {"http.max_concurrent_per_client", T::kInt, "4", "Requests one client address may have in progress; more are answered 429", 1, 1000},
        {"http.request_timeout", T::kDurationMs, "5s", "Read and write timeout of an HTTP request", 100, 600000},
        {"board.mode", T::kString, "off", "Control board: off; sim (the Verilated board inside the core: watchdog, panel, fans, relays, cabinet); or gpio (a real board on GPIO lines: board.gpio_chip, board.gpio_lines; docs/board-wiring.md)", -1e300, 1e300, {"off", "sim", "gpio"}},
        {"board.over_temp_c", T::kDouble, "70", "Cabinet over-temperature alarm (degrees C): the board flags it once its TEMP input reaches this", -40, 215},
        {"board.over_temp_clear_c", T::kDouble, "60", "The over-temperature flag clears once the cabinet is below this (degrees C; must be below board.over_temp_c)", -40, 215},
        {"board.meter_ingest_full", T::kDouble, "50", "Meter 0 (ingest rate) reads full scale at this many chunks taken from uplinks per second", 0.001, 1e9},
        {"board.holdup", T::kDurationMs, "2s", "Backup power: the hold-up budget. When the UPS reports mains failure the core stops taking uplinks and checkpoints (commits, records power-checkpoint.json) within this", 100, 60000},
        {"board.events_window", T::kDurationMs, "1s", "Board events (buttons, switch, pot, GPIO edges, temperature, power, safe stop) become records of the source 'board': a chunk is sealed once its first event waited this long", 10, 3600000},
        {"board.events_max", T::kInt, "256", "... or once this many events wait", 1, 65536},
        {"board.sim_ambient_c", T::kDouble, "22", "Simulated board only: the machine room's temperature around the cabinet (degrees C)", -40, 150},
        {"board.sim_thermal_tau", T::kDurationMs, "60s", "Simulated board only: the cabinet's thermal time constant", 100, 86400000},
        {"board.gpio_chip", T::kString, "gpiochip0", "board.mode = gpio: the GPIO chip the board is wired to (name, /dev path, label or number)"},
        {"board.gpio_lines", T::kString, "", "board.mode = gpio (required there): the chip's line offsets, sclk=N,mosi=N,miso=N,cs=N[,irq=N], as tern-board --lines"},
        {"board.gpio_half_bit", T::kString, "0", "board.mode = gpio: extra hold per SCLK level: 0 (as fast as libgpiod toggles the lines), or e.g. 500ns, 10us, 1ms (at most 10ms)"},
        {"results.timeout", T::kDurationMs, "3s", "Resend a result copy a store has not confirmed after this long", 100, 600000},
        {"sched.share.alarm", T::kDouble, "0.40", "Minimum share of processing for alarm data while it waits", 0.001, 1},
        {"sched.share.high", T::kDouble, "0.30", "Minimum share for high-priority data", 0.001, 1},
        {"sched.share.normal", T::kDouble, "0.20", "Minimum share for normal data", 0.001, 1},
        {"sched.share.bulk", T::kDouble, "0.10", "Minimum share for bulk data", 0.001, 1},
        {"sched.backlog_share", T::kDouble, "0.20", "Minimum share of the backlog lane (old or resent data) while live data waits", 0.001, 0.999},
        {"sched.backlog_age", T::kDurationMs, "30s", "Data older than this when it reaches the core goes to the backlog lane", 0, 86400000},
        {"sched.quantum", T::kBytes, "256K", "Deficit-round-robin quantum per edge turn (times the edge's weight)", 1024, 1 << 30},
    };
    // Repair and reconciliation (issue 9): their own block.
    s.keys.insert(s.keys.end(), {
        {"repair.max_streams", T::kInt, "8", "Repair copies one store takes part in at once (as source or target)", 1, 64},
        {"repair.max_bytes_per_s", T::kBytes, "40M", "Repair bytes per second one store sends or receives, at most", 1024, 1099511627776.0},
        {"repair.copy_timeout", T::kDurationMs, "30s", "A repair copy the target has not confirmed (stored) after this long is tried again elsewhere", 100, 3600000},
        {"reconcile.interval", T::kDurationMs, "1h", "Ask every live store for a full block report this often, and compare it with the manifest", 1000, 604800000.0},
    });
    // Reads (issue 12): the LRU cache of chunk bytes the core fetched from holders.
    s.keys.push_back({"cache.max_bytes", T::kBytes, "64M", "Bytes of chunks read from holders (GET /api/v1/chunks/{id}/bytes) the core keeps in memory, least recently used dropped first; 0 = no cache", 0, 1099511627776.0});
    AddProcessingKeys(&s);
    AddSecurityKeys(&s, "core", /*with_crl=*/true);
    s.checks.push_back([](const Config& c) {
      Status st = CoreOptionsFrom(c).sched.Validate();
      if (!st.ok()) return Status::InvalidArgument("config keys 'sched.*': " + st.message());
      return Status::Ok();
    });
    s.checks.push_back([](const Config& c) {
      if (c.Int("membership.dead_after") <= c.Int("membership.suspect_after")) {
        return Status::InvalidArgument(
            "config key 'membership.dead_after' must be longer than "
            "'membership.suspect_after'");
      }
      return Status::Ok();
    });
    s.checks.push_back(CheckHttpKeys);
    s.checks.push_back(CheckBoardGpioLines);
    s.checks.push_back(CheckBoardGpioHalfBit);
    s.checks.push_back([](const Config& c) { return msg::CheckZoneKey(c.String("node.zone")); });
    s.checks.push_back(CheckMqttBrokerKeys);
    return s;
  }();
  return kSchema;
}

CoreOptions CoreOptionsFrom(const Config& c) {
  CoreOptions o;
  o.name = c.String("node.name");
  o.data_dir = c.String("node.data_dir");
  o.zone = c.String("node.zone");
  o.cache_max_bytes = c.Int("cache.max_bytes");
  o.mqtt_host = c.String("mqtt.host");
  o.mqtt_port = static_cast<int>(c.Int("mqtt.port"));
  if (!c.String("mqtt.brokers").empty()) {
    o.mqtt_brokers = MqttBrokersFrom(c);
    o.mqtt_host = o.mqtt_brokers.front().host;
    o.mqtt_port = o.mqtt_brokers.front().port;
  }
  o.topic_prefix = c.String("mqtt.prefix");
  o.mqtt_max_inflight = static_cast<int>(c.Int("mqtt.max_inflight"));
  o.copies = static_cast<int>(c.Int("manifest.copies"));
  o.suspect_after_ms = c.Int("membership.suspect_after");
  o.dead_after_ms = c.Int("membership.dead_after");
  o.members_interval_ms = c.Int("membership.publish_interval");
  o.max_skew_ms = c.Int("clock.max_skew");
  o.status_ms = c.Int("status.interval");
  o.commit_tick_ms = static_cast<int>(c.Int("manifest.commit_tick"));
  o.log_level = c.String("log.level");
  o.http_bind = c.String("http.bind");
  o.http_port = static_cast<int>(c.Int("http.port"));
  o.http_auth = c.String("http.auth") != "off";
  o.http_tls_cert = c.String("http.tls_cert");
  o.http_tls_key = c.String("http.tls_key");
  o.http_client_ca = c.String("http.client_ca");
  o.http_max_concurrent_per_client = static_cast<int>(c.Int("http.max_concurrent_per_client"));
  o.http_request_timeout_ms = static_cast<int>(c.Int("http.request_timeout"));
  o.result_timeout_ms = c.Int("results.timeout");
  o.board_mode = c.String("board.mode");
  o.board_over_temp_c = c.Double("board.over_temp_c");
  o.board_over_temp_clear_c = c.Double("board.over_temp_clear_c");
  o.board_sim_ambient_c = c.Double("board.sim_ambient_c");
  o.board_meter_ingest_full = c.Double("board.meter_ingest_full");
  o.board_sim_thermal_tau_ms = static_cast<uint64_t>(c.Int("board.sim_thermal_tau"));
  o.board_holdup_ms = static_cast<uint64_t>(c.Int("board.holdup"));
  o.board_gpio_chip = c.String("board.gpio_chip");
  o.board_gpio_lines = c.String("board.gpio_lines");
  // Checked above (CheckBoardGpioHalfBit); 0 for a value that did not parse.
  Result<std::chrono::nanoseconds> half_bit = ParseGpioHalfBit(c.String("board.gpio_half_bit"));
  o.board_gpio_half_bit_ns = half_bit.ok() ? half_bit->count() : 0;
  o.board_events_window_ms = static_cast<uint64_t>(c.Int("board.events_window"));
  o.board_events_max = static_cast<int>(c.Int("board.events_max"));
  o.repair_max_streams = static_cast<int>(c.Int("repair.max_streams"));
  o.repair_max_bytes_per_s = c.Int("repair.max_bytes_per_s");
  o.repair_copy_timeout_ms = c.Int("repair.copy_timeout");
  o.reconcile_interval_ms = c.Int("reconcile.interval");
  o.sched.class_min_share = {c.Double("sched.share.alarm"), c.Double("sched.share.high"),
                             c.Double("sched.share.normal"), c.Double("sched.share.bulk")};
  o.sched.backlog_min_share = c.Double("sched.backlog_share");
  o.sched.backlog_age_ms = static_cast<uint64_t>(c.Int("sched.backlog_age"));
  o.sched.quantum_bytes = static_cast<uint64_t>(c.Int("sched.quantum"));
  o.processing = ProcessingOptionsFrom(c);
  o.security_mode = SecurityModeFrom(c);
  o.tls_ca = c.String("tls.ca");
  o.tls_cert = c.String("tls.cert");
  o.tls_key = c.String("tls.key");
  o.tls_crl = c.String("tls.crl");
  return o;
}

}  // namespace tern::core
