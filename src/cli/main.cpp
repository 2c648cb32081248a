// h2push command line: a thin CLI11 front end over the library.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "h2push/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "h2push: an HTTP/2 server, client and library that gets a page's resources to the client before it asks.\n"
      "Today: the HPACK codec (library). The server, client and page-load lab arrive with the next issues.",
      "h2push"};
  app.set_version_flag("--version", std::string("h2push ") + std::string(h2push::version()));
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2
  }
  std::puts(app.help().c_str());
  return 0;
}
