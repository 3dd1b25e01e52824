"""``ember.nn.functional``: the stateless functions behind every layer and loss.

Each family lives in its own file under ``nn/_functional/``; this module gathers their ``__all__``."""

from __future__ import annotations

from . import _reduction as _Reduction  # noqa: F401
from ._functional.activation import *  # noqa: F403
from ._functional.attention import *  # noqa: F403
from ._functional.conv import *  # noqa: F403
from ._functional.distance import *  # noqa: F403
from ._functional.dropout import *  # noqa: F403
from ._functional.linear import *  # noqa: F403
from ._functional.loss import *  # noqa: F403
from ._functional.norm import *  # noqa: F403
from ._functional.pooling import *  # noqa: F403
from ._functional.sparse import *  # noqa: F403
from ._functional.vision import *  # noqa: F403
