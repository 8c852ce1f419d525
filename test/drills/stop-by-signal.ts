/**
 * Starts a server command as a user would, then sends one signal to the process the user started
 * (not to its group, as `kill PID` or a supervisor does) and reports how it ended and what of its
 * process tree was still running 5 s later.
 */
import { spawn } from "node:child_process";
import { descendants, isRunning, type ProcessEntry } from "../proc.ts";

export interface SignalOutcome {
  /** The exit code, or why there was none. */
  readonly exit: number | null | string;
  readonly output: string;
  readonly health: number;
  /** Processes of the tree still running, as "PID COMMAND". */
  readonly left: string[];
}

async function gone(tree: ProcessEntry[], withinMs: number): Promise<ProcessEntry[]> {
  const deadline = Date.now() + withinMs;
  let left = tree.filter(({ pid }) => isRunning(pid));
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = left.filter(({ pid }) => isRunning(pid));
  }
  return left;
}

export async function startThenSignal(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  signal: NodeJS.Signals,
): Promise<SignalOutcome> {
  // A group of its own only so that a failure can still clean up; the signal goes to one pid.
  const child = spawn(command, args, { ...options, detached: true });
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
    const health = (await fetch(`${base}/api/health`)).status;
    tree = descendants(child.pid!);
    process.kill(child.pid!, signal);
    const exit = await Promise.race([
      exited,
      new Promise<string>((resolve) => setTimeout(() => resolve("still running after 10 s"), 10_000)),
    ]);
    const left = await gone(tree, 5000);
    return { exit, output, health, left: left.map(({ pid, command }) => `${pid} ${command}`) };
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // The group is gone, as it should be.
    }
    for (const { pid } of tree) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  }
}
