import type { CombinedError } from "urql";
import { ErrorMessage } from "../../../components/ErrorMessage";

/** An action's error: the shared message, which says a refusal by the template's checks
 * (GATE_FAILED: four eyes, …) plainly with each check's reason. */
export function ActionError({ error }: { error: CombinedError | undefined }) {
  return <ErrorMessage error={error} />;
}
