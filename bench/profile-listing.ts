/**
 * Where a listing request's time goes on Node: the real server under load with `--cpu-prof`,
 * its profile summed by part (SQLite, row mapping, JSON, HTTP, Hono).
 *
 *   npx tsx bench/profile-listing.ts bench/out/read-1000000.sqlite ["/api/tasks?limit=100"]
 *   npx tsx bench/profile-listing.ts bench/out/read-1000000.sqlite cold
 *
 * `cold` asks for the newest listing at a different cursor each request, among the first
 * 100,000 tasks, so that no kept page answers: the query's own cost on cold rows.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import autocannon from "autocannon";
import { startAnnounced } from "../harness/server-process.ts";
import { cursorsInto, pick } from "./lib/http.ts";
import { benchArgs } from "./lib/args.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the request a function belongs to, from its name and file. */
function partOf({ functionName: name, url }: ProfileNode["callFrame"]): string {
  if (name === "(idle)" || name === "(program)") return "idle";
  if (name === "(garbage collector)") return "garbage collection";
  if (/adapters\//.test(url)) return "SQLite (the driver's native call)";
  if (name === "stringify" && !url) return "JSON.stringify of the response";
  if (/core\/task-rows/.test(url)) return "row mapping and JSON.parse of metadata";
  if (/\/core\//.test(url)) return "core";
  if (/valibot/.test(url)) return "validation";
  if (/node-server/.test(url) || /^node:/.test(url) || name === "writev" || name === "writeUtf8String")
    return "Node HTTP, streams and socket writes";
  if (/hono\/dist/.test(url)) return "Hono (routing, context, c.json)";
  if (/apps\/server/.test(url)) return "app handlers";
  return "other";
}

const { positionals } = benchArgs(import.meta.filename, {}, { positionals: true });
const [file = "bench/out/read-1000000.sqlite", path = "/api/tasks?limit=100"] = positionals;
const dir = mkdtempSync(join(tmpdir(), "uniqc-profile-"));
try {
  const server = await startAnnounced("profiled server", process.execPath, [
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
    "--import",
    "tsx",
    "apps/server/node.ts",
    "--port",
    "0",
    "--db",
    file,
  ]);
  const cold = path === "cold" ? await cursorsInto(`${server.base}/api`, "", { listing: "tasks" }, 100_000) : undefined;
  const load = await autocannon({
    url: `${server.base}${cold ? "/api/tasks?limit=100" : path}`,
    connections: 16,
    duration: 8,
    ...(cold
      ? {
          requests: [
            {
              method: "GET",
              setupRequest: (request) => ({ ...request, path: `/api/tasks?limit=100&cursor=${pick(cold)}` }),
            },
          ],
        }
      : {}),
  });
  await server.stop("SIGTERM");
  // The loader's worker writes a small profile of its own; the server's is the largest.
  const profiles = readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as Profile);
  const profile = profiles.sort((a, b) => b.samples.length - a.samples.length)[0]!;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parts = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const part = partOf(nodes.get(id)!.callFrame);
    parts.set(part, (parts.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...parts].filter(([part]) => part !== "idle").reduce((sum, [, t]) => sum + t, 0);
  const request = cold ? "/api/tasks?limit=100, a different cursor each request" : path;
  console.log(`GET ${request}: ${Math.round(load.requests.average)} req/s on Node ${process.versions.node}, ${file}\n`);
  console.log("| part of the request | share of busy CPU |\n| --- | ---: |");
  for (const [part, time] of [...parts].filter(([p]) => p !== "idle").sort((a, b) => b[1] - a[1])) {
    console.log(`| ${part} | ${((time / busy) * 100).toFixed(1)} % |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
