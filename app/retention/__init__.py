"""Retention: the files of withdrawn evidence past TRASH_DAYS, and of closed
reviews past their retention period, deleted unless under legal hold; the
record of what was held stays (api-v1-records.md, "Retention, trash and
legal hold")."""
