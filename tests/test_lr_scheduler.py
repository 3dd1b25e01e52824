"""Learning-rate schedulers and weight averaging against PyTorch: 100-step trajectories over three parameter
groups, ReduceLROnPlateau on fixed metric sequences, state-dict round trips, warnings and error texts,
AveragedModel / SWALR / update_bn on a small model with batch norm."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
import torch.optim.lr_scheduler as TL
import torch.optim.swa_utils as TS

import ember
import ember.optim.lr_scheduler as EL
import ember.optim.swa_utils as ES

LIBS = {"torch": (torch, TL, TS), "ember": (ember, EL, ES)}
STEPS = 100


def _optimizer(lib, kind: str = "sgd", lr=0.1):
    ps = [lib.nn.Parameter(lib.zeros(2)) for _ in range(3)]
    groups = [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05}, {"params": [ps[2]], "lr": 0.3}]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=lr, momentum=0.9)
    return lib.optim.Adam(groups, lr=lr, betas=(0.9, 0.99))


def _momenta(opt) -> list:
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return out


def _trajectory(lib_name: str, make, kind: str = "sgd", steps: int = STEPS, epochs=None, lr=0.1):
    lib, L, S = LIBS[lib_name]
    opt = _optimizer(lib, kind, lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nested schedulers step their members before any optimizer step
        sched = make(L, S, opt)
    rows = [[float(v) for v in sched.get_last_lr()] + _momenta(opt)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps):
            opt.step()
            if epochs is None:
                sched.step()
            else:
                sched.step(epochs[i])
            rows.append(
                [float(v) for v in sched.get_last_lr()] + _momenta(opt) + [float(g["lr"]) for g in opt.param_groups]
            )
    return rows, sched, opt


def _same(a, b):
    assert len(a) == len(b)
    for i, (ra, rb) in enumerate(zip(a, b)):
        assert len(ra) == len(rb), i
        for x, y in zip(ra, rb):
            if x is None or y is None:
                assert x is y, i
            else:
                assert x == pytest.approx(y, rel=1e-13, abs=1e-16), (i, ra, rb)


class _Halver:
    """A callable object (its state goes into the state dict, unlike a lambda's)."""

    def __init__(self):
        self.base = 0.97

    def __call__(self, epoch):
        return self.base**epoch


# ---------------------------------------------------------------------------- trajectories
TRAJECTORIES = [
    pytest.param(lambda L, S, o: L.LambdaLR(o, lambda e: 0.95**e), "sgd", id="LambdaLR"),
    pytest.param(
        lambda L, S, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** (e // 10), _Halver()]),
        "sgd",
        id="LambdaLR-list",
    ),
    pytest.param(lambda L, S, o: L.MultiplicativeLR(o, lambda e: 0.95), "sgd", id="MultiplicativeLR"),
    pytest.param(
        lambda L, S, o: L.MultiplicativeLR(o, (lambda e: 0.99, lambda e: 1.0 if e < 50 else 0.9, lambda e: 0.97)),
        "sgd",
        id="MultiplicativeLR-list",
    ),
    pytest.param(lambda L, S, o: L.StepLR(o, 7, 0.5), "sgd", id="StepLR"),
    pytest.param(lambda L, S, o: L.StepLR(o, step_size=30), "sgd", id="StepLR-default-gamma"),
    pytest.param(lambda L, S, o: L.StepLR(o, 1, gamma=0.97), "adam", id="StepLR-1"),
    pytest.param(lambda L, S, o: L.MultiStepLR(o, [10, 30, 30, 60], 0.5), "sgd", id="MultiStepLR-repeated"),
    pytest.param(lambda L, S, o: L.MultiStepLR(o, milestones=(25, 75)), "sgd", id="MultiStepLR"),
    pytest.param(lambda L, S, o: L.ConstantLR(o), "sgd", id="ConstantLR-default"),
    pytest.param(lambda L, S, o: L.ConstantLR(o, factor=0.5, total_iters=20), "sgd", id="ConstantLR"),
    pytest.param(lambda L, S, o: L.LinearLR(o), "sgd", id="LinearLR-default"),
    pytest.param(lambda L, S, o: L.LinearLR(o, 0.1, 0.9, 40), "sgd", id="LinearLR"),
    pytest.param(
        lambda L, S, o: L.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=100), "sgd", id="LinearLR-decay"
    ),
    pytest.param(lambda L, S, o: L.ExponentialLR(o, 0.97), "sgd", id="ExponentialLR"),
    pytest.param(lambda L, S, o: L.PolynomialLR(o), "sgd", id="PolynomialLR-default"),
    pytest.param(lambda L, S, o: L.PolynomialLR(o, total_iters=50, power=2.0), "sgd", id="PolynomialLR-square"),
    pytest.param(lambda L, S, o: L.PolynomialLR(o, 120, 0.5), "sgd", id="PolynomialLR-sqrt"),
    pytest.param(lambda L, S, o: L.CosineAnnealingLR(o, 10), "sgd", id="CosineAnnealingLR-10"),
    pytest.param(lambda L, S, o: L.CosineAnnealingLR(o, T_max=30, eta_min=0.001), "sgd", id="CosineAnnealingLR-eta"),
    pytest.param(lambda L, S, o: L.CosineAnnealingLR(o, 100), "sgd", id="CosineAnnealingLR-100"),
    pytest.param(lambda L, S, o: L.CosineAnnealingWarmRestarts(o, 10), "sgd", id="CAWR"),
    pytest.param(lambda L, S, o: L.CosineAnnealingWarmRestarts(o, 5, 2, 1e-3), "sgd", id="CAWR-mult2"),
    pytest.param(lambda L, S, o: L.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=3), "sgd", id="CAWR-mult3"),
    pytest.param(lambda L, S, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=10), "sgd", id="CyclicLR-triangular"),
    pytest.param(
        lambda L, S, o: L.CyclicLR(o, [0.01, 0.02, 0.03], [0.1, 0.2, 0.3], 7, 5, "triangular2"),
        "sgd",
        id="CyclicLR-triangular2",
    ),
    pytest.param(
        lambda L, S, o: L.CyclicLR(o, 0.01, 0.1, 6, mode="exp_range", gamma=0.99, base_momentum=0.7, max_momentum=0.95),
        "sgd",
        id="CyclicLR-exp_range",
    ),
    pytest.param(
        lambda L, S, o: L.CyclicLR(o, 0.001, 0.01, 4, 8, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"),
        "sgd",
        id="CyclicLR-scale_fn-iterations",
    ),
    pytest.param(
        lambda L, S, o: L.CyclicLR(o, 0.001, 0.01, 5, scale_fn=lambda x: 0.5**x), "sgd", id="CyclicLR-scale_fn-cycle"
    ),
    pytest.param(lambda L, S, o: L.CyclicLR(o, 0.001, 0.01, 5, cycle_momentum=False), "sgd", id="CyclicLR-no-momentum"),
    pytest.param(
        lambda L, S, o: L.CyclicLR(o, 0.001, 0.01, 9, base_momentum=[0.8, 0.85, 0.7]), "adam", id="CyclicLR-betas"
    ),
    pytest.param(lambda L, S, o: L.OneCycleLR(o, 0.5, total_steps=100), "sgd", id="OneCycleLR-cos"),
    pytest.param(
        lambda L, S, o: L.OneCycleLR(o, [0.5, 0.2, 0.1], total_steps=100, anneal_strategy="linear"),
        "sgd",
        id="OneCycleLR-linear",
    ),
    pytest.param(
        lambda L, S, o: L.OneCycleLR(o, 1.0, total_steps=100, three_phase=True), "sgd", id="OneCycleLR-three-cos"
    ),
    pytest.param(
        lambda L, S, o: L.OneCycleLR(
            o, 0.3, epochs=10, steps_per_epoch=12, pct_start=0.25, three_phase=True, anneal_strategy="linear"
        ),
        "sgd",
        id="OneCycleLR-three-linear-epochs",
    ),
    pytest.param(
        lambda L, S, o: L.OneCycleLR(
            o, 0.01, total_steps=150, div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9
        ),
        "adam",
        id="OneCycleLR-betas",
    ),
    pytest.param(
        lambda L, S, o: L.OneCycleLR(o, 0.1, total_steps=100, cycle_momentum=False), "sgd", id="OneCycleLR-no-momentum"
    ),
    pytest.param(
        lambda L, S, o: L.SequentialLR(
            o, [L.LinearLR(o, 0.1, total_iters=5), L.CosineAnnealingLR(o, 50)], milestones=[5]
        ),
        "sgd",
        id="SequentialLR-warmup-cosine",
    ),
    pytest.param(
        lambda L, S, o: L.SequentialLR(
            o, [L.ConstantLR(o, 0.2, 5), L.ExponentialLR(o, 0.95), L.StepLR(o, 10, 0.5)], milestones=[10, 40]
        ),
        "sgd",
        id="SequentialLR-three",
    ),
    pytest.param(
        lambda L, S, o: L.SequentialLR(
            o,
            [L.ChainedScheduler([L.ConstantLR(o, 0.5, 4), L.ExponentialLR(o, 0.9)]), L.MultiStepLR(o, [10, 20])],
            [30],
        ),
        "sgd",
        id="SequentialLR-nested-chained",
    ),
    pytest.param(
        lambda L, S, o: L.ChainedScheduler([L.ConstantLR(o, 0.1, 20), L.ExponentialLR(o, 0.9)]),
        "sgd",
        id="ChainedScheduler",
    ),
    pytest.param(
        lambda L, S, o: L.ChainedScheduler(
            [L.LinearLR(o, 0.2, total_iters=10), L.CosineAnnealingLR(o, 40)], optimizer=o
        ),
        "sgd",
        id="ChainedScheduler-warmup-cosine",
    ),
    pytest.param(lambda L, S, o: S.SWALR(o, 0.05), "sgd", id="SWALR-cos"),
    pytest.param(
        lambda L, S, o: S.SWALR(o, [0.01, 0.02, 0.5], anneal_epochs=20, anneal_strategy="linear"),
        "sgd",
        id="SWALR-linear",
    ),
    pytest.param(lambda L, S, o: S.SWALR(o, swa_lr=0.02, anneal_epochs=0), "sgd", id="SWALR-no-anneal"),
]


