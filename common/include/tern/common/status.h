// Status and Result<T>: how errors cross module boundaries in tern.
//
// Modelled on leveldb::Status. A Status is either OK or carries a code and a message that
// names the key, path or peer involved. Result<T> holds either a value or a non-OK Status.
// Both are [[nodiscard]] so an ignored error is a compile warning. Neither throws.
// Thread-safety: value types; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tern {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input from a caller, a file or the wire
    kNotFound,
    kCorruption,       // stored or received bytes fail a check (hash, bounds, magic)
    kIoError,          // the OS or a library failed (disk full, socket closed)
    kUnavailable,      // a peer, broker or board is not reachable now; retry later
    kResourceExhausted,// a bound was reached (outbox full, window full)
    kFailedPrecondition,
    kTimeout,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {Code::kResourceExhausted, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "code: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message"; OK stays OK.
  Status WithContext(const std::string& context) const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Holds a T or a non-OK Status. Accessing value() of an error is a programming bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status s) : v_(std::move(s)) {      // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  // By value, so `for (auto& x : F().value())` cannot dangle.
  T value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tern

// Returns early from the enclosing function if `expr` is a non-OK Status.
#define TERN_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::tern::Status tern_s_ = (expr);        \
    if (!tern_s_.ok()) return tern_s_;      \
  } while (0)

#define TERN_CONCAT_INNER_(a, b) a##b
#define TERN_CONCAT_(a, b) TERN_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result<T> expression, or returns its Status on error.
#define TERN_ASSIGN_OR_RETURN(lhs, expr) \
  TERN_ASSIGN_OR_RETURN_IMPL_(TERN_CONCAT_(tern_r_, __LINE__), lhs, expr)
#define TERN_ASSIGN_OR_RETURN_IMPL_(r, lhs, expr) \
  auto r = (expr);                                \
  if (!r.ok()) return r.status();                 \
  lhs = std::move(r).value()
