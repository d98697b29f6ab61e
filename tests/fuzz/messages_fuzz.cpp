// Fuzz target "messages": every control-message decoder of messages.h, reached the way the
// daemons reach it: the text goes through msg::Dispatcher (size and nesting bounds,
// ParseControl, routing by "type", Decode) and, for comparison, through msg::DecodeText.
// The input is the message text itself; the "type" it names picks the decoder ("refused"
// picks both RegistrationRefused and Refused), so the seeds hold one message of each type and
// the dictionary (messages.dict) lets mutations switch types and fields.
//
// Invariants:
// - the nesting bound holds: whatever ParseJsonBounded accepts nests no deeper than its bound
//   (checked with the daemons' bound and with a small one the fuzzer can reach);
// - the Dispatcher runs the handler exactly when DecodeText succeeds, and otherwise counts
//   exactly one rejection (plus unknown_types for a type nobody handles);
// - a decoded message encodes to text that decodes again, to a message that encodes to the
//   same text (encode(decode(encode(x))) == encode(x)).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tern/common/dispatch.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"

namespace {

using nlohmann::json;
namespace msg = tern::msg;

// Nesting depth of a parsed document; stops counting past `limit` (the invariant fails then).
int Depth(const json& j, int limit) {
  if (!j.is_structured()) return 0;
  if (limit == 0) return 1;
  int deepest = 0;
  for (const auto& e : j) deepest = std::max(deepest, Depth(e, limit - 1));
  return deepest + 1;
}

void CheckNestingBound(std::string_view text) {
  for (int bound : {tern::kMaxControlDepth, 3}) {
    auto j = tern::ParseJsonBounded(text, tern::kMaxControlBytes, bound);
    if (j.ok()) TERN_FUZZ_CHECK(Depth(*j, bound + 1) <= bound, "nesting bound");
  }
}

template <typename M>
void CheckType(std::string_view text) {
  auto m = msg::DecodeText<M>(text);

  tern::Metrics metrics;
  msg::Dispatcher d(&metrics, "fuzz", "fuzz");
  int ran = 0;
  d.On<M>([&](const M&, const std::string&) { ++ran; });
  const bool handled = d.Dispatch("tern/fuzz", text);
  TERN_FUZZ_CHECK(handled == m.ok() && ran == (m.ok() ? 1 : 0), "dispatcher agrees with Decode");
  TERN_FUZZ_CHECK(metrics.Get("rejected_fuzz") == (m.ok() ? 0 : 1), "one rejection counted");
  TERN_FUZZ_CHECK(metrics.Get("handler_errors") == 0, "no handler error");
  if (!m.ok()) return;

  const std::string encoded = m->Encode();
  auto back = msg::DecodeText<M>(encoded);
  TERN_FUZZ_CHECK(back.ok(), "an encoded message decodes");
  TERN_FUZZ_CHECK(back->Encode() == encoded, "encode(decode(encode(x))) == encode(x)");
}

// Runs CheckType<M> for each M whose type the message names.
template <typename... Ms>
void CheckNamed(std::string_view text, const std::string& type) {
  ((type == Ms::kType ? CheckType<Ms>(text) : void()), ...);
}

void CheckUnknownType(std::string_view text) {
  tern::Metrics metrics;
  msg::Dispatcher d(&metrics, "fuzz", "fuzz");
  d.On<msg::Ack>([](const msg::Ack&, const std::string&) {});
  TERN_FUZZ_CHECK(!d.Dispatch("tern/fuzz", text), "an unhandled type is not handled");
  TERN_FUZZ_CHECK(metrics.Get("rejected_fuzz") == 1, "an unhandled type is rejected");
  TERN_FUZZ_CHECK(metrics.Get("unknown_types") == 1, "an unhandled type is counted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Rejections are logged (rate-limited per Metrics, and each run has its own): keep quiet.
  static const bool quiet = (spdlog::set_level(spdlog::level::off), true);
  (void)quiet;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckNestingBound(text);

  auto j = tern::ParseControl(text);
  if (!j.ok()) {
    CheckType<msg::Delete>(text);  // every decoder refuses what ParseControl refuses
    return 0;
  }
  const std::string type = (*j)["type"].get<std::string>();
  CheckNamed<msg::Register, msg::Registered, msg::RegistrationRefused, msg::Heartbeat, msg::Offline,
             msg::Members, msg::Stored, msg::Dropped, msg::PutAck, msg::PutNack, msg::RestateNack,
             msg::Ack, msg::Refused, msg::Throttle, msg::ResultNote, msg::Settings, msg::Restate,
             msg::Delete>(text, type);
  if (type != msg::Ack::kType) CheckUnknownType(text);
  return 0;
}
