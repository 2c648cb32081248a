// tests/server/static_files_compression_test.cpp: content codings (RFC 9110 §8.4, §12.5.3): Accept-Encoding,
// on-the-fly gzip/brotli checked by decompressing with zlib and libbrotlidec, precompressed siblings, Vary.
#include <brotli/decode.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/compression.hpp"
#include "server/static_files.hpp"
#include "static_files_test_util.hpp"

namespace h2push::server {
namespace {

using testing::get;
using testing::header_or_none;
using testing::read_body;
using testing::TempDir;

std::string gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  std::string out;
  std::string buffer(16384, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer.data());
    zs.avail_out = static_cast<uInt>(buffer.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END && zs.avail_in == 0 ? out : "<corrupt gzip>";
}

std::string unbrotli(std::string_view data) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  std::string out;
  std::size_t in_left = data.size();
  const auto* in = reinterpret_cast<const std::uint8_t*>(data.data());
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    std::uint8_t buffer[16384];
    std::size_t out_left = sizeof buffer;
    std::uint8_t* next = buffer;
    rc = BrotliDecoderDecompressStream(state, &in_left, &in, &out_left, &next, nullptr);
    out.append(reinterpret_cast<char*>(buffer), sizeof buffer - out_left);
  }
  BrotliDecoderDestroyInstance(state);
  return rc == BROTLI_DECODER_RESULT_SUCCESS && in_left == 0 ? out : "<corrupt brotli>";
}

std::string text_of(std::size_t size) {
  std::string s;
  for (int i = 0; s.size() < size; ++i) s += "<p>line " + std::to_string(i % 50) + " of some compressible text</p>\n";
  s.resize(size);
  return s;
}

std::string random_bytes(std::size_t size) {
  std::mt19937 rng(42);
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(AcceptEncodingTest, OrdersAcceptableCodings) {
  // HS-12.5-01 (RFC 9110 §12.5.3)
  using C = ContentCoding;
  const std::vector<std::pair<std::string, std::vector<C>>> cases = {
      {"", {}},
      {"identity", {}},
      {"gzip", {C::gzip}},
      {"br", {C::br}},
      {"gzip, deflate, br, zstd", {C::br, C::gzip}},
      {"gzip;q=1.0, br;q=0.5", {C::gzip, C::br}},
      {"br;q=1, gzip;q=1.000", {C::br, C::gzip}},
      {"gzip;q=0", {}},
      {"gzip;q=0.000, br", {C::br}},
      {"*", {C::br, C::gzip}},
      {"*;q=0.5, gzip", {C::gzip, C::br}},
      {"*;q=0, gzip", {C::gzip}},
      {"*, br;q=0", {C::gzip}},
      {"GZIP", {C::gzip}},
      {"x-gzip", {C::gzip}},
      {"gzip;q=2", {}},  // malformed weight counts as 0
      {"gzip;q=0.1234", {}},
      {"deflate, gzip;q=0.001", {C::gzip}},
      {"gzip ; q=0.8 , br ; level=5 ; q=0.9", {C::br, C::gzip}},
      {" , ,gzip,, ", {C::gzip}},
      {"gzip;q=0, gzip;q=0.5", {C::gzip}},
  };
  for (const auto& [header, expected] : cases) {
    const CodingPreference p = parse_accept_encoding(header);
    ASSERT_EQ(p.count, expected.size()) << header;
    for (std::size_t i = 0; i < p.count; ++i) EXPECT_EQ(p.order[i], expected[i]) << header;
  }
}

TEST(CompressionTest, RoundTripsThroughZlibAndBrotli) {
  for (const std::size_t size : {0u, 1u, 100u, 70000u, 300000u}) {
    const std::string text = text_of(size);
    const auto gz = gzip_compress(text, 6);
    ASSERT_TRUE(gz);
    EXPECT_EQ(gunzip(*gz), text) << size;
    const auto br = brotli_compress(text, 5, 22);
    ASSERT_TRUE(br);
    EXPECT_EQ(unbrotli(*br), text) << size;
  }
  const std::string noise = random_bytes(50000);
  EXPECT_EQ(gunzip(*gzip_compress(noise, 9)), noise);
  EXPECT_EQ(unbrotli(*brotli_compress(noise, 11, 24)), noise);
  EXPECT_EQ(*gzip_compress("abc", 6), *gzip_compress("abc", 6));  // deterministic: no timestamp
}

class StaticFilesCompressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("page.html", page_);
    dir_.set_mtime("page.html", 1'700'000'000);
    dir_.write("small.css", "a{b:c}");
    dir_.write("noise.txt", random_bytes(8000));
    dir_.write("image.png", text_of(8000));  // compressible bytes, but not a compressible type
  }
  FileResponse fetch(std::string_view target, std::string_view accept_encoding, StaticFiles* files = nullptr) {
    FileRequest request = get(target);
    request.accept_encoding = accept_encoding;
    return (files ? *files : files_).serve(request);
  }

  TempDir dir_;
  std::string page_ = text_of(20000);
  StaticFiles files_{StaticOptions{.root = dir_.str()}};
};

