// app.js: the home page's load report. Waits for the page to finish loading, fetches the catalog (catalog.js),
// reads Resource Timing (waterfall.js) and fills in the summary, the waterfall, the table and the discovery tree.
//
// This is the page's module script: index.html names it, so it is a first-level resource, but the modules it
// imports are only found once it has arrived and been parsed.

import { CatalogError, loadCatalog, renderTree } from "./catalog.js";
import { Waterfall, collectTimings, formatBytes, formatMs, levelSpans, pageMilestones } from "./waterfall.js";

const PROTOCOL_NAMES = { h2: "HTTP/2", h3: "HTTP/3", "http/1.1": "HTTP/1.1", "http/1.0": "HTTP/1.0" };

/** Resolves after the load event has finished, so loadEventEnd is known. */
function pageLoaded() {
  return new Promise((resolve) => {
    const settle = () => setTimeout(resolve, 0);
    if (document.readyState === "complete") settle();
    else window.addEventListener("load", settle, { once: true });
  });
}

class LoadReport {
  #root;
  #catalog = null;
  #rows = [];
  #hidden = new Set();
  #sort = { key: "start", direction: 1 };
  #waterfall;

  constructor(root) {
    this.#root = root;
    this.status = root.querySelector("[data-status]");
    this.summary = root.querySelector("[data-summary]");
    this.filter = root.querySelector("[data-level-filter]");
    this.table = root.querySelector("[data-resource-table]");
    this.tree = document.querySelector("[data-discovery-tree]");
    this.#waterfall = new Waterfall(root.querySelector("[data-waterfall]"), {
      levelOf: (path) => this.levelOf(path),
    });
  }

  levelOf(path) {
    return this.#catalog?.get(path)?.level ?? null;
  }

  async start() {
    // The catalog is fetched at once, not after the load event: the tree it feeds is page content, and the JSON
    // is meant to be a real third-level request that push or Early Hints can bring forward.
    this.setStatus("Fetching the catalog of this page\u2019s resources\u2026");
    const catalogReady = loadCatalog().then(
      (catalog) => {
        this.#catalog = catalog;
        this.renderTree();
      },
      (error) => {
        const reason = error instanceof CatalogError ? error.message : String(error);
        this.setStatus(`The catalog could not be loaded (${reason}); showing timings without levels.`, "error");
      },
    );
    await Promise.all([catalogReady, pageLoaded()]);
    // Collected once both are done, so the JSON file itself appears in the chart.
    this.#rows = collectTimings();
    this.render();
    this.bindControls();
    this.observeLateResources();
    if (this.#catalog) {
      this.setStatus(
        `Measured by your browser: ${this.#rows.length} requests, ${this.#catalog.size} files in the catalog.`,
      );
    }
  }

  setStatus(text, state = "ok") {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.dataset.state = state;
  }

  render() {
    const milestones = pageMilestones();
    this.renderSummary(milestones);
    this.#waterfall.render(this.#rows, milestones);
    this.#waterfall.hideLevels(this.#hidden);
    this.renderTable();
    this.renderTree();
  }

  /** Draws the discovery tree, with the decoded size of each file once timings are known. */
  renderTree() {
    if (!this.#catalog || !this.tree) return;
    const sizes = new Map(this.#rows.map((row) => [row.path, row.decodedBodySize]));
    renderTree(this.#catalog, this.tree, sizes);
  }

  renderSummary(milestones) {
    if (!this.summary) return;
    const document_ = this.#rows.find((row) => row.initiator === "navigation");
    const protocol = document_?.protocol ?? "";
    const transferred = this.#rows.reduce((sum, row) => sum + row.transferSize, 0);
    const decoded = this.#rows.reduce((sum, row) => sum + row.decodedBodySize, 0);
    const figures = [
      [PROTOCOL_NAMES[protocol] ?? (protocol || "unknown"), "Protocol of the page"],
      [String(this.#rows.length), "Requests"],
      [formatBytes(transferred), `On the wire (${formatBytes(decoded)} decoded)`],
      [formatMs(milestones.domContentLoaded), "DOMContentLoaded"],
      [formatMs(milestones.load), "load event"],
    ];
    // Requests made after the load event (the icon, a picture opened later) say nothing about the page load.
    const spans = levelSpans(this.#rows, (path) => this.levelOf(path), milestones.load);
    for (const [level, span] of [...spans.entries()].sort(([a], [b]) => a - b)) {
      if (level === 0) continue;
      const files = span.count === 1 ? "1 file" : `${span.count} files`;
      figures.push([formatMs(span.lastEnd), `Level ${level} done (${files})`]);
    }
    this.summary.replaceChildren(
      ...figures.map(([figure, label]) => {
        const item = document.createElement("li");
        const big = document.createElement("span");
        big.className = "figure";
        big.textContent = figure;
        const small = document.createElement("span");
        small.className = "label";
        small.textContent = label;
        item.append(big, small);
        return item;
      }),
    );
  }

  renderTable() {
    if (!this.table) return;
    const body = this.table.tBodies[0];
    const { key, direction } = this.#sort;
    const value = (row) => (key === "level" ? (this.levelOf(row.path) ?? 99) : row[key]);
    const sorted = [...this.#rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return order * direction || a.start - b.start;
    });
    body.replaceChildren(
      ...sorted.map((row) => {
        const level = this.levelOf(row.path);
        const tr = document.createElement("tr");
        tr.dataset.level = level ?? "none";
        tr.hidden = this.#hidden.has(level);
        const cells = [
          [row.path, ""],
          [level ?? "\u2013", "number"],
          [row.initiator, ""],
          [formatMs(row.start), "number"],
          [formatMs(row.end - row.start), "number"],
          [row.cached ? "cache" : formatBytes(row.transferSize), "number"],
          [formatBytes(row.decodedBodySize), "number"],
          [PROTOCOL_NAMES[row.protocol] ?? (row.protocol || "\u2013"), ""],
        ];
        for (const [text, className] of cells) {
          const td = document.createElement("td");
          if (className) td.className = className;
          td.textContent = String(text);
          tr.append(td);
        }
        return tr;
      }),
    );
    for (const th of this.table.tHead.rows[0].cells) {
      const sortKey = th.dataset.sort;
      if (!sortKey) continue;
      th.setAttribute("aria-sort", sortKey === key ? (direction > 0 ? "ascending" : "descending") : "none");
    }
  }

  bindControls() {
    this.filter?.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-level]");
      if (!button) return;
      const level = Number(button.dataset.level);
      const pressed = button.getAttribute("aria-pressed") === "true";
      button.setAttribute("aria-pressed", String(!pressed));
      if (pressed) this.#hidden.add(level);
      else this.#hidden.delete(level);
      this.#waterfall.hideLevels(this.#hidden);
      this.renderTable();
    });

    this.table?.tHead.addEventListener("click", (event) => {
      const th = event.target.closest("th[data-sort]");
      if (!th) return;
      const key = th.dataset.sort;
      this.#sort = { key, direction: this.#sort.key === key ? -this.#sort.direction : 1 };
      this.renderTable();
    });

    const copyButton = this.#root.querySelector("[data-copy-report]");
    copyButton?.addEventListener("click", () => this.copy(copyButton));
    this.#root.querySelector("[data-reload]")?.addEventListener("click", () => window.location.reload());
  }

  /** Copies the measurement as JSON, for pasting into lab notes; falls back to a download when copying fails. */
  async copy(button) {
    const report = {
      page: window.location.href,
      userAgent: navigator.userAgent,
      measuredAt: new Date().toISOString(),
      milestones: pageMilestones(),
      resources: this.#rows.map((row) => ({ ...row, level: this.levelOf(row.path) })),
    };
    const text = JSON.stringify(report, null, 2);
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      link.download = "h2push-demo-load.json";
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      button.textContent = "Downloaded";
    }
    setTimeout(() => {
      button.textContent = label;
    }, 1600);
  }

  /** Resources loaded later (a larger picture opened in the lightbox, say) join the chart. */
  observeLateResources() {
    if (!("PerformanceObserver" in window)) return;
    let pending = 0;
    const observer = new PerformanceObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        this.#rows = collectTimings();
        this.render();
      }, 250);
    });
    observer.observe({ type: "resource", buffered: false });
  }
}

const root = document.querySelector("[data-load-report]");
if (root) {
  new LoadReport(root).start().catch((error) => {
    console.error("load report failed", error);
    const status = root.querySelector("[data-status]");
    if (status) {
      status.textContent = `The load report failed: ${error.message}`;
      status.dataset.state = "error";
    }
  });
}
