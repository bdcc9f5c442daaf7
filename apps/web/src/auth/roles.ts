import type { SessionUser } from "./session";

export const MARKET_OPS = "market_ops";
export const TENANT_ADMIN = "tenant_admin";

export function isMarketOps(user: SessionUser): boolean {
  return user.role === MARKET_OPS;
}

/** Where `/` leads: the console for market operations, the portal for a tenant's people. */
export function homePath(user: SessionUser): string {
  return isMarketOps(user) ? "/console/work" : "/portal";
}

/** Where to go after signing in: `next` when it is a path of this app, else home. */
export function afterSignIn(next: string | null, user: SessionUser): string {
  if (next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login")) return next;
  return homePath(user);
}
