import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery, type CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { graphql } from "../../graphql";
import type { MarketRole } from "../../graphql/enums";
import { hasErrorCode, problemsOf } from "../../graphql/errors";
import "../../styles/portal.css";
import { StartWorkflowMutation } from "../workflows/commands";
import { RoleChoice, roleStatusText, type TemplateChoice } from "./components/RoleChoice";
import { offerMarketRoles } from "./roleOffering";

const StartContextDocument = graphql(`
  query StartContext {
    me {
      id
      tenant {
        id
        companyName
        marketRoles {
          role
          status
        }
      }
    }
    workflows(first: 100) {
      nodes {
        id
        status
        marketRole
        template {
          id
          key
        }
      }
    }
    templates {
      id
      key
      marketRole
      definition
    }
  }
`);

const RoleTemplatesDocument = graphql(`
  query RoleTemplates($marketRole: MarketRole!) {
    templates(marketRole: $marketRole) {
      id
      key
      marketRole
      name
      description
      definition
    }
  }
`);

const CreateOnboardingDocument = graphql(`
  mutation CreateOnboarding($marketRole: MarketRole!, $templateKey: String!, $idempotencyKey: String!) {
    createWorkflow(marketRole: $marketRole, templateKey: $templateKey, idempotencyKey: $idempotencyKey) {
      ...WorkflowActed
    }
  }
`);

function grantsMarketRole(definition: unknown): boolean {
  return typeof definition === "object" && definition !== null && (definition as { grantsMarketRole?: unknown }).grantsMarketRole === true;
}

/** One key per intent: the same while the person retries the same role and template. */
interface Intent {
  role: MarketRole;
  templateKey: string;
  createKey: string;
  startKey: string;
}

/** The API's refusal of a second onboarding, said plainly, with a link to the existing one. */
function OnboardingConflict({ error }: { error: CombinedError }) {
  const { t } = useTranslation("portal");
  const conflict = problemsOf(error).find((problem) => problem.code === "CONFLICT");
  if (!conflict) return null;
  const { marketRole, roleStatus, existingWorkflowId } = conflict.extensions;
  const role = typeof marketRole === "string" ? marketRole : "";
  return (
    <div role="alert" className="error-message">
      <p className="problem-headline">
        {typeof roleStatus === "string"
          ? t("startForm.conflictHeld", { role, status: roleStatusText(roleStatus, t) })
          : t("startForm.conflictOpen", { role })}
      </p>
      {typeof existingWorkflowId === "string" && (
        <p>
          <Link to={`/portal/workflows/${existingWorkflowId}`}>{t("startForm.openExisting")}</Link>
        </p>
      )}
    </div>
  );
}

/** `/portal/start`: apply for a market role the tenant does not hold nor applies for yet. */
export function StartWorkflow() {
  const { t } = useTranslation("portal");
  const navigate = useNavigate();
  const [context] = useQuery({ query: StartContextDocument, requestPolicy: "cache-and-network" });
  const [role, setRole] = useState<MarketRole | null>(null);
  const [templateKey, setTemplateKey] = useState<string | null>(null);
  const [intent, setIntent] = useState<Intent | null>(null);
  const [roleTemplates] = useQuery({
    query: RoleTemplatesDocument,
    variables: { marketRole: role ?? "BRP" },
    pause: role === null,
  });
  const [created, createWorkflow] = useMutation(CreateOnboardingDocument);
  const [started, startWorkflow] = useMutation(StartWorkflowMutation);

  const offering = useMemo(() => {
    if (!context.data) return null;
    const onboardingKeys = new Set(context.data.templates.filter((template) => grantsMarketRole(template.definition)).map((template) => template.key));
    return offerMarketRoles(
      context.data.me.tenant?.marketRoles ?? [],
      context.data.workflows.nodes.map((workflow) => ({
        id: workflow.id,
        status: workflow.status,
        marketRole: workflow.marketRole,
        templateKey: workflow.template.key,
      })),
      onboardingKeys,
    );
  }, [context.data]);

  const templates: TemplateChoice[] | null = useMemo(() => {
    if (!roleTemplates.data || role === null) return null;
    const onboardings = roleTemplates.data.templates.filter((template) => grantsMarketRole(template.definition));
    // the role's own overlay stands for its base template
    const chosen = new Map<string, (typeof onboardings)[number]>();
    for (const template of onboardings) {
      const seen = chosen.get(template.key);
      if (!seen || template.marketRole === role) chosen.set(template.key, template);
    }
    return [...chosen.values()].map((template) => ({ key: template.key, name: template.name, description: template.description ?? null }));
  }, [roleTemplates.data, role]);

  const effectiveTemplateKey = templateKey ?? (templates?.length === 1 ? templates[0]?.key ?? null : null);

  async function start() {
    if (role === null || effectiveTemplateKey === null) return;
    const current =
      intent?.role === role && intent.templateKey === effectiveTemplateKey
        ? intent
        : { role, templateKey: effectiveTemplateKey, createKey: crypto.randomUUID(), startKey: crypto.randomUUID() };
    setIntent(current);
    const creation = await createWorkflow({ marketRole: role, templateKey: effectiveTemplateKey, idempotencyKey: current.createKey });
    const workflow = creation.data?.createWorkflow;
    if (!workflow) return;
    const start = await startWorkflow({ id: workflow.id, expectedVersion: workflow.version, key: current.startKey });
    if (start.data) {
      void navigate(`/portal/workflows/${workflow.id}`);
    }
  }

  const tenant = context.data?.me.tenant?.companyName ?? "";
  return (
    <section aria-labelledby="screen-title" className="portal">
      <h1 id="screen-title">{t("start")}</h1>
      <ErrorMessage error={context.error} />
      {context.data && offering ? (
        <>
          <p>{t("startForm.intro", { tenant })}</p>
          {created.error && hasErrorCode(created.error, "CONFLICT") ? (
            <OnboardingConflict error={created.error} />
          ) : (
            <ErrorMessage error={created.error} />
          )}
          <ErrorMessage error={started.error} />
          <ErrorMessage error={roleTemplates.error} />
          <RoleChoice
            available={offering.available}
            unavailable={offering.unavailable}
            role={role}
            onRole={(next) => {
              setRole(next);
              setTemplateKey(null);
            }}
            templates={templates}
            templateKey={effectiveTemplateKey}
            onTemplate={setTemplateKey}
            busy={created.fetching || started.fetching}
            onStart={() => {
              void start();
            }}
          />
        </>
      ) : (
        context.fetching && <Loading />
      )}
    </section>
  );
}
