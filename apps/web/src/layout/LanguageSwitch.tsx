import { useId } from "react";
import { useTranslation } from "react-i18next";
import { LANGUAGES, isLanguage, rememberChosenLanguage } from "../i18n/languages";

/** The language of the app, now and (remembered in this browser) on the next visit. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <div className="language-switch">
      <label htmlFor={id}>{t("language.label")}</label>
      <select
        id={id}
        value={i18n.resolvedLanguage ?? i18n.language}
        onChange={(event) => {
          const language = event.target.value;
          if (!isLanguage(language)) return;
          rememberChosenLanguage(window.localStorage, language);
          void i18n.changeLanguage(language);
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {t(`language.${language}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
