// Time arguments for ternctl and the HTTP API: HLC stamps, wall-clock ms, or ISO-8601 UTC.
//
// HLC stamps are wall ms << 16 | logical, so today's stamps are near 2^57 and wall ms near
// 2^41; anything below 2^48 (year ~10900 in ms) is taken as wall ms, anything above as HLC.
#include <cctype>
#include <charconv>
#include <ctime>

#include "tern/common/time_parse.h"

namespace tern {
namespace {

constexpr uint64_t kHlcThreshold = uint64_t{1} << 48;

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Reads exactly `n` digits at s[*pos].
bool Digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// Days in month `mo` (1..12) of year `y`, Gregorian.
int DaysIn(int y, int mo) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return mo == 2 && leap ? 29 : kDays[mo - 1];
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z]" -> ms since the epoch, UTC.
bool ParseIso(std::string_view s, uint64_t* ms) {
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, frac = 0;
  if (!Digits(s, &pos, 4, &y) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &mo) ||
      !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &d)) {
    return false;
  }
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!Digits(s, &pos, 2, &h) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &mi)) {
      return false;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!Digits(s, &pos, 2, &sec)) return false;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t start = pos;
        int scale = 100;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
          frac += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return false;
      }
    }
  }
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) ++pos;
  if (pos != s.size()) return false;
  // timegm() would roll a day past the month's end (2026-11-31) into the next month.
  if (mo < 1 || mo > 12 || d < 1 || d > DaysIn(y, mo) || h > 23 || mi > 59 || sec > 60 ||
      y < 1970) {
    return false;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  if (t < 0) return false;
  *ms = static_cast<uint64_t>(t) * 1000 + static_cast<uint64_t>(frac);
  return true;
}

}  // namespace

Result<uint64_t> ParseTimeArg(std::string_view text, bool upper) {
  uint64_t v = 0;
  uint64_t ms = 0;
  if (ParseUint(text, &v)) {
    if (v >= kHlcThreshold) return v;  // an HLC stamp
    ms = v;
  } else if (!ParseIso(text, &ms)) {
    return Status::InvalidArgument(
        "time '" + std::string(text) +
        "': expected an HLC stamp, wall-clock ms, or ISO-8601 UTC like 2026-11-21T10:00:00");
  }
  if (ms >= kHlcThreshold) {
    return Status::InvalidArgument("time '" + std::string(text) + "' is out of range");
  }
  return upper ? (ms << 16) | 0xFFFF : ms << 16;
}

}  // namespace tern
