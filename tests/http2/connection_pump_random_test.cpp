// Randomised end-to-end exchanges between our client and our server: settings, windows, frame sizes, output
// budgets, chunking of the byte stream, bodies, trailers and priorities drawn from a fixed seed, and every body
// checked byte for byte.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {
namespace {

struct Plan {
  std::size_t upload = 0;  // 0: a GET without body
  std::size_t download = 0;
  bool request_trailers = false;
  bool response_trailers = false;
  bool lazy = false;  // the response body comes from a BodySource
  bool informational = false;
  std::string priority;
};

// Produces a fixed body on demand, in pieces no larger than `piece`.
class PieceSource final : public BodySource {
 public:
  PieceSource(std::string body, std::size_t piece) : body_(std::move(body)), piece_(piece) {}
  Read read(std::span<std::byte> out) override {
    const std::size_t n = std::min({out.size(), piece_, body_.size() - offset_});
    std::copy_n(as_bytes(body_).subspan(offset_).begin(), n, out.begin());
    offset_ += n;
    return {n, offset_ == body_.size(), false};
  }

 private:
  std::string body_;
  std::size_t piece_;
  std::size_t offset_ = 0;
};

template <class T>
T pick(std::mt19937& rng, std::initializer_list<T> choices) {
  std::uniform_int_distribution<std::size_t> d(0, choices.size() - 1);
  return *(choices.begin() + static_cast<std::ptrdiff_t>(d(rng)));
}

Options random_options(std::mt19937& rng, Role role) {
  Options o;
  o.role = role;
  o.initial_window_size = pick<std::uint32_t>(rng, {1, 700, 16384, 65535, 1 << 20});
  o.connection_window_size = pick<std::uint32_t>(rng, {65535, 100000, 1 << 22});
  o.max_frame_size = pick<std::uint32_t>(rng, {16384, 20000, 1 << 20});
  o.header_table_size = pick<std::uint32_t>(rng, {0, 64, 4096, 65536});
  o.encoder_table_size = pick<std::uint32_t>(rng, {0, 300, 4096});
  o.auto_window_update = pick(rng, {true, false});
  o.output_budget = pick<std::size_t>(rng, {1, 5000, 64 * 1024});
  return o;
}

class RandomExchangeTest : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(RandomExchangeTest, DeliversEveryBodyWhenSettingsAndChunkingVary) {
  std::mt19937 rng(GetParam());
  const Options client = random_options(rng, Role::client);
  const Options server = random_options(rng, Role::server);
  Pump pump(client, server);
  pump.max_chunk = pick<std::size_t>(rng, {1, 13, 1000, 100000});
  // With a tiny window every octet costs a WINDOW_UPDATE round trip: keep those bodies short.
  const bool tiny = client.initial_window_size < 1000 || server.initial_window_size < 1000 || pump.max_chunk == 1;
  const std::size_t largest = tiny ? 3000 : 200000;
  std::uniform_int_distribution<std::size_t> size(0, largest);
  std::uniform_int_distribution<int> streams(1, tiny ? 4 : 12);
  std::map<std::uint32_t, Plan> plans;
  const int count = streams(rng);
  for (int i = 0; i < count; ++i) {
    Plan p;
    p.upload = pick(rng, {true, false}) ? size(rng) : 0;
    p.download = size(rng);
    p.request_trailers = p.upload > 0 && pick(rng, {true, false});
    p.response_trailers = pick(rng, {true, false});
    p.lazy = pick(rng, {true, false});
    p.informational = pick(rng, {true, false});
    p.priority = pick<std::string>(rng, {"", "u=0", "u=3, i", "u=6", "i"});
    plans[static_cast<std::uint32_t>(2 * i + 1)] = p;
  }
  const Fields response_trailers{{"x-done", "yes"}};
  // Windows that the application reopens: consume all DATA as soon as it is reported.
  pump.client.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::data && !client.auto_window_update) pump.client.conn.consume(StreamId(r.stream), r.data.size());
  };
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::data && !server.auto_window_update) pump.server.conn.consume(StreamId(r.stream), r.data.size());
    if (!r.end_stream || r.kind == Kind::response) return;
    const Plan& p = plans.at(r.stream);
    const StreamId id(r.stream);
    if (p.informational) {
      const Fields hints{{":status", "103"}, {"link", "</x>; rel=preload"}};
      ASSERT_TRUE(pump.server.conn.submit_informational(id, views(hints)).ok());
    }
    const std::string body = pattern(r.stream + 77, p.download);
    const bool headers_only = body.empty() && !p.response_trailers;
    const Fields fields{{":status", "200"}};
    ASSERT_TRUE(pump.server.conn.submit_response(id, views(fields), headers_only).ok());
    if (headers_only) return;
    if (p.lazy) {
      ASSERT_TRUE(pump.server.conn.send_body(id, std::make_unique<PieceSource>(body, 3000)).ok());
    } else if (!body.empty() || !p.response_trailers) {
      ASSERT_TRUE(pump.server.conn.send_data(id, as_bytes(body), !p.response_trailers).ok());
    }
    if (p.response_trailers) {
      ASSERT_TRUE(pump.server.conn.submit_trailers(id, views(response_trailers)).ok());
    }
  };
  for (const auto& [stream, p] : plans) {
    Fields request{{":method", p.upload > 0 ? "POST" : "GET"},
                   {":scheme", "https"},
                   {":authority", "example.test"},
                   {":path", "/random"}};
    if (!p.priority.empty()) request.emplace_back("priority", p.priority);
    const bool ends = p.upload == 0;
    const auto id = pump.client.conn.submit_request(views(request), ends);
    ASSERT_TRUE(id.ok());
    ASSERT_EQ(id->value(), stream);
    if (ends) continue;
    const std::string body = pattern(stream, p.upload);
    ASSERT_TRUE(pump.client.conn.send_data(*id, as_bytes(body), !p.request_trailers).ok());
    if (p.request_trailers) {
      ASSERT_TRUE(pump.client.conn.submit_trailers(*id, views(Fields{{"x-sum", "1"}})).ok());
    }
  }
  ASSERT_GE(pump.run(2000000), 0);

  for (const auto& [stream, p] : plans) {
    SCOPED_TRACE(stream);
    EXPECT_TRUE(body_of(pump.server.log, stream) == pattern(stream, p.upload));
    EXPECT_EQ(find_event(pump.server.log, Kind::trailers, stream) != nullptr, p.request_trailers);
    EXPECT_TRUE(body_of(pump.client.log, stream) == pattern(stream + 77, p.download));
    EXPECT_TRUE(stream_ended(pump.client.log, stream));
    EXPECT_EQ(find_event(pump.client.log, Kind::informational, stream) != nullptr, p.informational);
    const Recorded* trailers = find_event(pump.client.log, Kind::trailers, stream);
    EXPECT_EQ(trailers != nullptr, p.response_trailers);
    if (trailers != nullptr) {
      EXPECT_EQ(trailers->fields, response_trailers);
    }
  }
  for (const Side* side : {&pump.client, &pump.server}) {
    EXPECT_EQ(count_kind(side->log, Kind::reset), 0u);
    EXPECT_EQ(count_kind(side->log, Kind::failed), 0u);
    EXPECT_EQ(side->conn.active_streams(), 0u);
  }
}

