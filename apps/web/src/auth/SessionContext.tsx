import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { Session, SessionState, SessionUser } from "./session";

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext value={session}>{children}</SessionContext>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession needs a <SessionProvider>");
  return session;
}

export function useSessionState(): SessionState {
  const session = useSession();
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}

/** The signed-in user; only under <RequireSession>, which renders nothing else. */
export function useSignedInUser(): SessionUser {
  const state = useSessionState();
  if (state.status !== "signedIn") throw new Error("useSignedInUser outside <RequireSession>");
  return state.user;
}
