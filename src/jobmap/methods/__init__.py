"""Methods: keyword rules, anchor similarity, LDA topics, clustering and learned heads, all behind
one interface (fit on postings, score every posting, explain a score)."""
