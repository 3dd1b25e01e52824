"""``ember.nn``: modules, parameters, initialisation and the functional API, as in ``torch.nn``."""

from __future__ import annotations

from . import functional, init, modules, parameter, utils
from .modules import *  # noqa: F403
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
