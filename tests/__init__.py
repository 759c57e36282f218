"""wiretrace test suite (a package, so that conftest is imported once, as tests.conftest)."""
