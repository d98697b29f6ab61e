// tern-core: the machine-room daemon. Thin: config and signals here, logic in tern_core.
#include "preflight.h"
#include "tern/common/daemon.h"
#include "tern/core/core.h"

namespace {
class CoreDaemon : public tern::Daemon {
 public:
  explicit CoreDaemon(std::unique_ptr<tern::core::Core> c) : core_(std::move(c)) {}
  // Does not wait for the broker (the MQTT client retries on its own thread), so there is
  // nothing to cancel: a signal during the start is handled once it returns.
  tern::Status Start() override { return core_->Start(); }
  void Stop() override { core_->Stop(); }

 private:
  std::unique_ptr<tern::core::Core> core_;
};
}  // namespace

int main(int argc, char** argv) {
  // --check: the preflight (docs/preflight.md); it never starts the core.
  if (tern::WantsCheck(argc, argv)) {
    return tern::RunCheck(argc, argv, tern::core::CoreConfigSchema(), tern::core::CorePreflight);
  }
  return tern::RunDaemon(argc, argv, tern::core::CoreConfigSchema(), "node.name",
                         [](const tern::Config& c) -> tern::Result<std::unique_ptr<tern::Daemon>> {
                           TERN_ASSIGN_OR_RETURN(
                               auto core, tern::core::Core::Create(tern::core::CoreOptionsFrom(c)));
                           return std::unique_ptr<tern::Daemon>(new CoreDaemon(std::move(core)));
                         });
}
