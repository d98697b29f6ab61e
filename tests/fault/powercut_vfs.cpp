// The power-cut VFS (see powercut_vfs.h): a test-only SQLite VFS over the default one that
// journals unsynced writes and undoes them at the cut. Includes sqlite3.h on purpose: it is
// an SQLite wrapper for tests, like SQLite's own crash-test VFS.
#include "powercut_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tern::testing {
namespace {

// What a file held at its last sync: the size then, and the old bytes of every region
// changed since, oldest first.
struct Journal {
  bool dirty = false;
  sqlite3_int64 size_at_sync = 0;
  std::vector<std::pair<sqlite3_int64, std::string>> old;
};

struct PcFile {
  sqlite3_file base;  // pMethods = kMethods once opened
  const char* name;   // SQLite keeps the name alive while the file is open; null for temp files
};
sqlite3_file* Real(sqlite3_file* f) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<PcFile*>(f) + 1);
}

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
std::mutex g_mu;                            // guards everything below
std::map<std::string, Journal> g_journals;  // by path: every connection to a file shares it
uint64_t g_writes = 0;
uint64_t g_cut_after = 0;

// Undoes every unsynced change, newest first, with plain POSIX calls (what survives a power
// cut is what the last fsync made durable), then stops the process. Called with g_mu held.
[[noreturn]] void Cut() {
  for (auto& [path, j] : g_journals) {
    if (!j.dirty) continue;
    int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) continue;
    for (auto it = j.old.rbegin(); it != j.old.rend(); ++it) {
      const ssize_t n = ::pwrite(fd, it->second.data(), it->second.size(), it->first);
      (void)n;
    }
    if (::ftruncate(fd, j.size_at_sync) != 0) {
      // Nothing to do: the file stays longer, which SQLite must tolerate anyway.
    }
    ::close(fd);
  }
  static const char kMsg[] = "powercut: power cut now\n";
  const ssize_t n = ::write(2, kMsg, sizeof(kMsg) - 1);
  (void)n;
  ::_exit(kPowerCutExit);
}

// Starts `f`'s journal at its first change since the last sync. Called with g_mu held.
Journal* Begin(sqlite3_file* f) {
  const char* name = reinterpret_cast<PcFile*>(f)->name;
  if (name == nullptr) return nullptr;
  Journal& j = g_journals[name];
  if (!j.dirty) {
    sqlite3_int64 size = 0;
    if (Real(f)->pMethods->xFileSize(Real(f), &size) != SQLITE_OK) size = 0;
    j.size_at_sync = size;
    j.dirty = true;
    j.old.clear();
  }
  return &j;
}

// Saves the current bytes of [off, off + amt) that lie inside the synced size.
void SaveOld(sqlite3_file* f, Journal* j, sqlite3_int64 off, sqlite3_int64 amt) {
  if (j == nullptr || off >= j->size_at_sync) return;
  const sqlite3_int64 len = std::min(amt, j->size_at_sync - off);
  std::string old(static_cast<size_t>(len), '\0');
  Real(f)->pMethods->xRead(Real(f), old.data(), static_cast<int>(len), off);
  j->old.emplace_back(off, std::move(old));
}

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* b, int amt, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), b, amt, off);
}
int Write(sqlite3_file* f, const void* b, int amt, sqlite3_int64 off) {
  std::lock_guard<std::mutex> l(g_mu);
  if (++g_writes == g_cut_after) Cut();
  SaveOld(f, Begin(f), off, amt);
  return Real(f)->pMethods->xWrite(Real(f), b, amt, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  std::lock_guard<std::mutex> l(g_mu);
  Journal* j = Begin(f);
  if (j != nullptr && size < j->size_at_sync) SaveOld(f, j, size, j->size_at_sync - size);
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  const int rc = Real(f)->pMethods->xSync(Real(f), flags);
  const char* name = reinterpret_cast<PcFile*>(f)->name;
  if (rc == SQLITE_OK && name != nullptr) {
    std::lock_guard<std::mutex> l(g_mu);
    auto it = g_journals.find(name);
    if (it != g_journals.end()) {
      it->second.dirty = false;
      it->second.old.clear();
    }
  }
  return rc;
}
int FileSize(sqlite3_file* f, sqlite3_int64* s) { return Real(f)->pMethods->xFileSize(Real(f), s); }
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckReserved(sqlite3_file* f, int* r) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), r);
}
int FileControl(sqlite3_file* f, int op, void* a) {
  return Real(f)->pMethods->xFileControl(Real(f), op, a);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceChar(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int pg, int sz, int ext, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, ext, p);
}
int ShmLock(sqlite3_file* f, int off, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), off, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** p) {
  return Real(f)->pMethods->xFetch(Real(f), off, amt, p);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {3,           Close,      Read,       Write,  Truncate,
                                     Sync,        FileSize,   Lock,       Unlock, CheckReserved,
                                     FileControl, SectorSize, DeviceChar, ShmMap, ShmLock,
                                     ShmBarrier,  ShmUnmap,   Fetch,      Unfetch};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out) {
  auto* p = reinterpret_cast<PcFile*>(f);
  p->base.pMethods = nullptr;
  p->name = name;
  const int rc = g_real->xOpen(g_real, name, Real(f), flags, out);
  if (rc == SQLITE_OK && Real(f)->pMethods != nullptr) p->base.pMethods = &kMethods;
  return rc;
}
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  {
    std::lock_guard<std::mutex> l(g_mu);
    g_journals.erase(name);
  }
  return g_real->xDelete(g_real, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* f) { return g_real->xDlOpen(g_real, f); }
void DlError(sqlite3_vfs*, int n, char* e) { g_real->xDlError(g_real, n, e); }
void (*DlSym(sqlite3_vfs*, void* h, const char* s))(void) { return g_real->xDlSym(g_real, h, s); }
void DlClose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int SleepFor(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int CurrentTime(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int LastError(sqlite3_vfs*, int n, char* e) { return g_real->xGetLastError(g_real, n, e); }
int CurrentTime64(sqlite3_vfs*, sqlite3_int64* t) { return g_real->xCurrentTimeInt64(g_real, t); }

}  // namespace

bool InstallPowerCutVfs(uint64_t cut_after) {
  if (sqlite3_initialize() != SQLITE_OK) return false;
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr || g_real->iVersion < 2) return false;
  g_cut_after = cut_after;
  std::memset(&g_vfs, 0, sizeof(g_vfs));
  g_vfs.iVersion = 2;
  // Our header, then the real file, kept 8-byte aligned.
  g_vfs.szOsFile = static_cast<int>(sizeof(PcFile)) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = "powercut";
  g_vfs.xOpen = Open;
  g_vfs.xDelete = Delete;
  g_vfs.xAccess = Access;
  g_vfs.xFullPathname = FullPathname;
  g_vfs.xDlOpen = DlOpen;
  g_vfs.xDlError = DlError;
  g_vfs.xDlSym = DlSym;
  g_vfs.xDlClose = DlClose;
  g_vfs.xRandomness = Randomness;
  g_vfs.xSleep = SleepFor;
  g_vfs.xCurrentTime = CurrentTime;
  g_vfs.xGetLastError = LastError;
  g_vfs.xCurrentTimeInt64 = CurrentTime64;
  static_assert(sizeof(PcFile) % 8 == 0, "the real file must stay aligned");
  return sqlite3_vfs_register(&g_vfs, /*makeDflt=*/1) == SQLITE_OK;
}

uint64_t PowerCutWrites() {
  std::lock_guard<std::mutex> l(g_mu);
  return g_writes;
}

}  // namespace tern::testing
