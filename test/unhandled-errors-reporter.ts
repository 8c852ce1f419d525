/**
 * A vitest reporter that writes the run's unhandled errors (a rejection nobody awaited, an error
 * thrown after its test ended) to a file: vitest fails the run for them, but its JSON report
 * says nothing of them, and that report is what CI adds up (scripts/test-summary.mjs).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Reporter, SerializedError } from "vitest/node";

export default class UnhandledErrorsReporter implements Reporter {
  readonly #outputFile: string;
  constructor({ outputFile }: { outputFile: string }) {
    this.#outputFile = outputFile;
  }
  onInit() {
    rmSync(this.#outputFile, { force: true });
  }
  onTestRunEnd(_modules: unknown, errors: ReadonlyArray<SerializedError>) {
    if (errors.length === 0) return;
    mkdirSync(dirname(this.#outputFile), { recursive: true });
    writeFileSync(
      this.#outputFile,
      JSON.stringify({ errors: errors.map((error) => `${error.name ?? "Error"}: ${error.message}`) }),
    );
  }
}
