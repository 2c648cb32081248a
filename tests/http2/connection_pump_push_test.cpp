// End-to-end tests of server push (RFC 9113 §8.4): our server pushing to our client through the in-memory pump.
// Accepted and refused pushes, push disabled by the client, and pushes held by the client's stream limit.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"

namespace h2push::http2::test {
namespace {

const Fields kPageRequest{{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", "/"}};

Fields pushed_request(std::string_view path) {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", std::string(path)}};
}

Options push_client() {
  Options o = client_options();
  o.enable_push = true;
  return o;
}

// Promises `path` on `parent` and queues its whole response; returns the promised stream.
StreamId push(Side& server, StreamId parent, std::string_view path, const std::string& body) {
  const Fields request = pushed_request(path);
  const auto promised = server.conn.submit_push_promise(parent, views(request));
  EXPECT_TRUE(promised.ok()) << to_string(promised.error());
  if (!promised.ok()) return StreamId();
  const Fields response{{":status", "200"}, {"content-type", "text/css"}};
  EXPECT_TRUE(server.conn.submit_response(*promised, views(response), false).ok());
  EXPECT_TRUE(server.conn.send_data(*promised, as_bytes(body), true).ok());
  return *promised;
}

void respond(Side& server, StreamId id, const std::string& body) {
  const Fields response{{":status", "200"}, {"content-type", "text/html"}};
  ASSERT_TRUE(server.conn.submit_response(id, views(response), false).ok());
  ASSERT_TRUE(server.conn.send_data(id, as_bytes(body), true).ok());
}

StreamId get_page(Side& client) {
  const auto id = client.conn.submit_request(views(kPageRequest), true);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : StreamId();
}

// The index in `log` of the first record of `kind` on `stream`, or log.size().
std::size_t index_of(const Log& log, Kind kind, std::uint32_t stream) {
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].kind == kind && log[i].stream == stream) return i;
  }
  return log.size();
}

// The index in `tap` of the first frame of `type` on `stream` (with all of `flags`), or frames.size().
std::size_t frame_index(const FrameTap& tap, std::uint8_t type, std::uint32_t stream, std::uint8_t flags = 0) {
  for (std::size_t i = 0; i < tap.frames.size(); ++i) {
    const FrameSeen& f = tap.frames[i];
    if (f.type == type && f.stream == stream && (f.flags & flags) == flags) return i;
  }
  return tap.frames.size();
}

TEST(ConnectionPumpTest, DeliversPushedResponseWhenClientAcceptsPush) {
  // H2-8.4-05 (RFC 9113 §8.4.1)
  // H2-8.4-08 (RFC 9113 §8.4.2)
  Pump pump(push_client(), server_options());
  const std::string css = pattern(2, 30000);
  const std::string html = pattern(1, 50000);
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const StreamId promised = push(pump.server, StreamId(r.stream), "/style.css", css);
    EXPECT_EQ(promised.value(), 2u);
    respond(pump.server, StreamId(r.stream), html);
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);

  const Log& log = pump.client.log;
  const Recorded* promise = find_event(log, Kind::push_promised, page.value());
  ASSERT_NE(promise, nullptr);
  EXPECT_EQ(promise->promised, 2u);
  EXPECT_EQ(promise->fields, pushed_request("/style.css"));
  // RFC 9113 §8.4: the promise comes before any frame of the parent that could reference the pushed resource.
  EXPECT_LT(index_of(log, Kind::push_promised, page.value()), index_of(log, Kind::data, page.value()));
  EXPECT_LT(frame_index(pump.server.sent, kTypePushPromise, page.value()),
            frame_index(pump.server.sent, kTypeData, page.value()));
  const Recorded* pushed = find_event(log, Kind::response, 2);
  ASSERT_NE(pushed, nullptr);
  EXPECT_EQ(field(pushed->fields, "content-type"), "text/css");
  EXPECT_TRUE(body_of(log, 2) == css);
  EXPECT_TRUE(stream_ended(log, 2));
  EXPECT_TRUE(body_of(log, page.value()) == html);
  EXPECT_EQ(count_kind(log, Kind::reset), 0u);
  EXPECT_EQ(count_kind(pump.server.log, Kind::reset), 0u);
  EXPECT_EQ(pump.client.conn.active_streams(), 0u);
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
}

