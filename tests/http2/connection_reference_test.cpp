// Options::reference_bodies: DATA payloads lent by a BodySource are referenced, not copied. Every test here runs the
// same exchange through a copying and a referencing server (Twin) and requires the same octets on the wire; the
// budgets, the owners' lifetimes and the loan contract are in connection_reference_limits_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "h2push/http2/connection.hpp"
#include "http2/reference_twin.hpp"

namespace h2push::http2::test {
namespace {

using Mode = SharedSource::Mode;

Fields request_for(const std::string& path) {
  return {{":method", "GET"}, {":scheme", "http"}, {":authority", "example.com"}, {":path", path}};
}

// Bodies by path, each served by a SharedSource in the given mode on both servers.
struct Site {
  std::map<std::string, std::shared_ptr<const std::string>> bodies;
  std::map<std::string, Mode> modes;
  std::map<std::string, bool> trailers;
  std::map<std::string, SharedSource::Counts> counts;  // of the referencing server's sources, by path

  void add(const std::string& path, std::size_t size, Mode mode = Mode::lend, bool with_trailers = false) {
    bodies[path] = shared_pattern(static_cast<std::uint32_t>(bodies.size() + 1), size);
    modes[path] = mode;
    trailers[path] = with_trailers;
  }

  void attach(Twin& twin) {
    twin.on_request = [this](Connection& server, const RequestReceived& r, bool referencing) {
      const std::string path = path_of(r);
      const Fields head{{":status", "200"}};
      ASSERT_TRUE(server.submit_response(r.stream, views(head), false));
      SharedSource::Counts* c = referencing ? &counts[path] : nullptr;
      ASSERT_TRUE(server.send_body(r.stream, std::make_unique<SharedSource>(bodies.at(path), modes.at(path), c)));
      if (trailers.at(path)) {
        const Fields tail{{"x-checksum", "42"}};
        ASSERT_TRUE(server.submit_trailers(r.stream, views(tail)));
      }
    };
  }
};

// Sends a GET for each path from the twin's client; returns the stream ids in order.
std::vector<std::uint32_t> request_all(Twin& twin, const std::vector<std::string>& paths) {
  std::vector<std::uint32_t> ids;
  for (const std::string& path : paths) {
    const Fields fields = request_for(path);
    auto id = twin.client.submit_request(views(fields), true);
    EXPECT_TRUE(id);
    ids.push_back(id ? id->value() : 0);
  }
  return ids;
}

// The client got each body whole, on its stream, and the stream ended.
void expect_bodies(const Twin& twin, const Site& site, const std::vector<std::string>& paths,
                   const std::vector<std::uint32_t>& ids) {
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(body_of(twin.client_log, ids[i]), *site.bodies.at(paths[i])) << paths[i];
    EXPECT_TRUE(stream_ended(twin.client_log, ids[i])) << paths[i];
  }
}

// True when some piece of the last take_output_pieces() points into `data`: the octets were referenced, not copied.
bool references(std::span<const std::span<const std::byte>> pieces, const std::string& data) {
  const auto* begin = reinterpret_cast<const std::byte*>(data.data());
  for (const std::span<const std::byte> p : pieces) {
    if (!p.empty() && p.data() >= begin && p.data() < begin + data.size()) return true;
  }
  return false;
}

TEST(ConnectionReferenceTest, SendsTheSameOctetsAsCopyingForSeveralBodies) {
  Twin twin(small_window_client(40000), Options{});
  Site site;
  const std::vector<std::string> paths{"/empty", "/one", "/frame", "/frame-plus-one", "/large", "/larger"};
  site.add("/empty", 0);
  site.add("/one", 1);
  site.add("/frame", 16384);
  site.add("/frame-plus-one", 16385);
  site.add("/large", 100000);
  site.add("/larger", 300000);
  site.attach(twin);
  const auto ids = request_all(twin, paths);
  bool referenced = false;
  for (int round = 0; round < 10000; ++round) {
    twin.take();
    referenced = referenced || references(twin.pieces, *site.bodies.at("/larger"));
    if (!twin.deliver()) break;
  }
  expect_bodies(twin, site, paths, ids);
  EXPECT_TRUE(referenced);  // the payloads really were referenced
  EXPECT_GT(twin.wire_size, 433000u);
}

TEST(ConnectionReferenceTest, SendsTheSameOctetsWhenTinyWindowsStallEveryFrame) {
  Twin twin(small_window_client(1000, 2500), Options{.min_reference_size = 1});  // every frame referenced
  Site site;
  const std::vector<std::string> paths{"/a", "/b", "/c"};
  site.add("/a", 7777);
  site.add("/b", 20000);
  site.add("/c", 3);
  site.attach(twin);
  const auto ids = request_all(twin, paths);
  ASSERT_TRUE(twin.run());
  expect_bodies(twin, site, paths, ids);
}

TEST(ConnectionReferenceTest, SendsTheSameTrailersAfterLentBodies) {
  Twin twin(small_window_client(5000), Options{.min_reference_size = 1});
  Site site;
  const std::vector<std::string> paths{"/with-trailers", "/empty-with-trailers", "/plain"};
  site.add("/with-trailers", 12345, Mode::lend, true);
  site.add("/empty-with-trailers", 0, Mode::lend, true);
  site.add("/plain", 999);
  site.attach(twin);
  const auto ids = request_all(twin, paths);
  ASSERT_TRUE(twin.run());
  expect_bodies(twin, site, paths, ids);
  const Recorded* t = find_event(twin.client_log, Kind::trailers, ids[0]);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(field(t->fields, "x-checksum"), "42");
  EXPECT_NE(find_event(twin.client_log, Kind::trailers, ids[1]), nullptr);
}

// Sources that lend on some calls and not on others, one that never lends, and a body queued with send_data(): in
// one connection, each frame is referenced or copied as its source chose, and the wire does not show which.
TEST(ConnectionReferenceTest, MixesLentAndCopiedFramesInOneConnection) {
  Twin twin(small_window_client(30000), Options{});
  Site site;
  const std::vector<std::string> paths{"/alternate", "/copy", "/lend"};
  site.add("/alternate", 150000, Mode::alternate);
  site.add("/copy", 70000, Mode::copy);
  site.add("/lend", 50000, Mode::lend);
  site.attach(twin);
  const auto on_source = twin.on_request;
  const std::string queued = pattern(99, 40000);
  twin.on_request = [&](Connection& server, const RequestReceived& r, bool referencing) {
    if (path_of(r) != "/queued") {
      on_source(server, r, referencing);
      return;
    }
    const Fields head{{":status", "200"}};
    ASSERT_TRUE(server.submit_response(r.stream, views(head), false));
    ASSERT_TRUE(server.send_data(r.stream, as_bytes(queued), true));
  };
  auto ids = request_all(twin, paths);
  const auto queued_id = request_all(twin, {"/queued"});
  ASSERT_TRUE(twin.run());
  expect_bodies(twin, site, paths, ids);
  EXPECT_EQ(body_of(twin.client_log, queued_id[0]), queued);
  // Each frame was lent or copied as the source chose: the alternating one did both, the copying one never lent.
  const SharedSource::Counts& alternate = site.counts["/alternate"];
  EXPECT_GT(alternate.loans, 2u);
  EXPECT_GT(alternate.reads, 2u);
  EXPECT_EQ(site.counts["/copy"].loans, 0u);
  EXPECT_GT(site.counts["/copy"].reads, 0u);
  EXPECT_EQ(site.counts["/lend"].reads, 0u);
}

// RST_STREAM from us and from the client while lent octets are handed out and not yet written: the taken pieces
// keep their octets (the owners hold them although the sources and the test's pointers are gone), and the two
// servers go on writing the same octets.
TEST(ConnectionReferenceTest, KeepsTakenOctetsValidWhenStreamsAreResetMeanwhile) {
  Twin twin(small_window_client(65535, 1 << 20), Options{});
  Site site;
  const std::vector<std::string> paths{"/reset-by-us", "/reset-by-client", "/kept"};
  site.add("/reset-by-us", 200000);
  site.add("/reset-by-client", 200000);
  site.add("/kept", 90000);
  site.attach(twin);
  const auto ids = request_all(twin, paths);
  twin.take();
  ASSERT_TRUE(twin.deliver());  // the requests reach the servers
  twin.take();                  // the first DATA, lent, handed out
  ASSERT_TRUE(references(twin.pieces, *site.bodies.at("/reset-by-us")));
  const std::string before = twin.ref_taken;
  const std::weak_ptr<const std::string> watched = site.bodies.at("/reset-by-us");
  site.bodies.erase("/reset-by-us");  // only the core holds it now
  ASSERT_TRUE(twin.copying.reset_stream(StreamId(ids[0]), ErrorCode::cancel));
  ASSERT_TRUE(twin.referencing.reset_stream(StreamId(ids[0]), ErrorCode::cancel));
  EXPECT_FALSE(watched.expired());
  EXPECT_EQ(Twin::flatten(twin.pieces), before);
  ASSERT_TRUE(twin.client.reset_stream(StreamId(ids[1]), ErrorCode::cancel));
  ASSERT_TRUE(twin.deliver());
  EXPECT_TRUE(watched.expired());  // written: the owner is let go
  ASSERT_TRUE(twin.run());
  EXPECT_EQ(body_of(twin.client_log, ids[2]), *site.bodies.at("/kept"));
  const Recorded* reset = find_event(twin.client_log, Kind::reset, ids[0]);
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->code, ErrorCode::cancel);
  EXPECT_FALSE(stream_ended(twin.client_log, ids[1]));
}

