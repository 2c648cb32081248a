// End-to-end tests of Connection: our client against our server, joined in memory by a pump. Streams,
// flow control and backpressure, body sources, trailers, 1xx responses, GOAWAY, priorities and stream limits.
// Pushes are in connection_pump_push_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {
namespace {

Fields request_fields(std::string_view method, std::string_view path, const Fields& extra = {}) {
  Fields f{{":method", std::string(method)},
           {":scheme", "https"},
           {":authority", "example.test"},
           {":path", std::string(path)}};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

Fields response_fields(int status, const Fields& extra = {}) {
  Fields f{{":status", std::to_string(status)}};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

StreamId submit(Side& client, const Fields& fields, bool end_stream) {
  const auto id = client.conn.submit_request(views(fields), end_stream);
  EXPECT_TRUE(id.ok()) << to_string(id.error());
  return id.ok() ? *id : StreamId();
}

// The error of a refused submit_request, or nullopt when it succeeded.
std::optional<Errc> refusal(const Result<StreamId, Errc>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

void respond(Side& server, StreamId id, int status, const std::string& body, const Fields& extra = {}) {
  const Fields fields = response_fields(status, extra);
  ASSERT_TRUE(server.conn.submit_response(id, views(fields), body.empty()).ok());
  if (!body.empty()) {
    ASSERT_TRUE(server.conn.send_data(id, as_bytes(body), true).ok());
  }
}

// No stream was reset and no connection failed on either side.
void expect_clean(const Pump& pump) {
  for (const Side* side : {&pump.client, &pump.server}) {
    EXPECT_EQ(count_kind(side->log, Kind::reset), 0u);
    EXPECT_EQ(count_kind(side->log, Kind::failed), 0u);
    EXPECT_FALSE(side->conn.failed());
    EXPECT_FALSE(side->conn.wants_write());  // quiet: nothing pending and nothing that could be cut
  }
}

// Octets of DATA on `id` found in log[from..], advancing `from`.
std::size_t new_data(const Log& log, std::uint32_t id, std::size_t& from) {
  std::size_t n = 0;
  for (; from < log.size(); ++from) {
    if (log[from].kind == Kind::data && log[from].stream == id) n += log[from].data.size();
  }
  return n;
}

// Pumps, then consumes what `receiver` got on `id`, until `total` more octets arrived (what arrived before was
// consumed by the caller). Never more than `window` octets may wait unconsumed (the receiver's stream window).
// Returns false when the transfer stalls or the bound on rounds passed first.
bool consume_until(Pump& pump, Side& receiver, StreamId id, std::size_t total, std::size_t window) {
  std::size_t received = 0;
  std::size_t scanned = receiver.log.size();
  for (int round = 0; round < 20000; ++round) {
    if (pump.run() < 0) return false;
    const std::size_t got = new_data(receiver.log, id.value(), scanned);
    EXPECT_LE(got, window) << "round " << round;
    received += got;
    if (received >= total) return received == total;
    if (got == 0) return false;  // stalled although everything was consumed
    receiver.conn.consume(id, got);
  }
  return false;
}

// A server that answers every complete request: `size(i)` octets for the i-th client stream (0-based), sent in
// two pieces; some responses announce content-length. Requests with a body must match `uploads`.
struct Exchange {
  std::map<std::uint32_t, std::string> uploads;    // by stream id
  std::map<std::uint32_t, std::string> responses;  // by stream id

  void serve(Side& server, std::size_t (*size)(std::uint32_t index)) {
    server.on_event = [this, &server, size](const Recorded& r) {
      if (!(r.kind == Kind::request || r.kind == Kind::data) || !r.end_stream) return;
      const std::uint32_t index = (r.stream - 1) / 2;
      const std::string body = pattern(r.stream + 1000, size(index));
      responses[r.stream] = body;
      const StreamId id(r.stream);
      Fields extra{{"x-index", std::to_string(index)}};
      if (index % 3 == 0) extra.emplace_back("content-length", std::to_string(body.size()));
      const Fields fields = response_fields(200, extra);
      ASSERT_TRUE(server.conn.submit_response(id, views(fields), body.empty()).ok());
      if (body.empty()) return;
      const std::size_t half = body.size() / 2;
      ASSERT_TRUE(server.conn.send_data(id, as_bytes(body).first(half), false).ok());
      ASSERT_TRUE(server.conn.send_data(id, as_bytes(body).subspan(half), true).ok());
    };
  }

  // Opens `count` streams: every other one a POST with a body of `upload_size(index)` octets.
  void request(Side& client, int count, std::size_t (*upload_size)(std::uint32_t index)) {
    for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(count); ++i) {
      const bool post = i % 2 == 1;
      const StreamId id = submit(client, request_fields(post ? "POST" : "GET", "/r/" + std::to_string(i)), !post);
      ASSERT_EQ(id.value(), 2 * i + 1);
      if (!post) continue;
      uploads[id.value()] = pattern(id.value(), upload_size(i));
      ASSERT_TRUE(client.conn.send_data(id, as_bytes(uploads[id.value()]), true).ok());
    }
  }

  void verify(const Pump& pump, int count) {
    for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(count); ++i) {
      const std::uint32_t id = 2 * i + 1;
      const Recorded* request = find_event(pump.server.log, Kind::request, id);
      ASSERT_NE(request, nullptr) << id;
      EXPECT_EQ(field(request->fields, ":path"), "/r/" + std::to_string(i));
      if (uploads.count(id) != 0) {
        EXPECT_TRUE(body_of(pump.server.log, id) == uploads[id]) << id;
      }
      const Recorded* response = find_event(pump.client.log, Kind::response, id);
      ASSERT_NE(response, nullptr) << id;
      EXPECT_EQ(field(response->fields, ":status"), "200");
      EXPECT_EQ(field(response->fields, "x-index"), std::to_string(i));
      EXPECT_TRUE(body_of(pump.client.log, id) == responses[id]) << id;
      EXPECT_TRUE(stream_ended(pump.client.log, id)) << id;
    }
    EXPECT_EQ(pump.client.conn.active_streams(), 0u);
    EXPECT_EQ(pump.server.conn.active_streams(), 0u);
  }
};

TEST(ConnectionPumpTest, ExchangesSettingsAndPingWhenConnectionsStart) {
  // H2-3.4-02 (RFC 9113 §3.4)
  // H2-6.7-01 (RFC 9113 §6.7)
  Pump pump;
  ASSERT_GE(pump.run(), 0);
  for (const Side* side : {&pump.client, &pump.server}) {
    EXPECT_EQ(count_kind(side->log, Kind::settings), 1u);
    EXPECT_EQ(count_kind(side->log, Kind::settings_ack), 1u);
    EXPECT_FALSE(side->conn.settings_ack_pending());
  }
  const std::array<std::byte, 8> opaque{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                        std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};
  pump.client.conn.ping(opaque);
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(count_kind(pump.client.log, Kind::ping_ack), 1u);
  EXPECT_EQ(pump.client.log.back().data, std::string("\1\2\3\4\5\6\7\10"));
  expect_clean(pump);
}

TEST(ConnectionPumpTest, DeliversFiftyConcurrentStreamsByteForByte) {
  // H2-5.2-03 (RFC 9113 §6.9.1)
  // H2-8.1.1-01 (RFC 9113 §8.1.1)
  // Output moved with pending/consume_output(), then with take_output(), then with take_output() and the buffers of
  // both sides lent by one pool (each side writing into the buffer the other gave back last).
  for (const int mode : {0, 1, 2}) {
    SCOPED_TRACE(mode == 0 ? "pending_output" : mode == 1 ? "take_output" : "take_output, pooled buffers");
    Options client = client_options();
    Options server = server_options();
    if (mode == 2) client.output_pool = server.output_pool = make_output_pool(2);
    Pump pump(client, server);
    pump.take = mode != 0;
    Exchange exchange;
    exchange.serve(pump.server, [](std::uint32_t i) -> std::size_t { return i % 10 == 0 ? 0 : (i * 7919u) % 150000u; });
    exchange.request(pump.client, 50, [](std::uint32_t i) -> std::size_t { return i * 997u; });
    ASSERT_GE(pump.run(), 0);
    exchange.verify(pump, 50);
    expect_clean(pump);
  }
}

TEST(ConnectionPumpTest, DeliversBodiesWhenBytesArriveInSmallPieces) {
  // H2-4.3-01 (RFC 9113 §4.3)
  Pump pump;
  pump.max_chunk = 7;  // every frame header and HPACK block is split
  Exchange exchange;
  exchange.serve(pump.server, [](std::uint32_t i) -> std::size_t { return 20000 + i * 5000; });
  exchange.request(pump.client, 6, [](std::uint32_t i) -> std::size_t { return 17000 + i; });
  ASSERT_GE(pump.run(), 0);
  exchange.verify(pump, 6);
  expect_clean(pump);
}

TEST(ConnectionPumpTest, HoldsUploadUntilServerConsumesWhenAutoWindowUpdateIsOff) {
  // H2-5.2-03 (RFC 9113 §6.9.1)
  // H2-5.2-04 (RFC 9113 §5.2.2)
  Options server = server_options();
  server.initial_window_size = 1024;
  server.connection_window_size = 65535;
  server.auto_window_update = false;
  Pump pump(client_options(), server);
  ASSERT_GE(pump.run(), 0);  // SETTINGS exchanged: the client knows the 1024-octet stream window
  const std::string upload = pattern(7, 1 << 20);
  const StreamId id = submit(pump.client, request_fields("POST", "/upload"), false);
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes(upload), true).ok());
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.server.log, id.value()).size(), 1024u);
  EXPECT_EQ(pump.client.conn.stream_send_window(id), 0);
  const std::size_t updates = pump.server.sent.count(kTypeWindowUpdate);
  EXPECT_EQ(pump.run(), 0);           // stalled: nothing moves until the server consumes
  pump.server.conn.consume(id, 200);  // below half the window: still no WINDOW_UPDATE
  EXPECT_EQ(pump.run(), 0);
  EXPECT_EQ(pump.server.sent.count(kTypeWindowUpdate), updates);
  pump.server.conn.consume(id, 824);
  ASSERT_TRUE(consume_until(pump, pump.server, id, upload.size() - 1024, 1024));
  EXPECT_TRUE(body_of(pump.server.log, id.value()) == upload);
  EXPECT_TRUE(stream_ended(pump.server.log, id.value()));
  EXPECT_GT(pump.server.sent.count(kTypeWindowUpdate, 0), 0u);  // the connection window reopened too
  respond(pump.server, id, 204, "");
  ASSERT_GE(pump.run(), 0);
  EXPECT_TRUE(stream_ended(pump.client.log, id.value()));
  expect_clean(pump);
}

