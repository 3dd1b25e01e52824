"""ember.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader arguments
and batches, worker processes (seeding, sharding, persistence) and their faults."""

from __future__ import annotations

import collections
import gc
import os
import random
import signal
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata

LIBS = {"torch": (torch, tdata), "ember": (ember, edata)}


# ----------------------------------------------------------------------------------------------- helpers
def canon(x):
    """A library-free picture of a (nested) result: tensors as (dtype name, shape, values)."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ("T", str(x.dtype).replace("torch.", ""), tuple(x.shape), x.tolist())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("NT", type(x).__name__, tuple(canon(v) for v in x))
    if isinstance(x, dict):
        return (type(x).__name__, {k: canon(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [canon(v) for v in x])
    if isinstance(x, np.ndarray):
        return ("A", x.dtype.str, x.tolist())
    return x


def both(fn):
    """``fn(lib, data)`` for torch and ember; returns the two results."""
    return fn(torch, tdata), fn(ember, edata)


def same_error(fn):
    """Both raise the same exception type with the same message."""
    errs = []
    for lib, data in LIBS.values():
        with pytest.raises(Exception) as info:  # noqa: PT011
            fn(lib, data)
        errs.append(info.value)
    t, e = errs
    assert type(e).__name__ == type(t).__name__, (e, t)
    assert str(e) == str(t)


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an exited child of a process that is not ours
    may wait for whatever init this machine has to reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids, limit=5.0):
    end = time.monotonic() + limit
    while time.monotonic() < end and any(alive(p) for p in pids):
        time.sleep(0.02)
    return [p for p in pids if alive(p)]


Point = collections.namedtuple("Point", ["x", "y"])


# ----------------------------------------------------------------------------------------------- datasets
def _tds(lib, data):
    return data.TensorDataset(lib.arange(12.0).reshape(6, 2), lib.arange(6))


DATASET_ROWS = [
    pytest.param(lambda lib, d: [_tds(lib, d)[i] for i in range(6)] + [len(_tds(lib, d))], id="tensor_dataset"),
    pytest.param(lambda lib, d: _tds(lib, d)[1:3], id="tensor_dataset_slice"),
    pytest.param(
        lambda lib, d: (
            [(c := d.ConcatDataset([range(3), range(10, 14)]))[i] for i in (0, 3, 6, -1, -7)]
            + [len(c), c.cumulative_sizes]
        ),
        id="concat",
    ),
    pytest.param(lambda lib, d: len(_tds(lib, d) + _tds(lib, d)), id="dataset_add"),
    pytest.param(
        lambda lib, d: (
            [(s := d.Subset(range(10, 20), [3, 1, 7]))[i] for i in range(3)]
            + [len(s), s[[0, 2]] if False else s.__getitems__([0, 2])]
        ),
        id="subset",
    ),
    pytest.param(
        lambda lib, d: [(s := d.StackDataset(range(3), "abc"))[1], len(s), s.__getitems__([0, 2])], id="stack_tuple"
    ),
    pytest.param(
        lambda lib, d: [(s := d.StackDataset(a=range(3), b="abc"))[2], s.__getitems__([1, 0])], id="stack_dict"
    ),
    pytest.param(lambda lib, d: [d.StackDataset(_tds(lib, d), range(6))[4]], id="stack_tensor"),
    pytest.param(lambda lib, d: [len(d.random_split(range(10), [3, 7])[i]) for i in range(2)], id="split_lengths"),
    pytest.param(lambda lib, d: [len(s) for s in d.random_split(range(11), [0.3, 0.3, 0.4])], id="split_fractions"),
    pytest.param(lambda lib, d: [len(s) for s in d.random_split(range(7), [0.5, 0.5])], id="split_remainder"),
]


@pytest.mark.parametrize("fn", DATASET_ROWS)
def test_datasets(fn):
    t, e = both(fn)
    assert canon(e) == canon(t)


class _Stream(edata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class _TStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def _stream(data, n):
    return (_TStream if data is tdata else _Stream)(n)


def test_chain_dataset():
    t, e = both(lambda lib, d: [list(c := d.ChainDataset([_stream(d, 3), _stream(d, 2)])), len(c)])
    assert e == t == [[0, 1, 2, 0, 1], 5]
    t, e = both(lambda lib, d: list(_stream(d, 2) + _stream(d, 3)))
    assert e == t


DATASET_ERRORS = [
    pytest.param(lambda lib, d: d.TensorDataset(lib.zeros(3), lib.zeros(4)), id="tensor_size"),
    pytest.param(lambda lib, d: d.ConcatDataset([]), id="concat_empty"),
    pytest.param(lambda lib, d: d.ConcatDataset([_stream(d, 2)]), id="concat_iterable"),
    pytest.param(lambda lib, d: d.ConcatDataset([range(3)])[-4], id="concat_negative"),
    pytest.param(lambda lib, d: list(d.ChainDataset([range(3)])), id="chain_map"),
    pytest.param(lambda lib, d: d.StackDataset(range(3), range(4)), id="stack_size"),
    pytest.param(lambda lib, d: d.StackDataset(range(3), b=range(3)), id="stack_both"),
    pytest.param(lambda lib, d: d.StackDataset(), id="stack_none"),
    pytest.param(lambda lib, d: d.random_split(range(10), [3, 6]), id="split_sum"),
    pytest.param(lambda lib, d: d.random_split(range(10), [1.5, -0.5]), id="split_fraction_range"),
    pytest.param(lambda lib, d: d.Dataset()[0], id="dataset_getitem"),
]


@pytest.mark.parametrize("fn", DATASET_ERRORS)
def test_dataset_errors(fn):
    same_error(fn)


def test_subset_override_error():
    def make(lib, d):
        class S(d.Subset):
            def __getitem__(self, i):
                return 0

        S(range(3), [0])

    same_error(make)


def test_random_split_seeded_and_disjoint():
    def split(seed):
        return [
            s.indices for s in edata.random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(seed))
        ]

    a, b = split(1), split(1)
    assert a == b and a != split(2)
    assert sorted(a[0] + a[1]) == list(range(20))
    # the default generator: same global seed, same split; the split draws one randperm of the total
    ember.manual_seed(7)
    c = [s.indices for s in edata.random_split(range(20), [5, 15])]
    ember.manual_seed(7)
    assert c[0] + c[1] == ember.randperm(20).tolist()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        edata.random_split(range(2), [0.1, 0.1, 0.8])
    assert any("Length of split at index" in str(x.message) for x in w)


# ----------------------------------------------------------------------------------------------- samplers
SAMPLER_ROWS = [
    pytest.param(lambda lib, d: list(d.SequentialSampler(range(5))), id="sequential"),
    pytest.param(lambda lib, d: list(d.BatchSampler(range(10), 3, False)), id="batch"),
    pytest.param(lambda lib, d: list(d.BatchSampler(range(10), 3, True)), id="batch_drop_last"),
    pytest.param(lambda lib, d: list(d.BatchSampler(d.SequentialSampler(range(9)), 3, False)), id="batch_exact"),
    pytest.param(lambda lib, d: [len(d.BatchSampler(range(10), 4, dl)) for dl in (False, True)], id="batch_len"),
    pytest.param(lambda lib, d: list(d.BatchSampler(d.SequentialSampler(range(7)), 2, True)), id="batch_seq_drop"),
    pytest.param(
        lambda lib, d: [len(d.RandomSampler(range(5))), len(d.RandomSampler(range(5), True, 12))], id="random_len"
    ),
    pytest.param(lambda lib, d: sorted(d.RandomSampler(range(7))), id="random_is_permutation"),
    pytest.param(lambda lib, d: sorted(d.SubsetRandomSampler([4, 8, 9])), id="subset_random"),
    pytest.param(
        lambda lib, d: [len(d.WeightedRandomSampler([1, 2, 3], 5)), d.WeightedRandomSampler([1.0, 2], 2).weights],
        id="weighted_len",
    ),
    pytest.param(
        lambda lib, d: sorted(d.WeightedRandomSampler([0.0, 1, 1, 0], 2, replacement=False)), id="weighted_norepl"
    ),
    pytest.param(
        lambda lib, d: [list(d.DistributedSampler(range(10), 3, r, shuffle=False)) for r in range(3)], id="distributed"
    ),
    pytest.param(
        lambda lib, d: [list(d.DistributedSampler(range(10), 3, r, shuffle=False, drop_last=True)) for r in range(3)],
        id="distributed_drop_last",
    ),
    pytest.param(
        lambda lib, d: [list(d.DistributedSampler(range(2), 5, r, shuffle=False)) for r in range(5)],
        id="distributed_pad_repeat",
    ),
]


@pytest.mark.parametrize("fn", SAMPLER_ROWS)
def test_samplers(fn):
    t, e = both(fn)
    assert canon(e) == canon(t)


SAMPLER_ERRORS = [
    pytest.param(lambda lib, d: d.RandomSampler(range(3), replacement=1), id="random_replacement"),
    pytest.param(lambda lib, d: d.RandomSampler(range(3), num_samples=0), id="random_num_samples"),
    pytest.param(lambda lib, d: d.RandomSampler([]), id="random_empty"),
    pytest.param(lambda lib, d: d.WeightedRandomSampler([1, 2], 0), id="weighted_num_samples"),
    pytest.param(lambda lib, d: d.WeightedRandomSampler([1, 2], True), id="weighted_bool_num_samples"),
    pytest.param(lambda lib, d: d.WeightedRandomSampler([1, 2], 2, replacement=0), id="weighted_replacement"),
    pytest.param(lambda lib, d: d.WeightedRandomSampler([[1, 2]], 2), id="weighted_shape"),
    pytest.param(lambda lib, d: d.BatchSampler(range(3), 0, False), id="batch_size_zero"),
    pytest.param(lambda lib, d: d.BatchSampler(range(3), True, False), id="batch_size_bool"),
    pytest.param(lambda lib, d: d.BatchSampler(range(3), 2, 1), id="batch_drop_last_type"),
    pytest.param(lambda lib, d: d.DistributedSampler(range(3), 2, 2), id="distributed_rank"),
]


@pytest.mark.parametrize("fn", SAMPLER_ERRORS)
def test_sampler_errors(fn):
    same_error(fn)


def test_random_sampler_draws_like_pytorch():
    """Without a generator: one int64 ``random_()`` of the default generator seeds a fresh
    generator, whose randperm (or randint in blocks of 32) gives the order."""
    ember.manual_seed(11)
    got = list(edata.RandomSampler(range(10)))
    after = ember.rand(1).item()
    ember.manual_seed(11)
    seed = ember.empty((), dtype=ember.int64).random_().item()
    assert got == ember.randperm(10, generator=ember.Generator().manual_seed(seed)).tolist()
    assert after == ember.rand(1).item()  # exactly one draw from the default generator
    g = ember.Generator().manual_seed(3)
    got = list(edata.RandomSampler(range(10), replacement=True, num_samples=40, generator=g))
    g.manual_seed(3)
    want = (
        ember.randint(high=10, size=(32,), generator=g).tolist()
        + ember.randint(high=10, size=(8,), generator=g).tolist()
    )
    assert got == want
    g.manual_seed(3)
    got = list(edata.RandomSampler(range(4), num_samples=10, generator=g))
    g.manual_seed(3)
    want = sum((ember.randperm(4, generator=g).tolist() for _ in range(3)), [])[:10]
    assert got == want


@pytest.mark.parametrize(
    "kw", [dict(), dict(replacement=True, num_samples=77), dict(num_samples=50), dict(num_samples=3)]
)
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_over_random_sampler(kw, drop_last):
    """BatchSampler cuts RandomSampler's arrays directly: same lists as grouping its indices."""
    s = edata.RandomSampler(range(23), generator=ember.Generator().manual_seed(5), **kw)
    got = list(edata.BatchSampler(s, 4, drop_last))
    s.generator.manual_seed(5)
    flat = list(s)
    want = [flat[i : i + 4] for i in range(0, len(flat), 4)]
    if drop_last and want and len(want[-1]) < 4:
        want.pop()
    assert got == want
    assert all(type(i) is int for b in got for i in b)


