/** The seam's own promises: transactions never interleave on one connection, and roll back on throw. */
import { describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createDriver } from "../../core/driver/driver.ts";

async function counterDriver() {
  const driver = createDriver(await openLocalFile(":memory:"));
  await driver.run("CREATE TABLE counter (n INTEGER NOT NULL)");
  await driver.run("INSERT INTO counter VALUES (0)");
  const read = async () => Number((await driver.all<{ n: number }>("SELECT n FROM counter"))[0]!.n);
  return { driver, read };
}

describe("driver", () => {
  it("runs concurrent read-modify-write transactions one after another", async () => {
    const { driver, read } = await counterDriver();
    await Promise.all(
      Array.from({ length: 50 }, () =>
        driver.transaction(async (tx) => {
          const [row] = await tx.all<{ n: number }>("SELECT n FROM counter");
          await new Promise((resolve) => setTimeout(resolve, 1));
          await tx.run("UPDATE counter SET n = ?", [Number(row!.n) + 1]);
        }),
      ),
    );
    expect(await read()).toBe(50);
    await driver.close();
  });

  it("keeps a plain statement out of another request's open transaction", async () => {
    const { driver, read } = await counterDriver();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const failing = driver.transaction(async (tx) => {
      await tx.run("UPDATE counter SET n = 100");
      await held;
      throw new Error("give up");
    });
    // Issued while the transaction is open; it must run after the rollback, not inside it.
    const plain = driver.run("UPDATE counter SET n = n + 1");
    release();
    await expect(failing).rejects.toThrow("give up");
    await plain;
    expect(await read()).toBe(1);
    await driver.close();
  });

  it("closes once, after the work in flight", async () => {
    const { driver, read } = await counterDriver();
    const pending = driver.transaction((tx) => tx.run("UPDATE counter SET n = 7"));
    const closing = [driver.close(), driver.close()];
    await pending;
    await Promise.all(closing);
    await expect(read()).rejects.toThrow();
  });
});
