"""Built-in policies, shipped as package data (scanner.policies)."""
