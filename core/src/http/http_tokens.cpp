// TokenBook and TokenWatcher: see tern/core/http_tokens.h. The file format is
//   {"v": 1, "tokens": [{"label", "role", "sha256" (hex), "created_ms"}, ...]}
// and is written here only (temp file in the same directory, mode 0600, fsync, rename,
// fsync of the directory) so a crash leaves the old book or the new one.
#include "tern/core/http_tokens.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tern/common/bytes.h"
#include "tern/common/crypto.h"
#include "tern/common/sha256.h"

namespace tern::core {
namespace {

using nlohmann::json;

constexpr const char* kPrefix = "tern_";
constexpr size_t kTokenBytes = 32;

std::string Base64Url(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    acc = (acc << 8) | static_cast<uint8_t>(ch);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
  return out;  // unpadded
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool ValidLabel(const std::string& label) {
  if (label.empty() || label.size() > 64) return false;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Holds an exclusive flock on `<path>.lock` for a read-modify-write of the book.
class FileLock {
 public:
  static Result<FileLock> Take(const std::string& path) {
    std::string lock = path + ".lock";
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError(Errno("cannot open", lock));
    if (::flock(fd, LOCK_EX) != 0) {
      Status s = Status::IoError(Errno("cannot lock", lock));
      ::close(fd);
      return s;
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(Errno("cannot write", path));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Replaces `path` with `content`: mode 0600 from the start (the temp file is created so),
// durable before the rename, the rename durable before returning.
Status WriteSecretFile(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(Errno("cannot create", tmp));
  Status s = WriteAll(fd, content, tmp);
  if (s.ok() && ::fchmod(fd, 0600) != 0) s = Status::IoError(Errno("cannot chmod", tmp));
  if (s.ok() && ::fsync(fd) != 0) s = Status::IoError(Errno("cannot fsync", tmp));
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::IoError(Errno("cannot rename to", path));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);  // best effort: the rename is done either way
    ::close(dfd);
  }
  return Status::Ok();
}

std::array<uint8_t, 32> HashOf(std::string_view token) { return Sha256(token); }

}  // namespace

const char* HttpRoleName(HttpRole r) { return r == HttpRole::kOperator ? "operator" : "read"; }

Result<HttpRole> ParseHttpRole(std::string_view s) {
  if (s == "read") return HttpRole::kRead;
  if (s == "operator") return HttpRole::kOperator;
  return Status::InvalidArgument("role: '" + std::string(s) + "' is not read or operator");
}

std::string TokenBook::PathIn(const std::string& data_dir) {
  return data_dir + "/http-tokens.json";
}

Result<TokenBook> TokenBook::Load(const std::string& path) {
  TokenBook book;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return book;
    return Status::IoError(Errno("cannot read", path));
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  }
  Status read = n < 0 ? Status::IoError(Errno("cannot read", path)) : Status::Ok();
  ::close(fd);
  TERN_RETURN_IF_ERROR(read);
  auto bad = [&](const std::string& why) { return Status::Corruption(path + ": " + why); };
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("tokens") || !j["tokens"].is_array()) {
    return bad("not a token book (expected {\"v\": 1, \"tokens\": [...]})");
  }
  if (!j.contains("v") || j["v"] != 1) return bad("unknown version");
  for (const auto& t : j["tokens"]) {
    if (!t.is_object() || !t.contains("label") || !t["label"].is_string() || !t.contains("role") ||
        !t["role"].is_string() || !t.contains("sha256") || !t["sha256"].is_string() ||
        !t.contains("created_ms") || !t["created_ms"].is_number_integer()) {
      return bad("an entry lacks label, role, sha256 or created_ms");
    }
    Entry e;
    e.info.label = t["label"].get<std::string>();
    auto role = ParseHttpRole(t["role"].get<std::string>());
    if (!role.ok()) return bad("token '" + e.info.label + "': " + role.status().message());
    e.info.role = *role;
    e.info.created_ms = t["created_ms"].get<int64_t>();
    auto hash = FromHex(t["sha256"].get<std::string>());
    if (!hash.ok() || hash->size() != e.hash.size()) {
      return bad("token '" + e.info.label + "': sha256 is not 64 hex digits");
    }
    std::memcpy(e.hash.data(), hash->data(), e.hash.size());
    book.entries_.push_back(std::move(e));
  }
  return book;
}

namespace {
std::string Serialize(const std::vector<TokenInfo>& infos,
                      const std::vector<std::array<uint8_t, 32>>& hashes) {
  json arr = json::array();
  for (size_t i = 0; i < infos.size(); ++i) {
    std::string h(reinterpret_cast<const char*>(hashes[i].data()), hashes[i].size());
    arr.push_back({{"label", infos[i].label},
                   {"role", HttpRoleName(infos[i].role)},
                   {"sha256", ToHex(h)},
                   {"created_ms", infos[i].created_ms}});
  }
  return json{{"v", 1}, {"tokens", arr}}.dump(1) + "\n";
}
}  // namespace

Result<std::string> TokenBook::Create(const std::string& path, HttpRole role,
                                      const std::string& label, int64_t now_ms) {
  if (!ValidLabel(label)) {
    return Status::InvalidArgument("label: '" + label +
                                   "' must be 1 to 64 of the characters A-Z a-z 0-9 . _ -");
  }
  TERN_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(path));
  TERN_ASSIGN_OR_RETURN(TokenBook book, Load(path));
  for (const auto& e : book.entries_) {
    if (e.info.label == label) {
      return Status::InvalidArgument("label: a token labelled '" + label +
                                     "' exists; revoke it first");
    }
  }
  const std::string random = crypto::RandomBytes(kTokenBytes);
  std::string token = kPrefix + Base64Url(random);
  Entry e;
  e.info = {label, role, now_ms};
  e.hash = HashOf(token);
  book.entries_.push_back(e);
  std::vector<TokenInfo> infos;
  std::vector<std::array<uint8_t, 32>> hashes;
  for (const auto& x : book.entries_) {
    infos.push_back(x.info);
    hashes.push_back(x.hash);
  }
  TERN_RETURN_IF_ERROR(WriteSecretFile(path, Serialize(infos, hashes)));
  return token;
}

Status TokenBook::Revoke(const std::string& path, const std::string& label) {
  TERN_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(path));
  TERN_ASSIGN_OR_RETURN(TokenBook book, Load(path));
  std::vector<TokenInfo> infos;
  std::vector<std::array<uint8_t, 32>> hashes;
  for (const auto& x : book.entries_) {
    if (x.info.label == label) continue;
    infos.push_back(x.info);
    hashes.push_back(x.hash);
  }
  if (infos.size() == book.entries_.size()) {
    return Status::NotFound("label: no token labelled '" + label + "' in " + path);
  }
  return WriteSecretFile(path, Serialize(infos, hashes));
}

