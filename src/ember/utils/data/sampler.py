"""Samplers: iterables of dataset indices (or of lists of indices, for ``BatchSampler``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


class Sampler:
    """Base of index samplers: subclasses define ``__iter__`` (and ``__len__`` when known)."""

    def __init__(self, data_source=None) -> None:
        if data_source is not None:
            import warnings

            warnings.warn(
                "`data_source` argument is not used and will be removed in 2.2.0."
                "You may still have custom implementation that utilizes it.",
                stacklevel=2,
            )

    def __iter__(self) -> Iterator:
        raise NotImplementedError

    def __class_getitem__(cls, item):
        return cls


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _fresh_generator():
    """A generator seeded from one 63-bit draw of the default generator (as PyTorch's samplers do)."""
    from ... import Generator, empty, int64

    seed = int(empty((), dtype=int64).random_().item())
    return Generator().manual_seed(seed)


class RandomSampler(Sampler):
    """A random permutation of the indices (``num_samples`` of them, drawn with replacement
    when ``replacement``); without ``generator`` each pass seeds a new one from the default
    generator."""

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _arrays(self):
        """The indices of one pass as int64 arrays (blocks), drawn as PyTorch draws them."""
        from ... import randint, randperm

        n = len(self.data_source)
        g = self.generator if self.generator is not None else _fresh_generator()
        m = self.num_samples
        if self.replacement:
            for _ in range(m // 32):
                yield randint(high=n, size=(32,), generator=g)._data
            yield randint(high=n, size=(m % 32,), generator=g)._data
        else:
            for _ in range(m // n):
                yield randperm(n, generator=g)._data
            yield randperm(n, generator=g)._data[: m % n]

    def __iter__(self) -> Iterator[int]:
        for block in self._arrays():
            yield from block.tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        from ... import randperm

        idx = self.indices
        for i in randperm(len(idx), generator=self.generator).tolist():
            yield idx[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True, generator=None) -> None:
        from ... import as_tensor, float64

        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = as_tensor(weights, dtype=float64)
        if len(w.shape) != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        from ... import multinomial

        yield from multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``)."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        bs = self.batch_size
        s = self.sampler
        if type(s) is RandomSampler or type(s) is SequentialSampler:
            yield from self._batches_of_arrays(s)
            return
        it = iter(s)
        if self.drop_last:
            yield from (list(b) for b in zip(*([it] * bs)))
        else:
            batch = list(itertools.islice(it, bs))
            while batch:
                yield batch
                batch = list(itertools.islice(it, bs))

    def _batches_of_arrays(self, s):
        """Batches cut from whole index arrays (same lists, no per-index Python iteration)."""
        import numpy as np

        bs = self.batch_size
        if type(s) is SequentialSampler:
            blocks = iter([np.arange(len(s.data_source))])
        else:
            blocks = s._arrays()
        carry = []
        for block in blocks:
            if len(block) == 0:
                continue
            block = np.asarray(block)  # a CPU array for tolist()
            start = 0
            if carry:
                need = bs - len(carry)
                carry.extend(block[:need].tolist())
                start = need
                if len(carry) < bs:
                    continue
                yield carry
                carry = []
            full = (len(block) - start) // bs
            if full:
                yield from block[start : start + full * bs].reshape(full, bs).tolist()
            carry = block[start + full * bs :].tolist()
        if carry and not self.drop_last:
            yield carry

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
