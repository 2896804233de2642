"""Policy grammar, shipped as package data (scanner.grammar)."""
