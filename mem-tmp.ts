import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { startServer } from "./test/server/server-process.ts";
const server = await startServer("node", ["--db", "bench/out/read-1000000.sqlite"]);
const mem = () => readFileSync(`/proc/${server.pid}/status`, "utf8").split("\n").filter((l) => /^RssAnon/.test(l)).join(" ");
const first = await (await fetch(`${server.base}/api/tasks?limit=1&offset=1000`)).json();
const url = `${server.base}/api/tasks/${first.tasks[0].task_id}`;
console.log("start", mem());
for (let round = 1; round <= 3; round++) { await autocannon({ url, connections: 16, amount: 100_000 }); console.log(`get ${round * 100}k`, mem()); }
await server.stop("SIGKILL");
