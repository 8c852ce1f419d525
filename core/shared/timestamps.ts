/**
 * Timestamps in the Python store's form, `2026-05-03T08:05:27.123456+00:00`, so rows written by
 * either program sort together as strings.
 */

/** Returns the current time; injectable so tests can move it. */
export type Clock = () => Date;

/** Milliseconds in an hour: retention speaks in hours, clocks in milliseconds. */
export const HOUR_MS = 3_600_000;

/** The real clock. */
export const systemClock: Clock = () => new Date();

/** Formats an instant in UTC with microseconds and an explicit `+00:00` offset. */
export function formatTimestamp(date: Date, micros = 0): string {
  const iso = date.toISOString(); // 2026-05-03T08:05:27.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, "0")}+00:00`;
}

/** The current time in the stored form; the sub-millisecond digits come from the monotonic clock. */
export function nowTimestamp(clock: Clock): string {
  const micros = Math.floor((performance.now() * 1000) % 1000);
  return formatTimestamp(clock(), micros);
}

const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Brings an ISO-8601 timestamp to the stored form. A timestamp without an offset is taken as UTC,
 * as the Python store does. Returns undefined for anything that is not a valid timestamp.
 */
export function normalizeTimestamp(text: string): string | undefined {
  const match = ISO_TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, day, clock, fraction = "", zone = "Z"] = match;
  const seconds = clock!.length === 5 ? `${clock}:00` : clock;
  const offset =
    zone.toUpperCase() === "Z" ? "+00:00" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const digits = fraction.padEnd(6, "0").slice(0, 6);
  const date = new Date(`${day}T${seconds}.${digits.slice(0, 3)}${offset}`);
  // Date rolls 30 February over into March; a calendar date must survive the round trip.
  const calendar = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || Number.isNaN(calendar.getTime()) || calendar.toISOString().slice(0, 10) !== day) {
    return undefined;
  }
  return formatTimestamp(date, Number(digits.slice(3)));
}

/** The timestamp `hours` before the clock's now: what retention compares submit and archive times with. */
export const hoursBefore = (clock: Clock, hours: number): string =>
  formatTimestamp(new Date(clock().getTime() - hours * HOUR_MS));