@pytest.mark.parametrize("make,kind", TRAJECTORIES)
def test_trajectory(make, kind):
    a, ts, _ = _trajectory("torch", make, kind)
    b, es, _ = _trajectory("ember", make, kind)
    _same(a, b)
    assert list(es.state_dict()) == list(ts.state_dict())


def test_tensor_lr():
    make = lambda L, S, o: L.ExponentialLR(o, 0.9)  # noqa: E731
    a, _, to = _trajectory("torch", make, lr=torch.tensor(0.1))
    b, _, eo = _trajectory("ember", make, lr=ember.tensor(0.1))
    _same(a, b)
    assert isinstance(eo.param_groups[0]["lr"], ember.Tensor)


def test_two_stacked_schedulers():
    """Two chainable schedulers stepped one after the other compose as in PyTorch."""
    rows = {}
    for name, (lib, L, _) in LIBS.items():
        opt = _optimizer(lib)
        s1, s2 = L.StepLR(opt, 10, 0.5), L.CosineAnnealingLR(opt, 25, 0.001)
        out = []
        for _ in range(STEPS):
            opt.step()
            s1.step()
            s2.step()
            out.append(s1.get_last_lr() + s2.get_last_lr())
        rows[name] = out
    _same(rows["torch"], rows["ember"])


