// fuzz/h2_fuzz_seeds.cpp: writes the seed corpora of the h2_server and h2_client fuzz targets: hand-built valid
// exchanges in the format of h2_fuzz_input.hpp.
//
// Usage: h2_fuzz_seeds OUT_DIR
// Writes OUT_DIR/h2_server/seed_<name>.bin and OUT_DIR/h2_client/seed_<name>.bin. Existing seeds are overwritten;
// other files are left alone, so the corpus libFuzzer grows in the same folders survives.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "h2_fuzz_input.hpp"

namespace {

namespace fs = std::filesystem;
using h2push::fuzz::ClientAction;
using h2push::fuzz::SeedBuilder;
using h2push::fuzz::ServerAction;
namespace f = h2push::fuzz;

constexpr std::uint8_t kAll = 0xFF;  // drain argument: all of it

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

const SeedBuilder::Fields kGet = {
    {":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/index.html"}};
const SeedBuilder::Fields kGetStyle = {{":method", "GET"},
                                       {":scheme", "https"},
                                       {":authority", "example.com"},
                                       {":path", "/style.css"},
                                       {"priority", "u=2"}};
const SeedBuilder::Fields kHead = {
    {":method", "HEAD"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/"}};
const SeedBuilder::Fields kPost = {{":method", "POST"},  {":scheme", "https"},           {":authority", "example.com"},
                                   {":path", "/upload"}, {"content-type", "text/plain"}, {"content-length", "11"}};
const SeedBuilder::Fields kPut = {
    {":method", "PUT"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/chunked"}, {"te", "trailers"}};
const SeedBuilder::Fields kTrailers = {{"x-checksum", "abc"}};
const SeedBuilder::Fields kOk = {{":status", "200"}, {"content-type", "text/html"}};
const SeedBuilder::Fields kOkLength = {{":status", "200"}, {"content-length", "5"}};
const SeedBuilder::Fields kEarlyHints = {{":status", "103"}, {"link", "</style.css>; rel=preload"}};
const SeedBuilder::Fields kPushRequest = {
    {":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/pushed.css"}};

std::vector<std::vector<std::uint8_t>> server_seeds() {
  std::vector<std::vector<std::uint8_t>> seeds;
  // A GET answered at once; the client acknowledges our SETTINGS.
  seeds.push_back(SeedBuilder(f::kConfigAuto, 0)
                      .settings_ack()
                      .headers(1, kGet, true)
                      .chunk()
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // A POST with a two-frame body (one padded) and a PUT with trailers, answered by actions, windows credited.
  seeds.push_back(SeedBuilder(f::kConfigManualWindow, 0)
                      .settings_ack()
                      .headers(1, kPost, false)
                      .data(1, "hello ", false, 4)
                      .data(1, "world", true)
                      .headers(3, kPut, false)
                      .data(3, "part", false)
                      .headers(3, kTrailers, true)
                      .chunk()
                      .action(ServerAction::consume, 0x80)
                      .action(ServerAction::respond, 0x49)
                      .action(ServerAction::respond, 0x8C)
                      .action(ServerAction::drain, kAll)
                      .window_update(0, 100000)
                      .window_update(1, 1000)
                      .chunk()
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // Priorities, pings, a settings change with a shrinking window, a header table change.
  seeds.push_back(SeedBuilder(0, 0)
                      .settings_ack()
                      .headers(1, kGet, true)
                      .headers(3, kGetStyle, true)
                      .priority_update(3, "u=0")
                      .priority(5, 1)
                      .ping(false)
                      .settings({{0x4, 100}, {0x1, 1024}, {0x5, 20000}})
                      .chunk()
                      .action(ServerAction::respond_all, 0x3C)
                      .action(ServerAction::drain, kAll)
                      .window_update(1, 65535)
                      .window_update(3, 65535)
                      .window_update(0, 65535)
                      .chunk()
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // Pushes: one answered, one held, a 103, the client cancels a pushed stream.
  seeds.push_back(SeedBuilder(0, 0)
                      .settings_ack()
                      .headers(1, kGet, true)
                      .chunk()
                      .action(ServerAction::informational, 0)
                      .action(ServerAction::push, 0x10)
                      .action(ServerAction::push, 0x80)
                      .action(ServerAction::respond, 0x34)
                      .action(ServerAction::drain, kAll)
                      .rst_stream(4, 8)
                      .chunk()
                      .action(ServerAction::more_data, 0x21)
                      .action(ServerAction::respond_all, 0x08)
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // A field block split over CONTINUATION, a padded HEADERS with priority, a HEAD, fed in 7-octet pieces.
  seeds.push_back(SeedBuilder(f::kConfigAuto | f::kConfigSmallTables, 0)
                      .settings_ack()
                      .headers_continued(1, kGet, true)
                      .headers_padded(3, kGetStyle, true)
                      .headers(5, kHead, true)
                      .split(7)
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // Bodies pulled from a source that pauses, under a tight output budget and small windows; then GOAWAY.
  seeds.push_back(SeedBuilder(f::kConfigTightOutput, 0)
                      .settings_ack()
                      .settings({{0x4, 300}})
                      .headers(1, kGet, true)
                      .chunk()
                      .action(ServerAction::respond, 0x30)
                      .action(ServerAction::send_body, 0x41)
                      .action(ServerAction::drain, 10)
                      .window_update(1, 5000)
                      .window_update(0, 5000)
                      .chunk()
                      .action(ServerAction::drain, kAll)
                      .action(ServerAction::resume_body, 0)
                      .action(ServerAction::drain, kAll)
                      .window_update(1, 5000)
                      .chunk()
                      .action(ServerAction::drain, kAll)
                      .goaway(1, 0)
                      .chunk()
                      .action(ServerAction::shutdown, 0)
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // Many streams against a small limit, resets from both sides, a client that never reads.
  seeds.push_back(SeedBuilder(f::kConfigAuto | f::kConfigFewStreams, f::kLimitResets | f::kLimitClosed)
                      .settings_ack()
                      .headers(1, kGet, false)
                      .headers(3, kGet, false)
                      .headers(5, kGet, false)
                      .rst_stream(1, 8)
                      .headers(7, kGet, true)
                      .ping(false)
                      .ping(false)
                      .chunk()
                      .action(ServerAction::reset, 0x40)
                      .action(ServerAction::advance, 30)
                      .action(ServerAction::drain, 3)
                      .bytes());
  // The client disables push and shrinks the header table; the application still tries to push.
  seeds.push_back(SeedBuilder(0, 0)
                      .settings_ack()
                      .settings({{0x2, 0}, {0x1, 0}})
                      .headers(1, kGet, true)
                      .chunk()
                      .action(ServerAction::push, 0x10)
                      .action(ServerAction::respond, 0x08)
                      .action(ServerAction::drain, kAll)
                      .bytes());
  // A response with an unusual header field, and a 204.
  seeds.push_back(SeedBuilder(0, 0)
                      .settings_ack()
                      .headers(1, kGet, true)
                      .headers(3, kGet, true)
                      .chunk()
                      .odd_header(ServerAction::odd_header, 0, "x-odd", "value with spaces")
                      .action(ServerAction::respond, 0x02)
                      .action(ServerAction::drain, kAll)
                      .bytes());
  return seeds;
}

std::vector<std::vector<std::uint8_t>> client_seeds() {
  std::vector<std::vector<std::uint8_t>> seeds;
  // A GET and its response.
  seeds.push_back(SeedBuilder(0, 0)
                      .action(ClientAction::request, 0x00)
                      .action(ClientAction::drain, kAll)
                      .settings_ack()
                      .headers(1, kOk, false)
                      .data(1, "<html></html>", true)
                      .chunk()
                      .action(ClientAction::drain, kAll)
                      .bytes());
  // A POST whose body waits for the server's window; a 103, then a response with trailers.
  seeds.push_back(SeedBuilder(f::kConfigManualWindow, 0)
                      .settings({{0x4, 10}})
                      .settings_ack()
                      .chunk()
                      .action(ClientAction::request, 0x7E)
                      .action(ClientAction::drain, kAll)
                      .window_update(1, 5000)
                      .window_update(0, 5000)
                      .headers(1, kEarlyHints, false)
                      .headers(1, kOkLength, false)
                      .data(1, "hello", false)
                      .headers(1, kTrailers, true)
                      .chunk()
                      .action(ClientAction::consume, 0x80)
                      .action(ClientAction::drain, kAll)
                      .bytes());
  // Pushes: one accepted and answered, one refused; the server goes away.
  seeds.push_back(SeedBuilder(f::kConfigPush | f::kConfigAuto, 0)
                      .action(ClientAction::drain, kAll)
                      .settings_ack()
                      .push_promise(1, 2, kPushRequest)
                      .push_promise(1, 4, kPushRequest)
                      .headers(1, kOk, false)
                      .headers(2, kOkLength, false)
                      .data(2, "body!", true)
                      .data(1, "page", true)
                      .chunk()
                      .action(ClientAction::refuse_pushes, 0)
                      .action(ClientAction::drain, kAll)
                      .goaway(3, 0)
                      .chunk()
                      .action(ClientAction::request, 0x00)
                      .action(ClientAction::drain, kAll)
                      .bytes());
  // A streamed body with trailers, pings both ways, a settings change, the server resets.
  seeds.push_back(SeedBuilder(0, 0)
                      .settings({{0x5, 32768}, {0x1, 0}, {0x3, 10}})
                      .settings_ack()
                      .chunk()
                      .action(ClientAction::request, 0x02)
                      .action(ClientAction::data, 0x20)
                      .action(ClientAction::send_body, 0x10)
                      .action(ClientAction::ping, 7)
                      .action(ClientAction::drain, kAll)
                      .ping(false)
                      .ping(true)
                      .rst_stream(1, 2)
                      .chunk()
                      .action(ClientAction::request, 0x83)
                      .action(ClientAction::trailers, 0)
                      .action(ClientAction::drain, kAll)
                      .bytes());
  // Responses in 5-octet pieces, a HEAD, a CONTINUATION, time passing without our SETTINGS acknowledged.
  seeds.push_back(SeedBuilder(f::kConfigAuto, 0)
                      .action(ClientAction::request, 0x01)
                      .action(ClientAction::drain, kAll)
                      .headers_continued(1, kOk, false)
                      .data(1, "x", true)
                      .headers(5, kOk, true)
                      .split(5)
                      .action(ClientAction::advance, 1)
                      .action(ClientAction::advance, 0xFF)
                      .action(ClientAction::drain, kAll)
                      .bytes());
  // A request with an unusual header field.
  seeds.push_back(SeedBuilder(0, 0)
                      .settings_ack()
                      .chunk()
                      .odd_header(ClientAction::odd_header, 0, "x-odd", "a\tb")
                      .action(ClientAction::drain, kAll)
                      .bytes());
  // Regression: an empty Host beside :authority went out (check_section let an empty Host differ from :authority).
  seeds.push_back(SeedBuilder(0, 0).odd_header(ClientAction::odd_header, 0, "host", "").bytes());
  return seeds;
}

std::size_t write_seeds(const fs::path& dir, const std::vector<std::vector<std::uint8_t>>& seeds) {
  fs::create_directories(dir);
  for (std::size_t i = 0; i < seeds.size(); ++i) write_file(dir / ("seed_" + std::to_string(i) + ".bin"), seeds[i]);
  return seeds.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const fs::path out = argv[1];
    const std::size_t server = write_seeds(out / "h2_server", server_seeds());
    const std::size_t client = write_seeds(out / "h2_client", client_seeds());
    std::printf("h2_fuzz_seeds: %zu h2_server seeds, %zu h2_client seeds in %s\n", server, client, out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "h2_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
