/**
 * A replica's owner for the sync fault drill: opens the replica at `path` (server `url`),
 * records a final result for each of its tasks `prefix-0…count-1`, says "committed", then runs
 * sync rounds until it is killed, saying "round" before each.
 */
import { openCache } from "../../adapters/open.ts";

const [path, url, prefix, count] = process.argv.slice(2);
const cache = await openCache(path!, { syncUrl: url!, syncIntervalMs: 0 });
for (let i = 0; i < Number(count); i++) {
  await cache.save({
    task_id: `${prefix}-${i}`,
    backend: "originq:WK_C180",
    status: "success",
    result: { counts: { [prefix!]: i } },
  });
}
process.stdout.write("committed\n");
for (;;) {
  process.stdout.write("round\n");
  await cache.sync().catch(() => undefined);
}
