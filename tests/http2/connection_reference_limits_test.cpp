// Options::reference_bodies: the budgets of referenced and owned output, how long the owners of lent octets are
// held, and what the core does with a source that breaks the loan contract.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/reference_twin.hpp"

namespace h2push::http2::test {
namespace {

using Mode = SharedSource::Mode;

// A client and a referencing server with one request delivered: the server answers it on `stream`.
struct Pair {
  explicit Pair(Options server_opts, Options client_opts = small_window_client(0x7fffffff, 1 << 30))
      : client(with_role(client_opts, Role::client)), server(referencing(server_opts)) {
    const Fields fields{{":method", "GET"}, {":scheme", "http"}, {":authority", "example.com"}, {":path", "/"}};
    EXPECT_TRUE(client.submit_request(views(fields), true));
    const std::span<const std::byte> out = client.take_output();
    const std::string bytes(reinterpret_cast<const char*>(out.data()), out.size());
    client.output_written();
    for (const Event& e : server.receive(as_bytes(bytes))) {
      if (const auto* r = std::get_if<RequestReceived>(&e)) stream = r->stream;
    }
    EXPECT_EQ(stream.value(), 1u);
    const Fields head{{":status", "200"}};
    EXPECT_TRUE(server.submit_response(stream, views(head), false));
  }
  static Options referencing(Options o) {
    o.role = Role::server;
    o.reference_bodies = true;
    return o;
  }

  Connection client;
  Connection server;
  StreamId stream;
};

// Octets of `pieces` inside `data` (referenced) and outside it (the core's own buffer).
struct Split {
  std::size_t referenced = 0;
  std::size_t owned = 0;
  std::string body;  // the referenced octets, in order
};
Split split(std::span<const std::span<const std::byte>> pieces, const std::string& data) {
  Split s;
  const auto* begin = reinterpret_cast<const std::byte*>(data.data());
  for (const std::span<const std::byte> p : pieces) {
    if (!p.empty() && p.data() >= begin && p.data() < begin + data.size()) {
      s.referenced += p.size();
      s.body.append(reinterpret_cast<const char*>(p.data()), p.size());
    } else {
      s.owned += p.size();
    }
  }
  return s;
}

TEST(ConnectionReferenceLimitsTest, CutsLentDataOnlyWithinTheReferenceBudget) {
  Pair pair(Options{.reference_budget = 100000});
  const auto data = shared_pattern(1, 1 << 20);
  ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
  std::string sent;
  int takes = 0;
  for (; takes < 100; ++takes) {
    const auto pieces = pair.server.take_output_pieces();
    if (pieces.empty()) break;
    const Split s = split(pieces, *data);
    sent += s.body;
    if (sent.size() < data->size()) {
      EXPECT_GE(s.referenced, 100000u);                    // filled up to the budget...
      EXPECT_LT(s.referenced, 100000u + 16384u) << takes;  // ... and at most one frame past it
    }
    EXPECT_LT(s.owned, 1000u);  // frame headers (and the first time, SETTINGS and the response's HEADERS)
    pair.server.output_written();
  }
  EXPECT_EQ(sent, *data);
  EXPECT_GE(takes, 10);
}

TEST(ConnectionReferenceLimitsTest, CopiedDataStaysWithinTheOutputBudget) {
  Pair pair(Options{.output_budget = 20000});
  const auto data = shared_pattern(2, 200000);
  ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::copy)));
  const auto pieces = pair.server.take_output_pieces();
  ASSERT_EQ(pieces.size(), 1u);  // nothing lent: the buffer alone
  const Split s = split(pieces, *data);
  EXPECT_EQ(s.referenced, 0u);
  EXPECT_GE(s.owned, 20000u);
  EXPECT_LT(s.owned, 20000u + 16384u + 9u);
  pair.server.output_written();
}

