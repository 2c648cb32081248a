// tests/server/push_policy_stub.cpp: a stand-in for src/server/push_policy.cpp while the site planner it needs is
// not merged (see async_session_tests.cmake). The async session tests run with push off: decide() is never called.
#include "server/push_policy.hpp"

namespace h2push::server {

std::string push_log_suffix(const PushDecision&, std::uint64_t) { return {}; }
PushPolicy::PushPolicy(PlanLookup plans, PushConfig config) : plans_(std::move(plans)), config_(std::move(config)) {}
PushDecision PushPolicy::decide(const Request&, const ClientView&) const { return {}; }

}  // namespace h2push::server
