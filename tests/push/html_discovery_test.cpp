// tests/push/html_discovery_test.cpp: level-1 discovery over hand-written pages that mimic real sites, and over
// the built-in demo site.
#include "push/html_discovery.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace h2push::push {
namespace {

// "path as [critical] [crossorigin] [conditional] source", so that a whole list reads as one table.
std::string describe(const Resource& r) {
  std::string s = r.path + " " + std::string{to_string(r.as)};
  if (r.critical) s += " critical";
  if (r.crossorigin) s += " crossorigin";
  if (r.conditional) s += " conditional";
  if (r.level != 1) s += " level=" + std::to_string(r.level);
  return s + " " + r.source;
}

std::vector<std::string> describe(const std::vector<Resource>& resources) {
  std::vector<std::string> out;
  for (const Resource& r : resources) out.push_back(describe(r));
  return out;
}

HtmlDiscovery discover(std::string_view html, std::string_view page, const HtmlOptions& options = {}) {
  auto result = discover_html(html, page, options);
  EXPECT_TRUE(result);
  return result ? std::move(*result) : HtmlDiscovery{};
}

using Lines = std::vector<std::string>;

TEST(HtmlDiscoveryTest, FindsTheAssetsOfABlogPostInASubdirectory) {
  constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<HTML LANG=en>
<HEAD>
<META CHARSET=utf-8>
<TITLE>A post</TITLE>
<LINK REL="Stylesheet" HREF="../../assets/site.css?v=3#top">
<link rel="stylesheet" href="print.css" media="print">
<link rel="stylesheet" href="wide.css" media="screen and (min-width: 1200px)">
<link rel="alternate stylesheet" href="/assets/contrast.css" title="High contrast">
<link rel=stylesheet href=/assets/disabled.css disabled>
<link rel="preload" href="/fonts/Inter.woff2" as="font" type="font/woff2">
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter&display=swap">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="canonical" href="https://www.example.com/blog/2024/post.html">
<link rel="shortcut icon" href="/favicon.ico">
<link rel="apple-touch-icon" sizes="180x180" href="/apple-touch-icon.png">
<SCRIPT SRC="/assets/vendor.js"></SCRIPT>
<script src="https://cdn.jsdelivr.net/npm/lib@1/lib.min.js" integrity="sha384-x" crossorigin="anonymous"></script>
<script async src="//www.googletagmanager.com/gtag/js?id=G-1"></script>
<script defer src="comments.js"></script>
<script type="application/ld+json">{"@context": "https://schema.org", "image": "/img/schema.png"}</script>
</HEAD>
<BODY>
<IMG SRC="images/hero.jpg" ALT="">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<img src="images/hero.jpg#again">
<p>An unclosed paragraph <img src=images/inline%20shot.png>
<script src="/assets/vendor.js"></script>
<a href="next.html">Next</a> <a href="mailto:me@example.com">Mail</a>
<script src="/assets/late.js"></script>
</BODY>
</HTML>)html";
  const HtmlDiscovery d = discover(kPage, "https://www.example.com/blog/2024/post.html");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/assets/site.css?v=3 style critical link",
                                       "/blog/2024/print.css style link",
                                       "/blog/2024/wide.css style link",
                                       "/fonts/Inter.woff2 font crossorigin link",
                                       "/favicon.ico image link",
                                       "/apple-touch-icon.png image conditional link",
                                       "/assets/vendor.js script critical script",
                                       "/blog/2024/comments.js script script",
                                       "/blog/2024/images/hero.jpg image img",
                                       "/blog/2024/images/inline%20shot.png image img",
                                       "/assets/late.js script script",
                                   }));
  EXPECT_EQ(d.skipped_cross_origin, 3u);  // Google Fonts CSS, jsDelivr, the tag manager
  EXPECT_EQ(d.skipped_unsupported, 1u);   // the data: pixel
  EXPECT_TRUE(d.inline_blocks.empty());
  EXPECT_FALSE(d.truncated);
  EXPECT_EQ(d.base.target(), "/blog/2024/post.html");
}

