/**
 * Every way the README starts the server stops on SIGTERM and on SIGINT sent to the command the
 * user ran (not to its process group, as `kill PID` or a supervisor does), finishing cleanly and
 * leaving no process of its tree behind.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../contract/fixtures.ts";
import { descendants, isRunning, type ProcessEntry } from "../proc.ts";
import { ROOT } from "../server/server-process.ts";

/** As a user's shell finds them: the runtimes `npm install` put in node_modules/.bin. */
const PATH = `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`;

const START_COMMANDS: [string, string[]][] = [
  ["npm start --", ["npm", "start", "--"]],
  ["deno task start", ["deno", "task", "start"]],
  ["npm run start:bun --", ["npm", "run", "start:bun", "--"]],
  ["npm run cli -- serve", ["npm", "run", "cli", "--", "serve"]],
  ["deno task cli serve", ["deno", "task", "cli", "serve"]],
  ["bun apps/cli/main.ts serve", ["bun", "apps/cli/main.ts", "serve"]],
];

async function gone(tree: ProcessEntry[], withinMs: number): Promise<ProcessEntry[]> {
  const deadline = Date.now() + withinMs;
  let left = tree.filter(({ pid }) => isRunning(pid));
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = left.filter(({ pid }) => isRunning(pid));
  }
  return left;
}

describe.each(START_COMMANDS)("%s", (_, [command, ...args]) => {
  it.each(["SIGTERM", "SIGINT"] as const)("stops on %s with exit 0 and nothing left running", async (signal) => {
    const temp = tempDir("uniqc-signal-");
    // A group of its own only so that a failure can still clean up; the signal goes to one pid.
    const child = spawn(command!, [...args, "--db", temp.file("tasks.sqlite"), "--port", "0"], { cwd: ROOT, env: { ...process.env, PATH }, detached: true });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let tree: ProcessEntry[] = [];
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /on (http:\/\/\S+:\d+)/.exec(output);
          if (match) {
            clearInterval(timer);
            resolve(match[1]!);
          }
        }, 50);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited with ${code} before listening:\n${output}`));
        });
      });
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
      tree = descendants(child.pid!);
      process.kill(child.pid!, signal);
      const stopped = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("still running after 10 s"), 10_000))]);
      expect(stopped, output).toBe(0);
      expect(output).toContain(`${signal}: finishing requests in flight`);
      const left = await gone(tree, 5000);
      expect(left.map(({ pid, command }) => `${pid} ${command}`)).toEqual([]);
    } finally {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // The group is gone, as it should be.
      }
      for (const { pid } of tree) if (isRunning(pid)) process.kill(pid, "SIGKILL");
      temp.remove();
    }
  }, 30_000);
});
