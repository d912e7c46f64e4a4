"""Background jobs: work that must not hold up a request (text extraction),
run after the request's transaction commits: on an RQ queue in Redis when
``REDIS_URL`` is set (``flask --app wsgi worker``), in the app process
otherwise (api-v1-records.md, "Search")."""
