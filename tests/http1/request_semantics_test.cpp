// tests/http1/request_semantics_test.cpp: framing, Host, persistence, Expect and h2c detection of request heads.
#include "http1/request_semantics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace h2push::http1::detail {
namespace {

struct Analysis {
  Result<RequestInfo, ParseError> info = Unexpected{ParseError::malformed_request_line};
  std::vector<std::byte> settings;
};

Analysis analyze(std::vector<Header> headers, Version version = Version::http_1_1, std::uint64_t max_body = 1000) {
  Analysis a;
  RequestLine line{"POST", "/", version};
  a.info = analyze_request(line, headers, max_body, a.settings);
  return a;
}

std::optional<ParseError> error_of(std::vector<Header> headers, Version version = Version::http_1_1) {
  Analysis a = analyze(std::move(headers), version);
  if (a.info) return std::nullopt;
  return a.info.error();
}

TEST(RequestSemanticsTest, HasNoBodyWithoutFramingFields) {
  Analysis a = analyze({{"host", "a"}});
  ASSERT_TRUE(a.info);
  EXPECT_EQ(a.info->framing, BodyFraming::none);
  EXPECT_TRUE(a.info->keep_alive);
}

TEST(RequestSemanticsTest, ReadsContentLength) {
  Analysis a = analyze({{"host", "a"}, {"content-length", "12"}});
  ASSERT_TRUE(a.info);
  EXPECT_EQ(a.info->framing, BodyFraming::content_length);
  EXPECT_EQ(a.info->content_length, 12u);
  Analysis zero = analyze({{"host", "a"}, {"content-length", "0"}});
  ASSERT_TRUE(zero.info);
  EXPECT_EQ(zero.info->framing, BodyFraming::none);
}

TEST(RequestSemanticsTest, ReadsChunkedInAnyCaseAcrossLines) {
  for (auto te : {"chunked", "Chunked", "CHUNKED", " chunked ", "chunked,", ", chunked"}) {
    Analysis a = analyze({{"host", "a"}, {"transfer-encoding", te}});
    ASSERT_TRUE(a.info) << te;
    EXPECT_EQ(a.info->framing, BodyFraming::chunked) << te;
  }
}

TEST(RequestSemanticsTest, RefusesWhenContentLengthAndTransferEncoding) {  // H1-6.3-01 (RFC 9112 §6.3)
  EXPECT_EQ(error_of({{"host", "a"}, {"content-length", "3"}, {"transfer-encoding", "chunked"}}),
            ParseError::content_length_with_transfer_encoding);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "chunked"}, {"content-length", "3"}}),
            ParseError::content_length_with_transfer_encoding);
}

TEST(RequestSemanticsTest, RefusesTransferEncodingsOtherThanFinalChunked) {  // H1-6.3-01 (RFC 9112 §6.3)
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "gzip"}}), ParseError::chunked_not_final);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "chunked, gzip"}}), ParseError::chunked_not_final);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "chunked"}, {"transfer-encoding", "identity"}}),
            ParseError::chunked_not_final);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "xchunked"}}), ParseError::chunked_not_final);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "chunked, chunked"}}), ParseError::chunked_twice);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "chunked;x=1"}}), ParseError::invalid_transfer_encoding);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", ""}}), ParseError::invalid_transfer_encoding);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "\"chunked\""}}), ParseError::invalid_transfer_encoding);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "gzip, chunked"}}), ParseError::unsupported_transfer_coding);
  EXPECT_EQ(error_of({{"host", "a"}, {"transfer-encoding", "chunked"}}, Version::http_1_0),
            ParseError::transfer_encoding_in_http10);
}

