/** Several OS processes on one file, and the default location, as users run them. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCache } from "../adapters/open.ts";
import { tempDir } from "./contract/fixtures.ts";

const WRITER = join(import.meta.dirname, "fixtures", "writer.ts");

function runNode(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { env, cwd: join(import.meta.dirname, "..") });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("processes", () => {
  it("two OS processes migrating and writing the same new file lose nothing", async () => {
    const temp = tempDir();
    try {
      const path = temp.file("shared.sqlite");
      const count = 400;
      // Far enough ahead for both processes to have started.
      const startAt = String(Date.now() + 3000);
      const results = await Promise.all([
        runNode([WRITER, path, "a", String(count), startAt]),
        runNode([WRITER, path, "b", String(count), startAt]),
      ]);
      for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
      // The writers must really have overlapped, or this would test nothing.
      const [a, b] = results.map((result) => JSON.parse(result.stdout) as { start: number; end: number });
      expect(a!.start < b!.end && b!.start < a!.end).toBe(true);
      const cache = await openCache(path);
      expect(cache.info.applied).toEqual([]);
      expect((await cache.count()) + (await cache.countArchived())).toBe(2 * count);
      // Every third id stays archived unless it is a sixth; the rest were updated to success.
      const archivedPerWriter = Array.from({ length: count }, (_, i) => i).filter(
        (i) => i % 3 === 0 && i % 6 !== 0,
      ).length;
      expect(await cache.countArchived()).toBe(2 * archivedPerWriter);
      for (const prefix of ["a", "b"]) {
        for (let i = 0; i < count; i++) {
          const active = await cache.get(`${prefix}-${i}`);
          const archived = await cache.getArchived(`${prefix}-${i}`);
          expect(Boolean(active) !== Boolean(archived)).toBe(true);
        }
      }
      expect(await cache.count({ status: "success" })).toBe(2 * (count - Math.ceil(count / 3)));
      await cache.close();
    } finally {
      temp.remove();
    }
  });

  it("with no path the cache lives at ~/.uniqc/cache/tasks.sqlite, folders created", async () => {
    const temp = tempDir();
    try {
      const script =
        "import { openCache } from './adapters/open.ts'; const c = await openCache(); await c.save({ task_id: 'home', backend: 'dummy', status: 'pending' }); await c.close();";
      const result = await runNode(["--input-type=module", "-e", script], { ...process.env, HOME: temp.dir });
      expect(result, result.stderr).toMatchObject({ code: 0 });
      const path = join(temp.dir, ".uniqc", "cache", "tasks.sqlite");
      expect(existsSync(path)).toBe(true);
      const cache = await openCache(path);
      expect((await cache.get("home"))?.status).toBe("pending");
      await cache.close();
    } finally {
      temp.remove();
    }
  });
});
