"""End-to-end robust memorizers, one module per theorem / regime of Kim, Moon & Yun (2025)."""
