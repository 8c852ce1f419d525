/** The server on Deno: `deno task start --db FILE --port N`. */
import { currentRuntime } from "./listeners.ts";
import { runServer } from "./run.ts";

await runServer(await currentRuntime());
