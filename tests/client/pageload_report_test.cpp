// tests/client/pageload_report_test.cpp: summaries, the ideal, the JSON the issue specifies, text and waterfall.
#include "client/pageload_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace h2push::client {
namespace {

LoadResult run(double load_ms, int round_trips = 3, std::uint64_t requests = 5) {
  LoadResult r;
  r.ok = true;
  r.load_ms = load_ms;
  r.ttfb_ms = load_ms / 4;
  r.round_trips = round_trips;
  r.requests = requests;
  r.bytes = 1000;
  r.resources.push_back({"/", 0, Arrival::requested, 0, r.ttfb_ms, r.ttfb_ms + 1, 500, 200, true});
  r.resources.push_back({"/a.css", 1, Arrival::pushed, 1, r.ttfb_ms, load_ms, 500, 200, true});
  return r;
}

TEST(PageloadReport, SummaryTakesMedianQuartilesAndExtremesOfSuccessfulRuns) {
  std::vector<LoadResult> runs = {run(400), run(100), run(300), run(200)};
  LoadResult failed;
  failed.error = "connection refused";
  runs.push_back(failed);
  const ModeSummary s = summarize("h2", runs, 100);
  EXPECT_EQ(s.mode, "h2");
  EXPECT_EQ(s.runs, 5u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_DOUBLE_EQ(s.median_ms, 250);  // even count: between 200 and 300
  EXPECT_DOUBLE_EQ(s.min_ms, 100);
  EXPECT_DOUBLE_EQ(s.max_ms, 400);
  EXPECT_DOUBLE_EQ(s.p25_ms, 175);
  EXPECT_DOUBLE_EQ(s.p75_ms, 325);
  EXPECT_DOUBLE_EQ(s.ratio_to_ideal, 2.5);
  ASSERT_TRUE(s.typical.has_value());
  EXPECT_TRUE(s.typical->load_ms == 200 || s.typical->load_ms == 300);
}

TEST(PageloadReport, SummaryOfOddRunsUsesTheMiddleRunAsTypical) {
  const ModeSummary s = summarize("push", {run(90, 2, 1), run(50, 1, 1), run(70, 2, 3)}, 0);
  EXPECT_DOUBLE_EQ(s.median_ms, 70);
  EXPECT_EQ(s.round_trips, 2);
  EXPECT_EQ(s.requests, 1u);
  EXPECT_DOUBLE_EQ(s.ratio_to_ideal, 0);  // unknown ideal
  ASSERT_TRUE(s.typical.has_value());
  EXPECT_DOUBLE_EQ(s.typical->load_ms, 70);
}

TEST(PageloadReport, AllFailedGivesNoTypicalRun) {
  LoadResult failed;
  const ModeSummary s = summarize("h1", {failed, failed}, 10);
  EXPECT_EQ(s.failed, 2u);
  EXPECT_FALSE(s.typical.has_value());
  EXPECT_DOUBLE_EQ(s.median_ms, 0);
}

TEST(PageloadReport, IdealCountsHandshakesOneRoundTripThinkTimeAndTransfer) {
  NetworkProfile net{100, 10e6, 2};  // TCP + TLS 1.3
  // 3 round trips (2 handshake + 1 exchange) = 300 ms; 125,000 octets at 10 Mbit/s = 100 ms; think 200 ms.
  EXPECT_DOUBLE_EQ(ideal_ms(net, 125'000, 200), 600);
  net.bandwidth_bps = 0;  // unlimited
  EXPECT_DOUBLE_EQ(ideal_ms(net, 125'000, 0), 300);
}

Report sample_report() {
  Report report;
  report.url = "https://localhost:8443/<x>";
  report.network = {100, 10e6, 2};
  report.think_time_ms = 200;
  report.ideal_ms = 500;
  report.modes.push_back(summarize("h2", {run(900), run(1000)}, report.ideal_ms));
  LoadResult pushed = run(600);
  pushed.pushed_bytes_used = 500;
  pushed.pushed_bytes_wasted = 300;
  pushed.resources[1].used = false;
  report.modes.push_back(summarize("push", {pushed}, report.ideal_ms));
  return report;
}

TEST(PageloadReport, JsonHasTheKeysTheIssueNames) {
  const nlohmann::json j = report_json(sample_report());
  EXPECT_DOUBLE_EQ(j.at("ideal_ms").get<double>(), 500);
  ASSERT_TRUE(j.at("modes").contains("h2"));
  ASSERT_TRUE(j.at("modes").contains("push"));
  for (const char* key : {"median_ms", "min_ms", "max_ms", "requests", "bytes", "pushed_bytes_used",
                          "pushed_bytes_wasted", "round_trips"}) {
    EXPECT_TRUE(j.at("modes").at("h2").contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(j["modes"]["h2"]["median_ms"].get<double>(), 950);
  EXPECT_EQ(j["modes"]["push"]["pushed_bytes_wasted"].get<std::uint64_t>(), 300u);
  EXPECT_DOUBLE_EQ(j["modes"]["push"]["ratio_to_ideal"].get<double>(), 1.2);
}

TEST(PageloadReport, TextHasARowPerModeAndTheIdeal) {
  const std::string text = report_text(sample_report());
  EXPECT_NE(text.find("\nh2 "), std::string::npos) << text;
  EXPECT_NE(text.find("\npush "), std::string::npos) << text;
  EXPECT_NE(text.find("950ms"), std::string::npos) << text;
  EXPECT_NE(text.find("ideal: 500 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("think time 200 ms"), std::string::npos) << text;
}

TEST(PageloadReport, WaterfallIsSelfContainedEscapedAndColouredByArrival) {
  const std::string html = waterfall_html(sample_report());
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("<x>"), std::string::npos);  // the URL is escaped
  EXPECT_NE(html.find("&lt;x&gt;"), std::string::npos);
  EXPECT_NE(html.find("<h2>h2: median 950 ms</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>push: median 600 ms</h2>"), std::string::npos);
  EXPECT_NE(html.find("class=\"bar pushed wasted\""), std::string::npos);
  EXPECT_NE(html.find("class=\"bar requested\""), std::string::npos);
}

}  // namespace
}  // namespace h2push::client
