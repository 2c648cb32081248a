// waterfall.js: reads the browser's Resource Timing entries for this page and draws them as a waterfall, one bar
// per resource, coloured by its level of discovery.
//
// What to look for: without push or hints, each level starts only after a file of the level above has finished, so
// the bars form a staircase. With 103 Early Hints the staircase flattens (requests start while the HTML is still
// being produced); with push the deeper files arrive without a request of their own.

import { el, formatBytes, formatMs, niceTicks, percent, replaceChildren, sitePath } from "./format.js";

// Passed on so that app.js formats numbers exactly as the chart does without importing format.js itself.
export { formatBytes, formatMs };

/**
 * One row per resource of this origin, page first, then in the order requests started. Each row is a plain object:
 *   path              site path ("css/main.css"), the key into the catalog
 *   initiator         "navigation", "link", "script", "css", "img", "fetch", ...
 *   start, end        ms since navigation start: request queued, last byte received
 *   responseStart     ms since navigation start of the first byte (0 when the browser hides it)
 *   transferSize      bytes on the wire including headers (0 when served from the cache)
 *   encodedBodySize   body bytes as sent (compressed), decodedBodySize: body bytes after decoding
 *   protocol          ALPN of the connection: "h2", "http/1.1", "h3" (empty when unknown)
 *   cached            true when the body came from the HTTP cache without a network exchange
 */
export function collectTimings(performanceApi = window.performance) {
  const rows = [];
  const [navigation] = performanceApi.getEntriesByType("navigation");
  if (navigation) rows.push(rowFromEntry(navigation, "navigation"));
  for (const entry of performanceApi.getEntriesByType("resource")) {
    const row = rowFromEntry(entry, entry.initiatorType);
    if (row.path !== null) rows.push(row);
  }
  rows.sort((a, b) => a.start - b.start || a.path.localeCompare(b.path));
  return rows;
}

function rowFromEntry(entry, initiator) {
  const transferSize = entry.transferSize ?? 0;
  const decoded = entry.decodedBodySize ?? 0;
  return {
    path: sitePath(entry.name),
    url: entry.name,
    initiator,
    start: entry.startTime,
    responseStart: entry.responseStart || 0,
    end: entry.responseEnd || entry.startTime,
    transferSize,
    encodedBodySize: entry.encodedBodySize ?? 0,
    decodedBodySize: decoded,
    protocol: entry.nextHopProtocol ?? "",
    cached: transferSize === 0 && decoded > 0,
  };
}

/** The moments the page reached DOMContentLoaded and load, in ms since navigation start (undefined if unknown). */
export function pageMilestones(performanceApi = window.performance) {
  const [navigation] = performanceApi.getEntriesByType("navigation");
  if (!navigation) return {};
  return {
    domContentLoaded: navigation.domContentLoadedEventEnd || undefined,
    load: navigation.loadEventEnd || undefined,
  };
}

/**
 * A waterfall chart drawn with plain elements into `root`. `levelOf(path)` gives the level of discovery used for
 * colour and filtering (null for resources the catalog does not know).
 */
export class Waterfall {
  #root;
  #levelOf;
  #rows = [];
  #hiddenLevels = new Set();
  #tip;
  #list;

  constructor(root, { levelOf = () => null } = {}) {
    this.#root = root;
    this.#levelOf = levelOf;
    this.#tip = el("div", { class: "waterfall-tip", role: "tooltip", hidden: true });
  }

