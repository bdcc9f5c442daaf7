import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from "react";
import type { RouteObject } from "react-router";
import { HomeRedirect, RequireMarketOps, RequireSession } from "./auth/RequireSession";
import { Loading } from "./components/Loading";
import { Shell } from "./layout/Shell";
import { Login } from "./routes/login/Login";
import { NotFound } from "./routes/NotFound";

/** A screen loaded when first opened: each is a chunk of its own (with what only it uses,
 * the step forms' validator or the template graph's layout, say), so that the sign-in page
 * and the shell load alone. */
function screen<Name extends string>(
  load: () => Promise<Record<Name, ComponentType>>,
  name: Name,
): LazyExoticComponent<ComponentType> {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

const WorkQueue = screen(() => import("./routes/work/WorkQueue"), "WorkQueue");
const WorkflowList = screen(() => import("./routes/workflows/WorkflowList"), "WorkflowList");
const WorkflowDetail = screen(() => import("./routes/workflows/WorkflowDetail"), "WorkflowDetail");
const TenantList = screen(() => import("./routes/tenants/TenantList"), "TenantList");
const TenantDetail = screen(() => import("./routes/tenants/TenantDetail"), "TenantDetail");
const TemplateList = screen(() => import("./routes/templates/TemplateList"), "TemplateList");
const TemplateDetail = screen(() => import("./routes/templates/TemplateDetail"), "TemplateDetail");
const Operations = screen(() => import("./routes/operations/Operations"), "Operations");
const MyWorkflows = screen(() => import("./routes/portal/MyWorkflows"), "MyWorkflows");
const StartWorkflow = screen(() => import("./routes/portal/StartWorkflow"), "StartWorkflow");
const PortalWorkflow = screen(() => import("./routes/portal/PortalWorkflow"), "PortalWorkflow");
const TenantUsers = screen(() => import("./routes/portal/TenantUsers"), "TenantUsers");
const Notifications = screen(() => import("./routes/notifications/Notifications"), "Notifications");
const Security = screen(() => import("./routes/account/Security"), "Security");

/** A lazily loaded screen, "Loading…" until its chunk has come. */
function load(Screen: LazyExoticComponent<ComponentType>) {
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
}

/** Every screen of the app; each route's component fetches its own data. */
export const routes: RouteObject[] = [
  { path: "/login", element: <Login /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <Shell />,
        children: [
          { index: true, element: <HomeRedirect /> },
          {
            path: "console",
            element: <RequireMarketOps />,
            children: [
              { index: true, element: <HomeRedirect /> },
              { path: "work", element: load(WorkQueue) },
              { path: "workflows", element: load(WorkflowList) },
              { path: "workflows/:id", element: load(WorkflowDetail) },
              { path: "tenants", element: load(TenantList) },
              { path: "tenants/:id", element: load(TenantDetail) },
              { path: "templates", element: load(TemplateList) },
              { path: "templates/:key", element: load(TemplateDetail) },
              { path: "operations", element: load(Operations) },
              { path: "*", element: <NotFound /> },
            ],
          },
          {
            path: "portal",
            children: [
              { index: true, element: load(MyWorkflows) },
              { path: "start", element: load(StartWorkflow) },
              { path: "workflows/:id", element: load(PortalWorkflow) },
              { path: "users", element: load(TenantUsers) },
            ],
          },
          { path: "notifications", element: load(Notifications) },
          { path: "account/security", element: load(Security) },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];