TEST_F(StaticFilesCompressionTest, CompressesTextWithGzipOnTheFly) {
  // HS-12.5-01 (RFC 9110 §12.5.3, §12.5.5), HS-8.8-01 (each coding its own tag)
  const FileResponse r = fetch("/page.html", "gzip");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(header_or_none(r, "content-encoding"), "gzip");
  EXPECT_EQ(header_or_none(r, "vary"), "accept-encoding");
  EXPECT_EQ(header_or_none(r, "content-type"), "text/html; charset=utf-8");
  const std::string body = read_body(r);
  EXPECT_EQ(header_or_none(r, "content-length"), std::to_string(body.size()));
  EXPECT_LT(body.size(), page_.size());
  EXPECT_EQ(gunzip(body), page_);
  const std::string etag(*r.header("etag"));
  EXPECT_TRUE(etag.ends_with("-gz\"")) << etag;
  EXPECT_NE(etag, header_or_none(fetch("/page.html", ""), "etag"));
}

TEST_F(StaticFilesCompressionTest, CompressesTextWithBrotliWhenPreferred) {
  for (const std::string_view ae : {"br", "gzip, deflate, br", "br;q=0.9, gzip;q=0.8", "*"}) {
    const FileResponse r = fetch("/page.html", ae);
    EXPECT_EQ(header_or_none(r, "content-encoding"), "br") << ae;
    EXPECT_EQ(unbrotli(read_body(r)), page_) << ae;
    EXPECT_TRUE(r.header("etag")->ends_with("-br\""));
  }
  EXPECT_EQ(header_or_none(fetch("/page.html", "br;q=0.1, gzip"), "content-encoding"), "gzip");
}

TEST_F(StaticFilesCompressionTest, SendsIdentityWithVaryWhenNotAccepted) {
  for (const std::string_view ae : {"", "identity", "deflate", "gzip;q=0, br;q=0"}) {
    const FileResponse r = fetch("/page.html", ae);
    EXPECT_FALSE(r.header("content-encoding")) << ae;
    EXPECT_EQ(header_or_none(r, "vary"), "accept-encoding") << ae;
    EXPECT_EQ(read_body(r), page_);
  }
}

