/** The frame of every dashboard page: title, navigation, the read-only banner. */
import type { Child } from "hono/jsx";

export interface PageFrame {
  title: string;
  /** Which navigation entry is the current page. */
  section: "overview" | "tasks" | "archive" | "activity";
  /** Why writes are refused, when the file may only be read. */
  readOnlyReason: string | undefined;
}

/**
 * `still` pages are not refreshed as tasks are written: figures over a whole range cost a pass over
 * it, which a busy writer would otherwise ask for again and again.
 */
export function Layout(props: PageFrame & { children?: Child; still?: boolean }) {
  const link = (section: PageFrame["section"], href: string, label: string) => (
    <a href={href} aria-current={props.section === section ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · uniqc tasks`}</title>
        <link rel="stylesheet" href="/ui/style.css" />
        <script src="/ui/live.js" defer></script>
      </head>
      <body>
        <header>
          <strong>uniqc tasks</strong>
          <nav aria-label="Sections">
            {link("overview", "/", "Overview")}
            {link("tasks", "/tasks", "Tasks")}
            {link("archive", "/archive", "Archive")}
            {link("activity", "/activity", "Activity")}
          </nav>
        </header>
        <main data-live={props.still ? "off" : undefined}>
          {props.readOnlyReason !== undefined && (
            <p class="banner" role="status">
              Read-only: {props.readOnlyReason}. Every action that would change the cache is disabled.
            </p>
          )}
          {props.children}
        </main>
      </body>
    </html>
  );
}
