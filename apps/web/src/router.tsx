import type { RouteObject } from "react-router";
import { HomeRedirect, RequireMarketOps, RequireSession } from "./auth/RequireSession";
import { Shell } from "./layout/Shell";
import { Login } from "./routes/login/Login";
import { NotFound } from "./routes/NotFound";
import { Notifications } from "./routes/notifications/Notifications";
import { Operations } from "./routes/operations/Operations";
import { MyWorkflows } from "./routes/portal/MyWorkflows";
import { PortalWorkflow } from "./routes/portal/PortalWorkflow";
import { StartWorkflow } from "./routes/portal/StartWorkflow";
import { TenantUsers } from "./routes/portal/TenantUsers";
import { TemplateDetail } from "./routes/templates/TemplateDetail";
import { TemplateList } from "./routes/templates/TemplateList";
import { TenantDetail } from "./routes/tenants/TenantDetail";
import { TenantList } from "./routes/tenants/TenantList";
import { WorkQueue } from "./routes/work/WorkQueue";
import { WorkflowDetail } from "./routes/workflows/WorkflowDetail";
import { WorkflowList } from "./routes/workflows/WorkflowList";

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
              { path: "work", element: <WorkQueue /> },
              { path: "workflows", element: <WorkflowList /> },
              { path: "workflows/:id", element: <WorkflowDetail /> },
              { path: "tenants", element: <TenantList /> },
              { path: "tenants/:id", element: <TenantDetail /> },
              { path: "templates", element: <TemplateList /> },
              { path: "templates/:key", element: <TemplateDetail /> },
              { path: "operations", element: <Operations /> },
              { path: "*", element: <NotFound /> },
            ],
          },
          {
            path: "portal",
            children: [
              { index: true, element: <MyWorkflows /> },
              { path: "start", element: <StartWorkflow /> },
              { path: "workflows/:id", element: <PortalWorkflow /> },
              { path: "users", element: <TenantUsers /> },
            ],
          },
          { path: "notifications", element: <Notifications /> },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];