# ---------------------------------------------------------------------------- step(epoch): closed forms
_EPOCHS = [3, 0, 7, 7, 12, 5, 40, 41, 30, 99] * 10
CLOSED_FORM = [
    pytest.param(lambda L, S, o: L.StepLR(o, 7, 0.5), id="StepLR"),
    pytest.param(lambda L, S, o: L.MultiStepLR(o, [5, 12, 12, 40]), id="MultiStepLR"),
    pytest.param(lambda L, S, o: L.ConstantLR(o, 0.25, 10), id="ConstantLR"),
    pytest.param(lambda L, S, o: L.LinearLR(o, 0.2, 0.8, 30), id="LinearLR"),
    pytest.param(lambda L, S, o: L.ExponentialLR(o, 0.95), id="ExponentialLR"),
    pytest.param(lambda L, S, o: L.PolynomialLR(o, 45, 1.5), id="PolynomialLR"),
    pytest.param(lambda L, S, o: L.CosineAnnealingLR(o, 20, 0.01), id="CosineAnnealingLR"),
    pytest.param(lambda L, S, o: L.LambdaLR(o, lambda e: 1 / (1 + e)), id="LambdaLR-no-closed-form"),
    pytest.param(lambda L, S, o: L.CosineAnnealingWarmRestarts(o, 5, 1), id="CAWR-int"),
    pytest.param(lambda L, S, o: L.CosineAnnealingWarmRestarts(o, 4, 2, 0.01), id="CAWR-mult"),
]


@pytest.mark.parametrize("make", CLOSED_FORM)
def test_step_with_epoch(make):
    _same(_trajectory("torch", make, epochs=_EPOCHS)[0], _trajectory("ember", make, epochs=_EPOCHS)[0])


@pytest.mark.parametrize("T_mult", [1, 2])
def test_cawr_fractional_epochs(T_mult):
    epochs = [e + i / 4 for e in range(25) for i in range(4)]
    make = lambda L, S, o: L.CosineAnnealingWarmRestarts(o, 3, T_mult, 0.001)  # noqa: E731
    a, ts, _ = _trajectory("torch", make, epochs=epochs)
    b, es, _ = _trajectory("ember", make, epochs=epochs)
    _same(a, b)
    assert (es.T_cur, es.T_i, es.last_epoch) == (ts.T_cur, ts.T_i, ts.last_epoch)


def test_epoch_deprecation_warning():
    opt = _optimizer(ember)
    s = EL.StepLR(opt, 3)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        s.step(4)
    assert s.last_epoch == 4 and s.get_last_lr()[0] == pytest.approx(0.01)
    r = EL.ReduceLROnPlateau(opt)
    with pytest.warns(UserWarning, match="The epoch parameter"):
        r.step(1.0, epoch=7)
    assert r.last_epoch == 7


