// Table-driven hostile input over every control message type and every field: each field is
// in turn removed, set to null, to the wrong type, to a huge or negative number, to a 1 MB
// string and to 10,000 levels of nesting. Decoding never throws; every value of the wrong
// shape is rejected, and a Dispatcher counts each rejection and keeps going.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "tern/common/dispatch.h"
#include "tern/common/messages.h"

namespace tern::msg {
namespace {

struct Type {
  std::string name;
  std::string valid;  // a valid encoding
  std::function<Status(const std::string&)> decode;
  std::vector<std::string> required;              // JSON pointers that must be present
  std::function<void(Dispatcher&, int*)> handle;  // registers a counting handler
};

template <typename M>
Type Make(const M& m, std::vector<std::string> required) {
  return {M::kType, m.Encode(), [](const std::string& t) { return DecodeText<M>(t).status(); },
          std::move(required),
          [](Dispatcher& d, int* n) { d.On<M>([n](const M&, const std::string&) { ++*n; }); }};
}

std::vector<Type> AllTypes() {
  ChunkId id(std::string(32, '\x42'));
  StoredNotice n;
  n.id = id;
  n.holder = 3;
  n.origin = 2;
  n.source = "vib";
  n.seq = 5;
  n.records = 9;
  n.bytes = 100;
  ResultNote rn;
  rn.id = id;
  rn.processor = "zscore";
  rn.origin = 2;
  rn.source = "vib";
  rn.source_chunk = id;
  rn.anomalies = 1;
  rn.summary = {{"anomalies", {{{"t", 1}}}}};
  Heartbeat hb;
  hb.addr = 3;
  hb.name = "e";
  hb.counters = {{"x", 1}};
  Registered rd;
  rd.name = "e";
  rd.addr = 3;
  rd.settings = SettingsBody{"e", "keep", 1, "samples", 0, 1};
  Members mem;
  mem.nodes = {{1, "a", "live", 0.5}};
  return {
      Make(Register{"e", 5}, {"/name"}),
      Make(rd, {"/name", "/addr"}),
      Make(RegistrationRefused{"why"}, {}),
      Make(hb, {"/addr"}),
      Make(Offline{3}, {}),
      Make(mem, {"/nodes", "/nodes/0/addr", "/nodes/0/state"}),
      Make(Stored(n), {"/id", "/holder", "/origin", "/source", "/seq", "/t_first", "/t_last",
                       "/records", "/bytes", "/priority", "/kind"}),
      Make(Dropped{id, 3}, {"/id", "/holder"}),
      Make(PutAck{id, 3}, {"/id", "/holder"}),
      Make(PutNack{id, 3, "r"}, {"/id", "/holder"}),
      Make(RestateNack{id, 3, "r"}, {"/id", "/holder"}),
      Make(Ack{id, {1, 2, 3}}, {"/id", "/holders"}),
      Make(Refused{id, "r"}, {"/id"}),
      Make(Throttle{id, "r", 5}, {"/id"}),
      Make(rn, {"/id", "/processor", "/origin", "/source", "/source_chunk", "/source_seq",
                "/anomalies", "/summary"}),
      Make(Settings{SettingsBody{"e", "keep", 1, "samples", 0, 1}}, {"/settings"}),
      Make(Restate{id, 3}, {"/id", "/to"}),
      Make(Delete{id}, {"/id"}),
  };
}

// Every member of every object below the top, except inside free-form parts.
void Pointers(const nlohmann::json& j, const std::string& at, std::vector<std::string>* out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      std::string p = at + "/" + k;
      if (p == "/v" || p == "/type") continue;
      out->push_back(p);
      if (p != "/summary") Pointers(v, p, out);
    }
  } else if (j.is_array() && !j.empty() && j[0].is_object()) {
    Pointers(j[0], at + "/0", out);
  }
}

}  // namespace

TEST_SUITE("messages") {
  TEST_CASE("every field of every message rejects hostile values without throwing") {
    const std::string mb(1 << 20, 'x');
    const std::string deep = std::string(10000, '[') + std::string(10000, ']');
    Metrics m;
    int checked = 0, rejected = 0;
    for (const auto& t : AllTypes()) {
      INFO("type " << t.name);
      REQUIRE(t.decode(t.valid).ok());
      auto base = nlohmann::json::parse(t.valid);
      std::vector<std::string> ptrs;
      Pointers(base, "", &ptrs);
      Dispatcher d(&m, "test", t.name);
      int handled = 0;
      t.handle(d, &handled);
      auto expect = [&](const std::string& text, bool must_reject, const std::string& what) {
        INFO(what);
        Status s = Status::Ok();
        CHECK_NOTHROW(s = t.decode(text));
        ++checked;
        if (!s.ok()) ++rejected;
        if (must_reject) CHECK_FALSE(s.ok());
        int64_t before = m.Get("rejected_" + t.name);
        int handled_before = handled;
        bool ran = false;
        CHECK_NOTHROW(ran = d.Dispatch("t/" + t.name, text));
        CHECK(ran == s.ok());
        CHECK(m.Get("rejected_" + t.name) == before + (s.ok() ? 0 : 1));
        CHECK(handled == handled_before + (s.ok() ? 1 : 0));
      };
      for (const auto& p : ptrs) {
        auto ptr = nlohmann::json::json_pointer(p);
        const auto& orig = base[ptr];
        const bool free_form = p.rfind("/counters/", 0) == 0;
        auto with = [&](const nlohmann::json& v) {
          auto j = base;
          j[ptr] = v;
          return j.dump();
        };
        {
          auto j = base;
          j[ptr.parent_pointer()].erase(p.substr(p.rfind('/') + 1));
          bool req = std::find(t.required.begin(), t.required.end(), p) != t.required.end();
          expect(j.dump(), req, p + " missing");
        }
        expect(with(nullptr), true, p + " null");
        expect(with(true), !orig.is_boolean(), p + " bool");
        if (orig.is_boolean()) {
          expect(with(1), true, p + " number for a bool");
          expect(with("true"), true, p + " string for a bool");
        }
        expect(with(mb), true, p + " 1 MB string");
        if (!orig.is_array()) expect(with(nlohmann::json::array({1})), true, p + " array");
        if (!orig.is_object())
          expect(with(nlohmann::json::object({{"a", 1}})), true, p + " object");
        {
          auto j = base;
          j[ptr] = 0;
          std::string text = j.dump();
          text.replace(text.find(":0", text.find("\"" + p.substr(p.rfind('/') + 1) + "\"")), 2,
                       ":" + deep);
          expect(text, true, p + " 10,000-deep nesting");
        }
        if (orig.is_string()) expect(with(5), true, p + " number for a string");
        if (orig.is_number()) {
          expect(with("x"), true, p + " string for a number");
          expect(with(1e300), !free_form, p + " huge");
          if (orig.is_number_integer()) {
            expect(with(1.5), true, p + " fraction for an integer");
            expect(with(18446744073709551615ull), false, p + " 2^64-1");
            expect(with(-1), !free_form, p + " negative");
          }
        }
        if (orig.is_string()) expect(with(""), false, p + " empty");
      }
    }
    MESSAGE(checked << " hostile variants checked, " << rejected << " rejected");
    CHECK(checked > 700);
  }
}

}  // namespace tern::msg
