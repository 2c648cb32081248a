// tests/http2/field_validation_test.cpp: src/http2/field_validation.cpp, the RFC 9113 §8.1-§8.3 checks of a header
// section and the RFC 9218 §4 Priority parser, called directly.
#include "http2/field_validation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace h2push::http2::detail {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Runs check_section over owned strings.
SectionInfo check(const Fields& fields, SectionKind kind) {
  std::vector<Header> headers;
  for (const auto& [n, v] : fields) headers.push_back({n, v});
  return check_section(headers, kind);
}

Fields request(Fields extra = {}) {
  Fields f = {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/index.html"}};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

Fields response(std::string status = "200", Fields extra = {}) {
  Fields f = {{":status", std::move(status)}};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

// ---- what a valid section reports ---------------------------------------------------------------------------------

TEST(FieldValidationTest, ReportsMethodContentLengthAndPriorityOfValidRequest) {
  const Fields fields = request({{"content-length", "42"}, {"priority", "u=1, i"}, {"accept", "*/*"}});
  const SectionInfo info = check(fields, SectionKind::request);  // its views point into `fields`
  EXPECT_TRUE(info.ok()) << info.error;
  EXPECT_EQ(info.method, "GET");
  EXPECT_EQ(info.content_length, 42U);
  ASSERT_TRUE(info.priority.has_value());
  EXPECT_EQ(*info.priority, (Priority{1, true}));
  EXPECT_FALSE(check(request(), SectionKind::request).priority.has_value());
}

TEST(FieldValidationTest, ReportsStatusOfValidResponse) {
  for (const char* status : {"100", "103", "200", "204", "304", "404", "599"}) {
    const SectionInfo info = check(response(status), SectionKind::response);
    EXPECT_TRUE(info.ok()) << status << ": " << info.error;
    EXPECT_EQ(info.status, std::stoi(status));
  }
  EXPECT_EQ(check(response("200", {{"content-length", "0"}}), SectionKind::response).content_length, 0U);
}

TEST(FieldValidationTest, AcceptsTrailersWithoutPseudoHeaders) {
  EXPECT_TRUE(check({{"x-checksum", "abc"}, {"grpc-status", "0"}}, SectionKind::trailers).ok());
  EXPECT_TRUE(check({}, SectionKind::trailers).ok());
}

// ---- §8.2 field names and values ----------------------------------------------------------------------------------

TEST(FieldValidationTest, RejectsInvalidFieldNames) {
  // H2-8.2-01 (RFC 9113 §8.2)
  for (const char* name : {"Accept", "aCCept", "", "x y", "x\ty", "x\x01", "x\x7f", "caf\xc3\xa9", "a:b", "x\r"}) {
    for (const SectionKind kind : {SectionKind::request, SectionKind::response, SectionKind::trailers}) {
      const Fields base = kind == SectionKind::request    ? request()
                          : kind == SectionKind::response ? response()
                                                          : Fields{};
      Fields f = base;
      f.emplace_back(name, "v");
      EXPECT_FALSE(check(f, kind).ok()) << "name " << ::testing::PrintToString(std::string(name));
    }
  }
  for (const char* name : {"x-custom", "accept-encoding", "a1!#$%&'*+.^_`|~"}) {
    EXPECT_TRUE(check(request({{name, "v"}}), SectionKind::request).ok()) << name;
  }
}

TEST(FieldValidationTest, RejectsInvalidFieldValues) {
  // H2-8.2.1-01 (RFC 9113 §8.2.1)
  const std::string bad[] = {" lead", "trail ", "\tlead", "trail\t", "a\rb", "a\nb", std::string("a\0b", 3), " "};
  for (const std::string& value : bad) {
    EXPECT_FALSE(check(request({{"x-v", value}}), SectionKind::request).ok()) << ::testing::PrintToString(value);
    EXPECT_FALSE(check(response("200", {{"x-v", value}}), SectionKind::response).ok());
    EXPECT_FALSE(check({{"x-v", value}}, SectionKind::trailers).ok());
  }
  // A pseudo-header value is checked too.
  EXPECT_FALSE(
      check({{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/ x "}}, SectionKind::request)
          .ok());
  for (const char* value : {"", "a b", "a\tb", "caf\xc3\xa9", "\"quoted\"", "x"}) {
    EXPECT_TRUE(check(request({{"x-v", value}}), SectionKind::request).ok()) << ::testing::PrintToString(value);
  }
}

TEST(FieldValidationTest, RejectsConnectionSpecificFields) {
  // H2-8.2.2-01 (RFC 9113 §8.2.2)
  for (const char* name : {"connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade"}) {
    EXPECT_FALSE(check(request({{name, "x"}}), SectionKind::request).ok()) << name;
    EXPECT_FALSE(check(response("200", {{name, "x"}}), SectionKind::response).ok()) << name;
    EXPECT_FALSE(check({{name, "x"}}, SectionKind::trailers).ok()) << name;
  }
}

TEST(FieldValidationTest, AcceptsTeOnlyAsTrailersInRequests) {
  // H2-8.2.2-02 (RFC 9113 §8.2.2)
  EXPECT_TRUE(check(request({{"te", "trailers"}}), SectionKind::request).ok());
  for (const char* value : {"gzip", "trailers, gzip", "deflate;q=0.5", ""}) {
    EXPECT_FALSE(check(request({{"te", value}}), SectionKind::request).ok()) << value;
  }
  EXPECT_FALSE(check(response("200", {{"te", "trailers"}}), SectionKind::response).ok());
}

// ---- §8.1.1 content-length ----------------------------------------------------------------------------------------

TEST(FieldValidationTest, ParsesContentLengthStrictly) {
  // H2-8.1.1-01 (RFC 9113 §8.1.1)
  for (const char* value : {"abc", "-1", "+1", "1 2", "1.0", "0x10", "99999999999999999999", ""}) {
    EXPECT_FALSE(check(request({{"content-length", value}}), SectionKind::request).ok()) << value;
  }
  EXPECT_FALSE(check(request({{"content-length", "5"}, {"content-length", "6"}}), SectionKind::request).ok());
  const SectionInfo same = check(request({{"content-length", "5"}, {"content-length", "5"}}), SectionKind::request);
  EXPECT_TRUE(same.ok());
  EXPECT_EQ(same.content_length, 5U);
  EXPECT_EQ(check(request({{"content-length", "9999999999999999999"}}), SectionKind::request).content_length,
            std::uint64_t{9999999999999999999U});  // 19 digits; 20 are refused
}

// ---- §8.3 pseudo-header fields ------------------------------------------------------------------------------------

TEST(FieldValidationTest, RejectsUnknownOrMisplacedPseudoHeaders) {
  // H2-8.3-01 (RFC 9113 §8.3)
  EXPECT_FALSE(check(request({{":status", "200"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":protocol", "websocket"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":unknown", "x"}}), SectionKind::request).ok());
  EXPECT_FALSE(check({{":status", "200"}, {":method", "GET"}}, SectionKind::response).ok());
  EXPECT_FALSE(check({{":status", "200"}, {":path", "/"}}, SectionKind::response).ok());
  EXPECT_FALSE(check({{":status", "200"}, {":x", "y"}}, SectionKind::response).ok());
  EXPECT_FALSE(check({{":path", "/"}}, SectionKind::trailers).ok());
  EXPECT_FALSE(check({{":status", "200"}}, SectionKind::trailers).ok());
  EXPECT_FALSE(check({{":", "x"}}, SectionKind::trailers).ok());
}

TEST(FieldValidationTest, RejectsPseudoHeaderAfterRegularFieldOrRepeated) {
  // H2-8.3-02 (RFC 9113 §8.3)
  EXPECT_FALSE(
      check({{":method", "GET"}, {"accept", "*/*"}, {":scheme", "https"}, {":path", "/"}}, SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":method", "GET"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":method", "POST"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":scheme", "https"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":path", "/"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{":authority", "example.com"}}), SectionKind::request).ok());
  EXPECT_FALSE(check({{"server", "x"}, {":status", "200"}}, SectionKind::response).ok());
  EXPECT_FALSE(check({{":status", "200"}, {":status", "200"}}, SectionKind::response).ok());
}

TEST(FieldValidationTest, RejectsIncompleteOrInvalidRequestTargets) {
  // H2-8.3.1-01 (RFC 9113 §8.3.1)
  EXPECT_FALSE(check({{":scheme", "https"}, {":authority", "a"}, {":path", "/"}}, SectionKind::request).ok());
  EXPECT_FALSE(check({{":method", "GET"}, {":authority", "a"}, {":path", "/"}}, SectionKind::request).ok());
  EXPECT_FALSE(check({{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}}, SectionKind::request).ok());
  EXPECT_FALSE(
      check({{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", ""}}, SectionKind::request).ok());
  EXPECT_FALSE(
      check({{":method", "GET"}, {":scheme", "https"}, {":authority", "user@a"}, {":path", "/"}}, SectionKind::request)
          .ok());
  EXPECT_FALSE(
      check({{":method", "GET"}, {":scheme", "https"}, {":authority", "u:p@a"}, {":path", "/"}}, SectionKind::request)
          .ok());
  // :authority may be absent (a Host field or nothing); OPTIONS * is asterisk-form.
  EXPECT_TRUE(check({{":method", "GET"}, {":scheme", "https"}, {":path", "/"}}, SectionKind::request).ok());
  EXPECT_TRUE(
      check({{":method", "OPTIONS"}, {":scheme", "https"}, {":authority", "a"}, {":path", "*"}}, SectionKind::request)
          .ok());
}

TEST(FieldValidationTest, RejectsHostThatDiffersFromAuthority) {
  // H2-8.3.1-02 (RFC 9113 §8.3.1)
  EXPECT_FALSE(check(request({{"host", "other.example"}}), SectionKind::request).ok());
  EXPECT_FALSE(check(request({{"host", ""}}), SectionKind::request).ok());  // found by fuzz/h2_client
  EXPECT_TRUE(check(request({{"host", "example.com"}}), SectionKind::request).ok());
  EXPECT_TRUE(
      check({{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"host", "a"}}, SectionKind::request).ok());
}

TEST(FieldValidationTest, RequiresValidStatusInResponses) {
  // H2-8.3.2-01 (RFC 9113 §8.3.2)
  EXPECT_FALSE(check({}, SectionKind::response).ok());
  EXPECT_FALSE(check({{"server", "x"}}, SectionKind::response).ok());
  for (const char* status : {"", "20", "2000", "099", "600", "abc", " 200", "2x0", "-20"}) {
    EXPECT_FALSE(check(response(status), SectionKind::response).ok()) << ::testing::PrintToString(std::string(status));
  }
}

TEST(FieldValidationTest, AcceptsConnectWithMethodAndAuthorityOnly) {
  // H2-8.5-01 (RFC 9113 §8.5)
  const Fields connect = {{":method", "CONNECT"}, {":authority", "example.com:443"}};
  const SectionInfo ok = check(connect, SectionKind::request);
  EXPECT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(ok.method, "CONNECT");
  EXPECT_FALSE(check({{":method", "CONNECT"}}, SectionKind::request).ok());
  EXPECT_FALSE(
      check({{":method", "CONNECT"}, {":authority", "a:443"}, {":scheme", "https"}}, SectionKind::request).ok());
  EXPECT_FALSE(check({{":method", "CONNECT"}, {":authority", "a:443"}, {":path", "/"}}, SectionKind::request).ok());
}

TEST(FieldValidationTest, RejectsSwitchingProtocols) {
  // H2-8.6-01 (RFC 9113 §8.6)
  EXPECT_FALSE(check(response("101"), SectionKind::response).ok());
  EXPECT_TRUE(check(response("100"), SectionKind::response).ok());
}

// ---- §8.4 promised requests ---------------------------------------------------------------------------------------

TEST(FieldValidationTest, AcceptsOnlySafeCompletePromisedRequests) {
  // H2-8.4-01 (RFC 9113 §8.4, §8.4.1)
  // H2-8.4-02 (RFC 9113 §8.4, §8.4.1)
  EXPECT_TRUE(check(request(), SectionKind::push_request).ok());
  EXPECT_TRUE(
      check({{":method", "HEAD"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/"}}, SectionKind::push_request)
          .ok());
  EXPECT_TRUE(check(request({{"content-length", "0"}}), SectionKind::push_request).ok());
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "get"}) {
    Fields f = request();
    f[0].second = method;
    EXPECT_FALSE(check(f, SectionKind::push_request).ok()) << method;
  }
  EXPECT_FALSE(check({{":method", "GET"}, {":scheme", "https"}, {":path", "/"}}, SectionKind::push_request).ok());
  EXPECT_FALSE(check(request({{"content-length", "1"}}), SectionKind::push_request).ok());
  EXPECT_FALSE(check(request({{"X-Bad", "1"}}), SectionKind::push_request).ok());
}

// ---- RFC 9218 §4 Priority -----------------------------------------------------------------------------------------

TEST(FieldValidationTest, ParsesPriorityMembers) {
  EXPECT_EQ(parse_priority(""), (Priority{3, false}));
  EXPECT_EQ(parse_priority("u=0"), (Priority{0, false}));
  EXPECT_EQ(parse_priority("u=7"), (Priority{7, false}));
  EXPECT_EQ(parse_priority("i"), (Priority{3, true}));
  EXPECT_EQ(parse_priority("i=?1"), (Priority{3, true}));
  EXPECT_EQ(parse_priority("u=2, i"), (Priority{2, true}));
  EXPECT_EQ(parse_priority("i, u=6"), (Priority{6, true}));
  EXPECT_EQ(parse_priority("u=1,i"), (Priority{1, true}));
  EXPECT_EQ(parse_priority("u=1, u=5"), (Priority{5, false}));  // the last member wins
}

TEST(FieldValidationTest, IgnoresUnknownOrInvalidPriorityMembers) {
  EXPECT_EQ(parse_priority("u=8"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("u=-1"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("u=1.5"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("u=a"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("u=10"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("i=1"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("i=?2"), (Priority{3, false}));
  EXPECT_EQ(parse_priority("x=1, u=4, foo"), (Priority{4, false}));
  EXPECT_EQ(parse_priority("u=2;p=1, i;q"), (Priority{2, true}));  // parameters are ignored
}

TEST(FieldValidationTest, KeepsBasePriorityForAbsentOrInvalidMembers) {
  const Priority base{1, true};
  EXPECT_EQ(parse_priority("", base), base);
  EXPECT_EQ(parse_priority("u=9", base), base);
  EXPECT_EQ(parse_priority("u=5", base), (Priority{5, true}));
  EXPECT_EQ(parse_priority("i=?0", base), (Priority{1, false}));
}

}  // namespace
}  // namespace h2push::http2::detail
