/** A step's file field: a property whose JSON Schema says `format: "file-id"` holds the id of
 * a file uploaded to the workflow. The person chooses a file; the field refuses one the step
 * would refuse (too large, or of a type it does not accept) before sending anything, uploads
 * the others (the route's `upload`, through the form's context), then keeps the answered id as
 * its value and the file's name in the sibling `name` property when the schema has one. */
import { getUiOptions, type FieldProps, type RJSFSchema } from "@rjsf/utils";
import { useId, useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import { FileProblemMessage } from "../files/FileProblemMessage";
import { FileStatusBadge } from "../files/FileStatusBadge";
import { formatFileSize } from "../files/sizes";
import { FileTransferError, type UploadedFile } from "../files/transfer";
import type { FileStatus } from "../graphql/enums";
import "../styles/files.css";

/** A file the workflow holds already, as the field shows it */
export interface KnownFile {
  id: string;
  name: string;
  size: number;
  status: FileStatus;
}

/** What a step form's file fields need: the step's rules, the upload, the files known. */
export interface StepFiles {
  /** The content types the step accepts (empty: any, as far as the browser knows) */
  contentTypes: readonly string[];
  /** The largest file the step accepts, in bytes (null: no limit known here) */
  maxBytes: number | null;
  upload: (file: File) => Promise<UploadedFile>;
  /** The workflow's files, to name a file id the data holds already */
  known: readonly KnownFile[];
}

/** The form context of a step form: its files, when it takes any. */
export interface StepFormContext {
  files?: StepFiles;
}

/** The registry's name of this field (`"ui:field": FILE_FIELD`) */
export const FILE_FIELD = "fileId";

/** `ui:options` of a file field: the sibling property that takes the file's name */
export const NAME_PROPERTY_OPTION = "nameProperty";

type Refusal = { reason: "tooLarge"; name: string; size: number; limit: number } | { reason: "typeNotAccepted"; name: string };

/** Why the step would refuse `file`, or null: checked here so nothing too large is sent. */
export function refusalOf(file: File, files: Pick<StepFiles, "contentTypes" | "maxBytes">): Refusal | null {
  if (files.maxBytes !== null && file.size > files.maxBytes) {
    return { reason: "tooLarge", name: file.name, size: file.size, limit: files.maxBytes };
  }
  // the browser's guess from the name; the API checks the bytes themselves
  if (files.contentTypes.length > 0 && file.type !== "" && !files.contentTypes.includes(file.type)) {
    return { reason: "typeNotAccepted", name: file.name };
  }
  return null;
}

export function FileField(props: FieldProps<unknown, RJSFSchema, StepFormContext>) {
  const { schema, uiSchema, name, formData, required, disabled, readonly, fieldPathId, onChange, registry } = props;
  const { t, i18n } = useTranslation("files");
  const files = registry.formContext.files;
  const hintId = useId();
  const [uploading, setUploading] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<UploadedFile | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [problem, setProblem] = useState<FileTransferError | null>(null);

  const options = getUiOptions(uiSchema);
  const label = (typeof options.title === "string" ? options.title : undefined) ?? (typeof schema.title === "string" ? schema.title : undefined) ?? name;
  const nameProperty = typeof options[NAME_PROPERTY_OPTION] === "string" ? options[NAME_PROPERTY_OPTION] : null;
  const value = typeof formData === "string" && formData !== "" ? formData : null;
  // the workflow's own record (its status moves on: pending, then scanned) over the upload's answer
  const shown: KnownFile | null =
    value === null ? null : (files?.known.find((file) => file.id === value) ?? (uploaded?.id === value ? uploaded : null));
  const size = (bytes: number) => formatFileSize(bytes, i18n.language);
  const types = files?.contentTypes.join(", ") ?? "";

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    setProblem(null);
    setRefusal(null);
    if (file === undefined || files === undefined) return;
    const refused = refusalOf(file, files);
    if (refused !== null) {
      setRefusal(refused);
      input.value = "";
      return;
    }
    setUploading(file.name);
    try {
      const answer = await files.upload(file);
      setUploaded(answer);
      onChange(answer.id, fieldPathId.path);
      if (nameProperty !== null) onChange(answer.name, [...fieldPathId.path.slice(0, -1), nameProperty]);
    } catch (error) {
      setProblem(error instanceof FileTransferError ? error : new FileTransferError("UNKNOWN", error instanceof Error ? error.message : ""));
      input.value = "";
    } finally {
      setUploading(null);
    }
  }

  const describedBy = files !== undefined && types !== "" ? hintId : undefined;
  return (
    <div className="file-field">
      <label className="control-label" htmlFor={fieldPathId.$id}>
        {label}
        {required && <span className="required">*</span>}
      </label>
      {!readonly && (
        <input
          id={fieldPathId.$id}
          name={fieldPathId.name ?? fieldPathId.$id}
          type="file"
          accept={files?.contentTypes.join(",") || undefined}
          disabled={disabled || uploading !== null || files === undefined}
          aria-describedby={describedBy}
          onChange={(event) => void choose(event)}
        />
      )}
      {describedBy !== undefined && (
        <p id={hintId} className="file-hint">
          {files?.maxBytes != null ? t("field.accepts", { types, size: size(files.maxBytes) }) : t("field.acceptsAnySize", { types })}
        </p>
      )}
      {uploading !== null && (
        <p role="status" className="file-uploading">
          <progress aria-label={t("field.uploadProgress", { name: uploading })} /> {t("field.uploading", { name: uploading })}
        </p>
      )}
      {value !== null && uploading === null && (
        <p className="file-chosen">
          {t("field.chosen")}{" "}
          {shown === null ? (
            <span className="file-name">{t("field.unknownFile")}</span>
          ) : (
            <>
              <span className="file-name">{shown.name}</span> <span className="file-size">({size(shown.size)})</span>{" "}
              <FileStatusBadge status={shown.status} />
            </>
          )}
        </p>
      )}
      {shown !== null && (shown.status === "PENDING" || shown.status === "INFECTED") && (
        <p className="file-status-text">{t(`statusText.${shown.status}`)}</p>
      )}
      {refusal !== null && (
        <p role="alert" className="field-error">
          {refusal.reason === "tooLarge"
            ? t("field.tooLarge", { name: refusal.name, size: size(refusal.size), limit: size(refusal.limit) })
            : t("field.typeNotAccepted", { name: refusal.name, types })}
        </p>
      )}
      <FileProblemMessage problem={problem} />
    </div>
  );
}
