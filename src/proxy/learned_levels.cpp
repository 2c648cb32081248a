// src/proxy/learned_levels.cpp
#include "proxy/learned_levels.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace h2push::proxy {
namespace {

bool static_import(const push::Resource& r) noexcept { return r.source == "js-import" || r.source == "js-export"; }

class LevelWalk {
 public:
  LevelWalk(std::string_view page, const ChildrenOf& children_of, const push::PlanOptions& options)
      : children_of_(children_of),
        options_(options),
        known_(page, std::max<std::size_t>(4 * options.max_resources, 1)) {}

  push::detail::SiteDiscovery run(std::vector<push::Resource> level1) {
    for (push::Resource& r : level1) add(std::move(r));
    // Rounds: each follows every parent not followed yet, so a level is complete before the next is read.
    for (;;) {
      std::vector<std::size_t> round;
      for (std::size_t i = 0; i < out_.resources.size(); ++i) {
        if (!followed_[i] && followable(out_.resources[i])) round.push_back(i);
      }
      if (round.empty()) return std::move(out_);
      for (const std::size_t i : round) {
        followed_[i] = true;
        follow(push::Resource(out_.resources[i]));  // a copy: add() may grow the vector
      }
    }
  }

 private:
  static bool followable(const push::Resource& r) noexcept {
    return !r.conditional && (r.as == push::Destination::style || r.as == push::Destination::module_script);
  }

  void add(push::Resource r) {
    if (known_.add(std::move(r), out_)) followed_.push_back(false);
  }

  void follow(const push::Resource& parent) {
    const std::optional<LearnedChildren> learned = children_of_(parent.path);
    if (!learned || learned->children.empty()) return;
    const bool css = parent.as == push::Destination::style;
    if (learned->css != css) return;  // browsers refuse a sheet or module served with the other's type
    if (parent.level >= options_.max_depth) {
      out_.truncated = true;  // what it names would be deeper than allowed
      return;
    }
    ++out_.files_parsed;
    for (push::Resource child : learned->children) {
      child.level = parent.level + 1;
      child.critical = css ? (child.critical && parent.critical) : (parent.critical && static_import(child));
      add(std::move(child));
    }
  }

  const ChildrenOf& children_of_;
  const push::PlanOptions& options_;
  push::detail::SiteDiscovery out_;
  push::detail::DiscoveredSet known_;  // what out_.resources holds
  std::vector<bool> followed_;
};

}  // namespace

push::detail::SiteDiscovery walk_levels(std::string_view page, std::vector<push::Resource> level1,
                                        const ChildrenOf& children_of, const push::PlanOptions& options) {
  return LevelWalk(page, children_of, options).run(std::move(level1));
}

}  // namespace h2push::proxy
