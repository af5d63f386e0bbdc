"""Site tooling (not part of the derivations package): bilingual parity, link checks, page budgets."""
