// src/cli/relay.hpp: `h2push relay`, the shaping relay on the command line (docs/network-emulation.md).
#pragma once

#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

namespace h2push::cli {

class RelayCommand {
 public:
  // Registers the subcommand and its flags on `app`.
  explicit RelayCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // Checks the values, then relays until SIGINT/SIGTERM; returns the exit code (0, 1 runtime, 2 usage).
  int run() const;

 private:
  CLI::App* command_ = nullptr;
  std::string listen_ = "127.0.0.1:0";
  std::string to_;
  std::string rtt_ = "0ms";
  std::string bw_ = "unlimited";
  std::string bw_up_;
  std::size_t max_queue_ = 8u << 20;
  bool no_slow_start_ = false;
  bool no_handshake_rtt_ = false;
  bool bw_per_connection_ = false;
};

}  // namespace h2push::cli
