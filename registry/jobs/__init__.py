"""Long work run as jobs: queued by a page, run by a worker (the app's own thread or `registry
worker`), followed on a progress page, its result kept in the database for any app server."""
