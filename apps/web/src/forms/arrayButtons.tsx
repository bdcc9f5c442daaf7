import {
  TranslatableString,
  type FormContextType,
  type IconButtonProps,
  type RJSFSchema,
  type StrictRJSFSchema,
  type TemplatesType,
} from "@rjsf/utils";

/** A list's buttons (add, remove, move, copy) with their words on them: rjsf's own draw an icon
 * font this app does not ship, which left them blank. */
function ArrayButton<T, S extends StrictRJSFSchema, F extends FormContextType>(
  props: IconButtonProps<T, S, F> & { label: TranslatableString; tone?: string },
) {
  const { registry, label, tone = "secondary", className, id, onClick, disabled, style } = props;
  return (
    <button
      type="button"
      id={id}
      onClick={onClick}
      disabled={disabled}
      style={style}
      className={`array-button ${tone} ${className ?? ""}`.trim()}
    >
      {registry.translateString(label)}
    </button>
  );
}

export function arrayButtons<
  T,
  S extends StrictRJSFSchema = RJSFSchema,
  F extends FormContextType = FormContextType,
>(): Partial<TemplatesType<T, S, F>["ButtonTemplates"]> {
  return {
    AddButton: (props) => <ArrayButton {...props} label={TranslatableString.AddItemButton} />,
    RemoveButton: (props) => <ArrayButton {...props} label={TranslatableString.RemoveButton} tone="danger" />,
    MoveUpButton: (props) => <ArrayButton {...props} label={TranslatableString.MoveUpButton} />,
    MoveDownButton: (props) => <ArrayButton {...props} label={TranslatableString.MoveDownButton} />,
    CopyButton: (props) => <ArrayButton {...props} label={TranslatableString.CopyButton} />,
  };
}
