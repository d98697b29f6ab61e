// ReliablePublisher: publish now, or retry from the loop until it goes out.
#include "reliable_publisher.h"

#include <spdlog/spdlog.h>

namespace tern::edge {

void ReliablePublisher::Deliver(const std::string& topic, std::string payload) {
  Attempt(topic, std::move(payload), 0, true);
}

void ReliablePublisher::DeliverEnvelope(const std::string& topic, std::string envelope) {
  Attempt(topic, std::move(envelope), 0, false);
}

void ReliablePublisher::Attempt(const std::string& topic, std::string payload, int attempt,
                                bool seal) {
  // Sealed afresh for every attempt: a statement held back by an outage must not be older
  // than its sender's replay window at the receiver when it finally goes out (a failed
  // publish never left this process, so no number is ever sent twice).
  std::string text;
  const bool sealed_text = seal && sealer_ != nullptr;
  if (sealed_text) {
    auto sealed = sealer_->Seal(topic, payload);
    if (!sealed.ok()) {
      m_->Add("seal_errors");
      spdlog::error("{}: not sent on {}: {}", who_, topic, sealed.status().ToString());
      return;
    }
    text = std::move(sealed).value();
  }
  if (t_->Publish(topic, sealed_text ? text : payload, 1, false, std::chrono::milliseconds(0))
          .ok()) {
    return;
  }
  m_->Add("publish_retries");
  if (attempt >= max_attempts_) {
    m_->Add("publish_gave_up");
    spdlog::warn("{}: gave up delivering a message on {}", who_, topic);
    return;
  }
  after_(retry_ms_, [this, topic, p = std::move(payload), attempt, seal]() mutable {
    Attempt(topic, std::move(p), attempt + 1, seal);
  });
}

}  // namespace tern::edge
