// src/cli/discover.cpp: `h2push discover`. The planner and its SiteSource are the ones `serve` uses
// (src/push/site_plan.hpp, src/server/site_source.hpp), so what is printed is what the server pushes or hints, in
// that order, before any per-client choice (cache digest, limits).
#include "cli/discover.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "push/site_plan.hpp"
#include "server/config.hpp"
#include "server/demo_site.hpp"
#include "server/push_manifest.hpp"
#include "server/safe_path.hpp"
#include "server/site_source.hpp"
#include "server/static_files.hpp"

namespace h2push::cli {
namespace {

namespace fs = std::filesystem;

struct Setup {
  fs::path root;
  fs::path temporary;  // the extracted demo site's directory, removed at the end
  std::vector<std::string> pages;
  server::StaticOptions files;
  push::Manifest manifest;
};

bool is_html(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".html" || ext == ".htm";
}

// Every *.html below `root` as a request path, sorted; hidden files and directories skipped, as the server hides
// them.
std::vector<std::string> html_pages(const fs::path& root, std::error_code& ec) {
  std::vector<std::string> pages;
  fs::recursive_directory_iterator it(root, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || !is_html(it->path())) continue;
    pages.push_back("/" + server::encode_path(it->path().lexically_relative(root).generic_string()));
  }
  std::sort(pages.begin(), pages.end());
  return pages;
}

// Root, pages, static options and manifest from the flags; an error message and exit code otherwise.
std::optional<Setup> set_up(const DiscoverFlags& flags, std::FILE* err, int& code) {
  Setup setup;
  server::PushConfig push;
  std::vector<std::string> index = {"index.html"};
  fs::path root;
  code = 1;
  if (!flags.config.empty()) {
    auto config = server::load_config_file(flags.config);
    if (!config) {
      std::fprintf(err, "h2push: %s\n", config.error().to_string().c_str());
      code = 2;
      return std::nullopt;
    }
    push = config->push;
    index = config->static_files.index;
    root = config->server.root;
  }
  if (!flags.manifest.empty()) push.manifest = flags.manifest;
  auto manifest = server::load_push_manifest(push);
  if (!manifest) {
    std::fprintf(err, "h2push: %s\n", manifest.error().c_str());
    return std::nullopt;
  }
  setup.manifest = std::move(*manifest);

  std::error_code ec;
  fs::path target(flags.target);
  if (target.empty() && !root.empty()) target = root;
  if (target.empty()) {  // the built-in demo site, as `serve` without a directory unpacks it
    setup.temporary = fs::temp_directory_path(ec) /
                      ("h2push-discover-" + std::to_string(::getuid()) + "-" + std::to_string(::getpid()));
    auto extracted = server::extract_demo_site(setup.temporary / "demo");
    if (!extracted) {
      std::fprintf(err, "h2push: cannot unpack the demo site: %s\n", extracted.error().c_str());
      fs::remove_all(setup.temporary, ec);
      return std::nullopt;
    }
    target = *extracted;
    setup.files.default_type = "text/plain; charset=utf-8";  // as `serve` gives the demo's /hello
  }
  if (fs::is_directory(target, ec)) {
    setup.root = target;
    setup.pages = flags.page.empty() ? html_pages(target, ec) : std::vector<std::string>{flags.page};
  } else if (fs::is_regular_file(target, ec)) {
    if (!flags.page.empty()) {
      std::fprintf(err, "h2push: discover: --page needs a directory, not a file\n");
      code = 2;
      return std::nullopt;
    }
    setup.root = target.has_parent_path() ? target.parent_path() : fs::path(".");
    setup.pages = {"/" + server::encode_path(target.filename().string())};
  } else {
    std::fprintf(err, "h2push: discover: %s: no such file or directory\n", flags.target.c_str());
    return std::nullopt;
  }
  if (ec) {
    std::fprintf(err, "h2push: discover: %s: %s\n", flags.target.c_str(), ec.message().c_str());
    return std::nullopt;
  }
  setup.files.root = setup.root.string();
  setup.files.index = index.empty() ? std::string() : index.front();
  return setup;
}

std::string flags_of(const push::PlannedResource& r) {
  std::string out;
  const auto add = [&](bool set, const char* name) {
    if (!set) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  add(r.resource.critical, "critical");
  add(r.resource.crossorigin, "crossorigin");
  add(r.nopush, "nopush");
  return out.empty() ? "-" : out;
}

std::uint64_t total_bytes(const push::PagePlan& plan) {
  std::uint64_t total = 0;
  for (const push::PlannedResource& r : plan.resources) total += r.stat.size;
  return total;
}

void print_text(const push::PagePlan& plan, std::FILE* out) {
  std::fprintf(out,
               "%s: %zu resources, %llu bytes; %zu files parsed (%zu bytes); left out: %zu conditional, %zu "
               "unservable%s\n",
               plan.page.c_str(), plan.resources.size(), static_cast<unsigned long long>(total_bytes(plan)),
               plan.files_parsed, plan.bytes_parsed, plan.conditional, plan.unservable,
               plan.truncated ? "; TRUNCATED by a budget" : "");
  if (plan.resources.empty()) return;
  std::fprintf(out, "  %3s %5s  %-13s %3s  %-27s %10s  %-17s %s\n", "#", "level", "as", "u", "flags", "bytes", "source",
               "path");
  std::size_t rank = 0;
  for (const push::PlannedResource& r : plan.resources) {
    std::fprintf(out, "  %3zu %5d  %-13s %3d  %-27s %10llu  %-17s %s\n", ++rank, r.resource.level,
                 std::string(push::to_string(r.resource.as)).c_str(), r.urgency, flags_of(r).c_str(),
                 static_cast<unsigned long long>(r.stat.size), r.resource.source.c_str(), r.resource.path.c_str());
  }
}

nlohmann::json to_json(const push::PagePlan& plan) {
  nlohmann::json resources = nlohmann::json::array();
  for (const push::PlannedResource& r : plan.resources) {
    resources.push_back({{"path", r.resource.path},
                         {"as", push::to_string(r.resource.as)},
                         {"level", r.resource.level},
                         {"critical", r.resource.critical},
                         {"crossorigin", r.resource.crossorigin},
                         {"nopush", r.nopush},
                         {"urgency", r.urgency},
                         {"size", r.stat.size},
                         {"version", r.stat.version},
                         {"media_type", r.stat.media_type},
                         {"source", r.resource.source}});
  }
  return {{"page", plan.page},
          {"resources", std::move(resources)},
          {"total_bytes", total_bytes(plan)},
          {"files_parsed", plan.files_parsed},
          {"bytes_parsed", plan.bytes_parsed},
          {"conditional", plan.conditional},
          {"unservable", plan.unservable},
          {"truncated", plan.truncated}};
}

int discover_pages(Setup& setup, bool json, std::FILE* out, std::FILE* err) {
  auto files = std::make_shared<server::StaticFiles>(setup.files);
  if (!files->ready()) {
    std::fprintf(err, "h2push: discover: %s\n", files->error().c_str());
    return 1;
  }
  push::SitePlanner planner(std::make_shared<server::StaticSiteSource>(files), push::PlanOptions{},
                            std::move(setup.manifest));
  nlohmann::json pages = nlohmann::json::array();
  std::size_t planned = 0;
  std::size_t resources = 0;
  int status = 0;
  for (const std::string& page : setup.pages) {
    const auto plan = planner.plan(page);
    if (!plan) {
      std::fprintf(err, "h2push: discover: %s is not servable HTML below %s\n", page.c_str(),
                   setup.root.string().c_str());
      status = 1;
      continue;
    }
    ++planned;
    resources += plan->resources.size();
    if (json) {
      pages.push_back(to_json(*plan));
    } else {
      print_text(*plan, out);
      std::fputc('\n', out);
    }
  }
  if (json) {
    const nlohmann::json doc = {{"root", setup.root.string()}, {"pages", std::move(pages)}};
    std::fprintf(out, "%s\n", doc.dump(2).c_str());
  } else {
    std::fprintf(out, "%zu page%s, %zu resources planned\n", planned, planned == 1 ? "" : "s", resources);
  }
  return status;
}

}  // namespace

CLI::App* add_discover_command(CLI::App& app, DiscoverFlags& flags) {
  CLI::App* cmd = app.add_subcommand(
      "discover", "Print what each HTML page needs, all levels deep, ranked as `serve` pushes and hints it");
  cmd->add_option("DIR|FILE", flags.target,
                  "A site's directory (every *.html in it) or one HTML file (default: the configuration's "
                  "server.root, else the built-in demo site)");
  cmd->add_option("--page", flags.page, "With a directory: only this page's path (\"/\", \"/blog/post.html\")");
  cmd->add_flag("--json", flags.json, "Print one JSON document");
  cmd->add_option("--config", flags.config, "Configuration file: its push.manifest, [[push.link]] and static.index");
  cmd->add_option("--manifest", flags.manifest, "Push manifest (TOML), replacing the configuration's");
  return cmd;
}

int run_discover(const DiscoverFlags& flags, std::FILE* out, std::FILE* err) {
  int code = 1;
  auto setup = set_up(flags, err, code);
  if (!setup) return code;
  const int status = discover_pages(*setup, flags.json, out, err);
  std::error_code ec;
  if (!setup->temporary.empty()) fs::remove_all(setup->temporary, ec);
  return status;
}

}  // namespace h2push::cli
