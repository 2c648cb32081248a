// tests/http2/reference_twin.hpp: helpers for the tests of Options::reference_bodies: a body source that lends (or
// copies) octets of a shared string, and a "twin" that runs one client against two servers fed the same input, one
// copying every body and one referencing lent bodies, and compares what the two write, octet for octet.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {

// `data` served from `offset`: lent by borrow(), copied by read(). `lend` decides per borrow() call (by its number,
// from 0) whether to lend; a refusal makes the core read() instead.
class SharedSource final : public BodySource {
 public:
  enum class Mode : std::uint8_t { lend, copy, alternate };
  struct Counts {
    std::size_t borrows = 0;  // borrow() calls
    std::size_t loans = 0;    // ... that lent
    std::size_t reads = 0;    // read() calls
  };

  // `counts`: where the calls are counted (it may outlive the source); null: in the source itself.
  SharedSource(std::shared_ptr<const std::string> data, Mode mode, Counts* counts = nullptr)
      : data_(std::move(data)), mode_(mode), counts_(counts != nullptr ? counts : &own_) {}
  SharedSource(const SharedSource&) = delete;
  SharedSource& operator=(const SharedSource&) = delete;

  Read read(std::span<std::byte> out) override {
    const std::size_t n = std::min(out.size(), data_->size() - offset_);
    if (n > 0) std::memcpy(out.data(), data_->data() + offset_, n);
    offset_ += n;
    ++counts_->reads;
    return {.length = n, .end = offset_ == data_->size()};
  }

  bool borrow(std::size_t max, Loan& loan) override {
    const std::size_t call = counts_->borrows++;
    if (mode_ == Mode::copy || (mode_ == Mode::alternate && call % 2 == 1)) return false;
    const std::size_t n = std::min(max, data_->size() - offset_);
    loan.bytes = std::as_bytes(std::span(*data_)).subspan(offset_, n);
    loan.owner = data_;
    offset_ += n;
    loan.end = offset_ == data_->size();
    ++counts_->loans;
    return true;
  }

  const Counts& counts() const noexcept { return *counts_; }

 private:
  std::shared_ptr<const std::string> data_;
  Mode mode_;
  std::size_t offset_ = 0;
  Counts own_;
  Counts* counts_;
};

inline std::shared_ptr<const std::string> shared_pattern(std::uint32_t seed, std::size_t n) {
  return std::make_shared<const std::string>(pattern(seed, n));
}

// How the referencing server's output is drained.
enum class Drain : std::uint8_t {
  pieces,         // take_output_pieces(), flattened by the test
  take,           // take_output(): flattened by the core
  pending_chunks  // pending_output() / consume_output() in chunks of Twin::chunk octets
};

class Twin {
 public:
  // The budgets differ between the modes (referenced octets have their own), so they would cut the output at other
  // points; they are set out of reach here, so that only the windows and frame sizes decide, as for the same peer.
  Twin(Options client_opts, Options server_opts, Drain drain = Drain::pieces)
      : client(with_role(client_opts, Role::client)),
        copying(unbudgeted(server_opts, false)),
        referencing(unbudgeted(server_opts, true)),
        drain_(drain) {}

  // Answers a request on one server; called for both, in the same order, with `referencing` telling which.
  std::function<void(Connection& server, const RequestReceived& request, bool referencing)> on_request;