TEST_F(StaticFilesCompressionTest, KeepsHeadAndConditionalsPerCoding) {
  // HS-9.3.2-01 and HS-12.5-01: HEAD and 304 carry the coding's headers too.
  const FileResponse g = fetch("/page.html", "gzip");
  FileRequest head{.method = "HEAD", .target = "/page.html", .accept_encoding = "gzip"};
  const FileResponse h = files_.serve(head);
  EXPECT_EQ(h.header("content-length"), g.header("content-length"));
  EXPECT_EQ(h.header("content-encoding"), g.header("content-encoding"));
  EXPECT_EQ(h.header("etag"), g.header("etag"));

  FileRequest inm = get("/page.html");
  inm.accept_encoding = "gzip";
  inm.if_none_match = *g.header("etag");
  const FileResponse not_modified = files_.serve(inm);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(header_or_none(not_modified, "vary"), "accept-encoding");
  EXPECT_FALSE(not_modified.header("content-encoding"));
  inm.accept_encoding = "br";  // another representation: its tag differs
  EXPECT_EQ(files_.serve(inm).status, 200);
}

TEST_F(StaticFilesCompressionTest, AppliesRangeToEncodedBytes) {
  // HS-14.1.2-01 (RFC 9110 §14.1.2): ranges apply to the selected (encoded) representation.
  const std::string whole = read_body(fetch("/page.html", "gzip"));
  FileRequest request = get("/page.html");
  request.accept_encoding = "gzip";
  request.range = "bytes=0-9";
  const FileResponse r = files_.serve(request);
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(header_or_none(r, "content-range"), "bytes 0-9/" + std::to_string(whole.size()));
  EXPECT_EQ(header_or_none(r, "content-encoding"), "gzip");
  EXPECT_EQ(header_or_none(r, "vary"), "accept-encoding");
  EXPECT_EQ(read_body(r), whole.substr(0, 10));
  const std::string past_end = "bytes=" + std::to_string(whole.size()) + "-";
  request.range = past_end;
  const FileResponse unsatisfiable = files_.serve(request);
  EXPECT_EQ(unsatisfiable.status, 416);
  EXPECT_EQ(header_or_none(unsatisfiable, "vary"), "accept-encoding");
}

TEST_F(StaticFilesCompressionTest, SkipsSmallIncompressibleAndOtherTypes) {
  const FileResponse small = fetch("/small.css", "gzip, br");
  EXPECT_FALSE(small.header("content-encoding"));
  EXPECT_EQ(header_or_none(small, "vary"), "accept-encoding");  // a precompressed sibling could still apply
  const FileResponse noise = fetch("/noise.txt", "gzip, br");
  EXPECT_FALSE(noise.header("content-encoding"));  // coding would not shrink it
  EXPECT_EQ(read_body(noise).size(), 8000u);
  const FileResponse png = fetch("/image.png", "gzip, br");
  EXPECT_FALSE(png.header("content-encoding"));
  EXPECT_FALSE(png.header("vary"));

  StaticFiles no_precompressed({.root = dir_.str(), .precompressed = false});
  EXPECT_FALSE(fetch("/small.css", "gzip", &no_precompressed).header("vary"));
  EXPECT_EQ(header_or_none(fetch("/page.html", "gzip", &no_precompressed), "content-encoding"), "gzip");
  StaticFiles none({.root = dir_.str(), .gzip = false, .brotli = false, .precompressed = false});
  const FileResponse plain = fetch("/page.html", "gzip, br", &none);
  EXPECT_FALSE(plain.header("content-encoding"));
  EXPECT_FALSE(plain.header("vary"));
  StaticFiles gzip_only({.root = dir_.str(), .brotli = false});
  EXPECT_EQ(header_or_none(fetch("/page.html", "br, gzip", &gzip_only), "content-encoding"), "gzip");
  StaticFiles capped({.root = dir_.str(), .compress_max_size = 10000});
  EXPECT_FALSE(fetch("/page.html", "gzip", &capped).header("content-encoding"));
}