TEST(HtmlDiscoveryTest, FollowsBaseHrefSrcsetPictureAndPreloads) {
  constexpr std::string_view kPage = R"html(<!doctype html>
<html><head>
<base target="_blank">
<base href="/static/v2/">
<base href="/ignored/">
<link rel=stylesheet href="css/app.css">
<link rel=modulepreload href="js/vendor.mjs">
<script type=module src="js/main.mjs"></script>
<script nomodule src="js/legacy.js"></script>
<link rel=preload as=image href="img/banner-800.jpg"
      imagesrcset="img/banner-400.jpg 400w, img/banner-800.jpg 800w" imagesizes="100vw">
<link rel=preload href="data/products.json" as=fetch crossorigin>
<link rel=preload href="js/no-as.js">
<link rel=preload href="media/intro.mp4" as=video>
<link rel=preload href="css/narrow.css" as=style media="(max-width: 600px)">
</head><body>
<img srcset="img/logo.png 1x, img/logo@2x.png 2x" alt=logo>
<img srcset="img/w-320.jpg 320w, img/w-640.jpg 640w" sizes="50vw" alt=no-src>
<img src="img/lazy.jpg" loading=lazy alt="">
<picture>
  <source type="image/avif" srcset="img/p.avif">
  <source type="image/webp" srcset="img/p.webp 1x, img/p@2x.webp 2x">
  <img src="img/p.jpg" alt="">
</picture>
<picture>
  <source media="(min-width: 800px)" srcset="img/wide.jpg">
  <img src="img/narrow.jpg" alt="">
</picture>
<video poster="img/poster.jpg" src="video/intro.mp4"><source src="video/intro.webm"></video>
<img src="https://cdn.example.net/x.png" alt="">
<img srcset="img/comma,1.png 1x, img/comma,2.png 2x" alt="commas inside URLs">
</body></html>)html";
  const HtmlDiscovery d = discover(kPage, "/shop/index.html");
  EXPECT_EQ(d.base.target(), "/static/v2/");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/static/v2/css/app.css style critical link",
                                       "/static/v2/js/vendor.mjs module_script crossorigin link",
                                       "/static/v2/js/main.mjs module_script crossorigin script",
                                       "/static/v2/img/banner-800.jpg image link",
                                       "/static/v2/img/banner-400.jpg image conditional link",
                                       "/static/v2/data/products.json fetch crossorigin link",
                                       "/static/v2/css/narrow.css style conditional link",
                                       "/static/v2/img/logo.png image img",
                                       "/static/v2/img/logo@2x.png image conditional img",
                                       "/static/v2/img/w-320.jpg image img",
                                       "/static/v2/img/w-640.jpg image conditional img",
                                       "/static/v2/img/lazy.jpg image conditional img",
                                       "/static/v2/img/p.avif image conditional source",
                                       "/static/v2/img/p.webp image conditional source",
                                       "/static/v2/img/p@2x.webp image conditional source",
                                       "/static/v2/img/p.jpg image conditional img",
                                       "/static/v2/img/wide.jpg image conditional source",
                                       "/static/v2/img/narrow.jpg image img",
                                       "/static/v2/img/poster.jpg image video",
                                       "/static/v2/img/comma,1.png image img",
                                       "/static/v2/img/comma,2.png image conditional img",
                                   }));
  EXPECT_EQ(d.skipped_cross_origin, 1u);
}