def test_weighted_and_subset_random_seeded():
    g = ember.Generator()
    draws = [list(edata.WeightedRandomSampler([1, 5, 2, 2], 30, generator=g.manual_seed(4))) for _ in range(2)]
    assert draws[0] == draws[1] and set(draws[0]) <= {0, 1, 2, 3}
    assert list(edata.SubsetRandomSampler([5, 6, 7], generator=g.manual_seed(1))) == [
        [5, 6, 7][i] for i in ember.randperm(3, generator=g.manual_seed(1)).tolist()
    ]


def test_distributed_sampler_shuffle():
    parts = [list(edata.DistributedSampler(range(11), 2, r, seed=3)) for r in range(2)]
    assert sorted(parts[0] + parts[1])[:11] == sorted(set(parts[0] + parts[1])) or len(set(parts[0] + parts[1])) == 11
    assert len(parts[0]) == len(parts[1]) == 6
    s = edata.DistributedSampler(range(11), 2, 0, seed=3)
    s.set_epoch(1)
    assert list(s) != parts[0]
    assert list(edata.DistributedSampler(range(11), 2, 0, seed=3)) == parts[0]


# ----------------------------------------------------------------------------------------------- collate
def _collate_batch(lib, kind):
    rows = {
        "tensors": lambda i: lib.tensor([i, i + 1.0]),
        "ints": lambda i: i,
        "floats": lambda i: i / 2,
        "bools": lambda i: i % 2 == 0,
        "strs": lambda i: f"s{i}",
        "bytes": lambda i: b"x" * i,
        "arrays": lambda i: np.full((2,), i, dtype=np.int32),
        "np_scalars": lambda i: np.float32(i),
        "np_bool": lambda i: np.bool_(i),
        "dict": lambda i: {"a": i, "b": lib.tensor(float(i))},
        "tuple": lambda i: (i, lib.tensor([i])),
        "list": lambda i: [i, i * 2.0],
        "namedtuple": lambda i: Point(i, lib.tensor(i)),
        "nested": lambda i: {"x": [lib.tensor([i]), (i, "t")], "p": Point({"q": i}, [i])},
        "ordered_dict": lambda i: collections.OrderedDict(z=i, a=2 * i),
        "int8_tensor": lambda i: lib.tensor([i], dtype=lib.int8),
        "mixed_arrays": lambda i: np.full((2,), i, dtype=[np.int32, np.float32, np.int64][i]),
        "mixed_tensors": lambda i: lib.full((2,), i, dtype=[lib.int32, lib.float32, lib.float64][i]),
        "scalar_arrays": lambda i: np.array(i * 1.5),
        "views": lambda i: lib.arange(12.0).reshape(3, 4)[:, i],
    }
    return [rows[kind](i) for i in range(3)]


