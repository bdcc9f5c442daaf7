import { useMutation } from "urql";
import { graphql } from "../../graphql";
import type { PublishedTemplate, TemplateCheck } from "./PublishForm";

export const PublishTemplateMutation = graphql(`
  mutation PublishTemplate($definition: JSON!) {
    publishTemplate(definition: $definition) {
      id
      key
      version
      marketRole
      status
    }
  }
`);

export const ValidateTemplateMutation = graphql(`
  mutation ValidateTemplate($definition: JSON!) {
    validateTemplate(definition: $definition) {
      valid
      errors {
        path
        message
      }
    }
  }
`);

/** Checking and publishing a template file: what PublishForm needs from the API. */
export function usePublishTemplate() {
  const [result, publish] = useMutation(PublishTemplateMutation);
  const [validation, validate] = useMutation(ValidateTemplateMutation);
  const published: PublishedTemplate | null = result.data?.publishTemplate ?? null;
  const checked: TemplateCheck | null = validation.data?.validateTemplate ?? null;
  return {
    onPublish: (definition: unknown) => {
      void publish({ definition });
    },
    fetching: result.fetching,
    error: result.error,
    published,
    onCheck: (definition: unknown) => {
      void validate({ definition });
    },
    checking: validation.fetching,
    checkError: validation.error,
    checked,
  };
}

/** Where a template version is shown */
export function templatePath(template: { key: string; version: number; marketRole: string | null }): string {
  const params = new URLSearchParams({ version: String(template.version) });
  if (template.marketRole !== null) params.set("role", template.marketRole);
  return `/console/templates/${encodeURIComponent(template.key)}?${params.toString()}`;
}
