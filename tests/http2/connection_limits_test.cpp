// tests/http2/connection_limits_test.cpp: the attack budgets of SECURITY.md §1-§5 against our server role. Every
// attack is a bounded loop of raw frames; the assertions are protocol facts (GOAWAY code and last stream id, counts
// of events and frames, bytes held), never timing. Each attack has a control: its legitimate form keeps the
// connection.
#include <gtest/gtest.h>

#include <string>

#include "connection_test_util.hpp"

namespace h2push::http2::test {
namespace {

using B = FrameBuilder;

constexpr std::int64_t kSecond = 1'000'000'000;

Harness started(Options o = server_options()) {
  Harness h(o);
  h.start();
  return h;
}

// HEADERS(END_STREAM) for GET / on each stream, each followed by RST_STREAM(CANCEL).
B reset_pairs(Harness& h, std::uint32_t first_stream, int pairs) {
  B b;
  for (int i = 0; i < pairs; ++i) {
    const auto id = static_cast<std::uint32_t>(first_stream + 2U * static_cast<std::uint32_t>(i));
    b.headers(id, h.block(get_request()), B::kEndHeaders | B::kEndStream).rst_stream(id, kCancel);
  }
  return b;
}

// ---- §1 Rapid Reset (CVE-2023-44487) and MadeYouReset (CVE-2025-8671) ---------------------------------------------

TEST(ConnectionLimitsTest, EndsRapidResetBurstWithEnhanceYourCalm) {
  // H2-10.5-01 (RFC 9113 §10.5)
  Harness h = started();
  const Texts events = h.feed(reset_pairs(h, 1, 2000));
  // The default budget is 1000 resets: the 1001st ends the connection, right after its request was reported.
  EXPECT_EQ(count_prefix(events, "RequestReceived"), 1001U);
  EXPECT_EQ(count_prefix(events, "StreamReset"), 1000U);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
  const Texts out = h.output();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), "GOAWAY 2001 ENHANCE_YOUR_CALM");
  EXPECT_EQ(count_prefix(out, "GOAWAY"), 1U);
  EXPECT_EQ(count_prefix(out, "RST_STREAM"), 0U);  // never a RST_STREAM in answer to one
}

TEST(ConnectionLimitsTest, KeepsConnectionWhenClientCancelsAFewStreams) {
  // H2-10.5-01 (RFC 9113 §10.5)
  Harness h = started();
  const Texts events = h.feed(reset_pairs(h, 1, 50));
  EXPECT_EQ(count_prefix(events, "RequestReceived"), 50U);
  EXPECT_EQ(count_prefix(events, "StreamReset"), 50U);
  expect_ignored(h, B());
  h.open_request(101, true);
}

TEST(ConnectionLimitsTest, RefillsResetBudgetWithTime) {
  // H2-10.5-01 (RFC 9113 §10.5)
  Options o = server_options();
  o.reset_budget = 10;
  o.resets_per_second = 10;
  Harness h(o);
  EXPECT_EQ(h.advance(0), Texts{});
  h.start();
  std::uint32_t next = 1;
  auto burst = [&](int pairs) {
    const Texts events = h.feed(reset_pairs(h, next, pairs));
    next += 2U * static_cast<std::uint32_t>(pairs);
    return events;
  };
  EXPECT_EQ(count_prefix(burst(10), "StreamReset"), 10U);  // the whole bucket
  EXPECT_EQ(h.advance(kSecond / 2), Texts{});              // +5
  EXPECT_EQ(count_prefix(burst(5), "StreamReset"), 5U);
  EXPECT_FALSE(h.conn.failed());
  EXPECT_EQ(h.advance(100 * kSecond), Texts{});  // refills up to the capacity only
  EXPECT_EQ(count_prefix(burst(10), "StreamReset"), 10U);
  EXPECT_FALSE(h.conn.failed());
  const Texts last = burst(1);
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(last.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
  EXPECT_EQ(h.output().back(), "GOAWAY " + std::to_string(next - 2) + " ENHANCE_YOUR_CALM");
}

TEST(ConnectionLimitsTest, EndsMadeYouResetLoopOnceGlitchBudgetIsSpent) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-6.9-01 (RFC 9113 §6.9)
  Harness h = started();
  B b;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const std::uint32_t id = 1 + 2 * i;
    b.headers(id, h.block(get_request()), B::kEndHeaders).window_update(id, 0);
  }
  const Texts events = h.feed(b);
  // Each WINDOW_UPDATE of 0 is a stream error (RST_STREAM(PROTOCOL_ERROR)) and spends a glitch; the default budget
  // is 1000, so the 1001st ends the connection.
  EXPECT_EQ(count_prefix(events, "StreamReset"), 1001U);
  EXPECT_EQ(count_prefix(events, "RequestReceived"), 1001U);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
  const Texts out = h.output();
  EXPECT_EQ(count_prefix(out, "RST_STREAM"), 1001U);
  EXPECT_TRUE(contains(out, "RST_STREAM 1 PROTOCOL_ERROR"));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), "GOAWAY 2001 ENHANCE_YOUR_CALM");
}

