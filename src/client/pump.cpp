// src/client/pump.cpp
#include "client/pump.hpp"

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>

namespace h2push::client {

Pump::~Pump() { drain(); }

void Pump::drain() noexcept {
  transport_.close();
  // Cancelled operations complete with operation_aborted; their handlers reference this object.
  for (int i = 0; i < 1000 && (reading_ || writing_); ++i) {
    io_.restart();
    io_.run_one_for(std::chrono::milliseconds(10));
  }
}

void Pump::start_write(Session& session) {
  if (writing_) return;
  const std::span<const std::byte> out = session.pending_output();
  if (out.empty()) return;
  write_buffer_.assign(out.begin(), out.end());
  session.consume_output(out.size());
  writing_ = true;
  transport_.async_write(write_buffer_, [this](const std::error_code& ec, std::size_t) {
    writing_ = false;
    write_done_ = true;
    write_error_ = ec;
  });
}

void Pump::start_read() {
  if (reading_ || read_done_ || eof_) return;
  reading_ = true;
  transport_.async_read_some(read_buffer_, [this](const std::error_code& ec, std::size_t n) {
    reading_ = false;
    read_done_ = true;
    read_error_ = ec;
    read_size_ = n;
  });
}

std::optional<std::string> Pump::handle_completions(Session& session) {
  if (write_done_) {
    write_done_ = false;
    if (write_error_) return "write failed: " + write_error_.message();
  }
  if (read_done_) {
    read_done_ = false;
    if (read_size_ > 0) session.receive(std::span(read_buffer_).first(read_size_));
    if (read_error_) {
      const bool closed = read_error_ == asio::error::eof || read_error_ == asio::ssl::error::stream_truncated ||
                          read_error_ == asio::error::connection_reset;
      if (!closed) return "read failed: " + read_error_.message();
      eof_ = true;
      session.receive_eof();
    }
  }
  return session.failure();
}

std::optional<std::string> Pump::step(Session& session) {
  if (auto failure = handle_completions(session)) return failure;
  if (finished(session)) return std::nullopt;
  start_write(session);
  start_read();
  return std::nullopt;
}

std::optional<std::string> Pump::run(Session& session, const std::function<bool()>& until, Clock::time_point deadline) {
  while (true) {
    if (auto failure = handle_completions(session)) return failure;
    if (until()) return std::nullopt;
    if (eof_ || session.closed()) return std::nullopt;
    start_write(session);
    start_read();
    if (Clock::now() >= deadline) return std::string("timed out waiting for the server");
    io_.restart();
    io_.run_one_until(deadline);
  }
}

void Pump::finish(Session& session, Clock::time_point deadline) {
  session.shutdown();  // e.g. GOAWAY: written if the connection still takes it, never waited for long
  for (int i = 0; i < 64 && !eof_ && Clock::now() < deadline; ++i) {
    if (write_done_) {
      write_done_ = false;
      if (write_error_) break;
    }
    if (!writing_) {
      if (session.pending_output().empty()) break;
      start_write(session);
    }
    io_.restart();
    io_.run_one_until(deadline);
  }
  drain();
}

}  // namespace h2push::client
