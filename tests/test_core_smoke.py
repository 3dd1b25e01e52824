from oracle import I, check_gradcheck, compare, raises_same


def test_add_mul_broadcast():
    compare(lambda lib, a, b: a * b + a, (3, 4), (4,))


def test_scalar_promotion():
    compare(lambda lib, a: a + 2.5, I((3,)))
    compare(lambda lib, a: a / 2, I((3,), 1, 5))


def test_matmul_grad():
    compare(lambda lib, a, b: a @ b, (2, 3, 4), (4, 5))


def test_errors():
    raises_same(lambda lib, a, b: a @ b, (3, 4), (5, 2))


def test_gradcheck_tanh_chain():
    check_gradcheck(lambda lib, a, b: (a * b).tanh().sum(), (3,), (3,), second=True)
