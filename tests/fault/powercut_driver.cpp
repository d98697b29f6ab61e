// The power-cut driver: commits chunks through the edge's real LocalStore while the
// power-cut VFS (powercut_vfs.h) undoes every unsynced write and stops the process at the
// `seed`-chosen write. It prints one line per chunk once the store reported its commit
// (fsync'd: the edge's "local" ack), so the test knows what must survive:
//   acked <hex id> <seq>
// Usage: tern-powercut-driver <edge.db> <seed> <chunks> <max_cut_write> [early]
// "early" prints each line when the write is submitted, before its commit: a driver that
// lies, which the test uses to prove that a cut really loses unsynced writes.
// Sequence numbers continue from the store's meta "seq/pc" (committed with each chunk, like
// the edge's chunker does), so a cut that loses that meta shows up as a reused seq.
// Exit: 0 when every chunk committed before the cut point, kPowerCutExit at the cut, 1 on a
// store error (printed).
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>

#include "powercut_vfs.h"
#include "tern/common/bytes.h"
#include "tern/edge/local_store.h"

namespace {

void Say(const std::string& line) {
  // One write per line, unbuffered: the cut _exit()s without flushing stdio.
  const std::string l = line + "\n";
  const ssize_t n = ::write(1, l.data(), l.size());
  (void)n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && !(argc == 6 && std::string(argv[5]) == "early")) {
    std::fprintf(stderr, "usage: %s <edge.db> <seed> <chunks> <max_cut_write> [early]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const uint64_t seed = std::stoull(argv[2]);
  const int chunks = std::stoi(argv[3]);
  const uint64_t max_cut = std::stoull(argv[4]);
  const bool early = argc == 6;
  std::mt19937_64 rng(seed);
  const uint64_t cut_after = 1 + rng() % max_cut;
  Say("seed " + std::to_string(seed) + " cut_after_write " + std::to_string(cut_after));
  if (!tern::testing::InstallPowerCutVfs(cut_after)) {
    Say("error: cannot register the power-cut VFS");
    return 1;
  }
  auto store = tern::edge::LocalStore::Open(path);
  if (!store.ok()) {
    Say("error: " + store.status().ToString());
    return 1;
  }
  uint64_t next = 0;
  auto meta = (*store)->GetMeta("seq/pc");
  if (!meta.ok()) {
    Say("error: " + meta.status().ToString());
    return 1;
  }
  if (meta->has_value()) next = std::stoull((*meta)->substr((*meta)->find(' ') + 1));

  std::mutex mu;
  std::condition_variable cv;
  int pending = 0;
  bool failed = false;
  for (int done = 0; done < chunks && !failed;) {
    // Bursts of 1..8 writes: the group committer puts them in one transaction or several.
    const int burst = std::min(chunks - done, 1 + static_cast<int>(rng() % 8));
    for (int b = 0; b < burst; ++b, ++done, ++next) {
      tern::edge::StoreWrite w{tern::edge::StoreWrite::Kind::kOwnChunk, {}, {}, {}, {}, {}, false};
      std::string wire = "pc chunk seq=" + std::to_string(next) + " ";
      wire.resize(wire.size() + 100 + rng() % 6000, static_cast<char>('a' + rng() % 26));
      w.info.id = tern::ChunkIdOf(wire);
      w.info.origin = 1;
      w.info.source = "pc";
      w.info.seq = next;
      w.info.records = 1;
      w.info.t_first = w.info.t_last = next + 1;
      w.info.bytes = wire.size();
      w.info.own = true;
      w.wire = std::move(wire);
      w.key = "seq/pc";
      w.value = std::to_string(next + 1) + " " + std::to_string(next + 1);
      w.seq_meta = true;
      const std::string line = "acked " + tern::ToHex(w.info.id) + " " + std::to_string(next);
      {
        std::lock_guard<std::mutex> l(mu);
        ++pending;
      }
      if (early) Say(line);
      (*store)->Submit(std::move(w), [&, line](const tern::Status& s) {
        if (s.ok() && !early) {
          Say(line);
        } else {
          Say("error: " + s.ToString());
        }
        std::lock_guard<std::mutex> l(mu);
        failed = failed || !s.ok();
        --pending;
        cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return pending == 0; });
  }
  store->reset();
  Say("finished writes " + std::to_string(tern::testing::PowerCutWrites()));
  return failed ? 1 : 0;
}