COLLATE_KINDS = [
    "tensors", "ints", "floats", "bools", "strs", "bytes", "arrays", "np_scalars", "np_bool", "dict", "tuple",
    "list", "namedtuple", "nested", "ordered_dict", "int8_tensor", "mixed_arrays", "mixed_tensors",
    "scalar_arrays", "views",
]  # fmt: skip


@pytest.mark.parametrize("kind", COLLATE_KINDS)
def test_default_collate(kind):
    t, e = both(lambda lib, d: d.default_collate(_collate_batch(lib, kind)))
    assert canon(e) == canon(t)


@pytest.mark.parametrize("kind", COLLATE_KINDS)
def test_default_convert(kind):
    t, e = both(lambda lib, d: d.default_convert(_collate_batch(lib, kind)[1]))
    assert canon(e) == canon(t)


def test_default_convert_arrays():
    for v in (np.arange(3), np.array(["a"]), np.float64(2.5), (np.zeros(2), 1), [np.ones(1)]):
        t, e = both(lambda lib, d, v=v: d.default_convert(v))
        assert canon(e) == canon(t)


COLLATE_ERRORS = [
    pytest.param([[1, 2], [3]], id="unequal_lists"),
    pytest.param([object(), object()], id="object"),
    pytest.param([np.array(["a"]), np.array(["b"])], id="str_array"),
    pytest.param([None, None], id="none"),
    pytest.param([np.zeros(2), np.zeros(3)], id="array_sizes"),
]


