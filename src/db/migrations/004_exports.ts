/**
 * Profile exports (SPEC §6): one row per Save as CSV, the Reports › Exports table. The file itself lives under
 * the data directory (`exports/<company>/<file_name>`); file_name is a random token chosen here, never user input.
 * Led by company_id like every table (see 001). The job that writes the file is job_id in `jobs`; run_token names
 * the attempt now writing it, so a worker that lost its lease cannot change the row under the attempt that took over.
 */
export const exportsTable = `
CREATE TABLE exports (
  company_id {bigint} NOT NULL,
  id {id},
  name TEXT NOT NULL,
  created_by_type TEXT NOT NULL,
  created_by_id {bigint},
  created_by_label TEXT NOT NULL,
  parameters TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'expired')),
  progress {bigint} NOT NULL DEFAULT 0,
  progress_total {bigint},
  row_count {bigint},
  file_name TEXT NOT NULL,
  file_bytes {bigint},
  error TEXT,
  job_id {bigint},
  run_token TEXT,
  created_at {ts} NOT NULL,
  started_at {ts},
  finished_at {ts},
  expires_at {ts}
  {company_pk}
);
CREATE INDEX exports_company ON exports (company_id, id);
CREATE INDEX exports_company_status ON exports (company_id, status, expires_at);
`;
