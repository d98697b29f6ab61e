// The store protocol's messages round-trip through Encode/Decode, and a block report is
// bounded and checked entry by entry before it is accepted.
#include "tern/common/store_messages.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tern/common/bytes.h"
#include "tern/common/messages.h"

namespace tern::msg {
namespace {

ChunkId Id(char c) { return ChunkId(std::string(32, c)); }

template <typename M>
M RoundTrip(const M& m) {
  auto r = DecodeText<M>(m.Encode());
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->Encode() == m.Encode());
  return *r;
}

}  // namespace

TEST_SUITE("store_messages") {
  TEST_CASE("every store-protocol message round-trips") {
    CHECK(RoundTrip(DigestRequest{7, true}).rehash);
    BlockReport br;
    br.holder = 3;
    br.report = 9;
    br.page = 2;
    br.last = true;
    br.total = 4002;
    br.chunks = {{Id('\x01'), 100}, {Id('\x02'), 1 << 20}};
    br.corrupt = {Id('\x03')};
    auto back = RoundTrip(br);
    REQUIRE(back.chunks.size() == 2);
    CHECK(back.chunks[1].bytes == (1u << 20));
    CHECK(back.corrupt.at(0) == Id('\x03'));
    CHECK(RoundTrip(Corrupt{Id('\x04'), 5, "scrub"}).reason == "scrub");
    CHECK(RoundTrip(Copy{Id('\x05'), "edge-2", 2, 11}).to == "edge-2");
    CHECK(RoundTrip(CopyNack{Id('\x06'), 1, "edge-2", 11, "not held"}).req == 11);
    CHECK(RoundTrip(Get{Id('\x07'), 12}).req == 12);
    CHECK(RoundTrip(GetNack{Id('\x08'), 1, 12, "corrupt"}).reason == "corrupt");
  }

  TEST_CASE("a block report with a bad entry or too many entries is refused") {
    auto page = [](const std::string& chunks) {
      return R"({"v":1,"type":"block_report","holder":1,"report":1,"page":0,"total":1,"chunks":)" +
             chunks + "}";
    };
    CHECK(DecodeText<BlockReport>(page("[]")).ok());
    CHECK_FALSE(DecodeText<BlockReport>(page("{}")).ok());
    CHECK_FALSE(DecodeText<BlockReport>(page(R"([["zz",1]])")).ok());
    CHECK_FALSE(DecodeText<BlockReport>(page("[[\"" + ToHex(Id('\x01')) + "\",-1]]")).ok());
    CHECK_FALSE(DecodeText<BlockReport>(page("[[\"" + ToHex(Id('\x01')) + "\"]]")).ok());
    std::string many = "[";
    for (size_t i = 0; i <= kMaxBlockReportEntries; ++i) {
      if (i) many += ",";
      many += "[\"" + ToHex(Id('\x01')) + "\",1]";
    }
    many += "]";
    auto r = DecodeText<BlockReport>(page(many));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("entries") != std::string::npos);
  }

  TEST_CASE("a copy needs a target and a get needs a request number") {
    CHECK_FALSE(DecodeText<Copy>(R"({"v":1,"type":"copy","id":")" + ToHex(Id('\x01')) +
                                 R"(","to":"","to_addr":2,"req":1})")
                    .ok());
    CHECK_FALSE(
        DecodeText<Get>(R"({"v":1,"type":"get","id":")" + ToHex(Id('\x01')) + R"("})").ok());
  }

  TEST_CASE("an analysis task and its answer round-trip, and bad ones are refused") {
    AnalyzeTask t;
    t.req = 5;
    t.chunks = {Id('\x01'), Id('\x02')};
    t.params = {{"msmve", false}};
    auto back = RoundTrip(t);
    CHECK(back.chunks.size() == 2);
    CHECK(back.ChunkCount() == 2);
    CHECK(back.params["msmve"] == false);
    // Named by series runs with the digest of the ids they stand for.
    AnalyzeTask s;
    s.req = 6;
    s.series = {{2, "rig.ch0", 10, 59, 100, 900}, {3, "rig.ch0", 7, 7, 300, 300}};
    s.digest = TaskDigest({Id('\x01'), Id('\x02')});
    auto sback = RoundTrip(s);
    CHECK(sback.series == s.series);
    CHECK(sback.digest == s.digest);
    CHECK(sback.chunks.empty());
    CHECK(sback.ChunkCount() == 51);
    // The digest follows the order of the ids.
    CHECK(TaskDigest({Id('\x01'), Id('\x02')}) != TaskDigest({Id('\x02'), Id('\x01')}));
    AnalyzeAnswer ok{5, 3, {{"rows", 10}}, "", 12};
    CHECK(RoundTrip(ok).output["rows"] == 10);
    AnalyzeAnswer err{5, 3, nullptr, "busy", 0};
    CHECK(RoundTrip(err).error == "busy");

    const std::string a = ToHex(Id('\x01'));
    for (
        const std::string& bad : std::vector<std::string>{
            R"({"v":1,"type":"analyze","req":1,"chunks":[]})",
            R"({"v":1,"type":"analyze","req":1,"chunks":[")" + a + R"(",")" + a + R"("]})",
            R"({"v":1,"type":"analyze","req":1,"chunks":["zz"]})",
            R"({"v":1,"type":"analyze","req":1,"chunks":[")" + a + R"("],"params":[1]})",
            R"({"v":1,"type":"analyze","req":1})",
            R"({"v":1,"type":"analyze","req":1,"chunks":[")" + a + R"("],"series":[]})",
            R"({"v":1,"type":"analyze","req":1,"series":[],"digest":")" + a + R"("})",
            // no digest; seq_first > seq_last; t_lo > t_hi; a run past the limit; no source
            R"({"v":1,"type":"analyze","req":1,"series":[{"origin":2,"source":"s","seq_first":1,"seq_last":2,"t_lo":0,"t_hi":1}]})",
            R"({"v":1,"type":"analyze","req":1,"digest":")" + a +
                R"(","series":[{"origin":2,"source":"s","seq_first":3,"seq_last":2,"t_lo":0,"t_hi":1}]})",
            R"({"v":1,"type":"analyze","req":1,"digest":")" + a +
                R"(","series":[{"origin":2,"source":"s","seq_first":1,"seq_last":2,"t_lo":5,"t_hi":1}]})",
            R"({"v":1,"type":"analyze","req":1,"digest":")" + a +
                R"(","series":[{"origin":2,"source":"s","seq_first":0,"seq_last":18446744073709551615,"t_lo":0,"t_hi":1}]})",
            R"({"v":1,"type":"analyze","req":1,"digest":")" + a +
                R"(","series":[{"origin":2,"source":"","seq_first":1,"seq_last":2,"t_lo":0,"t_hi":1}]})",
            std::string(R"({"v":1,"type":"analyze_answer","req":1,"holder":2})"),
            std::string(
                R"({"v":1,"type":"analyze_answer","req":1,"holder":2,"error":"x","output":{}})")}) {
      CHECK_MESSAGE(!DecodeText<AnalyzeTask>(bad).ok(), bad);
      CHECK_MESSAGE(!DecodeText<AnalyzeAnswer>(bad).ok(), bad);
    }
    AnalyzeTask big;
    for (int i = 0; i <= static_cast<int>(kMaxTaskChunks); ++i) {
      std::string raw(32, '\0');
      raw[0] = static_cast<char>(i & 0xff);
      raw[1] = static_cast<char>(i >> 8);
      big.chunks.push_back(ChunkId(raw));
    }
    auto r = DecodeText<AnalyzeTask>(big.Encode());
    CHECK(r.status().message().find("more than " + std::to_string(kMaxTaskChunks)) !=
          std::string::npos);
    // Runs that are each small but too many chunks together.
    AnalyzeTask runs;
    runs.digest = Id('\x05');
    runs.series = {{2, "a", 0, kMaxTaskChunks / 2 - 1, 0, 1},
                   {2, "b", 0, kMaxTaskChunks / 2, 0, 1}};
    auto rr = DecodeText<AnalyzeTask>(runs.Encode());
    CHECK(rr.status().message().find("more than " + std::to_string(kMaxTaskChunks)) !=
          std::string::npos);
    runs.series[1].seq_last = kMaxTaskChunks / 2 - 1;
    CHECK(DecodeText<AnalyzeTask>(runs.Encode()).ok());
  }
}

}  // namespace tern::msg