TEST(ConnectionLimitsTest, EndsOtherMadeYouResetPrimitivesOnceGlitchBudgetIsSpent) {
  // H2-10.5-01 (RFC 9113 §10.5)
  Options o = server_options();
  o.glitch_budget = 20;
  // A PRIORITY of the wrong length, DATA after END_STREAM: stream errors the client provokes at will.
  for (int variant = 0; variant < 2; ++variant) {
    Harness h = started(o);
    B b;
    for (std::uint32_t i = 0; i < 100; ++i) {
      const std::uint32_t id = 1 + 2 * i;
      if (variant == 0) {
        b.headers(id, h.block(get_request()), B::kEndHeaders).frame(B::kPriority, 0, id, hex("00000000"));
      } else {
        b.headers(id, h.block(get_request()), B::kEndHeaders | B::kEndStream).data(id, "x");
      }
    }
    const Texts events = h.feed(b);
    EXPECT_EQ(count_prefix(events, "StreamReset"), 21U) << variant;
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
    EXPECT_EQ(h.output().back(), "GOAWAY 41 ENHANCE_YOUR_CALM");
  }
}

TEST(ConnectionLimitsTest, EndsRefusedStreamFloodOnceGlitchBudgetIsSpent) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-5.1.2-02 (RFC 9113 §5.1.2)
  Options o = server_options();
  o.max_concurrent_streams = 2;
  o.glitch_budget = 50;
  Harness h = started(o);
  B b;
  for (std::uint32_t i = 0; i < 1000; ++i) b.headers(1 + 2 * i, h.block(get_request()), B::kEndHeaders);
  const Texts events = h.feed(b);
  EXPECT_EQ(count_prefix(events, "RequestReceived"), 2U);
  EXPECT_EQ(count_prefix(events, "StreamReset"), 51U);
  EXPECT_EQ(events.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
  const Texts out = h.output();
  EXPECT_TRUE(contains(out, "RST_STREAM 5 REFUSED_STREAM"));
  EXPECT_EQ(out.back(), "GOAWAY 3 ENHANCE_YOUR_CALM");
}

// ---- §2 CONTINUATION flood (CVE-2024-27316 family) ----------------------------------------------------------------

TEST(ConnectionLimitsTest, EndsContinuationFloodAfterAtMostLimitPlusOneFrames) {
  // H2-6.10-02 (RFC 9113 §6.10, §10.5)
  // H2-10.5-01 (RFC 9113 §10.5)
  const Options o = server_options();
  Harness h = started(o);
  EXPECT_EQ(h.feed(B().headers(1, h.block(get_request()), 0)), Texts{});
  std::uint32_t continuations = 0;
  Texts last;
  for (int i = 0; i < 100'000 && !h.conn.failed(); ++i) {
    last = h.feed(B().continuation(1, {}, 0));
    ++continuations;
  }
  EXPECT_EQ(continuations, o.max_continuation_frames + 1);
  EXPECT_EQ(last, (Texts{"ConnectionFailed ENHANCE_YOUR_CALM"}));
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 ENHANCE_YOUR_CALM"}));
}