TEST(RequestSemanticsTest, RefusesAnyDuplicateOrMalformedContentLength) {
  EXPECT_EQ(error_of({{"host", "a"}, {"content-length", "3"}, {"content-length", "3"}}),
            ParseError::duplicate_content_length);
  EXPECT_EQ(error_of({{"host", "a"}, {"content-length", "3"}, {"content-length", "4"}}),
            ParseError::duplicate_content_length);
  EXPECT_EQ(error_of({{"host", "a"}, {"content-length", "3, 3"}}), ParseError::duplicate_content_length);
  for (auto bad : {"", "+3", "-1", "0x3", "3 3", "3a", "99999999999999999999"}) {
    EXPECT_EQ(error_of({{"host", "a"}, {"content-length", bad}}), ParseError::invalid_content_length) << bad;
  }
  EXPECT_EQ(error_of({{"host", "a"}, {"content-length", "1001"}}), ParseError::body_too_large);
}

TEST(RequestSemanticsTest, RequiresExactlyOneValidHostInHttp11) {  // H1-3.2-01 (RFC 9112 §3.2)
  EXPECT_EQ(error_of({}), ParseError::missing_host);
  EXPECT_EQ(error_of({{"host", "a"}, {"host", "a"}}), ParseError::duplicate_host);
  EXPECT_EQ(error_of({{"host", "a b"}}), ParseError::invalid_host);
  EXPECT_EQ(error_of({{"host", "a/b"}}), ParseError::invalid_host);
  EXPECT_EQ(error_of({{"host", "user@a"}}), ParseError::invalid_host);
  EXPECT_EQ(error_of({{"host", "a:8x"}}), ParseError::invalid_host);
  EXPECT_FALSE(error_of({}, Version::http_1_0));
  EXPECT_EQ(error_of({{"host", "a"}, {"host", "b"}}, Version::http_1_0), ParseError::duplicate_host);
}

TEST(RequestSemanticsTest, AcceptsEveryHostForm) {
  for (auto host :
       {"", "example.com", "example.com:8080", "127.0.0.1", "[::1]", "[::1]:443", "xn--bcher-kva.de", "a%20b"}) {
    EXPECT_TRUE(valid_host(host)) << host;
  }
  for (auto host : {"[::1", "[]", "a:b:c", "a%2", "a b", "[::1]x"}) EXPECT_FALSE(valid_host(host)) << host;
}

TEST(RequestSemanticsTest, DecidesPersistenceByVersionAndConnection) {
  EXPECT_TRUE(analyze({{"host", "a"}}).info->keep_alive);
  EXPECT_FALSE(analyze({{"host", "a"}, {"connection", "close"}}).info->keep_alive);
  EXPECT_FALSE(analyze({{"host", "a"}, {"connection", "foo, Close"}}).info->keep_alive);
  EXPECT_FALSE(analyze({}, Version::http_1_0).info->keep_alive);
  EXPECT_TRUE(analyze({{"connection", "Keep-Alive"}}, Version::http_1_0).info->keep_alive);
  EXPECT_FALSE(analyze({{"connection", "keep-alive, close"}}, Version::http_1_0).info->keep_alive);
}

TEST(RequestSemanticsTest, ExpectsContinueOnlyForHttp11WithABody) {
  EXPECT_TRUE(analyze({{"host", "a"}, {"expect", "100-Continue"}, {"content-length", "5"}}).info->expects_continue);
  EXPECT_FALSE(analyze({{"host", "a"}, {"expect", "100-continue"}}).info->expects_continue);
  EXPECT_FALSE(
      analyze({{"expect", "100-continue"}, {"content-length", "5"}}, Version::http_1_0).info->expects_continue);
  EXPECT_EQ(error_of({{"host", "a"}, {"expect", "fancy"}}), ParseError::unsupported_expectation);
  EXPECT_FALSE(error_of({{"expect", "fancy"}}, Version::http_1_0));  // RFC 9110 §10.1.1: ignored in HTTP/1.0
}

// HTTP2-Settings for SETTINGS_MAX_CONCURRENT_STREAMS = 100 and SETTINGS_INITIAL_WINDOW_SIZE = 65535.
constexpr std::string_view kSettings = "AAMAAABkAAQAAP__";

