// Interop tests against libnghttp2 in memory: our server Connection serving an nghttp2 client session. Both sides
// are checked: what nghttp2 reports (header blocks, bodies, stream close codes, no error callbacks, no GOAWAY with
// an error) and what our Connection reports. Our client against an nghttp2 server is in
// nghttp2_interop_client_test.cpp.
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/connection_pump.hpp"
#include "http2/nghttp2_peer.hpp"

namespace h2push::http2::test {
namespace {

Fields request_fields(std::string_view method, std::string_view path) {
  return {{":method", std::string(method)},
          {":scheme", "https"},
          {":authority", "example.test"},
          {":path", std::string(path)}};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// Neither side saw a protocol problem.
void expect_healthy(const InteropPump& pump) {
  EXPECT_TRUE(pump.ng.errors.empty()) << joined(pump.ng.errors);
  EXPECT_EQ(count_kind(pump.ours.log, Kind::failed), 0u);
  EXPECT_FALSE(pump.ours.conn.failed());
  EXPECT_FALSE(pump.ours.conn.wants_write());
  EXPECT_EQ(nghttp2_session_want_write(pump.ng.session), 0);  // both quiet
  for (const FrameSeen& f : pump.ours.sent.frames) {
    if (f.type == kTypeGoaway) {
      EXPECT_EQ(f.value, 0u) << "our GOAWAY carries an error";
    }
  }
}

// Our server's response: header section, then the body in one piece (none when empty), then optional trailers.
void respond(Side& server, std::uint32_t stream, const Fields& fields, const std::string& body,
             const std::optional<Fields>& trailers = std::nullopt) {
  const StreamId id(stream);
  const bool end_now = body.empty() && !trailers;
  ASSERT_TRUE(server.conn.submit_response(id, views(fields), end_now).ok());
  if (!body.empty()) {
    ASSERT_TRUE(server.conn.send_data(id, as_bytes(body), !trailers).ok());
  }
  if (trailers) {
    ASSERT_TRUE(server.conn.submit_trailers(id, views(*trailers)).ok());
  }
}

// The index in `frames` of the first one of `type` on `stream`, or frames.size().
std::size_t first_frame(const std::vector<NgFrame>& frames, std::uint8_t type, std::int32_t stream) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].type == type && frames[i].stream == stream) return i;
  }
  return frames.size();
}

