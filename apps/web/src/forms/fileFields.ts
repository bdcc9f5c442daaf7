/** The uiSchema that turns every `format: "file-id"` property of a step's schema into a file
 * field (./FileField.tsx), naming the sibling `name` property that takes the file's name. */
import type { RJSFSchema, UiSchema } from "@rjsf/utils";
import { FILE_FIELD, NAME_PROPERTY_OPTION } from "./FileField";

export const FILE_ID_FORMAT = "file-id";

function isSchema(value: unknown): value is RJSFSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isUi(value: unknown): value is UiSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFileId(schema: RJSFSchema): boolean {
  return schema.format === FILE_ID_FORMAT;
}

/** Whether `schema` has a file-id property anywhere: a step form that takes files. */
export function takesFiles(schema: unknown): boolean {
  if (!isSchema(schema)) return false;
  if (isFileId(schema)) return true;
  const properties = isSchema(schema.properties) ? Object.values(schema.properties) : [];
  return properties.some(takesFiles) || takesFiles(schema.items);
}

/** `ui` with the file fields of `schema` added (a copy; `ui` is left as it is). */
export function withFileFields(schema: RJSFSchema, ui: UiSchema = {}): UiSchema {
  const result: UiSchema = { ...ui };
  if (isSchema(schema.properties)) {
    const properties = schema.properties;
    const nameProperty = isSchema(properties.name) && properties.name.type === "string" ? "name" : null;
    for (const [key, property] of Object.entries(properties)) {
      if (!isSchema(property)) continue;
      const own = isUi(ui[key]) ? ui[key] : {};
      if (isFileId(property)) {
        const options = isUi(own["ui:options"]) ? own["ui:options"] : {};
        result[key] = {
          ...own,
          "ui:field": FILE_FIELD,
          "ui:options": nameProperty === null || nameProperty === key ? options : { ...options, [NAME_PROPERTY_OPTION]: nameProperty },
        };
      } else if (takesFiles(property)) {
        result[key] = withFileFields(property, own);
      }
    }
  }
  if (isSchema(schema.items) && takesFiles(schema.items)) {
    result.items = withFileFields(schema.items, isUi(ui.items) ? ui.items : {});
  }
  return result;
}
