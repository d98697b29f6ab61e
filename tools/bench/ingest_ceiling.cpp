// Broker ceiling for tern-bench ingest (see ingest_ceiling.h).
#include "ingest_ceiling.h"

#include <atomic>
#include <random>
#include <thread>

#include "ingest_common.h"
#include "tern/common/mqtt.h"

namespace tern::bench {

Ceiling MeasureCeiling(int port, size_t size, int64_t count, int inflight, double max_s) {
  Ceiling c;
  tern::MqttOptions so;
  so.port = port;
  so.client_id = "bench-ceiling-sub";
  auto sub = tern::MqttClient::Create(so);
  tern::MqttOptions po = so;
  po.client_id = "bench-ceiling-pub";
  po.max_inflight = inflight;
  auto pub = tern::MqttClient::Create(po);
  if (!sub.ok() || !pub.ok()) {
    c.error = "cannot create MQTT clients";
    return c;
  }
  std::atomic<int64_t> got{0}, got_bytes{0};
  (*sub)->OnMessage([&](const std::string&, std::string_view p) {
    got_bytes += static_cast<int64_t>(p.size());
    ++got;
  });
  if (!(*sub)->Subscribe("ceiling/x", 1).ok() || !(*sub)->Start().ok() || !(*pub)->Start().ok() ||
      !(*sub)->WaitConnected(std::chrono::seconds(5)).ok() ||
      !(*pub)->WaitConnected(std::chrono::seconds(5)).ok()) {
    c.error = "cannot connect to the broker";
    return c;
  }
  SleepFor(0.3);  // let the SUBSCRIBE settle before the first publish
  std::string payload(size, '\0');
  std::mt19937_64 rng(1);
  for (auto& ch : payload) ch = static_cast<char>(rng());
  auto start = Clock::now();
  int64_t sent = 0;
  while (sent < count && Since(start) < max_s && !g_interrupted) {
    if ((*pub)->Publish("ceiling/x", payload, 1, false, std::chrono::milliseconds(5000)).ok()) {
      ++sent;
    }
  }
  while (got < sent && Since(start) < max_s + 5 && !g_interrupted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double s = Since(start);
  (*pub)->Stop();
  (*sub)->Stop();
  c.messages = got;
  c.bytes = got_bytes;
  c.msgs_per_s = static_cast<double>(got) / s;
  c.mb_per_s = static_cast<double>(got_bytes) / s / 1e6;
  c.ok = got > 0;
  if (!c.ok) c.error = "the subscriber received nothing";
  return c;
}

}  // namespace tern::bench
