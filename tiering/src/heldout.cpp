// Held-out prediction figures of the value model's replay (heldout.h).
#include "heldout.h"

#include <cmath>

namespace tern::tiering {

HeldOut SummariseHeldOut(const std::vector<HeldOutPoint>& held) {
  HeldOut h;
  h.samples = held.size();
  if (held.empty()) return h;
  double sm = 0, sc = 0, sr = 0, mp = 0, my = 0;
  for (const auto& [p, y, rec, mean] : held) {
    sm += (p - y) * (p - y);
    sc += (mean - y) * (mean - y);
    sr += (rec - y) * (rec - y);
    mp += p;
    my += y;
  }
  const double n = static_cast<double>(held.size());
  h.rmse_model = std::sqrt(sm / n);
  h.rmse_mean = std::sqrt(sc / n);
  h.rmse_recent = std::sqrt(sr / n);
  mp /= n;
  my /= n;
  double cov = 0, vp = 0, vy = 0;
  for (const auto& [p, y, rec, mean] : held) {
    cov += (p - mp) * (y - my);
    vp += (p - mp) * (p - mp);
    vy += (y - my) * (y - my);
  }
  h.correlation = vp > 0 && vy > 0 ? cov / std::sqrt(vp * vy) : 0.0;
  return h;
}

}  // namespace tern::tiering