TEST(ConnectionPumpTest, HoldsDownloadUntilClientConsumesWhenAutoWindowUpdateIsOff) {
  // H2-5.2-03 (RFC 9113 §6.9.1)
  Options client = client_options();
  client.initial_window_size = 1024;
  client.connection_window_size = 65535;
  client.auto_window_update = false;
  Pump pump(client, server_options());
  const std::string download = pattern(8, 1 << 20);
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.server, StreamId(r.stream), 200, download);
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/big"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, id.value()).size(), 1024u);
  EXPECT_EQ(pump.server.conn.stream_send_window(id), 0);
  const std::size_t updates = pump.client.sent.count(kTypeWindowUpdate);
  EXPECT_EQ(pump.run(), 0);
  EXPECT_EQ(pump.client.sent.count(kTypeWindowUpdate), updates);
  pump.client.conn.consume(id, 1024);
  ASSERT_TRUE(consume_until(pump, pump.client, id, download.size() - 1024, 1024));
  EXPECT_TRUE(body_of(pump.client.log, id.value()) == download);
  EXPECT_TRUE(stream_ended(pump.client.log, id.value()));
  expect_clean(pump);
}

TEST(ConnectionPumpTest, StallsOnConnectionWindowWhenStreamWindowsAreLarger) {
  // H2-5.2-02 (RFC 9113 §5.2.1)
  // H2-5.2-03 (RFC 9113 §6.9.1)
  Options server = server_options();
  server.initial_window_size = 1 << 20;
  server.connection_window_size = 65535;
  server.auto_window_update = false;
  Pump pump(client_options(), server);
  ASSERT_GE(pump.run(), 0);
  const std::string a = pattern(1, 100000);
  const std::string b = pattern(2, 100000);
  const StreamId first = submit(pump.client, request_fields("POST", "/a"), false);
  const StreamId second = submit(pump.client, request_fields("POST", "/b"), false);
  ASSERT_TRUE(pump.client.conn.send_data(first, as_bytes(a), true).ok());
  ASSERT_TRUE(pump.client.conn.send_data(second, as_bytes(b), true).ok());
  ASSERT_GE(pump.run(), 0);
  std::size_t scanned_a = 0;
  std::size_t scanned_b = 0;
  std::size_t got_a = new_data(pump.server.log, first.value(), scanned_a);
  std::size_t got_b = new_data(pump.server.log, second.value(), scanned_b);
  EXPECT_EQ(got_a + got_b, 65535u);
  EXPECT_EQ(pump.client.conn.connection_send_window(), 0);
  const std::size_t updates = pump.server.sent.count(kTypeWindowUpdate, 0);
  pump.server.conn.consume(first, 1000);  // under half the connection window
  EXPECT_EQ(pump.run(), 0);
  EXPECT_EQ(pump.server.sent.count(kTypeWindowUpdate, 0), updates);
  pump.server.conn.consume(first, got_a - 1000);
  pump.server.conn.consume(second, got_b);
  for (int round = 0; round < 1000 && got_a + got_b < a.size() + b.size(); ++round) {
    ASSERT_GT(pump.run(), 0) << "stalled at " << got_a + got_b;
    const std::size_t more_a = new_data(pump.server.log, first.value(), scanned_a);
    const std::size_t more_b = new_data(pump.server.log, second.value(), scanned_b);
    EXPECT_LE(more_a + more_b, 65535u);
    got_a += more_a;
    got_b += more_b;
    pump.server.conn.consume(first, more_a);
    pump.server.conn.consume(second, more_b);
  }
  ASSERT_GE(pump.run(), 0);  // the last WINDOW_UPDATEs
  EXPECT_GT(pump.server.sent.count(kTypeWindowUpdate, 0), updates);
  EXPECT_TRUE(body_of(pump.server.log, first.value()) == a);
  EXPECT_TRUE(body_of(pump.server.log, second.value()) == b);
  expect_clean(pump);
}

