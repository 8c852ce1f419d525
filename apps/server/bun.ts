/** The server on Bun: `bun run start:bun --db FILE --port N`. */
import { currentRuntime } from "./listeners.ts";
import { runServer } from "./run.ts";

await runServer(await currentRuntime());