// The peer's MAX_FRAME_SIZE and both windows bound lent frames exactly as copied ones (the twin tests compare the
// octets); here the frame lengths themselves.
TEST(ConnectionReferenceLimitsTest, LendsNoMoreThanTheWindowsAndTheFrameSize) {
  Pair pair(Options{}, small_window_client(10000, 65535));
  const auto data = shared_pattern(3, 50000);
  ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
  const auto pieces = pair.server.take_output_pieces();
  const Split s = split(pieces, *data);
  EXPECT_EQ(s.referenced, 10000u);  // the stream window
  EXPECT_EQ(s.body, data->substr(0, 10000));
  pair.server.output_written();
}

TEST(ConnectionReferenceLimitsTest, ReleasesOwnersOnceOutputIsWritten) {
  Pair pair(Options{});
  std::weak_ptr<const std::string> watched;
  {
    const auto data = shared_pattern(4, 50000);
    watched = data;
    ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
  }
  const auto pieces = pair.server.take_output_pieces();
  ASSERT_GT(pieces.size(), 2u);
  EXPECT_FALSE(watched.expired());  // the body has ended and its source is gone: the taken pieces hold it
  pair.server.output_written();
  EXPECT_TRUE(watched.expired());
}

TEST(ConnectionReferenceLimitsTest, ReleasesOwnersAtTheNextTake) {
  Pair pair(Options{});
  std::weak_ptr<const std::string> watched;
  {
    const auto data = shared_pattern(5, 50000);
    watched = data;
    ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
  }
  ASSERT_FALSE(pair.server.take_output_pieces().empty());
  pair.server.ping(std::array<std::byte, 8>{});
  EXPECT_FALSE(watched.expired());
  EXPECT_EQ(pair.server.take_output_pieces().size(), 1u);  // the PING; the previous pieces count as written
  EXPECT_TRUE(watched.expired());
  pair.server.output_written();
}

TEST(ConnectionReferenceLimitsTest, ReleasesOwnersWhenTheConnectionIsDestroyed) {
  std::weak_ptr<const std::string> watched;
  {
    Pair pair(Options{});
    const auto data = shared_pattern(6, 50000);
    watched = data;
    ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
    ASSERT_FALSE(pair.server.take_output_pieces().empty());  // never marked written
  }
  EXPECT_TRUE(watched.expired());
}

// take_output() and pending_output() copy the lent octets in at once: nothing is held after that.
TEST(ConnectionReferenceLimitsTest, FlatteningLetsGoOfOwners) {
  for (const bool take : {true, false}) {
    Pair pair(Options{});
    std::weak_ptr<const std::string> watched;
    std::string expected;
    {
      const auto data = shared_pattern(7, 30000);
      watched = data;
      expected = *data;
      ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
    }
    const std::span<const std::byte> out = take ? pair.server.take_output() : pair.server.pending_output();
    EXPECT_TRUE(watched.expired()) << take;
    const std::string flat(reinterpret_cast<const char*>(out.data()), out.size());
    EXPECT_NE(flat.find(expected.substr(0, 16384)), std::string::npos);
    EXPECT_NE(flat.find(expected.substr(16384)), std::string::npos);
  }
}

// Loans shorter than Options::min_reference_size are copied into the output (their owner let go at once); from
// that size on they are referenced. The octets are the same either way.
TEST(ConnectionReferenceLimitsTest, CopiesLoansShorterThanTheMinimumReferenceSize) {
  for (const std::size_t size : {std::size_t{4095}, std::size_t{4096}}) {
    Pair pair(Options{.min_reference_size = 4096});
    std::weak_ptr<const std::string> watched;
    std::string expected;
    {
      const auto data = shared_pattern(8, size);
      watched = data;
      expected = *data;
      ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<SharedSource>(data, Mode::lend)));
    }
    const auto pieces = pair.server.take_output_pieces();
    const bool referenced = size >= 4096;
    EXPECT_EQ(pieces.size(), referenced ? 2u : 1u) << size;  // the buffer, then the payload when referenced
    EXPECT_EQ(watched.expired(), !referenced) << size;
    const std::string flat = Twin::flatten(pieces);
    ASSERT_GE(flat.size(), size);
    EXPECT_EQ(flat.substr(flat.size() - size), expected) << size;
    pair.server.output_written();
    EXPECT_TRUE(watched.expired());
  }
}