TEST(HtmlDiscoveryTest, MergesDuplicatesAndReturnsInlineCss) {
  constexpr std::string_view kPage = R"html(<html><head>
<link rel=preload href="/css/main.css" as=style>
<style>
  @import url("/css/reset.css");
  body { background: url(img/bg.png) }
</style>
<noscript><link rel=stylesheet href="/css/noscript.css"></noscript>
<link rel=stylesheet href="/css/main.css">
<script src="/js/a.js" async></script>
<script src="/js/a.js"></script>
</head><body>
<div style="background-image: url('/img/div.png')">x</div>
<p style="color: red">no url here</p>
<template><img src="/img/template.png"><link rel=stylesheet href="/css/template.css"></template>
<noscript><img src="/img/tracking.gif"></noscript>
<script type=module>import { x } from "./js/inline-dep.js"; x();</script>
<script>document.write('<img src="/img/written.png">');</script>
<img src="/img/eager-later.png" loading=lazy>
<img src="/img/eager-later.png" alt="the same image, eager this time">
<svg viewBox="0 0 1 1"><style>.a { fill: url(#g) }</style><script href="/svg.js"></script><image href="/i.png"/></svg>
<style type="text/x-template">{{ not css }}</style>
</body></html>)html";
  const HtmlDiscovery d = discover(kPage, "https://example.org/");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/css/main.css style critical link",  // the preload, made critical
                                       "/js/a.js script critical script",    // async first, then sync in head
                                       "/img/eager-later.png image img",     // lazy first, then eager
                                   }));
  using Kind = InlineBlock::Kind;
  EXPECT_EQ(
      d.inline_blocks,
      (std::vector<InlineBlock>{
          {Kind::style_element, "\n  @import url(\"/css/reset.css\");\n  body { background: url(img/bg.png) }\n", 1},
          {Kind::style_attribute, "background-image: url('/img/div.png')", 2},
          {Kind::module_script, R"html(import { x } from "./js/inline-dep.js"; x();)html", 2},
          {Kind::style_element, ".a { fill: url(#g) }", 3},
      }));
  EXPECT_EQ(d.base.target(), "/");
}

TEST(HtmlDiscoveryTest, ReadsWhatGumboRepairs) {
  // No <head> or <body> tags, upper-case names, unquoted and duplicated attributes, content after </html> and an
  // unclosed script: Gumbo builds the tree a browser builds.
  constexpr std::string_view kPage = R"html(<title>No head tag</title>
<LINK rel="STYLESHEET" href=style.css>
<Script SRC=head.js></Script>
<p>Text<IMG SRC=one.png SRC=two.png>
<table><tr><td><img src=cell.png></table>
<LINK REL=stylesheet HREF=body.css>
<div><div><span><img src="deep.png"></div>
</html>
<img src=after-html.png>
<script src=unclosed.js>)html";
  const HtmlDiscovery d = discover(kPage, "/docs/guide/");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/docs/guide/style.css style critical link",
                                       "/docs/guide/head.js script critical script",
                                       "/docs/guide/one.png image img",
                                       "/docs/guide/cell.png image img",
                                       "/docs/guide/body.css style critical link",
                                       "/docs/guide/deep.png image img",
                                       "/docs/guide/after-html.png image img",
                                       "/docs/guide/unclosed.js script script",
                                   }));
}

TEST(HtmlDiscoveryTest, SkipsWhatBrowsersDoNotFetch) {
  constexpr std::string_view kPage = R"html(<!doctype html><html><head>
<link rel=stylesheet href="a.less" type="text/less">
<link rel=stylesheet href="b.css" type="text/css; charset=utf-8">
<link rel=icon href="">
<link rel=stylesheet href="  ">
<link rel=stylesheet>
<link href="no-rel.css">
<link rel=prefetch href="next.js">
<link rel=manifest href="site.webmanifest">
<script type="text/template" src="tpl.html"></script>
<script type="importmap">{"imports": {"a": "/a.js"}}</script>
<script type="TEXT/JavaScript" src="upper-type.js"></script>
<script language="javascript" src="language.js"></script>
<script language="vbscript" src="vb.vbs"></script>
<script type="module" blocking="render" src="blocking.mjs"></script>
<script src="crossorigin.js" crossorigin="use-credentials" defer></script>
<link rel=stylesheet href="print-blocking.css" media=print blocking=render>
<link rel="icon shortcut" href="javascript:void(0)">
</head><body>
<img src="   ">
<img src="mailto:x@example.com">
<img srcset="bad.png 1q, good.png 2x" alt="an invalid descriptor drops its candidate">
<iframe src="frame.html"></iframe>
<audio src="sound.mp3"></audio>
<object data="movie.swf"></object>
<input type=image src="button.png">
</body></html>)html";
  const HtmlDiscovery d = discover(kPage, "/");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/b.css style critical link",
                                       "/upper-type.js script critical script",
                                       "/language.js script critical script",
                                       "/blocking.mjs module_script critical crossorigin script",
                                       "/crossorigin.js script crossorigin script",
                                       "/print-blocking.css style critical link",
                                       "/good.png image img",
                                   }));
  EXPECT_EQ(d.skipped_unsupported, 2u);  // javascript: and mailto:
}