TEST_P(RandomExchangeTest, DeliversPushesWhenStreamLimitsVary) {
  std::mt19937 rng(GetParam());
  Options client = random_options(rng, Role::client);
  Options server = random_options(rng, Role::server);
  client.enable_push = pick(rng, {true, true, false});
  client.max_concurrent_streams = pick<std::uint32_t>(rng, {1, 2, 100});  // pushed streams at once
  server.max_concurrent_streams = pick<std::uint32_t>(rng, {1, 2, 100});  // requests at once
  Pump pump(client, server);
  pump.max_chunk = pick<std::size_t>(rng, {13, 1000, 100000});
  const bool tiny = client.initial_window_size < 1000 || server.initial_window_size < 1000;
  std::uniform_int_distribution<std::size_t> size(0, tiny ? 3000 : 100000);
  std::uniform_int_distribution<int> pushes_per_page(0, 2);
  std::uniform_int_distribution<int> pages(1, 8);
  const int count = pages(rng);

  std::map<std::uint32_t, std::string> expected;  // stream -> body, requests and kept pushes
  std::map<std::uint32_t, bool> cancelled;        // pushes the client refused
  pump.client.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::data && !client.auto_window_update) pump.client.conn.consume(StreamId(r.stream), r.data.size());
    if (r.kind != Kind::push_promised || !pick(rng, {false, false, true})) return;
    // A reset fails only when the pushed response already ended in the same input.
    cancelled[r.promised] = pump.client.conn.reset_stream(StreamId(r.promised), ErrorCode::cancel).ok();
  };
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::data && !server.auto_window_update) pump.server.conn.consume(StreamId(r.stream), r.data.size());
    if (r.kind != Kind::request) return;
    const int pushes = pump.server.conn.peer_accepts_push() ? pushes_per_page(rng) : 0;
    for (int i = 0; i < pushes; ++i) {
      const Fields request{{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", "/p"}};
      const auto promised = pump.server.conn.submit_push_promise(StreamId(r.stream), views(request));
      ASSERT_TRUE(promised.ok()) << to_string(promised.error());
      const std::string body = pattern(promised->value(), size(rng));
      expected[promised->value()] = body;
      const Fields fields{{":status", "200"}};
      ASSERT_TRUE(pump.server.conn.submit_response(*promised, views(fields), body.empty()).ok());
      if (!body.empty()) {
        ASSERT_TRUE(pump.server.conn.send_data(*promised, as_bytes(body), true).ok());
      }
    }
    const std::string body = pattern(r.stream, size(rng));
    expected[r.stream] = body;
    const Fields fields{{":status", "200"}};
    ASSERT_TRUE(pump.server.conn.submit_response(StreamId(r.stream), views(fields), false).ok());
    ASSERT_TRUE(pump.server.conn.send_data(StreamId(r.stream), as_bytes(body), true).ok());
  };
  ASSERT_GE(pump.run(), 0);  // SETTINGS first: the client learns the server's stream limit
  const Fields page{{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", "/"}};
  int submitted = 0;
  for (int round = 0; round < 1000 && submitted < count; ++round) {
    for (; submitted < count; ++submitted) {
      const auto id = pump.client.conn.submit_request(views(page), true);
      if (!id.ok()) {
        ASSERT_EQ(id.error(), Errc::stream_limit);
        break;
      }
    }
    ASSERT_GE(pump.run(), 0);
  }
  ASSERT_EQ(submitted, count);

  for (const auto& [stream, body] : expected) {
    SCOPED_TRACE(stream);
    if (cancelled.count(stream) != 0) continue;  // the server may or may not have finished it: both are fine
    EXPECT_TRUE(body_of(pump.client.log, stream) == body);
    EXPECT_TRUE(stream_ended(pump.client.log, stream));
  }
  EXPECT_EQ(count_kind(pump.client.log, Kind::reset), 0u);
  for (const Recorded& r : pump.server.log) {
    if (r.kind == Kind::reset) {
      EXPECT_TRUE(cancelled.count(r.stream) != 0 && r.code == ErrorCode::cancel) << r.stream;
    }
  }
  for (const Side* side : {&pump.client, &pump.server}) {
    EXPECT_EQ(count_kind(side->log, Kind::failed), 0u);
    EXPECT_EQ(side->conn.active_streams(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomExchangeTest, ::testing::Range<std::uint32_t>(1, 41));

}  // namespace
}  // namespace h2push::http2::test