# ---------------------------------------------------------------------------- ReduceLROnPlateau
_FALLING = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.8] * 5
_NOISY = list(np.round(np.abs(np.sin(np.arange(60) * 0.7)) + np.arange(60) * -0.01 + 1, 6))
_RISING = [0.1, 0.2, 0.2, 0.2001, 0.2, 0.3, 0.3, 0.3, 0.3, 0.29, 0.31, 0.31, 0.31, 0.31] * 4
PLATEAU = [
    pytest.param(dict(), _FALLING, id="defaults"),
    pytest.param(dict(patience=2), _FALLING, id="patience2"),
    pytest.param(dict(patience=0, factor=0.5), _NOISY, id="patience0"),
    pytest.param(dict(patience=1, cooldown=3, factor=0.5), _NOISY, id="cooldown"),
    pytest.param(dict(patience=1, threshold=0.05), _FALLING, id="rel-threshold"),
    pytest.param(dict(patience=1, threshold=0.04, threshold_mode="abs"), _FALLING, id="abs-threshold"),
    pytest.param(dict(mode="max", patience=2), _RISING, id="max-rel"),
    pytest.param(dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs", cooldown=2), _RISING, id="max-abs"),
    pytest.param(dict(patience=0, factor=0.2, min_lr=0.004), _NOISY, id="min_lr"),
    pytest.param(dict(patience=0, factor=0.5, min_lr=[0.01, 0.0, 0.2]), _NOISY, id="min_lr-list"),
    pytest.param(dict(patience=0, factor=0.9, eps=0.004), _NOISY, id="eps"),
]


@pytest.mark.parametrize("kwargs,metrics", PLATEAU)
def test_reduce_lr_on_plateau(kwargs, metrics):
    rows = {}
    for name, (lib, L, _) in LIBS.items():
        opt = _optimizer(lib)
        s = L.ReduceLROnPlateau(opt, **kwargs)
        out = [s.get_last_lr()]
        for i, m in enumerate(metrics):
            opt.step()
            s.step(lib.tensor(m) if i % 2 else m)
            out.append(s.get_last_lr() + [s.best, s.num_bad_epochs, s.cooldown_counter, s.last_epoch])
        rows[name] = (out, list(s.state_dict()))
    _same(rows["torch"][0], rows["ember"][0])
    assert rows["torch"][1] == rows["ember"][1]


def test_plateau_new_param_group():
    for name, (lib, L, _) in LIBS.items():
        opt = _optimizer(lib)
        s = L.ReduceLROnPlateau(opt, patience=0, min_lr=0.001)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))], "lr": 1.0})
        s.step(1.0)
        s.step(2.0)
        assert s.min_lrs == [0.001] * 4 and opt.param_groups[3]["lr"] == pytest.approx(0.1)
    msgs = []
    for name, (lib, L, _) in LIBS.items():
        opt = _optimizer(lib)
        s = L.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0, 0.0])
        opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))]})
        s.step(1.0)
        with pytest.raises(RuntimeError) as e:
            s.step(2.0)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


# ---------------------------------------------------------------------------- state dicts
ROUND_TRIP = [
    pytest.param(lambda L, S, o: L.StepLR(o, 7, 0.5), "sgd", id="StepLR"),
    pytest.param(lambda L, S, o: L.MultiStepLR(o, [10, 50, 50]), "sgd", id="MultiStepLR"),
    pytest.param(lambda L, S, o: L.LambdaLR(o, [lambda e: 0.9**e, _Halver(), lambda e: 1.0]), "sgd", id="LambdaLR"),
    pytest.param(lambda L, S, o: L.MultiplicativeLR(o, _Halver()), "sgd", id="MultiplicativeLR"),
    pytest.param(lambda L, S, o: L.LinearLR(o, 0.1, 1.0, 60), "sgd", id="LinearLR"),
    pytest.param(lambda L, S, o: L.PolynomialLR(o, 70, 2.0), "sgd", id="PolynomialLR"),
    pytest.param(lambda L, S, o: L.CosineAnnealingLR(o, 30), "sgd", id="CosineAnnealingLR"),
    pytest.param(lambda L, S, o: L.CosineAnnealingWarmRestarts(o, 6, 2), "sgd", id="CAWR"),
    pytest.param(lambda L, S, o: L.CyclicLR(o, 0.01, 0.1, 7, mode="exp_range", gamma=0.98), "sgd", id="CyclicLR"),
    pytest.param(lambda L, S, o: L.OneCycleLR(o, 0.4, total_steps=100, three_phase=True), "adam", id="OneCycleLR"),
    pytest.param(
        lambda L, S, o: L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=10), L.ExponentialLR(o, 0.97)], [10]),
        "sgd",
        id="SequentialLR",
    ),
    pytest.param(
        lambda L, S, o: L.ChainedScheduler([L.StepLR(o, 9, 0.5), L.ExponentialLR(o, 0.99)]), "sgd", id="Chained"
    ),
    pytest.param(lambda L, S, o: S.SWALR(o, 0.02, 30, "linear"), "sgd", id="SWALR"),
]


def _run(opt, sched, n):
    out = []
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(list(sched.get_last_lr()) + _momenta(opt))
    return out


