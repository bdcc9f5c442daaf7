import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { graphql } from "../graphql";
import type { PaginationPageInfoFragment } from "../graphql/graphql";
import { CURSOR_PARAM, pageNumber, withNextPage, withPreviousPage } from "./cursorStack";

// what a list's query asks of its connection for the pagination: `pageInfo { ...PaginationPageInfo }`
graphql(`
  fragment PaginationPageInfo on PageInfo {
    hasNextPage
    endCursor
  }
`);

export interface PaginationProps {
  /** The connection's pageInfo */
  pageInfo: PaginationPageInfoFragment;
  /** The search parameter holding the cursor stack (two lists on one screen: two names) */
  param?: string;
}

/** Previous / next for a Relay-style connection; read the page's cursor with useCursor(). */
export function Pagination({ pageInfo, param = CURSOR_PARAM }: PaginationProps) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const page = pageNumber(params, param);
  const endCursor = pageInfo.endCursor;
  return (
    <nav className="pagination" aria-label={t("pagination.label")}>
      <button
        type="button"
        disabled={page === 1}
        onClick={() => {
          setParams(withPreviousPage(params, param));
        }}
      >
        {t("pagination.previous")}
      </button>
      <span aria-current="page">{t("pagination.page", { number: page })}</span>
      <button
        type="button"
        disabled={!pageInfo.hasNextPage || endCursor === null}
        onClick={() => {
          if (endCursor !== null) setParams(withNextPage(params, endCursor, param));
        }}
      >
        {t("pagination.next")}
      </button>
    </nav>
  );
}