std::vector<TokenInfo> TokenBook::List() const {
  std::vector<TokenInfo> out;
  for (const auto& e : entries_) out.push_back(e.info);
  return out;
}

std::optional<TokenInfo> TokenBook::Check(std::string_view token) const {
  auto h = HashOf(token);
  const Entry* found = nullptr;
  for (const auto& e : entries_) {
    uint8_t diff = 0;
    for (size_t i = 0; i < h.size(); ++i) diff = static_cast<uint8_t>(diff | (h[i] ^ e.hash[i]));
    // No early exit: every entry is compared whichever matches.
    if (diff == 0) found = &e;
  }
  if (!found) return std::nullopt;
  return found->info;
}

void TokenWatcher::Refresh() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (loaded_ && ino_ == 0) return;  // still absent
    error_ = errno == ENOENT ? "" : Errno("cannot stat", path_);
    book_ = std::make_shared<TokenBook>();
    loaded_ = true;
    ino_ = 0;
    size_ = 0;
    mtime_ns_ = -1;
    return;
  }
  int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  uint64_t ino = static_cast<uint64_t>(st.st_ino), size = static_cast<uint64_t>(st.st_size);
  if (loaded_ && ino == ino_ && size == size_ && mtime_ns == mtime_ns_) return;
  auto book = TokenBook::Load(path_);
  if (book.ok()) {
    book_ = std::make_shared<TokenBook>(std::move(book).value());
    error_.clear();
  } else {
    book_ = std::make_shared<TokenBook>();  // refuse everything until the file is fixed
    error_ = book.status().message();
  }
  loaded_ = true;
  ino_ = ino;
  size_ = size;
  mtime_ns_ = mtime_ns;
}

std::optional<TokenInfo> TokenWatcher::Check(std::string_view token) {
  std::shared_ptr<const TokenBook> book;
  {
    std::lock_guard<std::mutex> lk(mu_);
    Refresh();
    book = book_;
  }
  return book->Check(token);  // hashing outside the lock
}

std::string TokenWatcher::error() {
  std::lock_guard<std::mutex> lk(mu_);
  Refresh();
  return error_;
}

size_t TokenWatcher::size() {
  std::lock_guard<std::mutex> lk(mu_);
  Refresh();
  return book_->size();
}

}  // namespace tern::core
