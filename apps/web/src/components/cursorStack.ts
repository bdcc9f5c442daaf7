/** Cursor pagination kept in the URL: `?after=c1&after=c2` is the stack of the `after`
 * cursors that led to the current page (its top is the current one), so that "previous"
 * pops it, a reload or a shared link shows the same page, and the Back button works. */

export const CURSOR_PARAM = "after";

export function cursorStack(params: URLSearchParams, param = CURSOR_PARAM): string[] {
  return params.getAll(param);
}

/** The `after` argument of the current page; null on the first page. */
export function currentCursor(params: URLSearchParams, param = CURSOR_PARAM): string | null {
  return cursorStack(params, param).at(-1) ?? null;
}

export function pageNumber(params: URLSearchParams, param = CURSOR_PARAM): number {
  return cursorStack(params, param).length + 1;
}

export function withNextPage(params: URLSearchParams, endCursor: string, param = CURSOR_PARAM): URLSearchParams {
  const next = new URLSearchParams(params);
  next.append(param, endCursor);
  return next;
}

export function withPreviousPage(params: URLSearchParams, param = CURSOR_PARAM): URLSearchParams {
  const next = new URLSearchParams(params);
  const stack = cursorStack(params, param);
  next.delete(param);
  for (const cursor of stack.slice(0, -1)) next.append(param, cursor);
  return next;
}

/** Back to the first page: what a change of filter or search must do. */
export function withFirstPage(params: URLSearchParams, param = CURSOR_PARAM): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete(param);
  return next;
}