@pytest.mark.parametrize("batch", COLLATE_ERRORS)
def test_collate_errors(batch):
    def run(lib, d):
        # the type in the message names the library's own class only for tensors; these have none
        d.default_collate(batch)

    same_error(run)


def test_collate_tensor_sizes_error():
    same_error(lambda lib, d: d.default_collate([lib.zeros(2), lib.zeros(3)]))


def test_collate_fn_map():
    def count(batch, *, collate_fn_map=None):
        return len(batch)

    t, e = both(lambda lib, d: d._utils.collate.collate([(1, "a"), (2, "b")], collate_fn_map={int: count, str: count}))
    assert e == t == [2, 2]
    assert edata._utils.collate.default_collate is edata.default_collate
    assert edata._utils.worker.get_worker_info is edata.get_worker_info


# ----------------------------------------------------------------------------------------------- DataLoader
def _loader_out(lib, d, **kw):
    ds = d.TensorDataset(lib.arange(30.0).reshape(10, 3), lib.arange(10))
    return list(d.DataLoader(ds, **kw))


LOADER_ROWS = [
    pytest.param(dict(), id="default"),
    pytest.param(dict(batch_size=4), id="batch4"),
    pytest.param(dict(batch_size=4, drop_last=True), id="drop_last"),
    pytest.param(dict(batch_size=None), id="no_batching"),
    pytest.param(dict(batch_size=10), id="one_batch"),
    pytest.param(dict(batch_size=20), id="bigger_than_dataset"),
    pytest.param(dict(collate_fn=lambda b: len(b), batch_size=3), id="collate_fn"),
    pytest.param(dict(pin_memory=False, in_order=True, batch_size=5), id="accepted_flags"),
]


