// format.js: small helpers shared by catalog.js and waterfall.js: number formatting and a tiny DOM builder.
//
// No module imports this one directly from the HTML: it is found only after app.js has arrived and been parsed,
// and after catalog.js or waterfall.js has too, which makes it one of the page's deepest resources.

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB"];

/**
 * Formats a byte count the way the docs do: 1023 -> "1023 B", 1536 -> "1.5 KiB", 2097152 -> "2.0 MiB".
 * Returns an en dash for values the browser did not report (undefined, NaN, negative).
 */
export function formatBytes(bytes) {
  if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes < 0) return "\u2013";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Formats milliseconds: below 10 ms with one decimal, below 10 s as whole ms, else as seconds. */
export function formatMs(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "\u2013";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A percentage for CSS, clamped to [0, 100] and rounded to 0.01 so style attributes stay short. */
export function percent(value, total) {
  if (!(total > 0)) return "0%";
  const p = Math.min(100, Math.max(0, (value / total) * 100));
  return `${Math.round(p * 100) / 100}%`;
}

/**
 * Turns an absolute URL of this origin into the site path the catalog uses ("css/main.css"); returns null for
 * other origins. "/" and "/index.html" both become "index.html".
 */
export function sitePath(url) {
  let parsed;
  try {
    parsed = new URL(url, document.baseURI);
  } catch {
    return null;
  }
  if (parsed.origin !== window.location.origin) return null;
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+/, "");
  return path === "" ? "index.html" : path;
}

/**
 * Builds an element: el("li", { class: "row", dataset: { level: 2 } }, "text", childNode).
 * Attribute values of false, null or undefined are skipped; true sets an empty attribute. Text is always
 * inserted as text, never parsed as HTML, so values from the network cannot inject markup.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "dataset") {
      for (const [key, data] of Object.entries(value)) node.dataset[key] = String(data);
    } else if (name === "style") {
      for (const [property, styleValue] of Object.entries(value)) node.style.setProperty(property, styleValue);
    } else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(node, child);
    } else if (child instanceof Node) {
      node.append(child);
    } else {
      node.append(document.createTextNode(String(child)));
    }
  }
}

/** Removes every child of `node` and appends the new ones. */
export function replaceChildren(node, ...children) {
  node.textContent = "";
  append(node, children);
}

/** Picks "nice" tick steps for an axis from 0 to `max`: 1, 2 or 5 times a power of ten, about `count` ticks. */
export function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
  const ticks = [];
  for (let t = 0; t <= max + step * 0.001; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return ticks;
}
