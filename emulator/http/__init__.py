"""The HTTP edge: the only package that imports Starlette. Each module owns one resource
family and exports `ROUTES`; `emulator.http.routes` collects them into the one route table."""
