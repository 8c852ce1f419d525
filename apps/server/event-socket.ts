/**
 * `/ws/events`, where the Python package's web app listens: every event of the hub as a
 * WebSocket message `{ type, payload }` under this server's own name, and, for an event about one
 * task, `task:updated` with its id and status as the package's gateway names it.
 */
import type { UpgradeWebSocket } from "hono/ws";
import type { CacheEvent, EventHub } from "./events.ts";

/** What the package's app reads: its own name for a change to one task, then ours. */
export function socketMessages(event: CacheEvent): { type: string; payload: Record<string, unknown> }[] {
  const { task_id, status } = event.data;
  const gateway =
    typeof task_id === "string"
      ? [{ type: "task:updated", payload: { task_id, ...(typeof status === "string" ? { status } : {}) } }]
      : [];
  return [...gateway, { type: event.type, payload: { ...event.data } }];
}

/** The route's handler: a listener on the hub for as long as the socket is open. */
export const eventSocket = (hub: EventHub, upgradeWebSocket: UpgradeWebSocket) =>
  upgradeWebSocket(() => {
    let listening: ReturnType<EventHub["listen"]> | undefined;
    return {
      onOpen(_event, ws) {
        listening = hub.listen(undefined, (event) => {
          for (const message of socketMessages(event)) ws.send(JSON.stringify(message));
        });
        // A socket never ends by itself; the server's shutdown ends it.
        void listening.closed.then(() => ws.close(1001, "the server is stopping"));
      },
      onClose() {
        listening?.stop();
      },
    };
  });
