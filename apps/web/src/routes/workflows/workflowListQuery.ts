/** The console's workflow list query, apart from its screen: the list's route starts it while
 * the screen's chunk loads (router.tsx), with the variables the screen then asks for. */
import { CURSOR_PARAM, currentCursor } from "../../components/cursorStack";
import { graphql } from "../../graphql";
import { routeQuery } from "../routeData";
import { localeOf } from "./usePollingFallback";
import { filterValuesOf, workflowFilterOf } from "./workflowFilter";

export const PAGE_SIZE = 25;

export const WorkflowListQuery = graphql(`
  query ConsoleWorkflowList($filter: WorkflowFilter, $first: Int!, $after: String, $locale: Locale) {
    workflows(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PaginationPageInfo
      }
      nodes {
        id
        status
        version
        marketRole
        currentStepId
        createdAt
        dueAt
        overdue
        tenant {
          id
          companyName
        }
        template {
          id
          key
          version
          steps {
            id
            title(locale: $locale)
          }
        }
      }
    }
  }
`);

/** The list's variables at an address, in a language: the filter and the page's cursor from
 * the search parameters, the step titles in the language. */
export function workflowListVariables(search: URLSearchParams, language: string) {
  return {
    filter: workflowFilterOf(filterValuesOf(search)),
    first: PAGE_SIZE,
    after: currentCursor(search, CURSOR_PARAM),
    locale: localeOf(language),
  };
}

export const workflowListData = routeQuery(WorkflowListQuery, ({ search, language }) =>
  workflowListVariables(search, language),
);