@pytest.mark.parametrize("make,kind", ROUND_TRIP)
@pytest.mark.parametrize("source", ["ember", "torch"])
def test_state_dict_round_trip(make, kind, source):
    """Stop at step 40, save the optimizer's and scheduler's state, rebuild both from scratch, load, resume:
    the last 60 steps are those of an uninterrupted run. ``source`` is the library whose state is loaded
    into a fresh ember pair (a state dict PyTorch wrote continues identically in ember)."""
    lib, L, S = LIBS[source]
    opt = _optimizer(lib, kind)
    sched = make(L, S, opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _run(opt, sched, 40)
        tail = _run(opt, sched, 60)
        # the same 40 steps again, then save
        opt = _optimizer(lib, kind)
        sched = make(L, S, opt)
        _run(opt, sched, 40)
        sd_sched = copy.deepcopy(sched.state_dict())
        sd_opt = opt.state_dict()
        groups = [{k: v for k, v in g.items() if k != "params"} for g in sd_opt["param_groups"]]
        opt2 = _optimizer(ember, kind)
        sched2 = make(EL, ES, opt2)
        for g, saved in zip(opt2.param_groups, groups):
            g.update({k: v.item() if isinstance(v, torch.Tensor) else v for k, v in saved.items()})
        sched2.load_state_dict(sd_sched)
        resumed = _run(opt2, sched2, 60)
    _same(tail, resumed)


def test_state_dict_lambdas_and_callable_objects():
    opt = _optimizer(ember)
    h = _Halver()
    s = EL.LambdaLR(opt, [lambda e: 1.0, h, h])
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [None, {"base": 0.97}, {"base": 0.97}]
    sd["lr_lambdas"][1] = sd["lr_lambdas"][2] = {"base": 0.5}
    s.load_state_dict(sd)
    assert h.base == 0.5 and "lr_lambdas" in sd
    c = EL.CyclicLR(opt, 0.01, 0.1, scale_fn=h)
    assert c.state_dict()["_scale_fn_custom"] == {"base": 0.5}
    assert "_scale_fn_ref" not in EL.CyclicLR(opt, 0.01, 0.1).state_dict()


def test_state_dict_keys_and_values_match_torch():
    """Every key PyTorch stores, in its order, with equal values, after 13 steps."""
    makers = [p.values[0] for p in TRAJECTORIES]
    for make in makers:
        sds = []
        for name in ("torch", "ember"):
            _, s, _ = _trajectory(name, make, TRAJECTORIES[makers.index(make)].values[1], 13)
            sds.append(s.state_dict())
        t, e = sds
        assert list(t) == list(e)
        for k in t:
            if k in ("_schedulers", "lr_lambdas", "_scale_fn_custom"):
                continue
            tv, ev = t[k], e[k]
            if isinstance(tv, list) and all(isinstance(x, (int, float)) for x in tv):
                _same([[float(x) for x in tv]], [[float(x) for x in ev]])
            else:
                assert tv == ev or tv == pytest.approx(ev, rel=1e-13), k


# ---------------------------------------------------------------------------- warnings
def test_warns_when_scheduler_steps_first():
    opt = _optimizer(ember)
    s = EL.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        s.step()
    opt = _optimizer(ember)
    s = EL.StepLR(opt, 3)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
        s.step()


def test_warns_when_optimizer_step_replaced():
    opt = _optimizer(ember)
    s = EL.ExponentialLR(opt, 0.9)
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
        s.step()


def test_step_wrapped_once_and_still_steps():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([p], lr=0.5)
    s1 = EL.StepLR(opt, 2)
    wrapped = opt.step
    EL.ExponentialLR(opt, 0.9)
    assert opt.step is wrapped and wrapped._wrapped_by_lr_sched
    p.grad = ember.ones(3)
    opt.step()
    assert opt._opt_called and np.allclose(p.detach().numpy(), 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s1.step()


def test_get_lr_outside_step_warns():
    s = EL.StepLR(_optimizer(ember), 3)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()
    w = ES.SWALR(_optimizer(ember), 0.1)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        w.get_lr()


def test_get_last_lr_is_a_copy():
    opt = _optimizer(ember, lr=ember.tensor(0.1))
    s = EL.ExponentialLR(opt, 0.5)
    last = s.get_last_lr()
    last[0].fill_(7.0)
    assert float(opt.param_groups[0]["lr"]) == pytest.approx(0.1)


def test_verbose_deprecated():
    opt = _optimizer(ember)
    with pytest.warns(UserWarning, match="The verbose parameter is deprecated"):
        s = EL.StepLR(opt, 3, verbose=False)
    assert "verbose" not in s.state_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EL.StepLR(opt, 3)


def test_verbose_prints(capsys):
    opt = _optimizer(ember)
    with pytest.warns(UserWarning):
        EL.ExponentialLR(opt, 0.5, verbose=True)
    assert "Adjusting learning rate of group 0 to 1.0000e-01." in capsys.readouterr().out


def test_resume_with_last_epoch():
    """``last_epoch >= 0`` requires ``initial_lr`` (PyTorch's KeyError) and resumes the schedule."""
    msgs = []
    for name, (lib, L, _) in LIBS.items():
        with pytest.raises(KeyError) as e:
            L.StepLR(_optimizer(lib), 3, last_epoch=5)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
    rows = {}
    for name, (lib, L, _) in LIBS.items():
        opt = _optimizer(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        s = L.CosineAnnealingLR(opt, 20, last_epoch=7)
        rows[name] = [s.get_last_lr()] + _run(opt, s, 30)
    _same(rows["torch"], rows["ember"])


def test_one_cycle_past_total_steps():
    msgs = []
    for name, (lib, L, _) in LIBS.items():
        opt = _optimizer(lib)
        s = L.OneCycleLR(opt, 0.1, total_steps=10)
        _run(opt, s, 10)
        with pytest.raises(ValueError) as e:
            s.step()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1] == "Tried to step 11 times. The specified number of total steps is 10"


# ---------------------------------------------------------------------------- errors
def _adagrad(lib):
    return lib.optim.Adagrad([lib.nn.Parameter(lib.zeros(2))], lr=0.1)


ERRORS = [
    pytest.param(lambda lib, L, S, o: L.LambdaLR(o, [lambda e: 1.0]), id="LambdaLR-count"),
    pytest.param(lambda lib, L, S, o: L.MultiplicativeLR(o, [lambda e: 1.0] * 2), id="MultiplicativeLR-count"),
    pytest.param(lambda lib, L, S, o: L.MultiplicativeLR(o, 0.9), id="MultiplicativeLR-not-callable"),
    pytest.param(lambda lib, L, S, o: L.ConstantLR(o, factor=1.5), id="ConstantLR-factor"),
    pytest.param(lambda lib, L, S, o: L.LinearLR(o, start_factor=0), id="LinearLR-start"),
    pytest.param(lambda lib, L, S, o: L.LinearLR(o, end_factor=1.2), id="LinearLR-end"),
    pytest.param(lambda lib, L, S, o: L.StepLR(object(), 3), id="not-an-optimizer"),
    pytest.param(lambda lib, L, S, o: L.ReduceLROnPlateau(o, factor=1.0), id="Plateau-factor"),
    pytest.param(lambda lib, L, S, o: L.ReduceLROnPlateau(o, mode="avg"), id="Plateau-mode"),
    pytest.param(lambda lib, L, S, o: L.ReduceLROnPlateau(o, threshold_mode="pct"), id="Plateau-threshold-mode"),
    pytest.param(lambda lib, L, S, o: L.ReduceLROnPlateau(o, min_lr=[0.1]), id="Plateau-min_lr"),
    pytest.param(lambda lib, L, S, o: L.ReduceLROnPlateau([1]), id="Plateau-not-an-optimizer"),
    pytest.param(lambda lib, L, S, o: L.CyclicLR(o, 0.1, [0.1, 0.2]), id="CyclicLR-max_lr-count"),
    pytest.param(lambda lib, L, S, o: L.CyclicLR(o, 0.1, 1.0, mode="sine"), id="CyclicLR-mode"),
    pytest.param(lambda lib, L, S, o: L.CyclicLR(_adagrad(lib), 0.1, 1.0), id="CyclicLR-no-momentum"),
    pytest.param(lambda lib, L, S, o: L.CyclicLR(o, 0.1, 1.0, base_momentum=[0.8]), id="CyclicLR-momentum-count"),
    pytest.param(lambda lib, L, S, o: L.CosineAnnealingWarmRestarts(o, 0), id="CAWR-T_0"),
    pytest.param(lambda lib, L, S, o: L.CosineAnnealingWarmRestarts(o, 2.5), id="CAWR-T_0-float"),
    pytest.param(lambda lib, L, S, o: L.CosineAnnealingWarmRestarts(o, 5, 0), id="CAWR-T_mult"),
    pytest.param(lambda lib, L, S, o: L.CosineAnnealingWarmRestarts(o, 5, eta_min="0"), id="CAWR-eta_min"),
    pytest.param(lambda lib, L, S, o: L.CosineAnnealingWarmRestarts(o, 5).step(-1), id="CAWR-negative-epoch"),
    pytest.param(lambda lib, L, S, o: L.OneCycleLR(o, 0.1), id="OneCycle-no-steps"),
    pytest.param(lambda lib, L, S, o: L.OneCycleLR(o, 0.1, total_steps=0), id="OneCycle-total"),
    pytest.param(lambda lib, L, S, o: L.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3), id="OneCycle-epochs"),
    pytest.param(
        lambda lib, L, S, o: L.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=1.5), id="OneCycle-steps_per_epoch"
    ),
    pytest.param(lambda lib, L, S, o: L.OneCycleLR(o, 0.1, 10, pct_start=1), id="OneCycle-pct_start"),
    pytest.param(lambda lib, L, S, o: L.OneCycleLR(o, 0.1, 10, anneal_strategy="exp"), id="OneCycle-anneal"),
    pytest.param(lambda lib, L, S, o: L.OneCycleLR(_adagrad(lib), 0.1, 10), id="OneCycle-no-momentum"),
    pytest.param(lambda lib, L, S, o: L.SequentialLR(o, [], []), id="Sequential-empty"),
    pytest.param(lambda lib, L, S, o: L.SequentialLR(o, [L.StepLR(o, 2)], [3]), id="Sequential-milestones"),
    pytest.param(lambda lib, L, S, o: L.SequentialLR(o, [L.ReduceLROnPlateau(o)], []), id="Sequential-plateau"),
    pytest.param(lambda lib, L, S, o: L.SequentialLR(o, [3], []), id="Sequential-not-a-scheduler"),
    pytest.param(lambda lib, L, S, o: L.ChainedScheduler([]), id="Chained-empty"),
    pytest.param(
        lambda lib, L, S, o: L.ChainedScheduler([L.StepLR(o, 2), L.ReduceLROnPlateau(o)]), id="Chained-plateau"
    ),
    pytest.param(lambda lib, L, S, o: S.SWALR(o, 0.1, anneal_strategy="exp"), id="SWALR-anneal"),
    pytest.param(lambda lib, L, S, o: S.SWALR(o, 0.1, anneal_epochs=-1), id="SWALR-epochs"),
    pytest.param(lambda lib, L, S, o: S.SWALR(o, [0.1, 0.2]), id="SWALR-count"),
    pytest.param(lambda lib, L, S, o: S.get_ema_multi_avg_fn(1.5), id="ema-decay"),
    pytest.param(lambda lib, L, S, o: S.get_ema_avg_fn(-0.1), id="ema-avg-decay"),
    pytest.param(
        lambda lib, L, S, o: S.AveragedModel(lib.nn.Linear(2, 2), avg_fn=len, multi_avg_fn=len), id="Averaged-both"
    ),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    out = []
    for name, (lib, L, S) in LIBS.items():
        with pytest.raises(Exception) as e:
            fn(lib, L, S, _optimizer(lib))
        out.append((type(e.value).__name__, str(e.value)))
    assert out[0] == out[1]


def test_mixed_optimizers_error():
    """Schedulers of two optimizers in one SequentialLR: PyTorch's ValueError (message up to the repr)."""
    for name, (lib, L, _) in LIBS.items():
        o1, o2 = _optimizer(lib), _optimizer(lib)
        with pytest.raises(
            ValueError,
            match="expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1",
        ):
            L.SequentialLR(o1, [L.StepLR(o1, 2), L.StepLR(o2, 2)], [3])


# ---------------------------------------------------------------------------- swa_utils
def _net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _twins():
    torch.manual_seed(0)
    t = _net(torch)
    e = _net(ember)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return t, e


def _data(n=6, batch=5, seed=1):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((batch, 4)).astype(np.float32), rng.integers(0, 3, batch)) for _ in range(n)]


