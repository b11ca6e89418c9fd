"""Issue 14, item 6: docs/claims.md's claim-strength table has a row for every numbered statement of Kim, Moon &
Yun (2025), naming registered claims and a strength (STRONG or WEAK; no VACUOUS check is left).

The list of statements is tests/data/kmy25_statements.txt, generated from the reference notes
(../shared/reference/kmy2025.md, outside the repository) by ``python tests/test_claim_table.py --write``; a clean
clone without the notes uses the committed copy, and when the notes are present the copy must be up to date.
"""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "data" / "kmy25_statements.txt"
REFERENCE = ROOT.parent / "shared" / "reference" / "kmy2025.md"
DOC = ROOT / "docs" / "claims.md"
KINDS = {"Thm": "Theorem", "Thms": "Theorem", "Theorem": "Theorem", "Prop": "Proposition", "Props": "Proposition",
         "Def": "Definition", "Defs": "Definition", "Definition": "Definition", "Lemma": "Lemma", "Lemmas": "Lemma",
         "Remark": "Remark", "Table": "Table"}


def _expand(token: str) -> list:
    """'B.6–B.13' -> B.6 .. B.13; 'C.1' -> [C.1]; '3.2' -> [3.2]; '1' -> [1]."""
    m = re.fullmatch(r"([A-E]?\.?)(\d+)\s*[–-]\s*\1(\d+)", token)
    if m:
        return [f"{m.group(1)}{k}" for k in range(int(m.group(2)), int(m.group(3)) + 1)]
    return [token]


def parse_reference(text: str) -> list:
    """Every numbered statement of the paper named in the notes: the "Every numbered statement ..." list of
    section 7 (ranges expanded; an explicitly listed kind wins over a range, e.g. Prop. B.19 inside Lemmas
    B.15-B.23), plus the "(Definition X)" headings of section 1.  Returns "Kind number" strings, sorted."""
    line = next(l for l in text.splitlines() if "Every numbered statement" in l)
    body = line.split(":", 1)[1].strip().rstrip(".")
    found, explicit = {}, set()
    for part in body.split(";"):
        part = part.strip()
        kind_word, rest = part.split(" ", 1)
        kind = KINDS[kind_word]
        for tok in [t.strip() for t in rest.split(",")]:
            nums = _expand(tok)
            for n in nums:
                if len(nums) == 1:
                    found[n] = kind
                    explicit.add(n)
                elif n not in explicit:
                    found[n] = kind
    for n in re.findall(r"\(Definition (\d+\.\d+)\)", text):
        found[n] = "Definition"
    order = lambda n: (n[0] if n[0].isalpha() else " ", [int(x) for x in re.findall(r"\d+", n)])
    return [f"{found[n]} {n}" for n in sorted(found, key=order)]


def committed() -> list:
    return [l.strip() for l in LIST.read_text().splitlines() if l.strip() and not l.startswith("#")]


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of any level."""
    start = text.index(heading) + len(heading)
    nxt = re.search(r"^#", text[start:], flags=re.M)
    return text[start:start + nxt.start()] if nxt else text[start:]


def table_rows() -> dict:
    """statement -> (claim ids, what, strength) from the strength table of docs/claims.md."""
    rows = {}
    for line in _section(DOC.read_text(), "## Claim strength (KMY25)").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] == "statement" or set(cells[0]) <= {"-", " "}:
            continue
        assert cells[0] not in rows, f"two rows for {cells[0]}"
        rows[cells[0]] = (re.findall(r"`([^`]+)`", cells[1]), cells[2], cells[3])
    return rows


def other_ids() -> set:
    """Claim ids of the table of other (unnumbered) KMY25 claims."""
    return set(re.findall(r"`(KMY25\.[^`]+)`", _section(DOC.read_text(), "### Other KMY25 claims")))


def test_committed_list_is_current():
    if not REFERENCE.exists():
        pytest.skip(f"reference notes not present at {REFERENCE} (clean clone): using the committed list")
    assert parse_reference(REFERENCE.read_text()) == committed(), \
        "tests/data/kmy25_statements.txt is stale: run python tests/test_claim_table.py --write"


def test_parser_by_hand():
    text = "x\n  - Every numbered statement in A: Thm 3.1; Lemmas B.6–B.8, B.10; Props B.7; Table 1.\n(Definition 2.1)"
    assert parse_reference(text) == ["Table 1", "Definition 2.1", "Theorem 3.1", "Lemma B.6", "Proposition B.7",
                                     "Lemma B.8", "Lemma B.10"]


def test_every_statement_has_a_row_with_registered_claims_and_a_strength():
    from exactmem import claims
    claims.discover("proofs")
    rows = table_rows()
    statements = committed()
    assert len(statements) >= 50
    missing = [s for s in statements if s not in rows]
    assert not missing, f"docs/claims.md's strength table has no row for {missing}"
    extra = [s for s in rows if s not in statements]
    assert not extra, f"rows for statements not in the reference list: {extra}"
    for s, (ids, what, strength) in rows.items():
        assert ids, f"{s}: no claim id"
        unknown = [i for i in ids if i not in claims.REGISTRY]
        assert not unknown, f"{s}: {unknown} are not registered claims"
        assert strength in ("STRONG", "WEAK"), f"{s}: strength {strength!r} (VACUOUS checks must be fixed)"
        assert len(what) > 20, f"{s}: say what the check does"


def test_every_registered_kmy25_claim_is_classified():
    from exactmem import claims
    claims.discover("proofs")
    named = {i for ids, _, _ in table_rows().values() for i in ids} | other_ids()
    unclassified = sorted(c for c in claims.REGISTRY if c.startswith("KMY25.") and c not in named)
    assert not unclassified, f"registered KMY25 claims missing from docs/claims.md's strength tables: {unclassified}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        items = parse_reference(REFERENCE.read_text())
        LIST.write_text("# Numbered statements of Kim, Moon & Yun (2025), one per line.\n"
                        "# Generated from ../shared/reference/kmy2025.md by: python tests/test_claim_table.py --write\n"
                        "# (tests/test_claim_table.py checks it is current whenever the reference is present.)\n"
                        + "\n".join(items) + "\n")
        print(f"wrote {len(items)} statements to {LIST}")
