// The workflow's presentational pieces, for the console and the portal alike.
export { ActionBar, BAR_ACTIONS, type ActionBarProps, type TargetStep, type WorkflowCommand } from "./ActionBar";
export { DataView, summarizeData } from "./DataView";
export { Performer, type PerformerActor } from "./Performer";
export { StepForm, errorSchemaOf, type StepFormProps } from "./StepForm";
export { StepStatusBadge, StepsView, type StepView, type StepsViewProps } from "./StepsView";
export { TimeTravelBanner } from "./TimeTravelBanner";
export { Timeline, type TimelineEvent, type TimelineProps } from "./Timeline";
export { WorkflowHeader, type WorkflowHeaderProps, type WorkflowNotes } from "./WorkflowHeader";
export { ActionError } from "./ActionError";