TEST_F(StaticFilesCompressionTest, ReusesCachedCompressedResult) {
  const std::string first = read_body(fetch("/page.html", "br"));
  const auto before = files_.cache_stats();
  const std::string second = read_body(fetch("/page.html", "br"));
  const auto after = files_.cache_stats();
  EXPECT_EQ(first, second);
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.entries, before.entries);
  // The file changes: the cached variant is dropped and the new content compressed.
  const std::string changed = text_of(30000) + "changed";
  dir_.write("page.html", changed);
  EXPECT_EQ(unbrotli(read_body(fetch("/page.html", "br"))), changed);
  EXPECT_GE(files_.cache_stats().invalidations, 1u);
}

TEST_F(StaticFilesCompressionTest, ServesPrecompressedSiblingWhenNotOlder) {
  const std::string precompressed = *brotli_compress(page_, 11, 22);
  dir_.write("page.html.br", precompressed);
  dir_.set_mtime("page.html.br", 1'700'000'000);  // as new as the original (gzip -k keeps the mtime)
  const std::string gz = *gzip_compress(page_, 9);
  dir_.write("page.html.gz", gz);
  dir_.set_mtime("page.html.gz", 1'700'000'100);
  StaticFiles files({.root = dir_.str(), .gzip = false, .brotli = false});

  const FileResponse br = fetch("/page.html", "gzip, br", &files);
  EXPECT_EQ(header_or_none(br, "content-encoding"), "br");
  EXPECT_EQ(header_or_none(br, "content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(header_or_none(br, "content-length"), std::to_string(precompressed.size()));
  EXPECT_EQ(header_or_none(br, "last-modified"), "Tue, 14 Nov 2023 22:13:20 GMT");  // the original's
  EXPECT_TRUE(br.header("etag")->ends_with("-br\""));
  EXPECT_EQ(read_body(br), precompressed);
  EXPECT_EQ(unbrotli(read_body(br)), page_);

  const FileResponse gzip = fetch("/page.html", "gzip", &files);
  EXPECT_EQ(header_or_none(gzip, "content-encoding"), "gzip");
  EXPECT_EQ(read_body(gzip), gz);
  EXPECT_EQ(header_or_none(fetch("/page.html", "", &files), "content-length"), std::to_string(page_.size()));
}

TEST_F(StaticFilesCompressionTest, IgnoresStaleOrEscapingSibling) {
  dir_.write("page.html.br", "stale bytes");
  dir_.set_mtime("page.html.br", 1'600'000'000);  // older than page.html
  StaticFiles files({.root = dir_.str(), .gzip = false, .brotli = false});
  const FileResponse stale = fetch("/page.html", "br", &files);
  EXPECT_FALSE(stale.header("content-encoding"));
  EXPECT_EQ(read_body(stale), page_);

  dir_.write("outside.gz", "escaped");
  dir_.mkdir("root");
  dir_.write("root/page.html", page_);
  dir_.symlink("../outside.gz", "root/page.html.gz");
  StaticFiles rooted({.root = (dir_.path() / "root").string(), .gzip = false, .brotli = false});
  const FileResponse escaped = fetch("/page.html", "gzip", &rooted);
  EXPECT_FALSE(escaped.header("content-encoding"));
  EXPECT_EQ(read_body(escaped), page_);
}

TEST_F(StaticFilesCompressionTest, UsesSiblingEvenAboveOnTheFlyLimit) {
  const std::string big = text_of(3 * 1024 * 1024);
  dir_.write("big.js", big);
  const std::string gz = *gzip_compress(big, 6);
  dir_.write("big.js.gz", gz);
  const FileResponse r = fetch("/big.js", "gzip");
  EXPECT_EQ(header_or_none(r, "content-encoding"), "gzip");
  EXPECT_EQ(header_or_none(r, "content-length"), std::to_string(gz.size()));
  EXPECT_EQ(gunzip(read_body(r, 65536)), big);
  const FileResponse identity = fetch("/big.js", "br");  // no .br, too big to compress now
  EXPECT_FALSE(identity.header("content-encoding"));
  EXPECT_TRUE(std::holds_alternative<FileSlice>(identity.body));
}

}  // namespace
}  // namespace h2push::server
