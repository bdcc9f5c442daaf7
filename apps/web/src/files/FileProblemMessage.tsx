import { useTranslation } from "react-i18next";
import type { FileTransferError } from "./transfer";

/** Why an upload or a download failed, in the person's language, with the server's own words
 * (which step, which limit) beneath. */
export function FileProblemMessage({ problem }: { problem: FileTransferError | null }) {
  const { t } = useTranslation("files");
  if (problem === null) return null;
  const detail = problem.kind === "NETWORK" ? "" : problem.detail;
  return (
    <div role="alert" className="error-message">
      <div className="problem" data-code={problem.kind}>
        <p className="problem-headline">{t(`problems.${problem.kind}`)}</p>
        {detail !== "" && <p className="problem-detail">{detail}</p>}
      </div>
    </div>
  );
}
