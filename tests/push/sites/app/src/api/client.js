import { createStore } from "../store/index.js";
import "https://cdn.example.net/sentry.js";
export const request = (path) => fetch(path).then((r) => r.json(), createStore);