def _train_step(lib, model, opt, x, y):
    opt.zero_grad()
    loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
    loss.backward()
    opt.step()


def _close_state(t_sd, e_sd, rtol=2e-5, atol=1e-6):
    assert list(t_sd) == list(e_sd)
    for k in t_sd:
        np.testing.assert_allclose(e_sd[k].numpy(), t_sd[k].numpy(), rtol=rtol, atol=atol, err_msg=k)


AVERAGING = [
    pytest.param(lambda S: {}, id="swa-default"),
    pytest.param(lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)}, id="ema-multi"),
    pytest.param(lambda S: {"avg_fn": S.get_ema_avg_fn(0.8)}, id="ema-avg_fn"),
    pytest.param(lambda S: {"avg_fn": S.get_swa_avg_fn()}, id="swa-avg_fn"),
    pytest.param(lambda S: {"multi_avg_fn": S.get_swa_multi_avg_fn()}, id="swa-multi"),
    pytest.param(lambda S: {"use_buffers": True}, id="swa-buffers"),
    pytest.param(lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.5), "use_buffers": True}, id="ema-buffers"),
]


@pytest.mark.parametrize("kwargs", AVERAGING)
def test_averaged_model(kwargs):
    models = dict(zip(("torch", "ember"), _twins()))
    results = {}
    for name, (lib, L, S) in LIBS.items():
        model = models[name]
        avg = S.AveragedModel(model, **kwargs(S))
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = S.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
        lrs = []
        for x, y in _data():
            _train_step(lib, model, opt, x, y)
            avg.update_parameters(model)
            sched.step()
            lrs.append(sched.get_last_lr())
        results[name] = (avg, lrs)
    (ta, tl), (ea, el) = results["torch"], results["ember"]
    _same(tl, el)
    _close_state(ta.state_dict(), ea.state_dict())
    assert int(ea.n_averaged) == 6 and ea.n_averaged.dtype == ember.int64
    x = _data(1, 7, seed=9)[0][0]
    ta.eval(), ea.eval()
    np.testing.assert_allclose(
        ea(ember.tensor(x)).detach().numpy(), ta(torch.tensor(x)).detach().numpy(), rtol=2e-5, atol=1e-6
    )


