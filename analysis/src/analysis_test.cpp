// Tests of the analysis processors: window statistics against direct formulas, RunningZ
// persistence and flags, and MSMVE against the naive all-pairs reference (msmve_naive.h) on
// random, correlated and constant signals with several (p, m, tau, r, S) combinations.
#include "tern/analysis/analysis.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "msmve_naive.h"

namespace tern::analysis {
namespace {

Matrix RandomMatrix(size_t rows, size_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  Matrix m{rows, cols, std::vector<double>(rows * cols)};
  for (auto& v : m.v) v = nd(rng);
  return m;
}

// Channels share a slow AR(1) component plus noise: correlated, non-white.
Matrix CorrelatedMatrix(size_t rows, size_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  Matrix m{rows, cols, std::vector<double>(rows * cols)};
  double common = 0;
  for (size_t r = 0; r < rows; ++r) {
    common = 0.9 * common + nd(rng);
    for (size_t c = 0; c < cols; ++c) {
      m.v[r * cols + c] = (1.0 + 0.2 * static_cast<double>(c)) * common + 0.5 * nd(rng);
    }
  }
  return m;
}

void CheckSame(const MsmveResult& fast, const MsmveResult& ref) {
  REQUIRE(fast.scales.size() == ref.scales.size());
  CHECK(fast.constant_channels == ref.constant_channels);
  CHECK(fast.tolerance == ref.tolerance);
  for (size_t s = 0; s < fast.scales.size(); ++s) {
    const auto& a = fast.scales[s];
    const auto& b = ref.scales[s];
    INFO("scale " << a.scale);
    CHECK(a.length == b.length);
    CHECK(a.m_vectors == b.m_vectors);
    CHECK(a.m1_vectors == b.m1_vectors);
    CHECK(a.b0_pairs == b.b0_pairs);
    CHECK(a.bt_pairs == b.bt_pairs);
    CHECK(a.b0_count == b.b0_count);
    CHECK(a.bt_count == b.bt_count);
    CHECK(a.defined == b.defined);
    CHECK(a.reason == b.reason);
    CHECK(a.entropy == b.entropy);  // same integers, same formula: bit-identical
    CHECK(std::isfinite(a.entropy));
  }
}

}  // namespace

TEST_SUITE("analysis_stats") {
  TEST_CASE("window statistics match direct formulas and report the partial window") {
    Matrix x = RandomMatrix(25, 3, 7);
    for (auto& v : x.v) v = 1e9 + v;  // large offset: naive sum of squares would cancel
    auto w = WindowStatistics(x, 10);
    REQUIRE(w.ok());
    REQUIRE(w->size() == 3);
    CHECK((*w)[2].first_row == 20);
    CHECK((*w)[2].count == 5);
    for (const auto& win : *w) {
      for (size_t c = 0; c < 3; ++c) {
        double sum = 0, mn = 1e300, mx = -1e300;
        for (size_t r = 0; r < win.count; ++r) {
          const double v = x.at(win.first_row + r, c);
          sum += v - 1e9;
          mn = std::min(mn, v);
          mx = std::max(mx, v);
        }
        const double count = static_cast<double>(win.count);
        const double mean = sum / count;
        double ss = 0, sq = 0;
        for (size_t r = 0; r < win.count; ++r) {
          const double d = x.at(win.first_row + r, c) - 1e9 - mean;
          ss += d * d;
          const double v = x.at(win.first_row + r, c);
          sq += v * v;
        }
        const auto& s = win.channels[c];
        CHECK(s.count == win.count);
        CHECK(s.mean == doctest::Approx(1e9 + mean).epsilon(1e-15));
        CHECK(s.stddev == doctest::Approx(std::sqrt(ss / count)).epsilon(1e-6));
        CHECK(s.sample_stddev ==
              doctest::Approx(std::sqrt(ss / static_cast<double>(win.count - 1))).epsilon(1e-6));
        CHECK(s.min == mn);
        CHECK(s.max == mx);
        CHECK(s.rms == doctest::Approx(std::sqrt(sq / count)).epsilon(1e-12));
      }
    }
  }

  TEST_CASE("window 0 is one window and a single row has zero spread") {
    Matrix x{1, 2, {3.0, -4.0}};
    auto w = WindowStatistics(x, 0);
    REQUIRE(w.ok());
    REQUIRE(w->size() == 1);
    CHECK((*w)[0].channels[1].stddev == 0);
    CHECK((*w)[0].channels[1].sample_stddev == 0);
    CHECK((*w)[0].channels[1].rms == 4.0);
    CHECK(WindowStatistics(Matrix{}, 5).value().empty());
  }

  TEST_CASE("non-finite values and inconsistent shapes are rejected") {
    Matrix x{2, 1, {1.0, std::nan("")}};
    CHECK(WindowStatistics(x, 1).status().code() == Status::Code::kInvalidArgument);
    Matrix bad{3, 2, {1.0}};
    CHECK_FALSE(WindowStatistics(bad, 1).ok());
    CHECK_FALSE(MatrixFromRows({{1.0, 2.0}, {3.0}}).ok());
  }

  TEST_CASE("matrix from sample records") {
    std::vector<Record> recs(3);
    for (size_t i = 0; i < 3; ++i) {
      recs[i].payload = EncodeSamples({double(i), double(i) * 10});
    }
    auto m = MatrixFromRecords(recs, 2);
    REQUIRE(m.ok());
    CHECK(m->rows == 3);
    CHECK(m->at(2, 1) == 20.0);
    recs[1].payload = "xyz";
    CHECK_FALSE(MatrixFromRecords(recs, 2).ok());
    CHECK_FALSE(MatrixFromRecords(recs, 0).ok());
  }
}

TEST_SUITE("analysis_zscore") {
  TEST_CASE("running z matches batch statistics and flags a spike after warm-up") {
    Matrix x = RandomMatrix(200, 2, 3);
    x.v[150 * 2 + 1] = 50.0;  // spike in channel 1
    x.v[5 * 2 + 0] = 50.0;    // spike during warm-up: not flagged
    RunningZ z(2, ZParams{4.0, 30});
    auto r = ZScore(x, z);
    REQUIRE(r.ok());
    REQUIRE(r->anomalies.size() == 1);
    CHECK(r->anomalies[0].row == 150);
    CHECK(r->anomalies[0].channel == 1);
    CHECK(r->anomalies[0].value == 50.0);
    CHECK(r->anomalies[0].z > 4.0);
    CHECK(z.count() == 200);
    double sum = 0;
    for (size_t i = 0; i < 200; ++i) sum += x.at(i, 0);
    const double mean = sum / 200;
    double ss = 0;
    for (size_t i = 0; i < 200; ++i) ss += (x.at(i, 0) - mean) * (x.at(i, 0) - mean);
    CHECK(z.mean(0) == doctest::Approx(mean).epsilon(1e-12));
    CHECK(z.variance(0) == doctest::Approx(ss / 200).epsilon(1e-12));
  }

  TEST_CASE("state persists across chunks through Serialize and Restore") {
    Matrix x = RandomMatrix(100, 3, 11);
    RunningZ whole(3);
    std::vector<double> last_whole;
    for (size_t r = 0; r < 100; ++r) last_whole = whole.Update(x.row(r)).value();
    RunningZ first(3);
    for (size_t r = 0; r < 60; ++r) REQUIRE(first.Update(x.row(r)).ok());
    auto second = RunningZ::FromBlob(first.Serialize());
    REQUIRE(second.ok());
    std::vector<double> last;
    for (size_t r = 60; r < 100; ++r) last = second->Update(x.row(r)).value();
    CHECK(last == last_whole);
    CHECK(second->Serialize() == whole.Serialize());

    RunningZ other(2);
    CHECK(other.Restore(first.Serialize()).code() == Status::Code::kInvalidArgument);
    std::string blob = first.Serialize();
    CHECK(first.Restore(blob.substr(0, blob.size() - 1)).code() == Status::Code::kCorruption);
    CHECK(first.Restore("").code() == Status::Code::kCorruption);
    CHECK_FALSE(RunningZ::FromBlob(blob + "x").ok());
  }

  TEST_CASE("constant channels give z 0 and bad rows leave the state unchanged") {
    RunningZ z(1, ZParams{1.0, 2});
    for (int i = 0; i < 5; ++i) CHECK(z.Update(std::vector<double>{2.0}).value()[0] == 0.0);
    const std::string before = z.Serialize();
    CHECK_FALSE(z.Update(std::vector<double>{INFINITY}).ok());
    CHECK_FALSE(z.Update(std::vector<double>{1.0, 2.0}).ok());
    CHECK(z.Serialize() == before);
    Matrix x{1, 1, {100.0}};
    CHECK(ZScore(x, z).value().anomalies.empty());  // sd 0 before this row: z defined as 0
  }
}

TEST_SUITE("analysis_msmve") {
  TEST_CASE("fast counts equal the naive scan on random signals") {
    struct Combo {
      size_t rows, p;
      std::vector<int> m, tau;
      double r;
      int scales;
    };
    const std::vector<Combo> combos = {
        {300, 1, {2}, {1}, 0.15, 5},      {400, 3, {2}, {1}, 0.15, 6},
        {257, 2, {1, 3}, {2, 1}, 0.2, 4}, {350, 4, {2, 1, 3, 2}, {1, 3, 2, 1}, 0.1, 5},
        {200, 3, {3}, {2}, 0.3, 3},       {129, 5, {1}, {1}, 0.05, 3},
        {500, 2, {2}, {70}, 0.15, 2},     {333, 6, {2}, {1}, 0.15, 4},
    };
    uint64_t seed = 1;
    for (const auto& c : combos) {
      MsmveParams prm{c.m, c.tau, c.r, c.scales};
      for (int kind = 0; kind < 2; ++kind) {
        Matrix x =
            kind == 0 ? RandomMatrix(c.rows, c.p, seed) : CorrelatedMatrix(c.rows, c.p, seed);
        ++seed;
        INFO("rows " << c.rows << " p " << c.p << " r " << c.r << " kind " << kind);
        auto fast = Msmve(x, prm);
        REQUIRE(fast.ok());
        CheckSame(*fast, naive::NaiveMsmve(x, prm));
      }
    }
  }

  TEST_CASE("quantised signals with many ties and exact-tolerance distances agree") {
    // Values on a grid make |a - b| == tol happen exactly: the boundary must count as a match.
    std::mt19937_64 rng(5);
    Matrix x{300, 3, std::vector<double>(900)};
    for (auto& v : x.v) v = static_cast<double>(rng() % 5);
    for (double r : {0.0, 0.1, 0.25, 0.5}) {
      MsmveParams prm{{2}, {1}, r, 3};
      auto fast = Msmve(x, prm);
      REQUIRE(fast.ok());
      CheckSame(*fast, naive::NaiveMsmve(x, prm));
    }
  }

  TEST_CASE("constant channels are zeros and all-constant input is defined") {
    Matrix x = RandomMatrix(200, 3, 9);
    for (size_t r = 0; r < 200; ++r) x.v[r * 3 + 1] = 0.1;  // sum/N != 0.1 exactly
    MsmveParams prm{{2}, {1}, 0.15, 3};
    auto fast = Msmve(x, prm);
    REQUIRE(fast.ok());
    CHECK(fast->constant_channels == std::vector<size_t>{1});
    CheckSame(*fast, naive::NaiveMsmve(x, prm));

    Matrix flat{100, 2, std::vector<double>(200, 3.0)};
    auto f = Msmve(flat, prm);
    REQUIRE(f.ok());
    CheckSame(*f, naive::NaiveMsmve(flat, prm));
    CHECK(f->scales[0].defined);
    CHECK(f->scales[0].entropy == 0.0);  // every pair matches at m and m+1
    CHECK(f->scales[0].b0 == 1.0);
    CHECK(f->scales[0].bt == 1.0);
  }

  TEST_CASE("short input and no matches are reported, never NaN") {
    MsmveParams prm{{2}, {1}, 0.15, 4};
    Matrix x = RandomMatrix(5, 2, 2);
    auto r = Msmve(x, prm);
    REQUIRE(r.ok());
    CheckSame(*r, naive::NaiveMsmve(x, prm));
    CHECK(r->scales[0].defined == (r->scales[0].bt_count > 0 && r->scales[0].b0_count > 0));
    CHECK_FALSE(r->scales[3].defined);
    CHECK(r->scales[3].reason == "too few m-vectors");  // L = 1
    auto j = ToJson(*r);
    CHECK(j["scales"][3]["entropy"].is_null());
    CHECK(j["scales"][3]["defined"] == false);

    // r = 0 on continuous noise: no pair matches.
    Matrix y = RandomMatrix(100, 2, 3);
    auto z = Msmve(y, MsmveParams{{2}, {1}, 0.0, 1});
    REQUIRE(z.ok());
    CHECK_FALSE(z->scales[0].defined);
    CHECK(z->scales[0].reason == "no matches at m");

    Matrix empty{0, 3, {}};
    auto e = Msmve(empty, prm);
    REQUIRE(e.ok());
    CHECK_FALSE(e->scales[0].defined);
  }

  TEST_CASE("invalid parameters are rejected") {
    Matrix x = RandomMatrix(50, 2, 1);
    CHECK_FALSE(Msmve(x, MsmveParams{{2, 2, 2}, {1}, 0.15, 2}).ok());
    CHECK_FALSE(Msmve(x, MsmveParams{{0}, {1}, 0.15, 2}).ok());
    CHECK_FALSE(Msmve(x, MsmveParams{{2}, {0}, 0.15, 2}).ok());
    CHECK_FALSE(Msmve(x, MsmveParams{{2}, {1}, -1, 2}).ok());
    CHECK_FALSE(Msmve(x, MsmveParams{{2}, {1}, 0.15, 0}).ok());
    CHECK_FALSE(Msmve(Matrix{1, 0, {}}, MsmveParams{}).ok());
    Matrix nan{2, 1, {1.0, NAN}};
    CHECK_FALSE(Msmve(nan, MsmveParams{}).ok());
  }

  TEST_CASE("a longer window exercises multi-word shifts and larger prefix blocks") {
    Matrix x = CorrelatedMatrix(9000, 2, 21);
    MsmveParams prm{{2, 3}, {65, 2}, 0.15, 1};  // lag > 64: word-level shift
    auto fast = Msmve(x, prm);
    REQUIRE(fast.ok());
    CheckSame(*fast, naive::NaiveMsmve(x, prm));
  }
}

}  // namespace tern::analysis
