// The replay driver: runs a libFuzzer target without libFuzzer, so the default (GCC) build
// exercises every fuzz target for a short, bounded, repeatable time.
//
//   <target>_replay [--mutations N] [--dict FILE] DIR...
//
// It runs LLVMFuzzerTestOneInput on every file of the given folders (the seeds and the
// regressions, in name order), then on N mutants of them made by a PRNG with a fixed seed:
// bit flips, interesting bytes and integers, truncations, erasures, insertions, duplicated
// ranges, splices of two seeds, dictionary tokens. There is no coverage feedback: that is
// what the libFuzzer build (TERN_FUZZ=ON) is for. A target that finds a broken invariant
// aborts; the input it was running is then written to <target>.replay-crash in the working
// directory (a signal handler does it with write(2) only) so it can be added to
// regressions/<target>/ and debugged.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;
using Bytes = std::string;

constexpr size_t kMaxSize = 64 * 1024;

// What the signal handler writes out: the input being run, and where to.
const Bytes* g_current = nullptr;
char g_crash_path[4096];

void OnCrash(int sig) {
  if (g_current != nullptr) {
    int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, g_current->data(), g_current->size());
      (void)ignored;
      ::close(fd);
    }
    const char msg[] = "replay: the failing input was written to ";
    ssize_t ignored = ::write(2, msg, sizeof msg - 1);
    ignored = ::write(2, g_crash_path, std::strlen(g_crash_path));
    ignored = ::write(2, "\n", 1);
    (void)ignored;
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void Run(const Bytes& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  g_current = nullptr;
}

Bytes ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A libFuzzer/AFL dictionary: one "token" a line (optionally name="token"), with \\, \" and
// \xNN escapes; '#' starts a comment line.
std::vector<Bytes> ReadDict(const fs::path& p) {
  std::vector<Bytes> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    size_t q = line.find('"');
    if (line.empty() || line[0] == '#' || q == std::string::npos) continue;
    size_t end = line.rfind('"');
    if (end <= q) continue;
    Bytes tok;
    for (size_t i = q + 1; i < end; ++i) {
      if (line[i] == '\\' && i + 1 < end) {
        char e = line[++i];
        if (e == 'x' && i + 2 < end) {
          tok += static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          tok += e;
        }
      } else {
        tok += line[i];
      }
    }
    if (!tok.empty()) out.push_back(tok);
  }
  return out;
}

// Deterministic mutations. std::mt19937_64's output is fixed by the standard (the
// distributions are not), so only its raw output is used.
class Mutator {
 public:
  Mutator(const std::vector<Bytes>* seeds, const std::vector<Bytes>* dict)
      : seeds_(seeds), dict_(dict) {}

  Bytes Next() {
    Bytes b = (*seeds_)[Below(seeds_->size())];
    const size_t n = 1 + Below(4);
    for (size_t i = 0; i < n; ++i) MutateOnce(&b);
    if (b.size() > kMaxSize) b.resize(kMaxSize);
    return b;
  }

