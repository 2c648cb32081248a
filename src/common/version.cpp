#include "h2push/version.hpp"

#include "h2push/version_config.hpp"

namespace h2push {

std::string_view version() noexcept { return H2PUSH_VERSION_STRING; }

}  // namespace h2push