def test_swa_multi_avg_fn_on_integer_buffers():
    """PyTorch's foreach SWA update refuses the integer ``num_batches_tracked``; so does ember."""
    msgs = []
    for name, (lib, L, S) in LIBS.items():
        model = _twins()[0] if name == "torch" else _twins()[1]
        avg = S.AveragedModel(model, multi_avg_fn=S.get_swa_multi_avg_fn(), use_buffers=True)
        avg.update_parameters(model)
        with pytest.raises(RuntimeError) as e:
            avg.update_parameters(model)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_averaged_model_is_a_copy():
    _, e = _twins()
    avg = ES.AveragedModel(e)
    assert avg.module is not e and avg.module[0].weight is not e[0].weight
    assert list(avg.state_dict())[0] == "n_averaged" and "module.0.weight" in avg.state_dict()
    w0 = e[0].weight.detach().numpy().copy()
    avg.update_parameters(e)
    np.testing.assert_array_equal(avg.module[0].weight.detach().numpy(), w0)
    assert avg.module[0].weight.detach().numpy() is not w0


def _loader(lib, seed=3):
    return [(lib.tensor(x) if i % 2 else lib.tensor(x), lib.tensor(y)) for i, (x, y) in enumerate(_data(5, 6, seed))]


@pytest.mark.parametrize("as_tuples", [True, False])
def test_update_bn(as_tuples):
    models = dict(zip(("torch", "ember"), _twins()))
    for name, (lib, L, S) in LIBS.items():
        m = models[name]
        m.eval()
        batches = _loader(lib)
        S.update_bn(batches if as_tuples else [b[0] for b in batches], m)
        assert not m.training and m[1].momentum == 0.1
    _close_state(models["torch"].state_dict(), models["ember"].state_dict())


