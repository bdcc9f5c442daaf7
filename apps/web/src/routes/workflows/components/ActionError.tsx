import { useTranslation } from "react-i18next";
import { CombinedError } from "urql";
import { ErrorMessage } from "../../../components/ErrorMessage";

interface FailedGate {
  gate: string;
  reason: string;
}

function failedGatesOf(value: unknown): FailedGate[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null) return [];
    const { gate, reason, passed } = item as { gate?: unknown; reason?: unknown; passed?: unknown };
    return typeof gate === "string" && typeof reason === "string" && passed !== true ? [{ gate, reason }] : [];
  });
}

/** An action's error: a refusal by the template's checks (GATE_FAILED: four eyes, …) said
 * plainly with each check's reason; anything else as every other error. */
export function ActionError({ error }: { error: CombinedError | undefined }) {
  const { t } = useTranslation("workflows");
  if (!error) return null;
  const gateErrors = error.graphQLErrors.filter((item) => item.extensions.code === "GATE_FAILED");
  const others = error.graphQLErrors.filter((item) => item.extensions.code !== "GATE_FAILED");
  const rest =
    others.length > 0 || error.networkError
      ? new CombinedError({ graphQLErrors: others, networkError: error.networkError })
      : undefined;
  return (
    <>
      {gateErrors.length > 0 && (
        <div role="alert" className="error-message">
          <p className="problem-headline">{t("gates.refused")}</p>
          <ul>
            {gateErrors.flatMap((item) => {
              const gates = failedGatesOf(item.extensions.failedGates);
              return gates.length > 0
                ? gates.map((gate) => (
                    <li key={gate.gate}>
                      {gate.reason} <span className="muted">({gate.gate})</span>
                    </li>
                  ))
                : [<li key={item.message}>{item.message}</li>];
            })}
          </ul>
        </div>
      )}
      <ErrorMessage error={rest} />
    </>
  );
}