@pytest.mark.parametrize("kw", LOADER_ROWS)
def test_loader_batches(kw):
    t, e = both(lambda lib, d: _loader_out(lib, d, **kw))
    assert canon(e) == canon(t)


def test_loader_samplers_and_len():
    def run(lib, d):
        ds = d.TensorDataset(lib.arange(10))
        out = []
        for kw in (
            dict(sampler=[9, 0, 4], batch_size=2),
            dict(batch_sampler=[[1, 2], [7]]),
            dict(sampler=d.SequentialSampler(range(5)), batch_size=None),
        ):
            loader = d.DataLoader(ds, **kw)
            out.append([len(loader), list(loader)])
        out.append([len(d.DataLoader(ds, batch_size=3, drop_last=dl)) for dl in (False, True)])
        return out

    t, e = both(run)
    assert canon(e) == canon(t)


def test_loader_dict_dataset():
    def run(lib, d):
        class DS(d.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return {"x": lib.full((2,), float(i)), "label": i, "name": f"n{i}", "arr": np.arange(i, i + 2)}

        return list(d.DataLoader(DS(), batch_size=2))

    t, e = both(run)
    assert canon(e) == canon(t)


def test_loader_iterable():
    def run(lib, d):
        out = []
        for kw in (dict(batch_size=2), dict(batch_size=2, drop_last=True), dict(batch_size=None)):
            loader = d.DataLoader(_stream(d, 5), **kw)
            out.append([len(loader), list(loader)])
        return out

    t, e = both(run)
    assert canon(e) == canon(t)


LOADER_ERRORS = [
    pytest.param(dict(num_workers=-1), id="num_workers"),
    pytest.param(dict(timeout=-1), id="timeout"),
    pytest.param(dict(prefetch_factor=2), id="prefetch_without_workers"),
    pytest.param(dict(num_workers=1, prefetch_factor=-1), id="prefetch_negative"),
    pytest.param(dict(persistent_workers=True), id="persistent_without_workers"),
    pytest.param(dict(sampler=[0, 1], shuffle=True), id="sampler_shuffle"),
    pytest.param(dict(batch_sampler=[[0]], batch_size=2), id="batch_sampler_batch_size"),
    pytest.param(dict(batch_sampler=[[0]], drop_last=True), id="batch_sampler_drop_last"),
    pytest.param(dict(batch_size=None, drop_last=True), id="no_batch_drop_last"),
    pytest.param(dict(multiprocessing_context="spawn"), id="context_without_workers"),
    pytest.param(dict(num_workers=1, multiprocessing_context="nope"), id="context_invalid"),
    pytest.param(dict(num_workers=1, multiprocessing_context=3), id="context_type"),
    pytest.param(dict(batch_size=0), id="batch_size_zero"),
]


@pytest.mark.parametrize("kw", LOADER_ERRORS)
def test_loader_errors(kw):
    same_error(lambda lib, d: d.DataLoader(range(4), **kw))


ITERABLE_ERRORS = [
    pytest.param(dict(shuffle=True), id="shuffle"),
    pytest.param(dict(sampler=[0]), id="sampler"),
    pytest.param(dict(batch_sampler=[[0]]), id="batch_sampler"),
]


@pytest.mark.parametrize("kw", ITERABLE_ERRORS)
def test_loader_iterable_errors(kw):
    def run(lib, d):
        d.DataLoader(_stream(d, 3), **kw)

    errs = []
    for lib, d in LIBS.values():
        with pytest.raises(ValueError) as info:
            run(lib, d)
        errs.append(str(info.value).split(", but got")[0])  # the repr of the argument differs
    assert errs[0] == errs[1]


def test_loader_iterator_errors():
    same_error(lambda lib, d: iter(d.DataLoader(range(4), timeout=1)))
    # (PyTorch raises the same AssertionError here, then fails again in its iterator's __del__)
    with pytest.raises(
        AssertionError, match="prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
    ):
        iter(edata.DataLoader(range(4), num_workers=1, prefetch_factor=0))


def test_loader_attribute_lock():
    same_error(lambda lib, d: setattr(d.DataLoader(range(3)), "batch_size", 2))
    e = edata.DataLoader(range(3))
    e.num_workers = 0  # other attributes stay settable


def test_loader_shuffle_reproducible_and_consumes_like_pytorch():
    ds = edata.TensorDataset(ember.arange(50))

    def order(**kw):
        return ember.cat([b[0] for b in edata.DataLoader(ds, batch_size=7, shuffle=True, **kw)]).tolist()

    a = order(generator=ember.Generator().manual_seed(0))
    assert a == order(generator=ember.Generator().manual_seed(0)) and sorted(a) == list(range(50))
    assert a != order(generator=ember.Generator().manual_seed(1))
    # the iterator draws the workers' base seed first, then the sampler's permutation, both from ``generator``
    g = ember.Generator().manual_seed(0)
    ember.empty((), dtype=ember.int64).random_(generator=g)
    assert a == ember.randperm(50, generator=g).tolist()
    # no generator: the default one (base seed, then the seed of the sampler's own generator)
    ember.manual_seed(5)
    b = order()
    ember.manual_seed(5)
    ember.empty((), dtype=ember.int64).random_()
    s = ember.empty((), dtype=ember.int64).random_().item()
    assert b == ember.randperm(50, generator=ember.Generator().manual_seed(s)).tolist()
    # without shuffling each pass still draws its base seed from the default generator, as PyTorch's does
    ember.manual_seed(5)
    list(edata.DataLoader(ds, batch_size=7))
    after = ember.rand(1).item()
    ember.manual_seed(5)
    ember.empty((), dtype=ember.int64).random_()
    assert after == ember.rand(1).item()


class _Slow(edata.TensorDataset):
    """A TensorDataset that goes through per-sample indexing and stacking (no batch gather)."""

    def __getitem__(self, i):
        return tuple(t[i] for t in self.tensors)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16", "float64"])
def test_tensor_dataset_batch_gather_matches_stack(dtype):
    g = ember.Generator().manual_seed(2)
    x = (ember.randn(40, 3, 2, generator=g) * 3).to(getattr(ember, dtype))
    y = ember.arange(40)
    for make in (
        lambda cls: cls(x, y),
        lambda cls: edata.Subset(cls(x, y), list(range(39, -1, -2))),
        lambda cls: edata.Subset(edata.Subset(cls(x, y), range(5, 35)), np.arange(29, 0, -3)),
    ):
        fast = list(
            edata.DataLoader(
                make(edata.TensorDataset), batch_size=6, shuffle=True, generator=ember.Generator().manual_seed(1)
            )
        )
        slow = list(
            edata.DataLoader(make(_Slow), batch_size=6, shuffle=True, generator=ember.Generator().manual_seed(1))
        )
        assert canon(fast) == canon(slow)
    # torch's loader gives the same batches in sequential order
    t = list(tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(x.numpy()), torch.arange(40)), batch_size=6))
    e = list(edata.DataLoader(edata.TensorDataset(x, y), batch_size=6))
    assert canon(e) == canon(t)


