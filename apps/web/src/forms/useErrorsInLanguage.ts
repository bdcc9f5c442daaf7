import type Form from "@rjsf/core";
import { useEffect, useRef, type RefObject } from "react";
import { useTranslation } from "react-i18next";

/** rjsf keeps the messages of its last validation until the next edit: when the language
 * changes, the form `form` is validated again (its `transformErrors` now speaks the new
 * language) while `errorsShown` is true. `revalidating` is true during that validation, for
 * a `focusOnFirstError` that must not move the focus away from the language switch. */
export function useErrorsInLanguage<T>(
  form: RefObject<Form<T> | null>,
  errorsShown: boolean,
): { revalidating: RefObject<boolean> } {
  const { i18n } = useTranslation();
  const language = i18n.language;
  const shownIn = useRef(language);
  const revalidating = useRef(false);
  useEffect(() => {
    if (shownIn.current === language) return;
    shownIn.current = language;
    if (!errorsShown || form.current === null) return;
    revalidating.current = true;
    try {
      form.current.validateForm();
    } finally {
      revalidating.current = false;
    }
  }, [form, language, errorsShown]);
  return { revalidating };
}
