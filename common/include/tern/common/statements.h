// Statements: the JSON control messages a node publishes, each sealed with the sender's
// sequence number (and, with a key, its Ed25519 signature) so a receiver can refuse a replay
// and a forgery before it acts. The wire form is the one of docs/security.md ("Signed
// statements"): the message's JSON object J with `,"seq":S` (and `,"sig":"<128 hex>"`)
// appended before its closing brace; the signature covers `topic + "\n"` and the text up to
// and including the seq, closed with `}`, so a statement moved to another topic no longer
// verifies.
//
// - SeqCounter: the sender's strictly increasing numbers, reserved in blocks through a
//   SeqStore the owner implements (edge: the local store's meta table; core: core.db), so a
//   restart never reuses a number and no statement costs a durable write of its own.
// - ReplayWindow: per sender, the highest number seen and a 4096-wide bitmap below it
//   (IPsec-style): a number seen before, or older than the window, is a replay.
// - Seal / Unseal: the text form. Unseal returns J itself (the tail taken off), so the
//   decoders see exactly the message the sender encoded.
// Thread-safety: SeqCounter and Sealer are thread-safe; ReplayWindow is a value type (its
// owner serialises access); Seal/Unseal are free functions.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tern/common/status.h"

namespace tern {
namespace crypto {
class PrivateKey;
class PublicKey;
}  // namespace crypto

inline constexpr uint64_t kSeqBlock = 65536;  // numbers reserved per durable write
inline constexpr uint64_t kReplayWindowBits = 4096;

// Where a SeqCounter keeps its reservation. Implemented by the owner of the node's database.
class SeqStore {
 public:
  virtual ~SeqStore() = default;
  // The last reservation made durable; 0 if there was none.
  [[nodiscard]] virtual Result<uint64_t> LoadReservation() = 0;
  // Makes `reserved` durable before it returns.
  [[nodiscard]] virtual Status SaveReservation(uint64_t reserved) = 0;
};

class SeqCounter {
 public:
  // Continues at the stored reservation (numbers below it may have been used before a
  // crash), or at `floor` if that is higher. `store` outlives the counter. Daemons pass
  // SeqFloorNow(), so a node whose store was wiped (a re-imaged box with its old
  // certificate) starts above every number it used before and its receivers' windows take
  // its statements again.
  [[nodiscard]] static Result<std::unique_ptr<SeqCounter>> Open(SeqStore* store,
                                                                uint64_t block = kSeqBlock,
                                                                uint64_t floor = 0);
  // The next number (the first is 1). Before handing out a number at or beyond the durable
  // reservation it stores `number + block`. If that fails (a full disk) and the counter was
  // opened with a nonzero `floor` (daemons: SeqFloorNow(), taken again at every start), a
  // number below SeqFloorNow() is still handed out and counted in unsaved(): the next start
  // begins above the wall clock in microseconds, so the number is not used again unless the
  // clock goes back across that restart. Otherwise the error names the reservation and no
  // number is handed out. So a node on a full disk keeps sealing its heartbeats.
  [[nodiscard]] Result<uint64_t> Next();
  uint64_t next() const;
  // Numbers handed out while their reservation could not be saved (see Next()).
  uint64_t unsaved() const;

 private:
  SeqCounter(SeqStore* store, uint64_t block, uint64_t start, bool clock_floor)
      : store_(store), block_(block), clock_floor_(clock_floor), next_(start), reserved_(start) {}
  SeqStore* store_;
  const uint64_t block_;
  const bool clock_floor_;
  mutable std::mutex mu_;
  uint64_t next_, reserved_;  // under mu_
  uint64_t unsaved_ = 0;      // under mu_
};

class ReplayWindow {
 public:
  // True if `seq` was never accepted and is inside the window (seq 0 never is); then it is
  // recorded. Reordering within the window is fine; a repeat or an old number is refused.
  bool Accept(uint64_t seq);
  // What Accept would answer, without recording.
  bool Fresh(uint64_t seq) const;
  uint64_t highest() const { return highest_; }

  // 8 bytes of `highest` and the bitmap (520 bytes); Load refuses any other length.
  std::string Save() const;
  [[nodiscard]] static Result<ReplayWindow> Load(std::string_view saved);