std::vector<Header> upgrade_request() {
  return {{"host", "a"}, {"connection", "Upgrade, HTTP2-Settings"}, {"upgrade", "h2c"}, {"http2-settings", kSettings}};
}

TEST(RequestSemanticsTest, RecognisesAValidH2cUpgrade) {  // UP-3.2-01 (RFC 7540 §3.2)
  Analysis a = analyze(upgrade_request());
  ASSERT_TRUE(a.info);
  EXPECT_TRUE(a.info->h2c_upgrade);
  const std::vector<std::byte> expected{std::byte{0}, std::byte{3},   std::byte{0},    std::byte{0},
                                        std::byte{0}, std::byte{100}, std::byte{0},    std::byte{4},
                                        std::byte{0}, std::byte{0},   std::byte{0xff}, std::byte{0xff}};
  EXPECT_EQ(a.settings, expected);
  std::vector<Header> several = upgrade_request();
  several[2].value = "websocket, H2C";
  EXPECT_TRUE(analyze(several).info->h2c_upgrade);
  std::vector<Header> empty = upgrade_request();
  empty[3].value = "";
  EXPECT_TRUE(analyze(empty).info->h2c_upgrade);  // an empty SETTINGS payload is valid
}

TEST(RequestSemanticsTest, IgnoresInvalidH2cUpgrades) {  // UP-3.2-02 (RFC 7540 §3.2, §3.2.1)
  auto without = [](std::size_t drop) {
    std::vector<Header> h = upgrade_request();
    h.erase(h.begin() + static_cast<std::ptrdiff_t>(drop));
    return h;
  };
  EXPECT_FALSE(analyze(without(1)).info->h2c_upgrade);  // no Connection
  EXPECT_FALSE(analyze(without(2)).info->h2c_upgrade);  // no Upgrade
  EXPECT_FALSE(analyze(without(3)).info->h2c_upgrade);  // no HTTP2-Settings
  std::vector<Header> twice = upgrade_request();
  twice.push_back({"http2-settings", kSettings});
  EXPECT_FALSE(analyze(twice).info->h2c_upgrade);
  std::vector<Header> h2 = upgrade_request();
  h2[2].value = "h2";
  EXPECT_FALSE(analyze(h2).info->h2c_upgrade);
  std::vector<Header> connection = upgrade_request();
  connection[1].value = "Upgrade";
  EXPECT_FALSE(analyze(connection).info->h2c_upgrade);
  for (auto bad : {"AAMAAABkAAQAAP//", "AAMAAABkAAQAAP__=", "AAMAAABk AAQAAP__", "AAMAAABkAAQ", "AAMAAABkAAQAAP_"}) {
    std::vector<Header> h = upgrade_request();
    h[3].value = bad;
    Analysis a = analyze(h);
    EXPECT_FALSE(a.info->h2c_upgrade) << bad;
    EXPECT_TRUE(a.settings.empty()) << bad;
  }
  std::vector<Header> body = upgrade_request();
  body.push_back({"content-length", "3"});
  EXPECT_FALSE(analyze(body).info->h2c_upgrade);  // SECURITY.md §11: only without a body
  EXPECT_FALSE(analyze(upgrade_request(), Version::http_1_0).info->h2c_upgrade);
}

TEST(RequestSemanticsTest, DecodesBase64UrlStrictly) {
  std::vector<std::byte> out;
  EXPECT_TRUE(decode_base64url("", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(decode_base64url("_-8", out));
  EXPECT_EQ(out, (std::vector<std::byte>{std::byte{0xff}, std::byte{0xef}}));
  EXPECT_FALSE(decode_base64url("_-9", out));  // non-zero pad bits
  EXPECT_FALSE(decode_base64url("A", out));    // impossible length
  EXPECT_FALSE(decode_base64url("+/8=", out));
}

}  // namespace
}  // namespace h2push::http1::detail
