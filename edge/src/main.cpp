// tern-edge: the site box agent. Thin: config and signals here, logic in tern_edge.
#include <spdlog/spdlog.h>

#include "preflight.h"
#include "start_gate.h"
#include "tern/common/daemon.h"
#include "tern/edge/agent.h"

namespace {
class EdgeDaemon : public tern::Daemon {
 public:
  explicit EdgeDaemon(std::unique_ptr<tern::edge::EdgeAgent> a) : agent_(std::move(a)) {}
  tern::Status Start() override { return agent_->Start(); }
  // A signal while the agent waits for its address (the core, or the broker, is missing).
  void Cancel() override { agent_->CancelStart(); }
  void Stop() override { agent_->Stop(); }
  // 3 when the core refused our name (another box holds it): not to be restarted blindly.
  int StartFailureExitCode(const tern::Status& s) const override {
    return tern::edge::IsRegistrationRefused(s) ? tern::edge::kExitIdentityRefused : 1;
  }
  void Pause() override {
    agent_->StopCollecting();
    spdlog::info("tern-edge: SIGUSR1: collecting stopped; replication and acks go on");
  }

 private:
  std::unique_ptr<tern::edge::EdgeAgent> agent_;
};
}  // namespace

int main(int argc, char** argv) {
  // --check: the preflight (docs/preflight.md); it never starts the agent.
  if (tern::WantsCheck(argc, argv)) {
    return tern::RunCheck(argc, argv, tern::edge::EdgeConfigSchema(), tern::edge::EdgePreflight);
  }
  return tern::RunDaemon(argc, argv, tern::edge::EdgeConfigSchema(), "node.name",
                         [](const tern::Config& c) -> tern::Result<std::unique_ptr<tern::Daemon>> {
                           TERN_ASSIGN_OR_RETURN(auto agent, tern::edge::EdgeAgent::Create(
                                                                 tern::edge::EdgeOptionsFrom(c)));
                           return std::unique_ptr<tern::Daemon>(new EdgeDaemon(std::move(agent)));
                         });
}
