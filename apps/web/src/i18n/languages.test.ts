import { describe, expect, it } from "vitest";
import { activeLanguage, negotiateLanguage, readChosenLanguage, rememberChosenLanguage } from "./languages";

describe("negotiating the browser's languages", () => {
  it("takes the first of en/fr/nl in the browser's order, by primary subtag", () => {
    expect(negotiateLanguage(["fr-BE", "en-US"])).toBe("fr");
    expect(negotiateLanguage(["de-DE", "nl-BE", "fr"])).toBe("nl");
    expect(negotiateLanguage(["EN-gb"])).toBe("en");
  });

  it("falls back to English when the browser names none of them", () => {
    expect(negotiateLanguage(["de-DE", "es"])).toBe("en");
    expect(negotiateLanguage([])).toBe("en");
  });
});

describe("the active language", () => {
  it("is the signed-in user's locale, whatever was chosen or the browser says", () => {
    expect(activeLanguage({ userLocale: "nl", chosen: "fr", browser: ["en"] })).toBe("nl");
  });

  it("before sign-in, is the language chosen in the app, then the browser's", () => {
    expect(activeLanguage({ chosen: "fr", browser: ["nl-BE"] })).toBe("fr");
    expect(activeLanguage({ chosen: null, browser: ["nl-BE"] })).toBe("nl");
  });

  it("ignores a locale or a choice that is not one of en/fr/nl", () => {
    expect(activeLanguage({ userLocale: "de", chosen: "es", browser: ["fr"] })).toBe("fr");
  });

  it("remembers the chosen language in this browser", () => {
    rememberChosenLanguage(localStorage, "nl");
    expect(readChosenLanguage(localStorage)).toBe("nl");
    localStorage.setItem("wfm.language", "klingon");
    expect(readChosenLanguage(localStorage)).toBeNull();
    localStorage.clear();
  });
});