TEST(HtmlDiscoveryTest, RelativeReferencesFollowACrossOriginBase) {
  constexpr std::string_view kPage = R"html(<head>
<link rel=stylesheet href="before-base.css">
<base href="https://cdn.example.net/assets/">
<link rel=stylesheet href="app.css">
<link rel=stylesheet href="/root.css">
<link rel=stylesheet href="https://example.com/own.css">
<style>body { background: url(bg.png) }</style>
</head>)html";
  const HtmlDiscovery d = discover(kPage, "https://example.com/index.html");
  // The first <base> applies to the whole document, even to what precedes it (HTML's document base URL).
  EXPECT_EQ(describe(d.resources), (Lines{"/own.css style critical link"}));
  EXPECT_EQ(d.skipped_cross_origin, 3u);
  EXPECT_EQ(d.base, (Url{"https", "cdn.example.net", "/assets/", std::nullopt}));
  ASSERT_EQ(d.inline_blocks.size(), 1u);
  // The lead resolves the block's url() against d.base and judges it by the page's origin.
  EXPECT_FALSE(resolve_path(*parse_url("https://example.com/index.html"), d.base, "bg.png"));
}

TEST(HtmlDiscoveryTest, FallsBackToThePageUrlForAnUnusableBase) {
  const HtmlDiscovery js =
      discover(R"html(<base href="javascript:alert(1)"><link rel=stylesheet href="a.css">)html", "/x/y");
  EXPECT_EQ(describe(js.resources), (Lines{"/x/a.css style critical link"}));
  EXPECT_EQ(js.base.target(), "/x/y");
  const HtmlDiscovery empty = discover(R"html(<base href=""><link rel=stylesheet href="a.css">)html", "/x/y?q");
  EXPECT_EQ(empty.base.target(), "/x/y?q");
  EXPECT_EQ(describe(empty.resources), (Lines{"/x/a.css style critical link"}));
  const HtmlDiscovery in_template =
      discover(R"html(<template><base href="/t/"></template><link rel=stylesheet href="a.css">)html", "/x/y");
  EXPECT_EQ(describe(in_template.resources), (Lines{"/x/a.css style critical link"}));
}

TEST(HtmlDiscoveryTest, AppliesItsLimits) {
  std::string page = "<!doctype html><title>many</title>";
  for (int i = 0; i < 10; ++i)
    page += "<img src=\"/img/" + std::to_string(i) + ".png\"><p style=\"background: url(x)\">";
  HtmlOptions options;
  options.max_resources = 3;
  options.max_inline_blocks = 2;
  const HtmlDiscovery d = discover(page, "/", options);
  EXPECT_EQ(describe(d.resources), (Lines{"/img/0.png image img", "/img/1.png image img", "/img/2.png image img"}));
  EXPECT_EQ(d.inline_blocks.size(), 2u);
  EXPECT_TRUE(d.truncated);

  options = {};
  options.max_inline_bytes = 30;
  const HtmlDiscovery bytes = discover(page, "/", options);
  EXPECT_EQ(bytes.inline_blocks.size(), 1u);  // 18 bytes each
  EXPECT_TRUE(bytes.truncated);

  options = {};
  options.max_srcset_candidates = 2;
  const HtmlDiscovery srcset = discover(R"html(<img srcset="a.png 1x, b.png 2x, c.png 3x">)html", "/", options);
  EXPECT_EQ(describe(srcset.resources), (Lines{"/a.png image img", "/b.png image conditional img"}));

  options = {};
  options.max_document_bytes = 10;
  EXPECT_EQ(discover_html("<html><body>too long</body></html>", "/", options).error(), HtmlError::html_too_large);
}

TEST(HtmlDiscoveryTest, RejectsABadPageUrl) {
  EXPECT_EQ(discover_html("<p>", "relative/page.html").error(), HtmlError::bad_page_url);
  EXPECT_EQ(discover_html("<p>", "ftp://example.com/").error(), HtmlError::bad_page_url);
}

