/**
 * A task's circuit as the Python gateway's web frontend shows it: an HTML fragment holding the
 * drawing, or, when there is no circuit of that format or it cannot be drawn, a block with the
 * circuit's text and the reason, so the tab always says something.
 */
import type { CircuitView } from "../../core/index.ts";
import { isCacheError } from "../../core/index.ts";
import { drawCircuit } from "../../core/quantum/drawing/index.ts";

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A note's own colours: the fragment lands in pages it does not style (the package's web app
 * among them, light or dark), so it never inherits a text colour its background hides.
 */
const NOTE_STYLE =
  "color:#1d2433;background:#f6f8fb;border:1px solid #d9dee8;border-radius:6px;padding:8px 12px;margin:0 0 8px";
const TEXT_STYLE = "white-space:pre-wrap;margin:8px 0 0;color:#1d2433";

/** The circuit's text: stored text as it is, anything else (an IR object) as JSON. */
export function circuitText(view: CircuitView): string | undefined {
  if (view.circuit === null || view.circuit === undefined) return undefined;
  return typeof view.circuit === "string" ? view.circuit : JSON.stringify(view.circuit, null, 2);
}

export function circuitFragment(view: CircuitView): string {
  const text = circuitText(view);
  const attributes = `data-task-id="${escapeXml(view.task_id)}" data-format="${view.format}"`;
  if (text === undefined) {
    return `<div class="circuit-fallback" style="${NOTE_STYLE}" ${attributes} data-reason="none"><p style="margin:0">No ${view.format} circuit is recorded for this task.</p></div>`;
  }
  // Said in words, so that the executed tab never passes off another circuit as what ran.
  const note = view.fallback
    ? `<p class="circuit-note" style="${NOTE_STYLE}" data-fallback="${view.fallback}">No executed circuit is recorded; this is the ${view.fallback} one.</p>`
    : "";
  try {
    return `<div class="circuit-svg" ${attributes} data-language="${escapeXml(view.language ?? "")}">${note}${drawCircuit(text)}</div>`;
  } catch (error) {
    if (!isCacheError(error)) throw error;
    return `<div class="circuit-fallback" style="${NOTE_STYLE}" ${attributes} data-reason="unreadable">${note}<p style="margin:0">${escapeXml(error.message)}</p><pre class="circuit-text" style="${TEXT_STYLE}">${escapeXml(text)}</pre></div>`;
  }
}
