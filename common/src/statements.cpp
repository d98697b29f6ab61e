// Sequence numbers, replay windows and the sealed text form of statements (statements.h).
#include "tern/common/statements.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "tern/common/bytes.h"
#include "tern/common/crypto.h"

namespace tern {
namespace {
constexpr std::string_view kSeqField = R"(,"seq":)";
constexpr std::string_view kSigField = R"(,"sig":")";
constexpr size_t kSigHex = 128;
// `,"sig":"` + 128 hex digits + `"}`
constexpr size_t kSigTail = kSigField.size() + kSigHex + 2;

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The bytes a signature covers: topic, newline, the sealed text up to its seq, closed.
std::string SignedBytes(std::string_view topic, std::string_view upto_seq) {
  std::string out;
  out.reserve(topic.size() + upto_seq.size() + 2);
  out.append(topic).append("\n").append(upto_seq).append("}");
  return out;
}
}  // namespace

// ---------------------------------------------------------------- SeqCounter

Result<std::unique_ptr<SeqCounter>> SeqCounter::Open(SeqStore* store, uint64_t block,
                                                     uint64_t floor) {
  TERN_ASSIGN_OR_RETURN(uint64_t reserved, store->LoadReservation());
  const uint64_t start = std::max({reserved, floor, uint64_t{1}});
  return std::unique_ptr<SeqCounter>(
      new SeqCounter(store, block == 0 ? 1 : block, start, /*clock_floor=*/floor != 0));
}

Result<uint64_t> SeqCounter::Next() {
  std::lock_guard<std::mutex> lk(mu_);
  if (next_ >= reserved_) {
    const uint64_t want = next_ + block_;
    Status saved = store_->SaveReservation(want);
    if (saved.ok()) {
      reserved_ = want;
    } else if (clock_floor_ && next_ < SeqFloorNow()) {
      ++unsaved_;  // safe by the clock floor of the next start (see the header); retried next call
    } else {
      return saved.WithContext("reserving sequence numbers up to " + std::to_string(want));
    }
  }
  return next_++;
}

uint64_t SeqCounter::unsaved() const {
  std::lock_guard<std::mutex> lk(mu_);
  return unsaved_;
}

uint64_t SeqCounter::next() const {
  std::lock_guard<std::mutex> lk(mu_);
  return next_;
}

// ---------------------------------------------------------------- ReplayWindow

bool ReplayWindow::Seen(uint64_t seq) const {
  const uint64_t i = highest_ - seq;
  return (bits_[i / 64] >> (i % 64)) & 1u;
}

bool ReplayWindow::Fresh(uint64_t seq) const {
  if (seq == 0) return false;
  if (seq > highest_) return true;
  if (highest_ - seq >= kReplayWindowBits) return false;  // older than the window
  return !Seen(seq);
}

bool ReplayWindow::Accept(uint64_t seq) {
  if (!Fresh(seq)) return false;
  if (seq > highest_) {
    const uint64_t d = seq - highest_;
    if (d >= kReplayWindowBits) {
      bits_.fill(0);
    } else {
      // Shift every bit d places towards older (higher index).
      const size_t ws = static_cast<size_t>(d / 64);
      const unsigned bs = static_cast<unsigned>(d % 64);
      for (size_t w = kWords; w-- > 0;) {
        uint64_t v = 0;
        if (w >= ws) {
          v = bits_[w - ws] << bs;
          if (bs != 0 && w >= ws + 1) v |= bits_[w - ws - 1] >> (64 - bs);
        }
        bits_[w] = v;
      }
    }
    highest_ = seq;
  }
  const uint64_t i = highest_ - seq;
  bits_[i / 64] |= uint64_t{1} << (i % 64);
  return true;
}

std::string ReplayWindow::Save() const {
  std::string out;
  out.reserve(8 + kWords * 8);
  ByteWriter w(&out);
  w.U64(highest_);
  for (uint64_t b : bits_) w.U64(b);
  return out;
}

Result<ReplayWindow> ReplayWindow::Load(std::string_view saved) {
  if (saved.size() != 8 + kWords * 8) {
    return Status::Corruption("replay window of " + std::to_string(saved.size()) +
                              " bytes, expected " + std::to_string(8 + kWords * 8));
  }
  ReplayWindow r;
  ByteReader rd(saved);
  (void)rd.U64(&r.highest_);  // cannot fail: the length was checked
  for (uint64_t& b : r.bits_) (void)rd.U64(&b);
  return r;
}

// ---------------------------------------------------------------- Seal / Unseal

std::string Seal(std::string_view topic, std::string_view json, uint64_t seq,
                 const crypto::PrivateKey* key) {
  std::string m;
  m.reserve(json.size() + 32 + (key ? kSigTail : 0));
  m.append(json.substr(0, json.empty() ? 0 : json.size() - 1));
  m.append(kSeqField).append(std::to_string(seq));
  if (key) {
    const std::string sig = key->Sign(SignedBytes(topic, m));
    m.append(kSigField).append(ToHex(sig)).append("\"");
  }
  m.append("}");
  return m;
}

