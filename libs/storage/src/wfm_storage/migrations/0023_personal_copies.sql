-- Copies of personal values outside the event log and the documents: a webhook delivery
-- keeps its message as sent (for replays), a notification its rendered texts. Erasing a data
-- subject, and the retention sweep, replace the subject's values in them with `[erased]`
-- (wfm_privacy.copies), acting as market operations: who may read every notification, and
-- now rewrite its texts, though never read it as its addressee does (`notifications_own`).
CREATE POLICY notifications_scrub ON wfm.notifications FOR UPDATE
    USING ((SELECT wfm.is_market_ops()))
    WITH CHECK ((SELECT wfm.is_market_ops()));

-- A workflow's notifications, found by the erasure of the people it names.
CREATE INDEX notifications_workflow_idx ON wfm.notifications (workflow_id)
    WHERE workflow_id IS NOT NULL;
-- A workflow's webhook deliveries: its events' messages and its webhook steps' carry its id
-- (`data.workflowId`); a platform message (`tenant.created`) none.
CREATE INDEX webhook_deliveries_workflow_idx
    ON wfm.webhook_deliveries (tenant_id, (payload -> 'data' ->> 'workflowId'));
