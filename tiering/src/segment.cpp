// Segment files: writer and checked reader (segment.h owns the format).
#include "tern/tiering/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tern/common/bytes.h"
#include "tern/common/compress.h"

namespace tern::tiering {

namespace {

constexpr char kHeaderMagic[] = "TERNSEG1";
constexpr char kFooterMagic[] = "TSEGEND1";
constexpr size_t kMagicBytes = 8;
constexpr uint64_t kMaxChunkBytes = 0xFFFFFFFFull;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Reads exactly n bytes at `offset`; IoError on failure, Corruption on a short read.
Status PreadAll(int fd, const std::string& path, uint64_t offset, size_t n, std::string* out) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    const ssize_t r = pread(fd, out->data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(Errno("read", path));
    }
    if (r == 0) {
      return Status::Corruption("segment " + path + ": " + std::to_string(n) + " bytes at " +
                                std::to_string(offset) + " run past the end of the file");
    }
    got += static_cast<size_t>(r);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(const std::string& path, int level) {
  if (level < 1 || level > 22) {
    return Status::InvalidArgument("segment " + path + ": zstd level " + std::to_string(level));
  }
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(Errno("create", tmp));
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(path, fd, level));
  TERN_RETURN_IF_ERROR(w->WriteAll(std::string_view(kHeaderMagic, kMagicBytes)));
  return w;
}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) ::unlink((path_ + ".tmp").c_str());
}

Status SegmentWriter::WriteAll(std::string_view b) {
  size_t done = 0;
  while (done < b.size()) {
    const ssize_t r = ::write(fd_, b.data() + done, b.size() - done);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(Errno("write", path_ + ".tmp"));
    }
    done += static_cast<size_t>(r);
  }
  offset_ += b.size();
  return Status::Ok();
}

Status SegmentWriter::Append(std::string_view id, std::string_view bytes) {
  if (finished_) return Status::FailedPrecondition("segment " + path_ + ": already finished");
  if (id.empty() || id.size() > kSegmentMaxIdBytes) {
    return Status::InvalidArgument("segment " + path_ + ": a chunk id of " +
                                   std::to_string(id.size()) + " bytes");
  }
  if (bytes.size() > kMaxChunkBytes) {
    return Status::InvalidArgument("segment " + path_ + ": chunk '" + std::string(id) + "' has " +
                                   std::to_string(bytes.size()) + " bytes");
  }
  if (!seen_.emplace(std::string(id), entries_.size()).second) {
    return Status::InvalidArgument("segment " + path_ + ": chunk '" + std::string(id) +
                                   "' appended twice");
  }
  const std::string frame = ZstdCompress(bytes, level_);
  const uint64_t at = offset_;
  Status s = WriteAll(frame);
  if (!s.ok()) {
    seen_.erase(std::string(id));
    return s;
  }
  entries_.push_back({std::string(id), at, static_cast<uint32_t>(frame.size()),
                      static_cast<uint32_t>(bytes.size()), Sha256(bytes)});
  return Status::Ok();
}

