// Entry point. import "./not-this.js" is only a comment.
import { createStore } from "./store/index.js";
import * as api from "./api/client.js";
import config from "../config/app.json" with { type: "json" };
import sheet from "./styles/widgets.css" with { type: "css" };
export { version } from "./version.js";

const pattern = /import "\.\/regex.js"/g;
const text = `import "./template.js"`;
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const wasm = new URL("../wasm/engine.wasm", import.meta.url);

async function openSettings() {
  const view = await import("./views/settings.js");
  view.show();
}
if (location.hash) import(`./views/${location.hash.slice(1)}.js`);
fetch("/api/tasks");
document.adoptedStyleSheets = [sheet];
createStore(api, config, pattern, text, worker, wasm, openSettings);
