"""HTTP layer: routers, dependencies, error handlers. The only package that knows FastAPI."""