def test_update_bn_on_averaged_model_and_without_bn():
    models = dict(zip(("torch", "ember"), _twins()))
    avgs = {}
    for name, (lib, L, S) in LIBS.items():
        avg = S.AveragedModel(models[name])
        opt = lib.optim.SGD(models[name].parameters(), lr=0.05)
        for x, y in _data(3):
            _train_step(lib, models[name], opt, x, y)
            avg.update_parameters(models[name])
        S.update_bn(_loader(lib, 5), avg)
        avgs[name] = avg
    _close_state(avgs["torch"].state_dict(), avgs["ember"].state_dict())
    plain = ember.nn.Linear(3, 2)
    ES.update_bn([ember.ones(2, 3)], plain)  # no batch norm: nothing to do


# ---------------------------------------------------------------------------- subclassing, pickling, names
def test_custom_scheduler_subclass():
    rows = {}
    for name, (lib, L, _) in LIBS.items():

        class Warmup(L.LRScheduler):
            def __init__(self, optimizer, warmup, last_epoch=-1):
                self.warmup = warmup
                super().__init__(optimizer, last_epoch)

            def get_lr(self):
                f = min(1.0, (self.last_epoch + 1) / self.warmup)
                return [base * f for base in self.base_lrs]

        opt = _optimizer(lib)
        s = Warmup(opt, 8)
        rows[name] = [s.get_last_lr()] + _run(opt, s, 20)
        assert list(s.state_dict()) == ["warmup", "base_lrs", "last_epoch", "_step_count", "_is_initial",
                                        "_get_lr_called_within_step", "_last_lr"]  # fmt: skip
        assert issubclass(L._LRScheduler, L.LRScheduler)
    _same(rows["torch"], rows["ember"])


def test_pickle_and_deepcopy():
    import pickle

    opt = _optimizer(ember)
    s = EL.CyclicLR(opt, 0.01, 0.1, 5, mode="exp_range", gamma=0.9)
    _run(opt, s, 7)
    s2 = pickle.loads(pickle.dumps(s))
    s3 = copy.deepcopy(s)
    ref_rows = _run(opt, s, 10)
    for other in (s2, s3):
        assert _run(other.optimizer, other, 10) == ref_rows


def test_module_names():
    assert EL.__all__ == TL.__all__
    assert ES.__all__ == TS.__all__
    assert ember.optim.lr_scheduler is EL and ember.optim.swa_utils is ES
    assert EL.EPOCH_DEPRECATION_WARNING == TL.EPOCH_DEPRECATION_WARNING


def test_swa_recipe():
    """PyTorch's documented SWA loop: cosine schedule, then SWALR and averaging from epoch 3, then update_bn."""
    models = dict(zip(("torch", "ember"), _twins()))
    out = {}
    for name, (lib, L, S) in LIBS.items():
        model = models[name]
        swa_model = S.AveragedModel(model)
        opt = lib.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-4)
        sched = L.CosineAnnealingLR(opt, T_max=20)
        swa_sched = S.SWALR(opt, swa_lr=0.05, anneal_epochs=2)
        lrs = []
        for epoch in range(6):
            for x, y in _data(3, 8, seed=epoch):
                _train_step(lib, model, opt, x, y)
            if epoch > 2:
                swa_model.update_parameters(model)
                swa_sched.step()
            else:
                sched.step()
            lrs.append([float(g["lr"]) for g in opt.param_groups])
        loader = [(lib.tensor(x), lib.tensor(y)) for x, y in _data(4, 8, seed=11)]
        S.update_bn(loader, swa_model)
        out[name] = (lrs, swa_model.state_dict())
    _same(out["torch"][0], out["ember"][0])
    _close_state(out["torch"][1], out["ember"][1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("writer", ["torch", "ember"])
def test_checkpoint_file_resumes_in_the_other_library(writer, tmp_path):
    """Optimizer and scheduler state written with one library's ``save`` resume in the other's ``load``
    (weights-only) and continue PyTorch's trajectory."""

    def make(L, o):
        return L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=5), L.OneCycleLR(o, 0.3, total_steps=40)], [5])

    reader = "ember" if writer == "torch" else "torch"
    lib, L, _ = LIBS[writer]
    opt = _optimizer(lib, "adam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(L, opt)
        _run(opt, sched, 20)
        lib.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "ckpt.pt")
        expected = _run(opt, sched, 20)
        rlib, RL, _ = LIBS[reader]
        ckpt = rlib.load(tmp_path / "ckpt.pt", weights_only=True)
        opt2 = _optimizer(rlib, "adam")
        sched2 = make(RL, opt2)
        opt2.load_state_dict(ckpt["optimizer"])
        sched2.load_state_dict(ckpt["scheduler"])
        got = _run(opt2, sched2, 20)
    _same(expected, got)


@pytest.mark.parametrize("name", TL.__all__ + ["SWALR"])
def test_signatures_match_torch(name):
    """Argument names, order and defaults as PyTorch's (plus the deprecated trailing ``verbose``)."""
    import inspect

    t_cls = getattr(TS if name == "SWALR" else TL, name)
    e_cls = getattr(ES if name == "SWALR" else EL, name)
    t_params = [(p.name, p.default) for p in inspect.signature(t_cls.__init__).parameters.values()]
    e_params = [(p.name, p.default) for p in inspect.signature(e_cls.__init__).parameters.values()]
    assert [p for p in e_params if p != ("verbose", "deprecated")] == t_params
