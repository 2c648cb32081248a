// include/h2push/version.hpp: the library's version.
#pragma once

#include <string_view>

namespace h2push {

// "MAJOR.MINOR.PATCH" of the library this program was linked with.
std::string_view version() noexcept;

}  // namespace h2push
