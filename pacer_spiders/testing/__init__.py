"""Throwaway real services (PostgreSQL, Redis) for tests and benchmarks."""
