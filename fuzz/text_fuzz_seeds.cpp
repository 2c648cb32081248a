// fuzz/text_fuzz_seeds.cpp: writes the seed corpora of the http1_server and discovery fuzz targets.
//
// Usage: text_fuzz_seeds OUT_DIR DEMO_SITE_DIR
// http1_client seeds are response streams (framings, 1xx, 101, HTTP/1.0, the splitting shapes); http1_server seeds are
// hand-written request streams (pipelining, chunked bodies with trailers, 100-continue, an h2c upgrade and the
// smuggling shapes the parser must refuse); discovery seeds are the demo site's HTML, CSS and JS files plus a few Link
// values, digest cookies and URL pairs. Existing seeds are overwritten; libFuzzer's own additions in the same folders
// are kept.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

void write_seed(const fs::path& dir, const std::string& name, std::uint8_t first, std::uint8_t second,
                std::string_view text, bool two_prefix_octets) {
  fs::create_directories(dir);
  std::ofstream out(dir / ("seed_" + name + ".bin"), std::ios::binary | std::ios::trunc);
  out.put(static_cast<char>(first));
  if (two_prefix_octets) out.put(static_cast<char>(second));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write a seed in " + dir.string());
}

struct TextSeed {
  const char* name;
  std::string_view text;
};

constexpr TextSeed kRequests[] = {
    {"pipelined",
     "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x?y=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n"
     "HEAD /z HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
    {"http10", "GET / HTTP/1.0\r\n\r\nGET /after HTTP/1.0\r\n\r\n"},
    {"post_length",
     "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\nHost: a\r\n\r\n"},
    {"chunked",
     "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n"
     "X-Sum: 1\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"},
    {"continue", "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"},
    {"h2c",
     "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
     "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"},
    {"cl_and_te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
    {"two_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"},
    {"obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n  b\r\n\r\n"},
    {"bare_lf", "GET / HTTP/1.1\nHost: a\n\n"},
    {"absolute_form", "GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
};

// Server octets for http1_client; the first octet of each is the target's config (requests sent), the second its
// piece seed.
constexpr TextSeed kResponses[] = {
    {"length", "\x40\x11HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"a\"\r\n\r\nhello"},
    {"pipelined",
     "\x02\x22HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"
     "HTTP/1.1 204 No Content\r\n\r\n"},
    {"chunked", "\x40\x33HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n"},
    {"hints",
     "\x40\x44HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload; as=style\r\n\r\n"
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
    {"close_delimited", "\x40\x55HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"},
    {"upgrade", "\x08\x66HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI"},
    {"cl_and_te", "\x40\x77HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
    {"two_lengths", "\x40\x88HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 4\r\n\r\nabcd"},
    {"small_limits",
     "\x20\x99HTTP/1.1 200 OK\r\nSet-Cookie: a-rather-long-cookie-value-to-pass-the-small-limit\r\n\r\n"},
};

constexpr TextSeed kOther[] = {
    {"link",
     "\3</a.css>; rel=preload; as=style, <../b.js>; rel=modulepreload, <//x.org/f.woff2>; rel=preload; "
     "as=font; crossorigin"},
    {"link_quoted", "\3<a,b>; rel=\"preload stylesheet\"; title=\"x;y\", <c>; nopush"},
    {"digest", "\4AQUAAwCq7w"},
    {"cookie", "\4a=b; h2push-digest=AQUAAwCq7w; c=d"},
    {"resolve", "\5https://example.com/a/b/c.html?q\n../d/./e%2e%2E/f.css#x"},
    {"resolve_path", "\5/a/b.html\n\\\\host\\x"},
    {"resolve_port", "\5http://EXAMPLE.com:80/\nhttp:g?%zz"},
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: text_fuzz_seeds OUT_DIR DEMO_SITE_DIR\n");
    return 2;
  }
  try {
    const fs::path out = argv[1];
    for (const TextSeed& s : kRequests) {
      write_seed(out / "http1_server", s.name, 0, 0, s.text, true);
      write_seed(out / "http1_server", std::string(s.name) + "_small", 0x07, 0x5A, s.text, true);
    }
    for (const TextSeed& s : kResponses) {
      write_seed(out / "http1_client", s.name, static_cast<std::uint8_t>(s.text[0]),
                 static_cast<std::uint8_t>(s.text[1]), s.text.substr(2), true);
    }
    for (const TextSeed& s : kOther) {
      write_seed(out / "discovery", s.name, static_cast<std::uint8_t>(s.text[0]), 0, s.text.substr(1), false);
    }
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(argv[2])) {
      if (!entry.is_regular_file()) continue;
      const std::string ext = entry.path().extension().string();
      const std::uint8_t selector = ext == ".html" ? 0 : ext == ".css" ? 1 : ext == ".js" ? 2 : 0xFF;
      if (selector == 0xFF) continue;
      const std::string text = read_file(entry.path());
      if (text.size() > 64 * 1024) continue;
      write_seed(out / "discovery", "demo_" + entry.path().stem().string() + ext.substr(1), selector, 0, text, false);
      ++files;
    }
    if (files == 0) throw std::runtime_error("no HTML, CSS or JS under " + std::string(argv[2]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "text_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
