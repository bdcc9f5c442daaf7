/** What kind of actor did something */
export type ActorKind =
  | 'DELETED_USER'
  | 'PLATFORM'
  | 'USER';

/** How an audited action ended */
export type AuditOutcome =
  | 'FAILED'
  | 'OK'
  | 'REFUSED';

/** Where a file is with the virus scanner: PENDING until scanned (not downloadable), CLEAN or INFECTED (never downloadable) once it was, UNSCANNED when no scanner is configured */
export type FileStatus =
  | 'CLEAN'
  | 'INFECTED'
  | 'PENDING'
  | 'UNSCANNED';

/** Where a background job is (FAILED: held after its last attempt) */
export type JobStatus =
  | 'CANCELED'
  | 'DELETED'
  | 'EXCEPTION'
  | 'FAILED'
  | 'PICKED'
  | 'QUEUED'
  | 'SUCCESSFUL';

/** Languages of titles and messages */
export type Locale =
  | 'EN'
  | 'FR'
  | 'NL';

/** A role in the market */
export type MarketRole =
  | 'ACH'
  | 'BRP'
  | 'BSP'
  | 'CRM'
  | 'DSO'
  | 'ESP'
  | 'GU';

export type StepStatus =
  | 'ACTIVE'
  | 'COMPENSATED'
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'SKIPPED';

/** A tenant's status (an archived tenant is no longer listed) */
export type TenantStatus =
  | 'ACTIVE'
  | 'PENDING'
  | 'SUSPENDED';

/** What starts a triggered workflow */
export type TriggerKind =
  | 'EVENT'
  | 'MANUAL'
  | 'SCHEDULE'
  | 'WEBHOOK';

/** How a trigger's run ended */
export type TriggerRunOutcome =
  | 'DUPLICATE'
  | 'FAILED'
  | 'SKIPPED'
  | 'STARTED';

export type WebhookDeliveryStatus =
  | 'DELIVERED'
  | 'FAILED'
  | 'PENDING';

/** Why a workflow waits for a person */
export type WorkItemKind =
  | 'APPROVAL'
  | 'FAILURE'
  | 'STEP'
  | 'SUBMISSION';

/** What the asking user may do now */
export type WorkflowAction =
  | 'APPROVE'
  | 'CANCEL'
  | 'EXECUTE_STEP'
  | 'FAIL'
  | 'PAUSE'
  | 'REJECT'
  | 'RESUME'
  | 'RETRY'
  | 'ROLLBACK'
  | 'START'
  | 'SUBMIT'
  | 'VALIDATE';

export type WorkflowStatus =
  | 'AWAITING_VALIDATION'
  | 'CANCELLED'
  | 'COMPLETED'
  | 'DRAFT'
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'PAUSED'
  | 'ROLLED_BACK'
  | 'SUBMITTED';
