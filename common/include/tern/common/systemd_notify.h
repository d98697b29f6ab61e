// Tells systemd what a daemon started as a Type=notify unit is doing (sd_notify(3)):
// READY=1 once it is really serving, STOPPING=1 when a stop begins, STATUS= lines for
// `systemctl status`. Every call is a no-op when NOTIFY_SOCKET is unset (not under
// systemd, tests, ./tern site), and a failure to notify is logged once, never fatal.
// The one file that includes <systemd/sd-daemon.h> is systemd_notify.cpp.
// Thread-safety: thread-safe (sd_notify opens a datagram socket per call).
#pragma once

#include <string_view>

namespace tern::systemd {

// True when the process runs under a notify-type service manager (NOTIFY_SOCKET set).
bool UnderNotify();
// READY=1 with STATUS=`status`: the daemon serves from now on.
void NotifyReady(std::string_view status);
// STOPPING=1 with STATUS=`status`: the daemon is shutting down.
void NotifyStopping(std::string_view status);
// STATUS=`status` alone.
void NotifyStatus(std::string_view status);

}  // namespace tern::systemd
