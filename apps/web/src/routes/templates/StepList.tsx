import { useTranslation } from "react-i18next";
import { DataTable } from "../../components/DataTable";
import { inLanguage, type StepDefinition, type TemplateDefinition, type Transition } from "./definition";

function TransitionText({ transition, index, titles }: { transition: Transition; index: number; titles: Map<string, string> }) {
  const { t } = useTranslation("templates");
  const target = transition.to === null ? t("steps.toEnd") : (titles.get(transition.to) ?? transition.to);
  const parts = [
    transition.when === null ? (index === 0 ? t("steps.always") : t("steps.otherwise")) : null,
    transition.gates.length > 0 ? t("steps.gates", { names: transition.gates.join(", ") }) : null,
    transition.roles.length > 0 ? t("steps.transitionRoles", { names: transition.roles.join(", ") }) : null,
  ].filter((part): part is string => part !== null);
  return (
    <>
      → {transition.to === null ? target : <a href={`#step-${transition.to}`}>{target}</a>}
      {transition.when !== null && (
        <>
          {" "}
          {t("steps.when")}{" "}
          <code>{transition.when}</code>
        </>
      )}
      {parts.length > 0 && ` (${parts.join("; ")})`}
    </>
  );
}

function StepDetails({ step, titles }: { step: StepDefinition; titles: Map<string, string> }) {
  const { t, i18n } = useTranslation("templates");
  const title = inLanguage(step.title, i18n.language, step.id);
  const none = <span className="muted">{t("steps.none")}</span>;
  return (
    <article id={`step-${step.id}`} className="step-card" aria-labelledby={`step-${step.id}-title`}>
      <h3 id={`step-${step.id}-title`}>
        {title} <code className="step-id">{step.id}</code>
      </h3>
      <dl className="step-facts">
        <dt>{t("steps.type")}</dt>
        <dd>{step.type}</dd>
        <dt>{t("steps.roles")}</dt>
        <dd>{step.roles.length > 0 ? step.roles.join(", ") : t("steps.anyone")}</dd>
        <dt>{t("steps.validators")}</dt>
        <dd>{step.validators.length > 0 ? step.validators.join(", ") : none}</dd>
        <dt>{t("steps.sla")}</dt>
        <dd>
          {step.sla === null
            ? none
            : step.sla.escalateTo === null
              ? t("steps.slaValue", { duration: step.sla.duration })
              : t("steps.slaEscalation", { duration: step.sla.duration, role: step.sla.escalateTo })}
        </dd>
        {step.retry !== null && (
          <>
            <dt>{t("steps.retry")}</dt>
            <dd>{t("steps.retryValue", { max: step.retry.max ?? 3, backoff: step.retry.backoff ?? "PT10S" })}</dd>
          </>
        )}
        {step.enabledBy !== null && (
          <>
            <dt>{t("steps.enabledBy")}</dt>
            <dd>
              <code>{step.enabledBy}</code>
            </dd>
          </>
        )}
        {step.skippedBy !== null && (
          <>
            <dt>{t("steps.skippedBy")}</dt>
            <dd>
              <code>{step.skippedBy}</code>
            </dd>
          </>
        )}
        <dt>{t("steps.next")}</dt>
        <dd>
          <ul className="transitions">
            {step.transitions.map((transition, index) => (
              <li key={`${transition.to ?? ""}:${String(index)}`}>
                <TransitionText transition={transition} index={index} titles={titles} />
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      {step.fields.length > 0 && (
        <DataTable
          caption={t("steps.fieldsCaption", { step: title })}
          captionHidden
          rows={step.fields}
          rowKey={(field) => field.name}
          emptyText={t("steps.none")}
          columns={[
            { key: "name", header: t("steps.fieldName"), cell: (field) => <code>{field.name}</code> },
            { key: "type", header: t("steps.fieldType"), cell: (field) => field.type },
            {
              key: "required",
              header: t("steps.fieldRequired"),
              cell: (field) => (field.required ? t("steps.required") : t("steps.optional")),
            },
          ]}
        />
      )}
    </article>
  );
}

/** Each step of a template in words: what the graph draws, and what it cannot. */
export function StepList({ definition }: { definition: TemplateDefinition }) {
  const { i18n } = useTranslation("templates");
  const titles = new Map(definition.steps.map((step) => [step.id, inLanguage(step.title, i18n.language, step.id)]));
  return (
    <div className="step-list">
      {definition.steps.map((step) => (
        <StepDetails key={step.id} step={step} titles={titles} />
      ))}
    </div>
  );
}