TEST(ConnectionPumpTest, ReturnsHeldWindowWhenSettingsAcknowledgementShrinksIt) {
  // H2-6.9.2-01 (RFC 9113 §6.9.2)
  // H2-6.9.3-01 (RFC 9113 §6.9.3)
  Options server = server_options();
  server.initial_window_size = 16384;  // below the 65535 the client may use until it has our SETTINGS
  Pump pump(client_options(), server);
  const std::string upload = pattern(6, 100000);
  const StreamId id = submit(pump.client, request_fields("POST", "/early"), false);
  // 20000 octets go out before the client learns the smaller window (RFC 9113 §6.9.2 then makes its window
  // negative); they are under half the old window but over half the new one.
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes(upload).first(20000), false).ok());
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(body_of(pump.server.log, id.value()).size(), 20000u);
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes(upload).subspan(20000), true).ok());
  ASSERT_GE(pump.run(), 0);
  EXPECT_TRUE(body_of(pump.server.log, id.value()) == upload);
  EXPECT_TRUE(stream_ended(pump.server.log, id.value()));
  expect_clean(pump);
}

struct SourceStats {
  int reads = 0;
  std::size_t largest_ask = 0;
  std::size_t produced = 0;
};

// Produces a fixed body on demand, never more than it is asked for.
class CountingSource final : public BodySource {
 public:
  CountingSource(std::string body, SourceStats& stats) : body_(std::move(body)), stats_(stats) {}
  Read read(std::span<std::byte> out) override {
    ++stats_.reads;
    stats_.largest_ask = std::max(stats_.largest_ask, out.size());
    const std::size_t n = std::min(out.size(), body_.size() - offset_);
    std::copy_n(as_bytes(body_).subspan(offset_).begin(), n, out.begin());
    offset_ += n;
    stats_.produced += n;
    return {n, offset_ == body_.size(), false};
  }

