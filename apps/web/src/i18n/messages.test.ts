import { describe, expect, it } from "vitest";
import { NAMESPACES, resources } from "./resources";

function keysOf(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]: [string, unknown]) =>
    typeof value === "object" && value !== null ? keysOf(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function emptyKeys(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]: [string, unknown]) => {
    if (typeof value === "object" && value !== null) return emptyKeys(value, `${prefix}${key}.`);
    return typeof value === "string" && value.trim() !== "" ? [] : [`${prefix}${key}`];
  });
}

describe.each(["fr", "nl"] as const)("the %s messages", (language) => {
  it.each(NAMESPACES)("have every key of the English %s messages, and no other", (namespace) => {
    expect(keysOf(resources[language][namespace]).sort()).toEqual(keysOf(resources.en[namespace]).sort());
  });
});

describe.each(["en", "fr", "nl"] as const)("the %s messages", (language) => {
  it("leave no message empty", () => {
    for (const namespace of NAMESPACES) expect(emptyKeys(resources[language][namespace])).toEqual([]);
  });
});