TEST(HtmlDiscoveryTest, SurvivesEmptyAndBinaryInput) {
  EXPECT_TRUE(discover("", "/").resources.empty());
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>((i * 131 + 7) % 256));
  binary += "<img src=/after-noise.png>";
  const HtmlDiscovery d = discover(binary, "/");
  ASSERT_FALSE(d.resources.empty());
  EXPECT_EQ(d.resources.back().path, "/after-noise.png");
}

TEST(HtmlDiscoveryTest, ParsesOnlyThePrefixOfADocumentNestedTooDeeply) {
  // Gumbo's time grows with the square of the nesting depth: 20,000 open <div>s would take seconds.
  std::string deep = R"html(<head><link rel=stylesheet href="/a.css"></head><body><img src="/first.png">)html";
  for (int i = 0; i < 20000; ++i) deep += "<div class=\"x>y\">";
  deep += "<img src=/deep.png>";
  const HtmlDiscovery d = discover(deep, "/");
  EXPECT_EQ(describe(d.resources), (Lines{"/a.css style critical link", "/first.png image img"}));
  EXPECT_TRUE(d.truncated);

  HtmlOptions options;
  options.max_nesting_depth = 100;
  std::string fits;
  for (int i = 0; i < 100; ++i) fits += "<section><!-- <div><div> --><script>'<div>'</script><br><img src=a.png/>";
  fits += "<img src=/in.png>";
  const HtmlDiscovery ok = discover(fits, "/", options);
  EXPECT_FALSE(ok.truncated);
  EXPECT_EQ(ok.resources.back().path, "/in.png");
  fits.insert(0, "<div>");
  EXPECT_TRUE(discover(fits, "/", options).truncated);
}

TEST(HtmlDiscoveryTest, CountsNoDepthForElementsThatCloseThemselves) {
  // Unclosed <p>, <li> and table cells close each other; balanced elements close themselves.
  std::string flat = "<ul>";
  for (int i = 0; i < 5000; ++i) flat += "<li><p>item<table><tr><td>cell</table><div><span>x</span></div>";
  flat += "</ul><img src=/end.png>";
  const HtmlDiscovery d = discover(flat, "/");
  EXPECT_FALSE(d.truncated);
  EXPECT_EQ(describe(d.resources), (Lines{"/end.png image img"}));
}

std::string read_demo(std::string_view name) {
  std::ifstream in{std::string{H2PUSH_DEMO_SITE_DIR} + "/" + std::string{name}, std::ios::binary};
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HtmlDiscoveryTest, FindsTheFirstLevelOfTheDemoPage) {
  const HtmlDiscovery d = discover(read_demo("index.html"), "/");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/favicon.ico image link",
                                       "/css/main.css style critical link",
                                       "/css/waterfall.css style critical link",
                                       "/js/site.js script script",
                                       "/js/app.js module_script crossorigin script",
                                       "/img/logo.svg image img",
                                       "/img/hero-1200.png image img",
                                       "/img/hero-600.png image conditional img",
                                       "/img/hero-1600.png image conditional img",
                                       "/img/harbour-night.png image conditional source",
                                       "/img/harbour-day.png image img",
                                       "/img/harbour-fog.png image img",
                                       "/img/harbour-dawn.png image img",
                                   }));
  EXPECT_TRUE(d.inline_blocks.empty());
  EXPECT_EQ(d.skipped_cross_origin, 0u);
  EXPECT_EQ(d.skipped_unsupported, 0u);
  // The same page under its own name resolves the same way.
  EXPECT_EQ(discover(read_demo("index.html"), "https://localhost:8443/index.html").resources, d.resources);
}

TEST(HtmlDiscoveryTest, FindsTheFirstLevelOfTheAboutPage) {
  const HtmlDiscovery d = discover(read_demo("about.html"), "/about.html");
  EXPECT_EQ(describe(d.resources), (Lines{
                                       "/favicon.ico image link",
                                       "/css/main.css style critical link",
                                       "/js/site.js script script",
                                       "/img/logo.svg image img",
                                       "/img/layers.svg image img",
                                   }));
  EXPECT_TRUE(d.inline_blocks.empty());
}

}  // namespace
}  // namespace h2push::push
