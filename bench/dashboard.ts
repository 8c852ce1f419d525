/**
 * The dashboard over HTTP, next to the JSON it is built from, and the cost of idle event-stream
 * clients, on the real Node server:
 *
 *   npx tsx bench/dashboard.ts                 # 100k tasks, 5 s per URL, 200 idle streams
 *
 * Pages are measured on the same URL over and over, as a dashboard left open asks, and with
 * kept answers (the server's default).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { memory, startServer } from "../harness/server-process.ts";
import { DEFAULTS, generate } from "../harness/generate.ts";
import { load } from "./lib/http.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  rows: { type: "string" },
  seconds: { type: "string" },
  clients: { type: "string" },
});
const rows = Number(values.rows ?? 100_000);
const seconds = Number(values.seconds ?? 5);
const clients = Number(values.clients ?? 200);
const file = join(import.meta.dirname, "out", `dashboard-${rows}.sqlite`);
await generate(file, { ...DEFAULTS, rows, archived: 0.095 });

/** CPU seconds the process has used (user and system), from /proc. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const server = await startServer("node", ["--db", file]);
try {
  const pairs: [string, string][] = [
    ["tasks, newest 100", "/tasks?limit=100"],
    ["failed tasks, 100", "/tasks?status=failed&limit=100"],
    ["overview", "/"],
  ];
  const json: Record<string, string> = {
    "/tasks?limit=100": "/api/tasks?limit=100",
    "/tasks?status=failed&limit=100": "/api/tasks?status=failed&limit=100",
    "/": "/api/tasks/counts",
  };
  console.log(`Node server, ${rows.toLocaleString("en")} tasks, same URL for ${seconds} s, 16 connections.\n`);
  console.log(
    "| page | page req/s | page p99 ms | JSON it is built from | JSON req/s | page / JSON |\n| --- | ---: | ---: | --- | ---: | ---: |",
  );
  for (const [name, path] of pairs) {
    const page = await load(`${server.base}${path}`, seconds);
    const api = await load(`${server.base}${json[path]}`, seconds);
    console.log(
      `| ${name} (\`${path}\`) | ${Math.round(page.rps).toLocaleString("en")} | ${page.p99} | \`${json[path]}\` | ${Math.round(api.rps).toLocaleString("en")} | ${(page.rps / api.rps).toFixed(2)} |`,
    );
  }

  const idle = async (ms: number) => {
    const before = cpuSeconds(server.pid);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ((cpuSeconds(server.pid) - before) / (ms / 1000)) * 100;
  };
  const quiet = { memory: memory(server.pid), cpu: await idle(10_000) };
  const streams = await Promise.all(
    Array.from({ length: clients }, async () => {
      const controller = new AbortController();
      const response = await fetch(`${server.base}/api/events`, { signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read();
      return controller;
    }),
  );
  const held = { memory: memory(server.pid), cpu: await idle(10_000) };
  for (const controller of streams) controller.abort();
  console.log(`\n| server | RSS MiB | anonymous MiB | CPU over 10 s idle |\n| --- | ---: | ---: | ---: |`);
  console.log(
    `| no event-stream clients | ${quiet.memory.rss.toFixed(0)} | ${quiet.memory.anon.toFixed(0)} | ${quiet.cpu.toFixed(1)} % |`,
  );
  console.log(
    `| ${clients} idle event-stream clients | ${held.memory.rss.toFixed(0)} | ${held.memory.anon.toFixed(0)} | ${held.cpu.toFixed(1)} % |`,
  );
} finally {
  await server.stop("SIGKILL");
}
