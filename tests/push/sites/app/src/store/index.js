import { request } from "../api/client.js";
export * from "./reducers.js";
export function createStore() { return request; }
