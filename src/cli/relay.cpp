// src/cli/relay.cpp
#include "cli/relay.hpp"

#include <cstdio>

#include "client/shaping_relay.hpp"
#include "client/shaping_units.hpp"

namespace h2push::cli {

RelayCommand::RelayCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "relay", "Forward TCP to a target adding round-trip time and bandwidth limits (network emulation, no root)");
  command_->add_option("--listen", listen_, "Listen on ADDR:PORT; port 0 picks one (default 127.0.0.1:0)");
  command_->add_option("--to", to_, "Target HOST:PORT every connection is forwarded to")->required();
  command_->add_option("--rtt", rtt_, "Round-trip time added, half per direction: 100ms, 0.5s, 250us (default 0)");
  command_->add_option(
      "--bw", bw_, "Bandwidth per direction, shared by all connections: 10mbit, 512kbit, 1gbit, unlimited (default)");
  command_->add_option("--bw-up", bw_up_, "Bandwidth from client to target, when it differs from --bw");
  command_->add_option("--max-queue", max_queue_, "Octets queued per direction and connection before reading stops");
  command_->add_flag("--bw-per-connection", bw_per_connection_,
                     "Give each connection its own --bw instead of sharing it");
  command_->add_flag("--no-slow-start", no_slow_start_, "Full speed from the first octet (no TCP slow start)");
  command_->add_flag("--no-handshake-rtt", no_handshake_rtt_, "New connections cost no round trip for the handshake");
}

int RelayCommand::run() const {
  using namespace h2push::client;
  auto fail = [](const char* flag, const std::string& why) {
    std::fprintf(stderr, "h2push: relay: %s: %s\n", flag, why.c_str());
    return 2;
  };
  RelayOptions options;
  const auto listen = parse_host_port(listen_);
  if (!listen) return fail("--listen", listen.error());
  options.listen_host = listen->host;
  options.listen_port = listen->port;
  const auto target = parse_host_port(to_);
  if (!target) return fail("--to", target.error());
  if (target->port == 0) return fail("--to", "the target port cannot be 0");
  options.target_host = target->host;
  options.target_port = target->port;
  const auto rtt = parse_duration(rtt_);
  if (!rtt) return fail("--rtt", rtt.error());
  options.rtt = *rtt;
  const auto bw = parse_bandwidth(bw_);
  if (!bw) return fail("--bw", bw.error());
  options.down_bits_per_second = *bw;
  options.up_bits_per_second = *bw;
  if (!bw_up_.empty()) {
    const auto up = parse_bandwidth(bw_up_);
    if (!up) return fail("--bw-up", up.error());
    options.up_bits_per_second = *up;
  }
  if (max_queue_ < 1024) return fail("--max-queue", "at least 1024 octets");
  options.max_queued_octets = max_queue_;
  options.share_bandwidth = !bw_per_connection_;
  options.slow_start = !no_slow_start_;
  options.handshake_rtt = !no_handshake_rtt_;
  return run_relay(options, stdout);
}

}  // namespace h2push::cli
