"""nn.Parameter."""

class Parameter: pass
class Buffer: pass
class UninitializedParameter: pass
class UninitializedBuffer: pass
