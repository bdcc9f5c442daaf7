import type { SessionUser } from "../auth/session";

export const marketOps: SessionUser = {
  id: "00000000-0000-0000-0000-00000000000a",
  email: "ops@tso.example",
  displayName: "Olivia Ops",
  role: "market_ops",
  locale: "en",
  permissions: [],
  tenant: null,
};

export const tenantAdmin: SessionUser = {
  id: "00000000-0000-0000-0000-00000000000b",
  email: "admin@brp.example",
  displayName: "Ada Admin",
  role: "tenant_admin",
  locale: "en",
  permissions: ["users.manage"],
  tenant: { id: "00000000-0000-0000-0000-0000000000c1", companyName: "Balance BV" },
};

export const tenantUser: SessionUser = {
  ...tenantAdmin,
  id: "00000000-0000-0000-0000-00000000000c",
  email: "user@brp.example",
  displayName: "Umberto User",
  role: "tenant_user",
  permissions: [],
};
