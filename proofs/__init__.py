"""One module per numbered statement; importing a module registers its claims (see exactmem.claims)."""
