# The web shell has no models of its own: log-in throttling is django-axes' (web/throttle.py).