 private:
  std::string body_;
  std::size_t offset_ = 0;
  SourceStats& stats_;
};

TEST(ConnectionPumpTest, PullsBodySourceOnlyAsWindowsOpen) {
  Options client = client_options();
  client.initial_window_size = 1024;
  client.auto_window_update = false;
  Pump pump(client, server_options());
  const std::string body = pattern(9, 100000);
  SourceStats stats;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields fields = response_fields(200);
    ASSERT_TRUE(pump.server.conn.submit_response(StreamId(r.stream), views(fields), false).ok());
    ASSERT_TRUE(pump.server.conn.send_body(StreamId(r.stream), std::make_unique<CountingSource>(body, stats)).ok());
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/lazy"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(stats.reads, 1);  // one window's worth, then nothing until the window reopens
  EXPECT_EQ(stats.produced, 1024u);
  EXPECT_EQ(pump.run(), 0);
  EXPECT_EQ(stats.reads, 1);
  pump.client.conn.consume(id, 1024);
  ASSERT_TRUE(consume_until(pump, pump.client, id, body.size() - 1024, 1024));
  EXPECT_LE(stats.largest_ask, 1024u);
  EXPECT_LE(stats.reads, static_cast<int>(body.size() / 1024 + 2));
  EXPECT_TRUE(body_of(pump.client.log, id.value()) == body);
  EXPECT_TRUE(stream_ended(pump.client.log, id.value()));
  expect_clean(pump);
}

TEST(ConnectionPumpTest, PullsBodySourceOnlyWhileOutputHasRoomWhenReaderIsSlow) {
  Options client = client_options();
  client.initial_window_size = 1 << 22;  // flow control never limits: only the output budget does
  client.connection_window_size = 1 << 22;
  Options server = server_options();
  server.output_budget = 16384;
  Pump pump(client, server);
  pump.max_chunk = 1000;  // a slow reader
  const std::string body = pattern(10, 1 << 20);
  SourceStats stats;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields fields = response_fields(200);
    ASSERT_TRUE(pump.server.conn.submit_response(StreamId(r.stream), views(fields), false).ok());
    ASSERT_TRUE(pump.server.conn.send_body(StreamId(r.stream), std::make_unique<CountingSource>(body, stats)).ok());
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/slow-reader"), true);
  for (int round = 0; round < 100000; ++round) {
    const bool a = pump.transfer(pump.client, pump.server);
    const bool b = pump.transfer(pump.server, pump.client);
    if (!a && !b) break;
    // What the source produced is either on the wire already or within one frame of the budget.
    ASSERT_LE(stats.produced, pump.server.sent.total() + 16384 + 16384) << round;
  }
  EXPECT_TRUE(body_of(pump.client.log, id.value()) == body);
  expect_clean(pump);
}

