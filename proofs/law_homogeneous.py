"""Bias-free ReLU networks are positively homogeneous (reference notes on the laws, §7 item 21): on every
activation region f(x) = <grad f, x>, so ||grad f(x)||_2^2 >= f(x)^2 / ||x||_2^2 by Cauchy-Schwarz -- a
floor on the gradient wherever f is large relative to ||x||.  Checked exactly on every region of a box
around 0 (a bias-free network's regions are cones at 0, so the box meets all of them)."""
import random

from flint import fmpq

from exactmem import Verdict, all_of, box
from exactmem.analysis import cover
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.kernel.lipschitz import jacobian

from ._lipschitz_instances import random_net


def _instances():
    for seed, dims in enumerate([[2, 4, 1], [2, 3, 3, 1], [3, 4, 1], [2, 5, 2, 1], [3, 3, 3, 1], [4, 6, 1]]):
        yield f"dims={dims} seed={seed}", random_net(1200 + seed, dims, bias=False)


def _euler(net, g, x):
    """None if f(x) = <g, x> and ||g||^2 ||x||^2 >= f(x)^2 at x, else a refutation."""
    fx = net(x)[0]                                           # exact evaluation, independent of g
    gx = sum((a * b for a, b in zip(g, x)), fmpq(0))
    gg, xx = sum((a * a for a in g), fmpq(0)), sum((t * t for t in x), fmpq(0))
    if fx != gx or gg * xx < fx * fx:
        return Verdict.refuted("Euler's identity or the gradient floor fails at an interior point",
                               {"x": [fmt(t) for t in x], "f": fmt(fx), "<g, x>": fmt(gx)})
    return None


def regions(net, region):
    """[(gradient, offset, exact interior point or None)] for every activation region of the network on the set,
    found by exactmem's region walk (floats propose the interior points; each is checked exactly: inside the
    set, no pre-activation zero, and its exact gradient is the region's)."""
    layers, S, d, memo, out = net.sparse_layers(), region.S, net.input_dim, {}, []

    def visit(path):
        kind, res = cover.walk(layers, S, path, d, memo)
        if kind != "region":
            return kind, res
        nd, outs = res
        g, e = outs[0]
        x = None
        sl = nd.R.slack()
        for shrink in (2.0 ** -30, 2.0 ** -12, 0.25):
            if sl is None or sl[0] >= 0:
                break
            y = nd.R.point(sl[2], shrink)
            if S.contains(y, strict=True) and (jacobian(layers, y, d) or [None])[0] == g:
                x = y
                break
        out.append((g, e, x))
        return "leaf", nd.leaf(goals=[])
    res = cover.grow(layers, S, visit)
    if res[0] != "proved":
        raise RuntimeError(f"the region walk did not finish: {res[1]}")
    return out


@claim("Law.homogeneous",
       "for a bias-free ReLU network, on every activation region f(x) = <grad f(x), x> (zero offset), and at an "
       "exact interior point of each region ||grad f||^2 ||x||^2 >= f(x)^2",
       {"seeded random": _instances}, source="standard (reference notes §7 item 21, INFERRED)")
def check(net):
    d = net.input_dim
    rs = regions(net, box([-1] * d, [1] * d))
    parts = []
    off = [(g, e) for g, e, _ in rs if e != 0]
    parts.append(Verdict.from_exact(not off, f"f is linear (offset 0) on all {len(rs)} regions",
                                    witness={"offset": fmt(off[0][1]) if off else None}))
    checked = 0
    for g, _, x in rs:
        if x is not None:
            bad = _euler(net, g, x)
            if bad is not None:
                return bad
            checked += 1
    parts.append(Verdict.from_exact(checked > 0, f"f(x) = <grad f, x> and ||grad f||^2 ||x||^2 >= f(x)^2 at an exact "
                                                 f"interior point of {checked} of {len(rs)} regions"))
    # independently of the walk: random exact points, their activation patterns evaluated exactly
    rng, grads, seen = random.Random(net.param_count()), {tuple(g) for g, _, _ in rs}, 0
    for _ in range(40):
        x = [fmpq(rng.randint(-999, 999), 1000) for _ in range(d)]
        J = jacobian(net.sparse_layers(), x, d)
        if J is None:
            continue
        g = J[0]
        bad = _euler(net, g, x)
        if bad is not None:
            return bad
        if tuple(g) not in grads:
            return Verdict.refuted("a random point's gradient is not that of any region found", {"x": [fmt(t) for t in x]})
        seen += 1
    parts.append(Verdict.from_exact(seen > 0, f"the same at {seen} random exact points, each gradient a region's"))
    return all_of(parts, f"bias-free network {net.dims}: {len(rs)} regions, {checked} with an exact interior point")
