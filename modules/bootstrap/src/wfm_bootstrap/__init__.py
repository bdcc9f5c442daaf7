"""The composition root: `bootstrap(settings) -> Services` builds every service of the
platform once, each with the repositories and collaborators it uses, for the API, the
worker, the CLI and the tests. It is the only module that imports every other one; only
entrypoints import it."""

from wfm_bootstrap.bootstrap import bootstrap
from wfm_bootstrap.services import Services

__all__ = ["Services", "bootstrap"]
