/**
 * Starts the real server as an OS process on a free loopback port, the way users start it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "node_modules", ".bin");

/**
 * The `deno run …` that `deno task start` runs, read from deno.json. Signals go straight to the
 * server this way, not through the task runner.
 */
function denoStartArgs(): string[] {
  const task: string = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).tasks.start;
  return task.replace(/^\$\(which deno\)\s+/, "").split(/\s+/);
}

/** How to start the server on each runtime, as the README says. */
export const RUNTIMES = {
  node: { command: process.execPath, args: ["--import", "tsx", "apps/server/node.ts"] },
  deno: { command: join(BIN, "deno"), args: denoStartArgs() },
  "deno task": { command: join(BIN, "deno"), args: ["task", "--quiet", "start"] },
  bun: { command: join(BIN, "bun"), args: ["apps/server/bun.ts"] },
} as const;

export type Runtime = keyof typeof RUNTIMES;

export interface ServerProcess {
  readonly base: string;
  readonly pid: number;
  readonly output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Each server starts in a process group of its own, and is stopped by the group: `deno task`
 * runs the server as a child of the task runner, and a signal to the runner alone leaves the
 * server running with no parent.
 */
const spawnGroup = (command: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true });

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is gone already.
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

/** Runs the server to completion, for starts that must fail. */
export async function runToExit(
  runtime: Runtime,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const { command, args: base } = RUNTIMES[runtime];
  const child = spawnGroup(command, [...base, ...args], env);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 30_000);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, output };
}

/** Starts a server with `--port 0` and waits for the line that says where it listens. */
export function startServer(runtime: Runtime, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const { command, args: base } = RUNTIMES[runtime];
  return startAnnounced(runtime, command, [...base, "--port", "0", ...args], env);
}

/** Starts any program that prints `on http://HOST:PORT` once it listens, and waits for that line. */
export async function startAnnounced(
  label: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const child = spawnGroup(command, args, env);
  let output = "";
  const base_url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, "SIGKILL");
      reject(new Error(`${label} server did not start:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /on (http:\/\/[^\s]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} server exited with ${code}:\n${output}`));
    });
  });
  return {
    base: base_url,
    pid: child.pid!,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      signalGroup(child, signal);
      const code = await exited(child);
      // Whatever the group's leader did, nothing of it may outlive the test.
      signalGroup(child, "SIGKILL");
      return code;
    },
  };
}

/**
 * Peak and current resident memory of a process, in MiB (Linux), and the anonymous part of it:
 * the heap and SQLite's page cache, without the file pages that SQLite maps (which the kernel
 * can drop), so it is where a leak shows.
 */
export function memory(pid: number): { peak: number; rss: number; anon: number; fileBacked: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return {
    peak: kib("VmHWM") / 1024,
    rss: kib("VmRSS") / 1024,
    anon: kib("RssAnon") / 1024,
    fileBacked: kib("RssFile") / 1024,
  };
}