def test_tensor_dataset_gather_errors_and_grad():
    x = ember.ones(4, 2, requires_grad=True)
    (b,) = list(edata.DataLoader(edata.TensorDataset(x), batch_size=4))
    assert b[0].requires_grad and b[0].grad_fn is not None  # grad-carrying data keeps the stack path
    with pytest.raises(IndexError, match="out of bounds"):
        list(edata.DataLoader(edata.TensorDataset(ember.zeros(3)), sampler=[0, 5], batch_size=2))


# ----------------------------------------------------------------------------------------------- workers
class _Info(edata.Dataset):
    """Each sample reports the worker it was made in and that worker's random streams."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        w = edata.get_worker_info()
        return {
            "i": i,
            "id": w.id,
            "n": w.num_workers,
            "seed": w.seed,
            "pid": os.getpid(),
            "py": random.random(),
            "np": float(np.random.random()),
            "ember": ember.rand(1).item(),
        }


def test_workers_every_sample_once_in_order_and_seeded():
    gen = ember.Generator().manual_seed(9)
    loader = edata.DataLoader(_Info(), batch_size=2, shuffle=True, num_workers=2, generator=gen)
    batches = list(loader)
    idx = [i for b in batches for i in b["i"].tolist()]
    gen.manual_seed(9)
    base = ember.empty((), dtype=ember.int64).random_(generator=gen).item()
    assert idx == ember.randperm(12, generator=gen).tolist()  # the main-process order, delivered in order
    ids = [b["id"][0].item() for b in batches]
    assert ids == [0, 1] * 3  # tasks go round-robin
    for b in batches:
        w = b["id"][0].item()
        assert b["n"].tolist() == [2, 2] and b["seed"].tolist() == [base + w] * 2
    first = {b["id"][0].item(): b for b in batches[:2]}
    for w, b in first.items():
        seed = base + w
        assert b["py"][0].item() == random.Random(seed).random()
        ember_first = ember.rand(1, generator=ember.Generator().manual_seed(seed)).item()
        assert b["ember"][0].item() == ember_first
        np_seed = tdata._utils.worker._generate_state(base, w)  # PyTorch's own derivation of NumPy's seed
        assert b["np"][0].item() == np.random.RandomState(np_seed).random_sample()
    assert wait_gone({p for b in batches for p in b["pid"].tolist()}) == []
    assert edata.get_worker_info() is None


class _Shard(edata.IterableDataset):
    def __iter__(self):
        w = edata.get_worker_info()
        return iter(range(w.id, 11, w.num_workers))


def test_workers_iterable_sharding_and_init_fn_and_unordered():
    loader = edata.DataLoader(_Shard(), batch_size=2, num_workers=2, worker_init_fn=_init_fn, prefetch_factor=3)
    got = sorted(i for b in loader for i in b.tolist())
    assert got == list(range(11))
    ds = edata.TensorDataset(ember.arange(9))
    out = list(edata.DataLoader(ds, batch_size=2, num_workers=2, in_order=False))
    assert sorted(i for b in out for i in b[0].tolist()) == list(range(9))


def _init_fn(worker_id):
    info = edata.get_worker_info()
    assert info.id == worker_id and info.num_workers == 2
    with pytest.raises(RuntimeError, match="Cannot assign attributes to WorkerInfo objects"):
        info.id = 5


class _Pid(edata.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return os.getpid()


def test_persistent_workers_and_spawn():
    loader = edata.DataLoader(_Pid(), batch_size=3, num_workers=2, persistent_workers=True)
    first = {p for b in loader for p in b.tolist()}
    second = {p for b in loader for p in b.tolist()}
    assert first == second and len(first) == 2
    it = loader._iterator
    half = next(iter(loader))  # a pass broken off, then a new one: the same workers serve it
    assert len(half) == 3 and {p for b in loader for p in b.tolist()} == first
    del loader, it, half
    gc.collect()
    assert wait_gone(first) == []
    # persistent workers over an IterableDataset: each pass starts every worker's stream again
    loader = edata.DataLoader(_Shard(), batch_size=3, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(i for b in loader for i in b.tolist()) == list(range(11))
    # another start method: the dataset travels by pickle
    ds = edata.TensorDataset(ember.arange(4.0))
    out = list(edata.DataLoader(ds, batch_size=2, num_workers=1, multiprocessing_context="spawn"))
    assert canon(out) == canon(list(edata.DataLoader(ds, batch_size=2)))


class _Large(edata.Dataset):
    """Samples of a few MB each (they travel from the workers through files)."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        g = ember.Generator().manual_seed(i)
        big = ember.randn(300, 1000, generator=g)
        return {"x": big.t(), "n": ember.full((300000,), i), "small": ember.tensor([i]), "p": Point(big[:, :500], i)}


