"""Router caching and operations (issue 5): response cache (hints, keys, backends, stage)."""
