/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n": typeof types.SessionUserFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation BeginMfaEnrolment {\n    beginMfaEnrolment {\n      provisioningUri\n      secret\n    }\n  }\n": typeof types.BeginMfaEnrolmentDocument,
    "\n  mutation ConfirmMfaEnrolment($code: String!) {\n    confirmMfaEnrolment(code: $code) {\n      recoveryCodes\n    }\n  }\n": typeof types.ConfirmMfaEnrolmentDocument,
    "\n  mutation DisableMfa($code: String!) {\n    disableMfa(code: $code)\n  }\n": typeof types.DisableMfaDocument,
    "\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n": typeof types.SessionPayloadFieldsFragmentDoc,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n": typeof types.VerifyMfaDocument,
    "\n  fragment PaginationPageInfo on PageInfo {\n    hasNextPage\n    endCursor\n  }\n": typeof types.PaginationPageInfoFragmentDoc,
    "\n  fragment WorkflowAttachment on WorkflowFile {\n    id\n    name\n    stepId\n    contentType\n    size\n    status\n    uploadedAt\n    downloadUrl\n  }\n": typeof types.WorkflowAttachmentFragmentDoc,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...SessionPayloadFields\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  query SecondFactor {\n    me {\n      id\n      mfaEnabled\n    }\n  }\n": typeof types.SecondFactorDocument,
    "\n  query Notifications($unreadOnly: Boolean!, $first: Int!) {\n    notifications(unreadOnly: $unreadOnly, first: $first) {\n      id\n      subject\n      body\n      workflowId\n      read\n      createdAt\n    }\n  }\n": typeof types.NotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  query OperationsJobs($status: JobStatus) {\n    jobs(status: $status, first: 100) {\n      id\n      entrypoint\n      status\n      attempts\n      lastError\n      updatedAt\n    }\n  }\n": typeof types.OperationsJobsDocument,
    "\n  query OperationsDeliveries($status: WebhookDeliveryStatus) {\n    webhookDeliveries(status: $status, first: 100) {\n      id\n      subscriptionId\n      eventType\n      status\n      attemptCount\n      lastStatusCode\n      lastError\n      lastAttemptAt\n      attempts {\n        attempt\n        statusCode\n        error\n        durationMs\n      }\n    }\n    webhookSubscriptions {\n      id\n      url\n      tenant {\n        id\n        companyName\n      }\n    }\n  }\n": typeof types.OperationsDeliveriesDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n      attempts\n      updatedAt\n    }\n  }\n": typeof types.RetryJobDocument,
    "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n      attemptCount\n    }\n  }\n": typeof types.ReplayWebhookDeliveryDocument,
    "\n  query MyWorkflows($after: String) {\n    workflows(first: 20, after: $after) {\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          id\n          name\n          steps {\n            id\n            title\n            roles\n          }\n        }\n        currentStep {\n          id\n          type\n          title\n        }\n        state {\n          lastRejection {\n            reason\n            toStepId\n          }\n        }\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n": typeof types.MyWorkflowsDocument,
    "\n  query PortalWorkflow($id: ID!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      allowedActions\n      template {\n        id\n        name\n        definition\n        steps {\n          id\n          type\n          title\n          schema\n          roles\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      state {\n        steps {\n          id\n          type\n          title\n          status\n          data\n          completedAt\n          completedBy {\n            name\n          }\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            name\n          }\n        }\n      }\n      drafts {\n        ...StepDraftShown\n      }\n      files {\n        ...WorkflowAttachment\n      }\n    }\n  }\n": typeof types.PortalWorkflowDocument,
    "\n  query StartContext {\n    me {\n      id\n      tenant {\n        id\n        companyName\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n    workflows(first: 100) {\n      nodes {\n        id\n        status\n        marketRole\n        template {\n          id\n          key\n        }\n      }\n    }\n    templates {\n      id\n      key\n      marketRole\n      definition\n    }\n  }\n": typeof types.StartContextDocument,
    "\n  query RoleTemplates($marketRole: MarketRole!) {\n    templates(marketRole: $marketRole) {\n      id\n      key\n      marketRole\n      name\n      description\n      definition\n    }\n  }\n": typeof types.RoleTemplatesDocument,
    "\n  mutation CreateOnboarding($marketRole: MarketRole!, $templateKey: String!, $idempotencyKey: String!) {\n    createWorkflow(marketRole: $marketRole, templateKey: $templateKey, idempotencyKey: $idempotencyKey) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.CreateOnboardingDocument,
    "\n  query TenantUsers($after: String) {\n    users(first: 50, after: $after) {\n      nodes {\n        id\n        email\n        displayName\n        role\n        locale\n        status\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n": typeof types.TenantUsersDocument,
    "\n  mutation InviteTenantUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      id\n      email\n      status\n    }\n  }\n": typeof types.InviteTenantUserDocument,
    "\n  mutation DisableTenantUser($id: ID!) {\n    disableUser(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.DisableTenantUserDocument,
    "\n  mutation EnableTenantUser($id: ID!) {\n    enableUser(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.EnableTenantUserDocument,
    "\n  fragment StepDraftShown on StepDraft {\n    stepId\n    data\n    savedAt\n    savedBy {\n      name\n    }\n  }\n": typeof types.StepDraftShownFragmentDoc,
    "\n  mutation SaveStepDraft($workflowId: ID!, $stepId: String!, $data: JSON!) {\n    saveStepDraft(workflowId: $workflowId, stepId: $stepId, data: $data) {\n      ...StepDraftShown\n    }\n  }\n": typeof types.SaveStepDraftDocument,
    "\n  mutation DiscardStepDraft($workflowId: ID!, $stepId: String!) {\n    discardStepDraft(workflowId: $workflowId, stepId: $stepId)\n  }\n": typeof types.DiscardStepDraftDocument,
    "\n  query ConsoleDataSubjectTenants($first: Int!) {\n    tenants(first: $first) {\n      nodes {\n        id\n        companyName\n      }\n    }\n  }\n": typeof types.ConsoleDataSubjectTenantsDocument,
    "\n  query ConsoleDataSubject($tenantId: ID!, $email: String!) {\n    dataSubject(tenantId: $tenantId, email: $email) {\n      id\n      tenantId\n      workflows\n      erasedAt\n    }\n  }\n": typeof types.ConsoleDataSubjectDocument,
    "\n  mutation ConsoleExportDataSubject($subjectId: ID!) {\n    exportDataSubject(subjectId: $subjectId)\n  }\n": typeof types.ConsoleExportDataSubjectDocument,
    "\n  mutation ConsoleEraseDataSubject($subjectId: ID!, $reason: String!) {\n    eraseDataSubject(subjectId: $subjectId, reason: $reason) {\n      subjectId\n    }\n  }\n": typeof types.ConsoleEraseDataSubjectDocument,
    "\n  query TemplateDetail($key: String!, $version: Int, $marketRole: MarketRole) {\n    template(key: $key, version: $version, marketRole: $marketRole) {\n      ...TemplateSummary\n      description\n      definition\n    }\n    templateVersions(key: $key) {\n      id\n      version\n      marketRole\n      status\n      createdAt\n    }\n  }\n": typeof types.TemplateDetailDocument,
    "\n  query TemplateStatistics($key: String!, $since: DateTime) {\n    templateStats(key: $key, since: $since) {\n      workflows\n      slaBreaches\n      byStatus {\n        status\n        count\n      }\n      duration {\n        measured\n        p50Seconds\n        p90Seconds\n        p95Seconds\n      }\n      steps {\n        stepId\n        runs\n        failed\n        failureRate\n        slaBreaches\n        duration {\n          measured\n          p50Seconds\n          p90Seconds\n          p95Seconds\n        }\n      }\n    }\n  }\n": typeof types.TemplateStatisticsDocument,
    "\n  mutation DeprecateTemplate($key: String!, $version: Int!, $marketRole: MarketRole) {\n    deprecateTemplate(key: $key, version: $version, marketRole: $marketRole) {\n      id\n      version\n      marketRole\n      status\n    }\n  }\n": typeof types.DeprecateTemplateDocument,
    "\n  query TemplateList($includeDeprecated: Boolean!) {\n    templates(includeDeprecated: $includeDeprecated) {\n      ...TemplateSummary\n    }\n  }\n": typeof types.TemplateListDocument,
    "\n  fragment TemplateSummary on Template {\n    id\n    key\n    version\n    status\n    marketRole\n    extends\n    createdAt\n    name\n  }\n": typeof types.TemplateSummaryFragmentDoc,
    "\n  mutation PublishTemplate($definition: JSON!) {\n    publishTemplate(definition: $definition) {\n      id\n      key\n      version\n      marketRole\n      status\n    }\n  }\n": typeof types.PublishTemplateDocument,
    "\n  mutation ValidateTemplate($definition: JSON!) {\n    validateTemplate(definition: $definition) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n": typeof types.ValidateTemplateDocument,
    "\n  query ConsoleTenant($id: ID!) {\n    tenant(id: $id) {\n      id\n      slug\n      companyName\n      vatNumber\n      status\n      statusReason\n      createdAt\n      updatedAt\n      marketRoles {\n        role\n        status\n        statusReason\n        contractReference\n        updatedAt\n        apiCredential\n        apiKeyAwaitingReveal\n      }\n    }\n  }\n": typeof types.ConsoleTenantDocument,
    "\n  query ConsoleTenantUsers($tenantId: ID!, $first: Int!, $after: String) {\n    users(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        email\n        displayName\n        role\n        status\n      }\n    }\n  }\n": typeof types.ConsoleTenantUsersDocument,
    "\n  query ConsoleTenantWorkflows($tenantId: ID!, $first: Int!, $after: String) {\n    workflows(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          key\n        }\n        currentStep {\n          title\n        }\n      }\n    }\n  }\n": typeof types.ConsoleTenantWorkflowsDocument,
    "\n  query ConsoleRetentionPolicies($tenantId: ID!) {\n    retentionPolicies(tenantId: $tenantId) {\n      templateKey\n      afterDays\n      updatedAt\n      updatedBy {\n        name\n      }\n    }\n    templates {\n      key\n    }\n  }\n": typeof types.ConsoleRetentionPoliciesDocument,
    "\n  mutation ConsoleSetRetentionPolicy($tenantId: ID!, $templateKey: String, $afterDays: Int!) {\n    setRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey, afterDays: $afterDays) {\n      templateKey\n      afterDays\n    }\n  }\n": typeof types.ConsoleSetRetentionPolicyDocument,
    "\n  mutation ConsoleRemoveRetentionPolicy($tenantId: ID!, $templateKey: String) {\n    removeRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey)\n  }\n": typeof types.ConsoleRemoveRetentionPolicyDocument,
    "\n  fragment ConsoleTenantStatus on Tenant {\n    id\n    status\n    statusReason\n    updatedAt\n  }\n": typeof types.ConsoleTenantStatusFragmentDoc,
    "\n  fragment ConsoleMarketRoleStatus on TenantMarketRole {\n    role\n    status\n  }\n": typeof types.ConsoleMarketRoleStatusFragmentDoc,
    "\n  mutation ConsoleSuspendTenant($id: ID!, $reason: String!) {\n    suspendTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n": typeof types.ConsoleSuspendTenantDocument,
    "\n  mutation ConsoleReactivateTenant($id: ID!, $reason: String) {\n    reactivateTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n": typeof types.ConsoleReactivateTenantDocument,
    "\n  mutation ConsoleArchiveTenant($id: ID!, $reason: String!) {\n    archiveTenant(id: $id, reason: $reason) {\n      id\n      status\n      archivedAt\n    }\n  }\n": typeof types.ConsoleArchiveTenantDocument,
    "\n  mutation ConsoleSuspendMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    suspendMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n": typeof types.ConsoleSuspendMarketRoleDocument,
    "\n  mutation ConsoleTerminateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    terminateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n": typeof types.ConsoleTerminateMarketRoleDocument,
    "\n  mutation ConsoleReactivateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    reactivateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n": typeof types.ConsoleReactivateMarketRoleDocument,
    "\n  query ConsoleTenants($filter: TenantFilter, $first: Int!, $after: String) {\n    tenants(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        slug\n        companyName\n        vatNumber\n        status\n        createdAt\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n  }\n": typeof types.ConsoleTenantsDocument,
    "\n  mutation ConsoleCreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      id\n    }\n  }\n": typeof types.ConsoleCreateTenantDocument,
    "\n  fragment WorkQueueAssignment on WorkItem {\n    id\n    assignee {\n      id\n      name\n    }\n  }\n": typeof types.WorkQueueAssignmentFragmentDoc,
    "\n  query WorkQueue($filter: WorkItemFilter, $first: Int!, $after: String) {\n    workItems(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        kind\n        since\n        dueAt\n        breached\n        escalatedTo\n        roles\n        templateKey\n        marketRole\n        stepTitle\n        ...WorkQueueAssignment\n        tenant {\n          id\n          companyName\n        }\n      }\n    }\n  }\n": typeof types.WorkQueueDocument,
    "\n  subscription WorkQueueLive {\n    workQueueChanged {\n      at\n      workflowId\n    }\n  }\n": typeof types.WorkQueueLiveDocument,
    "\n  query WorkQueueAssignees {\n    users(filter: { role: \"market_ops\", status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n      }\n    }\n  }\n": typeof types.WorkQueueAssigneesDocument,
    "\n  mutation WorkQueueClaim($workflowId: ID!) {\n    claimWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n": typeof types.WorkQueueClaimDocument,
    "\n  mutation WorkQueueAssign($workflowId: ID!, $userId: ID!) {\n    assignWorkItem(workflowId: $workflowId, userId: $userId) {\n      ...WorkQueueAssignment\n    }\n  }\n": typeof types.WorkQueueAssignDocument,
    "\n  mutation WorkQueueRelease($workflowId: ID!) {\n    releaseWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n": typeof types.WorkQueueReleaseDocument,
    "\n  fragment ConsoleActor on Actor {\n    kind\n    name(locale: $locale)\n  }\n": typeof types.ConsoleActorFragmentDoc,
    "\n  fragment ConsoleWorkflowStep on WorkflowStep {\n    id\n    type\n    title(locale: $locale)\n    status\n    data\n    completedAt\n    completedBy {\n      ...ConsoleActor\n    }\n  }\n": typeof types.ConsoleWorkflowStepFragmentDoc,
    "\n  query ConsoleWorkflowDetail($id: ID!, $locale: Locale, $eventsAfter: String, $eventsFirst: Int!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      createdAt\n      updatedAt\n      allowedActions\n      tenant {\n        id\n        companyName\n      }\n      template {\n        id\n        key\n        version\n        name(locale: $locale)\n        steps {\n          id\n          type\n          title(locale: $locale)\n          schema\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      files {\n        ...WorkflowAttachment\n      }\n      state {\n        steps {\n          ...ConsoleWorkflowStep\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            ...ConsoleActor\n          }\n        }\n        approval {\n          comment\n          approvedAt\n          approvedBy {\n            ...ConsoleActor\n          }\n        }\n        pause {\n          reason\n          pausedAt\n          pausedBy {\n            ...ConsoleActor\n          }\n        }\n      }\n      events(first: $eventsFirst, after: $eventsAfter) {\n        totalCount\n        pageInfo {\n          ...PaginationPageInfo\n        }\n        edges {\n          node {\n            id\n            seq\n            type\n            stepId\n            data\n            occurredAt\n            performedBy {\n              ...ConsoleActor\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleWorkflowDetailDocument,
    "\n  query ConsoleWorkflowSnapshot($id: ID!, $seq: Int!, $locale: Locale) {\n    workflow(id: $id) {\n      id\n      stateAt(seq: $seq) {\n        seq\n        status\n        currentStepId\n        updatedAt\n        state {\n          steps {\n            ...ConsoleWorkflowStep\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleWorkflowSnapshotDocument,
    "\n  query ConsoleWorkflowFilterChoices {\n    tenants(first: 100) {\n      nodes {\n        id\n        companyName\n      }\n    }\n    templates {\n      key\n    }\n    users(filter: { status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n        tenant {\n          companyName\n        }\n      }\n    }\n  }\n": typeof types.ConsoleWorkflowFilterChoicesDocument,
    "\n  subscription ConsoleWorkflowListChanges($filter: WorkflowFilter) {\n    workflowsChanged(filter: $filter) {\n      version\n      replayed\n      workflow {\n        id\n        status\n        currentStepId\n        version\n      }\n    }\n  }\n": typeof types.ConsoleWorkflowListChangesDocument,
    "\n  subscription WorkflowChanged($id: ID!) {\n    workflowChanged(id: $id) {\n      id\n      version\n    }\n  }\n": typeof types.WorkflowChangedDocument,
    "\n  fragment WorkflowActed on Workflow {\n    id\n    version\n    status\n  }\n": typeof types.WorkflowActedFragmentDoc,
    "\n  mutation StartWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    startWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.StartWorkflowDocument,
    "\n  mutation PauseWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    pauseWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.PauseWorkflowDocument,
    "\n  mutation ResumeWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    resumeWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.ResumeWorkflowDocument,
    "\n  mutation SubmitWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    submitWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.SubmitWorkflowDocument,
    "\n  mutation ApproveWorkflow($id: ID!, $comment: String, $expectedVersion: Int, $key: String) {\n    approveWorkflow(workflowId: $id, comment: $comment, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.ApproveWorkflowDocument,
    "\n  mutation RejectWorkflow($id: ID!, $reason: String!, $toStepId: String, $expectedVersion: Int, $key: String) {\n    rejectWorkflow(\n      workflowId: $id\n      reason: $reason\n      toStepId: $toStepId\n      expectedVersion: $expectedVersion\n      idempotencyKey: $key\n    ) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.RejectWorkflowDocument,
    "\n  mutation RollbackWorkflow($id: ID!, $toStepId: String!, $expectedVersion: Int, $key: String) {\n    rollbackWorkflow(workflowId: $id, toStepId: $toStepId, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.RollbackWorkflowDocument,
    "\n  mutation FailWorkflow($id: ID!, $reason: String!, $expectedVersion: Int, $key: String) {\n    failWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.FailWorkflowDocument,
    "\n  mutation CancelWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    cancelWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.CancelWorkflowDocument,
    "\n  mutation RetryWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    retryWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.RetryWorkflowDocument,
    "\n  mutation ExecuteStep($id: ID!, $stepId: String!, $data: JSON!, $expectedVersion: Int, $key: String) {\n    executeStep(workflowId: $id, stepId: $stepId, data: $data, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": typeof types.ExecuteStepDocument,
    "\n  mutation ValidateWorkflow($workflowId: ID!) {\n    validateWorkflow(workflowId: $workflowId) {\n      valid\n      outstandingSteps\n      steps {\n        stepId\n        errors {\n          path\n          message\n        }\n      }\n      submissionErrors {\n        path\n        message\n      }\n    }\n  }\n": typeof types.ValidateWorkflowDocument,
    "\n  query ConsoleWorkflowList($filter: WorkflowFilter, $first: Int!, $after: String, $locale: Locale) {\n    workflows(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        version\n        marketRole\n        currentStepId\n        createdAt\n        dueAt\n        overdue\n        tenant {\n          id\n          companyName\n        }\n        template {\n          id\n          key\n          version\n          steps {\n            id\n            title(locale: $locale)\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleWorkflowListDocument,
};
const documents: Documents = {
    "\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n": types.SessionUserFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n": types.MeDocument,
    "\n  mutation BeginMfaEnrolment {\n    beginMfaEnrolment {\n      provisioningUri\n      secret\n    }\n  }\n": types.BeginMfaEnrolmentDocument,
    "\n  mutation ConfirmMfaEnrolment($code: String!) {\n    confirmMfaEnrolment(code: $code) {\n      recoveryCodes\n    }\n  }\n": types.ConfirmMfaEnrolmentDocument,
    "\n  mutation DisableMfa($code: String!) {\n    disableMfa(code: $code)\n  }\n": types.DisableMfaDocument,
    "\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n": types.SessionPayloadFieldsFragmentDoc,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n": types.VerifyMfaDocument,
    "\n  fragment PaginationPageInfo on PageInfo {\n    hasNextPage\n    endCursor\n  }\n": types.PaginationPageInfoFragmentDoc,
    "\n  fragment WorkflowAttachment on WorkflowFile {\n    id\n    name\n    stepId\n    contentType\n    size\n    status\n    uploadedAt\n    downloadUrl\n  }\n": types.WorkflowAttachmentFragmentDoc,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...SessionPayloadFields\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  query SecondFactor {\n    me {\n      id\n      mfaEnabled\n    }\n  }\n": types.SecondFactorDocument,
    "\n  query Notifications($unreadOnly: Boolean!, $first: Int!) {\n    notifications(unreadOnly: $unreadOnly, first: $first) {\n      id\n      subject\n      body\n      workflowId\n      read\n      createdAt\n    }\n  }\n": types.NotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  query OperationsJobs($status: JobStatus) {\n    jobs(status: $status, first: 100) {\n      id\n      entrypoint\n      status\n      attempts\n      lastError\n      updatedAt\n    }\n  }\n": types.OperationsJobsDocument,
    "\n  query OperationsDeliveries($status: WebhookDeliveryStatus) {\n    webhookDeliveries(status: $status, first: 100) {\n      id\n      subscriptionId\n      eventType\n      status\n      attemptCount\n      lastStatusCode\n      lastError\n      lastAttemptAt\n      attempts {\n        attempt\n        statusCode\n        error\n        durationMs\n      }\n    }\n    webhookSubscriptions {\n      id\n      url\n      tenant {\n        id\n        companyName\n      }\n    }\n  }\n": types.OperationsDeliveriesDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n      attempts\n      updatedAt\n    }\n  }\n": types.RetryJobDocument,
    "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n      attemptCount\n    }\n  }\n": types.ReplayWebhookDeliveryDocument,
    "\n  query MyWorkflows($after: String) {\n    workflows(first: 20, after: $after) {\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          id\n          name\n          steps {\n            id\n            title\n            roles\n          }\n        }\n        currentStep {\n          id\n          type\n          title\n        }\n        state {\n          lastRejection {\n            reason\n            toStepId\n          }\n        }\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n": types.MyWorkflowsDocument,
    "\n  query PortalWorkflow($id: ID!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      allowedActions\n      template {\n        id\n        name\n        definition\n        steps {\n          id\n          type\n          title\n          schema\n          roles\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      state {\n        steps {\n          id\n          type\n          title\n          status\n          data\n          completedAt\n          completedBy {\n            name\n          }\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            name\n          }\n        }\n      }\n      drafts {\n        ...StepDraftShown\n      }\n      files {\n        ...WorkflowAttachment\n      }\n    }\n  }\n": types.PortalWorkflowDocument,
    "\n  query StartContext {\n    me {\n      id\n      tenant {\n        id\n        companyName\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n    workflows(first: 100) {\n      nodes {\n        id\n        status\n        marketRole\n        template {\n          id\n          key\n        }\n      }\n    }\n    templates {\n      id\n      key\n      marketRole\n      definition\n    }\n  }\n": types.StartContextDocument,
    "\n  query RoleTemplates($marketRole: MarketRole!) {\n    templates(marketRole: $marketRole) {\n      id\n      key\n      marketRole\n      name\n      description\n      definition\n    }\n  }\n": types.RoleTemplatesDocument,
    "\n  mutation CreateOnboarding($marketRole: MarketRole!, $templateKey: String!, $idempotencyKey: String!) {\n    createWorkflow(marketRole: $marketRole, templateKey: $templateKey, idempotencyKey: $idempotencyKey) {\n      ...WorkflowActed\n    }\n  }\n": types.CreateOnboardingDocument,
    "\n  query TenantUsers($after: String) {\n    users(first: 50, after: $after) {\n      nodes {\n        id\n        email\n        displayName\n        role\n        locale\n        status\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n": types.TenantUsersDocument,
    "\n  mutation InviteTenantUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      id\n      email\n      status\n    }\n  }\n": types.InviteTenantUserDocument,
    "\n  mutation DisableTenantUser($id: ID!) {\n    disableUser(id: $id) {\n      id\n      status\n    }\n  }\n": types.DisableTenantUserDocument,
    "\n  mutation EnableTenantUser($id: ID!) {\n    enableUser(id: $id) {\n      id\n      status\n    }\n  }\n": types.EnableTenantUserDocument,
    "\n  fragment StepDraftShown on StepDraft {\n    stepId\n    data\n    savedAt\n    savedBy {\n      name\n    }\n  }\n": types.StepDraftShownFragmentDoc,
    "\n  mutation SaveStepDraft($workflowId: ID!, $stepId: String!, $data: JSON!) {\n    saveStepDraft(workflowId: $workflowId, stepId: $stepId, data: $data) {\n      ...StepDraftShown\n    }\n  }\n": types.SaveStepDraftDocument,
    "\n  mutation DiscardStepDraft($workflowId: ID!, $stepId: String!) {\n    discardStepDraft(workflowId: $workflowId, stepId: $stepId)\n  }\n": types.DiscardStepDraftDocument,
    "\n  query ConsoleDataSubjectTenants($first: Int!) {\n    tenants(first: $first) {\n      nodes {\n        id\n        companyName\n      }\n    }\n  }\n": types.ConsoleDataSubjectTenantsDocument,
    "\n  query ConsoleDataSubject($tenantId: ID!, $email: String!) {\n    dataSubject(tenantId: $tenantId, email: $email) {\n      id\n      tenantId\n      workflows\n      erasedAt\n    }\n  }\n": types.ConsoleDataSubjectDocument,
    "\n  mutation ConsoleExportDataSubject($subjectId: ID!) {\n    exportDataSubject(subjectId: $subjectId)\n  }\n": types.ConsoleExportDataSubjectDocument,
    "\n  mutation ConsoleEraseDataSubject($subjectId: ID!, $reason: String!) {\n    eraseDataSubject(subjectId: $subjectId, reason: $reason) {\n      subjectId\n    }\n  }\n": types.ConsoleEraseDataSubjectDocument,
    "\n  query TemplateDetail($key: String!, $version: Int, $marketRole: MarketRole) {\n    template(key: $key, version: $version, marketRole: $marketRole) {\n      ...TemplateSummary\n      description\n      definition\n    }\n    templateVersions(key: $key) {\n      id\n      version\n      marketRole\n      status\n      createdAt\n    }\n  }\n": types.TemplateDetailDocument,
    "\n  query TemplateStatistics($key: String!, $since: DateTime) {\n    templateStats(key: $key, since: $since) {\n      workflows\n      slaBreaches\n      byStatus {\n        status\n        count\n      }\n      duration {\n        measured\n        p50Seconds\n        p90Seconds\n        p95Seconds\n      }\n      steps {\n        stepId\n        runs\n        failed\n        failureRate\n        slaBreaches\n        duration {\n          measured\n          p50Seconds\n          p90Seconds\n          p95Seconds\n        }\n      }\n    }\n  }\n": types.TemplateStatisticsDocument,
    "\n  mutation DeprecateTemplate($key: String!, $version: Int!, $marketRole: MarketRole) {\n    deprecateTemplate(key: $key, version: $version, marketRole: $marketRole) {\n      id\n      version\n      marketRole\n      status\n    }\n  }\n": types.DeprecateTemplateDocument,
    "\n  query TemplateList($includeDeprecated: Boolean!) {\n    templates(includeDeprecated: $includeDeprecated) {\n      ...TemplateSummary\n    }\n  }\n": types.TemplateListDocument,
    "\n  fragment TemplateSummary on Template {\n    id\n    key\n    version\n    status\n    marketRole\n    extends\n    createdAt\n    name\n  }\n": types.TemplateSummaryFragmentDoc,
    "\n  mutation PublishTemplate($definition: JSON!) {\n    publishTemplate(definition: $definition) {\n      id\n      key\n      version\n      marketRole\n      status\n    }\n  }\n": types.PublishTemplateDocument,
    "\n  mutation ValidateTemplate($definition: JSON!) {\n    validateTemplate(definition: $definition) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n": types.ValidateTemplateDocument,
    "\n  query ConsoleTenant($id: ID!) {\n    tenant(id: $id) {\n      id\n      slug\n      companyName\n      vatNumber\n      status\n      statusReason\n      createdAt\n      updatedAt\n      marketRoles {\n        role\n        status\n        statusReason\n        contractReference\n        updatedAt\n        apiCredential\n        apiKeyAwaitingReveal\n      }\n    }\n  }\n": types.ConsoleTenantDocument,
    "\n  query ConsoleTenantUsers($tenantId: ID!, $first: Int!, $after: String) {\n    users(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        email\n        displayName\n        role\n        status\n      }\n    }\n  }\n": types.ConsoleTenantUsersDocument,
    "\n  query ConsoleTenantWorkflows($tenantId: ID!, $first: Int!, $after: String) {\n    workflows(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          key\n        }\n        currentStep {\n          title\n        }\n      }\n    }\n  }\n": types.ConsoleTenantWorkflowsDocument,
    "\n  query ConsoleRetentionPolicies($tenantId: ID!) {\n    retentionPolicies(tenantId: $tenantId) {\n      templateKey\n      afterDays\n      updatedAt\n      updatedBy {\n        name\n      }\n    }\n    templates {\n      key\n    }\n  }\n": types.ConsoleRetentionPoliciesDocument,
    "\n  mutation ConsoleSetRetentionPolicy($tenantId: ID!, $templateKey: String, $afterDays: Int!) {\n    setRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey, afterDays: $afterDays) {\n      templateKey\n      afterDays\n    }\n  }\n": types.ConsoleSetRetentionPolicyDocument,
    "\n  mutation ConsoleRemoveRetentionPolicy($tenantId: ID!, $templateKey: String) {\n    removeRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey)\n  }\n": types.ConsoleRemoveRetentionPolicyDocument,
    "\n  fragment ConsoleTenantStatus on Tenant {\n    id\n    status\n    statusReason\n    updatedAt\n  }\n": types.ConsoleTenantStatusFragmentDoc,
    "\n  fragment ConsoleMarketRoleStatus on TenantMarketRole {\n    role\n    status\n  }\n": types.ConsoleMarketRoleStatusFragmentDoc,
    "\n  mutation ConsoleSuspendTenant($id: ID!, $reason: String!) {\n    suspendTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n": types.ConsoleSuspendTenantDocument,
    "\n  mutation ConsoleReactivateTenant($id: ID!, $reason: String) {\n    reactivateTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n": types.ConsoleReactivateTenantDocument,
    "\n  mutation ConsoleArchiveTenant($id: ID!, $reason: String!) {\n    archiveTenant(id: $id, reason: $reason) {\n      id\n      status\n      archivedAt\n    }\n  }\n": types.ConsoleArchiveTenantDocument,
    "\n  mutation ConsoleSuspendMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    suspendMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n": types.ConsoleSuspendMarketRoleDocument,
    "\n  mutation ConsoleTerminateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    terminateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n": types.ConsoleTerminateMarketRoleDocument,
    "\n  mutation ConsoleReactivateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    reactivateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n": types.ConsoleReactivateMarketRoleDocument,
    "\n  query ConsoleTenants($filter: TenantFilter, $first: Int!, $after: String) {\n    tenants(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        slug\n        companyName\n        vatNumber\n        status\n        createdAt\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n  }\n": types.ConsoleTenantsDocument,
    "\n  mutation ConsoleCreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      id\n    }\n  }\n": types.ConsoleCreateTenantDocument,
    "\n  fragment WorkQueueAssignment on WorkItem {\n    id\n    assignee {\n      id\n      name\n    }\n  }\n": types.WorkQueueAssignmentFragmentDoc,
    "\n  query WorkQueue($filter: WorkItemFilter, $first: Int!, $after: String) {\n    workItems(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        kind\n        since\n        dueAt\n        breached\n        escalatedTo\n        roles\n        templateKey\n        marketRole\n        stepTitle\n        ...WorkQueueAssignment\n        tenant {\n          id\n          companyName\n        }\n      }\n    }\n  }\n": types.WorkQueueDocument,
    "\n  subscription WorkQueueLive {\n    workQueueChanged {\n      at\n      workflowId\n    }\n  }\n": types.WorkQueueLiveDocument,
    "\n  query WorkQueueAssignees {\n    users(filter: { role: \"market_ops\", status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n      }\n    }\n  }\n": types.WorkQueueAssigneesDocument,
    "\n  mutation WorkQueueClaim($workflowId: ID!) {\n    claimWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n": types.WorkQueueClaimDocument,
    "\n  mutation WorkQueueAssign($workflowId: ID!, $userId: ID!) {\n    assignWorkItem(workflowId: $workflowId, userId: $userId) {\n      ...WorkQueueAssignment\n    }\n  }\n": types.WorkQueueAssignDocument,
    "\n  mutation WorkQueueRelease($workflowId: ID!) {\n    releaseWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n": types.WorkQueueReleaseDocument,
    "\n  fragment ConsoleActor on Actor {\n    kind\n    name(locale: $locale)\n  }\n": types.ConsoleActorFragmentDoc,
    "\n  fragment ConsoleWorkflowStep on WorkflowStep {\n    id\n    type\n    title(locale: $locale)\n    status\n    data\n    completedAt\n    completedBy {\n      ...ConsoleActor\n    }\n  }\n": types.ConsoleWorkflowStepFragmentDoc,
    "\n  query ConsoleWorkflowDetail($id: ID!, $locale: Locale, $eventsAfter: String, $eventsFirst: Int!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      createdAt\n      updatedAt\n      allowedActions\n      tenant {\n        id\n        companyName\n      }\n      template {\n        id\n        key\n        version\n        name(locale: $locale)\n        steps {\n          id\n          type\n          title(locale: $locale)\n          schema\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      files {\n        ...WorkflowAttachment\n      }\n      state {\n        steps {\n          ...ConsoleWorkflowStep\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            ...ConsoleActor\n          }\n        }\n        approval {\n          comment\n          approvedAt\n          approvedBy {\n            ...ConsoleActor\n          }\n        }\n        pause {\n          reason\n          pausedAt\n          pausedBy {\n            ...ConsoleActor\n          }\n        }\n      }\n      events(first: $eventsFirst, after: $eventsAfter) {\n        totalCount\n        pageInfo {\n          ...PaginationPageInfo\n        }\n        edges {\n          node {\n            id\n            seq\n            type\n            stepId\n            data\n            occurredAt\n            performedBy {\n              ...ConsoleActor\n            }\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleWorkflowDetailDocument,
    "\n  query ConsoleWorkflowSnapshot($id: ID!, $seq: Int!, $locale: Locale) {\n    workflow(id: $id) {\n      id\n      stateAt(seq: $seq) {\n        seq\n        status\n        currentStepId\n        updatedAt\n        state {\n          steps {\n            ...ConsoleWorkflowStep\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleWorkflowSnapshotDocument,
    "\n  query ConsoleWorkflowFilterChoices {\n    tenants(first: 100) {\n      nodes {\n        id\n        companyName\n      }\n    }\n    templates {\n      key\n    }\n    users(filter: { status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n        tenant {\n          companyName\n        }\n      }\n    }\n  }\n": types.ConsoleWorkflowFilterChoicesDocument,
    "\n  subscription ConsoleWorkflowListChanges($filter: WorkflowFilter) {\n    workflowsChanged(filter: $filter) {\n      version\n      replayed\n      workflow {\n        id\n        status\n        currentStepId\n        version\n      }\n    }\n  }\n": types.ConsoleWorkflowListChangesDocument,
    "\n  subscription WorkflowChanged($id: ID!) {\n    workflowChanged(id: $id) {\n      id\n      version\n    }\n  }\n": types.WorkflowChangedDocument,
    "\n  fragment WorkflowActed on Workflow {\n    id\n    version\n    status\n  }\n": types.WorkflowActedFragmentDoc,
    "\n  mutation StartWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    startWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.StartWorkflowDocument,
    "\n  mutation PauseWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    pauseWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.PauseWorkflowDocument,
    "\n  mutation ResumeWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    resumeWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.ResumeWorkflowDocument,
    "\n  mutation SubmitWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    submitWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.SubmitWorkflowDocument,
    "\n  mutation ApproveWorkflow($id: ID!, $comment: String, $expectedVersion: Int, $key: String) {\n    approveWorkflow(workflowId: $id, comment: $comment, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.ApproveWorkflowDocument,
    "\n  mutation RejectWorkflow($id: ID!, $reason: String!, $toStepId: String, $expectedVersion: Int, $key: String) {\n    rejectWorkflow(\n      workflowId: $id\n      reason: $reason\n      toStepId: $toStepId\n      expectedVersion: $expectedVersion\n      idempotencyKey: $key\n    ) {\n      ...WorkflowActed\n    }\n  }\n": types.RejectWorkflowDocument,
    "\n  mutation RollbackWorkflow($id: ID!, $toStepId: String!, $expectedVersion: Int, $key: String) {\n    rollbackWorkflow(workflowId: $id, toStepId: $toStepId, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.RollbackWorkflowDocument,
    "\n  mutation FailWorkflow($id: ID!, $reason: String!, $expectedVersion: Int, $key: String) {\n    failWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.FailWorkflowDocument,
    "\n  mutation CancelWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    cancelWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.CancelWorkflowDocument,
    "\n  mutation RetryWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    retryWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.RetryWorkflowDocument,
    "\n  mutation ExecuteStep($id: ID!, $stepId: String!, $data: JSON!, $expectedVersion: Int, $key: String) {\n    executeStep(workflowId: $id, stepId: $stepId, data: $data, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n": types.ExecuteStepDocument,
    "\n  mutation ValidateWorkflow($workflowId: ID!) {\n    validateWorkflow(workflowId: $workflowId) {\n      valid\n      outstandingSteps\n      steps {\n        stepId\n        errors {\n          path\n          message\n        }\n      }\n      submissionErrors {\n        path\n        message\n      }\n    }\n  }\n": types.ValidateWorkflowDocument,
    "\n  query ConsoleWorkflowList($filter: WorkflowFilter, $first: Int!, $after: String, $locale: Locale) {\n    workflows(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        version\n        marketRole\n        currentStepId\n        createdAt\n        dueAt\n        overdue\n        tenant {\n          id\n          companyName\n        }\n        template {\n          id\n          key\n          version\n          steps {\n            id\n            title(locale: $locale)\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleWorkflowListDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n"): (typeof documents)["\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BeginMfaEnrolment {\n    beginMfaEnrolment {\n      provisioningUri\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation BeginMfaEnrolment {\n    beginMfaEnrolment {\n      provisioningUri\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmMfaEnrolment($code: String!) {\n    confirmMfaEnrolment(code: $code) {\n      recoveryCodes\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmMfaEnrolment($code: String!) {\n    confirmMfaEnrolment(code: $code) {\n      recoveryCodes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableMfa($code: String!) {\n    disableMfa(code: $code)\n  }\n"): (typeof documents)["\n  mutation DisableMfa($code: String!) {\n    disableMfa(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n"): (typeof documents)["\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PaginationPageInfo on PageInfo {\n    hasNextPage\n    endCursor\n  }\n"): (typeof documents)["\n  fragment PaginationPageInfo on PageInfo {\n    hasNextPage\n    endCursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkflowAttachment on WorkflowFile {\n    id\n    name\n    stepId\n    contentType\n    size\n    status\n    uploadedAt\n    downloadUrl\n  }\n"): (typeof documents)["\n  fragment WorkflowAttachment on WorkflowFile {\n    id\n    name\n    stepId\n    contentType\n    size\n    status\n    uploadedAt\n    downloadUrl\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...SessionPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...SessionPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SecondFactor {\n    me {\n      id\n      mfaEnabled\n    }\n  }\n"): (typeof documents)["\n  query SecondFactor {\n    me {\n      id\n      mfaEnabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($unreadOnly: Boolean!, $first: Int!) {\n    notifications(unreadOnly: $unreadOnly, first: $first) {\n      id\n      subject\n      body\n      workflowId\n      read\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query Notifications($unreadOnly: Boolean!, $first: Int!) {\n    notifications(unreadOnly: $unreadOnly, first: $first) {\n      id\n      subject\n      body\n      workflowId\n      read\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperationsJobs($status: JobStatus) {\n    jobs(status: $status, first: 100) {\n      id\n      entrypoint\n      status\n      attempts\n      lastError\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  query OperationsJobs($status: JobStatus) {\n    jobs(status: $status, first: 100) {\n      id\n      entrypoint\n      status\n      attempts\n      lastError\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperationsDeliveries($status: WebhookDeliveryStatus) {\n    webhookDeliveries(status: $status, first: 100) {\n      id\n      subscriptionId\n      eventType\n      status\n      attemptCount\n      lastStatusCode\n      lastError\n      lastAttemptAt\n      attempts {\n        attempt\n        statusCode\n        error\n        durationMs\n      }\n    }\n    webhookSubscriptions {\n      id\n      url\n      tenant {\n        id\n        companyName\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperationsDeliveries($status: WebhookDeliveryStatus) {\n    webhookDeliveries(status: $status, first: 100) {\n      id\n      subscriptionId\n      eventType\n      status\n      attemptCount\n      lastStatusCode\n      lastError\n      lastAttemptAt\n      attempts {\n        attempt\n        statusCode\n        error\n        durationMs\n      }\n    }\n    webhookSubscriptions {\n      id\n      url\n      tenant {\n        id\n        companyName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n      attempts\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n      attempts\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n      attemptCount\n    }\n  }\n"): (typeof documents)["\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n      attemptCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyWorkflows($after: String) {\n    workflows(first: 20, after: $after) {\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          id\n          name\n          steps {\n            id\n            title\n            roles\n          }\n        }\n        currentStep {\n          id\n          type\n          title\n        }\n        state {\n          lastRejection {\n            reason\n            toStepId\n          }\n        }\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyWorkflows($after: String) {\n    workflows(first: 20, after: $after) {\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          id\n          name\n          steps {\n            id\n            title\n            roles\n          }\n        }\n        currentStep {\n          id\n          type\n          title\n        }\n        state {\n          lastRejection {\n            reason\n            toStepId\n          }\n        }\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PortalWorkflow($id: ID!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      allowedActions\n      template {\n        id\n        name\n        definition\n        steps {\n          id\n          type\n          title\n          schema\n          roles\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      state {\n        steps {\n          id\n          type\n          title\n          status\n          data\n          completedAt\n          completedBy {\n            name\n          }\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            name\n          }\n        }\n      }\n      drafts {\n        ...StepDraftShown\n      }\n      files {\n        ...WorkflowAttachment\n      }\n    }\n  }\n"): (typeof documents)["\n  query PortalWorkflow($id: ID!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      allowedActions\n      template {\n        id\n        name\n        definition\n        steps {\n          id\n          type\n          title\n          schema\n          roles\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      state {\n        steps {\n          id\n          type\n          title\n          status\n          data\n          completedAt\n          completedBy {\n            name\n          }\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            name\n          }\n        }\n      }\n      drafts {\n        ...StepDraftShown\n      }\n      files {\n        ...WorkflowAttachment\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StartContext {\n    me {\n      id\n      tenant {\n        id\n        companyName\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n    workflows(first: 100) {\n      nodes {\n        id\n        status\n        marketRole\n        template {\n          id\n          key\n        }\n      }\n    }\n    templates {\n      id\n      key\n      marketRole\n      definition\n    }\n  }\n"): (typeof documents)["\n  query StartContext {\n    me {\n      id\n      tenant {\n        id\n        companyName\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n    workflows(first: 100) {\n      nodes {\n        id\n        status\n        marketRole\n        template {\n          id\n          key\n        }\n      }\n    }\n    templates {\n      id\n      key\n      marketRole\n      definition\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoleTemplates($marketRole: MarketRole!) {\n    templates(marketRole: $marketRole) {\n      id\n      key\n      marketRole\n      name\n      description\n      definition\n    }\n  }\n"): (typeof documents)["\n  query RoleTemplates($marketRole: MarketRole!) {\n    templates(marketRole: $marketRole) {\n      id\n      key\n      marketRole\n      name\n      description\n      definition\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOnboarding($marketRole: MarketRole!, $templateKey: String!, $idempotencyKey: String!) {\n    createWorkflow(marketRole: $marketRole, templateKey: $templateKey, idempotencyKey: $idempotencyKey) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOnboarding($marketRole: MarketRole!, $templateKey: String!, $idempotencyKey: String!) {\n    createWorkflow(marketRole: $marketRole, templateKey: $templateKey, idempotencyKey: $idempotencyKey) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TenantUsers($after: String) {\n    users(first: 50, after: $after) {\n      nodes {\n        id\n        email\n        displayName\n        role\n        locale\n        status\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n"): (typeof documents)["\n  query TenantUsers($after: String) {\n    users(first: 50, after: $after) {\n      nodes {\n        id\n        email\n        displayName\n        role\n        locale\n        status\n      }\n      pageInfo {\n        ...PaginationPageInfo\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteTenantUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      id\n      email\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation InviteTenantUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      id\n      email\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableTenantUser($id: ID!) {\n    disableUser(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation DisableTenantUser($id: ID!) {\n    disableUser(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableTenantUser($id: ID!) {\n    enableUser(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation EnableTenantUser($id: ID!) {\n    enableUser(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StepDraftShown on StepDraft {\n    stepId\n    data\n    savedAt\n    savedBy {\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment StepDraftShown on StepDraft {\n    stepId\n    data\n    savedAt\n    savedBy {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveStepDraft($workflowId: ID!, $stepId: String!, $data: JSON!) {\n    saveStepDraft(workflowId: $workflowId, stepId: $stepId, data: $data) {\n      ...StepDraftShown\n    }\n  }\n"): (typeof documents)["\n  mutation SaveStepDraft($workflowId: ID!, $stepId: String!, $data: JSON!) {\n    saveStepDraft(workflowId: $workflowId, stepId: $stepId, data: $data) {\n      ...StepDraftShown\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardStepDraft($workflowId: ID!, $stepId: String!) {\n    discardStepDraft(workflowId: $workflowId, stepId: $stepId)\n  }\n"): (typeof documents)["\n  mutation DiscardStepDraft($workflowId: ID!, $stepId: String!) {\n    discardStepDraft(workflowId: $workflowId, stepId: $stepId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDataSubjectTenants($first: Int!) {\n    tenants(first: $first) {\n      nodes {\n        id\n        companyName\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleDataSubjectTenants($first: Int!) {\n    tenants(first: $first) {\n      nodes {\n        id\n        companyName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDataSubject($tenantId: ID!, $email: String!) {\n    dataSubject(tenantId: $tenantId, email: $email) {\n      id\n      tenantId\n      workflows\n      erasedAt\n    }\n  }\n"): (typeof documents)["\n  query ConsoleDataSubject($tenantId: ID!, $email: String!) {\n    dataSubject(tenantId: $tenantId, email: $email) {\n      id\n      tenantId\n      workflows\n      erasedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleExportDataSubject($subjectId: ID!) {\n    exportDataSubject(subjectId: $subjectId)\n  }\n"): (typeof documents)["\n  mutation ConsoleExportDataSubject($subjectId: ID!) {\n    exportDataSubject(subjectId: $subjectId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleEraseDataSubject($subjectId: ID!, $reason: String!) {\n    eraseDataSubject(subjectId: $subjectId, reason: $reason) {\n      subjectId\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleEraseDataSubject($subjectId: ID!, $reason: String!) {\n    eraseDataSubject(subjectId: $subjectId, reason: $reason) {\n      subjectId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TemplateDetail($key: String!, $version: Int, $marketRole: MarketRole) {\n    template(key: $key, version: $version, marketRole: $marketRole) {\n      ...TemplateSummary\n      description\n      definition\n    }\n    templateVersions(key: $key) {\n      id\n      version\n      marketRole\n      status\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query TemplateDetail($key: String!, $version: Int, $marketRole: MarketRole) {\n    template(key: $key, version: $version, marketRole: $marketRole) {\n      ...TemplateSummary\n      description\n      definition\n    }\n    templateVersions(key: $key) {\n      id\n      version\n      marketRole\n      status\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TemplateStatistics($key: String!, $since: DateTime) {\n    templateStats(key: $key, since: $since) {\n      workflows\n      slaBreaches\n      byStatus {\n        status\n        count\n      }\n      duration {\n        measured\n        p50Seconds\n        p90Seconds\n        p95Seconds\n      }\n      steps {\n        stepId\n        runs\n        failed\n        failureRate\n        slaBreaches\n        duration {\n          measured\n          p50Seconds\n          p90Seconds\n          p95Seconds\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TemplateStatistics($key: String!, $since: DateTime) {\n    templateStats(key: $key, since: $since) {\n      workflows\n      slaBreaches\n      byStatus {\n        status\n        count\n      }\n      duration {\n        measured\n        p50Seconds\n        p90Seconds\n        p95Seconds\n      }\n      steps {\n        stepId\n        runs\n        failed\n        failureRate\n        slaBreaches\n        duration {\n          measured\n          p50Seconds\n          p90Seconds\n          p95Seconds\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeprecateTemplate($key: String!, $version: Int!, $marketRole: MarketRole) {\n    deprecateTemplate(key: $key, version: $version, marketRole: $marketRole) {\n      id\n      version\n      marketRole\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation DeprecateTemplate($key: String!, $version: Int!, $marketRole: MarketRole) {\n    deprecateTemplate(key: $key, version: $version, marketRole: $marketRole) {\n      id\n      version\n      marketRole\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TemplateList($includeDeprecated: Boolean!) {\n    templates(includeDeprecated: $includeDeprecated) {\n      ...TemplateSummary\n    }\n  }\n"): (typeof documents)["\n  query TemplateList($includeDeprecated: Boolean!) {\n    templates(includeDeprecated: $includeDeprecated) {\n      ...TemplateSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TemplateSummary on Template {\n    id\n    key\n    version\n    status\n    marketRole\n    extends\n    createdAt\n    name\n  }\n"): (typeof documents)["\n  fragment TemplateSummary on Template {\n    id\n    key\n    version\n    status\n    marketRole\n    extends\n    createdAt\n    name\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishTemplate($definition: JSON!) {\n    publishTemplate(definition: $definition) {\n      id\n      key\n      version\n      marketRole\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation PublishTemplate($definition: JSON!) {\n    publishTemplate(definition: $definition) {\n      id\n      key\n      version\n      marketRole\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ValidateTemplate($definition: JSON!) {\n    validateTemplate(definition: $definition) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ValidateTemplate($definition: JSON!) {\n    validateTemplate(definition: $definition) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTenant($id: ID!) {\n    tenant(id: $id) {\n      id\n      slug\n      companyName\n      vatNumber\n      status\n      statusReason\n      createdAt\n      updatedAt\n      marketRoles {\n        role\n        status\n        statusReason\n        contractReference\n        updatedAt\n        apiCredential\n        apiKeyAwaitingReveal\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleTenant($id: ID!) {\n    tenant(id: $id) {\n      id\n      slug\n      companyName\n      vatNumber\n      status\n      statusReason\n      createdAt\n      updatedAt\n      marketRoles {\n        role\n        status\n        statusReason\n        contractReference\n        updatedAt\n        apiCredential\n        apiKeyAwaitingReveal\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTenantUsers($tenantId: ID!, $first: Int!, $after: String) {\n    users(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        email\n        displayName\n        role\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleTenantUsers($tenantId: ID!, $first: Int!, $after: String) {\n    users(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        email\n        displayName\n        role\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTenantWorkflows($tenantId: ID!, $first: Int!, $after: String) {\n    workflows(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          key\n        }\n        currentStep {\n          title\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleTenantWorkflows($tenantId: ID!, $first: Int!, $after: String) {\n    workflows(filter: { tenantId: $tenantId }, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        marketRole\n        updatedAt\n        template {\n          key\n        }\n        currentStep {\n          title\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleRetentionPolicies($tenantId: ID!) {\n    retentionPolicies(tenantId: $tenantId) {\n      templateKey\n      afterDays\n      updatedAt\n      updatedBy {\n        name\n      }\n    }\n    templates {\n      key\n    }\n  }\n"): (typeof documents)["\n  query ConsoleRetentionPolicies($tenantId: ID!) {\n    retentionPolicies(tenantId: $tenantId) {\n      templateKey\n      afterDays\n      updatedAt\n      updatedBy {\n        name\n      }\n    }\n    templates {\n      key\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSetRetentionPolicy($tenantId: ID!, $templateKey: String, $afterDays: Int!) {\n    setRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey, afterDays: $afterDays) {\n      templateKey\n      afterDays\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSetRetentionPolicy($tenantId: ID!, $templateKey: String, $afterDays: Int!) {\n    setRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey, afterDays: $afterDays) {\n      templateKey\n      afterDays\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRemoveRetentionPolicy($tenantId: ID!, $templateKey: String) {\n    removeRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey)\n  }\n"): (typeof documents)["\n  mutation ConsoleRemoveRetentionPolicy($tenantId: ID!, $templateKey: String) {\n    removeRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleTenantStatus on Tenant {\n    id\n    status\n    statusReason\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment ConsoleTenantStatus on Tenant {\n    id\n    status\n    statusReason\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleMarketRoleStatus on TenantMarketRole {\n    role\n    status\n  }\n"): (typeof documents)["\n  fragment ConsoleMarketRoleStatus on TenantMarketRole {\n    role\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSuspendTenant($id: ID!, $reason: String!) {\n    suspendTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSuspendTenant($id: ID!, $reason: String!) {\n    suspendTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleReactivateTenant($id: ID!, $reason: String) {\n    reactivateTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleReactivateTenant($id: ID!, $reason: String) {\n    reactivateTenant(id: $id, reason: $reason) {\n      ...ConsoleTenantStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleArchiveTenant($id: ID!, $reason: String!) {\n    archiveTenant(id: $id, reason: $reason) {\n      id\n      status\n      archivedAt\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleArchiveTenant($id: ID!, $reason: String!) {\n    archiveTenant(id: $id, reason: $reason) {\n      id\n      status\n      archivedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSuspendMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    suspendMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSuspendMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    suspendMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleTerminateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    terminateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleTerminateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    terminateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleReactivateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    reactivateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleReactivateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {\n    reactivateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {\n      ...ConsoleMarketRoleStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTenants($filter: TenantFilter, $first: Int!, $after: String) {\n    tenants(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        slug\n        companyName\n        vatNumber\n        status\n        createdAt\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleTenants($filter: TenantFilter, $first: Int!, $after: String) {\n    tenants(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        slug\n        companyName\n        vatNumber\n        status\n        createdAt\n        marketRoles {\n          role\n          status\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleCreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkQueueAssignment on WorkItem {\n    id\n    assignee {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment WorkQueueAssignment on WorkItem {\n    id\n    assignee {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkQueue($filter: WorkItemFilter, $first: Int!, $after: String) {\n    workItems(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        kind\n        since\n        dueAt\n        breached\n        escalatedTo\n        roles\n        templateKey\n        marketRole\n        stepTitle\n        ...WorkQueueAssignment\n        tenant {\n          id\n          companyName\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WorkQueue($filter: WorkItemFilter, $first: Int!, $after: String) {\n    workItems(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        kind\n        since\n        dueAt\n        breached\n        escalatedTo\n        roles\n        templateKey\n        marketRole\n        stepTitle\n        ...WorkQueueAssignment\n        tenant {\n          id\n          companyName\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkQueueLive {\n    workQueueChanged {\n      at\n      workflowId\n    }\n  }\n"): (typeof documents)["\n  subscription WorkQueueLive {\n    workQueueChanged {\n      at\n      workflowId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkQueueAssignees {\n    users(filter: { role: \"market_ops\", status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  query WorkQueueAssignees {\n    users(filter: { role: \"market_ops\", status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkQueueClaim($workflowId: ID!) {\n    claimWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n"): (typeof documents)["\n  mutation WorkQueueClaim($workflowId: ID!) {\n    claimWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkQueueAssign($workflowId: ID!, $userId: ID!) {\n    assignWorkItem(workflowId: $workflowId, userId: $userId) {\n      ...WorkQueueAssignment\n    }\n  }\n"): (typeof documents)["\n  mutation WorkQueueAssign($workflowId: ID!, $userId: ID!) {\n    assignWorkItem(workflowId: $workflowId, userId: $userId) {\n      ...WorkQueueAssignment\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkQueueRelease($workflowId: ID!) {\n    releaseWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n"): (typeof documents)["\n  mutation WorkQueueRelease($workflowId: ID!) {\n    releaseWorkItem(workflowId: $workflowId) {\n      ...WorkQueueAssignment\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleActor on Actor {\n    kind\n    name(locale: $locale)\n  }\n"): (typeof documents)["\n  fragment ConsoleActor on Actor {\n    kind\n    name(locale: $locale)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleWorkflowStep on WorkflowStep {\n    id\n    type\n    title(locale: $locale)\n    status\n    data\n    completedAt\n    completedBy {\n      ...ConsoleActor\n    }\n  }\n"): (typeof documents)["\n  fragment ConsoleWorkflowStep on WorkflowStep {\n    id\n    type\n    title(locale: $locale)\n    status\n    data\n    completedAt\n    completedBy {\n      ...ConsoleActor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleWorkflowDetail($id: ID!, $locale: Locale, $eventsAfter: String, $eventsFirst: Int!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      createdAt\n      updatedAt\n      allowedActions\n      tenant {\n        id\n        companyName\n      }\n      template {\n        id\n        key\n        version\n        name(locale: $locale)\n        steps {\n          id\n          type\n          title(locale: $locale)\n          schema\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      files {\n        ...WorkflowAttachment\n      }\n      state {\n        steps {\n          ...ConsoleWorkflowStep\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            ...ConsoleActor\n          }\n        }\n        approval {\n          comment\n          approvedAt\n          approvedBy {\n            ...ConsoleActor\n          }\n        }\n        pause {\n          reason\n          pausedAt\n          pausedBy {\n            ...ConsoleActor\n          }\n        }\n      }\n      events(first: $eventsFirst, after: $eventsAfter) {\n        totalCount\n        pageInfo {\n          ...PaginationPageInfo\n        }\n        edges {\n          node {\n            id\n            seq\n            type\n            stepId\n            data\n            occurredAt\n            performedBy {\n              ...ConsoleActor\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleWorkflowDetail($id: ID!, $locale: Locale, $eventsAfter: String, $eventsFirst: Int!) {\n    workflow(id: $id) {\n      id\n      status\n      version\n      marketRole\n      currentStepId\n      createdAt\n      updatedAt\n      allowedActions\n      tenant {\n        id\n        companyName\n      }\n      template {\n        id\n        key\n        version\n        name(locale: $locale)\n        steps {\n          id\n          type\n          title(locale: $locale)\n          schema\n          attachments {\n            contentTypes\n            maxBytes\n          }\n        }\n      }\n      files {\n        ...WorkflowAttachment\n      }\n      state {\n        steps {\n          ...ConsoleWorkflowStep\n        }\n        lastRejection {\n          reason\n          toStepId\n          rejectedAt\n          rejectedBy {\n            ...ConsoleActor\n          }\n        }\n        approval {\n          comment\n          approvedAt\n          approvedBy {\n            ...ConsoleActor\n          }\n        }\n        pause {\n          reason\n          pausedAt\n          pausedBy {\n            ...ConsoleActor\n          }\n        }\n      }\n      events(first: $eventsFirst, after: $eventsAfter) {\n        totalCount\n        pageInfo {\n          ...PaginationPageInfo\n        }\n        edges {\n          node {\n            id\n            seq\n            type\n            stepId\n            data\n            occurredAt\n            performedBy {\n              ...ConsoleActor\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleWorkflowSnapshot($id: ID!, $seq: Int!, $locale: Locale) {\n    workflow(id: $id) {\n      id\n      stateAt(seq: $seq) {\n        seq\n        status\n        currentStepId\n        updatedAt\n        state {\n          steps {\n            ...ConsoleWorkflowStep\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleWorkflowSnapshot($id: ID!, $seq: Int!, $locale: Locale) {\n    workflow(id: $id) {\n      id\n      stateAt(seq: $seq) {\n        seq\n        status\n        currentStepId\n        updatedAt\n        state {\n          steps {\n            ...ConsoleWorkflowStep\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleWorkflowFilterChoices {\n    tenants(first: 100) {\n      nodes {\n        id\n        companyName\n      }\n    }\n    templates {\n      key\n    }\n    users(filter: { status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n        tenant {\n          companyName\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleWorkflowFilterChoices {\n    tenants(first: 100) {\n      nodes {\n        id\n        companyName\n      }\n    }\n    templates {\n      key\n    }\n    users(filter: { status: \"active\" }, first: 100) {\n      nodes {\n        id\n        email\n        displayName\n        tenant {\n          companyName\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleWorkflowListChanges($filter: WorkflowFilter) {\n    workflowsChanged(filter: $filter) {\n      version\n      replayed\n      workflow {\n        id\n        status\n        currentStepId\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ConsoleWorkflowListChanges($filter: WorkflowFilter) {\n    workflowsChanged(filter: $filter) {\n      version\n      replayed\n      workflow {\n        id\n        status\n        currentStepId\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkflowChanged($id: ID!) {\n    workflowChanged(id: $id) {\n      id\n      version\n    }\n  }\n"): (typeof documents)["\n  subscription WorkflowChanged($id: ID!) {\n    workflowChanged(id: $id) {\n      id\n      version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkflowActed on Workflow {\n    id\n    version\n    status\n  }\n"): (typeof documents)["\n  fragment WorkflowActed on Workflow {\n    id\n    version\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    startWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation StartWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    startWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PauseWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    pauseWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation PauseWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    pauseWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    resumeWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation ResumeWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    resumeWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    submitWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    submitWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveWorkflow($id: ID!, $comment: String, $expectedVersion: Int, $key: String) {\n    approveWorkflow(workflowId: $id, comment: $comment, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation ApproveWorkflow($id: ID!, $comment: String, $expectedVersion: Int, $key: String) {\n    approveWorkflow(workflowId: $id, comment: $comment, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RejectWorkflow($id: ID!, $reason: String!, $toStepId: String, $expectedVersion: Int, $key: String) {\n    rejectWorkflow(\n      workflowId: $id\n      reason: $reason\n      toStepId: $toStepId\n      expectedVersion: $expectedVersion\n      idempotencyKey: $key\n    ) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation RejectWorkflow($id: ID!, $reason: String!, $toStepId: String, $expectedVersion: Int, $key: String) {\n    rejectWorkflow(\n      workflowId: $id\n      reason: $reason\n      toStepId: $toStepId\n      expectedVersion: $expectedVersion\n      idempotencyKey: $key\n    ) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackWorkflow($id: ID!, $toStepId: String!, $expectedVersion: Int, $key: String) {\n    rollbackWorkflow(workflowId: $id, toStepId: $toStepId, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation RollbackWorkflow($id: ID!, $toStepId: String!, $expectedVersion: Int, $key: String) {\n    rollbackWorkflow(workflowId: $id, toStepId: $toStepId, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FailWorkflow($id: ID!, $reason: String!, $expectedVersion: Int, $key: String) {\n    failWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation FailWorkflow($id: ID!, $reason: String!, $expectedVersion: Int, $key: String) {\n    failWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    cancelWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation CancelWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {\n    cancelWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    retryWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation RetryWorkflow($id: ID!, $expectedVersion: Int, $key: String) {\n    retryWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExecuteStep($id: ID!, $stepId: String!, $data: JSON!, $expectedVersion: Int, $key: String) {\n    executeStep(workflowId: $id, stepId: $stepId, data: $data, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"): (typeof documents)["\n  mutation ExecuteStep($id: ID!, $stepId: String!, $data: JSON!, $expectedVersion: Int, $key: String) {\n    executeStep(workflowId: $id, stepId: $stepId, data: $data, expectedVersion: $expectedVersion, idempotencyKey: $key) {\n      ...WorkflowActed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ValidateWorkflow($workflowId: ID!) {\n    validateWorkflow(workflowId: $workflowId) {\n      valid\n      outstandingSteps\n      steps {\n        stepId\n        errors {\n          path\n          message\n        }\n      }\n      submissionErrors {\n        path\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ValidateWorkflow($workflowId: ID!) {\n    validateWorkflow(workflowId: $workflowId) {\n      valid\n      outstandingSteps\n      steps {\n        stepId\n        errors {\n          path\n          message\n        }\n      }\n      submissionErrors {\n        path\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleWorkflowList($filter: WorkflowFilter, $first: Int!, $after: String, $locale: Locale) {\n    workflows(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        version\n        marketRole\n        currentStepId\n        createdAt\n        dueAt\n        overdue\n        tenant {\n          id\n          companyName\n        }\n        template {\n          id\n          key\n          version\n          steps {\n            id\n            title(locale: $locale)\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleWorkflowList($filter: WorkflowFilter, $first: Int!, $after: String, $locale: Locale) {\n    workflows(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PaginationPageInfo\n      }\n      nodes {\n        id\n        status\n        version\n        marketRole\n        currentStepId\n        createdAt\n        dueAt\n        overdue\n        tenant {\n          id\n          companyName\n        }\n        template {\n          id\n          key\n          version\n          steps {\n            id\n            title(locale: $locale)\n          }\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;