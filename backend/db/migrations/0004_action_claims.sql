-- Which runner holds a running action, and when it last showed it was alive: a runner
-- restarting (same claimed_by) or a silent one (stale heartbeat) leaves the action
-- `unknown`, never rerun.
ALTER TABLE action_executions
    ADD COLUMN claimed_by   text,
    ADD COLUMN heartbeat_at timestamptz;

-- Per-job cooldown: the last action started on a job.
CREATE INDEX action_executions_job_started ON action_executions (job_name, started_at DESC);
