/**
 * The dashboard's one stylesheet and one script, served from here: no bundler, no CDN. The pages
 * work without the script; with it, they follow `/api/events` and refresh their main part.
 */

export const STYLE = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #d9dee8; --accent: #2b59c3; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f7f8fb; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
header strong { font-size: 1.05rem; }
nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
nav a[aria-current="page"] { font-weight: 600; text-decoration: underline; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: .75rem; margin: 1rem 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem; text-decoration: none; color: inherit; }
.card b { display: block; font-size: 1.6rem; }
.banner { background: #fff4e5; border: 1px solid #f0b35b; border-radius: 6px; padding: .5rem .75rem; margin-bottom: 1rem; }
.banner.problem { background: #fdecec; border-color: #e06c6c; }
p.matching a { margin-left: 1rem; }
.ranges a { margin-left: .75rem; align-self: center; }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; margin: .5rem 0 1rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg.chart .axis { font-size: 11px; fill: var(--muted); }
svg.chart .label { font-size: 13px; fill: var(--ink); }
svg.chart .axis-line { stroke: var(--line); }
.legend span { margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -1px; }
.scroll { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); }
form.filters, .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .75rem 0; }
label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
select, input, button { font: inherit; padding: .35rem .6rem; border: 1px solid var(--line); border-radius: 5px; background: #fff; }
button { cursor: pointer; }
button.danger { color: var(--bad); border-color: #e8b4b0; }
button[disabled] { opacity: .5; cursor: not-allowed; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 4px; background: #eef1f6; }
.status-failed { background: #fde7e5; color: var(--bad); }
.status-success { background: #e6f4ea; color: #1e6b34; }
.paging { display: flex; gap: 1rem; margin: .75rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; }
.tabs { display: flex; gap: .25rem; margin-top: 1rem; }
.tabs a { padding: .35rem .75rem; border: 1px solid var(--line); border-bottom: none; border-radius: 6px 6px 0 0; background: #eef1f6; text-decoration: none; }
.tabs a[aria-selected="true"] { background: #fff; font-weight: 600; }
.error { color: var(--bad); }
.conflict { margin-left: .4rem; padding: 0 .35rem; border-radius: 4px; font-size: .8rem; background: #fff4d6; color: #7a5200; }
table.versions td { white-space: normal; overflow-wrap: anywhere; max-width: 24rem; vertical-align: top; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 640px) { th.optional, td.optional { display: none; } main { padding: .5rem; } }
`;

/** Follows the event stream and refreshes the page's main part, so lists and counts stay current. */
export const LIVE_SCRIPT = `
(() => {
  if (!("EventSource" in window) || document.querySelector("main[data-live=off]")) return;
  const source = new EventSource("/api/events");
  let pending = false;
  const refresh = async () => {
    if (pending) return;
    pending = true;
    setTimeout(async () => {
      pending = false;
      const response = await fetch(location.href, { headers: { "x-uniqc-refresh": "1" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("main");
      const main = document.querySelector("main");
      // Keep what the person is doing: no refresh while a box is ticked or a field has focus.
      if (!fresh || !main || main.querySelector("input[type=checkbox]:checked")) return;
      if (main.contains(document.activeElement) && document.activeElement.matches("input, select")) return;
      main.replaceWith(fresh);
      document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    }, 150);
  };
  for (const type of ["task.saved", "task.archived", "task.restored", "task.deleted", "tasks.saved", "tasks.archived", "tasks.restored", "tasks.deleted", "cache.changed"]) {
    source.addEventListener(type, refresh);
  }
})();
`;
