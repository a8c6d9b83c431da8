"""WSGI entry point, used by gunicorn in ``iocompendium serve``."""

import os

# A web worker answers one request on one core: BLAS (NumPy's matrix products of search
# by meaning) must not spread a query over the machine's cores, where the other workers
# run (measured: a 100,000-record vector query 118 ms on one thread, 149 ms on two under
# load). Set before NumPy is imported; an operator's own setting wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
application = get_wsgi_application()