TEST(Nghttp2InteropTest, ServesGetWhenNghttp2ClientRequests) {
  InteropPump pump(server_options(), {});
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request)
      respond(pump.ours, r.stream, {{":status", "200"}, {"content-type", "text/plain"}}, "hello");
  };
  const std::int32_t id = pump.ng.request(request_fields("GET", "/hello"));
  ASSERT_EQ(id, 1);
  ASSERT_GE(pump.run(), 0);

  const Recorded* request = find_event(pump.ours.log, Kind::request, 1);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(field(request->fields, ":method"), "GET");
  EXPECT_EQ(field(request->fields, ":path"), "/hello");
  EXPECT_EQ(field(request->fields, ":authority"), "example.test");
  EXPECT_TRUE(request->end_stream);
  const NgStream& s = pump.ng.streams[1];
  ASSERT_EQ(s.blocks.size(), 1u);
  EXPECT_EQ(s.blocks[0].category, NGHTTP2_HCAT_RESPONSE);
  EXPECT_EQ(pump.ng.status(1), "200");
  EXPECT_EQ(field(s.blocks[0].fields, "content-type"), "text/plain");
  EXPECT_EQ(s.body, "hello");
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(count_kind(pump.ours.log, Kind::settings_ack), 1u);  // nghttp2 acknowledged our SETTINGS
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ServesHundredStreamsWhenNghttp2ClientMultiplexes) {
  Options server = server_options();
  server.max_concurrent_streams = 20;  // nghttp2 queues the rest until streams close
  InteropPump pump(server, {});
  std::map<std::int32_t, std::string> uploads;
  std::size_t most_active = 0;
  pump.ours.on_event = [&](const Recorded& r) {
    most_active = std::max(most_active, pump.ours.conn.active_streams());
    if (!(r.kind == Kind::request || r.kind == Kind::data) || !r.end_stream) return;
    const std::string body = pattern(r.stream, (r.stream * 7919u) % 90000u);
    respond(pump.ours, r.stream, {{":status", "200"}, {"content-length", std::to_string(body.size())}}, body);
  };
  for (int i = 0; i < 100; ++i) {
    const bool post = i % 4 == 1;
    std::optional<NgBody> body;
    if (post) body = NgBody{pattern(static_cast<std::uint32_t>(i) + 500, static_cast<std::size_t>(i) * 1500), 0, {}};
    const std::string upload = body ? body->data : "";
    std::string path = "/item/";  // appended, not `"/" + ...`: GCC 12's -Wrestrict misfires on that
    path += std::to_string(i);
    const std::int32_t id = pump.ng.request(request_fields(post ? "POST" : "GET", path), body);
    if (post) uploads[id] = upload;
  }
  ASSERT_GE(pump.run(), 0);

  EXPECT_LE(most_active, 20u);
  EXPECT_EQ(count_kind(pump.ours.log, Kind::request), 100u);
  for (std::int32_t id = 1; id < 200; id += 2) {
    const auto stream = static_cast<std::uint32_t>(id);
    const NgStream& s = pump.ng.streams[id];
    EXPECT_TRUE(s.body == pattern(stream, (stream * 7919u) % 90000u)) << id;
    EXPECT_TRUE(s.closed) << id;
    EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR) << id;
    if (uploads.count(id) != 0) {
      EXPECT_TRUE(body_of(pump.ours.log, stream) == uploads[id]) << id;
    }
  }
  EXPECT_EQ(count_kind(pump.ours.log, Kind::reset), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, WaitsForWindowUpdatesWhenNghttp2ClientReadsSlowly) {
  // H2-5.2-03 (RFC 9113 §6.9.1)
  InteropPump pump(server_options(), {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 4096}}, /*ng_auto_window_update=*/false);
  const std::string body = pattern(11, 1 << 20);
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.ours, r.stream, {{":status", "200"}}, body);
  };
  pump.ng.request(request_fields("GET", "/large"));
  ASSERT_GE(pump.run(), 0);
  NgStream& s = pump.ng.streams[1];
  EXPECT_EQ(s.body.size(), 4096u);  // the stream window
  EXPECT_EQ(pump.ours.conn.stream_send_window(StreamId(1)), 0);
  EXPECT_EQ(pump.run(), 0);  // stalled until nghttp2 reads
  std::size_t consumed = 0;
  for (int round = 0; round < 2000 && s.body.size() < body.size(); ++round) {
    const std::size_t fresh = s.body.size() - consumed;
    ASSERT_GT(fresh, 0u) << "stalled at " << consumed;
    EXPECT_LE(fresh, 4096u);
    ASSERT_EQ(nghttp2_session_consume(pump.ng.session, 1, fresh), 0);
    consumed += fresh;
    ASSERT_GT(pump.run(), 0);
  }
  EXPECT_TRUE(s.body == body);
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  EXPECT_GT(pump.ng.count_sent(NGHTTP2_WINDOW_UPDATE, 1), 100u);
  EXPECT_GT(pump.ng.count_sent(NGHTTP2_WINDOW_UPDATE, 0), 10u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ExchangesBodiesAndTrailersWhenNghttp2ClientPosts) {
  // H2-8.1-04 (RFC 9113 §8.1)
  InteropPump pump(server_options(), {});
  const std::string upload = pattern(12, 200000);
  const std::string download = pattern(13, 100000);
  const Fields response_trailers{{"grpc-status", "0"}, {"grpc-message", "ok"}};
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::trailers) respond(pump.ours, r.stream, {{":status", "200"}}, download, response_trailers);
  };
  pump.ng.request(request_fields("POST", "/rpc"), NgBody{upload, 0, Fields{{"x-checksum", "42"}}});
  ASSERT_GE(pump.run(), 0);

  EXPECT_TRUE(body_of(pump.ours.log, 1) == upload);
  const Recorded* trailers = find_event(pump.ours.log, Kind::trailers, 1);
  ASSERT_NE(trailers, nullptr);
  EXPECT_EQ(trailers->fields, (Fields{{"x-checksum", "42"}}));
  const NgStream& s = pump.ng.streams[1];
  ASSERT_EQ(s.blocks.size(), 2u);
  EXPECT_EQ(s.blocks[1].category, NGHTTP2_HCAT_HEADERS);
  EXPECT_EQ(s.blocks[1].fields, response_trailers);
  EXPECT_TRUE(s.body == download);
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, SendsInformationalResponsesWhenNghttp2ClientWaits) {
  // H2-8.1-01 (RFC 9113 §8.1)
  InteropPump pump(server_options(), {});
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields a{{":status", "103"}, {"link", "</a.css>; rel=preload; as=style"}};
    const Fields b{{":status", "103"}, {"link", "</b.js>; rel=preload; as=script"}};
    ASSERT_TRUE(pump.ours.conn.submit_informational(StreamId(r.stream), views(a)).ok());
    ASSERT_TRUE(pump.ours.conn.submit_informational(StreamId(r.stream), views(b)).ok());
    respond(pump.ours, r.stream, {{":status", "200"}}, "page");
  };
  pump.ng.request(request_fields("GET", "/"));
  ASSERT_GE(pump.run(), 0);

  // nghttp2 reports the first header block of a response as HCAT_RESPONSE (1xx included) and every later one,
  // the remaining 103 and the final response, as HCAT_HEADERS.
  const NgStream& s = pump.ng.streams[1];
  ASSERT_EQ(s.blocks.size(), 3u);
  EXPECT_EQ(s.blocks[0].category, NGHTTP2_HCAT_RESPONSE);
  EXPECT_EQ(s.blocks[1].category, NGHTTP2_HCAT_HEADERS);
  EXPECT_EQ(s.blocks[2].category, NGHTTP2_HCAT_HEADERS);
  EXPECT_EQ(pump.ng.status(1, 0), "103");
  EXPECT_EQ(field(s.blocks[0].fields, "link"), "</a.css>; rel=preload; as=style");
  EXPECT_EQ(pump.ng.status(1, 1), "103");
  EXPECT_EQ(field(s.blocks[1].fields, "link"), "</b.js>; rel=preload; as=script");
  EXPECT_EQ(pump.ng.status(1, 2), "200");
  EXPECT_EQ(s.body, "page");
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, PushesToNghttp2ClientWhenItAcceptsPush) {
  // H2-8.4-05 (RFC 9113 §8.4.1)
  // H2-8.4-08 (RFC 9113 §8.4.2)
  InteropPump pump(server_options(), {});  // nghttp2 clients allow push unless told otherwise
  const std::string css = pattern(14, 70000);
  const std::string html = pattern(15, 30000);
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    const Fields request = request_fields("GET", "/style.css");
    const auto promised = pump.ours.conn.submit_push_promise(StreamId(r.stream), views(request));
    ASSERT_TRUE(promised.ok());
    respond(pump.ours, promised->value(), {{":status", "200"}, {"content-type", "text/css"}}, css);
    respond(pump.ours, r.stream, {{":status", "200"}, {"content-type", "text/html"}}, html);
  };
  pump.ng.request(request_fields("GET", "/"));
  ASSERT_GE(pump.run(), 0);

  const std::size_t promise = first_frame(pump.ng.received, NGHTTP2_PUSH_PROMISE, 1);
  ASSERT_LT(promise, pump.ng.received.size());
  EXPECT_EQ(pump.ng.received[promise].promised, 2);
  EXPECT_LT(promise, first_frame(pump.ng.received, NGHTTP2_DATA, 1));  // RFC 9113 §8.4
  const NgStream& pushed = pump.ng.streams[2];
  EXPECT_EQ(pushed.promised_request, request_fields("GET", "/style.css"));
  ASSERT_EQ(pushed.blocks.size(), 1u);
  EXPECT_EQ(pushed.blocks[0].category, NGHTTP2_HCAT_PUSH_RESPONSE);
  EXPECT_EQ(field(pushed.blocks[0].fields, "content-type"), "text/css");
  EXPECT_TRUE(pushed.body == css);
  EXPECT_TRUE(pushed.closed);
  EXPECT_EQ(pushed.close_code, NGHTTP2_NO_ERROR);
  EXPECT_TRUE(pump.ng.streams[1].body == html);
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, StopsPushWhenNghttp2ClientCancelsIt) {
  // H2-8.4-06 (RFC 9113 §8.4.2)
  // H2-6.4-02 (RFC 9113 §6.4)
  // Windows far larger than the pushed body: only the reset can stop it.
  InteropPump pump(server_options(), {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 22}});
  ASSERT_EQ(nghttp2_session_set_local_window_size(pump.ng.session, NGHTTP2_FLAG_NONE, 0, 1 << 24), 0);
  const std::string css = pattern(16, 1 << 20);
  const std::string html = "page";   // short, so that the pushed DATA is on the wire when the reset comes
  std::optional<std::size_t> limit;  // octets our server had written or queued when the reset arrived
  pump.ng.on_frame = [&](const nghttp2_frame& frame) {
    if (frame.hd.type != NGHTTP2_PUSH_PROMISE) return;
    EXPECT_EQ(nghttp2_submit_rst_stream(pump.ng.session, NGHTTP2_FLAG_NONE, frame.push_promise.promised_stream_id,
                                        NGHTTP2_CANCEL),
              0);
  };
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) {
      const Fields request = request_fields("GET", "/big.css");
      const auto promised = pump.ours.conn.submit_push_promise(StreamId(r.stream), views(request));
      ASSERT_TRUE(promised.ok());
      respond(pump.ours, promised->value(), {{":status", "200"}}, css);
      respond(pump.ours, r.stream, {{":status", "200"}}, html);
    } else if (r.kind == Kind::reset) {
      limit = pump.ours.sent.total() + pump.ours.conn.pending_output().size();
    }
  };
  pump.ng.request(request_fields("GET", "/"));
  ASSERT_GE(pump.run(), 0);

  const Recorded* reset = find_event(pump.ours.log, Kind::reset, 2);
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::cancel);
  EXPECT_TRUE(reset->by_peer);
  ASSERT_TRUE(limit.has_value());
  std::size_t pushed_octets = 0;
  for (const FrameSeen& f : pump.ours.sent.frames) {
    if (f.type != kTypeData || f.stream != 2) continue;
    pushed_octets += f.length;
    EXPECT_LT(f.offset, *limit);  // nothing new after the RST_STREAM (RFC 9113 §6.4)
  }
  EXPECT_GT(pushed_octets, 0u);  // the push was under way
  EXPECT_LT(pushed_octets, css.size() / 4);
  EXPECT_TRUE(pump.ng.streams[2].closed);
  EXPECT_EQ(pump.ng.streams[2].close_code, NGHTTP2_CANCEL);
  EXPECT_TRUE(pump.ng.streams[1].body == html);
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, FinishesStreamsWhenOurServerShutsDown) {
  // H2-6.8-02 (RFC 9113 §6.8)
  // H2-6.8-03 (RFC 9113 §6.8)
  InteropPump pump(server_options(), {});
  pump.ng.request(request_fields("GET", "/a"));
  pump.ng.request(request_fields("GET", "/b"));
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(count_kind(pump.ours.log, Kind::request), 2u);
  pump.ours.conn.shutdown(ErrorCode::no_error, "draining");
  ASSERT_GE(pump.run(), 0);
  const std::size_t goaway = first_frame(pump.ng.received, NGHTTP2_GOAWAY, 0);
  ASSERT_LT(goaway, pump.ng.received.size());
  EXPECT_EQ(pump.ng.received[goaway].code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ng.received[goaway].last_stream, 3);
  respond(pump.ours, 1, {{":status", "200"}}, pattern(1, 80000));
  respond(pump.ours, 3, {{":status", "200"}}, pattern(3, 80000));
  ASSERT_GE(pump.run(), 0);
  for (const std::int32_t id : {1, 3}) {
    EXPECT_TRUE(pump.ng.streams[id].body == pattern(static_cast<std::uint32_t>(id), 80000)) << id;
    EXPECT_EQ(pump.ng.streams[id].close_code, NGHTTP2_NO_ERROR) << id;
  }
  EXPECT_TRUE(pump.ours.conn.is_closed());
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, FinishesStreamWhenNghttp2ClientSendsGoaway) {
  // H2-6.8-02 (RFC 9113 §6.8)
  InteropPump pump(server_options(), {});
  pump.ng.request(request_fields("GET", "/a"));
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(nghttp2_submit_goaway(pump.ng.session, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr, 0), 0);
  ASSERT_GE(pump.run(), 0);
  const Recorded* goaway = find_event(pump.ours.log, Kind::goaway, 0);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->code, ErrorCode::no_error);
  const Fields request = request_fields("GET", "/late.css");
  const auto promised = pump.ours.conn.submit_push_promise(StreamId(1), views(request));
  ASSERT_FALSE(promised.ok());
  EXPECT_EQ(promised.error(), Errc::going_away);
  respond(pump.ours, 1, {{":status", "200"}}, "bye");
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(pump.ng.streams[1].body, "bye");
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  EXPECT_TRUE(pump.ours.conn.is_closed());
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, DeliversEverythingWhenOurInputArrivesInPieces) {
  InteropPump pump(server_options(), {});
  pump.max_chunk = 5;
  const std::string upload = pattern(18, 40000);
  pump.ours.on_event = [&](const Recorded& r) {
    if ((r.kind == Kind::request || r.kind == Kind::data) && r.end_stream) {
      respond(pump.ours, r.stream, {{":status", "200"}}, pattern(r.stream, 50000));
    }
  };
  pump.ng.request(request_fields("POST", "/a"), NgBody{upload, 0, {}});
  pump.ng.request(request_fields("GET", "/b"));
  ASSERT_GE(pump.run(), 0);
  EXPECT_TRUE(body_of(pump.ours.log, 1) == upload);
  EXPECT_TRUE(pump.ng.streams[1].body == pattern(1, 50000));
  EXPECT_TRUE(pump.ng.streams[3].body == pattern(3, 50000));
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, FollowsShrunkWindowWhenNghttp2ClientChangesSettings) {
  // H2-6.9.2-01 (RFC 9113 §6.9.2)
  InteropPump pump(server_options(), {}, /*ng_auto_window_update=*/false);
  const std::string body = pattern(19, 300000);
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.ours, r.stream, {{":status", "200"}}, body);
  };
  pump.ng.request(request_fields("GET", "/"));
  ASSERT_GE(pump.run(), 0);
  NgStream& s = pump.ng.streams[1];
  ASSERT_EQ(s.body.size(), 65535u);
  const nghttp2_settings_entry smaller{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 16384};
  ASSERT_EQ(nghttp2_submit_settings(pump.ng.session, NGHTTP2_FLAG_NONE, &smaller, 1), 0);
  ASSERT_GE(pump.run(), 0);
  // RFC 9113 §6.9.2: the change applies to open streams too; this one's window goes negative.
  EXPECT_EQ(pump.ours.conn.stream_send_window(StreamId(1)), 16384 - 65535);
  std::size_t consumed = 0;
  for (int round = 0; round < 200 && s.body.size() < body.size(); ++round) {
    const std::size_t fresh = s.body.size() - consumed;
    ASSERT_EQ(nghttp2_session_consume(pump.ng.session, 1, fresh), 0);
    consumed += fresh;
    ASSERT_GT(pump.run(), 0) << "stalled at " << consumed;
    EXPECT_LE(s.body.size() - consumed, 16384u);
  }
  EXPECT_TRUE(s.body == body);
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, SendsLargerFramesWhenNghttp2ClientAllowsThem) {
  // H2-6.5.2-05 (RFC 9113 §6.5.2)
  InteropPump pump(server_options(),
                   {{NGHTTP2_SETTINGS_MAX_FRAME_SIZE, 65536}, {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 22}});
  ASSERT_EQ(nghttp2_session_set_local_window_size(pump.ng.session, NGHTTP2_FLAG_NONE, 0, 1 << 22), 0);
  const std::string body = pattern(20, 500000);
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.ours, r.stream, {{":status", "200"}}, body);
  };
  pump.ng.request(request_fields("GET", "/"));
  ASSERT_GE(pump.run(), 0);
  std::uint32_t largest = 0;
  for (const FrameSeen& f : pump.ours.sent.frames) largest = std::max(largest, f.length);
  EXPECT_EQ(largest, 65536u);
  EXPECT_TRUE(pump.ng.streams[1].body == body);
  expect_healthy(pump);
}

