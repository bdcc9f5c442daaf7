/** The languages of the app and the API, and which one a visitor gets (the API's rules:
 * the signed-in user's locale; before sign-in, the one chosen here, else the browser's
 * languages in order; else English). */

export const LANGUAGES = ["en", "fr", "nl"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

const CHOSEN_LANGUAGE_KEY = "wfm.language";

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** The first of en/fr/nl among the browser's languages (`navigator.languages`, most
 * preferred first), by primary subtag: fr-BE is French. */
export function negotiateLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.split("-")[0]?.toLowerCase() ?? "";
    if (isLanguage(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

export interface LanguageSources {
  /** The signed-in user's locale (`me.locale`), if signed in */
  userLocale?: string | null;
  /** The language picked with the switch, if any */
  chosen?: string | null;
  /** `navigator.languages` */
  browser: readonly string[];
}

export function activeLanguage({ userLocale, chosen, browser }: LanguageSources): Language {
  const user = userLocale?.toLowerCase();
  if (user && isLanguage(user)) return user;
  if (chosen && isLanguage(chosen)) return chosen;
  return negotiateLanguage(browser);
}

/** The language picked with the switch on an earlier visit (a preference, not a secret). */
export function readChosenLanguage(storage: Pick<Storage, "getItem"> | undefined): Language | null {
  try {
    const value = storage?.getItem(CHOSEN_LANGUAGE_KEY) ?? null;
    return value !== null && isLanguage(value) ? value : null;
  } catch {
    return null; // storage refused (privacy settings): no remembered choice
  }
}

export function rememberChosenLanguage(
  storage: Pick<Storage, "setItem"> | undefined,
  language: Language,
): void {
  try {
    storage?.setItem(CHOSEN_LANGUAGE_KEY, language);
  } catch {
    // storage refused: the choice lasts for this visit only
  }
}
