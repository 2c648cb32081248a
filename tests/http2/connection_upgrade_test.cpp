// tests/http2/connection_upgrade_test.cpp: the h2c upgrade (RFC 7540 §3.2) from the client's side, joined in
// memory to a server Connection that accepts it.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "connection_test_util.hpp"
#include "http2/frame.hpp"

namespace h2push::http2::test {
namespace {

// Moves every pending octet from `from` to `to`; returns the events `to` reported.
std::vector<Event> pump(Connection& from, Connection& to) {
  std::vector<std::byte> bytes;
  for (auto out = from.pending_output(); !out.empty(); out = from.pending_output()) {
    bytes.insert(bytes.end(), out.begin(), out.end());
    from.consume_output(out.size());
  }
  const auto events = to.receive(bytes);
  return {events.begin(), events.end()};
}

TEST(ConnectionUpgradeTest, SettingsPayloadIsThePrefaceSettings) {
  Options o = client_options();
  o.enable_push = true;
  o.initial_window_size = 1 << 20;
  Connection client(o);
  const std::vector<std::byte> payload = client.h2c_settings_payload();
  ASSERT_FALSE(payload.empty());
  ASSERT_EQ(payload.size() % 6, 0U);
  const FrameHeader header{static_cast<std::uint32_t>(payload.size()), FrameType::settings, 0, StreamId()};
  auto settings = parse_settings(header, payload);
  ASSERT_TRUE(settings.ok());
  bool push = false;
  bool window = false;
  for (const Setting s : settings->settings) {
    push = push || (s.id == SettingId::enable_push && s.value == 1);
    window = window || (s.id == SettingId::initial_window_size && s.value == (1U << 20));
  }
  EXPECT_TRUE(push);
  EXPECT_TRUE(window);
  EXPECT_TRUE(Connection(server_options()).h2c_settings_payload().empty());
}

TEST(ConnectionUpgradeTest, UpgradedRequestIsAnsweredOnStreamOne) {
  Connection client(client_options());
  Connection server(server_options());
  const std::vector<std::byte> payload = client.h2c_settings_payload();
  const Header request[] = {{":method", "GET"}, {":scheme", "http"}, {":authority", "a"}, {":path", "/"}};
  ASSERT_TRUE(server.accept_h2c_upgrade(payload, request).ok());

  auto id = client.start_h2c_upgrade();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value(), 1U);
  EXPECT_EQ(client.active_streams(), 1U);
  // A second request takes stream 3.
  auto next = client.submit_request(request, true);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->value(), 3U);

  pump(client, server);
  const Header ok[] = {{":status", "200"}};
  ASSERT_TRUE(server.submit_response(StreamId(1), ok, false).ok());
  const std::byte body[] = {std::byte{'h'}, std::byte{'i'}};
  ASSERT_TRUE(server.send_data(StreamId(1), body, true).ok());
  const std::vector<Event> events = pump(server, client);
  bool response = false;
  bool data_end = false;
  for (const Event& e : events) {
    if (const auto* r = std::get_if<ResponseReceived>(&e)) response = r->stream == StreamId(1);
    if (const auto* d = std::get_if<DataReceived>(&e)) data_end = d->stream == StreamId(1) && d->end_stream;
    EXPECT_FALSE(std::holds_alternative<ConnectionFailed>(e));
    EXPECT_FALSE(std::holds_alternative<StreamReset>(e));
  }
  EXPECT_TRUE(response);
  EXPECT_TRUE(data_end);
}

TEST(ConnectionUpgradeTest, RefusesUpgradeInTheWrongState) {
  Connection server(server_options());
  EXPECT_EQ(server.start_h2c_upgrade().error(), Errc::wrong_role);
  Connection client(client_options());
  const Header request[] = {{":method", "GET"}, {":scheme", "http"}, {":authority", "a"}, {":path", "/"}};
  ASSERT_TRUE(client.submit_request(request, true).ok());
  EXPECT_EQ(client.start_h2c_upgrade().error(), Errc::invalid_state);
}

}  // namespace
}  // namespace h2push::http2::test
