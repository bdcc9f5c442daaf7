/** What a person reads for the names and choices of a step's JSON Schema: the schemas carry
 * no titles, so the portal's messages name each known field and choice. */
import type { RJSFSchema, UiSchema } from "@rjsf/utils";
import type { TFunction } from "i18next";
import english from "../i18n/en/portal.json";

type FieldName = keyof typeof english.fields;
type ValueName = keyof typeof english.values;

function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(english.fields, name);
}

function isValueName(name: string): name is ValueName {
  return Object.hasOwn(english.values, name);
}

/** `contractedCapacityKw` -> "Contracted capacity kw": a field the messages do not know yet. */
export function humanized(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[-_]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldLabel(name: string, t: TFunction<"portal">): string {
  return isFieldName(name) ? t(`fields.${name}`) : humanized(name);
}

export function valueLabel(value: unknown, t: TFunction<"portal">): string {
  const text = String(value);
  return isValueName(text) ? t(`values.${text}`) : text;
}

function isSchema(value: unknown): value is RJSFSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The uiSchema that titles every property and names every choice of `schema`. */
export function labelledUi(schema: RJSFSchema, t: TFunction<"portal">, name?: string): UiSchema {
  const ui: UiSchema = {};
  if (name !== undefined && schema.title === undefined) ui["ui:title"] = fieldLabel(name, t);
  if (Array.isArray(schema.enum)) ui["ui:enumNames"] = schema.enum.map((value) => valueLabel(value, t));
  if (isSchema(schema.properties)) {
    // stored schemas lose their properties' order (jsonb): the required ones first, as listed
    const required = Array.isArray(schema.required) ? schema.required.filter((key) => Object.hasOwn(schema.properties ?? {}, key)) : [];
    ui["ui:order"] = [...required, "*"];
    for (const [key, property] of Object.entries(schema.properties)) {
      if (isSchema(property)) ui[key] = labelledUi(property, t, key);
    }
  }
  if (isSchema(schema.items)) {
    // an entry's own title would be rjsf's `contacts-1`: the list's legend names them
    ui.items = { ...labelledUi(schema.items, t), "ui:options": { label: false } };
    ui["ui:options"] = { ...ui["ui:options"], orderable: false };
  }
  return ui;
}
