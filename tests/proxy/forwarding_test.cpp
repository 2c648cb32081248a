// tests/proxy/forwarding_test.cpp: hop-by-hop removal, Via, X-Forwarded-*, Forwarded, error statuses.
#include "proxy/forwarding.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace h2push::proxy {
namespace {

std::string value_of(const Fields& fields, std::string_view name) {
  std::string out;
  for (const auto& [n, v] : fields) {
    if (n == name) out += (out.empty() ? "" : "|") + v;
  }
  return out;
}

TEST(Forwarding, DropsHopByHopFieldsAndThoseConnectionNames) {
  const std::vector<hpack::Header> in = {{"connection", "keep-alive, X-Secret"},
                                         {"keep-alive", "timeout=5"},
                                         {"x-secret", "1"},
                                         {"te", "gzip"},
                                         {"transfer-encoding", "chunked"},
                                         {"upgrade", "h2c"},
                                         {"http2-settings", "AA"},
                                         {"proxy-authorization", "Basic x"},
                                         {"proxy-connection", "close"},
                                         {"accept", "*/*"},
                                         {"host", "a.test"},
                                         {"cookie", "a=1"}};
  const Fields out = end_to_end_fields(in, true);
  const Fields want = {{"accept", "*/*"}, {"cookie", "a=1"}};
  EXPECT_EQ(out, want);
  const std::vector<hpack::Header> te = {{"te", "trailers"}, {"host", "a"}};
  EXPECT_EQ(end_to_end_fields(te), (Fields{{"te", "trailers"}, {"host", "a"}}));
}

TEST(Forwarding, UpstreamRequestCarriesViaAndForwardedFields) {
  const std::vector<hpack::Header> in = {{"x-forwarded-for", "203.0.113.9"},
                                         {"forwarded", "for=203.0.113.9"},
                                         {"x-forwarded-host", "spoofed"},
                                         {"x-forwarded-proto", "gopher"},
                                         {"via", "1.1 edge"},
                                         {"accept", "text/html"}};
  const ClientSide client{"192.0.2.1", "https", "www.example.com", "HTTP/2.0"};
  const Fields out = upstream_request_fields(in, client);
  EXPECT_EQ(value_of(out, "accept"), "text/html");
  EXPECT_EQ(value_of(out, "via"), "1.1 edge, 2 h2push");
  EXPECT_EQ(value_of(out, "x-forwarded-for"), "203.0.113.9, 192.0.2.1");
  EXPECT_EQ(value_of(out, "x-forwarded-proto"), "https");
  EXPECT_EQ(value_of(out, "x-forwarded-host"), "www.example.com");
  EXPECT_EQ(value_of(out, "forwarded"), "for=203.0.113.9, for=192.0.2.1;host=www.example.com;proto=https");
}

TEST(Forwarding, ForwardedQuotesIpv6AndNonTokens) {
  EXPECT_EQ(forwarded_element({"2001:db8::1", "http", "a.test:8080", "HTTP/1.1"}),
            "for=\"[2001:db8::1]\";host=\"a.test:8080\";proto=http");
  EXPECT_EQ(via_value("HTTP/1.1"), "1.1 h2push");
  EXPECT_EQ(via_value("HTTP/1.0"), "1.0 h2push");
}

TEST(Forwarding, ResponseFieldsLoseHopByHopAndGainVia) {
  const std::vector<hpack::Header> in = {{"connection", "close"},
                                         {"transfer-encoding", "chunked"},
                                         {"content-type", "text/html"},
                                         {"keep-alive", "5"},
                                         {"via", "1.0 app"},
                                         {"link", "</a.css>; rel=preload; as=style"}};
  const Fields out = client_response_fields(in, "HTTP/1.1");
  const Fields want = {
      {"content-type", "text/html"}, {"link", "</a.css>; rel=preload; as=style"}, {"via", "1.0 app, 1.1 h2push"}};
  EXPECT_EQ(out, want);
}

TEST(Forwarding, TimeoutsAre504AndOtherFailures502) {
  EXPECT_EQ(status_for(UpstreamError::connect_timeout), 504);
  EXPECT_EQ(status_for(UpstreamError::response_timeout), 504);
  EXPECT_EQ(status_for(UpstreamError::connect_refused), 502);
  EXPECT_EQ(status_for(UpstreamError::reset), 502);
  EXPECT_EQ(status_for(UpstreamError::malformed), 502);
  EXPECT_EQ(status_for(UpstreamError::too_large), 502);
  EXPECT_EQ(to_string(UpstreamError::malformed), "malformed response");
}

}  // namespace
}  // namespace h2push::proxy
