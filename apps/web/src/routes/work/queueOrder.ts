/** How the queue reads: what is overdue on top, most overdue first; then the API's order
 * (by due date, none last, then since when it waits). An item can fall overdue while the
 * screen is open, so "overdue" is judged against the ticking clock, not only `breached`. */

export interface QueueItem {
  id: string;
  dueAt: string | null;
  breached: boolean;
}

export function isOverdue(item: QueueItem, now: number): boolean {
  return item.breached || (item.dueAt !== null && Date.parse(item.dueAt) < now);
}

export function orderQueue<Item extends QueueItem>(items: readonly Item[], now: number): Item[] {
  const overdue = items.filter((item) => isOverdue(item, now));
  const rest = items.filter((item) => !isOverdue(item, now));
  const due = (item: Item) => (item.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(item.dueAt));
  // Array.prototype.sort is stable: equal due dates keep the API's order
  return [...overdue.sort((a, b) => due(a) - due(b)), ...rest];
}