  // Takes both servers' pending output and checks that they are the same octets. The referencing server's pieces
  // are kept (not yet output_written()) until deliver().
  void take() {
    const std::span<const std::byte> copy = copying.take_output();
    copy_taken.assign(reinterpret_cast<const char*>(copy.data()), copy.size());
    ref_taken.clear();
    pieces = {};
    if (drain_ == Drain::pieces) {
      pieces = referencing.take_output_pieces();
      ref_taken = flatten(pieces);
    } else if (drain_ == Drain::take) {
      const std::span<const std::byte> out = referencing.take_output();
      ref_taken.assign(reinterpret_cast<const char*>(out.data()), out.size());
    } else {
      for (int i = 0; i < 100000; ++i) {
        const std::span<const std::byte> out = referencing.pending_output();
        if (out.empty()) break;
        const std::size_t n = std::min(out.size(), chunk);
        ref_taken.append(reinterpret_cast<const char*>(out.data()), n);
        referencing.consume_output(n);
      }
    }
    EXPECT_EQ(ref_taken.size(), copy_taken.size());
    EXPECT_TRUE(ref_taken == copy_taken) << "the referencing server wrote other octets at " << wire_size;
    wire_size += copy_taken.size();
  }

  // The pieces taken, flattened again now (after whatever the test did meanwhile, e.g. reset their streams).
  static std::string flatten(std::span<const std::span<const std::byte>> list) {
    std::string out;
    for (const std::span<const std::byte> p : list) out.append(reinterpret_cast<const char*>(p.data()), p.size());
    return out;
  }

  // Marks both servers' output written, gives the copying server's to the client, and the client's reply to both
  // servers (whose requests go to on_request). Returns false when nothing moved either way.
  bool deliver() {
    copying.output_written();
    referencing.output_written();
    pieces = {};
    bool moved = !copy_taken.empty();
    if (moved) to_client(copy_taken);
    const std::span<const std::byte> reply = client.take_output();
    const std::string bytes(reinterpret_cast<const char*>(reply.data()), reply.size());
    client.output_written();
    if (!bytes.empty()) {
      moved = true;
      to_servers(as_bytes(bytes));
    }
    return moved;
  }

  // Rounds of take() and deliver() until nothing moves; false when `max_rounds` passed first.
  bool run(int max_rounds = 10000) {
    for (int round = 0; round < max_rounds; ++round) {
      take();
      if (!deliver()) return true;
    }
    return false;
  }

  // Feeds the same octets (e.g. a malformed frame) to both servers, as if the client had sent them.
  void to_servers(std::span<const std::byte> bytes) {
    serve(copying, copying.receive(bytes), false);
    serve(referencing, referencing.receive(bytes), true);
  }

  Connection client;
  Connection copying;
  Connection referencing;
  Log client_log;
  std::string copy_taken;
  std::string ref_taken;
  std::span<const std::span<const std::byte>> pieces;
  std::size_t wire_size = 0;
  std::size_t chunk = 1000;  // Drain::pending_chunks

 private:
  static Options unbudgeted(Options o, bool reference_bodies) {
    o.role = Role::server;
    o.reference_bodies = reference_bodies;
    o.output_budget = o.reference_budget = o.max_pending_output = std::size_t{1} << 30;
    return o;
  }

  void to_client(const std::string& bytes) {
    for (const Event& e : client.receive(as_bytes(bytes))) client_log.push_back(record(e));
  }

  void serve(Connection& server, std::span<const Event> events, bool is_referencing) {
    std::vector<RequestReceived> requests;  // spans stay valid until the next receive()
    for (const Event& e : events) {
      if (const auto* r = std::get_if<RequestReceived>(&e)) requests.push_back(*r);
    }
    for (const RequestReceived& r : requests) {
      if (on_request) on_request(server, r, is_referencing);
    }
  }

  Drain drain_;
};

// The value of the request's :path.
inline std::string path_of(const RequestReceived& r) {
  for (const Header& h : r.headers) {
    if (h.name == ":path") return std::string(h.value);
  }
  return {};
}

// Client options with small windows: DATA is cut at odd sizes and stalls until WINDOW_UPDATEs come.
inline Options small_window_client(std::uint32_t stream_window, std::uint32_t connection_window = 65535) {
  Options o;
  o.role = Role::client;
  o.initial_window_size = stream_window;
  o.connection_window_size = connection_window;
  return o;
}

}  // namespace h2push::http2::test
