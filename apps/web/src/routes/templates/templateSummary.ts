import { graphql } from "../../graphql";

/** A template version as the list and the detail page name it: `...TemplateSummary` in a
 * query's template selection (the detail adds its description and definition). */
export const TemplateSummaryFragment = graphql(`
  fragment TemplateSummary on Template {
    id
    key
    version
    status
    marketRole
    extends
    createdAt
    name
  }
`);
