// The one wrapper over libsystemd's sd_notify. Newlines in a status would start another
// assignment in the datagram, so they are replaced by spaces.
#include "tern/common/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tern::systemd {
namespace {
std::atomic<bool> g_warned{false};

void Send(const std::string& state) {
  if (!UnderNotify()) return;
  const int rc = sd_notify(0, state.c_str());
  if (rc < 0 && !g_warned.exchange(true)) {
    spdlog::warn("sd_notify to NOTIFY_SOCKET {} failed: {} (systemd may not see the state)",
                 std::getenv("NOTIFY_SOCKET"), std::strerror(-rc));
  }
}

std::string StatusLine(std::string_view status) {
  std::string s = "STATUS=";
  for (char c : status) s += (c == '\n' || c == '\r') ? ' ' : c;
  return s;
}
}  // namespace

bool UnderNotify() {
  const char* s = std::getenv("NOTIFY_SOCKET");
  return s != nullptr && *s != '\0';
}

void NotifyReady(std::string_view status) { Send("READY=1\n" + StatusLine(status)); }
void NotifyStopping(std::string_view status) { Send("STOPPING=1\n" + StatusLine(status)); }
void NotifyStatus(std::string_view status) { Send(StatusLine(status)); }

}  // namespace tern::systemd
