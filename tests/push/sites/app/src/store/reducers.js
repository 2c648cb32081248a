import { createStore } from "./index.js"; // a cycle back to its importer
export const reducers = { createStore };
