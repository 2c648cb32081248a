// include/h2push/body_source.hpp: a message body produced on demand, shared by the HTTP/1.1 and HTTP/2 cores.
#pragma once

#include <cstddef>
#include <memory>
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
  // Octets lent by borrow() instead of copied by read().
  struct Loan {
    std::span<const std::byte> bytes{};   // at most the `max` asked for; immutable while `owner` is held
    std::shared_ptr<const void> owner{};  // keeps `bytes` alive (may alias a larger object); null only for octets
                                          // that outlive every connection (static storage)
    bool end = false;                     // the body is complete after these octets
    bool failed = false;                  // as Read::failed
  };
  virtual ~BodySource() = default;
  // Fills up to out.size() octets. `out` is valid only during the call (a core may hand out room in its own output
  // buffer), and read() must not call into the protocol core that asked. Returning 0 octets without `end` means
  // "nothing yet": the protocol core stops asking until the application resumes the body (e.g.
  // http2::Connection::resume_body()).
  virtual Read read(std::span<std::byte> out) = 0;
  // Optionally lends up to `max` octets instead of copying them: a core that can send octets it does not own (the
  // HTTP/2 core with Options::reference_bodies) asks this first and falls back to read() when it returns false.
  // Returning true fills `loan` and advances the body exactly as a read() of loan.bytes.size() octets would (0
  // octets without `end`: "nothing yet", as for read()). The core keeps `loan.owner` until the octets are written,
  // so they must stay valid and unchanged while it is held, whatever happens to the source meanwhile (it may be
  // destroyed, the file it came from may change). Like read(), borrow() must not call into the core. The default
  // lends nothing, so every source that only implements read() keeps working; a source may lend on some calls and
  // not on others.
  virtual bool borrow(std::size_t max, Loan& loan) {
    (void)max;
    (void)loan;
    return false;
  }
};

}  // namespace h2push
