import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { TemplateDefinition } from "./definition";
import { layoutStepGraph, type StepGraph } from "./stepGraph";

/** A definition's step graph laid out, its labels in the current language (null: no definition). */
export function useStepGraph(definition: TemplateDefinition | null): StepGraph | null {
  const { t, i18n } = useTranslation("templates");
  return useMemo(
    () =>
      definition === null
        ? null
        : layoutStepGraph(definition, i18n.language, {
            end: t("graph.end"),
            otherwise: t("graph.otherwise"),
            gates: (names) => t("graph.gates", { names }),
            roles: (names) => t("graph.roles", { names }),
          }),
    [definition, i18n.language, t],
  );
}
