"""``ember.nn``: modules, parameters, initialisation and the functional API, as in ``torch.nn``."""

from __future__ import annotations

from . import _reduction, common_types, functional, grad, init, modules, parameter, utils  # noqa: F401
from .modules import *  # noqa: F403
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
