"""The kg store: the local Oxigraph store (:mod:`kg.store.local`), the SPARQL-server store
(:mod:`kg.store.remote`, its SPARQL text in :mod:`kg.store.sparql`) and the lock
(:mod:`kg.store.lock`)."""

from .local import *  # noqa: F403
from .local import __all__  # noqa: F401
