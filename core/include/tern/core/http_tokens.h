// The HTTP API's bearer tokens: `<data_dir>/http-tokens.json`, written by `ternctl token`
// and read by the core on every request (TokenWatcher re-reads it when it changes, so a
// revoke takes effect without a restart).
//
// The file never holds a token, only the SHA-256 of it, with the role it grants, the label
// the operator gave it and when it was created. A token is "tern_" + 43 url-safe base64
// characters (32 random bytes); it is printed once, at creation. The file is mode 0600 and
// replaced atomically (temp file, fsync, rename); Create and Revoke hold an flock on
// `<file>.lock` around their read-modify-write so two ternctl runs cannot lose a token.
//
// Thread-safety: a TokenBook is a value (one thread at a time, or const from many);
// TokenWatcher is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/status.h"

namespace tern::core {

// What a token (or a client certificate) may do: `read` serves every GET; `operator` also
// changes edge settings.
enum class HttpRole { kRead = 0, kOperator = 1 };
const char* HttpRoleName(HttpRole r);
// "read" or "operator"; InvalidArgument naming the value otherwise.
[[nodiscard]] Result<HttpRole> ParseHttpRole(std::string_view s);

struct TokenInfo {
  std::string label;
  HttpRole role = HttpRole::kRead;
  int64_t created_ms = 0;  // wall ms
};

class TokenBook {
 public:
  // `<data_dir>/http-tokens.json`.
  static std::string PathIn(const std::string& data_dir);
  // Reads the book at `path`. A missing file is an empty book (every token refused); a file
  // that does not parse is Corruption naming the path.
  [[nodiscard]] static Result<TokenBook> Load(const std::string& path);

  // Makes a token for `label` (1..64 of [A-Za-z0-9._-], not yet in the book) with `role`,
  // stores its hash in the file at `path` (under the lock, re-reading the file first) and
  // returns the token. The directory must exist. Errors name the path or the label.
  [[nodiscard]] static Result<std::string> Create(const std::string& path, HttpRole role,
                                                  const std::string& label, int64_t now_ms);
  // Removes the token labelled `label` from the file at `path`; NotFound naming it if absent.
  [[nodiscard]] static Status Revoke(const std::string& path, const std::string& label);

  // Every token's label, role and creation time, in creation order.
  std::vector<TokenInfo> List() const;
  // The token's entry, or nullopt. Every stored hash is compared in full, so the time taken
  // does not depend on which entry (if any) matches, nor where a hash differs.
  std::optional<TokenInfo> Check(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    TokenInfo info;
    std::array<uint8_t, 32> hash{};
  };
  std::vector<Entry> entries_;
};

// A TokenBook that follows its file: Check() stats the file and re-reads it when its inode,
// size or mtime changed (a rename by Create/Revoke always changes the inode). While the file
// cannot be read or parsed every token is refused, and the reason is given by error().
class TokenWatcher {
 public:
  explicit TokenWatcher(std::string path) : path_(std::move(path)) {}
  std::optional<TokenInfo> Check(std::string_view token);
  // Why the last (re)load failed; "" if it succeeded or the file is absent.
  std::string error();
  // How many tokens the book held at the last (re)load.
  size_t size();
  const std::string& path() const { return path_; }

 private:
  void Refresh();  // under mu_
  std::string path_;
  std::mutex mu_;
  bool loaded_ = false;
  uint64_t ino_ = 0, size_ = 0;
  int64_t mtime_ns_ = -1;
  std::shared_ptr<const TokenBook> book_;  // guarded by mu_
  std::string error_;
};

}  // namespace tern::core
