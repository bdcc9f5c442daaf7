import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import type { MarketRole } from "../../graphql/enums";
import { fieldProblems, problemsOf } from "../../graphql/errors";
import type { CreateTenantInput } from "../../graphql/graphql";
import { MARKET_ROLES } from "../work/queueFilters";

export interface CreateTenantFormProps {
  /** The API's refusal: its field problems are shown at their fields */
  error: CombinedError | undefined;
  submitting: boolean;
  onSubmit: (input: CreateTenantInput) => void;
  onCancel: () => void;
}

const FIELDS = ["companyName", "vatNumber", "slug", "marketRoles"] as const;
type Field = (typeof FIELDS)[number];

/** The problems at one field; the API may name it with or without the `input.` prefix. */
function problemsAt(error: CombinedError | undefined, field: Field): string[] {
  return fieldProblems(error)
    .filter((problem) => {
      const path = problem.path[0] === "input" ? problem.path.slice(1) : problem.path;
      return path[0] === field;
    })
    .map((problem) => problem.message);
}

/** Whether every problem of `error` is shown at one of the form's fields. */
function allAtFields(error: CombinedError | undefined): boolean {
  const problems = problemsOf(error);
  return (
    problems.length > 0 &&
    problems.every(
      (problem) =>
        problem.code === "VALIDATION_FAILED" &&
        problem.fields.length > 0 &&
        problem.fields.every((field) => FIELDS.some((name) => field.path.includes(name))),
    )
  );
}

/** "Create tenant": company name, VAT number (the API normalises and checks it), slug, and
 * the market roles applied for. */
export function CreateTenantForm({ error, submitting, onSubmit, onCancel }: CreateTenantFormProps) {
  const { t } = useTranslation("tenants");
  const id = useId();
  const [companyName, setCompanyName] = useState("");
  const [vatNumber, setVatNumber] = useState("");
  const [slug, setSlug] = useState("");
  const [marketRoles, setMarketRoles] = useState<MarketRole[]>([]);

  const field = (name: Field) => {
    const problems = problemsAt(error, name);
    const errorId = `${id}-${name}-error`;
    return {
      problems,
      inputProps: {
        id: `${id}-${name}`,
        "aria-invalid": problems.length > 0 ? true : undefined,
        "aria-describedby": problems.length > 0 ? errorId : undefined,
      },
      errorText:
        problems.length > 0 ? (
          <p id={errorId} className="field-error">
            {problems.join(" ")}
          </p>
        ) : null,
    };
  };
  const company = field("companyName");
  const vat = field("vatNumber");
  const slugField = field("slug");
  const roles = field("marketRoles");

  return (
    <form
      className="create-tenant"
      aria-labelledby={`${id}-title`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({
          companyName: companyName.trim(),
          vatNumber: vatNumber.trim(),
          slug: slug.trim() === "" ? null : slug.trim(),
          marketRoles,
        });
      }}
    >
      <h2 id={`${id}-title`}>{t("create.title")}</h2>
      {allAtFields(error) ? (
        <p role="alert" className="field-error">
          {t("create.correct")}
        </p>
      ) : (
        <ErrorMessage error={error} />
      )}
      <div className="field">
        <label htmlFor={company.inputProps.id}>{t("create.companyName")}</label>
        <input
          {...company.inputProps}
          required
          value={companyName}
          autoComplete="organization"
          onChange={(event) => {
            setCompanyName(event.target.value);
          }}
        />
        {company.errorText}
      </div>
      <div className="field">
        <label htmlFor={vat.inputProps.id}>{t("create.vatNumber")}</label>
        <input
          {...vat.inputProps}
          required
          value={vatNumber}
          placeholder="BE0123.456.749"
          aria-describedby={[vat.inputProps["aria-describedby"], `${id}-vat-hint`].filter(Boolean).join(" ")}
          onChange={(event) => {
            setVatNumber(event.target.value);
          }}
        />
        <p id={`${id}-vat-hint`} className="hint">
          {t("create.vatHint")}
        </p>
        {vat.errorText}
      </div>
      <div className="field">
        <label htmlFor={slugField.inputProps.id}>{t("create.slug")}</label>
        <input
          {...slugField.inputProps}
          value={slug}
          aria-describedby={[slugField.inputProps["aria-describedby"], `${id}-slug-hint`].filter(Boolean).join(" ")}
          onChange={(event) => {
            setSlug(event.target.value);
          }}
        />
        <p id={`${id}-slug-hint`} className="hint">
          {t("create.slugHint")}
        </p>
        {slugField.errorText}
      </div>
      <fieldset className="roles" aria-describedby={roles.problems.length > 0 ? roles.inputProps["aria-describedby"] : undefined}>
        <legend>{t("create.marketRoles")}</legend>
        {MARKET_ROLES.map((role) => (
          <label key={role} className="check">
            <input
              type="checkbox"
              checked={marketRoles.includes(role)}
              onChange={(event) => {
                const checked = event.target.checked;
                setMarketRoles((current) =>
                  checked ? [...current, role] : current.filter((chosen) => chosen !== role),
                );
              }}
            />
            {role}
          </label>
        ))}
        {roles.errorText}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submitting}>
          {t("create.submit")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("create.cancel")}
        </button>
      </div>
    </form>
  );
}
