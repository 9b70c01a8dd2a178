"""Edge security of the router: JWT authentication (JWKS), authorization directives, rate limits."""