// Hands out the loans it is given, in order; then ends.
class ScriptedSource final : public BodySource {
 public:
  explicit ScriptedSource(std::deque<Loan> loans) : loans_(std::move(loans)) {}
  Read read(std::span<std::byte>) override { return {.end = true}; }
  bool borrow(std::size_t, Loan& loan) override {
    if (loans_.empty()) return false;
    loan = std::move(loans_.front());
    loans_.pop_front();
    return true;
  }

 private:
  std::deque<Loan> loans_;
};

// The frames the server wrote, from its first take on.
std::vector<FrameSeen> frames_of(Connection& server) {
  FrameTap tap;
  for (int i = 0; i < 100; ++i) {
    const auto pieces = server.take_output_pieces();
    if (pieces.empty()) break;
    for (const std::span<const std::byte> p : pieces) tap.feed(p);
    server.output_written();
  }
  return tap.frames;
}

TEST(ConnectionReferenceLimitsTest, ResetsTheStreamWhenASourceLendsMoreThanAsked) {
  Pair pair(Options{}, small_window_client(100, 65535));
  static const std::string kStatic(200, 'x');
  std::deque<BodySource::Loan> loans;
  loans.push_back({.bytes = std::as_bytes(std::span(kStatic))});  // 200 octets for a window of 100
  ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<ScriptedSource>(std::move(loans))));
  const auto frames = frames_of(pair.server);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().type, kTypeRstStream);
  EXPECT_EQ(frames.back().value, static_cast<std::uint32_t>(ErrorCode::internal_error));
  for (const FrameSeen& f : frames) EXPECT_NE(f.type, kTypeData);
  bool reported = false;
  for (const Event& e : pair.server.advance(Instant{1})) {
    if (const auto* r = std::get_if<StreamReset>(&e)) reported = r->code == ErrorCode::internal_error && !r->by_peer;
  }
  EXPECT_TRUE(reported);
}

TEST(ConnectionReferenceLimitsTest, ResetsTheStreamWhenALoanFails) {
  Pair pair(Options{});
  static const std::string kStatic(50, 'y');
  std::deque<BodySource::Loan> loans;
  loans.push_back({.bytes = std::as_bytes(std::span(kStatic))});
  loans.push_back({.failed = true});
  ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<ScriptedSource>(std::move(loans))));
  const auto frames = frames_of(pair.server);
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[frames.size() - 2].type, kTypeData);
  EXPECT_EQ(frames[frames.size() - 2].length, 50u);
  EXPECT_EQ(frames.back().type, kTypeRstStream);
}

// An empty loan without `end` means "nothing yet", as an empty read(): the stream waits for resume_body(). The
// octets lent without an owner (static storage) go out as well.
TEST(ConnectionReferenceLimitsTest, PausesOnAnEmptyLoanUntilResumed) {
  Pair pair(Options{.min_reference_size = 1});
  static const std::string kFirst = "first ";
  static const std::string kSecond = "second";
  std::deque<BodySource::Loan> loans;
  loans.push_back({.bytes = std::as_bytes(std::span(kFirst))});
  loans.push_back({});
  loans.push_back({.bytes = std::as_bytes(std::span(kSecond)), .end = true});
  ASSERT_TRUE(pair.server.send_body(pair.stream, std::make_unique<ScriptedSource>(std::move(loans))));
  auto frames = frames_of(pair.server);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().type, kTypeData);
  EXPECT_EQ(frames.back().length, 6u);
  EXPECT_EQ(frames.back().flags & 0x1, 0);
  EXPECT_FALSE(pair.server.wants_write());
  pair.server.resume_body(pair.stream);
  const auto pieces = pair.server.take_output_pieces();
  ASSERT_EQ(pieces.size(), 2u);  // the frame header, then the lent payload itself
  EXPECT_EQ(pieces[1].data(), reinterpret_cast<const std::byte*>(kSecond.data()));
  FrameTap tap;
  for (const std::span<const std::byte> p : pieces) tap.feed(p);
  ASSERT_EQ(tap.frames.size(), 1u);
  EXPECT_EQ(tap.frames[0].flags & 0x1, 1);  // END_STREAM
  pair.server.output_written();
}

}  // namespace
}  // namespace h2push::http2::test
