import { Navigate, Outlet, useLocation } from "react-router";
import { Loading } from "../components/Loading";
import { homePath, isMarketOps } from "./roles";
import { useSessionState, useSignedInUser } from "./SessionContext";

/** Its routes need a signed-in user: while the session is restored, a wait; signed out,
 * the sign-in page, which comes back here afterwards. */
export function RequireSession() {
  const state = useSessionState();
  const location = useLocation();
  if (state.status === "restoring") return <Loading />;
  if (state.status === "signedOut") {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <Outlet />;
}

/** The console is market operations' alone: anyone else is sent to the portal. */
export function RequireMarketOps() {
  const user = useSignedInUser();
  return isMarketOps(user) ? <Outlet /> : <Navigate to="/portal" replace />;
}

/** `/`: the start page of the user's side. */
export function HomeRedirect() {
  const user = useSignedInUser();
  return <Navigate to={homePath(user)} replace />;
}
