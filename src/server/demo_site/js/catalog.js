// catalog.js: the site's own description of its resources (data/assets.json): which file names which, and so at
// which level of discovery a browser can first know about it.
//
// Chain of discovery: index.html names app.js, app.js imports this module, and this module fetches the JSON. The
// JSON is therefore invisible until three files have arrived one after another, which is exactly the kind of
// resource that push or 103 Early Hints can start early.

import { el, formatBytes, replaceChildren } from "./format.js";

// Resolved against this module, not the page, so the catalog is found whichever page imports us.
const CATALOG_URL = new URL("../data/assets.json", import.meta.url);

/** Thrown when the catalog cannot be fetched or does not have the expected shape. */
export class CatalogError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "CatalogError";
  }
}

/**
 * Fetches and checks the catalog. Rejects with a CatalogError naming what went wrong (HTTP status, bad JSON, a
 * missing field); `signal` aborts the request.
 */
export async function loadCatalog({ signal } = {}) {
  let response;
  try {
    response = await fetch(CATALOG_URL, { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    throw new CatalogError(`could not fetch ${CATALOG_URL.pathname}: ${error.message}`, { cause: error });
  }
  if (!response.ok) {
    throw new CatalogError(`${CATALOG_URL.pathname} answered ${response.status} ${response.statusText}`);
  }
  let data;
  try {
    data = await response.json();
  } catch (error) {
    throw new CatalogError(`${CATALOG_URL.pathname} is not valid JSON: ${error.message}`, { cause: error });
  }
  return new Catalog(data);
}

/** The catalog's contents with lookups by path, by level and by referrer. */
export class Catalog {
  #assets = new Map();
  #children = new Map();
  #levels = new Map();

  constructor(data) {
    if (!data || !Array.isArray(data.assets) || !Array.isArray(data.levels)) {
      throw new CatalogError("the catalog needs an 'assets' and a 'levels' array");
    }
    this.title = String(data.title ?? "");
    for (const level of data.levels) {
      if (!Number.isInteger(level.level)) throw new CatalogError("every level needs an integer 'level'");
      this.#levels.set(level.level, { name: String(level.name), description: String(level.description ?? "") });
    }
    for (const asset of data.assets) {
      if (typeof asset.path !== "string" || !Number.isInteger(asset.level)) {
        throw new CatalogError(`asset ${JSON.stringify(asset)} needs a 'path' and an integer 'level'`);
      }
      if (!this.#levels.has(asset.level)) {
        throw new CatalogError(`asset ${asset.path} has the undescribed level ${asset.level}`);
      }
      const entry = Object.freeze({
        path: asset.path,
        level: asset.level,
        from: asset.from ?? null,
        via: String(asset.via ?? ""),
        as: String(asset.as ?? "other"),
        role: String(asset.role ?? ""),
      });
      this.#assets.set(entry.path, entry);
    }
    for (const asset of this.#assets.values()) {
      if (asset.from === null) continue;
      if (!this.#assets.has(asset.from)) {
        throw new CatalogError(`${asset.path} is said to come from ${asset.from}, which the catalog lacks`);
      }
      if (!this.#children.has(asset.from)) this.#children.set(asset.from, []);
      this.#children.get(asset.from).push(asset);
    }
  }

  /** Number of assets described. */
  get size() {
    return this.#assets.size;
  }

  /** The asset at `path` ("css/main.css"), or undefined. */
  get(path) {
    return this.#assets.get(path);
  }

  /** All assets in catalog order. */
  assets() {
    return [...this.#assets.values()];
  }

  /** The level numbers, ascending, each with its name and description. */
  levels() {
    return [...this.#levels.entries()]
      .sort(([a], [b]) => a - b)
      .map(([level, info]) => ({ level, ...info }));
  }

  /** Assets that `path` refers to directly, in catalog order. */
  childrenOf(path) {
    return this.#children.get(path) ?? [];
  }

  /** Assets that nothing refers to: the pages themselves. */
  roots() {
    return this.assets().filter((asset) => asset.from === null);
  }

  /** The chain from a page down to `path`, page first: ["index.html", "js/app.js", "js/catalog.js", ...]. */
  chainTo(path) {
    const chain = [];
    const seen = new Set();
    for (let asset = this.get(path); asset && !seen.has(asset.path); asset = this.get(asset.from)) {
      seen.add(asset.path);
      chain.unshift(asset.path);
      if (asset.from === null) break;
    }
    return chain;
  }

  /** How many assets each level has, as a Map level -> count. */
  countByLevel() {
    const counts = new Map(this.levels().map(({ level }) => [level, 0]));
    for (const asset of this.#assets.values()) counts.set(asset.level, counts.get(asset.level) + 1);
    return counts;
  }
}

/**
 * Renders the catalog as nested lists, one tree per page, into `container`. `sizes` maps a path to the bytes the
 * browser decoded for it (from Resource Timing); paths it lacks show no size.
 */
export function renderTree(catalog, container, sizes = new Map()) {
  const renderNode = (asset) => {
    const children = catalog.childrenOf(asset.path);
    const size = sizes.get(asset.path);
    return el(
      "li",
      { dataset: { level: asset.level } },
      el(
        "span",
        { class: "tree-node" },
        el("span", { class: "level-dot", title: `Level ${asset.level}` }),
        el("code", {}, asset.path),
        asset.via ? el("span", { class: "tree-via" }, asset.via) : null,
        size !== undefined ? el("span", { class: "tree-size" }, formatBytes(size)) : null,
        asset.role ? el("span", { class: "tree-role" }, asset.role) : null,
      ),
      children.length > 0 ? el("ul", {}, children.map(renderNode)) : null,
    );
  };
  replaceChildren(container, el("ul", { class: "discovery-tree" }, catalog.roots().map(renderNode)));
}
