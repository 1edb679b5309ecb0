"""The HTTP edge: the gateway (auth, limits, faults, stats, error mapping), credentials, request
counting and the rendering every answer shares. It is handed its routes and imports no product."""
