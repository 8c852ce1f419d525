/**
 * Sustained load, short form: each runtime's server takes the mixed load of bench/sustained.ts
 * for `UNIQC_DRILL_SECONDS` (5 here) at 200 requests a second, and must hold the rate with no
 * error and no non-2xx answer. `npx tsx bench/sustained.ts` is the long form (60 s at 400/s).
 */
import { describe, expect, it } from "vitest";
import { sustainOnFreshFile } from "../../harness/sustained.ts";

const SECONDS = Number(process.env.UNIQC_DRILL_SECONDS ?? 5);
const RATE = 200;

describe.each(["node", "deno", "bun"] as const)("%s", (runtime) => {
  it(
    `holds ${RATE} mixed requests a second for ${SECONDS} s with no error`,
    async () => {
      const row = await sustainOnFreshFile(runtime, { seconds: SECONDS, rate: RATE });
      expect({ errors: row.errors, non2xx: row.non2xx }).toEqual({ errors: 0, non2xx: 0 });
      // A loaded machine may fall a little behind the schedule; a server that cannot keep up falls far.
      expect(row.held).toBeGreaterThan(RATE * 0.8);
    },
    (SECONDS + 60) * 1000,
  );
});
