// Interop tests against libnghttp2 in memory: our client Connection talking to an nghttp2 server session. Both
// sides are checked: what nghttp2 reports (requests, bodies, stream close codes, no error callbacks, no GOAWAY with
// an error) and what our Connection reports.
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
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

StreamId submit(Side& client, const Fields& fields, bool end_stream) {
  const auto id = client.conn.submit_request(views(fields), end_stream);
  EXPECT_TRUE(id.ok()) << to_string(id.error());
  return id.ok() ? *id : StreamId();
}

std::optional<Errc> refusal(const Result<StreamId, Errc>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

// A body handed out as the windows open.
class StringSource final : public BodySource {
 public:
  explicit StringSource(std::string body) : body_(std::move(body)) {}
  Read read(std::span<std::byte> out) override {
    const std::size_t n = std::min(out.size(), body_.size() - offset_);
    std::copy_n(as_bytes(body_).subspan(offset_).begin(), n, out.begin());
    offset_ += n;
    return {n, offset_ == body_.size(), false};
  }

 private:
  std::string body_;
  std::size_t offset_ = 0;
};

Options push_client() {
  Options o = client_options();
  o.enable_push = true;
  return o;
}

TEST(Nghttp2InteropTest, FetchesFiftyResponsesWhenNghttp2ServerAnswers) {
  InteropPump pump(client_options(), {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}});
  pump.ng.on_request = [&](std::int32_t id) {
    const auto stream = static_cast<std::uint32_t>(id);
    const std::string body = pattern(stream, (stream * 4099u) % 120000u);
    Fields fields{{":status", "200"}, {"x-stream", std::to_string(id)}};
    if (id % 3 == 0) fields.emplace_back("content-length", std::to_string(body.size()));
    pump.ng.respond(id, fields, body.empty() ? std::nullopt : std::optional<NgBody>(NgBody{body, 0, {}}));
  };
  for (int i = 0; i < 50; ++i) {
    std::string path = "/item/";
    path += std::to_string(i);
    submit(pump.ours, request_fields("GET", path), true);
  }
  ASSERT_GE(pump.run(), 0);

  for (std::uint32_t id = 1; id < 100; id += 2) {
    const Recorded* response = find_event(pump.ours.log, Kind::response, id);
    ASSERT_NE(response, nullptr) << id;
    EXPECT_EQ(field(response->fields, ":status"), "200");
    EXPECT_EQ(field(response->fields, "x-stream"), std::to_string(id));
    EXPECT_TRUE(body_of(pump.ours.log, id) == pattern(id, (id * 4099u) % 120000u)) << id;
    EXPECT_TRUE(stream_ended(pump.ours.log, id)) << id;
    EXPECT_EQ(field(pump.ng.streams[static_cast<std::int32_t>(id)].blocks.at(0).fields, ":path"),
              "/item/" + std::to_string((id - 1) / 2));
    EXPECT_EQ(pump.ng.streams[static_cast<std::int32_t>(id)].close_code, NGHTTP2_NO_ERROR) << id;
  }
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  EXPECT_EQ(count_kind(pump.ours.log, Kind::reset), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, HoldsNghttp2ServerWhenOurClientConsumesSlowly) {
  // H2-5.2-03 (RFC 9113 §6.9.1)
  Options client = client_options();
  client.initial_window_size = 16384;
  client.connection_window_size = 65535;
  client.auto_window_update = false;
  InteropPump pump(client, {});
  const std::string body = pattern(21, 1 << 20);
  pump.ng.on_request = [&](std::int32_t id) { pump.ng.respond(id, {{":status", "200"}}, NgBody{body, 0, {}}); };
  const StreamId id = submit(pump.ours, request_fields("GET", "/large"), true);
  ASSERT_GE(pump.run(), 0);
  std::size_t scanned = 0;
  std::size_t fresh = 0;
  for (; scanned < pump.ours.log.size(); ++scanned) fresh += pump.ours.log[scanned].data.size();
  EXPECT_EQ(fresh, 16384u);
  EXPECT_EQ(nghttp2_session_get_stream_remote_window_size(pump.ng.session, 1), 0);
  EXPECT_EQ(pump.run(), 0);  // stalled until we consume
  std::size_t received = fresh;
  for (int round = 0; round < 2000 && received < body.size(); ++round) {
    ASSERT_GT(fresh, 0u) << "stalled at " << received;
    EXPECT_LE(fresh, 16384u);
    pump.ours.conn.consume(id, fresh);
    ASSERT_GT(pump.run(), 0);
    fresh = 0;
    for (; scanned < pump.ours.log.size(); ++scanned) fresh += pump.ours.log[scanned].data.size();
    received += fresh;
  }
  EXPECT_TRUE(body_of(pump.ours.log, id.value()) == body);
  EXPECT_TRUE(stream_ended(pump.ours.log, id.value()));
  EXPECT_GT(pump.ng.count_received(NGHTTP2_WINDOW_UPDATE, 1), 50u);
  EXPECT_GT(pump.ng.count_received(NGHTTP2_WINDOW_UPDATE, 0), 10u);
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, UploadsWhenNghttp2ServerOpensWindows) {
  // H2-5.2-02 (RFC 9113 §5.2.1)
  InteropPump pump(client_options(), {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 16384}});
  // The connection window grows by a WINDOW_UPDATE beyond the octets received.
  ASSERT_EQ(nghttp2_submit_window_update(pump.ng.session, NGHTTP2_FLAG_NONE, 0, 1 << 20), 0);
  const std::string upload = pattern(22, 1 << 20);
  pump.ng.on_request = [&](std::int32_t id) { pump.ng.respond(id, {{":status", "201"}}); };
  const StreamId id = submit(pump.ours, request_fields("PUT", "/upload"), false);
  ASSERT_TRUE(pump.ours.conn.send_body(id, std::make_unique<StringSource>(upload)).ok());
  ASSERT_GE(pump.run(), 0);

  EXPECT_TRUE(pump.ng.streams[1].body == upload);
  EXPECT_TRUE(pump.ng.streams[1].end_stream_received);
  const Recorded* response = find_event(pump.ours.log, Kind::response, id.value());
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(field(response->fields, ":status"), "201");
  EXPECT_GT(pump.ng.count_sent(NGHTTP2_WINDOW_UPDATE, 1), 30u);  // the 16 KiB stream window reopened many times
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, AcceptsPushWhenNghttp2ServerPushes) {
  // H2-8.4-08 (RFC 9113 §8.4.2)
  InteropPump pump(push_client(), {});
  const std::string css = pattern(23, 90000);
  const std::string html = pattern(24, 20000);
  pump.ng.on_request = [&](std::int32_t id) {
    const std::int32_t promised = pump.ng.push(id, request_fields("GET", "/style.css"));
    EXPECT_EQ(promised, 2);
    pump.ng.respond(promised, {{":status", "200"}, {"content-type", "text/css"}}, NgBody{css, 0, {}});
    pump.ng.respond(id, {{":status", "200"}}, NgBody{html, 0, {}});
  };
  const StreamId page = submit(pump.ours, request_fields("GET", "/"), true);
  ASSERT_GE(pump.run(), 0);

  const Log& log = pump.ours.log;
  const Recorded* promise = find_event(log, Kind::push_promised, page.value());
  ASSERT_NE(promise, nullptr);
  EXPECT_EQ(promise->promised, 2u);
  EXPECT_EQ(promise->fields, request_fields("GET", "/style.css"));
  EXPECT_LT(promise - log.data(), find_event(log, Kind::data, page.value()) - log.data());
  const Recorded* pushed = find_event(log, Kind::response, 2);
  ASSERT_NE(pushed, nullptr);
  EXPECT_EQ(field(pushed->fields, "content-type"), "text/css");
  EXPECT_TRUE(body_of(log, 2) == css);
  EXPECT_TRUE(stream_ended(log, 2));
  EXPECT_TRUE(body_of(log, page.value()) == html);
  EXPECT_EQ(pump.ng.streams[2].close_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, CancelsPushWhenNghttp2ServerPushes) {
  // H2-8.4-06 (RFC 9113 §8.4.2)
  InteropPump pump(push_client(), {});  // default windows: nghttp2 needs our WINDOW_UPDATEs to push it all
  pump.max_chunk = 16 * 1024;
  const std::string css = pattern(25, 1 << 20);
  pump.ng.on_request = [&](std::int32_t id) {
    const std::int32_t promised = pump.ng.push(id, request_fields("GET", "/big.css"));
    pump.ng.respond(promised, {{":status", "200"}}, NgBody{css, 0, {}});
    pump.ng.respond(id, {{":status", "200"}}, NgBody{"page", 0, {}});
  };
  std::size_t reset_batch = 0;
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind != Kind::push_promised) return;
    reset_batch = r.batch;
    EXPECT_TRUE(pump.ours.conn.reset_stream(StreamId(r.promised), ErrorCode::cancel).ok());
  };
  const StreamId page = submit(pump.ours, request_fields("GET", "/"), true);
  ASSERT_GE(pump.run(), 0);

  EXPECT_TRUE(pump.ng.streams[2].closed);
  EXPECT_EQ(pump.ng.streams[2].close_code, NGHTTP2_CANCEL);
  ASSERT_GT(reset_batch, 0u);
  for (const Recorded& r : pump.ours.log) {
    // Events of the input that carried the promise were reported before the reset; nothing after it.
    EXPECT_FALSE(r.stream == 2 && r.batch > reset_batch) << static_cast<int>(r.kind);
  }
  std::size_t pushed_octets = 0;
  for (const FrameSeen& f : pump.ng_sent.frames) pushed_octets += f.type == kTypeData && f.stream == 2 ? f.length : 0;
  EXPECT_LT(pushed_octets, css.size() / 4);  // no WINDOW_UPDATE of ours reopened the refused stream
  EXPECT_EQ(body_of(pump.ours.log, page.value()), "page");
  EXPECT_EQ(pump.ours.sent.count(kTypeRstStream), 1u);  // late DATA on the refused push raises nothing
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, KeepsNghttp2ServerFromPushingWhenOurClientDisablesPush) {
  // H2-6.6-06 (RFC 9113 §6.6)
  InteropPump pump(client_options(), {});  // ENABLE_PUSH = 0
  pump.ng.on_request = [&](std::int32_t id) {
    pump.ng.push(id, request_fields("GET", "/style.css"));
    pump.ng.respond(id, {{":status", "200"}}, NgBody{"page", 0, {}});
  };
  const StreamId page = submit(pump.ours, request_fields("GET", "/"), true);
  ASSERT_GE(pump.run(), 0);
  // nghttp2 honours our SETTINGS_ENABLE_PUSH = 0: it drops the promise instead of sending it.
  ASSERT_EQ(pump.ng.errors.size(), 1u);
  EXPECT_NE(pump.ng.errors[0].find(nghttp2_strerror(NGHTTP2_ERR_PUSH_DISABLED)), std::string::npos)
      << pump.ng.errors[0];
  EXPECT_EQ(pump.ng_sent.count(kTypePushPromise), 0u);
  EXPECT_EQ(body_of(pump.ours.log, page.value()), "page");
  EXPECT_FALSE(pump.ours.conn.failed());
}

