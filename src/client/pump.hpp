// src/client/pump.hpp: moves bytes between a Transport and a Session on one io_context: one read and one write in
// flight at most, the session's output copied out before it is written, events handled between completions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "client/session.hpp"
#include "client/transport.hpp"

namespace h2push::client {

class Pump {
 public:
  Pump(asio::io_context& io, Transport& transport) : io_(io), transport_(transport), read_buffer_(64 * 1024) {}
  ~Pump();
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;

  // Runs until `until()` holds, the session fails or closes, or the deadline passes. Returns the failure as one
  // line (the session's, a transport error, or a timeout); std::nullopt otherwise (check `until()` again: the
  // connection may have closed first). A read completed but not yet handled is kept for the next run, which may
  // drive another session (the HTTP/2 session after an h2c upgrade).
  std::optional<std::string> run(Session& session, const std::function<bool()>& until, Clock::time_point deadline);
  // One step without blocking, for several connections on one io_context (the page-load lab): handles a completed
  // read or write, then starts the next ones. Returns a failure like run(); the caller runs the io_context once
  // between steps. finished(): the connection will carry nothing more.
  std::optional<std::string> step(Session& session);
  bool finished(const Session& session) const { return eof_ || session.closed(); }
  // Writes what the session has left (e.g. a GOAWAY) for at most until `deadline`, then closes the transport.
  void finish(Session& session, Clock::time_point deadline);

 private:
  void start_write(Session& session);
  void start_read();
  void drain() noexcept;
  std::optional<std::string> handle_completions(Session& session);

  asio::io_context& io_;
  Transport& transport_;
  std::vector<std::byte> read_buffer_;
  std::vector<std::byte> write_buffer_;
  bool reading_ = false;
  bool writing_ = false;
  bool read_done_ = false;
  bool write_done_ = false;
  std::error_code read_error_;
  std::error_code write_error_;
  std::size_t read_size_ = 0;
  bool eof_ = false;
};

}  // namespace h2push::client
