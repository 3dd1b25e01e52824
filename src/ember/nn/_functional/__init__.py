"""The functions behind nn.functional, one file per family (each lists its names in ``__all__``)."""