def test_workers_large_batches_through_files():
    import glob

    ref = list(edata.DataLoader(_Large(), batch_size=2))
    loader = edata.DataLoader(_Large(), batch_size=2, num_workers=2)
    it = iter(loader)
    folder = it._dump_dir
    got = list(it)
    assert canon(got) == canon(ref)
    assert glob.glob(os.path.join(folder, "w*")) == []  # every file read back and unlinked
    got[0]["x"].add_(1)  # the arrays are writable
    assert ember.equal(got[0]["x"], ref[0]["x"] + 1)
    # a pass broken off: the files of undelivered batches go with the loader's folder
    it = iter(loader)
    folder = it._dump_dir
    next(it)
    del it
    gc.collect()
    assert not os.path.exists(folder)


def test_workers_large_batches_without_room(monkeypatch):
    """Where the shared folder is full, large arrays go through the pipe instead."""
    import types

    from ember.utils.data import _worker as w

    def full(fd, data):
        raise OSError(28, "No space left on device")

    shim = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    shim.write = full
    monkeypatch.setattr(w, "os", shim)  # the forked workers inherit the patch
    got = list(edata.DataLoader(_Large(), batch_size=3, num_workers=1))
    assert canon(got) == canon(list(edata.DataLoader(_Large(), batch_size=3)))