Status SegmentWriter::Finish(bool sync) {
  if (finished_) return Status::FailedPrecondition("segment " + path_ + ": already finished");
  std::string index;
  ByteWriter iw(&index);
  for (const auto& e : entries_) {
    iw.Str16(e.id);
    iw.U64(e.offset);
    iw.U32(e.stored);
    iw.U32(e.raw);
    iw.Bytes(DigestBytes(e.hash));
  }
  std::string footer;
  ByteWriter fw(&footer);
  fw.U64(offset_);
  fw.U32(static_cast<uint32_t>(entries_.size()));
  fw.Bytes(DigestBytes(Sha256(index)));
  fw.Bytes(std::string_view(kFooterMagic, kMagicBytes));
  TERN_RETURN_IF_ERROR(WriteAll(index));
  TERN_RETURN_IF_ERROR(WriteAll(footer));
  const std::string tmp = path_ + ".tmp";
  if (sync && ::fsync(fd_) != 0) return Status::IoError(Errno("fsync", tmp));
  if (::close(fd_) != 0) {
    fd_ = -1;
    return Status::IoError(Errno("close", tmp));
  }
  fd_ = -1;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return Status::IoError(Errno("rename", tmp));
  finished_ = true;
  return Status::Ok();
}

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("segment " + path + ": no such file");
    return Status::IoError(Errno("open", path));
  }
  std::unique_ptr<SegmentReader> r(new SegmentReader(path, fd));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IoError(Errno("stat", path));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const auto corrupt = [&](const std::string& why) {
    return Status::Corruption("segment " + path + ": " + why);
  };
  if (size < kMagicBytes + kSegmentFooterBytes) {
    return corrupt(std::to_string(size) + " bytes, too short for a segment (torn?)");
  }
  std::string head, foot;
  TERN_RETURN_IF_ERROR(PreadAll(fd, path, 0, kMagicBytes, &head));
  if (head != std::string_view(kHeaderMagic, kMagicBytes)) return corrupt("bad header magic");
  TERN_RETURN_IF_ERROR(PreadAll(fd, path, size - kSegmentFooterBytes, kSegmentFooterBytes, &foot));
  ByteReader fr(foot);
  uint64_t index_at = 0;
  uint32_t count = 0;
  std::string_view index_hash, magic;
  if (!fr.U64(&index_at) || !fr.U32(&count) || !fr.View(32, &index_hash) ||
      !fr.View(kMagicBytes, &magic) || magic != std::string_view(kFooterMagic, kMagicBytes)) {
    return corrupt("no valid footer (torn or truncated segment)");
  }
  const uint64_t index_end = size - kSegmentFooterBytes;
  if (index_at < kMagicBytes || index_at > index_end) {
    return corrupt("index offset " + std::to_string(index_at) + " outside the file");
  }
  std::string index;
  TERN_RETURN_IF_ERROR(PreadAll(fd, path, index_at, index_end - index_at, &index));
  if (DigestBytes(Sha256(index)) != index_hash) return corrupt("index SHA-256 mismatch");
  ByteReader ir(index);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view id, hash;
    Entry e{};
    if (!ir.Str16(&id, kSegmentMaxIdBytes) || !ir.U64(&e.offset) || !ir.U32(&e.stored) ||
        !ir.U32(&e.raw) || !ir.View(32, &hash)) {
      return corrupt("index entry " + std::to_string(i) + " is cut short");
    }
    if (e.offset < kMagicBytes || e.stored > index_at || e.offset > index_at - e.stored) {
      return corrupt("chunk '" + std::string(id) + "': frame outside the frame area");
    }
    std::memcpy(e.hash.data(), hash.data(), 32);
    e.order = i;
    if (!r->index_.emplace(std::string(id), e).second) {
      return corrupt("chunk '" + std::string(id) + "' listed twice");
    }
  }
  if (!ir.AtEnd()) return corrupt("index has trailing bytes");
  return r;
}

SegmentReader::~SegmentReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> SegmentReader::Read(std::string_view id) const {
  const auto it = index_.find(std::string(id));
  if (it == index_.end()) {
    return Status::NotFound("segment " + path_ + ": no chunk '" + std::string(id) + "'");
  }
  const Entry& e = it->second;
  std::string frame;
  TERN_RETURN_IF_ERROR(PreadAll(fd_, path_, e.offset, e.stored, &frame));
  auto raw = ZstdDecompress(frame, e.raw);
  if (!raw.ok()) {
    return Status::Corruption("segment " + path_ + ": chunk '" + std::string(id) +
                              "': " + raw.status().message());
  }
  if (Sha256(*raw) != e.hash) {
    return Status::Corruption("segment " + path_ + ": chunk '" + std::string(id) +
                              "': SHA-256 of the original bytes does not match");
  }
  return std::move(raw).value();
}

std::vector<std::string> SegmentReader::Ids() const {
  std::vector<std::pair<size_t, std::string>> v;
  v.reserve(index_.size());
  for (const auto& [id, e] : index_) v.emplace_back(e.order, id);
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  out.reserve(v.size());
  for (auto& p : v) out.push_back(std::move(p.second));
  return out;
}

}  // namespace tern::tiering
