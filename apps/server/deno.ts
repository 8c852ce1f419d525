/** The server on Deno: `deno task start --db FILE --port N`. */
import { listenDeno } from "./listeners.ts";
import { runServer } from "./run.ts";

await runServer("deno", listenDeno);
