// Bodies pulled from a BodySource between our server and our client: the source writes straight into the DATA
// frames of the output (src/http2/connection.cpp, write_source_data), however and whenever it reports its end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {
namespace {

// Gives its body in pieces and reports the end either with the last octets or in a read of its own (0 octets).
class EndingSource final : public BodySource {
 public:
  EndingSource(std::string body, bool separate_end) : body_(std::move(body)), separate_end_(separate_end) {}
  Read read(std::span<std::byte> out) override {
    const std::size_t n = std::min(out.size(), body_.size() - offset_);
    std::copy_n(as_bytes(body_).subspan(offset_).begin(), n, out.begin());
    offset_ += n;
    const bool end = offset_ == body_.size() && (!separate_end_ || n == 0);
    return {n, end, false};
  }

 private:
  std::string body_;
  std::size_t offset_ = 0;
  bool separate_end_;
};

TEST(ConnectionBodySourceTest, DeliversBodyAndTrailersWhicheverWayTheSourceEnds) {
  Pump pump;
  const Fields ok{{":status", "200"}};
  const std::string body = pattern(5, 40000);  // several DATA frames, each read in place
  const Fields trailers{{"grpc-status", "0"}};
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const StreamId id(r.stream);
    ASSERT_TRUE(pump.server.conn.submit_response(id, views(ok), false).ok());
    // Streams 1 and 5 end with their last octets, 3 and 7 in an empty read; 1 and 3 end with trailers.
    const bool separate_end = r.stream == 3 || r.stream == 7;
    ASSERT_TRUE(pump.server.conn.send_body(id, std::make_unique<EndingSource>(body, separate_end)).ok());
    if (r.stream <= 3) {
      ASSERT_TRUE(pump.server.conn.submit_trailers(id, views(trailers)).ok());
    }
  };
  for (const char* path : {"/a", "/b", "/c", "/d"}) {
    const Fields request{{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", path}};
    ASSERT_TRUE(pump.client.conn.submit_request(views(request), true).ok());
  }
  ASSERT_GE(pump.run(), 0);
  for (const std::uint32_t s : {1U, 3U, 5U, 7U}) {
    EXPECT_TRUE(body_of(pump.client.log, s) == body) << s;
    EXPECT_TRUE(stream_ended(pump.client.log, s)) << s;
    const Recorded* got = find_event(pump.client.log, Kind::trailers, s);
    if (s <= 3) {
      ASSERT_NE(got, nullptr) << s;
      EXPECT_EQ(got->fields, trailers);
    } else {
      EXPECT_EQ(got, nullptr) << s;
    }
  }
  for (const Side* side : {&pump.client, &pump.server}) {
    EXPECT_EQ(count_kind(side->log, Kind::reset), 0u);
    EXPECT_EQ(count_kind(side->log, Kind::failed), 0u);
  }
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
}

}  // namespace
}  // namespace h2push::http2::test
