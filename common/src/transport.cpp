// MQTT topic matching, shared by every Transport implementation that routes messages itself
// (the fake one in common/testing/); libmosquitto matches for the real client.
#include "tern/common/transport.h"

namespace tern {

bool TopicMatches(std::string_view filter, std::string_view topic) {
  size_t f = 0, t = 0;
  while (true) {
    size_t fe = filter.find('/', f);
    size_t te = topic.find('/', t);
    std::string_view fl = filter.substr(f, fe == std::string_view::npos ? fe : fe - f);
    if (fl == "#") return true;          // the rest, including the parent level itself
    if (t > topic.size()) return false;  // filter has more levels than the topic
    std::string_view tl = topic.substr(t, te == std::string_view::npos ? te : te - t);
    if (fl != "+" && fl != tl) return false;
    if (fe == std::string_view::npos || te == std::string_view::npos) {
      if (fe == std::string_view::npos && te == std::string_view::npos) return true;
      // "a/#" matches "a": the filter's next (last) level is '#'.
      return te == std::string_view::npos && filter.substr(fe + 1) == "#";
    }
    f = fe + 1;
    t = te + 1;
  }
}

}  // namespace tern
