import "i18next";
import type { Messages } from "./resources";

// Message keys are checked by tsc: `t("common:nav.workflows")` must exist in English.
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "common";
    resources: Messages;
  }
}
