"""GraphiQL for admins at /graphiql, with every asset bundled (no CDN at run time)."""

from router.graphiql.routes import GraphiQLConfig, graphiql_routes

__all__ = ["GraphiQLConfig", "graphiql_routes"]