// Twenty requests and responses repeating the same fields, so that HPACK indexes them when the tables allow it.
void exchange_repeated_fields(InteropPump& pump) {
  const std::string cookie(300, 'c');
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::request) return;
    EXPECT_EQ(field(r.fields, "cookie"), cookie);
    EXPECT_EQ(field(r.fields, "x-request"), "repeated request field");
    respond(pump.ours, r.stream,
            {{":status", "200"}, {"x-response", "repeated response field"}, {"x-long", std::string(200, 'r')}}, "ok");
  };
  for (int i = 0; i < 20; ++i) {
    Fields fields = request_fields("GET", "/");
    fields.emplace_back("cookie", cookie);
    fields.emplace_back("x-request", "repeated request field");
    pump.ng.request(fields);
  }
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(count_kind(pump.ours.log, Kind::request), 20u);
  for (std::int32_t id = 1; id < 40; id += 2) {
    ASSERT_EQ(pump.ng.streams[id].blocks.size(), 1u) << id;
    EXPECT_EQ(field(pump.ng.streams[id].blocks[0].fields, "x-response"), "repeated response field") << id;
    EXPECT_EQ(field(pump.ng.streams[id].blocks[0].fields, "x-long"), std::string(200, 'r')) << id;
  }
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, KeepsHpackInSyncWhenNghttp2ClientShrinksOurEncoderTable) {
  // H2-4.3-04 (RFC 9113 §4.3.1)
  for (const std::uint32_t size : {0u, 100u, 600u}) {
    SCOPED_TRACE(size);
    InteropPump pump(server_options(), {{NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, size}});
    exchange_repeated_fields(pump);
  }
}

