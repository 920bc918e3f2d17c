-- One row per TTB ID of the raw `cola_details` table: the latest load's row wins.
{{ latest_rows(source('ttb', 'cola_details'), 'fetched_at') }}
