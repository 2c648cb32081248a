// include/h2push/hpack.h: the HPACK codec (RFC 7541), all of its public API in one include.
#pragma once

#include "h2push/hpack/decoder.hpp"      // IWYU pragma: export
#include "h2push/hpack/encoder.hpp"      // IWYU pragma: export
#include "h2push/hpack/header_list.hpp"  // IWYU pragma: export
#include "h2push/hpack/huffman.hpp"      // IWYU pragma: export
#include "h2push/hpack/types.hpp"        // IWYU pragma: export
