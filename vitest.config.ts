import { defineConfig } from "vitest/config";

// One JSON report per Node major, so CI can add up the passes run on each; vitest's JSON
// report leaves out unhandled errors, which go to a file of their own.
const major = process.versions.node.split(".")[0];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Fails the run when a test leaves a server, a runtime or a Python writer running.
    globalSetup: ["test/no-process-left.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: [
      "default",
      ["json", { outputFile: `reports/vitest-node${major}.json` }],
      ["./test/unhandled-errors-reporter.ts", { outputFile: `reports/unhandled-node${major}.json` }],
    ],
  },
});
