// include/h2push/body_source.hpp: a message body produced on demand, shared by the HTTP/1.1 and HTTP/2 cores.
#pragma once

#include <cstddef>
#include <span>

namespace h2push {

// A body pulled as the transport can take it (flow-control windows, socket writability): a file is read as it is
// sent, never loaded whole.
class BodySource {
 public:
  struct Read {
    std::size_t length = 0;  // octets written to the buffer
    bool end = false;        // the body is complete
    bool failed = false;     // the body cannot be produced: the message is aborted (HTTP/2: RST_STREAM)
  };
  virtual ~BodySource() = default;
  // Fills up to out.size() octets. `out` is valid only during the call (a core may hand out room in its own output
  // buffer), and read() must not call into the protocol core that asked. Returning 0 octets without `end` means
  // "nothing yet": the protocol core stops asking until the application resumes the body (e.g.
  // http2::Connection::resume_body()).
  virtual Read read(std::span<std::byte> out) = 0;
};

}  // namespace h2push