TEST(ConnectionPumpTest, StopsPushedDataWhenClientCancelsPush) {
  // H2-8.4-06 (RFC 9113 §8.4.2)
  // H2-6.4-02 (RFC 9113 §6.4)
  Options client = push_client();  // windows far larger than the pushed body: only the reset can stop it
  client.initial_window_size = 1 << 22;
  client.connection_window_size = 1 << 24;
  Pump pump(client, server_options());
  pump.max_chunk = 16 * 1024;  // the server still holds output when the RST_STREAM arrives
  const std::string css = pattern(2, 512 * 1024);
  const std::string html = "page";          // short, so that the pushed DATA is on the wire when the reset comes
  std::size_t reset_batch = 0;              // the client's receive() that reported the promise
  std::optional<std::size_t> server_limit;  // octets written or pending at the server when the reset arrived
  pump.client.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::push_promised) return;
    reset_batch = r.batch;
    EXPECT_TRUE(pump.client.conn.reset_stream(StreamId(r.promised), ErrorCode::cancel).ok());
  };
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) {
      push(pump.server, StreamId(r.stream), "/big.css", css);
      respond(pump.server, StreamId(r.stream), html);
    } else if (r.kind == Kind::reset && r.stream == 2) {
      server_limit = pump.server.sent.total() + pump.server.conn.pending_output().size();
    }
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);

  const Recorded* reset = find_event(pump.server.log, Kind::reset, 2);
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::cancel);
  EXPECT_TRUE(reset->by_peer);
  ASSERT_TRUE(server_limit.has_value());
  // RFC 9113 §6.4: after RST_STREAM nothing more is sent on the stream; only frames already queued may follow.
  std::size_t pushed_octets = 0;
  for (const FrameSeen& f : pump.server.sent.frames) {
    if (f.type != kTypeData || f.stream != 2) continue;
    pushed_octets += f.length;
    EXPECT_LT(f.offset, *server_limit);
  }
  EXPECT_GT(pushed_octets, 0u);  // the push was under way
  EXPECT_LT(pushed_octets, css.size() / 4);
  ASSERT_GT(reset_batch, 0u);
  for (const Recorded& r : pump.client.log) {
    // Events of the input that carried the promise were reported before the reset; nothing after it.
    EXPECT_FALSE(r.stream == 2 && r.batch > reset_batch) << static_cast<int>(r.kind);
  }
  // The connection is fine: the page arrives, and another request after it.
  EXPECT_TRUE(body_of(pump.client.log, page.value()) == html);
  EXPECT_TRUE(stream_ended(pump.client.log, page.value()));
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.server, StreamId(r.stream), "again");
  };
  const StreamId next = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, next.value()), "again");
  EXPECT_EQ(count_kind(pump.client.log, Kind::reset), 0u);  // our own reset is not an event
  EXPECT_EQ(count_kind(pump.client.log, Kind::failed) + count_kind(pump.server.log, Kind::failed), 0u);
  EXPECT_EQ(pump.client.sent.count(kTypeGoaway) + pump.server.sent.count(kTypeGoaway), 0u);
  EXPECT_EQ(pump.client.conn.active_streams(), 0u);
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
}

TEST(ConnectionPumpTest, FailsPushPromiseWhenClientDisabledPush) {
  // H2-6.6-06 (RFC 9113 §6.6)
  Pump pump;  // enable_push = false by default
  ASSERT_GE(pump.run(), 0);
  EXPECT_FALSE(pump.server.conn.peer_accepts_push());
  std::optional<Errc> refused;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields request = pushed_request("/style.css");
    const auto promised = pump.server.conn.submit_push_promise(StreamId(r.stream), views(request));
    if (!promised.ok()) refused = promised.error();
    respond(pump.server, StreamId(r.stream), "page");
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(refused, Errc::push_disabled);
  EXPECT_EQ(pump.server.sent.count(kTypePushPromise), 0u);
  EXPECT_EQ(body_of(pump.client.log, page.value()), "page");
  EXPECT_FALSE(pump.client.conn.failed());
}

TEST(ConnectionPumpTest, StartsHeldPushWhenClientStreamSlotFrees) {
  // H2-8.4-07 (RFC 9113 §8.4.2)
  Options client = push_client();
  client.max_concurrent_streams = 1;  // one pushed stream at a time (RFC 9113 §5.1.2)
  Pump pump(client, server_options());
  const std::string first = pattern(2, 40000);
  const std::string second = pattern(4, 40000);
  const std::string html = pattern(1, 20000);
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    EXPECT_EQ(push(pump.server, StreamId(r.stream), "/a.css", first).value(), 2u);
    EXPECT_EQ(push(pump.server, StreamId(r.stream), "/b.css", second).value(), 4u);
    respond(pump.server, StreamId(r.stream), html);
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);

  const Log& log = pump.client.log;
  EXPECT_EQ(count_kind(log, Kind::push_promised), 2u);
  EXPECT_TRUE(body_of(log, 2) == first);
  EXPECT_TRUE(body_of(log, 4) == second);
  EXPECT_TRUE(body_of(log, page.value()) == html);
  EXPECT_TRUE(stream_ended(log, 4));
  // The second pushed response starts only after the first one ended (RFC 9113 §8.4.2).
  const FrameTap& wire = pump.server.sent;
  const std::size_t first_end = frame_index(wire, kTypeData, 2, 0x1);
  ASSERT_LT(first_end, wire.frames.size());
  EXPECT_GT(frame_index(wire, kTypeHeaders, 4), first_end);
  EXPECT_LT(frame_index(wire, kTypePushPromise, page.value()), first_end);  // both promises went out at once
  EXPECT_EQ(count_kind(log, Kind::reset), 0u);
  EXPECT_EQ(count_kind(pump.server.log, Kind::reset), 0u);
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
}