  /** Draws `rows` (from collectTimings) with optional DOMContentLoaded and load markers. */
  render(rows, milestones = {}) {
    this.#rows = rows;
    const lastEnd = Math.max(1, ...rows.map((row) => row.end), milestones.load ?? 0);
    const ticks = niceTicks(lastEnd, 5);
    const span = Math.max(lastEnd, ticks[ticks.length - 1]);
    const tickStep = ticks.length > 1 ? percent(ticks[1], span) : "100%";

    const axis = el(
      "div",
      { class: "waterfall-axis", "aria-hidden": "true" },
      el("span", {}, "Resource"),
      el(
        "div",
        { class: "waterfall-ticks" },
        ticks.map((t) => el("span", { class: "waterfall-tick", style: { left: percent(t, span) } }, formatMs(t))),
      ),
    );

    this.#list = el(
      "ol",
      { class: "waterfall-rows", style: { "--tick-step": tickStep } },
      rows.map((row, index) => this.#renderRow(row, index, span, milestones)),
    );

    replaceChildren(this.#root, axis, this.#list, this.#renderLegend(), this.#tip);
    this.#applyFilter();
  }

  /** Hides the rows of the levels in `levels` (a Set of numbers); other rows show. */
  hideLevels(levels) {
    this.#hiddenLevels = new Set(levels);
    this.#applyFilter();
  }

  #renderRow(row, index, span, milestones) {
    const level = this.#levelOf(row.path);
    const duration = Math.max(0, row.end - row.start);
    const wait = row.responseStart > row.start ? row.responseStart - row.start : 0;
    const bar = el("span", {
      class: "waterfall-bar",
      tabindex: "0",
      role: "img",
      "aria-label": `${row.path}: starts at ${formatMs(row.start)}, takes ${formatMs(duration)}`,
      dataset: { index, cached: row.cached },
      style: {
        left: percent(row.start, span),
        width: percent(duration, span),
        "--wait": duration > 0 ? percent(wait, duration) : "0%",
      },
    });
    bar.addEventListener("pointerenter", () => this.#showTip(bar, row, level));
    bar.addEventListener("focus", () => this.#showTip(bar, row, level));
    bar.addEventListener("pointerleave", () => this.#hideTip());
    bar.addEventListener("blur", () => this.#hideTip());

    const markers = [];
    if (milestones.domContentLoaded) {
      markers.push(el("span", {
        class: "waterfall-marker",
        dataset: { kind: "dcl" },
        style: { left: percent(milestones.domContentLoaded, span) },
      }));
    }
    if (milestones.load) {
      markers.push(el("span", {
        class: "waterfall-marker",
        dataset: { kind: "load" },
        style: { left: percent(milestones.load, span) },
      }));
    }

    return el(
      "li",
      { class: "waterfall-row", dataset: { level: level ?? "none" } },
      el(
        "span",
        { class: "waterfall-label" },
        el("span", { class: "level-dot", title: level === null ? "Not in the catalog" : `Level ${level}` }),
        el("code", { title: row.url }, row.path),
      ),
      el("span", { class: "waterfall-track" }, markers, bar),
    );
  }

  #renderLegend() {
    const levels = [0, 1, 2, 3];
    return el(
      "ul",
      { class: "waterfall-legend" },
      levels.map((level) =>
        el("li", { dataset: { level } }, el("span", { class: "legend-swatch" }), `Level ${level}`),
      ),
      el("li", {}, el("span", { class: "legend-swatch", dataset: { kind: "wait" } }), "Waiting for the first byte"),
      el("li", {}, el("span", { class: "legend-swatch", dataset: { kind: "marker" } }), "load event"),
    );
  }

  #applyFilter() {
    if (!this.#list) return;
    for (const item of this.#list.children) {
      const level = Number(item.dataset.level);
      item.hidden = this.#hiddenLevels.has(level);
    }
  }

  #showTip(bar, row, level) {
    const duration = row.end - row.start;
    const wait = row.responseStart > row.start ? row.responseStart - row.start : null;
    const details = [
      ["Level", level === null ? "unknown" : String(level)],
      ["Started by", row.initiator],
      ["Starts at", formatMs(row.start)],
      ["First byte after", wait === null ? "hidden" : formatMs(wait)],
      ["Takes", formatMs(duration)],
      ["On the wire", row.cached ? "from cache" : formatBytes(row.transferSize)],
      ["Body (decoded)", formatBytes(row.decodedBodySize)],
      ["Protocol", row.protocol || "unknown"],
    ];
    replaceChildren(
      this.#tip,
      el("strong", {}, row.path),
      el("dl", {}, details.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
    );
    this.#tip.hidden = false;

    // Place the tip under the bar, kept inside the chart horizontally.
    const chart = this.#root.getBoundingClientRect();
    const box = bar.getBoundingClientRect();
    const tipWidth = this.#tip.offsetWidth;
    const left = Math.min(Math.max(0, box.left - chart.left), Math.max(0, chart.width - tipWidth));
    this.#tip.style.left = `${left}px`;
    this.#tip.style.top = `${box.bottom - chart.top + 6}px`;
  }

  #hideTip() {
    this.#tip.hidden = true;
  }
}

/**
 * For each level, when its first request started and when its last response ended (ms since navigation start):
 * a Map level -> { count, firstStart, lastEnd }. Rows the catalog does not know are left out, and so are rows
 * that started after `startedBefore` (pass the load event's time to leave out late requests such as the icon).
 */
export function levelSpans(rows, levelOf, startedBefore = Infinity) {
  const spans = new Map();
  for (const row of rows) {
    const level = levelOf(row.path);
    if (level === null || level === undefined || row.start > startedBefore) continue;
    const span = spans.get(level) ?? { count: 0, firstStart: Infinity, lastEnd: 0 };
    span.count += 1;
    span.firstStart = Math.min(span.firstStart, row.start);
    span.lastEnd = Math.max(span.lastEnd, row.end);
    spans.set(level, span);
  }
  return spans;
}