 private:
  static constexpr size_t kWords = kReplayWindowBits / 64;
  bool Seen(uint64_t seq) const;
  uint64_t highest_ = 0;
  // Bit i (word i / 64, bit i % 64) is seq == highest_ - i.
  std::array<uint64_t, kWords> bits_{};
};

// The wall clock in microseconds since the epoch: a sequence-number floor that only a node
// sending more than a million statements a second could outrun (and its reservation still
// keeps its numbers increasing if the clock steps back).
uint64_t SeqFloorNow();

// The origin's signature of a chunk id (32 bytes), carried in the uplink and put envelopes
// (protocol.h). Signed with a domain prefix, so a chunk signature can never be taken for a
// statement's or the other way round.
std::string SignChunkId(const crypto::PrivateKey& key, std::string_view id);
bool VerifyChunkId(const crypto::PublicKey& key, std::string_view id, std::string_view sig);

// M = J without its closing brace + `,"seq":S` (+ `,"sig":"<hex>"` when `key` is given) + `}`.
// `json` must be a JSON object's text ending in '}' and not "{}".
std::string Seal(std::string_view topic, std::string_view json, uint64_t seq,
                 const crypto::PrivateKey* key);

struct Unsealed {
  uint64_t seq = 0;
  std::string body;      // J: the message as its sender encoded it
  bool signed_ = false;  // a verified signature was present
};
// Takes the tail off `payload` published on `topic`. With `key`, the signature must be
// present and verify with it; without, a signature is not required (and not checked).
// The error says what is wrong: "no seq", "bad seq", "no signature", "bad signature".
[[nodiscard]] Result<Unsealed> Unseal(std::string_view topic, std::string_view payload,
                                      const crypto::PublicKey* key);

// The refusal reason (`refused_<reason>`) for an Unseal error: bad_signature or no_seq.
std::string RefusalReason(const Status& unseal_error);

// What a receiver refused, and why: `reason` names the counter (`refused_<reason>`).
struct Refusal {
  std::string reason;  // no_seq, bad_signature, replay, unknown_sender
  std::string detail;
};

// A receiver's replay windows, one per sender (by name), and the check every inbound
// statement passes before anything acts on it: unseal (and verify with the sender's key when
// one is given), then the sender's window. Remembers which windows changed since the last
// Dirty(), for the owner to persist. Thread-safety: not thread-safe; one thread (or the
// owner's lock).
class ReplayBook {
 public:
  // The statement `payload` from `sender` on `topic`, or why it is refused. With `key` the
  // signature must verify; `require_key` refuses a sender without one (pki mode).
  [[nodiscard]] std::variant<Unsealed, Refusal> Admit(std::string_view topic,
                                                      std::string_view payload,
                                                      const std::string& sender,
                                                      const crypto::PublicKey* key,
                                                      bool require_key);
  // Only the window check and record (for a statement unsealed elsewhere).
  bool Accept(const std::string& sender, uint64_t seq);
  // Forgets `sender`'s window (a new enrolment starts its numbers afresh).
  void Reset(const std::string& sender);
  // Restores a persisted window (see ReplayWindow::Save).
  void Restore(const std::string& sender, const ReplayWindow& w) { windows_[sender] = w; }
  const ReplayWindow* Find(const std::string& sender) const;
  const std::map<std::string, ReplayWindow>& windows() const { return windows_; }
  // The senders whose windows changed since the last call, and their windows.
  std::vector<std::pair<std::string, std::string>> Dirty();

 private:
  std::map<std::string, ReplayWindow> windows_;
  std::set<std::string> dirty_;
};

// A node's own sealing: its counter and (in pki mode) its key. Thread-safe.
class Sealer {
 public:
  // Neither is owned; both outlive the sealer. `key` null = insecure mode (seq, no sig).
  Sealer(SeqCounter* seq, const crypto::PrivateKey* key) : seq_(seq), key_(key) {}
  // `json` sealed for `topic` with the next number.
  [[nodiscard]] Result<std::string> Seal(std::string_view topic, std::string_view json);
  // With a number the caller took (the Last Will's).
  std::string SealWith(std::string_view topic, std::string_view json, uint64_t seq) const;
  [[nodiscard]] Result<uint64_t> Next() { return seq_->Next(); }
  bool signing() const { return key_ != nullptr; }
  // This node's signature of chunk `id` as origin (SignChunkId); empty without a key.
  std::string SignChunk(std::string_view id) const {
    return key_ ? SignChunkId(*key_, id) : std::string();
  }

 private:
  SeqCounter* seq_;
  const crypto::PrivateKey* key_;
};

}  // namespace tern
