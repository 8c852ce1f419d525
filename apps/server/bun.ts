/** The server on Bun: `bun run start:bun --db FILE --port N`. */
import { listenBun } from "./listeners.ts";
import { runServer } from "./run.ts";

await runServer("bun", listenBun);
