// Bundled messages, one file per area and language (src/i18n/<language>/<area>.json), so
// that each screen's messages can be edited without touching another's.
import enAccount from "./en/account.json";
import enAuth from "./en/auth.json";
import enCommon from "./en/common.json";
import enFiles from "./en/files.json";
import enOperations from "./en/operations.json";
import enPortal from "./en/portal.json";
import enPrivacy from "./en/privacy.json";
import enTemplates from "./en/templates.json";
import enTenants from "./en/tenants.json";
import enWork from "./en/work.json";
import enWorkflows from "./en/workflows.json";
import frAccount from "./fr/account.json";
import frAuth from "./fr/auth.json";
import frCommon from "./fr/common.json";
import frFiles from "./fr/files.json";
import frOperations from "./fr/operations.json";
import frPortal from "./fr/portal.json";
import frPrivacy from "./fr/privacy.json";
import frTemplates from "./fr/templates.json";
import frTenants from "./fr/tenants.json";
import frWork from "./fr/work.json";
import frWorkflows from "./fr/workflows.json";
import nlAccount from "./nl/account.json";
import nlAuth from "./nl/auth.json";
import nlCommon from "./nl/common.json";
import nlFiles from "./nl/files.json";
import nlOperations from "./nl/operations.json";
import nlPortal from "./nl/portal.json";
import nlPrivacy from "./nl/privacy.json";
import nlTemplates from "./nl/templates.json";
import nlTenants from "./nl/tenants.json";
import nlWork from "./nl/work.json";
import nlWorkflows from "./nl/workflows.json";

export const NAMESPACES = [
  "common",
  "auth",
  "work",
  "workflows",
  "tenants",
  "templates",
  "operations",
  "portal",
  "account",
  "files",
  "privacy",
] as const;

export type Namespace = (typeof NAMESPACES)[number];

const en = {
  common: enCommon,
  auth: enAuth,
  work: enWork,
  workflows: enWorkflows,
  tenants: enTenants,
  templates: enTemplates,
  operations: enOperations,
  portal: enPortal,
  account: enAccount,
  files: enFiles,
  privacy: enPrivacy,
};

// English is the reference: every other language has its keys (src/i18n/messages.test.ts)
export type Messages = typeof en;

export const resources: Record<"en" | "fr" | "nl", Record<Namespace, object>> & { en: Messages } = {
  en,
  fr: {
    common: frCommon,
    auth: frAuth,
    work: frWork,
    workflows: frWorkflows,
    tenants: frTenants,
    templates: frTemplates,
    operations: frOperations,
    portal: frPortal,
    account: frAccount,
    files: frFiles,
    privacy: frPrivacy,
  },
  nl: {
    common: nlCommon,
    auth: nlAuth,
    work: nlWork,
    workflows: nlWorkflows,
    tenants: nlTenants,
    templates: nlTemplates,
    operations: nlOperations,
    portal: nlPortal,
    account: nlAccount,
    files: nlFiles,
    privacy: nlPrivacy,
  },
};
