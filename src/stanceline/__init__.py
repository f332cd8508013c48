"""stanceline: who stands where on a negotiation, since when, and why."""

import os

# Per-document work runs one process per core (the local pool, Dask workers). A BLAS that also starts
# a thread per core inside each of them oversubscribes the machine: measured on the demo and
# development articles, one process with OpenBLAS's default threads was a third slower end to end,
# and the stance encoder's small matrix products up to twenty times slower on some calls. Set before
# numpy loads; a value the user set wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