// Hands out what the test appended to `pending`; "nothing yet" when it is empty and `finished` is false.
class GatedSource final : public BodySource {
 public:
  GatedSource(std::string& pending, bool& finished, int& reads)
      : pending_(pending), finished_(finished), reads_(reads) {}
  Read read(std::span<std::byte> out) override {
    ++reads_;
    const std::size_t n = std::min(out.size(), pending_.size());
    std::copy_n(as_bytes(pending_).begin(), n, out.begin());
    pending_.erase(0, n);
    return {n, finished_ && pending_.empty(), false};
  }

 private:
  std::string& pending_;
  bool& finished_;
  int& reads_;
};

TEST(ConnectionPumpTest, ResumesBodySourceWhenApplicationCallsResumeBody) {
  Pump pump;
  std::string pending = "hello ";
  bool finished = false;
  int reads = 0;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields fields = response_fields(200);
    ASSERT_TRUE(pump.server.conn.submit_response(StreamId(r.stream), views(fields), false).ok());
    ASSERT_TRUE(
        pump.server.conn.send_body(StreamId(r.stream), std::make_unique<GatedSource>(pending, finished, reads)).ok());
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/gated"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, id.value()), "hello ");
  const int reads_when_paused = reads;
  EXPECT_EQ(pump.run(), 0);
  EXPECT_EQ(reads, reads_when_paused);  // paused: not asked again until resume_body
  pending = "world";
  pump.server.conn.resume_body(id);
  ASSERT_GT(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, id.value()), "hello world");
  EXPECT_FALSE(stream_ended(pump.client.log, id.value()));
  finished = true;
  pump.server.conn.resume_body(id);
  ASSERT_GT(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, id.value()), "hello world");
  EXPECT_TRUE(stream_ended(pump.client.log, id.value()));
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
  expect_clean(pump);
}

// Produces `good` octets, then fails.
class FailingSource final : public BodySource {
 public:
  explicit FailingSource(std::size_t good) : good_(good) {}
  Read read(std::span<std::byte> out) override {
    if (good_ == 0) return {0, false, true};
    const std::size_t n = std::min(out.size(), good_);
    std::fill_n(out.begin(), n, std::byte{'x'});
    good_ -= n;
    return {n, false, false};
  }

 private:
  std::size_t good_;
};

TEST(ConnectionPumpTest, ResetsStreamWhenBodySourceFails) {
  Pump pump;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields fields = response_fields(200);
    ASSERT_TRUE(pump.server.conn.submit_response(StreamId(r.stream), views(fields), false).ok());
    ASSERT_TRUE(pump.server.conn.send_body(StreamId(r.stream), std::make_unique<FailingSource>(5000)).ok());
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/broken"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, id.value()), std::string(5000, 'x'));
  const Recorded* reset = find_event(pump.client.log, Kind::reset, id.value());
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::internal_error);
  EXPECT_TRUE(reset->by_peer);
  // The failure happened inside pending_output(): the server reports it with its next receive() or advance().
  Log later = pump.server.log;
  for (const Event& e : pump.server.conn.advance(Instant{1})) later.push_back(record(e));
  EXPECT_EQ(count_kind(later, Kind::reset), 1u);
  const Recorded* ours = find_event(later, Kind::reset, id.value());
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->code, ErrorCode::internal_error);
  EXPECT_FALSE(ours->by_peer);
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
  const StreamId next = submit(pump.client, request_fields("GET", "/fine"), true);
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.server, StreamId(r.stream), 200, "fine");
  };
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, next.value()), "fine");
  EXPECT_FALSE(pump.client.conn.failed());
  EXPECT_FALSE(pump.server.conn.failed());
}

TEST(ConnectionPumpTest, DeliversTrailersWhenBothSidesSendThem) {
  // H2-8.1-01 (RFC 9113 §8.1)
  // H2-8.1-04 (RFC 9113 §8.1)
  Pump pump;
  const std::string upload = pattern(3, 30000);
  const std::string download = pattern(4, 50000);
  const Fields request_trailers{{"x-checksum", "abc"}, {"x-count", "2"}};
  const Fields response_trailers{{"grpc-status", "0"}, {"grpc-message", "fine"}};
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::trailers && r.stream == 1) {
      const Fields fields = response_fields(200);
      ASSERT_TRUE(pump.server.conn.submit_response(StreamId(1), views(fields), false).ok());
      ASSERT_TRUE(pump.server.conn.send_data(StreamId(1), as_bytes(download), false).ok());
      ASSERT_TRUE(pump.server.conn.submit_trailers(StreamId(1), views(response_trailers)).ok());
    } else if (r.kind == Kind::request && r.stream == 3) {
      const Fields fields = response_fields(200);  // no body: the trailers follow the header section at once
      ASSERT_TRUE(pump.server.conn.submit_response(StreamId(3), views(fields), false).ok());
      ASSERT_TRUE(pump.server.conn.submit_trailers(StreamId(3), views(response_trailers)).ok());
    }
  };
  const StreamId id = submit(pump.client, request_fields("POST", "/trailers"), false);
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes(upload), false).ok());
  ASSERT_TRUE(pump.client.conn.submit_trailers(id, views(request_trailers)).ok());
  const StreamId bare = submit(pump.client, request_fields("GET", "/bare"), true);
  ASSERT_GE(pump.run(), 0);

  const Recorded* got = find_event(pump.server.log, Kind::trailers, id.value());
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->fields, request_trailers);
  EXPECT_TRUE(body_of(pump.server.log, id.value()) == upload);
  for (const StreamId s : {id, bare}) {
    got = find_event(pump.client.log, Kind::trailers, s.value());
    ASSERT_NE(got, nullptr) << s.value();
    EXPECT_EQ(got->fields, response_trailers);
  }
  EXPECT_TRUE(body_of(pump.client.log, id.value()) == download);
  EXPECT_EQ(body_of(pump.client.log, bare.value()), "");
  EXPECT_EQ(pump.client.conn.active_streams(), 0u);
  expect_clean(pump);
}