// GOAWAY while lent octets are out: a graceful shutdown lets the streams finish; a connection error (a malformed
// frame from the client) stops all DATA after the GOAWAY. Both servers write the same octets either way.
TEST(ConnectionReferenceTest, SendsTheSameOctetsAroundGoaway) {
  for (const bool error : {false, true}) {
    Twin twin(small_window_client(20000), Options{});
    Site site;
    const std::vector<std::string> paths{"/a", "/b"};
    site.add("/a", 100000);
    site.add("/b", 60000);
    site.attach(twin);
    const auto ids = request_all(twin, paths);
    twin.take();
    ASSERT_TRUE(twin.deliver());
    twin.take();
    if (error) {
      // WINDOW_UPDATE with a zero increment on the connection: PROTOCOL_ERROR (RFC 9113 §6.9).
      const std::array<std::byte, 13> bad{std::byte{0}, std::byte{0}, std::byte{4}, std::byte{8}, std::byte{0},
                                          std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
                                          std::byte{0}, std::byte{0}, std::byte{0}};
      twin.to_servers(bad);
    } else {
      twin.copying.shutdown();
      twin.referencing.shutdown();
    }
    ASSERT_TRUE(twin.deliver());
    ASSERT_TRUE(twin.run());
    ASSERT_EQ(count_kind(twin.client_log, Kind::goaway), 1u) << error;
    if (error) {
      const Recorded* goaway = find_event(twin.client_log, Kind::goaway, ids[1]);  // the last stream processed
      ASSERT_NE(goaway, nullptr);
      EXPECT_EQ(goaway->code, ErrorCode::protocol_error);
      EXPECT_FALSE(stream_ended(twin.client_log, ids[0]));
    } else {
      expect_bodies(twin, site, paths, ids);
    }
  }
}

