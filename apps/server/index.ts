/**
 * What the rest of the project may use of the server: starting it, on the runtime at hand, and
 * the error its settings raise. Everything else in this folder is the server's own.
 */
export { ConfigError } from "./config.ts";
export { currentRuntime } from "./listeners.ts";
export { runServer } from "./run.ts";