Result<Unsealed> Unseal(std::string_view topic, std::string_view payload,
                        const crypto::PublicKey* key) {
  Unsealed out;
  std::string_view upto_seq = payload;  // the text the signature covers, without its '}'
  std::string_view sig_hex;
  if (payload.size() > kSigTail && payload.substr(payload.size() - 2) == "\"}" &&
      payload.substr(payload.size() - kSigTail, kSigField.size()) == kSigField) {
    upto_seq = payload.substr(0, payload.size() - kSigTail);
    sig_hex = payload.substr(payload.size() - kSigTail + kSigField.size(), kSigHex);
    if (!IsLowerHex(sig_hex)) return Status::InvalidArgument("bad signature: not 128 hex digits");
  } else if (!payload.empty() && payload.back() == '}') {
    upto_seq = payload.substr(0, payload.size() - 1);
  } else {
    return Status::InvalidArgument("no seq: not a sealed JSON object");
  }
  const size_t at = upto_seq.rfind(kSeqField);
  if (at == std::string_view::npos || at == 0 || upto_seq[0] != '{') {
    return Status::InvalidArgument("no seq");
  }
  const std::string_view digits = upto_seq.substr(at + kSeqField.size());
  if (digits.empty() || digits.size() > 19 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return Status::InvalidArgument("bad seq");
  }
  for (char c : digits) out.seq = out.seq * 10 + static_cast<uint64_t>(c - '0');
  if (out.seq == 0) return Status::InvalidArgument("bad seq: 0");
  if (key) {
    if (sig_hex.empty()) return Status::InvalidArgument("no signature");
    auto sig = FromHex(sig_hex);
    if (!sig.ok() || !key->Verify(SignedBytes(topic, upto_seq), *sig)) {
      return Status::InvalidArgument("bad signature");
    }
    out.signed_ = true;
  }
  out.body.reserve(at + 1);
  out.body.append(upto_seq.substr(0, at)).append("}");
  return out;
}

// ---------------------------------------------------------------- chunk ids

namespace {
constexpr std::string_view kChunkDomain = "tern chunk id\n";
std::string ChunkSigned(std::string_view id) {
  std::string b(kChunkDomain);
  b.append(id);
  return b;
}
}  // namespace

std::string SignChunkId(const crypto::PrivateKey& key, std::string_view id) {
  return key.Sign(ChunkSigned(id));
}

bool VerifyChunkId(const crypto::PublicKey& key, std::string_view id, std::string_view sig) {
  return key.Verify(ChunkSigned(id), sig);
}

uint64_t SeqFloorNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// ---------------------------------------------------------------- ReplayBook

std::string RefusalReason(const Status& unseal_error) {
  const std::string& why = unseal_error.message();
  return why.rfind("bad signature", 0) == 0 || why == "no signature" ? "bad_signature" : "no_seq";
}

std::variant<Unsealed, Refusal> ReplayBook::Admit(std::string_view topic, std::string_view payload,
                                                  const std::string& sender,
                                                  const crypto::PublicKey* key, bool require_key) {
  if (require_key && !key) return Refusal{"unknown_sender", "no key for '" + sender + "'"};
  auto u = Unseal(topic, payload, key);
  if (!u.ok()) return Refusal{RefusalReason(u.status()), u.status().message()};
  if (!Accept(sender, u->seq)) {
    return Refusal{"replay", "seq " + std::to_string(u->seq) + " seen before or too old"};
  }
  return std::move(u).value();
}

bool ReplayBook::Accept(const std::string& sender, uint64_t seq) {
  if (!windows_[sender].Accept(seq)) return false;
  dirty_.insert(sender);
  return true;
}

void ReplayBook::Reset(const std::string& sender) {
  windows_.erase(sender);
  dirty_.insert(sender);
}

const ReplayWindow* ReplayBook::Find(const std::string& sender) const {
  auto it = windows_.find(sender);
  return it == windows_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, std::string>> ReplayBook::Dirty() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& s : dirty_) {
    auto it = windows_.find(s);
    out.emplace_back(s, it == windows_.end() ? ReplayWindow().Save() : it->second.Save());
  }
  dirty_.clear();
  return out;
}

// ---------------------------------------------------------------- Sealer

Result<std::string> Sealer::Seal(std::string_view topic, std::string_view json) {
  TERN_ASSIGN_OR_RETURN(uint64_t seq, seq_->Next());
  return tern::Seal(topic, json, seq, key_);
}

std::string Sealer::SealWith(std::string_view topic, std::string_view json, uint64_t seq) const {
  return tern::Seal(topic, json, seq, key_);
}

}  // namespace tern
