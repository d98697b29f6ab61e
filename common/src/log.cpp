// spdlog configuration for tern binaries.
#include "tern/common/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <vector>

namespace tern {

Status InitLogging(const std::string& node_name, const std::string& level,
                   const std::string& file) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("log level '" + level +
                                   "' is not one of trace, debug, info, warn, error, off");
  }
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!file.empty()) {
    try {  // spdlog throws on an unwritable path; keep the exception inside this wrapper
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, false));
    } catch (const std::exception& e) {
      return Status::IoError("log file " + file + ": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>(node_name, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ [%n] %v");
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
  return Status::Ok();
}

}  // namespace tern