TEST(ConnectionPumpTest, DeliversInformationalResponsesBeforeFinalResponse) {
  // H2-8.1-01 (RFC 9113 §8.1)
  Pump pump;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const StreamId id(r.stream);
    const Fields first = response_fields(103, {{"link", "</a.css>; rel=preload; as=style"}});
    const Fields second = response_fields(103, {{"link", "</b.js>; rel=preload; as=script"}});
    ASSERT_TRUE(pump.server.conn.submit_informational(id, views(first)).ok());
    ASSERT_TRUE(pump.server.conn.submit_informational(id, views(second)).ok());
    respond(pump.server, id, 200, "page");
    const Fields late = response_fields(103);
    EXPECT_FALSE(pump.server.conn.submit_informational(id, views(late)).ok());  // after the final response
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/page"), true);
  ASSERT_GE(pump.run(), 0);
  std::vector<Kind> kinds;
  std::vector<std::string> links;
  for (const Recorded& r : pump.client.log) {
    if (r.stream != id.value()) continue;
    kinds.push_back(r.kind);
    if (r.kind == Kind::informational) {
      EXPECT_EQ(field(r.fields, ":status"), "103");
      links.push_back(field(r.fields, "link").value_or(""));
    }
  }
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::informational, Kind::informational, Kind::response, Kind::data}));
  EXPECT_EQ(links, (std::vector<std::string>{"</a.css>; rel=preload; as=style", "</b.js>; rel=preload; as=script"}));
  EXPECT_EQ(body_of(pump.client.log, id.value()), "page");
  expect_clean(pump);
}

TEST(ConnectionPumpTest, FinishesInFlightStreamsWhenServerShutsDown) {
  // H2-6.8-02 (RFC 9113 §6.8)
  // H2-6.8-03 (RFC 9113 §6.8)
  Pump pump;
  for (int i = 0; i < 3; ++i) submit(pump.client, request_fields("GET", "/slow"), true);
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(count_kind(pump.server.log, Kind::request), 3u);
  pump.server.conn.shutdown();
  ASSERT_GE(pump.run(), 0);
  const Recorded* goaway = find_event(pump.client.log, Kind::goaway, 5);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->code, ErrorCode::no_error);
  const Fields more = request_fields("GET", "/more");
  EXPECT_EQ(refusal(pump.client.conn.submit_request(views(more), true)), Errc::going_away);
  EXPECT_FALSE(pump.client.conn.is_closed());  // three streams are still in flight
  for (const std::uint32_t id : {1u, 3u, 5u}) respond(pump.server, StreamId(id), 200, pattern(id, 70000));
  ASSERT_GE(pump.run(), 0);
  for (const std::uint32_t id : {1u, 3u, 5u}) {
    EXPECT_TRUE(body_of(pump.client.log, id) == pattern(id, 70000)) << id;
    EXPECT_TRUE(stream_ended(pump.client.log, id)) << id;
  }
  EXPECT_TRUE(pump.client.conn.is_closed());
  EXPECT_TRUE(pump.server.conn.is_closed());
  expect_clean(pump);
}

TEST(ConnectionPumpTest, RefusesStreamAboveLastStreamWhenGoawayCrossesRequest) {
  // H2-6.8-02 (RFC 9113 §6.8)
  // H2-6.8-05 (RFC 9113 §6.8)
  Pump pump;
  const StreamId first = submit(pump.client, request_fields("GET", "/first"), true);
  ASSERT_GE(pump.run(), 0);
  pump.server.conn.shutdown(ErrorCode::no_error, "maintenance");
  const StreamId late = submit(pump.client, request_fields("GET", "/late"), true);  // crosses the GOAWAY
  ASSERT_GE(pump.run(), 0);
  const Recorded* goaway = find_event(pump.client.log, Kind::goaway, first.value());
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->data, "maintenance");
  // RFC 9113 §6.8: above Last-Stream-ID nothing was processed; the client may retry elsewhere.
  const Recorded* reset = find_event(pump.client.log, Kind::reset, late.value());
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::refused_stream);
  EXPECT_TRUE(reset->by_peer);
  EXPECT_EQ(find_event(pump.server.log, Kind::request, late.value()), nullptr);
  respond(pump.server, first, 200, "done");
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, first.value()), "done");
  EXPECT_TRUE(pump.client.conn.is_closed());
  EXPECT_FALSE(pump.client.conn.failed());
  EXPECT_FALSE(pump.server.conn.failed());
  EXPECT_EQ(count_kind(pump.server.log, Kind::reset), 0u);
}

