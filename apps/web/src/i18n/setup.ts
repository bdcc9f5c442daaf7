import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";
import { DEFAULT_LANGUAGE, type Language } from "./languages";
import { NAMESPACES, resources } from "./resources";

/** An i18next instance with every message bundled (no HTTP backend), in `language`. */
export function createI18n(language: Language): i18n {
  const instance = i18next.createInstance();
  instance.on("languageChanged", (lng) => {
    if (typeof document !== "undefined") document.documentElement.lang = lng;
  });
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: ["en", "fr", "nl"],
    ns: NAMESPACES,
    defaultNS: "common",
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
    returnNull: false,
  });
  return instance;
}