 private:
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }

  void PutInt(Bytes* b, size_t width) {
    static const uint64_t kInteresting[] = {0,          1,           0x7F,       0x80,
                                            0xFF,       0x7FFF,      0xFFFF,     0x7FFFFFFF,
                                            0xFFFFFFFF, 0x100000000, ~0ull >> 1, ~0ull};
    if (b->size() < width) return;
    uint64_t v = kInteresting[Below(std::size(kInteresting))];
    if (Below(4) == 0) v = b->size();  // a length field that points to the end
    size_t at = Below(b->size() - width + 1);
    for (size_t i = 0; i < width; ++i) (*b)[at + i] = static_cast<char>(v >> (8 * i));
  }

  void MutateOnce(Bytes* b) {
    static const char kBytes[] = {0,   1,   0x7F, '\x80', '\xFF', '"', '{',  '}',  '[', ']', ',',
                                  ':', '0', '9',  '-',    '=',    '&', '\n', '\\', '#', '%', ' '};
    const size_t size = b->size();
    switch (Below(11)) {
      case 0:  // flip a bit
        if (size) {
          char& c = (*b)[Below(size)];
          c = static_cast<char>(c ^ (1 << Below(8)));
        }
        break;
      case 1:  // an interesting byte
        if (size) (*b)[Below(size)] = kBytes[Below(sizeof kBytes)];
        break;
      case 2:  // a random byte, or a digit
        if (size) (*b)[Below(size)] = static_cast<char>(Below(2) ? Below(256) : '0' + Below(10));
        break;
      case 3:  // truncate
        b->resize(Below(size + 1));
        break;
      case 4:  // erase a range
        if (size) b->erase(Below(size), 1 + Below(16));
        break;
      case 5: {  // insert random bytes
        Bytes ins(1 + Below(8), '\0');
        for (char& c : ins) c = static_cast<char>(Below(256));
        b->insert(Below(size + 1), ins);
        break;
      }
      case 6:  // duplicate a range
        if (size) {
          size_t at = Below(size);
          b->insert(Below(size + 1), b->substr(at, 1 + Below(32)));
        }
        break;
      case 7: {  // splice: this one's head, another seed's tail
        const Bytes& other = (*seeds_)[Below(seeds_->size())];
        *b = b->substr(0, Below(size + 1)) + other.substr(Below(other.size() + 1));
        break;
      }
      case 8:  // a dictionary token, inserted or written over
        if (!dict_->empty()) {
          const Bytes& tok = (*dict_)[Below(dict_->size())];
          size_t at = Below(size + 1);
          if (Below(2)) {
            b->insert(at, tok);
          } else {
            b->replace(at, tok.size(), tok);
          }
        }
        break;
      case 9:  // an interesting little-endian integer
        PutInt(b, size_t{1} << Below(4));
        break;
      default:  // nudge a byte (digits and lengths one up or down)
        if (size) {
          char& c = (*b)[Below(size)];
          c = static_cast<char>(Below(2) ? c + 1 : c - 1);
        }
        break;
    }
  }

  const std::vector<Bytes>* seeds_;
  const std::vector<Bytes>* dict_;
  std::mt19937_64 rng_{0x7465726E66757A7Aull};  // "ternfuzz"
};

int Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--mutations N] [--dict FILE] DIR...\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0;
  std::vector<Bytes> dict;
  std::vector<fs::path> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--mutations" && i + 1 < argc) {
      mutations = std::strtol(argv[++i], nullptr, 10);
    } else if (a == "--dict" && i + 1 < argc) {
      dict = ReadDict(argv[++i]);
    } else if (a.rfind("--", 0) == 0) {
      return Usage(argv[0]);
    } else {
      dirs.emplace_back(a);
    }
  }
  if (dirs.empty()) return Usage(argv[0]);

  const std::string name = fs::path(argv[0]).filename().string();
  const std::string crash = (fs::current_path() / (name + ".replay-crash")).string();
  std::snprintf(g_crash_path, sizeof g_crash_path, "%s", crash.c_str());
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, OnCrash);

  std::vector<fs::path> files;
  for (const auto& d : dirs) {
    if (!fs::is_directory(d)) {
      std::fprintf(stderr, "%s: %s is not a folder\n", name.c_str(), d.c_str());
      return 2;
    }
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "%s: no input files in the given folders\n", name.c_str());
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<Bytes> seeds;
  for (const auto& f : files) {
    seeds.push_back(ReadFile(f));
    Run(seeds.back());
  }
  Mutator mutator(&seeds, &dict);
  for (long i = 0; i < mutations; ++i) Run(mutator.Next());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("%s: %zu files and %ld mutations passed in %lld ms\n", name.c_str(), files.size(),
              mutations, static_cast<long long>(ms));
  return 0;
}
