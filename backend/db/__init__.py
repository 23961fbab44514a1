"""PostgreSQL access: the pool and the migrations."""
