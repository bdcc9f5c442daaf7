import { describe, expect, it } from "vitest";
import { LANGUAGES } from "./languages";
import { NAMESPACES, resources } from "./resources";

// i18next's plural forms: `caption_one`, `caption_other`, and `_many` in French (a million and up)
const PLURAL_FORM = /_(zero|one|two|few|many|other)$/;

function messagesOf(messages: object, prefix = ""): [string, unknown][] {
  return Object.entries(messages).flatMap(([key, value]: [string, unknown]): [string, unknown][] =>
    typeof value === "object" && value !== null ? messagesOf(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value]],
  );
}

function keysOf(messages: object): string[] {
  return messagesOf(messages).map(([key]) => key);
}

/** The keys with each plural message once, by its name without the form. */
function messageNames(messages: object): string[] {
  return [...new Set(keysOf(messages).map((key) => key.replace(PLURAL_FORM, "")))].sort();
}

/** Each plural message's name and the forms it has. */
function pluralForms(messages: object): Map<string, string[]> {
  const forms = new Map<string, string[]>();
  for (const key of keysOf(messages)) {
    const form = PLURAL_FORM.exec(key)?.[1];
    if (form === undefined) continue;
    const name = key.replace(PLURAL_FORM, "");
    forms.set(name, [...(forms.get(name) ?? []), form].sort());
  }
  return forms;
}

describe.each(["fr", "nl"] as const)("the %s messages", (language) => {
  it.each(NAMESPACES)("have every message of the English %s messages, and no other", (namespace) => {
    expect(messageNames(resources[language][namespace])).toEqual(messageNames(resources.en[namespace]));
  });
});

describe.each(LANGUAGES)("the %s messages", (language) => {
  it("leave no message empty", () => {
    for (const namespace of NAMESPACES) {
      const empty = messagesOf(resources[language][namespace]).filter(
        ([, value]) => typeof value !== "string" || value.trim() === "",
      );
      expect(empty).toEqual([]);
    }
  });

  it("give every count the plural forms of the language", () => {
    const needed = [...new Intl.PluralRules(language).resolvedOptions().pluralCategories].sort();
    for (const namespace of NAMESPACES) {
      for (const [name, forms] of pluralForms(resources[language][namespace])) {
        expect({ message: `${namespace}:${name}`, forms }).toEqual({ message: `${namespace}:${name}`, forms: needed });
      }
    }
  });

  it("put a counted word in plural messages only (“1 item”, “42 items”)", () => {
    const counted = /\{\{count\}\}\s*\p{L}/u;
    for (const namespace of NAMESPACES) {
      const singular = messagesOf(resources[language][namespace]).filter(
        ([key, value]) => typeof value === "string" && counted.test(value) && !PLURAL_FORM.test(key),
      );
      expect(singular).toEqual([]);
    }
  });
});