TEST(ConnectionPumpTest, FinishesUploadWhenClientShutsDown) {
  // H2-6.8-02 (RFC 9113 §6.8)
  Pump pump;
  const StreamId id = submit(pump.client, request_fields("POST", "/upload"), false);
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes("part one, "), false).ok());
  pump.client.conn.shutdown();
  ASSERT_GE(pump.run(), 0);
  const Recorded* goaway = find_event(pump.server.log, Kind::goaway, 0);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->code, ErrorCode::no_error);
  const Fields more = request_fields("GET", "/more");
  EXPECT_EQ(refusal(pump.client.conn.submit_request(views(more), true)), Errc::going_away);
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes("part two"), true).ok());
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.server.log, id.value()), "part one, part two");
  respond(pump.server, id, 201, "created");
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, id.value()), "created");
  EXPECT_TRUE(pump.client.conn.is_closed());
  EXPECT_TRUE(pump.server.conn.is_closed());
  expect_clean(pump);
}

TEST(ConnectionPumpTest, StopsUploadWhenServerResetsStream) {
  // H2-6.4-02 (RFC 9113 §6.4)
  Pump pump;
  pump.max_chunk = 16 * 1024;  // the client still holds output when the RST_STREAM arrives
  const std::string upload = pattern(5, 1 << 20);
  std::optional<std::size_t> client_limit;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::data && r.stream == 1 && pump.server.sent.count(kTypeRstStream) == 0) {
      EXPECT_TRUE(pump.server.conn.reset_stream(StreamId(1), ErrorCode::cancel).ok());
    } else if (r.kind == Kind::request && r.stream == 3) {
      respond(pump.server, StreamId(3), 200, "still here");
    }
  };
  pump.client.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::reset) client_limit = pump.client.sent.total() + pump.client.conn.pending_output().size();
  };
  const StreamId id = submit(pump.client, request_fields("POST", "/upload"), false);
  ASSERT_TRUE(pump.client.conn.send_data(id, as_bytes(upload), true).ok());
  ASSERT_GE(pump.run(), 0);
  const Recorded* reset = find_event(pump.client.log, Kind::reset, id.value());
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::cancel);
  EXPECT_TRUE(reset->by_peer);
  ASSERT_TRUE(client_limit.has_value());
  for (const FrameSeen& f : pump.client.sent.frames) {
    if (f.type == kTypeData && f.stream == id.value()) {
      EXPECT_LT(f.offset, *client_limit);
    }
  }
  EXPECT_LT(body_of(pump.server.log, id.value()).size(), upload.size() / 4);
  EXPECT_EQ(pump.client.conn.active_streams(), 0u);
  // Late DATA after our reset is dropped silently (RFC 9113 §5.1 closed): no RST_STREAM(STREAM_CLOSED) back.
  EXPECT_EQ(pump.server.sent.count(kTypeRstStream), 1u);
  EXPECT_EQ(count_kind(pump.server.log, Kind::reset), 0u);
  const StreamId next = submit(pump.client, request_fields("GET", "/next"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, next.value()), "still here");
  EXPECT_FALSE(pump.client.conn.failed());
  EXPECT_FALSE(pump.server.conn.failed());
}

TEST(ConnectionPumpTest, DeliversLargeHeaderSectionsWhenTheyNeedContinuation) {
  // H2-4.3-01 (RFC 9113 §4.3)
  Pump pump;
  const std::string big(40000, 'q');
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.server, StreamId(r.stream), 200, "ok", {{"x-big", big + "s"}});
  };
  const StreamId id = submit(pump.client, request_fields("GET", "/big-headers", {{"x-big", big + "c"}}), true);
  ASSERT_GE(pump.run(), 0);
  const Recorded* request = find_event(pump.server.log, Kind::request, id.value());
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(field(request->fields, "x-big"), big + "c");
  const Recorded* response = find_event(pump.client.log, Kind::response, id.value());
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(field(response->fields, "x-big"), big + "s");
  EXPECT_GT(pump.client.sent.count(0x9), 0u);  // CONTINUATION
  EXPECT_GT(pump.server.sent.count(0x9), 0u);
  expect_clean(pump);
}