TEST(Nghttp2InteropTest, ReportsResetWhenNghttp2ServerResetsStream) {
  InteropPump pump(client_options(), {});
  pump.ng.on_request = [&](std::int32_t id) {
    if (id == 1) {
      EXPECT_EQ(nghttp2_submit_rst_stream(pump.ng.session, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM), 0);
    } else {
      pump.ng.respond(id, {{":status", "200"}}, NgBody{"fine", 0, {}});
    }
  };
  const StreamId refused = submit(pump.ours, request_fields("GET", "/a"), true);
  const StreamId fine = submit(pump.ours, request_fields("GET", "/b"), true);
  ASSERT_GE(pump.run(), 0);
  const Recorded* reset = find_event(pump.ours.log, Kind::reset, refused.value());
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::refused_stream);
  EXPECT_TRUE(reset->by_peer);
  EXPECT_EQ(body_of(pump.ours.log, fine.value()), "fine");
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_REFUSED_STREAM);
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, CancelsResponseWhenOurClientResetsStream) {
  InteropPump pump(client_options(), {});
  pump.ng.on_request = [&](std::int32_t id) {
    pump.ng.respond(id, {{":status", "200"}}, NgBody{pattern(static_cast<std::uint32_t>(id), 1 << 20), 0, {}});
  };
  bool reset_done = false;
  pump.ours.on_event = [&](const Recorded& r) {
    if (r.kind == Kind::data && r.stream == 1 && !reset_done) {
      reset_done = true;
      EXPECT_TRUE(pump.ours.conn.reset_stream(StreamId(1), ErrorCode::cancel).ok());
    }
  };
  submit(pump.ours, request_fields("GET", "/abandoned"), true);
  const StreamId kept = submit(pump.ours, request_fields("GET", "/kept"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_CANCEL);
  EXPECT_TRUE(body_of(pump.ours.log, kept.value()) == pattern(kept.value(), 1 << 20));
  EXPECT_EQ(pump.ng.streams[3].close_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ours.sent.count(kTypeRstStream), 1u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, FinishesStreamWhenNghttp2ServerSendsGoaway) {
  // H2-6.8-02 (RFC 9113 §6.8)
  InteropPump pump(client_options(), {});
  pump.ng.on_request = [&](std::int32_t id) {
    if (id == 1) {
      pump.ng.respond(id, {{":status", "200"}}, NgBody{pattern(1, 100000), 0, {}});
    } else {
      // Stream 3 arrived but is not processed: GOAWAY names stream 1 as the last one.
      EXPECT_EQ(nghttp2_submit_goaway(pump.ng.session, NGHTTP2_FLAG_NONE, 1, NGHTTP2_NO_ERROR, nullptr, 0), 0);
    }
  };
  const StreamId first = submit(pump.ours, request_fields("GET", "/a"), true);
  const StreamId second = submit(pump.ours, request_fields("GET", "/b"), true);
  ASSERT_GE(pump.run(), 0);

  const Recorded* goaway = find_event(pump.ours.log, Kind::goaway, 1);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->code, ErrorCode::no_error);
  const Recorded* reset = find_event(pump.ours.log, Kind::reset, second.value());
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::refused_stream);  // RFC 9113 §6.8: safe to retry elsewhere
  EXPECT_TRUE(body_of(pump.ours.log, first.value()) == pattern(1, 100000));
  EXPECT_TRUE(stream_ended(pump.ours.log, first.value()));
  EXPECT_EQ(refusal(pump.ours.conn.submit_request(views(request_fields("GET", "/c")), true)), Errc::going_away);
  EXPECT_TRUE(pump.ours.conn.is_closed());
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ng.streams[3].close_code, NGHTTP2_REFUSED_STREAM);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, FinishesStreamWhenOurClientShutsDown) {
  // H2-6.8-03 (RFC 9113 §6.8)
  InteropPump pump(client_options(), {});
  const StreamId id = submit(pump.ours, request_fields("POST", "/a"), false);
  ASSERT_TRUE(pump.ours.conn.send_data(id, as_bytes("first "), false).ok());
  pump.ours.conn.shutdown();
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(pump.ng.count_received(NGHTTP2_GOAWAY), 1u);
  EXPECT_EQ(pump.ng.received.back().code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(pump.ng.received.back().last_stream, 0);
  pump.ng.on_request = [&](std::int32_t stream) { pump.ng.respond(stream, {{":status", "200"}}, NgBody{"ok", 0, {}}); };
  ASSERT_TRUE(pump.ours.conn.send_data(id, as_bytes("second"), true).ok());
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(pump.ng.streams[1].body, "first second");
  EXPECT_EQ(body_of(pump.ours.log, id.value()), "ok");
  EXPECT_TRUE(pump.ours.conn.is_closed());
  EXPECT_EQ(pump.ng.streams[1].close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ReceivesInformationalAndTrailersWhenNghttp2ServerSendsThem) {
  // H2-8.1-01 (RFC 9113 §8.1)
  // H2-8.2.2-02 (RFC 9113 §8.2.2)
  InteropPump pump(client_options(), {});
  const std::string upload = pattern(26, 50000);
  const std::string download = pattern(27, 80000);
  pump.ng.on_request = [&](std::int32_t id) {
    pump.ng.headers(id, {{":status", "103"}, {"link", "</a.css>; rel=preload"}});
    pump.ng.headers(id, {{":status", "103"}, {"link", "</b.js>; rel=preload"}});
    pump.ng.respond(id, {{":status", "200"}}, NgBody{download, 0, Fields{{"grpc-status", "0"}}});
  };
  Fields request = request_fields("POST", "/rpc");
  request.emplace_back("te", "trailers");  // the one TE value HTTP/2 allows (RFC 9113 §8.2.2)
  const StreamId id = submit(pump.ours, request, false);
  ASSERT_TRUE(pump.ours.conn.send_data(id, as_bytes(upload), false).ok());
  ASSERT_TRUE(pump.ours.conn.submit_trailers(id, views(Fields{{"x-checksum", "7"}})).ok());
  ASSERT_GE(pump.run(), 0);

  const NgStream& s = pump.ng.streams[1];
  EXPECT_TRUE(s.body == upload);
  ASSERT_EQ(s.blocks.size(), 2u);
  EXPECT_EQ(s.blocks[0].category, NGHTTP2_HCAT_REQUEST);
  EXPECT_EQ(s.blocks[1].category, NGHTTP2_HCAT_HEADERS);
  EXPECT_EQ(s.blocks[1].fields, (Fields{{"x-checksum", "7"}}));
  std::vector<Kind> kinds;
  std::vector<std::string> links;
  for (const Recorded& r : pump.ours.log) {
    if (r.stream != id.value() || (r.kind == Kind::data && !kinds.empty() && kinds.back() == Kind::data)) continue;
    kinds.push_back(r.kind);
    if (r.kind == Kind::informational) links.push_back(field(r.fields, "link").value_or(""));
  }
  EXPECT_EQ(kinds,
            (std::vector<Kind>{Kind::informational, Kind::informational, Kind::response, Kind::data, Kind::trailers}));
  EXPECT_EQ(links, (std::vector<std::string>{"</a.css>; rel=preload", "</b.js>; rel=preload"}));
  EXPECT_TRUE(body_of(pump.ours.log, id.value()) == download);
  const Recorded* trailers = find_event(pump.ours.log, Kind::trailers, id.value());
  ASSERT_NE(trailers, nullptr);
  EXPECT_EQ(trailers->fields, (Fields{{"grpc-status", "0"}}));
  EXPECT_EQ(s.close_code, NGHTTP2_NO_ERROR);
  expect_healthy(pump);
}

// Twenty requests and responses repeating the same fields, so that HPACK indexes them when the tables allow it.
void exchange_repeated_fields(InteropPump& pump) {
  const std::string cookie(300, 'c');
  pump.ng.on_request = [&](std::int32_t id) {
    const Fields& request = pump.ng.streams[id].blocks.at(0).fields;
    EXPECT_EQ(field(request, "cookie"), cookie);
    EXPECT_EQ(field(request, "x-request"), "repeated request field");
    pump.ng.respond(id,
                    {{":status", "200"}, {"x-response", "repeated response field"}, {"x-long", std::string(200, 'r')}},
                    NgBody{"ok", 0, {}});
  };
  for (int i = 0; i < 20; ++i) {
    Fields fields = request_fields("GET", "/");
    fields.emplace_back("cookie", cookie);
    fields.emplace_back("x-request", "repeated request field");
    submit(pump.ours, fields, true);
  }
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(pump.ng.streams.size(), 20u);
  for (std::uint32_t id = 1; id < 40; id += 2) {
    const Recorded* response = find_event(pump.ours.log, Kind::response, id);
    ASSERT_NE(response, nullptr) << id;
    EXPECT_EQ(field(response->fields, "x-response"), "repeated response field") << id;
    EXPECT_EQ(field(response->fields, "x-long"), std::string(200, 'r')) << id;
    EXPECT_EQ(body_of(pump.ours.log, id), "ok") << id;
  }
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, KeepsHpackInSyncWhenNghttp2ServerShrinksOurEncoderTable) {
  // H2-4.3-04 (RFC 9113 §4.3.1)
  for (const std::uint32_t size : {0u, 100u, 600u}) {
    SCOPED_TRACE(size);
    InteropPump pump(client_options(), {{NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, size}});
    exchange_repeated_fields(pump);
  }
}

TEST(Nghttp2InteropTest, KeepsHpackInSyncWhenOurClientShrinksItsDecoderTable) {
  // H2-4.3-04 (RFC 9113 §4.3.1)
  for (const std::uint32_t size : {0u, 100u, 600u}) {
    SCOPED_TRACE(size);
    Options client = client_options();
    client.header_table_size = size;
    InteropPump pump(client, {});
    exchange_repeated_fields(pump);
  }
}

TEST(Nghttp2InteropTest, WaitsForStreamSlotWhenNghttp2ServerAllowsTwoStreams) {
  // H2-5.1.2-01 (RFC 9113 §5.1.2)
  InteropPump pump(client_options(), {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 2}});
  ASSERT_GE(pump.run(), 0);
  std::vector<std::int32_t> waiting;
  pump.ng.on_request = [&](std::int32_t id) { waiting.push_back(id); };
  const Fields request = request_fields("GET", "/");
  submit(pump.ours, request, true);
  submit(pump.ours, request, true);
  EXPECT_EQ(refusal(pump.ours.conn.submit_request(views(request), true)), Errc::stream_limit);
  ASSERT_GE(pump.run(), 0);
  ASSERT_EQ(waiting, (std::vector<std::int32_t>{1, 3}));
  pump.ng.respond(1, {{":status", "200"}}, NgBody{"one", 0, {}});
  ASSERT_GE(pump.run(), 0);
  const StreamId third = submit(pump.ours, request, true);  // stream 1 closed: a slot is free
  EXPECT_EQ(third.value(), 5u);
  EXPECT_EQ(refusal(pump.ours.conn.submit_request(views(request), true)), Errc::stream_limit);
  pump.ng.respond(3, {{":status", "200"}}, NgBody{"two", 0, {}});
  ASSERT_GE(pump.run(), 0);
  pump.ng.respond(5, {{":status", "200"}}, NgBody{"three", 0, {}});
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(body_of(pump.ours.log, 1), "one");
  EXPECT_EQ(body_of(pump.ours.log, 3), "two");
  EXPECT_EQ(body_of(pump.ours.log, 5), "three");
  EXPECT_EQ(count_kind(pump.ours.log, Kind::reset), 0u);
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ReceivesQueuedPushesWhenOurClientAllowsOneStream) {
  // H2-8.4-07 (RFC 9113 §8.4.2)
  // H2-5.1.2-02 (RFC 9113 §5.1.2)
  Options client = push_client();
  client.max_concurrent_streams = 1;  // nghttp2 must start the pushed responses one at a time
  InteropPump pump(client, {});
  pump.ng.on_request = [&](std::int32_t id) {
    for (const std::uint32_t n : {1u, 2u, 3u}) {
      const std::int32_t promised = pump.ng.push(id, request_fields("GET", "/asset/" + std::to_string(n)));
      pump.ng.respond(promised, {{":status", "200"}}, NgBody{pattern(n, 100000), 0, {}});
    }
    pump.ng.respond(id, {{":status", "200"}}, NgBody{"page", 0, {}});
  };
  const StreamId page = submit(pump.ours, request_fields("GET", "/"), true);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(count_kind(pump.ours.log, Kind::push_promised), 3u);
  for (const std::uint32_t n : {1u, 2u, 3u}) {
    EXPECT_TRUE(body_of(pump.ours.log, 2 * n) == pattern(n, 100000)) << n;
    EXPECT_TRUE(stream_ended(pump.ours.log, 2 * n)) << n;
    EXPECT_EQ(pump.ng.streams[static_cast<std::int32_t>(2 * n)].close_code, NGHTTP2_NO_ERROR) << n;
  }
  EXPECT_EQ(body_of(pump.ours.log, page.value()), "page");
  EXPECT_EQ(count_kind(pump.ours.log, Kind::reset), 0u);
  EXPECT_EQ(pump.ours.sent.count(kTypeRstStream), 0u);  // no pushed response was refused for the limit
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, FollowsShrunkWindowWhenNghttp2ServerChangesSettings) {
  // H2-6.9.2-01 (RFC 9113 §6.9.2)
  InteropPump pump(client_options(), {}, /*ng_auto_window_update=*/false);
  const std::string upload = pattern(28, 300000);
  const StreamId id = submit(pump.ours, request_fields("POST", "/upload"), false);
  ASSERT_TRUE(pump.ours.conn.send_data(id, as_bytes(upload), true).ok());
  ASSERT_GE(pump.run(), 0);
  NgStream& s = pump.ng.streams[1];
  ASSERT_EQ(s.body.size(), 65535u);
  const nghttp2_settings_entry smaller{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 8192};
  ASSERT_EQ(nghttp2_submit_settings(pump.ng.session, NGHTTP2_FLAG_NONE, &smaller, 1), 0);
  ASSERT_GE(pump.run(), 0);
  EXPECT_EQ(pump.ours.conn.stream_send_window(id), 8192 - 65535);  // RFC 9113 §6.9.2
  pump.ng.on_request = [&](std::int32_t stream) { pump.ng.respond(stream, {{":status", "204"}}); };
  std::size_t consumed = 0;
  for (int round = 0; round < 500 && s.body.size() < upload.size(); ++round) {
    const std::size_t fresh = s.body.size() - consumed;
    ASSERT_EQ(nghttp2_session_consume(pump.ng.session, 1, fresh), 0);
    consumed += fresh;
    ASSERT_GT(pump.run(), 0) << "stalled at " << consumed;
    EXPECT_LE(s.body.size() - consumed, 8192u);
  }
  EXPECT_TRUE(s.body == upload);
  ASSERT_GE(pump.run(), 0);
  const Recorded* response = find_event(pump.ours.log, Kind::response, id.value());
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(field(response->fields, ":status"), "204");
  expect_healthy(pump);
}

TEST(Nghttp2InteropTest, ReceivesEarlyResponseWhenNghttp2ServerStopsUpload) {
  // H2-8.1-05 (RFC 9113 §8.1)
  InteropPump pump(client_options(), {});
  const std::string upload = pattern(31, 1 << 20);
  bool reset_sent = false;
  pump.ng.on_frame = [&](const nghttp2_frame& frame) {
    // RFC 9113 §8.1: nghttp2 answers at once; once its response is complete, RST_STREAM(NO_ERROR) stops the upload.
    if (frame.hd.type == NGHTTP2_HEADERS && frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
      pump.ng.respond(frame.hd.stream_id, {{":status", "413"}}, NgBody{"too large", 0, {}});
    } else if (frame.hd.type == NGHTTP2_DATA && !reset_sent && pump.ng.count_sent(NGHTTP2_DATA, 1) > 0) {
      reset_sent = true;
      EXPECT_EQ(nghttp2_submit_rst_stream(pump.ng.session, NGHTTP2_FLAG_NONE, 1, NGHTTP2_NO_ERROR), 0);
    }
  };
  const StreamId id = submit(pump.ours, request_fields("POST", "/upload"), false);
  ASSERT_TRUE(pump.ours.conn.send_data(id, as_bytes(upload), true).ok());
  ASSERT_GE(pump.run(), 0);
  const Recorded* response = find_event(pump.ours.log, Kind::response, id.value());
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(field(response->fields, ":status"), "413");
  EXPECT_EQ(body_of(pump.ours.log, id.value()), "too large");
  EXPECT_TRUE(stream_ended(pump.ours.log, id.value()));
  const Recorded* reset = find_event(pump.ours.log, Kind::reset, id.value());
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::no_error);
  EXPECT_TRUE(reset->by_peer);
  EXPECT_LT(pump.ng.streams[1].body.size(), upload.size() / 4);  // we stopped sending
  EXPECT_EQ(pump.ours.conn.active_streams(), 0u);
  expect_healthy(pump);
}

}  // namespace
}  // namespace h2push::http2::test
