/** The server on Node: `npm start -- --db FILE --port N`. */
import { listenNode } from "./listeners.ts";
import { runServer } from "./run.ts";

await runServer("node", listenNode);
