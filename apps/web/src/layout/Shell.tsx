import { useTranslation } from "react-i18next";
import { Link, Outlet, useNavigate } from "react-router";
import { homePath } from "../auth/roles";
import { useSession, useSignedInUser } from "../auth/SessionContext";
import { LanguageSwitch } from "./LanguageSwitch";
import { Navigation } from "./Navigation";

/** Every signed-in screen: the header (product, navigation for the role, the user,
 * language, sign-out) and the screen itself in <main>. */
export function Shell() {
  const { t } = useTranslation();
  const session = useSession();
  const user = useSignedInUser();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <header className="app-header">
        <Link to={homePath(user)} className="product">
          {t("product")}
        </Link>
        <Navigation user={user} />
        <div className="account">
          <Link to="/account/security" className="user-name">
            {user.displayName ?? user.email}
            {user.tenant && <span className="tenant-name"> · {user.tenant.companyName}</span>}
          </Link>
          <LanguageSwitch />
          <button
            type="button"
            onClick={() => {
              void session.signOut().then(() => navigate("/login", { replace: true }));
            }}
          >
            {t("signOut")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
