import { matchRoutes, type RouteObject } from "react-router";
import { HomeRedirect, RequireMarketOps, RequireSession } from "./auth/RequireSession";
import { Shell } from "./layout/Shell";
import { lazyScreen, ScreenRoute, type LazyScreen } from "./routes/lazyScreen";
import { Login } from "./routes/login/Login";
import { NotFound } from "./routes/NotFound";
import type { RouteData } from "./routes/routeData";
import { workflowListData } from "./routes/workflows/workflowListQuery";

const WorkQueue = lazyScreen(() => import("./routes/work/WorkQueue"), "WorkQueue");
const WorkflowList = lazyScreen(() => import("./routes/workflows/WorkflowList"), "WorkflowList");
const WorkflowDetail = lazyScreen(() => import("./routes/workflows/WorkflowDetail"), "WorkflowDetail");
const TenantList = lazyScreen(() => import("./routes/tenants/TenantList"), "TenantList");
const TenantDetail = lazyScreen(() => import("./routes/tenants/TenantDetail"), "TenantDetail");
const TemplateList = lazyScreen(() => import("./routes/templates/TemplateList"), "TemplateList");
const TemplateDetail = lazyScreen(() => import("./routes/templates/TemplateDetail"), "TemplateDetail");
const Operations = lazyScreen(() => import("./routes/operations/Operations"), "Operations");
const DataSubjects = lazyScreen(() => import("./routes/privacy/DataSubjects"), "DataSubjects");
const MyWorkflows = lazyScreen(() => import("./routes/portal/MyWorkflows"), "MyWorkflows");
const StartWorkflow = lazyScreen(() => import("./routes/portal/StartWorkflow"), "StartWorkflow");
const PortalWorkflow = lazyScreen(() => import("./routes/portal/PortalWorkflow"), "PortalWorkflow");
const TenantUsers = lazyScreen(() => import("./routes/portal/TenantUsers"), "TenantUsers");
const Notifications = lazyScreen(() => import("./routes/notifications/Notifications"), "Notifications");
const Security = lazyScreen(() => import("./routes/account/Security"), "Security");

/** What a route of a lazily loaded screen carries, for `preloadScreenAt` */
interface ScreenHandle {
  screen: LazyScreen;
}

function isScreenHandle(handle: unknown): handle is ScreenHandle {
  return typeof handle === "object" && handle !== null && "screen" in handle;
}

/** The route of a lazily loaded screen, and of the data its route starts (`RouteData`). */
function load(screen: LazyScreen, data?: RouteData): Pick<RouteObject, "element" | "handle"> {
  return { element: <ScreenRoute screen={screen} data={data} />, handle: { screen } satisfies ScreenHandle };
}

/** Every screen of the app; each screen fetches its own data, which its route may start
 * ahead (the workflow list's query, while its chunk loads). */
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
              { path: "work", ...load(WorkQueue) },
              { path: "workflows", ...load(WorkflowList, workflowListData) },
              { path: "workflows/:id", ...load(WorkflowDetail) },
              { path: "tenants", ...load(TenantList) },
              { path: "tenants/:id", ...load(TenantDetail) },
              { path: "templates", ...load(TemplateList) },
              { path: "templates/:key", ...load(TemplateDetail) },
              { path: "operations", ...load(Operations) },
              { path: "data-subjects", ...load(DataSubjects) },
              { path: "*", element: <NotFound /> },
            ],
          },
          {
            path: "portal",
            children: [
              { index: true, ...load(MyWorkflows) },
              { path: "start", ...load(StartWorkflow) },
              { path: "workflows/:id", ...load(PortalWorkflow) },
              { path: "users", ...load(TenantUsers) },
            ],
          },
          { path: "notifications", ...load(Notifications) },
          { path: "account/security", ...load(Security) },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];

/** Starts loading the chunk of the screen at `location` (the address a page opens on) while
 * the page restores its session: the screen then renders as soon as the session is known. */
export function preloadScreenAt(location: { pathname: string }): void {
  for (const { route } of matchRoutes(routes, location) ?? []) {
    if (!isScreenHandle(route.handle)) continue;
    // a chunk that fails to load here is asked for again by its screen, which shows the error
    route.handle.screen.preload().catch(() => undefined);
  }
}