TEST(ConnectionLimitsTest, EndsContinuationFloodFedAtOnce) {
  // H2-6.10-02 (RFC 9113 §6.10, §10.5)
  Harness h = started();
  B b;
  b.headers(1, h.block(get_request()), 0);
  for (int i = 0; i < 100'000; ++i) b.continuation(1, {}, 0);
  EXPECT_EQ(h.feed(b), (Texts{"ConnectionFailed ENHANCE_YOUR_CALM"}));
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 ENHANCE_YOUR_CALM"}));
}

TEST(ConnectionLimitsTest, CapsFieldBlockSizeAcrossContinuations) {
  // H2-6.10-02 (RFC 9113 §6.10, §10.5)
  Options o = server_options();
  o.max_continuation_frames = 100;
  o.max_field_block_size = 64 * 1024;
  Harness h = started(o);
  const ByteVector junk = bytes_of(std::string(16384, 'j'));
  std::uint32_t frames = 0;
  B first;
  first.headers(1, junk, 0);
  Texts last = h.feed(first);
  ++frames;
  for (int i = 0; i < 1000 && !h.conn.failed(); ++i) {
    last = h.feed(B().continuation(1, junk, 0));
    ++frames;
  }
  EXPECT_EQ(frames, 5U);  // 4 x 16 KiB fill the 64 KiB, the fifth frame passes it
  EXPECT_EQ(last, (Texts{"ConnectionFailed ENHANCE_YOUR_CALM"}));
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 ENHANCE_YOUR_CALM"}));
}

TEST(ConnectionLimitsTest, ServesLargeHeaderListInFewFrames) {
  // H2-6.10-02 (RFC 9113 §6.10, §10.5)
  Harness h = started();
  Fields f = get_request();
  for (int i = 0; i < 4; ++i) f.emplace_back("x-big-" + std::to_string(i), std::string(10000, 'v'));
  const ByteVector block = h.block(f);
  ASSERT_GT(block.size(), 40000U);
  const auto n = static_cast<std::ptrdiff_t>(block.size());
  auto part = [&](std::ptrdiff_t i) { return ByteVector(block.begin() + n * i / 4, block.begin() + n * (i + 1) / 4); };
  EXPECT_EQ(h.feed(B().headers(1, part(0), B::kEndStream)
                       .continuation(1, part(1), 0)
                       .continuation(1, part(2), 0)
                       .continuation(1, part(3))),
            (Texts{"RequestReceived 1 END_STREAM"}));
  EXPECT_EQ(h.records.at(0).headers, f);
}

// ---- §3 HPACK bomb --------------------------------------------------------------------------------------------------

// A request block: the pseudo-header fields, a literal with indexing (`name`, a value of `size` octets), then
// `refs` one-octet references to it (index 62).
ByteVector bomb(std::string_view name, std::size_t size, int refs) {
  ByteVector b = hex("82 87 84 01 0b 6578616d706c652e636f6d 40");
  b.push_back(static_cast<std::byte>(name.size()));
  for (const char c : name) b.push_back(static_cast<std::byte>(c));
  if (size < 127) {
    b.push_back(static_cast<std::byte>(size));
  } else {
    b.push_back(std::byte{0x7f});
    std::size_t rest = size - 127;
    for (; rest >= 128; rest >>= 7) b.push_back(static_cast<std::byte>(0x80 | (rest & 0x7f)));
    b.push_back(static_cast<std::byte>(rest));
  }
  b.insert(b.end(), size, std::byte{'a'});
  b.insert(b.end(), static_cast<std::size_t>(refs), std::byte{0xbe});
  return b;
}

// Feeds `block` as HEADERS(END_STREAM) plus CONTINUATIONs of at most 16384 octets on `stream`.
B as_frames(std::uint32_t stream, const ByteVector& block) {
  B b;
  const std::span<const std::byte> all(block);
  std::size_t at = std::min<std::size_t>(block.size(), 16384);
  b.headers(stream, all.first(at), at == block.size() ? B::kEndHeaders | B::kEndStream : B::kEndStream);
  while (at < block.size()) {
    const std::size_t n = std::min<std::size_t>(block.size() - at, 16384);
    b.continuation(stream, all.subspan(at, n), at + n == block.size() ? B::kEndHeaders : 0);
    at += n;
  }
  return b;
}

TEST(ConnectionLimitsTest, AnswersHpackBombWith431AndKeepsConnection) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-6.5.2-06 (RFC 9113 §6.5.2, §10.5.1)
  Harness h = started();
  // 4000 octets indexed, then 16,000 references: 16 KiB on the wire, 64 MB decoded.
  EXPECT_EQ(h.feed(as_frames(1, bomb("x-bomb", 4000, 16'000))), Texts{});
  EXPECT_EQ(h.output(), (Texts{"HEADERS 1 status=431 END_STREAM"}));
  EXPECT_FALSE(h.conn.failed());
  // The context stayed in sync: index 62 is still the 4000-octet entry.
  EXPECT_EQ(h.feed(B().headers(3, hex("82 87 84 01 0b 6578616d706c652e636f6d be"), B::kEndHeaders | B::kEndStream)),
            (Texts{"RequestReceived 3 END_STREAM"}));
  EXPECT_EQ(field_value(h.records.at(0).headers, "x-bomb"), std::string(4000, 'a'));
}

TEST(ConnectionLimitsTest, AnswersTinyFieldBombWith431) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-6.5.2-06 (RFC 9113 §6.5.2, §10.5.1)
  Harness h = started();
  // "a: " indexed, then 50,000 references: each counts 33 octets though it costs one on the wire.
  EXPECT_EQ(h.feed(as_frames(1, bomb("a", 0, 50'000))), Texts{});
  EXPECT_EQ(h.output(), (Texts{"HEADERS 1 status=431 END_STREAM"}));
  // A cookie split into 20,000 crumbs is no different.
  EXPECT_EQ(h.feed(as_frames(3, bomb("cookie", 1, 20'000))), Texts{});
  EXPECT_EQ(h.output(), (Texts{"HEADERS 3 status=431 END_STREAM"}));
  EXPECT_FALSE(h.conn.failed());
  // A 7 KiB cookie is fine.
  h.open_request(5, true, {{"cookie", std::string(7 * 1024, 'c')}});
}

// ---- §5 the Netflix set: floods whose answers are never read ------------------------------------------------------

TEST(ConnectionLimitsTest, EndsPingFloodOnceUnreadOutputPassesCap) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-6.7-01 (RFC 9113 §6.7)
  const Options o = server_options();
  Harness h = started(o);
  B chunk;
  for (int i = 0; i < 1000; ++i) chunk.ping(static_cast<std::uint64_t>(i));
  int frames = 0;
  for (int i = 0; i < 1000 && !h.conn.failed(); ++i) {  // at most 1,000,000 PINGs, never reading the ACKs
    h.feed(chunk);
    frames += 1000;
  }
  ASSERT_TRUE(h.conn.failed());
  EXPECT_LE(frames, 1000 * (static_cast<int>(o.max_pending_output / 17 / 1000) + 2));
  const std::size_t held = h.conn.pending_output().size();
  EXPECT_LE(held, o.max_pending_output + 17 * 1000 + 64);
  const Texts out = h.output();
  EXPECT_EQ(out.back(), "GOAWAY 0 ENHANCE_YOUR_CALM");
  EXPECT_EQ(count_prefix(out, "GOAWAY"), 1U);
}

TEST(ConnectionLimitsTest, BoundsUnreadOutputWithinOneLargeInput) {
  // H2-10.5-01 (RFC 9113 §10.5)
  const Options o = server_options();
  Harness h = started(o);
  B flood;
  for (int i = 0; i < 200'000; ++i) flood.ping(static_cast<std::uint64_t>(i));  // 3.4 MB of ACKs owed
  const Texts events = h.feed(flood);
  EXPECT_EQ(events.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
  EXPECT_LE(h.conn.pending_output().size(), o.max_pending_output + 17 + 64);
}

TEST(ConnectionLimitsTest, EndsSettingsFloodOnceUnreadOutputPassesCap) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-6.5.3-01 (RFC 9113 §6.5.3)
  const Options o = server_options();
  Harness h = started(o);
  B chunk;
  for (int i = 0; i < 1000; ++i) chunk.settings({});
  int frames = 0;
  for (int i = 0; i < 1000 && !h.conn.failed(); ++i) {
    h.feed(chunk);
    frames += 1000;
  }
  ASSERT_TRUE(h.conn.failed());
  EXPECT_LE(frames, 1000 * (static_cast<int>(o.max_pending_output / 9 / 1000) + 2));
  EXPECT_LE(h.conn.pending_output().size(), o.max_pending_output + 9 * 1000 + 64);
  EXPECT_EQ(h.output().back(), "GOAWAY 0 ENHANCE_YOUR_CALM");
}

TEST(ConnectionLimitsTest, KeepsConnectionWhenPingsAreRead) {
  // H2-10.5-01 (RFC 9113 §10.5)
  Harness h = started();
  for (std::uint64_t i = 0; i < 2000; ++i) {
    EXPECT_EQ(h.feed(B().ping(i)), Texts{});
    ASSERT_EQ(h.output(), (Texts{"PING ACK " + std::to_string(i)}));
  }
  EXPECT_FALSE(h.conn.failed());
}

TEST(ConnectionLimitsTest, EndsConnectionOnSettingsWithTooManyEntries) {
  // H2-10.5-01 (RFC 9113 §10.5)
  const Options o = server_options();
  {
    Harness h = started(o);
    B b;
    ByteVector payload;
    for (std::uint32_t i = 0; i < o.max_settings_entries; ++i) {
      const ByteVector e = hex("0003 00000064");
      payload.insert(payload.end(), e.begin(), e.end());
    }
    EXPECT_EQ(h.feed(b.frame(B::kSettings, 0, 0, payload)), (Texts{"SettingsReceived"}));
    EXPECT_EQ(h.output(), (Texts{"SETTINGS ACK"}));
  }
  for (const std::uint32_t entries : {o.max_settings_entries + 1, 64U}) {
    Harness h = started(o);
    ByteVector payload;
    for (std::uint32_t i = 0; i < entries; ++i) {
      const ByteVector e = hex("0004 0000ffff");
      payload.insert(payload.end(), e.begin(), e.end());
    }
    expect_goaway(h, B().frame(B::kSettings, 0, 0, payload), 0, ErrorCode::enhance_your_calm);
  }
}

TEST(ConnectionLimitsTest, EndsPriorityChurnOnIdleStreamsOnceGlitchBudgetIsSpent) {
  // H2-10.5-01 (RFC 9113 §10.5)
  // H2-6.3-03 (RFC 9113 §6.3)
  const Options o = server_options();
  Harness h = started(o);
  B chunk;
  for (std::uint32_t i = 0; i < 1000; ++i) chunk.priority(1 + 2 * i, 0, static_cast<std::uint8_t>(i));
  int frames = 0;
  for (int i = 0; i < 100 && !h.conn.failed(); ++i) {  // at most 100,000 PRIORITY frames over 1,000 idle ids
    h.feed(chunk);
    frames += 1000;
  }
  EXPECT_TRUE(h.conn.failed());
  EXPECT_LE(frames, static_cast<int>(o.glitch_budget) + 1000);
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 0 ENHANCE_YOUR_CALM"}));
  // Control: PRIORITY on open streams (and a few idle placeholders) is free.
  Harness ok = started(o);
  ok.open_request(1, false);
  B b;
  for (std::uint32_t i = 0; i < 5; ++i) b.priority(101 + 2 * i, 0, 200);
  for (int i = 0; i < 5000; ++i) b.priority(1, 0, static_cast<std::uint8_t>(i));
  expect_ignored(ok, b);
}

TEST(ConnectionLimitsTest, EndsEmptyDataFloodOnceGlitchBudgetIsSpent) {
  // H2-10.5-01 (RFC 9113 §10.5)
  const Options o = server_options();
  Harness h = started(o);
  h.open_request(1, false, {{"content-type", "text/plain"}});
  B b;
  for (int i = 0; i < 10'000; ++i) b.data(1, "");
  const Texts events = h.feed(b);
  EXPECT_EQ(count_prefix(events, "DataReceived"), o.glitch_budget);
  EXPECT_EQ(events.back(), "ConnectionFailed ENHANCE_YOUR_CALM");
  EXPECT_EQ(h.output(), (Texts{"GOAWAY 1 ENHANCE_YOUR_CALM"}));
  // Control: one empty DATA with END_STREAM is how a body normally ends.
  Harness ok = started(o);
  ok.open_request(1, false);
  EXPECT_EQ(ok.feed(B().data(1, "body").data(1, "", B::kEndStream)),
            (Texts{"DataReceived 1 n=4 fc=4", "DataReceived 1 n=0 fc=0 END_STREAM"}));
  EXPECT_FALSE(ok.conn.failed());
}

TEST(ConnectionLimitsTest, RefillsGlitchBudgetWithTime) {
  // H2-10.5-01 (RFC 9113 §10.5)
  Options o = server_options();
  o.glitch_budget = 10;
  o.glitches_per_second = 10;
  Harness h(o);
  EXPECT_EQ(h.advance(0), Texts{});
  h.start();
  h.open_request(1, false);
  B ten;
  for (int i = 0; i < 10; ++i) ten.data(1, "");
  EXPECT_EQ(h.feed(ten).size(), 10U);
  EXPECT_EQ(h.advance(kSecond), Texts{});
  EXPECT_EQ(h.feed(ten).size(), 10U);
  EXPECT_FALSE(h.conn.failed());
  EXPECT_EQ(h.feed(B().data(1, "")), (Texts{"ConnectionFailed ENHANCE_YOUR_CALM"}));
}

}  // namespace
}  // namespace h2push::http2::test
