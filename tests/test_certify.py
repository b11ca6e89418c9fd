"""Certificates of single facts (separation, exact memorization, block lemmas) and ``exactmem verify``."""
import copy
import json
import random

import pytest
from flint import fmpq

from reference import resign

from exactmem import Dataset
from exactmem.certify import Certificate, check, memorization_certificate, separation_certificate
from exactmem.cli import main
from exactmem.errors import CertificateError
from exactmem.ramp1d import ramp_memorizer_1d

D = Dataset([[0], [4], [5], [9]], [1, 2, 2, 1])


def test_separation_certificate_and_tampering():
    cert = separation_certificate(D).to_json()
    assert check(cert).is_proved
    bad = copy.deepcopy(cert)
    bad["data"]["eps_sq"] = "1/5"
    assert check(resign(bad)).is_refuted
    for p, value in (("1", "2"), ("inf", "2")):      # cross pairs 0-4 and 5-9 are closest (4 apart): eps = 2
        c = separation_certificate(D, p).to_json()
        assert c["data"]["eps"] == value and check(c).is_proved


def test_separation_checker_finds_closer_pair():
    cert = separation_certificate(D).to_json()
    cert["dataset"]["points"].append(["1/2"])
    cert["dataset"]["labels"].append(2)      # a new cross pair (with 0) at distance 1/2 < 4
    assert check(resign(cert)).is_refuted


def test_memorization_certificate_and_tampering():
    f = ramp_memorizer_1d(D, "1/2")
    cert = memorization_certificate(f, D).to_json()
    assert check(cert).is_proved
    bad = copy.deepcopy(cert)
    bad["dataset"]["labels"][0] = 2
    assert check(resign(bad)).is_refuted
    bad = copy.deepcopy(cert)
    bad["network"]["layers"][-1]["b"][0] = "3/2"
    assert check(resign(bad)).is_refuted


@pytest.mark.parametrize("mutate, message", [
    (lambda c: c.update(schema_version=7), "schema version"),
    (lambda c: c.update(schema_version=True), "schema version"),
    (lambda c: c.update(kind="nonsense"), "unknown certificate kind"),
    (lambda c: c.update(kind=["separation"]), "unknown certificate kind"),
    (lambda c: c["dataset"].update(points=[["a"]]), "not a rational"),
    (lambda c: c["dataset"].update(points=[["\u0663"], ["1"], ["2"], ["3"]]), "not a rational"),   # Arabic-Indic 3
    (lambda c: c["dataset"].update(labels=[1]), "one label per point"),
    (lambda c: c["dataset"].update(labels=[1, 1, 1, 1]), "C >= 2"),
    (lambda c: c["dataset"].update(labels=[1, 2, 2, 10 ** 12]), "labels"),
    (lambda c: c["dataset"]["points"].__setitem__(1, ["0"]), "coincide"),
    (lambda c: c["network"]["layers"][0].update(W_rows=[[[0, 0.5]]] * 2), "not a rational"),
    (lambda c: c["network"]["layers"][0].update(b=[]), "one entry per row"),
    (lambda c: c.pop("network"), "network must be an object"),
    (lambda c: c.update(data=None), "data must be an object"),
])
def test_malformed_certificates(mutate, message):
    cert = memorization_certificate(ramp_memorizer_1d(D, "1/2"), D).to_json()
    mutate(cert)
    with pytest.raises(CertificateError, match=message):
        check(resign(cert))


def test_digest_required_and_checked():
    cert = separation_certificate(D).to_json()
    no = dict(cert)
    del no["digest"]
    with pytest.raises(CertificateError, match="no digest"):
        check(no)
    altered = copy.deepcopy(cert)
    altered["claim"] = "something else"
    with pytest.raises(CertificateError, match="digest does not match"):
        check(altered)


def test_cli_verify_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.json"
    separation_certificate(D).save(good)
    assert main(["verify", str(good)]) == 0
    bad = tmp_path / "bad.json"
    doc = json.loads(good.read_text())
    doc["data"]["eps_sq"] = "7"
    bad.write_text(json.dumps(resign(doc)))
    assert main(["verify", str(bad)]) == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["verify", str(broken)]) == 2
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200000 + "]" * 200000)
    assert main(["verify", str(deep)]) == 2
    out = capsys.readouterr().out
    assert out.count("MALFORMED") == 2 and "nested too deeply" in out
    assert Certificate.from_json(str(good)).verify().is_proved


def test_block_certificates_and_tampering():
    from exactmem.blocks import find_projection, midpoint_translation
    from exactmem.certify import grid_cells_certificate, lattice_margin_certificate, projection_certificate
    pts = [["1/3", 2], ["5/7", "-1/2"], [4, "9/10"]]
    b, margin = midpoint_translation(pts)
    cert = lattice_margin_certificate(pts, b, margin).to_json()
    assert check(cert).is_proved
    cert["data"]["margin"] = str(margin + fmpq(1, 10 ** 6))
    assert check(resign(cert)).is_refuted
    g = grid_cells_certificate([["3/2", "1/2"], ["5/2", "1/2"]], [1, 2], "1/4", "1/8", 4).to_json()
    assert check(g).is_proved
    g["data"]["centres"][1] = ["13/8", "1/2"]   # now in the same cell as ball 0 (and too close to its edge)
    assert check(resign(g)).is_refuted
    rng = random.Random(3)
    D16 = Dataset([[rng.randint(-6, 6) for _ in range(16)] for _ in range(10)], [1 + i % 2 for i in range(10)])
    P, _, _ = find_projection(D16, 8, fmpq(1, 20), tries=4)
    c = projection_certificate(D16, P.full, fmpq(1, 20)).to_json()
    assert check(c).is_proved
    c["data"]["W_full"][0][0] = "1/3"           # any single change breaks exact orthonormality
    assert check(resign(c)).is_refuted


@pytest.mark.parametrize("mu, gamma", [("0", "1/8"), ("-1/4", "1/8"), ("1/4", "0"), ("1/4", "-1/8"), ("1/4", "1")])
def test_grid_cells_reject_nonpositive_radius_and_gamma(mu, gamma):
    """Regression (issue 10): gamma <= 0 or mu <= 0 made two overlapping balls of different labels PROVED."""
    from exactmem.certify import grid_cells_certificate
    g = grid_cells_certificate([["3/2", "1/2"], ["5/2", "1/2"]], [1, 2], "1/4", "1/8", 4).to_json()
    g["data"]["mu"], g["data"]["gamma"] = mu, gamma
    with pytest.raises(CertificateError, match="mu must be positive"):
        check(resign(g))


def test_a_memorization_certificate_writes_its_network_when_written():
    """Stop 34: the certificate holds the ReLUNet (no document beside it during a build) and writes the same
    document as before, the network's sparse JSON; read back, it holds the document and writes the same bytes."""
    from exactmem import memorize
    net, cert = memorize(Dataset([[0, 0], [3, 1], [1, 4]], [1, 2, 1]), "1/2")
    assert cert.network is net
    doc = cert.to_json()
    assert doc["network"] == net.to_json(sparse=True)
    back = Certificate.from_json(json.dumps(doc))
    assert isinstance(back.network, dict) and json.dumps(back.to_json()) == json.dumps(doc)
    assert back.verify().is_proved and cert.verify().is_proved
