/**
 * A task's result as an SVG histogram: one bar per outcome, most frequent first, with its count
 * and probability. Beyond {@link MAX_BARS} outcomes the rest are summed into one last bar, so a
 * result of 1,024 outcomes stays readable and small.
 */

const MAX_BARS = 48;
const BAR = 18;
const LABEL = 120;
const PLOT = 320;

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The outcome counts in a stored result: `{ counts: {…} }`, `{ probabilities: {…} }`, or the
 * outcomes themselves at the top. Undefined when the result holds none.
 */
export function outcomesOf(result: unknown): Record<string, number> | undefined {
  const isOutcomes = (value: unknown): value is Record<string, number> =>
    !!value &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.values(value).every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0);
  if (!result || typeof result !== "object") return undefined;
  const record = result as Record<string, unknown>;
  for (const key of ["counts", "probabilities", "probs"]) if (isOutcomes(record[key])) return record[key];
  return isOutcomes(record) ? record : undefined;
}

export function histogramSvg(outcomes: Record<string, number>): string {
  const sorted = Object.entries(outcomes).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const total = sorted.reduce((sum, [, n]) => sum + n, 0) || 1;
  const shown: [string, number][] = sorted.slice(0, MAX_BARS);
  if (sorted.length > MAX_BARS) {
    const rest = sorted.slice(MAX_BARS);
    shown.push([`${rest.length} others`, rest.reduce((sum, [, n]) => sum + n, 0)]);
  }
  const top = Math.max(...shown.map(([, n]) => n)) || 1;
  const integers = Object.values(outcomes).every(Number.isInteger);
  const width = LABEL + PLOT + 140;
  const height = shown.length * BAR + 8;
  const bars = shown.map(([outcome, n], i) => {
    const y = 4 + i * BAR;
    const length = Math.max(1, (n / top) * PLOT);
    const figure = `${integers ? n.toLocaleString("en") : n.toPrecision(4)} (${((n / total) * 100).toFixed(n / total < 0.001 ? 3 : 1)} %)`;
    const other = i === MAX_BARS ? " other" : "";
    return `<g class="bar${other}"><text class="outcome" x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${escapeXml(outcome)}</text><rect x="${LABEL}" y="${y + 2}" width="${length.toFixed(1)}" height="${BAR - 5}"/><text class="figure" x="${LABEL + length + 6}" y="${y + 12}">${figure}</text></g>`;
  });
  // Scoped to this drawing: an inline SVG's style applies to the whole page it is in.
  const style = `<style>.uniqc-histogram rect{fill:#2b59c3}.uniqc-histogram .other rect{fill:#999}.uniqc-histogram text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#222}.uniqc-histogram .figure{fill:#555}</style>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="uniqc-histogram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${sorted.length} outcomes">${style}${bars.join("")}</svg>`;
}