class _Faulty(edata.Dataset):
    def __init__(self, mode):
        self.mode = mode

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            if self.mode == "raise":
                raise KeyError("sample 5 is broken")
            if self.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.mode == "stuck":
                _stuck_here()
        return os.getpid()


def _stuck_here():
    time.sleep(30)


def _pids(loader_iter):
    return [w.pid for w in loader_iter._workers]


def test_worker_exception_reraised_with_traceback():
    it = iter(edata.DataLoader(_Faulty("raise"), batch_size=2, num_workers=2))
    pids = _pids(it)
    with pytest.raises(KeyError) as info:
        list(it)
    msg = str(info.value)
    assert msg.startswith(
        "Caught KeyError in DataLoader worker process 0.\nOriginal Traceback (most recent call last):"
    )
    assert 'raise KeyError("sample 5 is broken")' in msg and "KeyError: 'sample 5 is broken'" in msg
    del it, info
    gc.collect()
    assert wait_gone(pids, 30) == []


def _bad_init(worker_id):
    if worker_id == 1:
        raise ValueError("init failed")


def test_worker_init_fn_exception():
    loader = edata.DataLoader(_Pid(), batch_size=1, num_workers=2, worker_init_fn=_bad_init)
    it = iter(loader)
    next(it)  # worker 0 serves the first task
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as info:
        next(it)
    assert 'raise ValueError("init failed")' in str(info.value)
    pids = _pids(it)
    it._shutdown_workers()
    assert wait_gone(pids, 30) == []


def test_worker_killed_raises():
    it = iter(edata.DataLoader(_Faulty("kill"), batch_size=2, num_workers=2))
    pids = _pids(it)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) is killed by signal: Killed\."):
        list(it)
    assert time.monotonic() - t0 < 5
    assert wait_gone(pids, 0.5) == []


def test_worker_stuck_timeout_shows_stack():
    it = iter(edata.DataLoader(_Faulty("stuck"), batch_size=2, num_workers=2, timeout=1))
    pids = _pids(it)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError) as info:
        list(it)
    assert time.monotonic() - t0 < 6
    msg = str(info.value)
    assert msg.startswith("DataLoader timed out after 1 seconds")
    assert "_stuck_here" in msg and "__getitem__" in msg and "test_data.py" in msg
    assert wait_gone(pids, 0.5) == []  # every worker terminated and reaped


@pytest.mark.parametrize("how", ["break", "keyboard_interrupt", "gc"])
def test_interrupted_loop_leaves_no_orphans(how):
    loader = edata.DataLoader(_Pid(), batch_size=1, num_workers=2)
    it = iter(loader)
    pids = _pids(it)
    if how == "break":
        for _ in it:
            break
    elif how == "keyboard_interrupt":
        with pytest.raises(KeyboardInterrupt):
            for _ in it:
                raise KeyboardInterrupt
    else:
        next(it)
    del it
    gc.collect()
    assert wait_gone(pids, 30) == []


_ORPHAN_SCRIPT = """
import os, sys, time
import ember
import ember.utils.data as d

class P(d.Dataset):
    def __len__(self):
        return 100

    def __getitem__(self, i):
        return os.getpid()

it = iter(d.DataLoader(P(), batch_size=1, num_workers=2))
next(it)
print(*[w.pid for w in it._workers], flush=True)
time.sleep(60)
"""


def test_workers_exit_when_the_main_process_is_killed():
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(p) for p in pids)
    finally:
        proc.kill()
        proc.wait()
    assert wait_gone(pids, 30) == []


def test_data_package_loads_on_first_use():
    import subprocess
    import sys

    code = (
        "import sys, ember\n"
        "assert 'ember.utils.data' not in sys.modules\n"
        "assert ember.utils.data.DataLoader.__name__ == 'DataLoader'\n"
        "assert 'ember.utils.data' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
