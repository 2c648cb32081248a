// tests/proxy/page_capture_test.cpp: the bounded copy of a streaming page that tells when its head has passed
// (src/proxy/page_capture.hpp).
#include "proxy/page_capture.hpp"

#include <gtest/gtest.h>

namespace h2push::proxy {
namespace {

TEST(PageCapture, TellsOnceWhenTheHeadEndsEvenAcrossChunks) {
  PageCapture c(1024);
  EXPECT_FALSE(c.append("<html><head><title>t</title></HE"));
  EXPECT_FALSE(c.head_seen());
  EXPECT_TRUE(c.append("AD><body>hello"));
  EXPECT_TRUE(c.head_seen());
  EXPECT_EQ(c.head(), "<html><head><title>t</title>");
  EXPECT_FALSE(c.append("</body></html>"));
  EXPECT_TRUE(c.complete());
  EXPECT_EQ(c.text(), "<html><head><title>t</title></HEAD><body>hello</body></html>");
}

TEST(PageCapture, AMarkerAtTheVeryEndOfAChunkWaitsForTheNextOctet) {
  PageCapture c(1024);
  EXPECT_FALSE(c.append("<link rel=stylesheet href=a.css></head"));
  EXPECT_FALSE(c.head_seen());
  EXPECT_FALSE(c.append("er>"));  // "</header>" is not the end of the head
  EXPECT_FALSE(c.head_seen());
  EXPECT_TRUE(c.append("<body class=x>"));
  EXPECT_EQ(c.head(), "<link rel=stylesheet href=a.css></header>");
}

TEST(PageCapture, APageWithoutHeadEndTagEndsItsHeadAtBody) {
  PageCapture c(1024);
  EXPECT_TRUE(c.append("<!doctype html><link rel=stylesheet href=a.css><BODY>"));
  EXPECT_EQ(c.head(), "<!doctype html><link rel=stylesheet href=a.css>");
}

TEST(PageCapture, PastTheCapOnlyTheHeadIsKept) {
  PageCapture c(40);
  EXPECT_TRUE(c.append("<head><link href=a.css></head><body>"));
  EXPECT_FALSE(c.append("0123456789"));
  EXPECT_FALSE(c.complete());
  EXPECT_EQ(c.text(), "<head><link href=a.css>");
  EXPECT_EQ(c.head(), "<head><link href=a.css>");
  EXPECT_FALSE(c.append("more"));
  EXPECT_EQ(c.text(), "<head><link href=a.css>");
}

TEST(PageCapture, AHeadBeyondTheCapIsNotSeen) {
  PageCapture c(16);
  EXPECT_FALSE(c.append("<head><title>a long title</title></head>"));
  EXPECT_FALSE(c.head_seen());
  EXPECT_FALSE(c.complete());
  EXPECT_TRUE(c.text().empty());
}

}  // namespace
}  // namespace h2push::proxy