TEST(ConnectionPumpTest, RefusesPushPromiseWhenClientSentGoaway) {
  // H2-6.8-02 (RFC 9113 §6.8)
  Pump pump(push_client(), server_options());
  std::optional<Errc> refused;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::goaway) return;
    const Fields request = pushed_request("/late.css");
    const auto promised = pump.server.conn.submit_push_promise(StreamId(1), views(request));
    if (!promised.ok()) refused = promised.error();
    respond(pump.server, StreamId(1), "page");
  };
  const StreamId page = get_page(pump.client);
  pump.client.conn.shutdown();
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(refused, Errc::going_away);  // RFC 9113 §6.8
  EXPECT_EQ(body_of(pump.client.log, page.value()), "page");
  EXPECT_TRUE(pump.client.conn.is_closed());
  EXPECT_FALSE(pump.client.conn.failed());
}

TEST(ConnectionPumpTest, DeliversAcceptedPushWhenClientShutsDown) {
  // H2-6.8-03 (RFC 9113 §6.8)
  Pump pump(push_client(), server_options());
  StreamId promised;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields request = pushed_request("/style.css");
    const auto id = pump.server.conn.submit_push_promise(StreamId(r.stream), views(request));
    ASSERT_TRUE(id.ok());
    promised = *id;
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);
  ASSERT_NE(find_event(pump.client.log, Kind::push_promised, page.value()), nullptr);
  // RFC 9113 §6.8: Last-Stream-ID is the highest peer stream the sender may act on; for a client, the pushes it
  // accepted. They are not refused by the GOAWAY and complete like the client's own streams.
  pump.client.conn.shutdown();
  ASSERT_GE(pump.run(), 0);
  const Recorded* goaway = find_event(pump.server.log, Kind::goaway, promised.value());
  EXPECT_NE(goaway, nullptr) << "GOAWAY does not name the accepted push";
  EXPECT_EQ(find_event(pump.server.log, Kind::reset, promised.value()), nullptr);
  const Fields response{{":status", "200"}};
  ASSERT_TRUE(pump.server.conn.submit_response(promised, views(response), false).ok());
  ASSERT_TRUE(pump.server.conn.send_data(promised, as_bytes("css"), true).ok());
  respond(pump.server, page, "page");
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, promised.value()), "css");
  EXPECT_EQ(body_of(pump.client.log, page.value()), "page");
  EXPECT_TRUE(pump.client.conn.is_closed());
  EXPECT_FALSE(pump.client.conn.failed());
}

TEST(ConnectionPumpTest, RefusesPushPromiseWhenClientAllowsNoStreams) {
  // H2-8.4-07 (RFC 9113 §8.4.2)
  // H2-6.5.2-03 (RFC 9113 §6.5.2)
  Options client = push_client();
  client.max_concurrent_streams = 0;  // push enabled, yet no pushed stream may ever start
  Pump pump(client, server_options());
  ASSERT_GE(pump.run(), 0);
  std::optional<Errc> refused;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields request = pushed_request("/style.css");
    const auto promised = pump.server.conn.submit_push_promise(StreamId(r.stream), views(request));
    if (!promised.ok()) refused = promised.error();
    respond(pump.server, StreamId(r.stream), "page");
  };
  EXPECT_FALSE(pump.server.conn.peer_accepts_push());
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(refused, Errc::push_disabled);  // Errc::push_disabled: "or its stream limit is 0"
  EXPECT_EQ(pump.server.sent.count(kTypePushPromise), 0u);
  EXPECT_EQ(body_of(pump.client.log, page.value()), "page");
}

