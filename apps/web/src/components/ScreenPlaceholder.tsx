import { useTranslation } from "react-i18next";

/** A screen that is not built yet: its heading, and a word that it is coming. */
export function ScreenPlaceholder({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{title}</h1>
      <p>{t("comingSoon")}</p>
    </section>
  );
}
