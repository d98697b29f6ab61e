// Segment files: the warm and cold tiers' packed storage (issue 13). This header is the one
// owner of the format; nothing else reads or writes segment bytes.
//
// A segment packs many chunks, each compressed on its own as one zstd frame (at a higher
// level than the hot tier's; the warm and cold tiers pick their level), so one chunk is read
// without decompressing its neighbours. Format, version 1, integers little-endian:
//
//   header  "TERNSEG1"                                    8 bytes
//   frames  one zstd frame per chunk, back to back         from offset 8
//   index   per chunk: u16 id length, id bytes, u64 frame offset, u32 frame length,
//           u32 original length, 32-byte SHA-256 of the original bytes
//   footer  u64 index offset, u32 chunk count, 32-byte SHA-256 of the index bytes,
//           "TSEGEND1"                                     52 bytes, the file's last
//
// A writer appends to "<path>.tmp" and Finish() writes the index and footer, fsyncs and
// renames it to <path>, so a segment under its final name is always complete. Reading checks
// the footer's magic and bounds, the index's SHA-256, every entry's bounds, and on each read
// the original bytes' SHA-256: a torn, truncated or corrupt segment gives a Corruption Status
// naming the path (and the chunk id), never a crash or a wrong chunk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tern/common/sha256.h"
#include "tern/common/status.h"

namespace tern::tiering {

inline constexpr size_t kSegmentFooterBytes = 52;
inline constexpr size_t kSegmentMaxIdBytes = 1024;

// Writes one segment. Thread-safety: one thread at a time.
class SegmentWriter {
 public:
  // Creates "<path>.tmp" (replacing a leftover one) for chunks compressed at zstd `level`.
  // IoError naming the path if it cannot be created; InvalidArgument for a level outside
  // 1..22.
  [[nodiscard]] static Result<std::unique_ptr<SegmentWriter>> Create(const std::string& path,
                                                                     int level);
  ~SegmentWriter();  // an unfinished segment's temp file is removed
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Compresses and appends one chunk. InvalidArgument for an empty, too long (> 1 KiB) or
  // repeated id, or bytes over 4 GiB; IoError if the write fails; FailedPrecondition after
  // Finish().
  [[nodiscard]] Status Append(std::string_view id, std::string_view bytes);

  // Writes the index and footer, fsyncs (if `sync`) and renames the file to its final path.
  [[nodiscard]] Status Finish(bool sync = true);

  size_t chunks() const { return entries_.size(); }
  uint64_t bytes_written() const { return offset_; }

 private:
  struct Entry {
    std::string id;
    uint64_t offset;
    uint32_t stored;
    uint32_t raw;
    Digest hash;
  };
  SegmentWriter(std::string path, int fd, int level)
      : path_(std::move(path)), fd_(fd), level_(level) {}
  Status WriteAll(std::string_view b);
  std::string path_;
  int fd_;
  int level_;
  uint64_t offset_ = 0;
  bool finished_ = false;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> seen_;
};

// Reads chunks from a finished segment. Thread-safety: after Open(), Read() and the
// accessors may be called from many threads at once (pread on a shared descriptor).
class SegmentReader {
 public:
  // Opens and checks the footer and index. NotFound if the file does not exist; Corruption
  // naming the path if the footer, index or an entry's bounds are wrong (a torn segment has
  // no valid footer); IoError if reading fails.
  [[nodiscard]] static Result<std::unique_ptr<SegmentReader>> Open(const std::string& path);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  // The original bytes of chunk `id`. NotFound naming the path and id if it is not in the
  // segment; Corruption naming both if the frame does not decompress to the recorded length
  // or its SHA-256 differs; IoError if reading fails.
  [[nodiscard]] Result<std::string> Read(std::string_view id) const;

  bool Contains(std::string_view id) const { return index_.count(std::string(id)) != 0; }
  size_t chunks() const { return index_.size(); }
  std::vector<std::string> Ids() const;  // in the order they were appended
  const std::string& path() const { return path_; }

 private:
  struct Entry {
    uint64_t offset;
    uint32_t stored;
    uint32_t raw;
    Digest hash;
    size_t order;
  };
  SegmentReader(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
  std::unordered_map<std::string, Entry> index_;
};

}  // namespace tern::tiering
