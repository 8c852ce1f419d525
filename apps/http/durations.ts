/**
 * Durations as people write them in flags and queries (`72h`, `90d`, `30m`), shared by the
 * server's settings and requests and by the CLI.
 */
import * as v from "valibot";
import { HOUR_MS } from "../../core/index.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: HOUR_MS, d: 24 * HOUR_MS };

/** `72h`, `90d`, `30m`, `5s`, `500ms`: a duration with its unit, as milliseconds. */
export const DurationSchema = v.pipe(
  v.string(),
  v.regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, "must be a duration with its unit, such as 72h, 90d, 30m or 5s"),
  v.transform((text) => Math.round(Number.parseFloat(text) * UNITS[/[a-z]+$/.exec(text)![0]]!)),
);