TEST(ConnectionPumpTest, DropsHeldPushWhenClientCancelsItBeforeItStarts) {
  // H2-8.4-06 (RFC 9113 §8.4.2)
  // H2-8.4-07 (RFC 9113 §8.4.2)
  Options client = push_client();
  client.max_concurrent_streams = 1;
  Pump pump(client, server_options());
  pump.client.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::push_promised && r.promised == 4) {
      EXPECT_TRUE(pump.client.conn.reset_stream(StreamId(4), ErrorCode::cancel).ok());
    }
  };
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    // The first push outlasts the client's 65535-octet window, so the reset of the second arrives before it ends.
    push(pump.server, StreamId(r.stream), "/a.css", pattern(2, 200000));
    push(pump.server, StreamId(r.stream), "/b.css", pattern(4, 40000));  // held behind the first
    respond(pump.server, StreamId(r.stream), "page");
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);
  EXPECT_TRUE(body_of(pump.client.log, 2) == pattern(2, 200000));
  EXPECT_EQ(body_of(pump.client.log, page.value()), "page");
  const Recorded* reset = find_event(pump.server.log, Kind::reset, 4);
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::cancel);
  EXPECT_EQ(pump.server.sent.count(kTypeHeaders, 4) + pump.server.sent.count(kTypeData, 4), 0u);
  EXPECT_EQ(pump.server.conn.active_streams(), 0u);
  EXPECT_FALSE(pump.client.conn.failed());
  EXPECT_FALSE(pump.server.conn.failed());
}

TEST(ConnectionPumpTest, StaysOpenForHeldPushesWhenServerShutsDown) {
  // H2-6.8-04 (RFC 9113 §6.8)
  // H2-8.4-07 (RFC 9113 §8.4.2)
  Options client = push_client();
  client.max_concurrent_streams = 1;
  Pump pump(client, server_options());
  pump.max_chunk = 4096;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    push(pump.server, StreamId(r.stream), "/a.css", pattern(2, 100000));
    push(pump.server, StreamId(r.stream), "/b.css", pattern(4, 100000));  // held behind the first
    respond(pump.server, StreamId(r.stream), "page");
    pump.server.conn.shutdown();  // graceful: what was promised is still delivered
  };
  get_page(pump.client);
  // is_closed() tells the application it may close the transport: never while a promised response is owed.
  for (int round = 0; round < 100000; ++round) {
    const bool a = pump.transfer(pump.client, pump.server);
    const bool b = pump.transfer(pump.server, pump.client);
    if (!a && !b) break;
    if (pump.server.conn.is_closed()) {
      EXPECT_TRUE(stream_ended(pump.client.log, 4) || pump.server.conn.pending_output().size() > 0) << round;
    }
    if (pump.client.conn.is_closed()) {
      EXPECT_TRUE(stream_ended(pump.client.log, 4)) << round;
    }
  }
  EXPECT_TRUE(body_of(pump.client.log, 2) == pattern(2, 100000));
  EXPECT_TRUE(body_of(pump.client.log, 4) == pattern(4, 100000));
  EXPECT_TRUE(pump.server.conn.is_closed());
  EXPECT_TRUE(pump.client.conn.is_closed());
}

TEST(ConnectionPumpTest, StaysOpenForPromisedResponseWhenServerShutsDown) {
  // H2-6.8-04 (RFC 9113 §6.8)
  Pump pump(push_client(), server_options());
  StreamId promised;
  pump.server.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields request = pushed_request("/slow.css");
    const auto id = pump.server.conn.submit_push_promise(StreamId(r.stream), views(request));
    ASSERT_TRUE(id.ok());
    promised = *id;
    respond(pump.server, StreamId(r.stream), "page");  // the page ends; the pushed response is not ready yet
    pump.server.conn.shutdown();
  };
  const StreamId page = get_page(pump.client);
  ASSERT_GE(pump.run(), 0);
  ASSERT_TRUE(stream_ended(pump.client.log, page.value()));
  ASSERT_NE(find_event(pump.client.log, Kind::goaway, page.value()), nullptr);
  // A promised stream is still owed (RFC 9113 §6.8, §8.4): neither side may consider the connection done.
  EXPECT_FALSE(pump.server.conn.is_closed());
  EXPECT_FALSE(pump.client.conn.is_closed());
  const Fields response{{":status", "200"}};
  ASSERT_TRUE(pump.server.conn.submit_response(promised, views(response), false).ok());
  ASSERT_TRUE(pump.server.conn.send_data(promised, as_bytes("late css"), true).ok());
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.client.log, promised.value()), "late css");
  EXPECT_TRUE(pump.server.conn.is_closed());
  EXPECT_TRUE(pump.client.conn.is_closed());
}

}  // namespace
}  // namespace h2push::http2::test
