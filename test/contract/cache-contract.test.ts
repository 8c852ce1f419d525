/** The behaviour suite, once per adapter available on this Node. */
import { afterAll, describe, it } from "vitest";
import { appliesTo, cacheContract } from "./cache-contract.ts";
import { contractTargets } from "./targets.ts";

const { targets, cleanup } = await contractTargets();
afterAll(cleanup);

for (const target of targets) {
  describe(target.name, () => {
    for (const contractCase of cacheContract) {
      if (!appliesTo(contractCase, target)) continue;
      it(contractCase.name, () => contractCase.run(target));
    }
  });
}
