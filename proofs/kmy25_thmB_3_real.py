"""KMY25 Theorem B.3 on real data: iris and digits (scikit-learn's copies), certified in the small-rho regime."""
from flint import fmpq

from exactmem import all_of, memorize, verify
from exactmem.claims import claim


def _datasets():
    from exactmem import datasets
    yield "iris (N=149, d=4)", datasets.iris
    yield "digits (N=1797, d=64)", datasets.digits


@claim("KMY25.ThmB.3.real", "iris and digits: small-rho memorizers at rho = 1/(5 N d), certified by the independent "
       "kernel", {"scikit-learn datasets": _datasets}, source="Kim, Moon & Yun 2025, Theorem B.3")
def check(load):
    D = load()
    rho = fmpq(1, 5 * D.N * D.d)
    net, cert = memorize(D, rho)
    return all_of([verify(net, D, rho, cert)],
                  f"N = {D.N}, d = {D.d}, C = {D.C}: {net.param_count()} params, depth {net.depth}, width {net.width}")


def _large():
    from exactmem import datasets
    yield "iris (N=149, d=4) rho=1/2", datasets.iris


@claim("KMY25.ThmB.14.real", "iris in the large regime (rho = 1/2, Case I), exact robust memorization certified; "
       "digits' Case II network (width 330, depth ~ 9000) is too large to build densely -- see docs/sizes.md",
       {"scikit-learn datasets": _large}, source="Kim, Moon & Yun 2025, Theorem B.14")
def check_large(load):
    D = load()
    rho = fmpq(1, 2)
    net, cert = memorize(D, rho)
    return all_of([verify(net, D, rho, cert)],
                  f"N = {D.N}, d = {D.d}: case {cert.info['case']}, {net.param_count()} params, depth {net.depth}")
