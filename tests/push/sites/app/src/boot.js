import "./main.js";
import { h } from "./dom.js";
export function boot(root) { root.append(h("p")); }
