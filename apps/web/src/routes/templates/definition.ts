/** A template's definition (the JSON `Template.definition`, or a file about to be
 * published) read into what the screens show: steps, their transitions, SLAs. Read
 * leniently: a file may be incomplete, and the API says what is wrong with it. */

export interface Transition {
  /** The next step; null: the workflow ends */
  to: string | null;
  /** CEL condition; null: always taken */
  when: string | null;
  roles: string[];
  gates: string[];
}

export interface SchemaField {
  name: string;
  type: string;
  required: boolean;
}

export interface StepDefinition {
  id: string;
  type: string;
  /** Title by language code (en, fr, nl) */
  title: Record<string, string>;
  roles: string[];
  validators: string[];
  fields: SchemaField[];
  sla: { duration: string; escalateTo: string | null } | null;
  retry: { max: number | null; backoff: string | null } | null;
  enabledBy: string | null;
  skippedBy: string | null;
  /** Where the workflow goes after this step (the template's rules applied: no `next`
   * is the following step, or the end after the last step) */
  transitions: Transition[];
}

export interface TemplateDefinition {
  key: string | null;
  version: number | null;
  marketRole: string | null;
  steps: StepDefinition[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function localized(value: unknown): Record<string, string> {
  if (typeof value === "string") return { en: value };
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** A localized text in `language`, else English, else any language there is. */
export function inLanguage(texts: Record<string, string>, language: string, fallback: string): string {
  return texts[language] ?? texts.en ?? Object.values(texts)[0] ?? fallback;
}

function schemaFields(schema: unknown): SchemaField[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(strings(schema.required));
  return Object.entries(schema.properties).map(([name, property]) => {
    const type = isObject(property)
      ? (text(property.format) ?? (Array.isArray(property.enum) ? "enum" : null) ?? text(property.type) ?? "")
      : "";
    return { name, type, required: required.has(name) };
  });
}

function transitionsOf(value: unknown): Transition[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(isObject).map((transition) => ({
    to: text(transition.to),
    when: text(transition.when),
    roles: strings(transition.roles),
    gates: strings(transition.gates),
  }));
}

/** The definition's steps; null when it has none to show (not a template at all). */
export function readDefinition(value: unknown): TemplateDefinition | null {
  if (!isObject(value) || !Array.isArray(value.steps)) return null;
  const raw = value.steps.filter(isObject);
  const ids = raw.map((step, index) => text(step.id) ?? `#${String(index)}`);
  const steps = raw.map((step, index): StepDefinition => {
    const sla = isObject(step.sla) ? step.sla : null;
    const retry = isObject(step.retry) ? step.retry : null;
    const following = ids[index + 1];
    return {
      id: ids[index] ?? `#${String(index)}`,
      type: text(step.type) ?? "",
      title: localized(step.title),
      roles: strings(step.roles),
      validators: strings(step.validators),
      fields: schemaFields(step.schema),
      sla: sla ? { duration: text(sla.duration) ?? "", escalateTo: text(sla.escalateTo) } : null,
      retry: retry
        ? { max: typeof retry.max === "number" ? retry.max : null, backoff: text(retry.backoff) }
        : null,
      enabledBy: text(step.enabledBy),
      skippedBy: text(step.skippedBy),
      transitions: transitionsOf(step.next) ?? [
        { to: following ?? null, when: null, roles: [], gates: [] },
      ],
    };
  });
  return {
    key: text(value.key),
    version: typeof value.version === "number" ? value.version : null,
    marketRole: text(value.marketRole),
    steps,
  };
}