TEST(ConnectionPumpTest, SkipsBodyWhenResponseAnswersHead) {
  // H2-8.1.1-01 (RFC 9113 §8.1.1)
  Pump pump;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields fields = response_fields(200, {{"content-length", "12345"}});
    ASSERT_TRUE(pump.server.conn.submit_response(StreamId(r.stream), views(fields), true).ok());
  };
  const StreamId id = submit(pump.client, request_fields("HEAD", "/file"), true);
  ASSERT_GE(pump.run(), 0);
  const Recorded* response = find_event(pump.client.log, Kind::response, id.value());
  ASSERT_NE(response, nullptr);
  EXPECT_TRUE(response->end_stream);
  EXPECT_EQ(field(response->fields, "content-length"), "12345");
  expect_clean(pump);
}

// The stream ids of the DATA frames in `tap` from frame `from` on, one entry per frame.
std::vector<std::uint32_t> data_order(const FrameTap& tap, std::size_t from) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = from; i < tap.frames.size(); ++i) {
    if (tap.frames[i].type == kTypeData) out.push_back(tap.frames[i].stream);
  }
  return out;
}

// Sends three requests with the given priority header values; once all arrived, answers them in stream order
// with `size` octets each, all ready at once. Returns the index of the server's first response frame.
std::size_t race_three(Pump& pump, const std::array<std::string, 3>& priorities, std::size_t size) {
  for (const std::string& p : priorities) submit(pump.client, request_fields("GET", "/race", {{"priority", p}}), true);
  EXPECT_GE(pump.run(), 0);
  EXPECT_EQ(count_kind(pump.server.log, Kind::request), 3u);
  const std::size_t mark = pump.server.sent.frames.size();
  for (const std::uint32_t id : {1u, 3u, 5u}) respond(pump.server, StreamId(id), 200, pattern(id, size));
  EXPECT_GE(pump.run(), 0);
  for (const std::uint32_t id : {1u, 3u, 5u}) EXPECT_TRUE(body_of(pump.client.log, id) == pattern(id, size)) << id;
  return mark;
}

TEST(ConnectionPumpTest, SendsUrgentStreamFirstWhenStreamsCompete) {
  // PR-10-01 (RFC 9218 §10)
  // PR-4-02 (RFC 9218 §4)
  Pump pump;
  const std::size_t mark = race_three(pump, {"u=5", "u=5", "u=0"}, 40000);  // 3 frames each
  // RFC 9218 §4: urgency 0 before 5; non-incremental streams of one urgency one after another.
  EXPECT_EQ(data_order(pump.server.sent, mark), (std::vector<std::uint32_t>{5, 5, 5, 1, 1, 1, 3, 3, 3}));
  expect_clean(pump);
}

TEST(ConnectionPumpTest, InterleavesIncrementalStreamsWhenUrgencyIsEqual) {
  // PR-10-01 (RFC 9218 §10)
  Pump pump;
  const std::size_t mark = race_three(pump, {"u=3, i", "u=3, i", "u=3, i"}, 40000);
  // RFC 9218 §4: incremental streams of one urgency share the bandwidth, here frame by frame in turn.
  EXPECT_EQ(data_order(pump.server.sent, mark), (std::vector<std::uint32_t>{1, 3, 5, 1, 3, 5, 1, 3, 5}));
  expect_clean(pump);
}

TEST(ConnectionPumpTest, RefusesThirdRequestWhenServerAllowsTwoStreams) {
  // H2-5.1.2-01 (RFC 9113 §5.1.2)
  Options server = server_options();
  server.max_concurrent_streams = 2;
  Pump pump(client_options(), server);
  ASSERT_GE(pump.run(), 0);  // the client learns the limit
  const StreamId first = submit(pump.client, request_fields("GET", "/1"), true);
  const StreamId second = submit(pump.client, request_fields("GET", "/2"), true);
  const Fields third = request_fields("GET", "/3");
  EXPECT_EQ(refusal(pump.client.conn.submit_request(views(third), true)), Errc::stream_limit);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(refusal(pump.client.conn.submit_request(views(third), true)), Errc::stream_limit);
  respond(pump.server, first, 200, "one");
  ASSERT_GE(pump.run(), 0);
  const auto admitted = pump.client.conn.submit_request(views(third), true);  // a slot freed
  ASSERT_TRUE(admitted.ok());
  EXPECT_EQ(admitted->value(), 5u);
  EXPECT_EQ(refusal(pump.client.conn.submit_request(views(third), true)), Errc::stream_limit);
  ASSERT_GE(pump.run(), 0);
  respond(pump.server, second, 200, "two");
  respond(pump.server, *admitted, 200, "three");
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, 1), "one");
  EXPECT_EQ(body_of(pump.client.log, 3), "two");
  EXPECT_EQ(body_of(pump.client.log, 5), "three");
  expect_clean(pump);
}

}  // namespace
}  // namespace h2push::http2::test