// The referencing server drained with take_output() or pending_output()/consume_output() in odd chunks: the core
// copies the references in, and the octets are still those of the copying server.
TEST(ConnectionReferenceTest, FlattensReferencesForContiguousOutput) {
  for (const Drain drain : {Drain::take, Drain::pending_chunks}) {
    Twin twin(small_window_client(50000), Options{}, drain);
    twin.chunk = 999;
    Site site;
    const std::vector<std::string> paths{"/a", "/b", "/c"};
    site.add("/a", 123456);
    site.add("/b", 16384 * 3);
    site.add("/c", 10, Mode::alternate, true);
    site.attach(twin);
    const auto ids = request_all(twin, paths);
    ASSERT_TRUE(twin.run());
    expect_bodies(twin, site, paths, ids);
  }
}

// Without Options::reference_bodies, a lending source is never asked to lend, and take_output_pieces() hands out
// the whole output as one piece.
TEST(ConnectionReferenceTest, NeverBorrowsWhenReferenceBodiesIsOff) {
  Connection client(small_window_client(1 << 20));
  Connection server(Options{.role = Role::server});
  const Fields fields = request_for("/x");
  ASSERT_TRUE(client.submit_request(views(fields), true));
  const std::span<const std::byte> hello = client.take_output();
  const std::string request(reinterpret_cast<const char*>(hello.data()), hello.size());
  client.output_written();
  std::vector<StreamId> streams;
  for (const Event& e : server.receive(as_bytes(request))) {
    if (const auto* r = std::get_if<RequestReceived>(&e)) streams.push_back(r->stream);
  }
  ASSERT_EQ(streams.size(), 1u);
  const Fields head{{":status", "200"}};
  ASSERT_TRUE(server.submit_response(streams[0], views(head), false));
  const auto data = shared_pattern(3, 200000);
  SharedSource::Counts counts;
  ASSERT_TRUE(server.send_body(streams[0], std::make_unique<SharedSource>(data, Mode::lend, &counts)));
  const auto pieces = server.take_output_pieces();
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_FALSE(references(pieces, *data));
  EXPECT_EQ(counts.borrows, 0u);
  EXPECT_GT(counts.reads, 0u);
  server.output_written();
}

}  // namespace
}  // namespace h2push::http2::test
