import { useSearchParams } from "react-router";
import { CURSOR_PARAM, currentCursor, pageNumber } from "./cursorStack";

/** The current page's `after` cursor (for the query's variables) and its number. */
export function useCursor(param = CURSOR_PARAM): { after: string | null; page: number } {
  const [params] = useSearchParams();
  return { after: currentCursor(params, param), page: pageNumber(params, param) };
}