TEST(Nghttp2InteropTest, KeepsHpackInSyncWhenOurServerShrinksItsDecoderTable) {
  // H2-4.3-04 (RFC 9113 §4.3.1)
  for (const std::uint32_t size : {0u, 100u, 600u}) {
    SCOPED_TRACE(size);
    Options server = server_options();
    server.header_table_size = size;
    InteropPump pump(server, {});
    exchange_repeated_fields(pump);
  }
}

TEST(Nghttp2InteropTest, ExchangesContinuationFramesWhenHeadersAreLarge) {
  // H2-4.3-01 (RFC 9113 §4.3)
  InteropPump pump(server_options(), {});
  const std::string big(40000, 'v');
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.ours, r.stream, {{":status", "200"}, {"x-big", big + "s"}}, "ok");
  };
  Fields fields = request_fields("GET", "/");
  fields.emplace_back("x-big", big + "c");
  pump.ng.request(fields);
  ASSERT_GE(pump.run(), 0);
  const Recorded* request = find_event(pump.ours.log, Kind::request, 1);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(field(request->fields, "x-big"), big + "c");
  EXPECT_EQ(field(pump.ng.streams[1].blocks.at(0).fields, "x-big"), big + "s");
  EXPECT_GT(pump.ng_sent.count(0x9), 0u);  // CONTINUATION both ways
  EXPECT_GT(pump.ours.sent.count(0x9), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ReschedulesWhenNghttp2ClientSendsPriorityUpdate) {
  // PR-10-01 (RFC 9218 §10)
  InteropPump pump(server_options(), {{NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1}});
  pump.ng.request(request_fields("GET", "/first"));
  pump.ng.request(request_fields("GET", "/second"));
  ASSERT_GE(pump.run(), 0);
  const std::string urgent = "u=0";
  ASSERT_EQ(nghttp2_submit_priority_update(pump.ng.session, NGHTTP2_FLAG_NONE, 3,
                                           reinterpret_cast<const std::uint8_t*>(urgent.data()), urgent.size()),
            0);
  ASSERT_GE(pump.run(), 0);
  const Recorded* update = find_event(pump.ours.log, Kind::priority_updated, 3);
  ASSERT_NE(update, nullptr);
  const std::size_t mark = pump.ours.sent.frames.size();
  respond(pump.ours, 1, {{":status", "200"}}, pattern(1, 40000));
  respond(pump.ours, 3, {{":status", "200"}}, pattern(3, 40000));
  ASSERT_GE(pump.run(), 0);
  std::vector<std::uint32_t> order;
  for (std::size_t i = mark; i < pump.ours.sent.frames.size(); ++i) {
    if (pump.ours.sent.frames[i].type == kTypeData) order.push_back(pump.ours.sent.frames[i].stream);
  }
  EXPECT_EQ(order, (std::vector<std::uint32_t>{3, 3, 3, 1, 1, 1}));  // RFC 9218 §7.1 then §4
  EXPECT_TRUE(pump.ng.streams[1].body == pattern(1, 40000));
  EXPECT_TRUE(pump.ng.streams[3].body == pattern(3, 40000));
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, AppliesPriorityUpdateWhenItPrecedesTheRequest) {
  // PR-7-01 (RFC 9218 §7): an update for a stream not yet open is kept and applied when the stream opens.
  InteropPump pump(server_options(), {{NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1}});
  ASSERT_GE(pump.run(), 0);  // nghttp2 learns that we take RFC 9218 signals
  pump.ng.request(request_fields("GET", "/first"));
  const std::int32_t second = pump.ng.request(request_fields("GET", "/second"));
  const std::string urgent = "u=0";
  ASSERT_EQ(nghttp2_submit_priority_update(pump.ng.session, NGHTTP2_FLAG_NONE, second,
                                           reinterpret_cast<const std::uint8_t*>(urgent.data()), urgent.size()),
            0);
  ASSERT_GE(pump.run(), 0);
  const std::size_t update = first_frame(pump.ng.sent, 0x10, 0);
  const std::size_t headers = first_frame(pump.ng.sent, NGHTTP2_HEADERS, second);
  ASSERT_LT(headers, pump.ng.sent.size());
  ASSERT_LT(update, headers);  // nghttp2 sends the update first: the stream is still idle for us
  const std::size_t mark = pump.ours.sent.frames.size();
  respond(pump.ours, 1, {{":status", "200"}}, pattern(1, 40000));
  respond(pump.ours, 3, {{":status", "200"}}, pattern(3, 40000));
  ASSERT_GE(pump.run(), 0);
  std::vector<std::uint32_t> order;
  for (std::size_t i = mark; i < pump.ours.sent.frames.size(); ++i) {
    if (pump.ours.sent.frames[i].type == kTypeData) order.push_back(pump.ours.sent.frames[i].stream);
  }
  EXPECT_EQ(order, (std::vector<std::uint32_t>{3, 3, 3, 1, 1, 1}));
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, AnswersPingsBothWays) {
  // H2-6.7-01 (RFC 9113 §6.7)
  InteropPump pump(server_options(), {});
  const std::uint8_t theirs[8] = {'n', 'g', 'h', 't', 't', 'p', '2', '!'};
  ASSERT_EQ(nghttp2_submit_ping(pump.ng.session, NGHTTP2_FLAG_NONE, theirs), 0);
  const std::array<std::byte, 8> ours{std::byte{'h'}, std::byte{'2'}, std::byte{'p'}, std::byte{'u'},
                                      std::byte{'s'}, std::byte{'h'}, std::byte{'!'}, std::byte{'!'}};
  pump.ours.conn.ping(ours);
  ASSERT_GE(pump.run(), 0);
  std::size_t acks = 0;
  for (const NgFrame& f : pump.ng.received) acks += f.type == NGHTTP2_PING && (f.flags & NGHTTP2_FLAG_ACK) != 0;
  EXPECT_EQ(acks, 1u);
  const Recorded* pong = find_event(pump.ours.log, Kind::ping_ack, 0);
  ASSERT_NE(pong, nullptr);
  EXPECT_EQ(pong->data, "h2push!!");
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ReturnsPaddingWhenNghttp2ClientPadsFrames) {
  // H2-5.2-01 (RFC 9113 §5.2.1)
  Options server = server_options();
  server.initial_window_size = 16384;
  server.connection_window_size = 65535;
  server.auto_window_update = false;  // only the data is consumed by the application; the core returns padding
  InteropPump pump(server, {});
  pump.ng.padding = 200;
  const std::string upload = pattern(29, 300000);
  pump.ng.request(request_fields("POST", "/padded"), NgBody{upload, 0, {}});
  std::size_t scanned = 0;
  std::size_t received = 0;
  std::size_t padding = 0;
  for (int round = 0; round < 1000 && received < upload.size(); ++round) {
    ASSERT_GT(pump.run(), 0) << "stalled at " << received;
    std::size_t fresh = 0;
    for (; scanned < pump.ours.log.size(); ++scanned) {
      const Recorded& r = pump.ours.log[scanned];
      if (r.kind != Kind::data) continue;
      fresh += r.data.size();
      padding += r.flow_controlled - r.data.size();
    }
    received += fresh;
    pump.ours.conn.consume(StreamId(1), fresh);
  }
  EXPECT_TRUE(body_of(pump.ours.log, 1) == upload);
  EXPECT_GT(padding, 0u);
  const Recorded* request = find_event(pump.ours.log, Kind::request, 1);
  ASSERT_NE(request, nullptr);  // the padded HEADERS too
  EXPECT_EQ(field(request->fields, ":path"), "/padded");
  respond(pump.ours, 1, {{":status", "204"}}, "");
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(pump.ng.status(1), "204");
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, AnswersBeforeUploadEndsWhenNghttp2ClientPosts) {
  // H2-8.1-05 (RFC 9113 §8.1)
  InteropPump pump(server_options(), {});
  const std::string upload = pattern(30, 1 << 20);
  bool answered = false;
  bool reset = false;
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::data || r.stream != 1 || reset) return;
    // RFC 9113 §8.1: a complete response before the request ends, then RST_STREAM(NO_ERROR) to stop the upload.
    // reset_stream() drops whatever is still queued, so it waits until the response's END_STREAM is on the wire.
    if (!answered) {
      answered = true;
      respond(pump.ours, 1, {{":status", "413"}}, "too large");
      return;
    }
    const auto& frames = pump.ours.sent.frames;
    if (std::any_of(frames.begin(), frames.end(),
                    [](const FrameSeen& f) { return f.type == kTypeData && f.stream == 1 && (f.flags & 0x1) != 0; })) {
      reset = true;
      EXPECT_TRUE(pump.ours.conn.reset_stream(StreamId(1), ErrorCode::no_error).ok());
    }
  };
  pump.ng.request(request_fields("POST", "/upload"), NgBody{upload, 0, {}});
  ASSERT_GE(pump.run(), 0);
  const NgStream& s = pump.ng.streams[1];
  EXPECT_EQ(pump.ng.status(1), "413");
  EXPECT_EQ(s.body, "too large");
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  EXPECT_LT(body_of(pump.ours.log, 1).size(), upload.size() / 4);
  EXPECT_EQ(pump.ours.sent.count(kTypeRstStream), 1u);  // late DATA after our reset raised nothing
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, AcceptsRequestFormsWhenNghttp2ClientSendsThem) {
  // H2-8.3.1-02 (RFC 9113 §8.3.1)
  // H2-8.5-01 (RFC 9113 §8.5)
  InteropPump pump(server_options(), {});
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::request) respond(pump.ours, r.stream, {{":status", "200"}}, "");
  };
  // RFC 9113 §8.3.1: Host instead of :authority; §8.5: CONNECT; RFC 9110 §7.1: the asterisk form of OPTIONS.
  pump.ng.request({{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"host", "example.test"}});
  pump.ng.request({{":method", "CONNECT"}, {":authority", "example.test:443"}});
  pump.ng.request({{":method", "OPTIONS"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", "*"}});
  ASSERT_GE(pump.run(), 0);
  for (const std::int32_t id : {1, 3, 5}) {
    EXPECT_NE(find_event(pump.ours.log, Kind::request, static_cast<std::uint32_t>(id)), nullptr) << id;
    EXPECT_EQ(pump.ng.status(id), "200") << id;
    EXPECT_EQ(pump.ng.streams[id].close_code, NGHTTP2_NO_ERROR) << id;
  }
  EXPECT_EQ(count_kind(pump.ours.log, Kind::reset), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, DecodesNghttp2ClientBytesLikeNghttp2Server) {
  // H2-4.3-01 (RFC 9113 §4.3)
  // H2-5.2-01 (RFC 9113 §5.2.1)
  // Differential: one nghttp2 client's bytes (padding, CONTINUATION, trailers, several request forms) are fed to
  // our server and to an nghttp2 server; both must decode the same requests.
  NgPeer client(NgPeer::Role::client, {});
  client.padding = 37;
  Fields big = request_fields("GET", "/big-header");
  big.emplace_back("x-big", std::string(40000, 'b'));
  client.request(big);
  client.request(request_fields("POST", "/rpc"), NgBody{pattern(40, 30000), 0, Fields{{"x-checksum", "1"}}});
  client.request(request_fields("HEAD", "/head"));
  client.request({{":method", "CONNECT"}, {":authority", "example.test:443"}});
  Fields repeated = request_fields("GET", "/repeat");
  repeated.emplace_back("cookie", "a=1");
  repeated.emplace_back("cookie", "b=2");
  client.request(repeated);
  client.request(repeated);
  std::vector<std::byte> bytes;
  for (int i = 0; i < 1000; ++i) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(client.session, &data);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    const auto* first = reinterpret_cast<const std::byte*>(data);
    bytes.insert(bytes.end(), first, first + n);
  }
  ASSERT_TRUE(client.errors.empty()) << joined(client.errors);

  NgPeer reference(NgPeer::Role::server, {});
  ASSERT_EQ(
      nghttp2_session_mem_recv(reference.session, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
      static_cast<ssize_t>(bytes.size()));
  ASSERT_TRUE(reference.errors.empty()) << joined(reference.errors);
  for (const std::size_t piece : {bytes.size(), std::size_t{1}, std::size_t{100}}) {
    SCOPED_TRACE(piece);
    Connection ours(server_options());
    Log log;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const std::span<const std::byte> input =
          std::span<const std::byte>(bytes).subspan(at, std::min(piece, bytes.size() - at));
      for (const Event& e : ours.receive(input)) log.push_back(record(e));
    }
    EXPECT_EQ(count_kind(log, Kind::reset) + count_kind(log, Kind::failed), 0u);
    EXPECT_EQ(count_kind(log, Kind::request), reference.streams.size());
    for (const auto& [id, s] : reference.streams) {
      const auto stream = static_cast<std::uint32_t>(id);
      const Recorded* request = find_event(log, Kind::request, stream);
      ASSERT_NE(request, nullptr) << id;
      ASSERT_FALSE(s.blocks.empty());
      EXPECT_EQ(request->fields, s.blocks[0].fields) << id;
      EXPECT_TRUE(body_of(log, stream) == s.body) << id;
      const Recorded* trailers = find_event(log, Kind::trailers, stream);
      EXPECT_EQ(trailers != nullptr, s.blocks.size() == 2) << id;
      if (trailers != nullptr && s.blocks.size() == 2) {
        EXPECT_EQ(trailers->fields, s.blocks[1].fields);
      }
      EXPECT_EQ(stream_ended(log, stream), s.end_stream_received) << id;
    }
  }
}

}  // namespace
}  // namespace h2push::http2::test
